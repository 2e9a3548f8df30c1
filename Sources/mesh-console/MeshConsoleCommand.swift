import ArgumentParser

@main
struct MeshConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-console",
        abstract: "The AgentMesh web console and JSON API: plans, approvals and Part 11 e-signatures.",
        subcommands: [ServeCommand.self, UsersCommand.self, TokensCommand.self],
        defaultSubcommand: ServeCommand.self)
}
