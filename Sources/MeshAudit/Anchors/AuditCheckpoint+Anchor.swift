import Foundation
import MeshSigning

/// The anchor form of a checkpoint: one line of JSON, a signed tree head that can be read and
/// checked without the database (log id, size, root, head hash, time, signature).
///
/// ```json
/// {"format":"agentmesh-audit-checkpoint/1","logId":"…","size":1200,"root":"<base64>",
///  "headHash":"<base64>","createdAtMicros":1767225600000000,"keyId":"audit-sink-…",
///  "algorithm":"ed25519","signature":"<base64>"}
/// ```
/// The signature covers `AuditCheckpoint.signedBytes`, not this text, so the text form may be
/// re-encoded freely.
extension AuditCheckpoint {
    /// Format tag of version-1 anchor lines.
    public static let anchorFormat = "agentmesh-audit-checkpoint/1"

    private struct AnchorLine: Codable {
        var format: String?
        var logId: String?
        var size: Int64?
        var root: String?
        var headHash: String?
        var createdAtMicros: Int64?
        var keyId: String?
        var algorithm: String?
        var signature: String?
    }

    /// This checkpoint as one line of JSON (no trailing newline).
    public var anchorLine: String {
        let line = AnchorLine(
            format: Self.anchorFormat, logId: logID, size: sequence, root: Data(merkleRoot).base64EncodedString(),
            headHash: Data(headHash).base64EncodedString(), createdAtMicros: createdAtMicros, keyId: signature.keyId,
            algorithm: signature.algorithm.rawValue, signature: Data(signature.bytes).base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        return String(decoding: try! encoder.encode(line), as: UTF8.self)
    }

    /// Parses one anchor line.
    /// - Throws: `AnchorError.malformed` naming the missing or bad field.
    public init(anchorLine text: String) throws {
        let line: AnchorLine
        do {
            line = try JSONDecoder().decode(AnchorLine.self, from: Data(text.utf8))
        } catch {
            throw AnchorError.malformed("not a JSON object (\(error.localizedDescription))")
        }
        guard line.format == Self.anchorFormat else {
            throw AnchorError.malformed("format is \(line.format.map { "\"\($0)\"" } ?? "missing"), expected \"\(Self.anchorFormat)\"")
        }
        func required<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw AnchorError.malformed("field \"\(field)\" is missing") }
            return value
        }
        func base64(_ value: String?, _ field: String) throws -> [UInt8] {
            guard let bytes = Data(base64Encoded: try required(value, field)) else {
                throw AnchorError.malformed("field \"\(field)\" is not base64")
            }
            return Array(bytes)
        }
        let algorithmName = try required(line.algorithm, "algorithm")
        guard let algorithm = SigningAlgorithm(rawValue: algorithmName) else {
            throw AnchorError.malformed("algorithm \"\(algorithmName)\" is unknown")
        }
        self.init(logID: try required(line.logId, "logId"), sequence: try required(line.size, "size"),
                  headHash: try base64(line.headHash, "headHash"), merkleRoot: try base64(line.root, "root"),
                  createdAtMicros: try required(line.createdAtMicros, "createdAtMicros"),
                  signature: SignatureValue(keyId: try required(line.keyId, "keyId"), algorithm: algorithm,
                                            bytes: try base64(line.signature, "signature")))
    }
}
