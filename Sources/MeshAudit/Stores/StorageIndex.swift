/// The secondary indexes readers go through (trace by correlation id, search by type and
/// event time, duplicate detection by envelope id and Kafka coordinates). Both stores create
/// them under these names; `storageProblems()` reads each one in full and compares it with
/// the same columns read from the table, so a doctored index cannot show readers rows that
/// verify never saw.
struct StorageIndex {
    let name: String
    let columns: [String]
    /// The index's WHERE clause, for a partial index.
    let condition: String?

    static let all = [
        StorageIndex(name: "audit_records_envelope_id", columns: ["envelope_id"], condition: "envelope_id <> ''"),
        StorageIndex(name: "audit_records_kafka", columns: ["kafka_topic", "kafka_partition", "kafka_offset"], condition: nil),
        StorageIndex(name: "audit_records_correlation", columns: ["correlation_id"], condition: nil),
        StorageIndex(name: "audit_records_type", columns: ["type"], condition: nil),
        StorageIndex(name: "audit_records_event_time", columns: ["event_time"], condition: nil),
    ]

    /// Steps two row streams (index columns then sequence, as text) in lockstep and describes
    /// the first row where they differ, naming the record.
    static func firstDifference(
        _ index: StorageIndex, width: Int, next: () throws -> [String?]?, reference: () throws -> [String?]?
    ) throws -> StorageProblem? {
        while true {
            let fromIndex = try next()
            let fromTable = try reference()
            if fromIndex == nil && fromTable == nil { return nil }
            if fromIndex == fromTable { continue }
            func show(_ row: [String?]?) -> String {
                guard let row else { return "nothing" }
                return "record \(row[width - 1] ?? "?") with " + zip(index.columns, row).map { "\($0)=\($1 ?? "NULL")" }.joined(separator: ", ")
            }
            // Name the record the table has (what readers miss) or else the one the index invents.
            let sequence = (fromTable?[width - 1] ?? fromIndex?[width - 1]).flatMap { $0.flatMap { Int64($0) } }
            return StorageProblem(
                sequence: sequence,
                detail: "index \(index.name) disagrees with the table: the table has \(show(fromTable)) where the index has "
                    + "\(show(fromIndex)); readers that use the index (trace, search, replay) would see other records than verify")
        }
    }
}
