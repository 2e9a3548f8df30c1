/// Everything that can go wrong while signing, verifying, or handling keys on disk.
///
/// Each `description` says what happened and what to do about it, so a role can log it as-is
/// and `meshctl` can print it to an operator.
public enum SigningError: Error, Equatable, Sendable {
    /// A message arrived with no signature at all.
    case noSignatures
    /// No key in the trust store has this id.
    case unknownKeyId(String)
    /// The signature claims one algorithm but the trusted key with that id uses another.
    case algorithmMismatch(keyId: String, signature: SigningAlgorithm, key: SigningAlgorithm)
    /// The signature does not match the bytes under the named key: the message or the
    /// signature was altered, or it was signed by someone else.
    case badSignature(keyId: String)
    /// The key was revoked (compromised or withdrawn); nothing it signed is accepted.
    case revokedKey(keyId: String)
    /// The message verified, but not as the principal the caller required.
    case principalMismatch(expected: String, actual: [String])
    /// Key bytes of the wrong length for their algorithm.
    case invalidKeyLength(algorithm: SigningAlgorithm, expected: Int, actual: Int)
    /// Two keys with the same id were given to one trust store.
    case duplicateKeyId(String)
    /// A principal name that cannot be used as a key-id prefix and directory name.
    case invalidPrincipalName(String)
    /// A principal listed twice (as two roles, two people, or both a role and a person).
    case duplicatePrincipal(String)
    /// The key ring has no active key for this principal.
    case noActiveKey(principal: String)
    /// A key ring file is malformed; `keyId` and `field` locate the problem when known.
    case malformedKeyFile(path: String, keyId: String?, field: String?, reason: String)
    /// A private key or secret file that group or others may read or write.
    case insecurePermissions(path: String, mode: UInt32)
    /// `initialize` found an existing key ring and was not asked to overwrite it.
    case keyRingExists(path: String)
    /// A file or directory of the key ring could not be read or written.
    case fileSystem(path: String, reason: String)
    /// libcrypto reported a failure (allocation, missing provider, unseeded generator).
    case cryptoFailure(operation: String, detail: String)
    /// The trust file pins no audit checkpoint key (`checkpointKeys`).
    case noCheckpointKey(path: String)
}

extension SigningError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSignatures:
            return "message carries no signatures: every envelope must be signed by its producer; "
                + "check that the producing role loaded its signing key"
        case .unknownKeyId(let keyId):
            return "unknown key id \"\(keyId)\": it is not in this trust store; "
                + "reload trust.json or add the producer's key (meshctl keys list shows known ids)"
        case .algorithmMismatch(let keyId, let signature, let key):
            return "key \"\(keyId)\" is a \(key.rawValue) key but the signature says \(signature.rawValue); "
                + "the message is forged or the producer's key ring disagrees with trust.json"
        case .badSignature(let keyId):
            return "bad signature for key \"\(keyId)\": the message or signature was altered, "
                + "or it was not signed by that key; do not process it (dead-letter it)"
        case .revokedKey(let keyId):
            return "key \"\(keyId)\" is revoked: nothing it signed is accepted; "
                + "the producer must rotate to a new key (meshctl keys rotate)"
        case .principalMismatch(let expected, let actual):
            return "message must be signed by \"\(expected)\" but is signed by "
                + actual.map { "\"\($0)\"" }.joined(separator: ", ")
                + "; a principal cannot sign on behalf of another"
        case .invalidKeyLength(let algorithm, let expected, let actual):
            return "invalid \(algorithm.rawValue) key material: \(actual) bytes, expected \(expected)"
        case .duplicateKeyId(let keyId):
            return "key id \"\(keyId)\" appears twice; key ids must be unique"
        case .invalidPrincipalName(let name):
            return "invalid principal name \"\(name)\": use letters, digits, '.', '_' or '-', "
                + "not starting with '.' or '-'"
        case .duplicatePrincipal(let name):
            return "principal \"\(name)\" is listed more than once; each role and person needs one distinct name"
        case .noActiveKey(let principal):
            return "no active key for \"\(principal)\" in the key ring; "
                + "create one with meshctl keys init or meshctl keys rotate"
        case .malformedKeyFile(let path, let keyId, let field, let reason):
            var text = path
            if let keyId { text += ": key \"\(keyId)\"" }
            if let field { text += ": field \"\(field)\"" }
            return text + ": " + reason
        case .insecurePermissions(let path, let mode):
            return "\(path) is accessible by group or others (mode \(String(mode & 0o777, radix: 8))); "
                + "refusing to use a private key that others can read: run chmod 600 \(path)"
        case .keyRingExists(let path):
            return "a key ring already exists at \(path); refusing to overwrite it "
                + "(pass overwrite: true / --force only if you mean to replace every key)"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason)"
        case .cryptoFailure(let operation, let detail):
            return "libcrypto failure in \(operation): \(detail)"
        case .noCheckpointKey(let path):
            return "\(path) pins no audit checkpoint key (\"checkpointKeys\"), so no checkpoint can be trusted; "
                + "a key ring made by this version of meshctl keys init pins the audit sink's Ed25519 key "
                + "(re-create the ring with meshctl keys init --force, then restart the mesh)"
        }
    }
}
