import XCTest

/// Polls `condition` until it holds or `timeout` passes; fails the calling test on timeout.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), file: StaticString = #filePath, line: UInt = #line,
    _ condition: () async -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    XCTFail("timed out after \(timeout) waiting for: \(what)", file: file, line: line)
    throw CancellationError()
}

/// Values gathered by background tasks, read by the test.
public actor Gathered<Value: Sendable> {
    public private(set) var values: [Value] = []

    public init() {}

    public func append(_ value: Value) { values.append(value) }

    public var count: Int { values.count }
}
