import Foundation
import MeshCatalog
import Yams

// Rules the deployment artifacts (Compose/compose.yaml, Compose/k8s/**) must follow, written
// as functions from parsed YAML to a list of violations so every rule can be shown to fail on
// a bad fixture. Each violation names the service or resource and the rule.

/// What the rules check against: the SwiftPM products and the topic catalog.
struct DeploymentContext {
    var products: Set<String>
    var catalog: Catalog
    var healthPort = 9464
    /// Seconds a process needs after its drain to commit and leave the group.
    var graceMargin = 5

    /// Executable products declared in Package.swift (`.executable(name: "…"`).
    static func products(packageManifest text: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\.executable\(\s*name:\s*"([^"]+)""#)
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        })
    }

    /// Container entry point aliases (Compose/docker-entrypoint.sh) and what they run.
    static let entrypointAliases: [String: String] = [
        "orchestrator": "mesh-orchestrator", "agent": "mesh-agent", "reviewer": "mesh-reviewer",
        "compliance": "mesh-compliance", "audit-sink": "mesh-audit-sink", "console": "mesh-console",
        "keys-init": "meshctl", "unpack-keys": "meshctl",
    ]

    /// The executable an argv runs (resolving entry point aliases), or nil if none applies.
    func executable(of argv: [String]) -> String? {
        guard let first = argv.first else { return nil }
        let name = Self.entrypointAliases[first] ?? (first as NSString).lastPathComponent
        return name
    }

    /// The catalog role a role executable serves (nil for meshctl or unknown).
    func role(executable: String, argv: [String]) -> String? {
        switch executable {
        case "mesh-agent": return argv.value(after: "--role")
        case "mesh-orchestrator": return "orchestrator"
        case "mesh-reviewer": return "reviewer"
        case "mesh-compliance": return "compliance"
        case "mesh-audit-sink": return catalog.roles.first { $0.kind == .audit }?.name
        default: return nil
        }
    }

    /// The consumer group of a role: `mesh-<role>`, the audit role's own name.
    func consumerGroup(role: String) -> String {
        catalog.role(named: role)?.kind == .audit ? role : "mesh-\(role)"
    }

    static let roleExecutables: Set<String> = [
        "mesh-orchestrator", "mesh-agent", "mesh-reviewer", "mesh-compliance", "mesh-audit-sink",
    ]

    // MARK: Shared argv rules

    /// Executable is a product, `--role` is a catalog agent role, every topic named is declared.
    func checkArgv(_ argv: [String], owner: String) -> [String] {
        var problems: [String] = []
        guard let executable = executable(of: argv) else { return ["\(owner): no command"] }
        if !products.contains(executable) {
            problems.append("\(owner): executable \(executable) is not a product of Package.swift")
        }
        if let role = argv.value(after: "--role") {
            if catalog.role(named: role)?.kind != .agent {
                problems.append("\(owner): --role \(role) is not an agent role of the catalog")
            }
        } else if executable == "mesh-agent" {
            problems.append("\(owner): mesh-agent without --role")
        }
        for name in topicNames(in: argv) where catalog.topic(named: name) == nil {
            problems.append("\(owner): topic \(name) is not in the catalog")
        }
        return problems
    }

    /// Words that name topics: values of --topic, and anything shaped like `mesh.<x>` that is
    /// not a file name.
    func topicNames(in strings: [String]) -> [String] {
        var names: [String] = strings.value(after: "--topic").map { [$0] } ?? []
        let pattern = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_/-])mesh\.[a-z0-9][a-z0-9._-]*"#)
        for text in strings {
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                guard let found = Range(match.range, in: text) else { continue }
                var name = String(text[found])
                while name.hasSuffix(".") { name.removeLast() }
                if name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".swift") { continue }
                names.append(name)
            }
        }
        return Array(Set(names)).sorted()
    }

    /// `OTEL_TRACES_EXPORTER` defaults to otlp and the endpoint is a service of this file that
    /// exposes the OTLP/HTTP port.
    func checkTraceExport(_ environment: [String: String], owner: String, services: [String: Any]) -> [String] {
        var problems: [String] = []
        let exporter = environment["OTEL_TRACES_EXPORTER"] ?? ""
        if !(exporter == "otlp" || exporter.hasSuffix(":-otlp}")) {
            problems.append("\(owner): OTEL_TRACES_EXPORTER must default to otlp (is \"\(exporter)\")")
        }
        guard let endpoint = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], let url = URL(string: endpoint),
              let host = url.host, let port = url.port
        else { return problems + ["\(owner): OTEL_EXPORTER_OTLP_ENDPOINT must be an http://service:port URL"] }
        let exposed = dictionary(services[host]).map { (strings($0["expose"]) ?? []).contains(String(port)) } ?? false
        if !exposed { problems.append("\(owner): OTEL_EXPORTER_OTLP_ENDPOINT names \(host):\(port), which no service exposes") }
        return problems
    }

    func drainSeconds(_ argv: [String]) -> Double {
        argv.value(after: "--drain-seconds").flatMap(Double.init) ?? 20  // RoleOptions default
    }

    // MARK: Compose

    func checkCompose(_ root: [String: Any]) -> [String] {
        var problems: [String] = []
        guard let services = dictionary(root["services"]) else { return ["compose: no services"] }
        let allStrings = scalars(in: root)
        for name in topicNames(in: allStrings) where catalog.topic(named: name) == nil {
            problems.append("compose: topic \(name) is not in the catalog")
        }
        var rolesRun: Set<String> = []
        for (serviceName, value) in services.sorted(by: { $0.key < $1.key }) {
            let owner = "compose service \(serviceName)"
            guard let service = dictionary(value) else { continue }
            let image = service["image"] as? String ?? ""
            guard image.contains("agentmesh") else { continue }
            guard let argv = strings(service["command"]), !argv.isEmpty else {
                problems.append("\(owner): an agentmesh service needs an explicit command")
                continue
            }
            problems += checkArgv(argv, owner: owner)
            guard let executable = executable(of: argv), Self.roleExecutables.contains(executable) else { continue }
            if let role = role(executable: executable, argv: argv) { rolesRun.insert(role) }
            // A worker: scalable, so nothing fixed per container.
            if service["container_name"] != nil { problems.append("\(owner): a worker must not set container_name") }
            if service["ports"] != nil { problems.append("\(owner): a worker must not publish host ports") }
            if service["hostname"] != nil { problems.append("\(owner): a worker must not set hostname (instance ids must differ)") }
            let environment = environmentMap(service["environment"])
            if environment["AGENTMESH_INSTANCE"] != nil || argv.contains("--instance") {
                problems.append("\(owner): a fixed instance id breaks scaling; the entry point uses the container host name")
            }
            let port = environment["AGENTMESH_HEALTH_PORT"].flatMap(Int.init) ?? healthPort
            if port != healthPort { problems.append("\(owner): AGENTMESH_HEALTH_PORT \(port) is not \(healthPort)") }
            // Every role on RoleWorker exports its spans to the Compose trace backend (the
            // audit sink runs its own loop and exports none yet).
            if executable != "mesh-audit-sink" {
                problems += checkTraceExport(environment, owner: owner, services: services)
            }
            if let check = dictionary(service["healthcheck"]), let test = strings(check["test"]) {
                let joined = test.joined(separator: " ")
                if !(joined.contains(":\(port)/readyz") || joined.contains(":\(port)/livez")) {
                    problems.append("\(owner): health check does not probe /readyz or /livez on port \(port)")
                }
            } else {
                problems.append("\(owner): no health check")
            }
            let grace = durationSeconds(service["stop_grace_period"]) ?? 10  // Compose default
            if grace < drainSeconds(argv) + Double(graceMargin) {
                problems.append("\(owner): stop_grace_period \(Int(grace))s < drain \(Int(drainSeconds(argv)))s + \(graceMargin)s")
            }
            let conditions = dependsOnConditions(service["depends_on"])
            for (dependency, condition) in [("kafka", "service_healthy"), ("topic-init", "service_completed_successfully"),
                                            ("keys-init", "service_completed_successfully")]
            where conditions[dependency] != condition {
                problems.append("\(owner): depends_on \(dependency) must be \(condition)")
            }
        }
        let expected = Set(catalog.roles.filter { [.orchestrator, .agent, .reviewer, .compliance, .audit].contains($0.kind) }.map(\.name))
        for missing in expected.subtracting(rolesRun).sorted() {
            problems.append("compose: no service runs role \(missing)")
        }
        return problems
    }

    // MARK: Kubernetes

    /// `documents`: every manifest document; `configMapHealthPort`: AGENTMESH_HEALTH_PORT from the ConfigMap.
    func checkKubernetes(_ documents: [[String: Any]]) -> [String] {
        var problems: [String] = []
        let configData = documents.first { $0["kind"] as? String == "ConfigMap" }.flatMap { dictionary($0["data"]) } ?? [:]
        let bootstrap = configData["AGENTMESH_BOOTSTRAP"] as? String
        if let port = (configData["AGENTMESH_HEALTH_PORT"] as? String).flatMap(Int.init), port != healthPort {
            problems.append("ConfigMap: AGENTMESH_HEALTH_PORT \(port) is not \(healthPort)")
        }
        var deploymentRoles: [String: String] = [:]
        for document in documents {
            let name = dictionary(document["metadata"])?["name"] as? String ?? "?"
            let allStrings = scalars(in: document)
            for topic in topicNames(in: allStrings) where catalog.topic(named: topic) == nil {
                problems.append("\(document["kind"] ?? "?") \(name): topic \(topic) is not in the catalog")
            }
            guard document["kind"] as? String == "Deployment" else { continue }
            let owner = "Deployment \(name)"
            let podSpec = dictionary(dictionary(dictionary(document["spec"])?["template"])?["spec"]) ?? [:]
            let containers = (podSpec["containers"] as? [Any] ?? []).compactMap { dictionary($0) }
            guard let container = containers.first else {
                problems.append("\(owner): no container")
                continue
            }
            let argv = (strings(container["command"]) ?? []) + (strings(container["args"]) ?? [])
            problems += checkArgv(argv, owner: owner)
            guard let executable = executable(of: argv) else { continue }
            if executable == "mesh-console" {
                problems += checkConsole(document, container: container, argv: argv, owner: owner, documents: documents)
                continue
            }
            if let role = role(executable: executable, argv: argv) { deploymentRoles[name] = role }
            let grace = (podSpec["terminationGracePeriodSeconds"] as? Int).map(Double.init) ?? 30  // Kubernetes default
            if grace < drainSeconds(argv) + Double(graceMargin) {
                problems.append("\(owner): terminationGracePeriodSeconds \(Int(grace)) < drain \(Int(drainSeconds(argv))) + \(graceMargin)")
            }
            let ports = (container["ports"] as? [Any] ?? []).compactMap { dictionary($0) }
            for (probe, path) in [("livenessProbe", "/livez"), ("readinessProbe", "/readyz")] {
                guard let get = dictionary(dictionary(container[probe])?["httpGet"]) else {
                    problems.append("\(owner): no \(probe) httpGet")
                    continue
                }
                if get["path"] as? String != path { problems.append("\(owner): \(probe) path is not \(path)") }
                let port: Int? = (get["port"] as? Int) ?? ports.first { $0["name"] as? String == get["port"] as? String }?["containerPort"] as? Int
                if port != healthPort { problems.append("\(owner): \(probe) does not point at the health port \(healthPort)") }
            }
            let environment = (container["env"] as? [Any] ?? []).compactMap { dictionary($0) }
            let instance = environment.first { $0["name"] as? String == "AGENTMESH_INSTANCE" }
            let fieldPath = dictionary(dictionary(instance?["valueFrom"])?["fieldRef"])?["fieldPath"] as? String
            if fieldPath != "metadata.name" {
                problems.append("\(owner): AGENTMESH_INSTANCE must come from the pod name (fieldRef metadata.name)")
            }
            let resources = dictionary(container["resources"])
            if dictionary(resources?["requests"]) == nil || dictionary(resources?["limits"]) == nil {
                problems.append("\(owner): resource requests and limits are required")
            }
        }
        var scaled: Set<String> = []
        for document in documents where document["kind"] as? String == "ScaledObject" {
            let name = dictionary(document["metadata"])?["name"] as? String ?? "?"
            let owner = "ScaledObject \(name)"
            let spec = dictionary(document["spec"]) ?? [:]
            guard let target = dictionary(spec["scaleTargetRef"])?["name"] as? String, let role = deploymentRoles[target] else {
                problems.append("\(owner): scaleTargetRef names no role Deployment")
                continue
            }
            scaled.insert(target)
            let triggers = (spec["triggers"] as? [Any] ?? []).compactMap { dictionary($0) }
            if triggers.isEmpty { problems.append("\(owner): no triggers") }
            var partitions: [Int] = []
            for trigger in triggers {
                let metadata = dictionary(trigger["metadata"]) ?? [:]
                if trigger["type"] as? String != "kafka" { problems.append("\(owner): trigger type must be kafka") }
                let group = metadata["consumerGroup"] as? String
                if group != consumerGroup(role: role) {
                    problems.append("\(owner): consumerGroup \(group ?? "none") is not \(consumerGroup(role: role))")
                }
                if let bootstrap, metadata["bootstrapServers"] as? String != bootstrap {
                    problems.append("\(owner): bootstrapServers differs from the ConfigMap's AGENTMESH_BOOTSTRAP")
                }
                if metadata["lagThreshold"] == nil { problems.append("\(owner): no lagThreshold") }
                guard let topicName = metadata["topic"] as? String, let topic = catalog.topic(named: topicName) else {
                    problems.append("\(owner): trigger topic missing or not in the catalog")
                    continue
                }
                if !topic.consumers.contains(role) {
                    problems.append("\(owner): role \(role) does not consume \(topicName)")
                }
                partitions.append(topic.partitions)
            }
            let maximum = spec["maxReplicaCount"] as? Int
            if let most = partitions.max(), maximum != most {
                problems.append("\(owner): maxReplicaCount \(maximum.map(String.init) ?? "unset") is not the partition count \(most)")
            }
        }
        for name in Set(deploymentRoles.keys).subtracting(scaled).sorted() {
            problems.append("Deployment \(name): no KEDA ScaledObject scales it")
        }
        return problems
    }

    /// The console is an HTTP service, not a consumer: probes on its own port, a Service in
    /// front of it, listening on all interfaces, and what replicas must share (users file,
    /// session secret) given as files. It is scaled by replicas, not KEDA.
    func checkConsole(_ document: [String: Any], container: [String: Any], argv: [String], owner: String,
                      documents: [[String: Any]]) -> [String] {
        var problems: [String] = []
        if argv.value(after: "--host") != "0.0.0.0" { problems.append("\(owner): the console must listen on 0.0.0.0 (--host)") }
        let port = argv.value(after: "--port").flatMap(Int.init) ?? 8080
        for flag in ["--users", "--session-secret-file"] where argv.value(after: flag) == nil {
            problems.append("\(owner): \(flag) is required (replicas share the users file and the session secret)")
        }
        if argv.contains("--insecure-cookies") { problems.append("\(owner): --insecure-cookies is for local use only") }
        let ports = (container["ports"] as? [Any] ?? []).compactMap { dictionary($0) }
        func resolve(_ value: Any?) -> Int? {
            (value as? Int) ?? ports.first { $0["name"] as? String == value as? String }?["containerPort"] as? Int
        }
        for (probe, path) in [("livenessProbe", "/livez"), ("readinessProbe", "/readyz")] {
            guard let get = dictionary(dictionary(container[probe])?["httpGet"]) else {
                problems.append("\(owner): no \(probe) httpGet")
                continue
            }
            if get["path"] as? String != path { problems.append("\(owner): \(probe) path is not \(path)") }
            if resolve(get["port"]) != port { problems.append("\(owner): \(probe) does not point at the console port \(port)") }
        }
        let environment = (container["env"] as? [Any] ?? []).compactMap { dictionary($0) }
        let instance = environment.first { $0["name"] as? String == "AGENTMESH_INSTANCE" }
        if dictionary(dictionary(instance?["valueFrom"])?["fieldRef"])?["fieldPath"] as? String != "metadata.name" {
            problems.append("\(owner): AGENTMESH_INSTANCE must come from the pod name (fieldRef metadata.name)")
        }
        let resources = dictionary(container["resources"])
        if dictionary(resources?["requests"]) == nil || dictionary(resources?["limits"]) == nil {
            problems.append("\(owner): resource requests and limits are required")
        }
        let labels = dictionary(dictionary(dictionary(dictionary(document["spec"])?["template"])?["metadata"])?["labels"]) ?? [:]
        let services = documents.filter { candidate in
            guard candidate["kind"] as? String == "Service", let selector = dictionary(dictionary(candidate["spec"])?["selector"]),
                  !selector.isEmpty else { return false }
            return selector.allSatisfy { labels[$0.key] as? String == $0.value as? String }
        }
        let served = services.contains { service in
            (dictionary(service["spec"])?["ports"] as? [Any] ?? []).compactMap { dictionary($0) }.contains { resolve($0["targetPort"]) == port }
        }
        if !served { problems.append("\(owner): no Service selects its pods with targetPort \(port)") }
        return problems
    }

    // MARK: YAML helpers

    func dictionary(_ value: Any?) -> [String: Any]? { yamlMap(value) }

    /// A command in list form, or a string split on spaces.
    func strings(_ value: Any?) -> [String]? {
        if let list = value as? [Any] { return list.map { "\($0)" } }
        if let text = value as? String { return text.split(separator: " ").map(String.init) }
        return nil
    }

    func scalars(in value: Any?) -> [String] {
        if let map = dictionary(value) { return map.values.flatMap { scalars(in: $0) } }
        if let list = value as? [Any] { return list.flatMap { scalars(in: $0) } }
        if let text = value as? String { return [text] }
        return []
    }

    /// Compose `environment` as a map or a `KEY=value` list.
    func environmentMap(_ value: Any?) -> [String: String] {
        if let map = dictionary(value) { return map.mapValues { "\($0)" } }
        var result: [String: String] = [:]
        for item in strings(value) ?? [] {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    func dependsOnConditions(_ value: Any?) -> [String: String] {
        if let list = value as? [Any] { return Dictionary(uniqueKeysWithValues: list.map { ("\($0)", "service_started") }) }
        return (dictionary(value) ?? [:]).mapValues { dictionary($0)?["condition"] as? String ?? "service_started" }
    }

    /// Compose durations: `35s`, `1m30s`, `500ms`, or a number of seconds.
    func durationSeconds(_ value: Any?) -> Double? {
        if let number = value as? Int { return Double(number) }
        guard let text = value as? String else { return nil }
        var total = 0.0
        var digits = ""
        var unit = ""
        func flush() -> Bool {
            guard let amount = Double(digits) else { return false }
            switch unit {
            case "h": total += amount * 3600
            case "m": total += amount * 60
            case "s", "": total += amount
            case "ms": total += amount / 1000
            default: return false
            }
            digits = ""
            unit = ""
            return true
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty, !flush() { return nil }
                digits.append(character)
            } else {
                unit.append(character)
            }
        }
        return flush() ? total : nil
    }
}

/// A YAML mapping as `[String: Any]` (Yams gives `[AnyHashable: Any]`).
func yamlMap(_ value: Any?) -> [String: Any]? {
    if let map = value as? [String: Any] { return map }
    if let map = value as? [AnyHashable: Any] {
        return Dictionary(uniqueKeysWithValues: map.map { ("\($0.key)", $0.value) })
    }
    return nil
}

extension Array where Element == String {
    /// The element after `flag` (`--role coding`), or the part after `=` (`--role=coding`).
    func value(after flag: String) -> String? {
        if let index = firstIndex(of: flag), index + 1 < count { return self[index + 1] }
        return first { $0.hasPrefix(flag + "=") }.map { String($0.dropFirst(flag.count + 1)) }
    }
}

/// Loading the real artifacts.
enum DeploymentFiles {
    static var root: URL { repositoryRootURL() }

    static func repositoryRootURL(_ filePath: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    static func context() throws -> DeploymentContext {
        DeploymentContext(
            products: DeploymentContext.products(packageManifest: try text("Package.swift")),
            catalog: try CatalogLoader.load(directory: root.appendingPathComponent("Topics", isDirectory: true)))
    }

    static func yamlDocuments(_ text: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: text).compactMap { yamlMap($0) }
    }

    /// The manifests the kustomization lists, in order.
    static func kubernetesDocuments() throws -> [[String: Any]] {
        let kustomization = try yamlDocuments(text("Compose/k8s/kustomization.yaml")).first ?? [:]
        let resources = (kustomization["resources"] as? [Any] ?? []).map { "\($0)" }
        return try resources.flatMap { try yamlDocuments(text("Compose/k8s/\($0)")) }
    }
}
