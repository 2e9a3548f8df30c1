import Foundation
import XCTest

/// PostgreSQL settings from the environment (see scripts/postgres-test-server.sh).
public enum PostgresTestEnvironment {
    public static let urlVariable = "AGENTMESH_TEST_POSTGRES_URL"
    public static let skipVariable = "AGENTMESH_SKIP_POSTGRES"
    public static let superuserURLVariable = "AGENTMESH_TEST_POSTGRES_SUPERUSER_URL"

    /// The cluster superuser's URL, for tests that play an attacker who controls the server.
    /// Without one the calling test FAILS with instructions (the skip variable still skips).
    public static func superuserURL(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        _ = try url(file: file, line: line)
        if let url = ProcessInfo.processInfo.environment[superuserURLVariable], !url.isEmpty { return url }
        XCTFail("""
            \(superuserURLVariable) is not set. Start the test server and export both of its lines:
                eval "$(scripts/postgres-test-server.sh start)"; export \(urlVariable) \(superuserURLVariable)
            """, file: file, line: line)
        throw PostgresUnavailable()
    }

    /// The server URL. Without one the calling test FAILS with instructions, unless
    /// AGENTMESH_SKIP_POSTGRES=1 asks explicitly for a skip.
    public static func url(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment[urlVariable], !url.isEmpty { return url }
        if environment[skipVariable] == "1" {
            throw XCTSkip("PostgreSQL tests skipped: \(skipVariable)=1")
        }
        let message = """
            \(urlVariable) is not set, so the PostgreSQL tests cannot run. Start the test server with
                eval "$(scripts/postgres-test-server.sh start | grep '^\(urlVariable)=')"; export \(urlVariable)
            and run the tests again (or set \(skipVariable)=1 to skip them explicitly).
            """
        XCTFail(message, file: file, line: line)
        throw PostgresUnavailable()
    }

    public struct PostgresUnavailable: Error, CustomStringConvertible {
        public var description: String { "\(PostgresTestEnvironment.urlVariable) is not set" }
    }
}
