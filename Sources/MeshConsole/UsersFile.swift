import Foundation

/// One person who may sign in to the console.
public struct ConsoleUser: Sendable, Codable, Hashable {
    public var name: String
    public var role: ConsoleRole
    /// The name printed with their e-signatures (21 CFR 11.50).
    public var printedName: String
    public var password: PasswordHash
    /// Approvers' Ed25519 key, sealed under their password; nil for people who never sign.
    public var signingKey: SealedSigningKey?

    public init(name: String, role: ConsoleRole, printedName: String, password: PasswordHash, signingKey: SealedSigningKey?) {
        self.name = name
        self.role = role
        self.printedName = printedName
        self.password = password
        self.signingKey = signingKey
    }
}

/// The console's people: a JSON file mounted as a secret (Compose/Kubernetes), read at start.
public struct UsersFile: Sendable {
    public var users: [ConsoleUser]

    public init(users: [ConsoleUser] = []) { self.users = users }

    private struct Document: Codable { var users: [ConsoleUser] }

    /// Reads `path`; errors name the file and say what is wrong.
    public static func load(_ path: String) throws -> UsersFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsersFileError("\(path): cannot read the users file; create it with `mesh-console users add NAME --role ROLE --users \(path)`")
        }
        do {
            let document = try JSONDecoder().decode(Document.self, from: data)
            let names = document.users.map(\.name)
            if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                throw UsersFileError("\(path): user \"\(duplicate)\" appears more than once")
            }
            return UsersFile(users: document.users)
        } catch let error as DecodingError {
            throw UsersFileError("\(path): not a users file (\(error))")
        }
    }

    /// Writes owner-only (it holds password hashes and sealed keys), replacing atomically.
    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Document(users: users))
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    public func user(_ name: String) -> ConsoleUser? { users.first { $0.name == name } }

    /// Adds or replaces `user`.
    public mutating func put(_ user: ConsoleUser) {
        users.removeAll { $0.name == user.name }
        users.append(user)
    }
}

public struct UsersFileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
