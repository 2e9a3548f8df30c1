import MeshTracing
import XCTest

final class TracingConfigurationTests: XCTestCase {
    private func configuration(_ environment: [String: String]) throws -> TracingConfiguration? {
        try TracingConfiguration.fromEnvironment(environment, serviceName: "coding")
    }

    func testTracingIsOffUnlessTheOTLPExporterIsChosen() throws {
        XCTAssertNil(try configuration([:]))
        XCTAssertNil(try configuration(["OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318"]))
        XCTAssertNil(try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"]))
    }

    func testEndpointDefaultsAndOverrides() throws {
        XCTAssertEqual(try configuration(["OTEL_TRACES_EXPORTER": "otlp"])?.endpoint, "http://localhost:4318/v1/traces")
        XCTAssertEqual(
            try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318/"])?.endpoint,
            "http://jaeger:4318/v1/traces")
        XCTAssertEqual(
            try configuration([
                "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://jaeger:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://tempo:4318/custom",
            ])?.endpoint,
            "http://tempo:4318/custom", "the signal-specific endpoint is used as given")
    }

    func testServiceNameResourceAttributesAndHeaders() throws {
        let defaulted = try XCTUnwrap(configuration(["OTEL_TRACES_EXPORTER": "otlp"]))
        XCTAssertEqual(defaulted.serviceName, "coding", "the role, by default")
        let configured = try XCTUnwrap(configuration([
            "OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "mesh-coding",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored,deployment.environment=staging%20eu",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20abc, X-Tenant = mesh",
        ]))
        XCTAssertEqual(configured.serviceName, "mesh-coding", "OTEL_SERVICE_NAME wins over the resource attribute")
        XCTAssertEqual(configured.resource, [
            SpanAttributeValue("deployment.environment", .string("staging eu")),
            SpanAttributeValue("service.name", .string("mesh-coding")),
        ])
        XCTAssertEqual(configured.headers.map(\.name), ["Authorization", "X-Tenant"])
        XCTAssertEqual(configured.headers.map(\.value), ["Bearer abc", "mesh"])
    }

    func testSamplers() throws {
        func sampler(_ name: String?, _ argument: String? = nil) throws -> TraceSampler? {
            var environment = ["OTEL_TRACES_EXPORTER": "otlp"]
            environment["OTEL_TRACES_SAMPLER"] = name
            environment["OTEL_TRACES_SAMPLER_ARG"] = argument
            return try configuration(environment)?.sampler
        }
        XCTAssertEqual(try sampler(nil), .parentBased(root: .alwaysOn))
        XCTAssertEqual(try sampler("always_on"), .alwaysOn)
        XCTAssertEqual(try sampler("always_off"), .alwaysOff)
        XCTAssertEqual(try sampler("traceidratio", "0.1"), .traceIDRatio(0.1))
        XCTAssertEqual(try sampler("parentbased_traceidratio", "0.5"), .parentBased(root: .traceIDRatio(0.5)))
        XCTAssertThrowsError(try sampler("jaeger_remote")) { error in
            XCTAssertTrue("\(error)".contains("OTEL_TRACES_SAMPLER=jaeger_remote is not supported"), "\(error)")
        }
        XCTAssertThrowsError(try sampler("traceidratio", "2")) { error in
            XCTAssertEqual(error as? TracingConfigurationError,
                           .invalid(variable: "OTEL_TRACES_SAMPLER_ARG", value: "2", expected: "a number from 0 to 1"))
        }
    }

    func testWhatTheExporterCannotDoIsRefusedWithTheVariableNamed() {
        XCTAssertThrowsError(try configuration(["OTEL_TRACES_EXPORTER": "zipkin"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("OTEL_TRACES_EXPORTER=zipkin"), "\(error)")
        }
        XCTAssertThrowsError(try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])) { error in
            XCTAssertTrue("\(error)".contains("use one of: http/json"), "\(error)")
        }
        XCTAssertThrowsError(try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": "jaeger:4318"]))
        XCTAssertThrowsError(try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_HEADERS": "novalue"]))
        XCTAssertThrowsError(try configuration(["OTEL_TRACES_EXPORTER": "otlp", "OTEL_BSP_MAX_QUEUE_SIZE": "0"]))
    }
}
