import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MeshOps
import MeshSigning
import MeshTransport

/// The console as `up` and `demo` run it: on 127.0.0.1 at a free port (or `--console-port`),
/// plain http (`--insecure-cookies`, local use only), its users file in `<home>`. A missing
/// users file is created with one person and a fresh random password, printed once: for the
/// demo with `--approve-in-console` the demo approver (their key moves from the ring into the
/// users file, sealed under that password), otherwise an operator.
struct OpsConsole {
    let environment: MeshEnvironment
    let port: Int
    var usersFile: String { environment.home.appendingPathComponent("console-users.json").path }
    var url: String { "http://127.0.0.1:\(port)" }

    /// A port nothing listens on now (the console binds it a moment later).
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw OpsFailure("cannot open a socket to find a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        guard bound == 0 else { throw OpsFailure("cannot bind a socket to find a free port") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Creates the users file with `person` (approver) or an `operator` when there is none;
    /// returns the name and password to print, or nil when the file already existed.
    func ensureUsers(approver person: String?) throws -> (user: String, password: String)? {
        guard !FileManager.default.fileExists(atPath: usersFile) else { return nil }
        let password = Hex.encode(try SecureRandom.bytes(count: 9))
        let user = person ?? "operator"
        var arguments = ["users", "add", user, "--users", usersFile, "--home", environment.home.path]
        arguments += person == nil ? ["--role", "operator"] : ["--role", "approver", "--printed-name", "Demo Approver"]
        let process = Process()
        process.executableURL = OpsMeshHost.executableDirectory().appendingPathComponent("mesh-console")
        process.arguments = arguments
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpsFailure("mesh-console users add \(user) failed (status \(process.terminationStatus))") }
        return (user, password)
    }

    /// The child spec: `mesh-console serve` on this mesh. `policies` is the policy packs folder
    /// (the compliance page's class of each finding); without it the console looks in ./Policies.
    func spec(store: String, catalog: String, policies: String? = nil) -> OpsMeshHost.ChildSpec {
        OpsMeshHost.ChildSpec(
            name: "console-1", executable: OpsMeshHost.executableDirectory().appendingPathComponent("mesh-console").path,
            arguments: ["serve", "--host", "127.0.0.1", "--port", String(port), "--users", usersFile, "--insecure-cookies",
                        "--audit-store", store, "--catalog", catalog, "--home", environment.home.path, "--instance", "console-1"]
                + (policies.map { ["--policies", $0] } ?? []))
    }
}
