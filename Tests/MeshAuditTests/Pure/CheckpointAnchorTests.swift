import Foundation
import XCTest
import MeshSigning
@testable import MeshAudit

/// The anchor form of checkpoints: a JSON line that round-trips exactly, an append-only file
/// and a WORM directory that never overwrites.
final class CheckpointAnchorTests: XCTestCase {
    private func checkpoint(_ sequence: Int64) -> AuditCheckpoint {
        AuditCheckpoint.sign(logID: "log-1", sequence: sequence, headHash: [UInt8](repeating: UInt8(sequence), count: 32),
                             merkleRoot: [UInt8](repeating: 2, count: 32), createdAtMicros: 1_760_000_000_000_000 + sequence,
                             signer: Fixtures.signer)
    }

    func testAnchorLineRoundTripsAndStillVerifies() throws {
        let original = checkpoint(42)
        let parsed = try AuditCheckpoint(anchorLine: original.anchorLine)
        XCTAssertEqual(parsed, original)
        XCTAssertNoThrow(try parsed.verifySignature(trust: Fixtures.trust))
        XCTAssertFalse(original.anchorLine.contains("\n"))
    }

    func testMalformedLinesNameTheProblem() {
        XCTAssertThrowsError(try AuditCheckpoint(anchorLine: "{}")) { XCTAssertTrue("\($0)".contains("format"), "\($0)") }
        var line = checkpoint(1).anchorLine
        line = line.replacingOccurrences(of: ",\"size\":1", with: "")
        XCTAssertThrowsError(try AuditCheckpoint(anchorLine: line)) { XCTAssertTrue("\($0)".contains("\"size\" is missing"), "\($0)") }
    }

    func testFileAppendsAndDirectoryNeverOverwrites() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("anchors.jsonl").path
        try CheckpointAnchorFiles.append([checkpoint(5)], toFile: file)
        try CheckpointAnchorFiles.append([checkpoint(10)], toFile: file)
        XCTAssertEqual(try CheckpointAnchorFiles.read(file).map(\.sequence), [5, 10])

        let worm = directory.appendingPathComponent("worm").path
        try CheckpointAnchorFiles.write([checkpoint(5), checkpoint(10)], toDirectory: worm)
        try CheckpointAnchorFiles.write([checkpoint(10)], toDirectory: worm)  // a retry of the same checkpoint
        XCTAssertEqual(try CheckpointAnchorFiles.read(worm).map(\.sequence), [5, 10])
        var other = checkpoint(10)
        other.merkleRoot[0] ^= 1
        XCTAssertThrowsError(try CheckpointAnchorFiles.write([other], toDirectory: worm)) {
            XCTAssertTrue("\($0)".contains("never replaced"), "\($0)")
        }
        let name = CheckpointAnchorFiles.fileName(checkpoint(5))
        XCTAssertEqual(name, "log-1-00000000000000000005.json")
        let mode = try FileManager.default.attributesOfItem(atPath: worm + "/" + name)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o444)
    }

    func testAnEmptyAnchorIsAnError() throws {
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("empty.jsonl").path
        FileManager.default.createFile(atPath: file, contents: Data())
        XCTAssertThrowsError(try CheckpointAnchorFiles.read(file)) { XCTAssertEqual($0 as? AnchorError, .empty(location: file)) }
    }
}
