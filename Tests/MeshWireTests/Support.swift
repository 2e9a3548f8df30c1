import MeshWire

/// Deterministic PRNG so every fuzz failure reproduces from its printed seed.
struct SplitMix64: RandomNumberGenerator {
    private(set) var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hand-rolled protobuf writer, independent of protobuf-c, for crafting inputs the Swift
/// encoder refuses to produce (wrong types, bad UTF-8, missing payload, unknown fields).
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func tag(_ field: UInt32, _ wireType: UInt8) { varint(UInt64(field) << 3 | UInt64(wireType)) }
    mutating func uint(_ field: UInt32, _ value: UInt64) { tag(field, 0); varint(value) }
    mutating func raw(_ field: UInt32, _ value: [UInt8]) { tag(field, 2); varint(UInt64(value.count)); bytes += value }
    mutating func string(_ field: UInt32, _ value: String) { raw(field, Array(value.utf8)) }

    /// Valid envelope header (fields 1-11) without a payload.
    static func header(type: String = PayloadKind.agentHeartbeat.rawValue) -> ProtoWriter {
        var w = ProtoWriter()
        w.string(1, "id-1")
        w.string(2, "/mesh/test")
        w.string(3, "1.0")
        w.string(4, type)
        w.string(7, "corr-1")
        w.uint(11, 1)
        return w
    }
}

enum Fixtures {
    static let unicode = "Prüfbericht ✅ 患者データ 🩺 — ünïcødé"
    static let sha = (0..<32).map { UInt8($0 &* 7 &+ 1) }

    static func artifacts(_ count: Int, contentBytes: Int = 40) -> [Artifact] {
        (0..<count).map { i in
            Artifact(name: "file-\(i)-\(unicode).swift", mediaType: i % 2 == 0 ? "text/x-swift" : "",
                     content: (0..<contentBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) },
                     sha256: i % 3 == 0 ? [] : sha)
        }
    }

    static func findings(_ count: Int) -> [Finding] {
        (0..<count).map { i in
            Finding(ruleID: "HIPAA-\(i)", severity: Severity(rawValue: Int32(i % 7)),
                    message: i % 4 == 0 ? "" : "PHI leaked in log line \(i) \(unicode)",
                    location: "Sources/App.swift:\(i):\(i * 2)")
        }
    }

    static let signature = Signature(keyID: "key-ed-1", algorithm: .ed25519,
                                     signature: (0..<64).map { UInt8($0) })

    /// One non-trivial value per payload kind (the test asserts all kinds are covered).
    static let payloads: [Payload] = [
        .objectiveSubmitted(ObjectiveSubmitted(
            objectiveID: "obj-1", title: unicode, description: "", playbook: "hipaa-feature",
            submittedBy: "dr.ünal",
            parameters: [Attribute("z", "last"), Attribute("a", ""), Attribute("", "empty key"), Attribute("a", "dup")],
            inputs: artifacts(5))),
        .objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: "obj-1", requestedBy: "ops", reason: unicode)),
        .planCreated(PlanCreated(
            planID: "plan-1", objectiveID: "obj-1", playbook: "pb", playbookHash: String(repeating: "ab", count: 32),
            tasks: (0..<6).map { i in
                PlannedTask(taskID: "t\(i)", role: "coder", instructions: "do \(i) \(unicode)",
                            dependsOn: (0..<i).map { "t\($0)" } + (i == 3 ? [""] : []),
                            requiredVerdicts: [.review, .compliance, .human, .unrecognized(42), .unspecified].prefix(i % 6).map { $0 },
                            maxAttempts: i == 5 ? .max : UInt32(i), riskClass: RiskClass(rawValue: Int32(i)),
                            safetyClass: SafetyClass(rawValue: Int32(i)))
            })),
        .planStatus(PlanStatus(planID: "plan-1", tasks: (0..<9).map {
            TaskStatus(taskID: "t\($0)", state: TaskState(rawValue: Int32($0)), attempt: UInt32($0), detail: $0 == 0 ? "" : unicode)
        }, detail: "running")),
        .planCompleted(PlanCompleted(planID: "plan-1", summary: unicode, artifacts: artifacts(12, contentBytes: 3))),
        .planFailed(PlanFailed(planID: "plan-1", failedTaskID: "t3", reason: "max attempts", finalState: .rejected)),
        .taskAssigned(TaskAssigned(
            taskID: "t1", planID: "plan-1", role: "coder", instructions: String(repeating: "ä", count: 300),
            attempt: .max, inputs: artifacts(3), feedback: findings(10), deadlineUnixMicros: .max)),
        .taskResult(TaskResult(
            taskID: "t1", planID: "plan-1", attempt: 2, state: .failed, summary: "", artifacts: artifacts(4),
            error: "stderr: \(unicode)", agentID: "coder-7")),
        .verdict(Verdict(
            taskID: "t1", planID: "plan-1", attempt: 3, kind: .compliance, decision: .requestChanges,
            findings: findings(25), resultEnvelopeID: "env-9", policyBundleHash: "deadbeef",
            decidedByRules: ["R1", "", "R3 ✅"], reviewerID: "compliance-1",
            approvalRequiredBy: ["part11-signature-high-risk", "iec62304-human-approval-class-c"])),
        .approvalRequested(ApprovalRequested(
            approvalID: "ap-1", taskID: "t1", planID: "plan-1", attempt: 1, resultEnvelopeID: "env-9",
            resultSHA256: sha, reason: "risk HIGH", deadlineUnixMicros: .min, authorID: "coder-7")),
        .approvalDecision(ApprovalDecision(
            approvalID: "ap-1", decision: .approve, signerID: "u-1", printedName: "Zoë Müller",
            meaning: "approved", signedAtUnixMicros: 1_700_000_000_000_000, reason: "", resultSHA256: sha,
            signature: signature)),
        .agentHeartbeat(AgentHeartbeat(
            agentID: "coder-7", role: "coder", version: "1.2.3", inFlight: .max, processed: .max,
            startedUnixMicros: -1)),
        .replayRequested(ReplayRequested(
            replayID: "rp-1", objectiveID: "obj-1", requestedBy: "Zoë Müller", mode: "side-topic",
            targetTopic: "replay.obj-1", firstSequence: 1, lastSequence: .max, envelopeCount: .max,
            reason: "auditor request ✅")),
        .orchestratorSnapshot(OrchestratorSnapshot(
            formatVersion: 1, state: Array("{\"plan\":\"p-1\",\"tasks\":[]}".utf8) + [0, 255], lastEventID: "env-9")),
    ]

    static func envelope(_ payload: Payload, index: Int = 0) -> Envelope {
        Envelope(
            id: "0190a6f0-0000-7000-8000-00000000000\(index % 10)", source: "/mesh/coder/c-\(index)",
            correlationID: "obj-1", causationID: index == 0 ? "" : "cause-\(index)", subject: "t\(index)",
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            timeUnixMicros: index == 1 ? .max : (index == 2 ? .min : 1_700_000_000_123_456),
            attributes: index % 2 == 0 ? [] : [Attribute("tenant", "clinic-ß"), Attribute("a", "1"), Attribute("tenant", "")],
            payload: payload)
    }

    static var envelopes: [Envelope] { payloads.enumerated().map { envelope($1, index: $0) } }

    /// A TaskResult envelope whose encoding is about 1 KiB, the benchmark's message size.
    static let oneKiBTaskResult = Envelope(
        id: "0190a6f0-1234-7abc-8def-0123456789ab", source: "/mesh/coder/coder-7",
        correlationID: "0190a6ef-ffff-7000-8000-000000000001", causationID: "0190a6f0-0000-7000-8000-000000000002",
        subject: "task-42", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        timeUnixMicros: 1_700_000_000_123_456, attributes: [Attribute("tenant", "clinic-1")],
        payload: .taskResult(TaskResult(
            taskID: "task-42", planID: "plan-7", attempt: 1, state: .completed,
            summary: "Implemented consent check for PHI export; all tests pass.",
            artifacts: [
                Artifact(name: "Sources/Consent.swift", mediaType: "text/x-swift",
                         content: Array(String(repeating: "let consent = try await store.check(patient)\n", count: 10).utf8),
                         sha256: sha),
                Artifact(name: "Tests/ConsentTests.swift", mediaType: "text/x-swift",
                         content: Array(String(repeating: "XCTAssertTrue(ok)\n", count: 6).utf8), sha256: sha),
            ],
            agentID: "coder-7")))

    static let sealed: [SealedEnvelope] = {
        let codec = EnvelopeCodec()
        let inner = try! codec.encode(oneKiBTaskResult)
        return [
            SealedEnvelope(envelope: inner, signatures: [signature]),
            SealedEnvelope(envelope: inner, signatures: [
                signature, Signature(keyID: "hmac-ü", algorithm: .hmacSHA256, signature: Array(repeating: 0xFF, count: 32)),
                Signature(keyID: "", algorithm: .unrecognized(-3), signature: []),
            ]),
            SealedEnvelope(envelope: try! codec.encode(envelopes[3]), signatures: [signature]),
        ]
    }()
}
