import Logging
import MeshLogging
import XCTest

final class LogLineFormatterTests: XCTestCase {
    func testJSONLinesAreValidJSONWithStableFieldOrder() throws {
        let line = LogLineFormatter.format(
            .json, timestamp: "2026-01-01T00:00:00.000Z", level: "info", label: "reviewer",
            message: "verdict \"approve\"\nsent", metadata: ["role": "reviewer", "correlation_id": "c-1", "envelope_id": "e-1"])
        XCTAssertEqual(
            line,
            #"{"ts":"2026-01-01T00:00:00.000Z","level":"info","logger":"reviewer","msg":"verdict \"approve\"\nsent","correlation_id":"c-1","envelope_id":"e-1","role":"reviewer"}"#)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        XCTAssertEqual(object?["correlation_id"], "c-1")
    }

    func testLogfmtQuotesOnlyWhatNeedsIt() {
        let line = LogLineFormatter.format(
            .logfmt, timestamp: "t", level: "warning", label: "agent", message: "handler timed out",
            metadata: ["role": "coding", "reason": "", "task": "t=1"])
        XCTAssertEqual(line, #"ts=t level=warning logger=agent msg="handler timed out" reason="" role=coding task="t=1""#)
    }

    func testHandlerCarriesLoggerMetadataOnEveryLine() {
        let lines = LineBox()
        var logger = Logger(label: "orchestrator") { label in
            StructuredLogHandler(label: label, format: .logfmt, level: .info, sink: LogSink { lines.append($0) })
        }
        logger[metadataKey: "role"] = "orchestrator"
        logger.info("plan created", metadata: ["correlation_id": "obj-7"])
        logger.debug("below the level: dropped")
        XCTAssertEqual(lines.all.count, 1)
        XCTAssertTrue(lines.all[0].contains("role=orchestrator"))
        XCTAssertTrue(lines.all[0].contains("correlation_id=obj-7"))
    }
}

final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
