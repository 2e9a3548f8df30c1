import Foundation

/// The changelog record format of one plan: JSON with sorted keys, so equal plans give
/// equal bytes, wrapped with a format version.
public enum PlanSnapshot {
    /// Version written by this build; decoding refuses others.
    public static let formatVersion = 1

    /// Thrown for snapshots of another format version.
    public struct UnsupportedVersion: Error, Sendable, Hashable {
        /// The version found in the record.
        public let found: Int
    }

    private struct Record: Codable {
        var format: Int
        var plan: PlanState
    }

    /// Bytes for the changelog record of `plan` (value; key = `plan.correlationID`).
    public static func encode(_ plan: PlanState) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [UInt8](try encoder.encode(Record(format: formatVersion, plan: plan)))
    }

    /// The plan in a changelog record.
    public static func decode(_ bytes: [UInt8]) throws -> PlanState {
        let record = try JSONDecoder().decode(Record.self, from: Data(bytes))
        guard record.format == formatVersion else { throw UnsupportedVersion(found: record.format) }
        return record.plan
    }
}
