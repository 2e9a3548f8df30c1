import Foundation

/// The changelog record format of one plan.
///
/// Format 5 (written): format 4 plus each task's model budget (`model_budget`).
///
/// Format 4 (still read, with no model budgets): format 3 plus each task's assignment
/// timeout, and its current attempt's assignment time and `TaskAssigned` envelope id.
///
/// Format 3 (still read): a compact binary form, the version as its first byte, then the
/// plan's fields in a fixed order (``SnapshotWriter``); equal plans give equal bytes. It is
/// written after every event that changes a plan, so it is on the orchestrator's hot path:
/// JSON with sorted keys (format 1) cost about a third of the orchestrator's CPU.
///
/// Format 3 reads with the default assignment timeout and no assignment time (an attempt
/// assigned by such a build never times out).
///
/// Format 2 (still read): format 3 without each task's IEC 62304 safety class, whether its
/// current attempt was assigned with its classification, and each verdict's
/// `approvalRequiredBy`, which read as unspecified, false and empty.
///
/// Format 1 (still read, so a changelog written by an earlier build restores): JSON with
/// sorted keys, `{"format":1,"plan":{…}}`.
public enum PlanSnapshot {
    /// Version written by this build.
    public static let formatVersion: UInt64 = 5
    /// The oldest binary format ``decode(_:)`` still reads.
    public static let oldestBinaryFormatVersion: UInt64 = 2
    /// The JSON format of earlier builds, still accepted by ``decode(_:)``.
    public static let jsonFormatVersion = 1

    /// Thrown for snapshots of a format version this build cannot read.
    public struct UnsupportedVersion: Error, Sendable, Hashable {
        /// The version found in the record.
        public let found: Int
    }

    /// Thrown for a binary record that is truncated or corrupted.
    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        /// Byte offset where reading failed.
        public let offset: Int
        /// What was wrong there.
        public let reason: String

        public var description: String { "malformed plan snapshot at byte \(offset): \(reason)" }
    }

    private struct JSONRecord: Codable {
        var format: Int
        var plan: PlanState
    }

    /// Bytes for the changelog record of `plan` (value; key = `plan.correlationID`).
    public static func encode(_ plan: PlanState) -> [UInt8] {
        // 960 bytes plus the array header stay below glibc's large-chunk size (1 KiB): a
        // larger request made malloc consolidate its fast bins on every snapshot. A one-task
        // plan's snapshots are 400 to 900 bytes; bigger plans grow the buffer once or twice.
        var writer = SnapshotWriter(capacity: 960)
        writer.write(formatVersion)
        writer.write(plan)
        return writer.bytes
    }

    /// The plan in a changelog record of format 3 or 2, or of format 1 (JSON).
    public static func decode(_ bytes: [UInt8]) throws -> PlanState {
        if bytes.first == UInt8(ascii: "{") { return try decodeJSON(bytes) }
        var reader = SnapshotReader(bytes)
        let version = try reader.read(UInt64.self)
        guard (oldestBinaryFormatVersion...formatVersion).contains(version) else {
            throw UnsupportedVersion(found: Int(clamping: version))
        }
        reader.formatVersion = version
        let plan = try reader.read(PlanState.self)
        guard reader.isAtEnd else { throw reader.malformed("unexpected bytes after the plan") }
        return plan
    }

    private static func decodeJSON(_ bytes: [UInt8]) throws -> PlanState {
        let record = try JSONDecoder().decode(JSONRecord.self, from: Data(bytes))
        guard record.format == jsonFormatVersion else { throw UnsupportedVersion(found: record.format) }
        return record.plan
    }
}
