import Foundation

/// A process's trace export: the tracer its spans start from and the exporter that sends
/// them, as the `OTEL_*` environment configures them.
public struct TracingExport: Sendable {
    public let tracer: MeshTracer
    public let exporter: OTLPHTTPSpanExporter

    /// Starts exporting per `configuration`.
    public init(configuration: TracingConfiguration) {
        let exporter = OTLPHTTPSpanExporter(configuration: configuration)
        self.exporter = exporter
        tracer = MeshTracer(sampler: configuration.sampler) { exporter.submit($0) }
        exporter.start()
    }

    /// The export the process environment asks for, started; `nil` when tracing is off.
    /// `serviceName` is the default `service.name` (the role).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, serviceName: String
    ) throws(TracingConfigurationError) -> TracingExport? {
        try TracingConfiguration.fromEnvironment(environment, serviceName: serviceName).map(TracingExport.init)
    }

    /// Sends what is still queued; call once the process's last span ended. Returns what
    /// became of the spans (exported, dropped on a full queue, failed).
    @discardableResult
    public func shutdown() async -> OTLPHTTPSpanExporter.Counts {
        await exporter.shutdown()
    }
}
