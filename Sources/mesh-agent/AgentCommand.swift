import ArgumentParser
import Foundation
import Logging
import MeshAgentHandlers
import MeshCLI
import MeshCatalog
import MeshCompliance
import MeshLogging
import MeshModel
import MeshProcess
import MeshRuntime
import MeshWire

@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-agent",
        abstract: "A specialist agent: runs the tasks assigned to its role and publishes the results.",
        discussion: """
            The brain is a handler. `--handler model` asks a model: the agent definition
            (Agents/<role>.yaml) names the endpoint (OpenAI-compatible or Anthropic), the model,
            the prompts, budgets and what PHI may leave; every request passes the egress guard
            (the policy packs' detectors) and every call is kept as a transcript artifact.
            `--handler command` runs an external program per task: the task as JSON on stdin,
            the result as JSON on stdout, exit code 0 for success (see
            Sources/MeshAgentHandlers/HANDLER_CONTRACT.md; any language or LLM client works).
            `--handler example` is the marker-driven offline handler for tests and the offline
            demo: it calls no model.
            Examples:
              mesh-agent --role coding --handler model --model-endpoint http://localhost:11434/v1 --model llama3.1
              mesh-agent --role coding --handler command --command "python3 examples/handlers/echo_agent.py"
              mesh-agent --role documentation --handler example
            """)

    @Option(help: "Agent role: a catalog role of kind agent (one with a task topic).") var role: String
    @Option(help: "model (an LLM, see --agent-file), command (external program) or example (offline, for tests).")
    var handler = "example"
    @Option(help: ArgumentHelp("Program and arguments for --handler command, split on spaces.", valueName: "argv"))
    var command: String?
    @Option(help: "Seconds a handler may run per task.") var timeout = 30.0
    @Option(help: "Handlers running at once.") var concurrency = 4
    @OptionGroup var model: ModelOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func validate() throws {
        guard ["example", "command", "model"].contains(handler) else { throw ValidationError("--handler must be model, command or example") }
        if handler == "command" && (command ?? "").isEmpty {
            throw ValidationError("--handler command needs --command \"program args…\"")
        }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: role)
        ProcessMetrics.bootstrap()
        let logger = Logger(label: "agent")
        let loaded = try catalog.load()
        guard loaded.agentRoles.contains(role), let topic = loaded.taskTopic(for: role)?.name else {
            throw ValidationError("--role must be one of the catalog's agent roles: \(loaded.agentRoles.joined(separator: ", "))")
        }
        guard let resultTopic = loaded.topics(for: PayloadKind.taskResult.rawValue, producedBy: role).first?.name else {
            throw ValidationError("the catalog lets role \(role) write task results to no topic")
        }
        let taskHandler: any TaskHandler
        var modelHandler: ModelHandler?
        var modelName = ""
        if handler == "model" {
            let definition = try model.definition(role: role)
            modelName = definition.model
            let policies = try PolicyBundle.load(directory: model.policies)
            let handler = try ModelHandler(definition: definition, policies: policies)
            modelHandler = handler
            logger.info("model \(definition.model) at endpoint \(definition.endpoint.name) (\(definition.endpoint.flavour.rawValue), phi: \(definition.endpoint.phi.rawValue)); egress guard on policy bundle \(policies.hash)")
            taskHandler = handler
        } else if handler == "command" {
            let argv = (command ?? "").split(separator: " ").map(String.init)
            guard let external = ExternalCommand(argv: argv) else { throw ValidationError("--command is empty") }
            taskHandler = ExternalCommandHandler(
                configuration: .init(command: external, timeout: .milliseconds(Int64(timeout * 1000))),
                limiter: ConcurrencyLimiter(limit: concurrency))
        } else {
            taskHandler = ExampleHandler(role: role)
        }
        let worker: RoleWorker
        do {
            worker = try RoleProcess.worker(
                role: role, topics: [topic],
                handler: AgentRoleHandler(
                    role: role, instanceID: options.instanceID, resultTopic: resultTopic, taskHandler: taskHandler),
                handlerKind: handler, model: modelName, connection: connection, catalog: loaded, options: options, logger: logger)
        } catch {
            await modelHandler?.shutdown()
            throw error
        }
        await RoleProcess.run(worker, options: options, logger: logger)
        // After the drain no task is in flight: the HTTP client's connections can close.
        await modelHandler?.shutdown()
    }
}
