import Foundation
import MeshCatalog
import MeshKafka
import MeshOrchestration
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

/// Builds the test vectors of Proto/CONTRACT.md (`Proto/vectors/`) from fixed key material and
/// fixed envelopes, judging every sealed envelope with the same code the role processes run
/// (EnvelopeOpener, Authorization, PartitionRouting). Deterministic: HMAC and Ed25519 (RFC
/// 8032) signatures depend only on key and message, and nothing reads the clock.
struct ContractVectors {
    /// Relative path under Proto/vectors/ -> file contents.
    private(set) var files: [String: [UInt8]] = [:]
    let catalog: Catalog
    let ring: TemporaryKeyRing

    static let created = "2026-01-01T00:00:00Z"
    static let time: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z in microseconds
    static let correlationID = "0194b2a0-0000-7000-8000-00000000c0de"

    /// The vector key ring: who, which algorithm, which status. Key material is
    /// SHA-256("agentmesh-contract-vector:" + key id): public, for tests only.
    static let keys: [(keyID: String, principal: String, kind: PrincipalKind, algorithm: SigningAlgorithm, status: KeyStatus)] = [
        ("meshctl-20260101-0000000a", "meshctl", .role, .hmacSHA256, .active),
        ("orchestrator-20260101-0000000b", "orchestrator", .role, .ed25519, .active),
        ("coding-20260101-0000000c", "coding", .role, .hmacSHA256, .active),
        ("reviewer-20260101-0000000d", "reviewer", .role, .ed25519, .revoked),
        ("reviewer-20260102-0000000e", "reviewer", .role, .ed25519, .active),
        ("alice-20260101-0000000f", "alice", .person, .ed25519, .active),
    ]
    /// Signs like a key the ring does not hold.
    static let strangerKeyID = "mallory-20260101-00000010"

    static func material(_ keyID: String) -> [UInt8] { SHA256Digest.hash(Array("agentmesh-contract-vector:\(keyID)".utf8)) }

    init(catalog: Catalog) throws {
        self.catalog = catalog
        ring = try TemporaryKeyRing()
        try writeKeyRing()
        try writeEnvelopes()
        try writeDerivedIDs()
        try writePartitions()
    }

    // MARK: Key ring

    private struct TrustDocument: Encodable {
        struct Entry: Encodable {
            var algorithm: String, principal: String, principalKind: String, status: String, created: String
            var publicKey: String?
            var secretFile: String?
        }
        var format = "agentmesh-trust/1"
        var keys: [String: Entry]
    }

    private mutating func writeKeyRing() throws {
        var entries: [String: TrustDocument.Entry] = [:]
        for key in Self.keys {
            let material = Self.material(key.keyID)
            var entry = TrustDocument.Entry(
                algorithm: key.algorithm.rawValue, principal: key.principal, principalKind: key.kind.rawValue,
                status: key.status.rawValue, created: Self.created)
            switch key.algorithm {
            case .ed25519:
                entry.publicKey = Data(try Ed25519PrivateKey(rawRepresentation: material).publicKey.rawRepresentation).base64EncodedString()
            case .hmacSHA256:
                entry.secretFile = "private/\(key.principal)/\(key.keyID).key"
            }
            entries[key.keyID] = entry
            // Ed25519: the 32-byte seed; HMAC: the 32-byte secret; one line of base64.
            try put("keyring/private/\(key.principal)/\(key.keyID).key", Array((Data(material).base64EncodedString() + "\n").utf8))
        }
        try put("keyring/trust.json", try Self.json(TrustDocument(keys: entries)))
    }

    private func signer(_ principal: String) throws -> MessageSigner {
        try KeyRingStore.loadSigner(principal: principal, from: ring.directory)
    }

    private func stranger() throws -> MessageSigner {
        try MessageSigner(
            metadata: KeyMetadata(keyId: Self.strangerKeyID, algorithm: .hmacSHA256, principal: "mallory", principalKind: .role),
            hmacSecret: Self.material(Self.strangerKeyID))
    }

    private func revokedReviewer() throws -> MessageSigner {
        let key = Self.keys.first { $0.status == .revoked }!
        return MessageSigner(
            metadata: KeyMetadata(keyId: key.keyID, algorithm: .ed25519, principal: key.principal, principalKind: key.kind),
            ed25519: try Ed25519PrivateKey(rawRepresentation: Self.material(key.keyID)))
    }

    // MARK: Envelopes

    struct Case: Encodable {
        var name: String
        var description: String
        var topic: String
        var partition: Int32
        /// The record value: a `SealedEnvelope`, hex.
        var sealed: String
        /// The inner envelope bytes the signatures cover, hex (what `result_sha256` hashes).
        var envelope: String
        var envelopeSHA256: String
        var expected: Outcome
        /// Kafka headers a mesh producer sends with it (accepted cases).
        var headers: [[String]]?
    }

    struct Outcome: Encodable {
        var accept: Bool
        /// Dead-letter reason when refused (`dlq_reason`).
        var reason: String?
        /// This implementation's explanation; informative, not part of the contract.
        var detail: String?
        /// Accepted: who signed (principal, key id) and what the envelope says.
        var signer: String?
        var keyID: String?
        var id: String?
        var type: String?
        var correlationID: String?
        var source: String?
    }

    private func envelope(_ id: String, source: String, causation: String = "", subject: String = "", _ payload: Payload) -> Envelope {
        Envelope(id: id, source: source, correlationID: Self.correlationID, causationID: causation, subject: subject,
                 traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", timeUnixMicros: Self.time,
                 payload: payload)
    }

    private func seal(_ bytes: [UInt8], with signer: MessageSigner, tamper: (inout [Signature]) -> Void = { _ in }) throws -> [UInt8] {
        let value = signer.sign(bytes)
        var signatures = [Signature(keyID: value.keyId, algorithm: value.algorithm == .ed25519 ? .ed25519 : .hmacSHA256,
                                    signature: value.bytes)]
        tamper(&signatures)
        return try EnvelopeCodec().encode(SealedEnvelope(envelope: bytes, signatures: signatures))
    }

    /// Where the catalog's partitioner puts the vector correlation id on `topic`.
    private func home(_ topic: String) -> Int32 {
        catalog.partitioner.partition(forKey: Self.correlationID, partitions: catalog.topic(named: topic)!.partitions)
    }

    /// Judges `sealed` on `topic`/`partition` exactly as a role process does.
    private func judge(_ sealed: [UInt8], topic: String, partition: Int32) throws -> Outcome {
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: ring.directory))
        switch opener.open(sealed) {
        case .failure(let rejection):
            return Outcome(accept: false, reason: rejection.reason.rawValue, detail: rejection.detail)
        case .success(let opened):
            let message = ConsumedMessage(topic: topic, partition: partition, offset: 0, key: Array(opened.envelope.correlationID.utf8),
                                          value: sealed, headers: ConsumedHeaders([]), timestampMs: 0)
            let inbound = InboundEnvelope(opened: opened, message: message)
            let counts = Dictionary(uniqueKeysWithValues: catalog.topics.map { ($0.name, $0.partitions) })
            if let rejection = Authorization.check(inbound, catalog: catalog)
                ?? PartitionRouting(catalog: catalog, partitionCounts: { counts }).check(inbound) {
                return Outcome(accept: false, reason: rejection.reason.rawValue, detail: rejection.detail)
            }
            let e = opened.envelope
            return Outcome(accept: true, signer: opened.signer.principal, keyID: opened.signer.keyId, id: e.id, type: e.type,
                           correlationID: e.correlationID, source: e.source)
        }
    }

    private func makeCase(_ name: String, _ description: String, topic: String, partition: Int32? = nil,
                          envelope bytes: [UInt8], sealed: [UInt8], headersOf envelope: Envelope? = nil,
                          expect reason: String?) throws -> Case {
        let partition = partition ?? home(topic)
        let outcome = try judge(sealed, topic: topic, partition: partition)
        // The generator states what each case must show; a vector that judged otherwise is a bug.
        guard outcome.reason == reason else {
            throw VectorError("case \(name): expected \(reason ?? "accept"), judged \(outcome.reason ?? "accept") \(outcome.detail ?? "")")
        }
        return Case(name: name, description: description, topic: topic, partition: partition, sealed: Hex.encode(sealed),
                    envelope: Hex.encode(bytes), envelopeSHA256: SHA256Digest.hex(bytes), expected: outcome,
                    headers: envelope.map { CloudEventHeaders.headers(for: $0).map { [$0.key, $0.stringValue] } })
    }

    private mutating func writeEnvelopes() throws {
        let codec = EnvelopeCodec()
        let meshctl = try signer("meshctl"), orchestrator = try signer("orchestrator"), coding = try signer("coding")
        let reviewer = try signer("reviewer"), alice = try signer("alice")
        var cases: [Case] = []

        let objective = envelope("0194b2a0-0000-7000-8000-000000000001", source: "/mesh/meshctl/alice", .objectiveSubmitted(
            ObjectiveSubmitted(objectiveID: Self.correlationID, title: "Show allergies on the chart header",
                               description: "Patients' known allergies must be visible on every chart view.",
                               playbook: "single-task", submittedBy: "alice",
                               parameters: [Attribute("component", "chart")])))
        let objectiveBytes = try codec.encode(objective)
        let objectiveSealed = try seal(objectiveBytes, with: meshctl)
        cases.append(try makeCase("objective-submitted-hmac", "An operator's objective, HMAC-SHA256 (meshctl key).",
                                  topic: "mesh.objectives", envelope: objectiveBytes, sealed: objectiveSealed,
                                  headersOf: objective, expect: nil))

        let planID = DerivedID.make(causeID: objective.id, role: "orchestrator", output: "plan")
        var plan = envelope(DerivedID.make(causeID: objective.id, role: "orchestrator", output: PayloadKind.planCreated.rawValue),
                            source: "/mesh/orchestrator/orchestrator-1", causation: objective.id, subject: planID,
                            .planCreated(PlanCreated(planID: planID, objectiveID: Self.correlationID, playbook: "single-task",
                                                     playbookHash: String(repeating: "ab", count: 32),
                                                     tasks: [PlannedTask(taskID: "code", role: "coding", instructions: "Show allergies",
                                                                         requiredVerdicts: [.review, .compliance], maxAttempts: 3,
                                                                         riskClass: .low)])))
        guard let planEnvelopeID = DerivedID.expected(for: plan, producedBy: "orchestrator") else {
            throw VectorError("the orchestrator derives no id for PlanCreated")
        }
        plan.id = planEnvelopeID
        let planBytes = try codec.encode(plan)
        cases.append(try makeCase("plan-created-ed25519", "The orchestrator's plan, Ed25519; objective_id equals correlation_id; its id derived from the objective.",
                                  topic: "mesh.plans", envelope: planBytes, sealed: try seal(planBytes, with: orchestrator),
                                  headersOf: plan, expect: nil))

        // An insider with the operator key squats the id the orchestrator will derive.
        var squatting = objective
        squatting.id = plan.id
        let squattingBytes = try codec.encode(squatting)
        cases.append(try makeCase("derived-id-squatting", "An objective carrying the id the orchestrator derives for its plan: ids of the derived form must derive from their cause and signer.",
                                  topic: "mesh.objectives", envelope: squattingBytes, sealed: try seal(squattingBytes, with: meshctl),
                                  expect: "bad-derived-id"))

        let result = envelope("0194b2a0-0000-7000-8000-000000000003", source: "/mesh/coding/coding-1",
                              causation: "0194b2a0-0000-7000-8000-000000000002", subject: "code", .taskResult(TaskResult(
                                  taskID: "code", planID: planID, attempt: 1, state: .completed, summary: "Banner added",
                                  artifacts: [Artifact(name: "Sources/Banner.swift", mediaType: "text/x-swift",
                                                       content: Array("let banner = \"Allergies\"\n".utf8))],
                                  agentID: "coding-1")))
        let resultBytes = try codec.encode(result)
        cases.append(try makeCase("task-result-hmac", "An agent's result, HMAC-SHA256; its envelope bytes' SHA-256 is the result_sha256 approvals bind to.",
                                  topic: "mesh.results", envelope: resultBytes, sealed: try seal(resultBytes, with: coding),
                                  headersOf: result, expect: nil))

        let manifest = try approvalManifest(resultBytes: resultBytes, alice: alice)
        let decision = envelope("0194b2a0-0000-7000-8000-000000000005", source: "/mesh/approver/alice",
                                causation: "0194b2a0-0000-7000-8000-000000000004", subject: "approval-1",
                                .approvalDecision(manifest))
        let decisionBytes = try codec.encode(decision)
        cases.append(try makeCase("approval-decision-person", "A person's decision: envelope and manifest both signed with alice's Ed25519 key; source names her.",
                                  topic: "mesh.approvals", envelope: decisionBytes, sealed: try seal(decisionBytes, with: alice),
                                  headersOf: decision, expect: nil))

        var tampered = objectiveBytes
        tampered[tampered.count - 1] ^= 0x01
        cases.append(try makeCase("tampered-envelope", "One envelope byte changed after signing.", topic: "mesh.objectives",
                                  envelope: tampered, sealed: try EnvelopeCodec().encode(SealedEnvelope(
                                      envelope: tampered, signatures: try codec.decodeSealed(objectiveSealed).signatures)),
                                  expect: "bad-signature"))
        cases.append(try makeCase("forged-signature", "The HMAC tag with one bit flipped.", topic: "mesh.objectives",
                                  envelope: objectiveBytes, sealed: try seal(objectiveBytes, with: meshctl) { $0[0].signature[0] ^= 0x80 },
                                  expect: "bad-signature"))
        cases.append(try makeCase("algorithm-mismatch", "An HMAC key's tag labelled Ed25519.", topic: "mesh.objectives",
                                  envelope: objectiveBytes, sealed: try seal(objectiveBytes, with: meshctl) { $0[0].algorithm = .ed25519 },
                                  expect: "bad-signature"))
        cases.append(try makeCase("unknown-key", "Signed by a key the ring does not hold.", topic: "mesh.objectives",
                                  envelope: objectiveBytes, sealed: try seal(objectiveBytes, with: try stranger()),
                                  expect: "unknown-key"))
        cases.append(try makeCase("no-signature", "Sealed without any signature (framing requires one).", topic: "mesh.objectives",
                                  envelope: objectiveBytes, sealed: unsignedFraming(objectiveBytes),
                                  expect: "malformed"))

        let verdict = envelope("0194b2a0-0000-7000-8000-000000000006", source: "/mesh/reviewer/reviewer-1",
                               causation: result.id, subject: "code", .verdict(Verdict(
                                   taskID: "code", planID: planID, attempt: 1, kind: .review, decision: .approve,
                                   resultEnvelopeID: result.id, reviewerID: "reviewer-1")))
        let verdictBytes = try codec.encode(verdict)
        cases.append(try makeCase("verdict-ed25519", "The reviewer's verdict with its active Ed25519 key.", topic: "mesh.verdicts",
                                  envelope: verdictBytes, sealed: try seal(verdictBytes, with: reviewer), headersOf: verdict, expect: nil))
        cases.append(try makeCase("revoked-key", "The same verdict signed with the reviewer's revoked key.", topic: "mesh.verdicts",
                                  envelope: verdictBytes, sealed: try seal(verdictBytes, with: try revokedReviewer()),
                                  expect: "revoked-key"))

        var claimed = result
        claimed.source = "/mesh/reviewer/reviewer-1"
        let claimedBytes = try codec.encode(claimed)
        cases.append(try makeCase("source-mismatch", "The coding key signs an envelope whose source claims the reviewer role.",
                                  topic: "mesh.results", envelope: claimedBytes, sealed: try seal(claimedBytes, with: coding),
                                  expect: "source-mismatch"))
        var otherPerson = decision
        otherPerson.source = "/mesh/approver/bob"
        let otherPersonBytes = try codec.encode(otherPerson)
        cases.append(try makeCase("person-source-mismatch", "alice signs a decision whose source names bob.", topic: "mesh.approvals",
                                  envelope: otherPersonBytes, sealed: try seal(otherPersonBytes, with: alice),
                                  expect: "source-mismatch"))

        var agentVerdict = verdict
        agentVerdict.source = "/mesh/coding/coding-1"
        let agentVerdictBytes = try codec.encode(agentVerdict)
        cases.append(try makeCase("unauthorized", "A verdict signed by the coding agent: the catalog lets only reviewer and compliance write verdicts.",
                                  topic: "mesh.verdicts", envelope: agentVerdictBytes, sealed: try seal(agentVerdictBytes, with: coding),
                                  expect: "unauthorized"))

        var nulBytes = objectiveBytes
        let title = Array("Show allergies".utf8)
        let at = (0...(nulBytes.count - title.count)).first { Array(nulBytes[$0..<($0 + title.count)]) == title }! + 4
        nulBytes[at] = 0  // "Show\0allergies...": the title would display as "Show"
        cases.append(try makeCase("nul-in-title", "U+0000 inside a string (objective_submitted.title), validly signed.",
                                  topic: "mesh.objectives", envelope: nulBytes, sealed: try seal(nulBytes, with: meshctl),
                                  expect: "malformed"))

        let mismatch = envelope("0194b2a0-0000-7000-8000-000000000007", source: "/mesh/orchestrator/orchestrator-1",
                                causation: objective.id, .planCreated(PlanCreated(planID: planID, objectiveID: "another-objective",
                                                                                  playbook: "single-task")))
        let mismatchBytes = try unvalidatedEncoding(mismatch, objectiveID: "another-objective")
        cases.append(try makeCase("objective-id-mismatch", "PlanCreated.objective_id differs from correlation_id.",
                                  topic: "mesh.plans", envelope: mismatchBytes, sealed: try seal(mismatchBytes, with: orchestrator),
                                  expect: "malformed"))

        let partitions = catalog.topic(named: "mesh.objectives")!.partitions
        cases.append(try makeCase("misrouted", "The accepted objective, but on a partition its correlation id does not map to (a murmur2 producer's placement).",
                                  topic: "mesh.objectives", partition: (home("mesh.objectives") + 1) % Int32(partitions),
                                  envelope: objectiveBytes, sealed: objectiveSealed, expect: "misrouted"))

        try put("envelopes.json", try Self.json(EnvelopeVectors(
            keyRing: "keyring", correlationID: Self.correlationID, partitioner: catalog.partitioner.rawValue,
            partitions: Dictionary(uniqueKeysWithValues: catalog.topics.map { ($0.name, $0.partitions) }), cases: cases)))
        try put("approval-manifest.json", try Self.json(manifestVector(manifest, resultBytes: resultBytes)))
    }

    struct EnvelopeVectors: Encodable {
        var keyRing: String
        var correlationID: String
        var partitioner: String
        /// Partition counts the `misrouted` judgement uses (the catalog's).
        var partitions: [String: Int]
        var cases: [Case]
    }

    /// A SealedEnvelope with the envelope but no signatures, written by hand (the codec refuses it).
    private func unsignedFraming(_ envelope: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x08, 0x01, 0x12]  // format_version = 1; field 2, length-delimited
        var length = UInt64(envelope.count)
        while length >= 0x80 { out.append(UInt8(length & 0x7F) | 0x80); length >>= 7 }
        out.append(UInt8(length))
        return out + envelope
    }

    /// Bytes our encoder refuses (it enforces objective_id == correlation_id): the envelope
    /// encoded with the correlation id, the objective id bytes then swapped in place.
    private func unvalidatedEncoding(_ envelope: Envelope, objectiveID: String) throws -> [UInt8] {
        guard case .planCreated(var created) = envelope.payload else { throw VectorError("not a PlanCreated") }
        let placeholder = String(repeating: "x", count: objectiveID.utf8.count)
        var valid = envelope
        valid.correlationID = placeholder
        created.objectiveID = placeholder
        valid.payload = .planCreated(created)
        var bytes = try EnvelopeCodec().encode(valid)
        let needle = Array(placeholder.utf8), correct = Array(Self.correlationID.utf8)
        // correlation_id (field 7) gets the real correlation id, objective_id keeps the other value.
        guard let first = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<($0 + needle.count)]) == needle })
        else { throw VectorError("placeholder not found") }
        bytes.replaceSubrange(first..<(first + needle.count), with: correct)
        bytes[first - 1] = UInt8(correct.count)
        let second = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }!
        bytes.replaceSubrange(second..<(second + needle.count), with: Array(objectiveID.utf8))
        return bytes
    }

    // MARK: Approval manifest

    private func approvalManifest(resultBytes: [UInt8], alice: MessageSigner) throws -> ApprovalDecision {
        let unsigned = ApprovalDecision(
            approvalID: "approval-1", decision: .approve, signerID: "alice", printedName: "Alice Example",
            meaning: "approved", signedAtUnixMicros: Self.time + 60_000_000, reason: "checked the banner",
            resultSHA256: SHA256Digest.hash(resultBytes))
        return ApprovalManifest.sign(unsigned, with: alice)
    }

    struct ManifestVector: Encodable {
        var approvalID: String, decision: Int32, signerID: String, printedName: String, meaning: String
        var signedAtUnixMicros: Int64, reason: String
        /// SHA-256 of the task-result-hmac case's envelope bytes.
        var resultSHA256: String
        var manifest: String
        var signatureKeyID: String
        var signature: String
    }

    private func manifestVector(_ decision: ApprovalDecision, resultBytes: [UInt8]) -> ManifestVector {
        ManifestVector(approvalID: decision.approvalID, decision: decision.decision.rawValue, signerID: decision.signerID,
                       printedName: decision.printedName, meaning: decision.meaning,
                       signedAtUnixMicros: decision.signedAtUnixMicros, reason: decision.reason,
                       resultSHA256: Hex.encode(decision.resultSHA256), manifest: Hex.encode(ApprovalManifest.bytes(for: decision)),
                       signatureKeyID: decision.signature!.keyID, signature: Hex.encode(decision.signature!.signature))
    }

    // MARK: Derived ids and partitions

    struct DerivedIDVector: Encodable { var causeID: String, role: String, output: String, discriminator: String, id: String }

    private mutating func writeDerivedIDs() throws {
        let rows: [(String, String, String, String)] = [
            ("0194b2a0-0000-7000-8000-000000000001", "orchestrator", "plan", ""),
            ("0194b2a0-0000-7000-8000-000000000001", "orchestrator", "agentmesh.plan.created.v1", ""),
            ("0194b2a0-0000-7000-8000-000000000001", "orchestrator", "agentmesh.task.assigned.v1", "code#1"),
            ("0194b2a0-0000-7000-8000-000000000001", "orchestrator", "snapshot", ""),
            ("0194b2a0-0000-7000-8000-000000000002", "coding", "result", ""),
            ("0194b2a0-0000-7000-8000-000000000003", "reviewer", "verdict", ""),
            ("0194b2a0-0000-7000-8000-000000000003", "compliance", "verdict", ""),
            ("ab", "c", "", ""),
            ("a", "bc", "", ""),
            ("0194b2a0-0000-7000-8000-000000000003", "orchestrator", "approval-requested", "Prüfung ✅"),
        ]
        try put("derived-ids.json", try Self.json(rows.map {
            DerivedIDVector(causeID: $0.0, role: $0.1, output: $0.2, discriminator: $0.3,
                            id: DerivedID.make(causeID: $0.0, role: $0.1, output: $0.2, discriminator: $0.3))
        }))
    }

    struct PartitionVector: Encodable { var key: String, crc32: String, partitions: [String: Int32] }

    private mutating func writePartitions() throws {
        let keys = [Self.correlationID, "obj-1", "123456789", "Prüfbericht ✅", "intake-2026-001", "a"]
        try put("partitions.json", try Self.json(PartitionVectorFile(partitioner: catalog.partitioner.rawValue, keys: keys.map { key in
            PartitionVector(key: key, crc32: String(format: "%08x", KeyPartitioner.crc32(Array(key.utf8))),
                            partitions: Dictionary(uniqueKeysWithValues: [3, 6, 12].map {
                                (String($0), catalog.partitioner.partition(forKey: key, partitions: $0))
                            }))
        })))
    }

    struct PartitionVectorFile: Encodable { var partitioner: String, keys: [PartitionVector] }

    // MARK: Plumbing

    private mutating func put(_ path: String, _ bytes: [UInt8]) throws {
        files[path] = bytes
        try ring.place(path, bytes)
    }

    static func json<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value)) + [0x0A]
    }
}

/// The vector files laid out in a temporary folder with the modes a key ring needs (0700
/// folders, 0600 key files: git does not keep them), so the Swift loaders read them.
struct TemporaryKeyRing {
    let root: String
    var directory: String { root + "/keyring" }

    init() throws {
        root = NSTemporaryDirectory() + "agentmesh-vectors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func place(_ path: String, _ bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        guard path.hasPrefix("keyring/private/") else { return }
        chmod(url.path, 0o600)
        var folder = url.deletingLastPathComponent()
        while folder.path.hasPrefix(directory + "/private") {
            chmod(folder.path, 0o700)
            folder.deleteLastPathComponent()
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
