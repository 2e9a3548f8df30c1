import ArgumentParser
import Foundation
import MeshCLI
import MeshCatalog
import MeshSigning
import MeshTransport

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, rotate and list the signing keys of roles and people.",
        discussion: """
            Every envelope is signed by the role that emits it and verified by every receiver
            before anything else. Role keys are Ed25519 by default: verifiers hold only public
            keys, so no role (and no one who can read the trust store) can forge another's
            output, and a verdict in the audit trail is attributable to the role that made it
            (about 50 µs to sign and 130 µs to verify; each process verifies an envelope once,
            by digest). --algorithm hmac-sha256 is the documented opt-in for throughput (about
            2 µs per message), at the price of attribution: every verifier holds the shared
            secrets, so anyone who can verify a role's output can also forge it. People's
            approval keys are always Ed25519. The audit sink's key is always Ed25519 and pinned in
            trust.json ("checkpointKeys") as the only key whose signature counts on an audit
            checkpoint: give auditors a copy of trust.json and they can check checkpoints without
            being able to forge one. Key ids carry the principal and date so keys rotate:
            retired keys keep verifying what they signed.
            """,
        subcommands: [Init.self, Rotate.self, List.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key ring with one key per catalog role and per person (local runs).")
        @OptionGroup var catalog: CatalogOptions
        @Option(help: ArgumentHelp("State folder. Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
        var home: String?
        @Option(help: "Role key algorithm: ed25519 (attributable) or hmac-sha256 (faster, shared secrets).")
        var algorithm: String = SigningAlgorithm.ed25519.rawValue
        @Option(parsing: .upToNextOption, help: "People who sign approvals (Ed25519 keys), e.g. --people alice bob.")
        var people: [String] = []
        @Flag(help: "Replace an existing key ring (every existing key is deleted).") var force = false

        func run() async throws {
            guard let algorithm = SigningAlgorithm(rawValue: algorithm) else {
                throw ValidationError("--algorithm must be hmac-sha256 or ed25519")
            }
            let loaded = try catalog.load()
            let roles = loaded.roles.filter { $0.kind != .person }.map(\.name)
            let directory = MeshEnvironment(home: home).keysDirectory.path
            let created = try KeyRingStore.initialize(
                at: directory, roles: roles, people: people, algorithm: algorithm,
                checkpointSigners: loaded.roles.filter { $0.kind == .audit }.map(\.name), overwrite: force)
            print("created \(created.count) keys in \(directory)")
            for key in created { print("  \(key.keyId)  \(key.algorithm.rawValue)  \(key.principalKind.rawValue) \(key.principal)") }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a principal a new active key; the old one is retired but still verifies.")
        @Argument(help: "Role or person whose key rotates.") var principal: String
        @Option(help: ArgumentHelp("State folder. Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
        var home: String?

        func run() async throws {
            let key = try KeyRingStore.rotate(principal: principal, at: MeshEnvironment(home: home).keysDirectory.path)
            print("\(principal): new active key \(key.keyId); restart its processes to sign with it")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys of the ring.")
        @Option(help: ArgumentHelp("State folder. Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
        var home: String?

        func run() async throws {
            for key in try KeyRingStore.listKeys(in: MeshEnvironment(home: home).keysDirectory.path) {
                print("\(key.keyId)  \(key.algorithm.rawValue)  \(key.status.rawValue)  \(key.principalKind.rawValue) \(key.principal)")
            }
        }
    }
}
