import MeshKafka
import MeshLogging
import MeshWire

/// Kafka headers mirroring the envelope's CloudEvents attributes (binary-mode binding), so
/// kcat and other tools can route and filter without decoding the value.
public enum CloudEventHeaders {
    /// Media type of every mesh record value: a signed protobuf `SealedEnvelope`.
    public static let contentType = "application/vnd.agentmesh.sealed-envelope+protobuf"

    public static func headers(for envelope: Envelope) -> [KafkaHeader] {
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(10)  // one allocation, the optional headers included
        headers.append(KafkaHeader(key: "ce_specversion", string: envelope.specVersion))
        headers.append(KafkaHeader(key: "ce_id", string: envelope.id))
        headers.append(KafkaHeader(key: "ce_source", string: envelope.source))
        headers.append(KafkaHeader(key: "ce_type", string: envelope.type))
        headers.append(KafkaHeader(key: "ce_time", string: RFC3339.format(unixMicros: envelope.timeUnixMicros)))
        headers.append(KafkaHeader(key: "ce_correlationid", string: envelope.correlationID))
        headers.append(KafkaHeader(key: "content-type", string: contentType))
        if !envelope.subject.isEmpty { headers.append(KafkaHeader(key: "ce_subject", string: envelope.subject)) }
        if !envelope.causationID.isEmpty {
            headers.append(KafkaHeader(key: "ce_causationid", string: envelope.causationID))
        }
        if !envelope.traceparent.isEmpty { headers.append(KafkaHeader(key: "traceparent", string: envelope.traceparent)) }
        return headers
    }
}
