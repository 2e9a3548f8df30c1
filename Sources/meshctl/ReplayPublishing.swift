import MeshAudit
import MeshKafka
import MeshLogging
import MeshTransport
import MeshWire

/// Re-publication of stored records: the stored sealed bytes as the value, the correlation
/// id as the key, CloudEvents headers rebuilt from the envelope plus the replay markers.
enum ReplayPublishing {
    /// The Kafka record that replays `record`, to `topic` (its original topic when nil).
    static func message(for record: AuditRecord, replayID: String, correlationID: String, to topic: String?,
                        codec: EnvelopeCodec = EnvelopeCodec()) -> OutgoingMessage {
        var headers: [KafkaHeader]
        if let sealed = try? codec.decodeSealed(record.input.raw), let envelope = try? codec.decode(sealed.envelope) {
            headers = CloudEventHeaders.headers(for: envelope)
        } else {
            // Only reachable with --include-rejected: say what the sink recorded, nothing more.
            headers = [KafkaHeader(key: "ce_id", string: record.input.envelopeID),
                       KafkaHeader(key: "ce_type", string: record.input.type)]
        }
        headers += ReplayMarker.headers(replayID: replayID, record: record).map { KafkaHeader(key: $0.key, string: $0.value) }
        return OutgoingMessage(
            topic: topic ?? record.input.kafka.topic, key: Array(correlationID.utf8), value: record.input.raw, headers: headers)
    }

    /// Sends `records` one after another (each acknowledged before the next is sent, so the
    /// target sees them in recorded order) and prints one line per record. Returns the count.
    static func republish(_ records: [AuditRecord], replayID: String, correlationID: String, to topic: String?,
                          producer: KafkaProducer) async throws -> Int {
        let codec = EnvelopeCodec()
        for record in records {
            let report = try await producer.send(
                message(for: record, replayID: replayID, correlationID: correlationID, to: topic, codec: codec))
            let source = record.input.kafka
            print("  \(record.sequence)  \(source.topic)[\(source.partition)]@\(source.offset) -> "
                  + "\(report.topic)[\(report.partition)]@\(report.offset)  \(record.input.type)  \(record.input.envelopeID)")
        }
        return records.count
    }
}

/// The `--dry-run` listing.
enum ReplayListing {
    static func print(objective: RecordedObjective, selected: [AuditRecord], mode: ReplayMode, includeRejected: Bool) {
        Swift.print("would re-publish \(selected.count) envelopes in recorded order:")
        Swift.print("  SEQUENCE  TOPIC  TYPE  ENVELOPE-ID  TIME")
        for record in selected {
            Swift.print("  \(record.sequence)  \(record.input.kafka.topic)  \(record.input.type)  \(record.input.envelopeID)  "
                        + RFC3339.format(unixMicros: record.input.eventTimeMicros, fractionDigits: 3))
        }
        printExclusions(objective: objective, mode: mode, includeRejected: includeRejected)
    }

    static func printExclusions(objective: RecordedObjective, mode: ReplayMode, includeRejected: Bool) {
        for record in objective.records {
            guard let why = objective.exclusion(of: record, mode: mode, includeRejected: includeRejected) else { continue }
            Swift.print("  not replayed: \(record.sequence) \(record.input.type) \(record.input.envelopeID): \(why)")
        }
    }
}
