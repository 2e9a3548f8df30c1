import ArgumentParser
import Foundation
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshOps
import MeshSigning
import MeshTransport
import MeshWire

/// Signs and publishes a person's decision with their key from the key ring.
enum OpsApprovalDesk {
    /// Checks that `person` may decide (`ApprovalDesk`), signs the decision with the person's
    /// Ed25519 key from the key ring and publishes it to mesh.approvals, sealed by that key.
    @discardableResult
    static func decide(
        _ decision: Decision, on request: ApprovalRequested, requestEnvelope: Envelope, person: String,
        printedName: String, meaning: String, reason: String, client: OpsMeshClient,
        existingDecision: ApprovalDecision? = nil, now: Int64 = WallClock.nowUnixMicros()
    ) async throws -> Envelope {
        try ApprovalDesk.check(person: person, request: request, existingDecision: existingDecision, now: now)
        let signer: MessageSigner
        do {
            signer = try KeyRingStore.loadSigner(principal: person, from: client.keysDirectory)
        } catch SigningError.noActiveKey {
            throw ApprovalRefusal(.noKey, "\(person) has no signing key in \(client.keysDirectory): create one with "
                                  + "`meshctl keys init --people \(person)`; nothing was published")
        }
        let envelope = try ApprovalDesk.decisionEnvelope(
            decision, on: request, requestEnvelope: requestEnvelope, person: person, printedName: printedName,
            meaning: meaning, reason: reason, signer: signer, now: now)
        let producer = try KafkaProducerFactory.make(client)
        defer { producer.close() }
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: signer))
        try await publisher.publish(envelope, to: MeshTopics.approvals)
        return envelope
    }

    /// Finds the request and its decision (if any) by approval id, or refuses clearly.
    static func lookup(_ approvalID: String, client: OpsMeshClient) async throws
        -> (request: ApprovalRequested, envelope: Envelope, decision: ApprovalDecision?) {
        try await OpsApprovalBook.read(client).lookup(approvalID)
    }
}

enum KafkaProducerFactory {
    static func make(_ client: OpsMeshClient) throws -> KafkaProducer {
        try KafkaProducer(configuration: client.configuration, logger: client.logger)
    }
}

struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "Work with human approval requests.",
        subcommands: [List.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List approval requests that have no decision yet.",
            discussion: "Reads mesh.approvals (verified envelopes only). --all also lists decided requests.")

        @Flag(help: "Include decided requests, with their decision.") var all = false
        @Flag(help: "One JSON object per line.") var json = false
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
            let client = try OpsMeshClient(connection: connection, label: "meshctl.approvals")
            let book = try await OpsApprovalBook.read(client)
            let shown = all ? book.requests : book.pending
            if json {
                for (request, envelope) in shown {
                    var fields: [String: Any] = [
                        "approval_id": request.approvalID, "objective": envelope.correlationID, "task": request.taskID,
                        "attempt": Int(request.attempt), "author": request.authorID, "reason": request.reason,
                        "deadline": RFC3339.format(unixMicros: request.deadlineUnixMicros, fractionDigits: 0),
                        "result_sha256": Hex.encode(request.resultSHA256), "request_envelope_id": envelope.id,
                    ]
                    if let decided = book.decisions[request.approvalID] {
                        fields["decision"] = OpsNames.decision(decided.decision.decision)
                        fields["signer"] = decided.decision.signerID
                        fields["meaning"] = decided.decision.meaning
                    }
                    let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                    opsPrint(String(decoding: data, as: UTF8.self))
                }
                return
            }
            if shown.isEmpty {
                opsPrint(all ? "no approval requests" : "no pending approval requests")
                return
            }
            var rows = [["APPROVAL", "OBJECTIVE", "TASK", "ATTEMPT", "AUTHOR", "DEADLINE", "REASON"] + (all ? ["DECISION"] : [])]
            for (request, envelope) in shown {
                var row = [request.approvalID, envelope.correlationID, request.taskID, String(request.attempt), request.authorID,
                           RFC3339.format(unixMicros: request.deadlineUnixMicros, fractionDigits: 0), request.reason]
                if all {
                    row.append(book.decisions[request.approvalID].map {
                        "\(OpsNames.decision($0.decision.decision)) by \($0.decision.signerID)"
                    } ?? "pending")
                }
                rows.append(row)
            }
            opsPrint(OpsTable.render(rows))
        }
    }
}

/// Shared options of approve and reject.
struct ApprovalDecisionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The approval id (see `meshctl approvals list`).", valueName: "approval-id"))
    var approvalID: String
    @Option(name: .customLong("as"), help: ArgumentHelp("The person deciding (their key signs).", valueName: "person"))
    var person: String
    @Option(help: ArgumentHelp("The signer's printed name (21 CFR 11.50).", valueName: "printed name"))
    var name: String?
    @Option(help: "Why (kept with the signature).") var reason: String?
}

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a result with your e-signature.",
        discussion: """
            Signs an ApprovalDecision bound to the request's result hash with the person's
            Ed25519 key and publishes it to mesh.approvals from /mesh/approver/<person>.
            Refused when the person authored the result, has no key, or the approval is
            unknown, already decided or expired.
            """)

    @OptionGroup var decision: ApprovalDecisionOptions
    @Option(help: "Meaning of the signature, e.g. approved, reviewed.") var meaning = "approved"
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard let name = decision.name, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--name \"Printed Name\" is required: an e-signature shows the signer's printed name")
        }
        guard !meaning.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--meaning must not be empty") }
    }

    func run() async throws {
        try await OpsDecisionRunner.run(.approve, options: decision, meaning: meaning, connection: connection)
    }
}

struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a result with your e-signature.",
        discussion: "Like `approve`, with decision REJECT; --reason is required. The task is rejected and the plan fails.")

    @OptionGroup var decision: ApprovalDecisionOptions
    @Option(help: "Meaning of the signature.") var meaning = "rejected"
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard let reason = decision.reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--reason is required to reject")
        }
    }

    func run() async throws {
        try await OpsDecisionRunner.run(.reject, options: decision, meaning: meaning, connection: connection)
    }
}

enum OpsDecisionRunner {
    static func run(_ decision: Decision, options: ApprovalDecisionOptions, meaning: String,
                    connection: ConnectionOptions) async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        do {
            let client = try OpsMeshClient(connection: connection, label: "meshctl.approve")
            let found = try await OpsApprovalDesk.lookup(options.approvalID, client: client)
            let envelope = try await OpsApprovalDesk.decide(
                decision, on: found.request, requestEnvelope: found.envelope, person: options.person,
                printedName: options.name ?? options.person, meaning: meaning, reason: options.reason ?? "",
                client: client, existingDecision: found.decision)
            let verb = decision == .approve ? "approved" : "rejected"
            opsPrint("\(verb) \(options.approvalID) (task \(found.request.taskID) attempt \(found.request.attempt), "
                     + "objective \(found.envelope.correlationID)) as \(options.person), meaning \(meaning); "
                     + "signed decision envelope \(envelope.id) published to mesh.approvals")
        } catch let refusal as ApprovalRefusal {
            opsWarn("refused: \(refusal)")
            throw ExitCode(3)
        }
    }
}

/// Plain text tables with aligned columns.
enum OpsTable {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
