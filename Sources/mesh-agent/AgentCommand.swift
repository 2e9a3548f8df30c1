import ArgumentParser
import Foundation
import Logging
import MeshAgentHandlers
import MeshCLI
import MeshLogging
import MeshProcess
import MeshRuntime

@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-agent",
        abstract: "A specialist agent: runs the tasks assigned to its role and publishes the results.",
        discussion: """
            The brain is a handler. `--handler command` runs an external program per task: the
            task as JSON on stdin, the result as JSON on stdout, exit code 0 for success (see
            Sources/MeshAgentHandlers/HANDLER_CONTRACT.md; any language or LLM client works).
            `--handler example` uses the built-in example handlers, meant for demos and tests.
            Examples:
              mesh-agent --role coding --handler command --command "python3 examples/handlers/echo_agent.py"
              mesh-agent --role documentation --handler example
            """)

    @Option(help: "Agent role: coding, testing, security, documentation, ux or discovery.") var role: String
    @Option(help: "example (built-in, for demos) or command (external program).") var handler = "example"
    @Option(help: ArgumentHelp("Program and arguments for --handler command, split on spaces.", valueName: "argv"))
    var command: String?
    @Option(help: "Seconds a handler may run per task.") var timeout = 30.0
    @Option(help: "Handlers running at once.") var concurrency = 4
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func validate() throws {
        guard AgentRoleHandler.roles.contains(role) else {
            throw ValidationError("--role must be one of \(AgentRoleHandler.roles.joined(separator: ", "))")
        }
        guard handler == "example" || handler == "command" else { throw ValidationError("--handler must be example or command") }
        if handler == "command" && (command ?? "").isEmpty {
            throw ValidationError("--handler command needs --command \"program args…\"")
        }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: role)
        ProcessMetrics.bootstrap()
        let logger = Logger(label: "agent")
        let loaded = try catalog.load()
        guard let topic = loaded.taskTopic(for: role)?.name else {
            throw ValidationError("the catalog has no task topic for role \(role)")
        }
        let taskHandler: any TaskHandler
        if handler == "command" {
            let argv = (command ?? "").split(separator: " ").map(String.init)
            guard let external = ExternalCommand(argv: argv) else { throw ValidationError("--command is empty") }
            taskHandler = ExternalCommandHandler(
                configuration: .init(command: external, timeout: .milliseconds(Int64(timeout * 1000))),
                limiter: ConcurrencyLimiter(limit: concurrency))
        } else {
            taskHandler = ExampleHandler(role: role)
        }
        let worker = try RoleProcess.worker(
            role: role, topics: [topic],
            handler: AgentRoleHandler(role: role, instanceID: options.instanceID, taskHandler: taskHandler),
            handlerKind: handler, connection: connection, catalog: loaded, options: options, logger: logger)
        await RoleProcess.run(worker, options: options, logger: logger)
    }
}
