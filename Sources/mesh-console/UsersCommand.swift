import ArgumentParser
import Foundation
import MeshCLI
import MeshConsole
import MeshSigning
import MeshTransport

struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage the console's users file.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or replace a person; the password is read from stdin (one line).",
            discussion: """
                The password is stored as an scrypt hash. An approver's Ed25519 key is taken out of
                the key ring (`meshctl keys init --people NAME` made it) and sealed in the users file
                under a key derived from the password: the ring keeps only the public key, so the
                person can sign only by re-entering the password in the console.
                """)

        @Argument(help: "The user name (for an approver: their person id in the key ring).") var name: String
        @Option(help: "viewer, operator, approver, auditor or admin.") var role: String
        @Option(name: .customLong("printed-name"), help: "Name printed with their signatures (21 CFR 11.50). Default: the user name.")
        var printedName: String?
        @Option(help: ArgumentHelp("The users file. Default: $AGENTMESH_CONSOLE_USERS.", valueName: "file")) var users: String?
        @Option(help: ArgumentHelp("State folder with keys/ (approvers). Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
        var home: String?

        func run() async throws {
            guard let role = ConsoleRole(rawValue: role) else {
                throw ValidationError("--role must be one of \(ConsoleRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let path = users ?? ProcessInfo.processInfo.environment["AGENTMESH_CONSOLE_USERS"] else {
                throw ValidationError("--users <file> (or $AGENTMESH_CONSOLE_USERS) is required")
            }
            guard let password = readLine(strippingNewline: true), password.count >= 8 else {
                throw ValidationError("give the password on stdin, at least 8 characters")
            }
            var file = FileManager.default.fileExists(atPath: path) ? try UsersFile.load(path) : UsersFile()
            var sealed: SealedSigningKey?
            if role.maySign {
                let keys = MeshEnvironment(home: home).keysDirectory.path
                var taken = try KeyRingStore.takePersonSeed(principal: name, from: keys)
                defer { cleanse(&taken.seed) }
                sealed = try SealedSigningKey.seal(taken.seed, keyId: taken.metadata.keyId, password: password)
            }
            file.put(ConsoleUser(name: name, role: role, printedName: printedName ?? name,
                                 password: try PasswordHash.make(password), signingKey: sealed))
            try file.save(path)
            print("\(name) (\(role.rawValue)) written to \(path)" + (sealed.map { "; signing key \($0.keyId) sealed under the password" } ?? ""))
        }
    }
}
