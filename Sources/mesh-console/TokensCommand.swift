import ArgumentParser
import Foundation
import MeshConsole

struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Manage API tokens for machine clients (bearer auth).",
        discussion: """
            A token carries one role (viewer, operator or auditor: tokens never sign approvals or
            administer people). Only the SHA-256 of its secret is stored; the bearer value is
            printed once by `add`. A running console re-reads the file when it changes, so
            `revoke` takes effect on the next request.
            """,
        subcommands: [Add.self, Revoke.self, List.self])

    struct FileOption: ParsableArguments {
        @Option(help: ArgumentHelp("The tokens file. Default: $AGENTMESH_CONSOLE_TOKENS.", valueName: "file")) var tokens: String?

        func path() throws -> String {
            guard let path = tokens ?? ProcessInfo.processInfo.environment["AGENTMESH_CONSOLE_TOKENS"] else {
                throw ValidationError("--tokens <file> (or $AGENTMESH_CONSOLE_TOKENS) is required")
            }
            return path
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token; prints the bearer value once.")
        @Argument(help: "Who uses it (a name for the records), e.g. ci-pipeline.") var client: String
        @Option(help: "viewer, operator or auditor.") var role: String
        @OptionGroup var file: FileOption

        func run() throws {
            guard let role = ConsoleRole(rawValue: role) else {
                throw ValidationError("--role must be one of \(APIToken.roles.map(\.rawValue).joined(separator: ", "))")
            }
            let path = try file.path()
            var tokens = FileManager.default.fileExists(atPath: path) ? try APITokensFile.load(path) : APITokensFile()
            let issued = try APITokensFile.issue(client: client, role: role, now: Int64(Date().timeIntervalSince1970))
            tokens.tokens.append(issued.entry)
            try tokens.save(path)
            FileHandle.standardError.write(Data("token \(issued.entry.id) for \(client) (\(role.rawValue)) written to \(path); the bearer value follows, shown only now\n".utf8))
            print(issued.bearer)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; it is refused from the next request on.")
        @Argument(help: "The token id (from `tokens list`).") var id: String
        @OptionGroup var file: FileOption

        func run() throws {
            let path = try file.path()
            var tokens = try APITokensFile.load(path)
            guard let index = tokens.tokens.firstIndex(where: { $0.id == id }) else { throw ValidationError("no token \(id) in \(path)") }
            tokens.tokens[index].revokedUnixSeconds = tokens.tokens[index].revokedUnixSeconds ?? Int64(Date().timeIntervalSince1970)
            try tokens.save(path)
            print("token \(id) revoked")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var file: FileOption

        func run() throws {
            for token in try APITokensFile.load(try file.path()).tokens {
                print("\(token.id)  \(token.client)  \(token.role.rawValue)  \(token.revokedUnixSeconds == nil ? "active" : "revoked")")
            }
        }
    }
}
