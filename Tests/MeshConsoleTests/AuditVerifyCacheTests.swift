import Foundation
import MeshAudit
@testable import MeshConsole
import MeshSigning
import XCTest

/// The audit page verifies the store again only when it has moved on: a visit that finds the
/// same head (sequence and hash) and checkpoints reuses the last report.
final class AuditVerifyCacheTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    private func record(_ n: Int) -> AuditRecordInput {
        AuditRecordInput(
            raw: Array("record-\(n)".utf8), envelopeID: "env-\(n)", type: "work.item", source: "coder", subject: "ticket-1",
            correlationID: "corr-1", causationID: "", eventTimeMicros: 1_750_000_000_000_000 + Int64(n),
            verification: .verified, kafka: KafkaCoordinates(topic: "mesh.work", partition: 0, offset: Int64(n), timestampMillis: 1_750_000_000_000))
    }

    func testAVisitWithNoNewRecordsReusesTheLastReportAndANewRecordIsVerified() throws {
        let keys = directory.appendingPathComponent("keys").path
        try KeyRingStore.initialize(at: keys, roles: ["audit-sink"], people: [], algorithm: .ed25519, checkpointSigners: ["audit-sink"])
        let location = AuditStoreLocation.sqlite(path: directory.appendingPathComponent("audit.sqlite").path)
        let writer = try location.open(configuration: AuditStoreConfiguration(
            signer: try KeyRingStore.loadSigner(principal: "audit-sink", from: keys), checkpoints: CheckpointPolicy(everyRecords: 1_000)))
        _ = try writer.append((0..<3).map(record))
        let view = AuditView(location: location, keysDirectory: keys)

        XCTAssertEqual(try view.verify().report.recordCount, 3)
        XCTAssertEqual(try view.verify().report.recordCount, 3)
        XCTAssertEqual(view.verifyCache.computations, 1, "the second visit found the same head")

        _ = try writer.append([record(3)])
        let appended = try view.verify().report
        XCTAssertEqual(appended.recordCount, 4, "a new record is seen")
        XCTAssertEqual(view.verifyCache.computations, 2)

        _ = try writer.checkpointNow()
        let checkpointed = try view.verify().report
        XCTAssertEqual(checkpointed.checkpointCount, appended.checkpointCount + 1, "a new checkpoint under the same head is seen")
        XCTAssertEqual(view.verifyCache.computations, 3)
        XCTAssertEqual(try view.verify().report, checkpointed)
        XCTAssertEqual(view.verifyCache.computations, 3)
    }

    func testAnUnchangedStoreIsVerifiedAgainOnceTheResultIsOlderThanTheBound() throws {
        let keys = directory.appendingPathComponent("keys").path
        try KeyRingStore.initialize(at: keys, roles: ["audit-sink"], people: [], algorithm: .ed25519, checkpointSigners: ["audit-sink"])
        let location = AuditStoreLocation.sqlite(path: directory.appendingPathComponent("audit.sqlite").path)
        let writer = try location.open(configuration: AuditStoreConfiguration(
            signer: try KeyRingStore.loadSigner(principal: "audit-sink", from: keys), checkpoints: CheckpointPolicy(everyRecords: 1_000)))
        _ = try writer.append((0..<3).map(record))
        let clock = TestClock()
        let view = AuditView(location: location, keysDirectory: keys, verifyCache: VerifyCache(maxAge: 60, now: { clock.now }))

        let first = try view.verify().json["verifiedAt"] as? String
        clock.advance(59)
        XCTAssertEqual(try view.verify().json["verifiedAt"] as? String, first, "within the bound the result is reused")
        XCTAssertEqual(view.verifyCache.computations, 1)
        clock.advance(2)
        let again = try view.verify().json["verifiedAt"] as? String
        XCTAssertEqual(view.verifyCache.computations, 2, "an unchanged store is verified again after the bound")
        XCTAssertNotEqual(again, first)
    }
}

private final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_750_000_000)
    var now: Date { lock.withLock { time } }
    func advance(_ seconds: TimeInterval) { lock.withLock { time += seconds } }
}
