import Foundation
import MeshSigning

/// One machine client's API token as stored: only the SHA-256 of its secret (the secret is 32
/// random bytes, so a fast hash is enough; memory-hard hashing is for guessable passwords).
public struct APIToken: Sendable, Codable, Hashable {
    public var id: String
    /// Who or what uses it, shown in the operations records it causes.
    public var client: String
    public var role: ConsoleRole
    public var secretSHA256: String
    public var createdUnixSeconds: Int64
    public var revokedUnixSeconds: Int64?

    /// Roles a token may carry: a token never signs (Part 11 signatures need a person who
    /// re-enters a password) and never administers people.
    public static let roles: [ConsoleRole] = [.viewer, .operator, .auditor]

    /// The person-shaped identity a request made with this token acts as.
    var caller: ConsoleUser {
        ConsoleUser(name: "token:\(id)", role: role, printedName: client, password: APITokensFile.noPassword, signingKey: nil)
    }
}

/// The tokens file (a secret beside the users file): JSON, owner-only. The console re-reads it
/// when it changes, so a revocation takes effect on the next request without a restart.
public struct APITokensFile: Sendable {
    public var tokens: [APIToken]

    public init(tokens: [APIToken] = []) { self.tokens = tokens }

    private struct Document: Codable { var tokens: [APIToken] }

    /// Stands in for a token caller's password: it verifies nothing.
    static let noPassword = PasswordHash(encoded: "none")

    public static func load(_ path: String) throws -> APITokensFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsersFileError("\(path): cannot read the tokens file; create it with `mesh-console tokens add CLIENT --role ROLE --tokens \(path)`")
        }
        do {
            return APITokensFile(tokens: try JSONDecoder().decode(Document.self, from: data).tokens)
        } catch {
            throw UsersFileError("\(path): not a tokens file (\(error))")
        }
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Document(tokens: tokens)).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// A new token for `client`: the stored entry, and the bearer value to hand over once
    /// (`amt_<id>_<secret hex>`); the secret is not kept.
    public static func issue(client: String, role: ConsoleRole, now: Int64) throws -> (entry: APIToken, bearer: String) {
        guard APIToken.roles.contains(role) else {
            throw UsersFileError("a token's role must be one of \(APIToken.roles.map(\.rawValue).joined(separator: ", ")): tokens never sign or administer")
        }
        let id = Hex.encode(try SecureRandom.bytes(count: 6))
        let secret = Hex.encode(try SecureRandom.bytes(count: 32))
        let entry = APIToken(id: id, client: client, role: role, secretSHA256: SHA256Digest.hex(Array(secret.utf8)),
                             createdUnixSeconds: now, revokedUnixSeconds: nil)
        return (entry, "amt_\(id)_\(secret)")
    }

    /// The live token a bearer value names, or nil (unknown, revoked or wrong secret).
    public func check(_ bearer: String) -> APIToken? {
        let parts = bearer.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "amt", let token = tokens.first(where: { $0.id == parts[1] }),
              token.revokedUnixSeconds == nil else { return nil }
        return ConstantTime.equals(Array(SHA256Digest.hex(Array(parts[2].utf8)).utf8), Array(token.secretSHA256.utf8)) ? token : nil
    }
}

/// The tokens file as the server reads it: reloaded when its modification time changes.
public final class APITokenBook: @unchecked Sendable {
    private let path: String?
    private let lock = NSLock()
    private var loaded: (modified: Date, file: APITokensFile)?

    /// nil `path`: no tokens file, so bearer tokens are refused.
    public init(path: String?) { self.path = path }

    func check(_ bearer: String) -> APIToken? {
        guard let path, let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
        lock.lock()
        defer { lock.unlock() }
        if loaded?.modified != modified {
            guard let file = try? APITokensFile.load(path) else { return nil }
            loaded = (modified, file)
        }
        return loaded?.file.check(bearer)
    }
}
