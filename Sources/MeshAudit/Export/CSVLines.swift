import Foundation
import MeshSigning

/// RFC 4180 CSV rendering of export records; header and trailer are `#` comment lines.
enum CSVLines {
    /// The column names, in row order.
    static let columns = [
        "sequence", "recorded_at_micros", "previous_hash", "record_hash", "envelope_id", "type", "source", "subject",
        "correlation_id", "causation_id", "event_time_micros", "signer_key_id", "signer_principal", "verification",
        "rejection_reason", "kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp_millis", "raw_sha256",
    ]

    static func header(_ header: ExportHeader) -> String {
        var lines = [
            "# format: \(header.format)",
            "# log-id: \(header.logID)",
            "# exported-at-micros: \(header.exportedAtMicros)",
            "# verification: \(oneLine(header.report.summary))",
        ]
        if let checkpoint = header.checkpoint {
            lines.append("# last-checkpoint: sequence=\(checkpoint.sequence) head=\(Hex.encode(checkpoint.headHash)) "
                + "root=\(Hex.encode(checkpoint.merkleRoot)) created-at-micros=\(checkpoint.createdAtMicros) "
                + "key=\(checkpoint.signature.keyId) algorithm=\(checkpoint.signature.algorithm.rawValue) "
                + "signature=\(Hex.encode(checkpoint.signature.bytes))")
        } else {
            lines.append("# last-checkpoint: none")
        }
        lines.append(columns.joined(separator: ","))
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func record(_ record: AuditRecord) -> String {
        let input = record.input
        let fields: [String] = [
            String(record.sequence), String(record.recordedAtMicros), Hex.encode(record.previousHash),
            Hex.encode(record.recordHash), input.envelopeID, input.type, input.source, input.subject,
            input.correlationID, input.causationID, String(input.eventTimeMicros), input.signerKeyID ?? "",
            input.signerPrincipal ?? "", input.verification.label, input.verification.reason ?? "", input.kafka.topic,
            String(input.kafka.partition), String(input.kafka.offset), String(input.kafka.timestampMillis),
            SHA256Digest.hex(input.raw),
        ]
        return fields.map(escape).joined(separator: ",") + "\r\n"
    }

    static func trailer(_ trailer: ExportTrailer) -> String {
        "# records: \(trailer.recordCount)\r\n# record-lines-sha256: \(trailer.recordLinesSHA256)\r\n"
    }

    /// Quotes a field when it holds a comma, quote, CR or LF (doubling inner quotes), or starts
    /// with `#` (so it cannot be mistaken for a comment line).
    static func escape(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" } || field.hasPrefix("#")
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }
}
