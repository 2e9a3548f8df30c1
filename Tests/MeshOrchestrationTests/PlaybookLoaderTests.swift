import MeshOrchestration
import MeshSigning
import MeshWire
import XCTest

final class PlaybookLoaderTests: XCTestCase {
    /// A valid two-task playbook; tests break one thing at a time.
    static let valid = """
    playbook: sample
    version: 2
    tasks:
      - id: design
        role: discovery
        instructions: Look at {{title}}
      - id: build
        role: coding
        instructions: Build {{parameters.component}}
        depends_on: [design]
        approval:
          when_risk_at_least: high
          deadline: 30m
    """

    func testShippedPlaybooksLoad() throws {
        XCTAssertEqual(shippedLibrary.names, ["approval", "device-change", "feature", "single-task"])
        XCTAssertEqual(shippedLibrary["device-change"]?.tasks.map(\.safetyClass), [.c])
        let feature = try XCTUnwrap(shippedLibrary["feature"])
        XCTAssertEqual(feature.tasks.map(\.id), ["discover", "implement", "document", "test", "secure"])
        XCTAssertEqual(feature.tasks.first { $0.id == "implement" }?.riskClass, .high)
        XCTAssertEqual(feature.tasks.first { $0.id == "implement" }?.approval?.deadlineMicros, 8 * 3_600_000_000)
        XCTAssertEqual(feature.tasks.first { $0.id == "secure" }?.dependsOn, ["test", "document"])
        let bytes = try [UInt8](Data(contentsOf: playbooksFolder.appendingPathComponent("feature.yaml")))
        XCTAssertEqual(feature.hash, SHA256Digest.hex(bytes))
        XCTAssertEqual(feature.file, "Playbooks/feature.yaml")

        let single = try XCTUnwrap(shippedLibrary["single-task"])
        XCTAssertEqual(single.tasks.count, 1)
        XCTAssertEqual(single.tasks[0].requiredVerdicts, [.review, .compliance])
        XCTAssertNil(single.tasks[0].approval)

        let approval = try XCTUnwrap(shippedLibrary["approval"])
        XCTAssertEqual(approval.tasks[0].requiredVerdicts, [.review, .compliance, .human])
        XCTAssertEqual(approval.tasks[0].approval?.deadlineMicros, 2 * 3_600_000_000)
    }

    func testDefaultsApply() throws {
        let playbook = try PlaybookLibrary.parse(yaml: Self.valid, agentRoles: shippedAgentRoles)
        XCTAssertEqual(playbook.version, 2)
        XCTAssertEqual(playbook.tasks[0].maxAttempts, 3)
        XCTAssertEqual(playbook.tasks[0].riskClass, .medium)
        XCTAssertEqual(playbook.tasks[0].requiredVerdicts, [.review, .compliance])
        XCTAssertEqual(playbook.hash, SHA256Digest.hex(Array(Self.valid.utf8)))
    }

    func testUnknownRoleNamesFileLineFieldAndSuggestion() {
        let found = issues(Self.valid.replacingOccurrences(of: "role: coding", with: "role: coder"))
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.line, 8)
        XCTAssertEqual(found.first?.field, "role")
        XCTAssertEqual(found.first?.description,
                       "Playbooks/bad.yaml:8:11: task \"build\": field \"role\": unknown role \"coder\"; did you mean \"coding\"?")
    }

    /// Which roles a task may name is the catalog's: a role the catalog gains is accepted and
    /// routed to the task topic the catalog gives it; without it the same file is refused.
    func testTaskRolesComeFromTheCatalog() throws {
        let yaml = Self.valid.replacingOccurrences(of: "role: coding", with: "role: translation")
        let playbook = try PlaybookLibrary.parse(yaml: yaml, agentRoles: shippedAgentRoles + ["translation"])
        XCTAssertEqual(playbook.tasks[1].role, AgentRole("translation"))
        XCTAssertNil(Output.Destination.tasks(playbook.tasks[1].role).topic(in: shippedCatalog),
                     "the shipped catalog has no task topic for it")
        XCTAssertTrue(issues(yaml).first?.message.hasPrefix("unknown role \"translation\"") ?? false)
        XCTAssertEqual(issues(Self.valid, agentRoles: []).first?.message,
                       "unknown role \"discovery\"; the catalog declares no agent role with a task topic")
    }

    func testUnknownDependency() {
        let found = issues(Self.valid.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [desing]"))
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.line, 10)
        XCTAssertEqual(found.first?.field, "depends_on")
        XCTAssertTrue(found.first?.description.hasPrefix("Playbooks/bad.yaml:10:") ?? false)
        XCTAssertTrue(found.first?.message.contains("unknown dependency \"desing\"; did you mean \"design\"?") ?? false,
                      found.description)
    }

    func testCycleIsNamed() {
        let yaml = """
        playbook: loop
        version: 1
        tasks:
          - id: a
            role: coding
            instructions: x
            depends_on: [c]
          - id: b
            role: testing
            instructions: x
            depends_on: [a]
          - id: c
            role: security
            instructions: x
            depends_on: [b]
        """
        let found = issues(yaml)
        XCTAssertEqual(found.count, 1, found.description)
        XCTAssertEqual(found.first?.field, "depends_on")
        XCTAssertEqual(found.first?.line, 11, "reported where the closing edge b -> a is written")
        XCTAssertEqual(found.first?.subject, "task \"b\"")
        XCTAssertTrue(found.first?.message.contains("dependency cycle a -> c -> b -> a") ?? false, found.description)
    }

    func testSelfDependencyIsACycle() {
        let found = issues(Self.valid.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [build]"))
        XCTAssertTrue(found.first?.message.contains("dependency cycle build -> build") ?? false, found.description)
    }

    func testDuplicateTaskID() {
        let found = issues(Self.valid.replacingOccurrences(of: "id: build", with: "id: design")
            .replacingOccurrences(of: "    depends_on: [design]\n", with: ""))
        XCTAssertEqual(found.count, 1, found.description)
        XCTAssertEqual(found.first?.line, 7)
        XCTAssertEqual(found.first?.field, "id")
        XCTAssertTrue(found.first?.message.contains("duplicate task id (first defined at line 4)") ?? false, found.description)
    }

    func testBadDuration() {
        let found = issues(Self.valid.replacingOccurrences(of: "deadline: 30m", with: "deadline: 30 minutes"))
        XCTAssertEqual(found.count, 1, found.description)
        XCTAssertEqual(found.first?.line, 13)
        XCTAssertEqual(found.first?.field, "approval.deadline")
        XCTAssertTrue(found.first?.message.contains("bad duration") ?? false)
    }

    func testUnknownFieldSuggestsClosest() {
        let found = issues(Self.valid.replacingOccurrences(of: "depends_on:", with: "depend_on:"))
        XCTAssertEqual(found.count, 1, found.description)
        XCTAssertEqual(found.first?.line, 10)
        XCTAssertEqual(found.first?.field, "depend_on")
        XCTAssertTrue(found.first?.message.contains("did you mean \"depends_on\"?") ?? false, found.description)
    }

    func testUnknownTopLevelAndApprovalFields() {
        let top = issues(Self.valid.replacingOccurrences(of: "version: 2", with: "version: 2\nverison: 3"))
        XCTAssertEqual(top.first?.field, "verison")
        XCTAssertEqual(top.first?.line, 3)
        XCTAssertTrue(top.first?.message.contains("did you mean \"version\"?") ?? false, top.description)
        let nested = issues(Self.valid.replacingOccurrences(of: "when_risk_at_least", with: "when_risk_atleast"))
        XCTAssertTrue(nested.contains { $0.field == "approval.when_risk_atleast" && $0.message.contains("when_risk_at_least") },
                      nested.description)
    }

    func testMissingRequiredField() {
        let found = issues(Self.valid.replacingOccurrences(of: "    instructions: Look at {{title}}\n", with: ""))
        XCTAssertEqual(found.first?.field, "instructions")
        XCTAssertEqual(found.first?.subject, "task \"design\"")
        XCTAssertEqual(found.first?.line, 4)
    }

    func testUnknownRiskVerdictAndPlaceholder() {
        let risk = issues(Self.valid.replacingOccurrences(of: "when_risk_at_least: high", with: "when_risk_at_least: hihg"))
        XCTAssertTrue(risk.first?.message.contains("did you mean \"high\"?") ?? false, risk.description)
        let verdict = issues(Self.valid.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [design]\n    verdicts: [reveiw]"))
        XCTAssertEqual(verdict.first?.field, "verdicts")
        XCTAssertTrue(verdict.first?.message.contains("did you mean \"review\"?") ?? false, verdict.description)
        let placeholder = issues(Self.valid.replacingOccurrences(of: "{{title}}", with: "{{titel}}"))
        XCTAssertEqual(placeholder.first?.field, "instructions")
        XCTAssertEqual(placeholder.first?.line, 6)
        XCTAssertTrue(placeholder.first?.message.contains("unknown placeholder {{titel}}; did you mean \"title\"?") ?? false,
                      placeholder.description)
    }

    func testAttemptBudgetOutOfRange() {
        let found = issues(Self.valid.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [design]\n    max_attempts: 0"))
        XCTAssertEqual(found.first?.field, "max_attempts")
        XCTAssertEqual(found.first?.line, 11)
    }

    func testModelBudgetIsReadAndCheckedWithLineAndField() throws {
        let budgeted = Self.valid.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [design]\n    model_budget: {max_tokens: 2000, max_cost: 0.25}")
        let playbook = try PlaybookLibrary.parse(yaml: budgeted, agentRoles: shippedAgentRoles)
        XCTAssertEqual(playbook.tasks[1].modelBudget, TaskModelBudget(maxTokens: 2000, maxCost: 0.25))
        XCTAssertTrue(playbook.tasks[0].modelBudget.isEmpty)

        let tokens = issues(budgeted.replacingOccurrences(of: "max_tokens: 2000", with: "max_tokens: lots"))
        XCTAssertEqual(tokens.map(\.field), ["model_budget.max_tokens"], tokens.description)
        XCTAssertEqual(tokens.first?.line, 11)
        XCTAssertTrue(tokens.first?.message.contains("expected a whole number") ?? false, tokens.description)
        let cost = issues(budgeted.replacingOccurrences(of: "max_cost: 0.25", with: "max_cost: -1"))
        XCTAssertEqual(cost.map(\.field), ["model_budget.max_cost"], cost.description)
        let typo = issues(budgeted.replacingOccurrences(of: "max_cost", with: "max_costs"))
        XCTAssertTrue(typo.contains { $0.field == "model_budget.max_costs" && $0.message.contains("did you mean \"max_cost\"?") }, typo.description)
        let scalar = issues(budgeted.replacingOccurrences(of: "{max_tokens: 2000, max_cost: 0.25}", with: "100"))
        XCTAssertEqual(scalar.first?.field, "model_budget")
        XCTAssertTrue(scalar.first?.message.contains("expected a map") ?? false, scalar.description)
        let empty = issues(budgeted.replacingOccurrences(of: "{max_tokens: 2000, max_cost: 0.25}", with: "{}"))
        XCTAssertTrue(empty.first?.message.contains("sets no ceiling") ?? false, empty.description)
    }

    func testApprovalThatNeverTriggers() throws {
        let deadlineOnly = Self.valid.replacingOccurrences(of: "      when_risk_at_least: high\n", with: "")
        let found = issues(deadlineOnly.replacingOccurrences(of: "depends_on: [design]", with: "depends_on: [design]\n    verdicts: [review]"))
        XCTAssertEqual(found.first?.field, "approval")
        XCTAssertTrue(found.first?.message.contains("never requires an approval") ?? false, found.description)
        // With the compliance verdict (the default), a compliance rule may require an
        // e-signature: the block then sets its deadline.
        let judged = try PlaybookLibrary.parse(yaml: deadlineOnly, file: "p.yaml", agentRoles: shippedAgentRoles)
        XCTAssertEqual(judged.tasks[1].approval?.deadlineMicros, 30 * 60_000_000)
    }

    func testYAMLSyntaxErrorHasLine() {
        let found = issues("playbook: x\ntasks: [\n  - id: a\n")
        XCTAssertEqual(found.count, 1)
        XCTAssertGreaterThan(found.first?.line ?? 0, 0)
        XCTAssertTrue(found.first?.message.hasPrefix("not valid YAML") ?? false)
    }

    func testDuplicatePlaybookNameAcrossFiles() {
        let bytes = Array(Self.valid.utf8)
        XCTAssertThrowsError(try PlaybookLibrary.build([(bytes, "Playbooks/a.yaml"), (bytes, "Playbooks/b.yaml")], agentRoles: shippedAgentRoles)) { error in
            let issue = (error as? PlaybookError)?.issues.first
            XCTAssertEqual(issue?.file, "Playbooks/b.yaml")
            XCTAssertTrue(issue?.message.contains("already used by Playbooks/a.yaml") ?? false)
        }
    }

    func testEveryProblemIsReportedAtOnce() {
        let broken = Self.valid.replacingOccurrences(of: "role: coding", with: "role: coder")
            .replacingOccurrences(of: "deadline: 30m", with: "deadline: soon")
        XCTAssertEqual(issues(broken).map(\.field), ["role", "approval.deadline"])
    }

    func testDurations() {
        XCTAssertEqual(PlaybookDuration.micros("30m"), 30 * 60_000_000)
        XCTAssertEqual(PlaybookDuration.micros("1h30m"), 90 * 60_000_000)
        XCTAssertEqual(PlaybookDuration.micros("45s"), 45_000_000)
        XCTAssertEqual(PlaybookDuration.micros("7d"), 7 * 86_400_000_000)
        for bad in ["", "30", "m", "0m", "2x", "-1h", "400d", "1.5h"] { XCTAssertNil(PlaybookDuration.micros(bad), bad) }
    }

    func testInstructionRendering() {
        let objective = ObjectiveSubmitted(objectiveID: "o", title: "T", description: "D", playbook: "p",
                                           submittedBy: "s", parameters: [Attribute("component", "chart")])
        XCTAssertEqual(InstructionTemplate.render("{{title}}/{{ description }}/{{parameters.component}}/{{parameters.none}}/{{",
                                                  for: objective), "T/D/chart//{{")
    }
}
