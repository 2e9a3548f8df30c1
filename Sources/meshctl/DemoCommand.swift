import ArgumentParser
import Foundation
import MeshCatalog
import MeshOps
import Logging
import MeshCLI
import MeshLogging
import MeshSigning
import MeshTransport
import MeshWire

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole mesh locally, submit the demo objective and follow it to the end.",
        discussion: """
            `meshctl up` + `meshctl submit Objectives/demo.yaml --wait`, with one difference: when
            the approval request arrives the demo approves it itself AS THE DEMO PERSON
            demo-approver, with that person's Ed25519 key (in real use a person runs
            `meshctl approve`). Expected timeline: submitted -> planned -> assigned -> result ->
            compliance request_changes (fake SSN) -> rework -> pass -> approval requested ->
            approved by demo-approver -> completed, then the compiled result.

            Runs in a fresh temporary home unless --home is given (the role logs are kept in
            <home>/logs and the home is kept when the demo fails). Exit status 0 when the
            objective completed, 1 when it failed, 2 on timeout; everything is stopped either way.
            """)

    static let demoPerson = "demo-approver"

    @Option(help: ArgumentHelp("Objective to submit.", valueName: "file")) var objective = "Objectives/demo.yaml"
    @Option(help: "Give up after this many seconds (start-up included).") var timeout: Double = 120
    @Option(help: ArgumentHelp("State folder. Default: a fresh temporary folder.", valueName: "dir")) var home: String?
    @Flag(help: "Print the roles' output (prefixed) instead of writing it to <home>/logs.") var verbose = false
    @Flag(name: .customLong("approve-in-console"), help: """
        Leave the approval to a person in the web console: the demo approver's key is sealed in the \
        console's users file under a fresh password (printed), and the demo waits for the signature.
        """)
    var approveInConsole = false
    @OptionGroup var layout: OpsMeshLayout

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let logger = Logger(label: "meshctl.demo")
        let started = ContinuousClock.now
        let file: ObjectiveFile
        do {
            file = try ObjectiveFile.load(path: objective)
        } catch let error as ObjectiveFileError {
            opsWarn(error.description)
            throw ExitCode(65)
        }
        let temporary = home == nil
        let homePath = home ?? NSTemporaryDirectory() + "agentmesh-demo-\(UUID().uuidString.prefix(8))"
        let environment = MeshEnvironment(home: homePath)
        let logs = environment.home.appendingPathComponent("logs", isDirectory: true)
        opsPrint("demo: home \(environment.home.path)\(verbose ? "" : "; role logs in \(logs.path)")")

        let (host, console) = try await layout.bringUp(environment: environment, people: [Self.demoPerson],
                                                       logDirectory: verbose ? nil : logs,
                                                       consoleApprover: approveInConsole ? Self.demoPerson : nil, logger: logger)
        if approveInConsole, console == nil {
            await host.stop(grace: layout.stopGrace)
            throw ValidationError("--approve-in-console needs the console: drop --no-console")
        }
        var outcome: FollowOutcome = .timedOut
        do {
            outcome = try await runObjective(file, environment: environment, console: approveInConsole ? console : nil, logger: logger,
                                             remaining: .milliseconds(Int64(timeout * 1000)) - (ContinuousClock.now - started))
        } catch {
            opsWarn("demo: \(error)")
            outcome = .timedOut
        }
        opsPrint("demo: stopping the mesh")
        await host.stop(grace: layout.stopGrace)
        switch outcome {
        case .completed:
            opsPrint("demo: completed in \(Self.seconds(ContinuousClock.now - started)) s")
            if temporary { try? FileManager.default.removeItem(at: environment.home) }
        case .failed:
            opsPrint("demo: the objective failed; role logs kept in \(logs.path)")
        case .interrupted:
            opsPrint("demo: interrupted; role logs kept in \(logs.path)")
        case .timedOut:
            opsPrint("demo: did not complete within \(Int(timeout)) s; role logs kept in \(logs.path)")
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// Submits the objective and follows it, approving as the demo person; stops on SIGINT/SIGTERM.
    /// With `console`, the approval is left to a person there instead.
    private func runObjective(_ file: ObjectiveFile, environment: MeshEnvironment, console: OpsConsole?, logger: Logger,
                              remaining: Duration) async throws -> FollowOutcome {
        let client = try OpsMeshClient(configuration: try environment.kafkaConfiguration(),
                                       keysDirectory: environment.keysDirectory.path, logger: logger)
        let correlationID = file.id ?? Envelope.makeID()
        let payload = file.payload(objectiveID: correlationID, submittedBy: OpsMeshClient.operatorName)
        try await SubmitCommand.submit(payload, client: client)
        opsPrint("demo: submitted \(file.path) as objective \(correlationID); timeline:")
        let follower = ObjectiveFollower(client: client, correlationID: correlationID, catalog: try layout.catalog.load())
        let person = Self.demoPerson
        follower.onApprovalRequested = { request, inbound in
            if let console {
                opsPrint("demo: approval \(request.approvalID) waits for a person: open \(console.url)/approvals/\(request.approvalID), "
                         + "sign in as \(person) and sign with the password")
                return
            }
            opsPrint("demo: approving \(request.approvalID) automatically AS THE DEMO PERSON \(person) with the demo key "
                     + "(a person would run: meshctl approve \(request.approvalID) --as <person> --name \"Printed Name\" "
                     + "--meaning approved --reason \"…\")")
            do {
                try await OpsApprovalDesk.decide(
                    .approve, on: request, requestEnvelope: inbound.envelope, person: person, printedName: "Demo Approver",
                    meaning: "approved", reason: "approved automatically by meshctl demo", client: client)
            } catch {
                opsPrint("demo: could not approve \(request.approvalID): \(error)")
            }
        }
        let following = Task { try await follower.follow(timeout: max(remaining, .seconds(1))) }
        let trap = OpsSignalTrap { signal in
            opsPrint("demo: signal \(signal): stopping")
            following.cancel()
        }
        defer { trap.cancel() }
        return try await following.value
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
