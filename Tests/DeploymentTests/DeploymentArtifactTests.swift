import Foundation
import MeshCatalog
import XCTest
import Yams

/// The shipped Compose file and Kubernetes manifests follow the rules in DeploymentRules.swift,
/// and each rule fails on a fixture that breaks it (a copy of the real file with one change).
final class DeploymentArtifactTests: XCTestCase {
    private var context: DeploymentContext!
    private var compose: [String: Any]!
    private var kubernetes: [[String: Any]]!

    override func setUpWithError() throws {
        context = try DeploymentFiles.context()
        let composeDocument = try XCTUnwrap(DeploymentFiles.yamlDocuments(DeploymentFiles.text("Compose/compose.yaml")).first)
        compose = try XCTUnwrap(normalized(composeDocument) as? [String: Any])
        kubernetes = try DeploymentFiles.kubernetesDocuments().map { try XCTUnwrap(normalized($0) as? [String: Any]) }
    }

    // MARK: The shipped artifacts

    func testPackageManifestDeclaresTheSevenExecutables() {
        XCTAssertEqual(context.products, [
            "meshctl", "mesh-orchestrator", "mesh-agent", "mesh-reviewer", "mesh-compliance", "mesh-audit-sink", "mesh-console",
        ])
    }

    func testShippedComposeFileFollowsEveryRule() {
        XCTAssertEqual(context.checkCompose(compose), [])
    }

    func testShippedKubernetesManifestsFollowEveryRule() {
        XCTAssertEqual(kubernetes.filter { $0["kind"] as? String == "Deployment" }.count, 11, "ten roles and the console")
        XCTAssertEqual(kubernetes.filter { $0["kind"] as? String == "Service" }.count, 1, "the console's")
        XCTAssertEqual(kubernetes.filter { $0["kind"] as? String == "ScaledObject" }.count, 10)
        XCTAssertEqual(context.checkKubernetes(kubernetes), [])
    }

    func testKustomizationListsEveryManifestFile() throws {
        let kustomization = try XCTUnwrap(DeploymentFiles.yamlDocuments(DeploymentFiles.text("Compose/k8s/kustomization.yaml")).first)
        let listed = Set((kustomization["resources"] as? [Any] ?? []).map { "\($0)" })
        var onDisk: Set<String> = []
        for folder in ["roles", "keda"] {
            let url = DeploymentFiles.root.appendingPathComponent("Compose/k8s/\(folder)")
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) where name.hasSuffix(".yaml") {
                onDisk.insert("\(folder)/\(name)")
            }
        }
        XCTAssertEqual(onDisk.subtracting(listed), [], "manifests not in kustomization.yaml")
    }

    func testImageInstallsEveryProductAndTheEntryPointKnowsThem() throws {
        let dockerfile = try DeploymentFiles.text("Compose/Dockerfile")
        let loop = try XCTUnwrap(dockerfile.split(separator: "\n").first { $0.contains("for product in") })
        let words = loop.split(whereSeparator: { " ;\\".contains($0) }).map(String.init)
        let installed = Set(words.filter { context.products.contains($0) })
        XCTAssertEqual(installed, context.products, "Dockerfile must install every product")
        XCTAssertTrue(dockerfile.contains("--static-swift-stdlib"))
        XCTAssertTrue(dockerfile.contains("FROM ${RUNTIME_IMAGE}") && dockerfile.contains("debian:bookworm-slim"))
        XCTAssertTrue(dockerfile.contains("USER 10001"), "the runtime runs as a non-root user")
        let entrypoint = try DeploymentFiles.text("Compose/docker-entrypoint.sh")
        for product in context.products {
            XCTAssertTrue(entrypoint.contains(product), "entry point does not run \(product)")
        }
    }

    func testSingleNodeKafkaHasEverySettingItNeeds() throws {
        let services = try XCTUnwrap(compose["services"] as? [String: Any])
        let kafka = try XCTUnwrap(services["kafka"] as? [String: Any])
        let environment = context.environmentMap(kafka["environment"])
        for key in ["KAFKA_NODE_ID", "KAFKA_PROCESS_ROLES", "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_LISTENERS",
                    "KAFKA_ADVERTISED_LISTENERS", "KAFKA_CONTROLLER_LISTENER_NAMES", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                    "KAFKA_INTER_BROKER_LISTENER_NAME", "CLUSTER_ID"] {
            XCTAssertNotNil(environment[key], key)
        }
        for key in ["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_MIN_INSYNC_REPLICAS", "KAFKA_DEFAULT_REPLICATION_FACTOR"] {
            XCTAssertEqual(environment[key], "1", key)
        }
        XCTAssertEqual(environment["KAFKA_PROCESS_ROLES"], "broker,controller")
        XCTAssertTrue(environment["KAFKA_ADVERTISED_LISTENERS"]?.contains("localhost:9092") ?? false, "host listener")
        XCTAssertNotNil((kafka["healthcheck"] as? [String: Any])?["test"])
    }

    func testComposeDurations() {
        XCTAssertEqual(context.durationSeconds("35s"), 35)
        XCTAssertEqual(context.durationSeconds("1m30s"), 90)
        XCTAssertEqual(context.durationSeconds("1500ms"), 1.5)
        XCTAssertEqual(context.durationSeconds(12), 12)
        XCTAssertNil(context.durationSeconds("soon"))
    }

    // MARK: Compose rules fail on bad fixtures

    private func composeProblems(_ path: [Any], _ value: Any?) -> [String] {
        context.checkCompose(setting(compose!, path, value) as! [String: Any])
    }

    private func assertProblem(_ problems: [String], contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(problems.contains { $0.contains(text) }, "expected a problem containing \"\(text)\", got \(problems)", file: file, line: line)
    }

    func testComposeRejectsAnExecutableThatIsNoProduct() {
        assertProblem(composeProblems(["services", "mesh-orchestrator", "command"], ["mesh-planner", "--drain-seconds", "20"]),
                      contains: "executable mesh-planner is not a product")
    }

    func testComposeRejectsARoleOutsideTheCatalog() {
        assertProblem(composeProblems(["services", "mesh-agent-ux", "command"], ["mesh-agent", "--role", "wizard", "--drain-seconds", "20"]),
                      contains: "--role wizard is not an agent role")
        assertProblem(composeProblems(["services", "mesh-agent-ux", "command"], ["mesh-agent", "--role", "reviewer", "--drain-seconds", "20"]),
                      contains: "--role reviewer is not an agent role")
    }

    func testComposeRejectsATopicOutsideTheCatalog() {
        assertProblem(composeProblems(["services", "topic-init", "command"], ["meshctl", "tail", "--topic", "mesh.taskz.coding"]),
                      contains: "topic mesh.taskz.coding is not in the catalog")
        assertProblem(composeProblems(["services", "mesh-reviewer", "environment", "EXTRA_TOPIC"], "mesh.review.requests"),
                      contains: "topic mesh.review.requests is not in the catalog")
    }

    func testComposeRejectsAWorkerWithAContainerName() {
        assertProblem(composeProblems(["services", "mesh-reviewer", "container_name"], "reviewer"), contains: "must not set container_name")
    }

    func testComposeRejectsAWorkerWithAHostPort() {
        assertProblem(composeProblems(["services", "mesh-reviewer", "ports"], ["9464:9464"]), contains: "must not publish host ports")
    }

    func testComposeRejectsAFixedInstanceID() {
        assertProblem(composeProblems(["services", "mesh-reviewer", "environment", "AGENTMESH_INSTANCE"], "reviewer-1"),
                      contains: "fixed instance id")
        assertProblem(composeProblems(["services", "mesh-reviewer", "hostname"], "reviewer"), contains: "must not set hostname")
    }

    func testComposeRejectsAGracePeriodShorterThanTheDrain() {
        assertProblem(composeProblems(["services", "mesh-agent-coding", "stop_grace_period"], "30s"),
                      contains: "stop_grace_period 30s < drain 40s")
        assertProblem(composeProblems(["services", "mesh-reviewer", "stop_grace_period"], nil), contains: "stop_grace_period 10s")
    }

    func testComposeRejectsAHealthCheckOffTheHealthPort() {
        assertProblem(composeProblems(["services", "mesh-compliance", "healthcheck", "test"], ["CMD", "curl", "-f", "http://127.0.0.1:8080/readyz"]),
                      contains: "health check does not probe")
        assertProblem(composeProblems(["services", "mesh-compliance", "healthcheck"], nil), contains: "no health check")
    }

    func testComposeRejectsMissingStartOrder() {
        assertProblem(composeProblems(["services", "mesh-audit-sink", "depends_on", "topic-init"], nil),
                      contains: "depends_on topic-init must be service_completed_successfully")
        assertProblem(composeProblems(["services", "mesh-audit-sink", "depends_on", "kafka", "condition"], "service_started"),
                      contains: "depends_on kafka must be service_healthy")
    }

    func testComposeRejectsARoleThatExportsNoTraces() {
        assertProblem(composeProblems(["services", "mesh-reviewer", "environment", "OTEL_EXPORTER_OTLP_ENDPOINT"], nil),
                      contains: "mesh-reviewer: OTEL_EXPORTER_OTLP_ENDPOINT must be")
        assertProblem(composeProblems(["services", "mesh-agent-ux", "environment", "OTEL_TRACES_EXPORTER"], "none"),
                      contains: "OTEL_TRACES_EXPORTER must default to otlp")
        assertProblem(composeProblems(["services", "jaeger", "expose"], ["4317"]),
                      contains: "names jaeger:4318, which no service exposes")
    }

    func testComposeRejectsAMissingRole() {
        assertProblem(composeProblems(["services", "mesh-agent-discovery"], nil), contains: "no service runs role discovery")
    }

    // MARK: Kubernetes rules fail on bad fixtures

    private func index(of kind: String, named name: String) -> Int {
        kubernetes.firstIndex { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }!
    }

    private func kubernetesProblems(_ kind: String, _ name: String, _ path: [Any], _ value: Any?) -> [String] {
        var documents = kubernetes!
        let position = index(of: kind, named: name)
        documents[position] = setting(documents[position], path, value) as! [String: Any]
        return context.checkKubernetes(documents)
    }

    private let container: [Any] = ["spec", "template", "spec", "containers", 0]

    func testScaledObjectMaxReplicasMustEqualThePartitionCount() {
        assertProblem(kubernetesProblems("ScaledObject", "mesh-reviewer", ["spec", "maxReplicaCount"], 20),
                      contains: "maxReplicaCount 20 is not the partition count 12")
        assertProblem(kubernetesProblems("ScaledObject", "mesh-agent-coding", ["spec", "maxReplicaCount"], 12),
                      contains: "maxReplicaCount 12 is not the partition count 6")
    }

    func testScaledObjectGroupMustBeTheRoleGroup() {
        assertProblem(kubernetesProblems("ScaledObject", "mesh-reviewer", ["spec", "triggers", 0, "metadata", "consumerGroup"], "reviewers"),
                      contains: "consumerGroup reviewers is not mesh-reviewer")
        assertProblem(kubernetesProblems("ScaledObject", "mesh-audit-sink", ["spec", "triggers", 3, "metadata", "consumerGroup"], "mesh-audit"),
                      contains: "consumerGroup mesh-audit is not audit-sink")
    }

    func testScaledObjectTopicMustBeConsumedByTheRoleAndDeclared() {
        assertProblem(kubernetesProblems("ScaledObject", "mesh-agent-coding", ["spec", "triggers", 0, "metadata", "topic"], "mesh.results"),
                      contains: "role coding does not consume mesh.results")
        assertProblem(kubernetesProblems("ScaledObject", "mesh-agent-coding", ["spec", "triggers", 0, "metadata", "topic"], "mesh.tasks.legal"),
                      contains: "topic mesh.tasks.legal is not in the catalog")
    }

    func testScaledObjectMustTargetARoleDeploymentAndEveryRoleIsScaled() {
        assertProblem(kubernetesProblems("ScaledObject", "mesh-compliance", ["spec", "scaleTargetRef", "name"], "mesh-complaince"),
                      contains: "scaleTargetRef names no role Deployment")
        var documents = kubernetes!
        documents.remove(at: index(of: "ScaledObject", named: "mesh-agent-ux"))
        assertProblem(context.checkKubernetes(documents), contains: "Deployment mesh-agent-ux: no KEDA ScaledObject")
    }

    func testScaledObjectBootstrapMustMatchTheConfigMap() {
        assertProblem(kubernetesProblems("ScaledObject", "mesh-reviewer", ["spec", "triggers", 0, "metadata", "bootstrapServers"], "other:9092"),
                      contains: "bootstrapServers differs")
    }

    func testDeploymentGraceMustCoverTheDrain() {
        assertProblem(kubernetesProblems("Deployment", "mesh-agent-testing", ["spec", "template", "spec", "terminationGracePeriodSeconds"], 40),
                      contains: "terminationGracePeriodSeconds 40 < drain 40 + 5")
        // Unset means Kubernetes' default of 30 s: too short for an agent draining 40 s.
        assertProblem(kubernetesProblems("Deployment", "mesh-agent-ux", ["spec", "template", "spec", "terminationGracePeriodSeconds"], nil),
                      contains: "terminationGracePeriodSeconds 30 < drain 40 + 5")
    }

    func testDeploymentProbesMustHitTheHealthEndpoints() {
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["readinessProbe", "httpGet", "port"], 8080),
                      contains: "readinessProbe does not point at the health port 9464")
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["livenessProbe", "httpGet", "port"], "metrics"),
                      contains: "livenessProbe does not point at the health port")
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["livenessProbe", "httpGet", "path"], "/healthz"),
                      contains: "livenessProbe path is not /livez")
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["readinessProbe"], nil),
                      contains: "no readinessProbe")
        assertProblem(kubernetesProblems("ConfigMap", "agentmesh-config", ["data", "AGENTMESH_HEALTH_PORT"], "9100"),
                      contains: "AGENTMESH_HEALTH_PORT 9100 is not 9464")
    }

    func testDeploymentCommandMustBeAProductWithACatalogRole() {
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["args", 0], "mesh-review"),
                      contains: "executable mesh-review is not a product")
        assertProblem(kubernetesProblems("Deployment", "mesh-agent-ux", container + ["args", 2], "design"),
                      contains: "--role design is not an agent role")
    }

    func testDeploymentInstanceIDMustBeThePodName() {
        assertProblem(kubernetesProblems("Deployment", "mesh-reviewer", container + ["env", 0, "valueFrom", "fieldRef", "fieldPath"], "spec.nodeName"),
                      contains: "AGENTMESH_INSTANCE must come from the pod name")
    }

    func testTheConsoleIsProbedOnItsPortAndServedAndSharesItsSecrets() {
        assertProblem(kubernetesProblems("Deployment", "mesh-console", container + ["readinessProbe", "httpGet", "port"], 9464),
                      contains: "readinessProbe does not point at the console port 8080")
        assertProblem(kubernetesProblems("Deployment", "mesh-console", container + ["livenessProbe", "httpGet", "path"], "/healthz"),
                      contains: "livenessProbe path is not /livez")
        assertProblem(kubernetesProblems("Deployment", "mesh-console", container + ["args", 3], "127.0.0.1"),
                      contains: "must listen on 0.0.0.0")
        assertProblem(kubernetesProblems("Deployment", "mesh-console", container + ["args", 8], "--no-such-flag"),
                      contains: "--session-secret-file is required")
        assertProblem(kubernetesProblems("Service", "mesh-console", ["spec", "ports", 0, "targetPort"], 9090),
                      contains: "no Service selects its pods with targetPort 8080")
        assertProblem(kubernetesProblems("Service", "mesh-console", ["spec", "selector", "app.kubernetes.io/component"], "mesh-reviewer"),
                      contains: "no Service selects its pods")
        assertProblem(kubernetesProblems("Deployment", "mesh-console", container + ["env", 0, "valueFrom", "fieldRef", "fieldPath"], "spec.nodeName"),
                      contains: "AGENTMESH_INSTANCE must come from the pod name")
    }

    func testDeploymentNeedsResources() {
        assertProblem(kubernetesProblems("Deployment", "mesh-orchestrator", container + ["resources", "limits"], nil),
                      contains: "resource requests and limits are required")
    }
}

// MARK: Fixture editing

/// Converts Yams' `[AnyHashable: Any]` mappings to `[String: Any]` all the way down.
func normalized(_ value: Any) -> Any {
    if let map = yamlMap(value) { return map.mapValues { normalized($0) } }
    if let list = value as? [Any] { return list.map { normalized($0) } }
    return value
}

/// A copy of `root` with the value at `path` (String keys, Int indices) replaced, or removed
/// when `value` is nil.
func setting(_ root: Any, _ path: [Any], _ value: Any?) -> Any {
    guard let head = path.first else { return value as Any }
    let rest = Array(path.dropFirst())
    if let key = head as? String, var map = root as? [String: Any] {
        if rest.isEmpty {
            map[key] = value
        } else {
            map[key] = setting(map[key] ?? [String: Any](), rest, value)
        }
        return map
    }
    if let position = head as? Int, var list = root as? [Any], position < list.count {
        if rest.isEmpty {
            if let value { list[position] = value } else { list.remove(at: position) }
        } else {
            list[position] = setting(list[position], rest, value)
        }
        return list
    }
    return root
}
