import Foundation
import MeshSigning
import MeshTransport
import MeshWire

/// A message that no role may process, injected onto a mesh topic, and the dead-letter
/// reason each consuming role must give it.
struct BadMessage: Sendable, CustomStringConvertible {
    var label: String
    var topic: String
    var key: String
    var bytes: [UInt8]
    var reason: EnvelopeRejection.Reason

    var description: String { "\(label) on \(topic)" }

    /// Garbage that is not a sealed envelope at all.
    static func malformed(topic: String) -> BadMessage {
        BadMessage(label: "malformed bytes", topic: topic, key: "bad-malformed",
                   bytes: Array("not an envelope \(UUID().uuidString)".utf8), reason: .malformed)
    }

    /// A genuine reviewer verdict whose signature was altered after sealing.
    static func forgedSignature(signer: MessageSigner) throws -> BadMessage {
        let codec = EnvelopeCodec()
        var sealed = try codec.decodeSealed(try EnvelopeSealer(signer: signer).seal(verdict(source: "/mesh/reviewer/forger")))
        sealed.signatures[0].signature[0] ^= 0xFF
        return BadMessage(label: "a forged reviewer signature", topic: "mesh.verdicts", key: "bad-forged",
                          bytes: try codec.encode(sealed), reason: .badSignature)
    }

    /// A verdict correctly signed, but by an agent: the catalog lets only the reviewer and
    /// compliance write verdicts.
    static func wrongRole(agentSigner: MessageSigner) throws -> BadMessage {
        BadMessage(label: "a verdict signed by the coding agent", topic: "mesh.verdicts", key: "bad-wrong-role",
                   bytes: try EnvelopeSealer(signer: agentSigner).seal(verdict(source: "/mesh/coding/rogue")),
                   reason: .unauthorized)
    }

    /// Bytes above the largest sealed envelope any role accepts.
    static func oversize(topic: String) -> BadMessage {
        let size = EnvelopeCodec().maxSealedBytes + 4_096
        return BadMessage(label: "an oversize message", topic: topic, key: "bad-oversize",
                          bytes: [UInt8](repeating: 0x2A, count: size), reason: .oversize)
    }

    private static func verdict(source: String) -> Envelope {
        Envelope(
            source: source, correlationID: "bad-\(UUID().uuidString.prefix(8))", subject: "task-none",
            payload: .verdict(Verdict(
                taskID: "task-none", planID: "plan-none", kind: .review, decision: .approve,
                resultEnvelopeID: "result-none", reviewerID: "forger")))
    }
}
