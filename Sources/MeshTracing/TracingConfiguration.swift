import Foundation

/// Trace export as the standard `OTEL_*` environment variables configure it.
///
/// Read by every executable at start; `nil` from ``fromEnvironment(_:serviceName:)`` means
/// tracing is off (the default), and then no span is ever created.
public struct TracingConfiguration: Sendable, Equatable {
    /// Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, or
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces` (default `http://localhost:4318`).
    public var endpoint: String
    public var headers: [(name: String, value: String)]
    /// Resource attributes, `service.name` included.
    public var resource: [SpanAttributeValue]
    public var sampler: TraceSampler
    /// Spans waiting for export at most (`OTEL_BSP_MAX_QUEUE_SIZE`); beyond it new spans
    /// are dropped and counted, never waited for.
    public var maxQueueSize = 8192
    /// Spans per request at most (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
    public var maxExportBatchSize = 512
    /// How often queued spans are sent (`OTEL_BSP_SCHEDULE_DELAY`, milliseconds).
    public var scheduleDelay: Duration = .milliseconds(1000)
    /// How long one request may take (`OTEL_EXPORTER_OTLP_TIMEOUT`, milliseconds).
    public var exportTimeout: Duration = .milliseconds(10_000)

    public var serviceName: String {
        for attribute in resource where attribute.key == "service.name" {
            if case .string(let name) = attribute.value { return name }
        }
        return ""
    }

    public init(endpoint: String, serviceName: String, sampler: TraceSampler = .parentBased(root: .alwaysOn)) {
        self.endpoint = endpoint
        self.headers = []
        self.resource = [SpanAttributeValue("service.name", .string(serviceName))]
        self.sampler = sampler
    }

    public static func == (lhs: TracingConfiguration, rhs: TracingConfiguration) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.headers.elementsEqual(rhs.headers, by: { $0 == $1 })
            && lhs.resource == rhs.resource && lhs.sampler == rhs.sampler && lhs.maxQueueSize == rhs.maxQueueSize
            && lhs.maxExportBatchSize == rhs.maxExportBatchSize && lhs.scheduleDelay == rhs.scheduleDelay
            && lhs.exportTimeout == rhs.exportTimeout
    }

    /// The configuration `environment` asks for; `nil` when traces are not exported
    /// (`OTEL_TRACES_EXPORTER` unset or `none`, or `OTEL_SDK_DISABLED=true`).
    /// `serviceName` is the default of `OTEL_SERVICE_NAME` (the role).
    public static func fromEnvironment(_ environment: [String: String], serviceName: String) throws(TracingConfigurationError)
        -> TracingConfiguration?
    {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return nil }
        switch value("OTEL_TRACES_EXPORTER")?.lowercased() ?? "none" {
        case "none": return nil
        case "otlp": break
        case let other:
            throw .unsupported(variable: "OTEL_TRACES_EXPORTER", value: other, supported: "otlp, none")
        }
        let protocolName = value("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? value("OTEL_EXPORTER_OTLP_PROTOCOL")
        if let protocolName, protocolName != "http/json" {
            throw .unsupported(variable: "OTEL_EXPORTER_OTLP_PROTOCOL", value: protocolName, supported: "http/json")
        }
        let endpoint: String
        if let traces = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = traces
        } else {
            let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") ?? "http://localhost:4318"
            endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
        }
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw .invalid(variable: "OTEL_EXPORTER_OTLP_ENDPOINT", value: endpoint, expected: "an http:// or https:// URL")
        }
        var configuration = TracingConfiguration(endpoint: endpoint, serviceName: serviceName)
        configuration.headers = try keyValueList(
            value("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ?? value("OTEL_EXPORTER_OTLP_HEADERS"),
            variable: "OTEL_EXPORTER_OTLP_HEADERS")
        var resource = try keyValueList(value("OTEL_RESOURCE_ATTRIBUTES"), variable: "OTEL_RESOURCE_ATTRIBUTES")
        resource.removeAll { $0.name == "service.name" && value("OTEL_SERVICE_NAME") != nil }
        if !resource.contains(where: { $0.name == "service.name" }) {
            resource.append((name: "service.name", value: value("OTEL_SERVICE_NAME") ?? serviceName))
        }
        configuration.resource = resource.map { SpanAttributeValue($0.name, .string($0.value)) }
            .sorted { $0.key < $1.key }
        configuration.sampler = try sampler(value("OTEL_TRACES_SAMPLER"), argument: value("OTEL_TRACES_SAMPLER_ARG"))
        if let size = try positive(value("OTEL_BSP_MAX_QUEUE_SIZE"), "OTEL_BSP_MAX_QUEUE_SIZE") {
            configuration.maxQueueSize = size
        }
        if let size = try positive(value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), "OTEL_BSP_MAX_EXPORT_BATCH_SIZE") {
            configuration.maxExportBatchSize = size
        }
        if let millis = try positive(value("OTEL_BSP_SCHEDULE_DELAY"), "OTEL_BSP_SCHEDULE_DELAY") {
            configuration.scheduleDelay = .milliseconds(millis)
        }
        if let millis = try positive(
            value("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? value("OTEL_EXPORTER_OTLP_TIMEOUT"), "OTEL_EXPORTER_OTLP_TIMEOUT")
        {
            configuration.exportTimeout = .milliseconds(millis)
        }
        return configuration
    }

    private static func sampler(_ name: String?, argument: String?) throws(TracingConfigurationError) -> TraceSampler {
        func ratio() throws(TracingConfigurationError) -> Double {
            guard let argument else { return 1 }
            guard let ratio = Double(argument), (0...1).contains(ratio) else {
                throw .invalid(variable: "OTEL_TRACES_SAMPLER_ARG", value: argument, expected: "a number from 0 to 1")
            }
            return ratio
        }
        switch name?.lowercased() ?? "parentbased_always_on" {
        case "always_on": return .alwaysOn
        case "always_off": return .alwaysOff
        case "traceidratio": return .traceIDRatio(try ratio())
        case "parentbased_always_on": return .parentBased(root: .alwaysOn)
        case "parentbased_always_off": return .parentBased(root: .alwaysOff)
        case "parentbased_traceidratio": return .parentBased(root: .traceIDRatio(try ratio()))
        case let other:
            throw .unsupported(
                variable: "OTEL_TRACES_SAMPLER", value: other,
                supported: "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, "
                    + "parentbased_traceidratio")
        }
    }

    /// `key=value,key=value` with percent-encoded values (the W3C Baggage form the
    /// specification uses for headers and resource attributes).
    private static func keyValueList(_ text: String?, variable: String) throws(TracingConfigurationError)
        -> [(name: String, value: String)]
    {
        guard let text else { return [] }
        var result: [(name: String, value: String)] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let name = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !name.isEmpty else {
                throw .invalid(variable: variable, value: String(entry), expected: "key=value pairs separated by commas")
            }
            let raw = parts[1].trimmingCharacters(in: .whitespaces)
            result.append((name: name, value: raw.removingPercentEncoding ?? raw))
        }
        return result
    }

    private static func positive(_ text: String?, _ variable: String) throws(TracingConfigurationError) -> Int? {
        guard let text else { return nil }
        guard let number = Int(text), number > 0 else { throw .invalid(variable: variable, value: text, expected: "a positive integer") }
        return number
    }
}

/// An `OTEL_*` variable the mesh cannot honour; the message names the variable and the fix.
public enum TracingConfigurationError: Error, Equatable, CustomStringConvertible {
    case unsupported(variable: String, value: String, supported: String)
    case invalid(variable: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unsupported(let variable, let value, let supported):
            return "\(variable)=\(value) is not supported; use one of: \(supported)"
        case .invalid(let variable, let value, let expected):
            return "\(variable)=\(value) is not valid; expected \(expected)"
        }
    }
}
