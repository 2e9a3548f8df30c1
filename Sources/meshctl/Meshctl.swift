import ArgumentParser
import MeshCatalog

@main
struct Meshctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: MeshRoles.meshctl,
        abstract: "Operate an AgentMesh: the embedded broker, topics, keys and benchmarks.",
        discussion: """
            Local run, no flags needed:
              meshctl broker &          # embedded Kafka-protocol broker, catalog topics created
              meshctl keys init         # signing keys for every role (./.agentmesh/keys)
              meshctl topics list       # what flows where

            Outside the mesh (pre-commit, CI):
              meshctl scan .            # PHI and secrets, same policy packs as the compliance worker

            Against a real cluster, pass --bootstrap (or AGENTMESH_BOOTSTRAP) and any librdkafka
            property with --kafka-config <file.properties> or -X key=value.
            """,
        subcommands: [
            BrokerCommand.self, UpCommand.self, DemoCommand.self, TopicsCommand.self, KeysCommand.self,
            SubmitCommand.self, StatusCommand.self, AgentsCommand.self, CancelCommand.self, ApprovalsCommand.self, ApproveCommand.self,
            RejectCommand.self, TailCommand.self, LagCommand.self, DeadLettersCommand.self, AuditCommand.self, ReplayCommand.self, BenchCommand.self,
            ScanCommand.self,
        ])
}
