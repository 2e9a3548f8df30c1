import COpenSSL
import Foundation
import MeshSigning

/// A stored scrypt password hash: `scrypt$<logN>$<r>$<p>$<salt base64>$<hash base64>`.
public struct PasswordHash: Sendable, Hashable, Codable {
    public let encoded: String

    public init(encoded: String) { self.encoded = encoded }

    /// Hashes `password` with a fresh 16-byte salt.
    public static func make(_ password: String, parameters: ScryptParameters = .standard) throws -> PasswordHash {
        let salt = try SecureRandom.bytes(count: 16)
        var hash = try parameters.derive(password: password, salt: salt)
        defer { cleanse(&hash) }
        return PasswordHash(encoded: "\(parameters.encoded)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())")
    }

    /// Whether `password` matches, compared in constant time.
    public func verify(_ password: String) throws -> Bool {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6, let salt = Data(base64Encoded: String(fields[4])),
              let expected = Data(base64Encoded: String(fields[5])) else {
            throw ConsoleCryptoError.malformed("password hash is not scrypt$<logN>$<r>$<p>$<salt>$<hash>")
        }
        let parameters = try ScryptParameters(encoded: fields[0..<4])
        var actual = try parameters.derive(password: password, salt: Array(salt), length: expected.count)
        defer { cleanse(&actual) }
        return ConstantTime.equals(actual, Array(expected))
    }

    public init(from decoder: Decoder) throws { encoded = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoded)
    }
}
