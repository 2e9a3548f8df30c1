import MeshSigning
import MeshWire

/// How the SHA-256 of a result's exact bytes reaches the orchestrator.
///
/// An approval binds to the exact bytes of the `TaskResult` envelope (the bytes inside the
/// `SealedEnvelope`, which the agent's signature covers). The state machine only sees the
/// decoded `Envelope`, so the runtime hands the digest over as an extension attribute:
///
/// - On consuming a `TaskResult`, the runtime calls ``stamp(_:exactBytes:)`` (or
///   ``stamp(sealed:codec:)``) before `Orchestrator.handle`. Stamping *replaces* any
///   attribute of that name the producer may have set, so an agent cannot choose the hash.
/// - `meshctl replay` does the same with the bytes found in the log, so a replay sees the
///   same digest and produces the same `ApprovalRequested`.
/// - If an envelope reaches the orchestrator unstamped, the digest falls back to SHA-256 of
///   this build's canonical encoding of the envelope, which equals the wire bytes whenever
///   the producer used this codec.
///
/// The digest is stored with the result (``RecordedResult/sha256``), copied into
/// `ApprovalRequested.resultSHA256`, and every `ApprovalDecision` must carry it unchanged.
public enum ResultDigest {
    /// Attribute holding the lower-case hex SHA-256 of the exact envelope bytes.
    public static let attributeKey = "agentmesh.received_sha256"

    /// `envelope` with ``attributeKey`` set to the SHA-256 of `exactBytes`.
    public static func stamp(_ envelope: Envelope, exactBytes: [UInt8]) -> Envelope {
        var stamped = envelope
        stamped.attributes.removeAll { $0.key == attributeKey }
        stamped.attributes.append(Attribute(attributeKey, SHA256Digest.hex(exactBytes)))
        return stamped
    }

    /// `envelope` without the stamp: what its producer sent.
    public static func unstamped(_ envelope: Envelope) -> Envelope {
        var plain = envelope
        plain.attributes.removeAll { $0.key == attributeKey }
        return plain
    }

    /// Decodes a sealed envelope and stamps it with the digest of its envelope bytes.
    public static func stamp(sealed: SealedEnvelope, codec: EnvelopeCodec = EnvelopeCodec()) throws -> Envelope {
        stamp(try codec.decode(sealed.envelope), exactBytes: sealed.envelope)
    }

    /// The result digest of `event`: the stamped attribute, or the canonical-encoding fallback.
    static func digest(of event: Envelope) -> [UInt8] {
        if let text = event.attributes[key: attributeKey], let bytes = Hex.decode(text),
           bytes.count == SHA256Digest.byteCount {
            return bytes
        }
        var unstamped = event
        unstamped.attributes.removeAll { $0.key == attributeKey }
        return SHA256Digest.hash((try? EnvelopeCodec().encode(unstamped)) ?? [])
    }
}
