import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshTransport
import MeshWire

/// One record of the dead-letter topic with its headers read.
public struct DeadLetter: Sendable {
    public let message: ConsumedMessage

    public init(_ message: ConsumedMessage) { self.message = message }

    public func header(_ key: String) -> String? { message.headers.all.string(key) }

    /// `partition:offset` on the dead-letter topic.
    public var id: String { "\(message.partition):\(message.offset)" }
    public var reason: String { header(DeadLetterHeader.reason) ?? "?" }
    public var sourceTopic: String? { header(DeadLetterHeader.sourceTopic) }
    public var source: String {
        "\(sourceTopic ?? "?")[\(header(DeadLetterHeader.sourcePartition) ?? "?")]@\(header(DeadLetterHeader.sourceOffset) ?? "?")"
    }

    /// What `deadletters list --json` prints and the console's API returns.
    public var fields: [String: String] {
        [
            "id": id, "reason": reason, "source": source, "attempts": header(DeadLetterHeader.attempts) ?? "",
            "role": header(DeadLetterHeader.role) ?? "", "time": header(DeadLetterHeader.time) ?? "",
            "type": header("ce_type") ?? "", "envelope_id": header("ce_id") ?? "",
            "detail": header(DeadLetterHeader.detail) ?? "",
        ]
    }
}

/// Reading dead letters and sending chosen ones back, shared by `meshctl deadletters` and the
/// console so a redrive is recorded and re-published the same way from either.
public enum DeadLetterDesk {
    public static let topic = MeshTopics.deadLetter

    /// Every dead letter now, optionally only those of `reason`.
    public static func letters(configuration: KafkaConfiguration, reason: String? = nil, logger: Logger) async throws -> [DeadLetter] {
        try await TopicReader.readToEnd(topic, configuration: configuration, logger: logger)
            .map(DeadLetter.init).filter { reason == nil || $0.reason == reason }
    }

    /// What happened to one chosen letter.
    public enum Outcome: Sendable, Equatable {
        case sent(id: String, reason: String, to: String)
        case wouldSend(id: String, reason: String, to: String)
        case skipped(id: String, why: String)

        public var line: String {
            switch self {
            case .sent(let id, let reason, let to): "sent \(id) (\(reason)) back to \(to)"
            case .wouldSend(let id, let reason, let to): "would send \(id) (\(reason)) back to \(to)"
            case .skipped(let id, let why): "skipped \(id): \(why)"
            }
        }
    }

    /// The operator record of a redrive: ReplayRequested with `mode: redrive` on
    /// mesh.operations, naming the person, the target topics, the count and the reason.
    public static func record(_ chosen: [DeadLetter], by person: String, source: String, reason: String) -> Envelope {
        Envelope(
            source: source, correlationID: "redrive-\(Envelope.makeID())",
            payload: .replayRequested(ReplayRequested(
                replayID: Envelope.makeID(), objectiveID: "", requestedBy: person,
                mode: "redrive", targetTopic: Set(chosen.compactMap(\.sourceTopic)).sorted().joined(separator: ","),
                envelopeCount: UInt32(chosen.count), reason: reason)))
    }

    /// Records the redrive on mesh.operations first (sealed by `publisher`), then re-publishes
    /// each letter's original value, key and headers to its source topic, byte for byte, with
    /// `agentmesh_redriven_from`; consumers verify them again like any record.
    public static func redrive(_ chosen: [DeadLetter], by person: String, source: String, reason: String,
                               publisher: MeshPublisher, producer: KafkaProducer, dryRun: Bool = false) async throws -> [Outcome] {
        if !dryRun {
            try await publisher.publish(record(chosen, by: person, source: source, reason: reason), to: MeshTopics.operations)
        }
        var outcomes: [Outcome] = []
        for letter in chosen {
            guard let topic = letter.sourceTopic else {
                outcomes.append(.skipped(id: letter.id, why: "no source topic header"))
                continue
            }
            if let size = letter.header(DeadLetterHeader.droppedValueBytes) {
                outcomes.append(.skipped(id: letter.id, why: "its \(size)-byte value was too large to keep; the original is at "
                    + "\(letter.source) and in the audit store"))
                continue
            }
            var headers = letter.message.headers.all.filter { !$0.key.hasPrefix("dlq_") }
            headers.append(KafkaHeader(key: "agentmesh_redriven_from", string: "\(Self.topic)[\(letter.message.partition)]@\(letter.message.offset)"))
            if dryRun {
                outcomes.append(.wouldSend(id: letter.id, reason: letter.reason, to: topic))
                continue
            }
            // The original key travels in a header (dead letters are unkeyed); letters written
            // before that carried it as their own key.
            let key = letter.message.headers.all.last { $0.key == DeadLetterHeader.sourceKey }?.value ?? letter.message.key
            let report = try await producer.send(OutgoingMessage(topic: topic, key: key, value: letter.message.value, headers: headers))
            outcomes.append(.sent(id: letter.id, reason: letter.reason, to: "\(report.topic)[\(report.partition)]@\(report.offset)"))
        }
        return outcomes
    }
}
