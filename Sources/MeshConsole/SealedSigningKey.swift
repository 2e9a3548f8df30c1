import COpenSSL
import Foundation
import MeshSigning

/// A person's Ed25519 seed sealed with AES-256-GCM under a key derived (scrypt, its own salt)
/// from their password: the users file alone never yields a key that can sign, and the console
/// holds the seed only while one signature is made.
public struct SealedSigningKey: Sendable, Hashable, Codable {
    /// The key id in `trust.json`, whose public key verifies what this key signs.
    public var keyId: String
    /// `scrypt$<logN>$<r>$<p>$<salt base64>`.
    public var kdf: String
    public var iv: String
    public var ciphertext: String
    public var tag: String

    public static func seal(_ seed: [UInt8], keyId: String, password: String,
                            parameters: ScryptParameters = .standard) throws -> SealedSigningKey {
        let salt = try SecureRandom.bytes(count: 16)
        let iv = try SecureRandom.bytes(count: 12)
        var key = try parameters.derive(password: password, salt: salt)
        defer { cleanse(&key) }
        var cipher = [UInt8](repeating: 0, count: seed.count)
        var tag = [UInt8](repeating: 0, count: 16)
        guard agentmesh_aes256gcm_seal(key, iv, seed, Int32(seed.count), &cipher, &tag) == 1 else {
            throw ConsoleCryptoError.openSSL("AES-256-GCM seal")
        }
        return SealedSigningKey(keyId: keyId, kdf: "\(parameters.encoded)$\(Data(salt).base64EncodedString())",
                                iv: Data(iv).base64EncodedString(), ciphertext: Data(cipher).base64EncodedString(),
                                tag: Data(tag).base64EncodedString())
    }

    /// Opens the seed with `password` and hands it to `use`; the seed and derived key are
    /// wiped when `use` returns, whatever it does.
    public func withSeed<T>(password: String, _ use: ([UInt8]) throws -> T) throws -> T {
        let fields = kdf.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, let salt = Data(base64Encoded: String(fields[4])), let iv = Data(base64Encoded: self.iv),
              iv.count == 12, let cipher = Data(base64Encoded: ciphertext), let tag = Data(base64Encoded: self.tag), tag.count == 16
        else { throw ConsoleCryptoError.malformed("sealed signing key \(keyId) is not kdf/iv/ciphertext/tag in base64") }
        var key = try ScryptParameters(encoded: fields[0..<4]).derive(password: password, salt: Array(salt))
        defer { cleanse(&key) }
        var seed = [UInt8](repeating: 0, count: cipher.count)
        defer { cleanse(&seed) }
        guard agentmesh_aes256gcm_open(key, Array(iv), Array(cipher), Int32(cipher.count), Array(tag), &seed) == 1 else {
            throw ConsoleCryptoError.wrongPassword
        }
        return try use(seed)
    }
}
