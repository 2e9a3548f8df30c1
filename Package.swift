// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: executables -> libraries -> C shims.
let package = Package(
    name: "AgentMesh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "meshctl", targets: ["meshctl"]),
        .executable(name: "mesh-orchestrator", targets: ["mesh-orchestrator"]),
        .executable(name: "mesh-agent", targets: ["mesh-agent"]),
        .executable(name: "mesh-reviewer", targets: ["mesh-reviewer"]),
        .executable(name: "mesh-compliance", targets: ["mesh-compliance"]),
        .executable(name: "mesh-audit-sink", targets: ["mesh-audit-sink"]),
        .executable(name: "mesh-console", targets: ["mesh-console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // MARK: C shims over system libraries
        .systemLibrary(
            name: "CRdKafka", path: "Sources/CRdKafka",
            pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(
            name: "CProtobufC", path: "Sources/CProtobufC",
            pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL",
            pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite",
            pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // PostgreSQL through libpq keeps the build free of a second TLS stack (BoringSSL).
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ",
            pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // protoc-c output for Proto/agentmesh.proto (generated, committed; `make proto`).
        .target(
            name: "CMeshProto", dependencies: ["CProtobufC"],
            linkerSettings: [.linkedLibrary("protobuf-c")]),

        // MARK: Libraries
        .target(name: "MeshWire", dependencies: ["CMeshProto"], swiftSettings: swift5),
        .target(name: "MeshSigning", dependencies: ["COpenSSL", "MeshWire", "MeshCatalog"], swiftSettings: swift5),
        .target(name: "MeshCatalog", dependencies: ["Yams"], swiftSettings: swift5),
        .target(name: "MeshOrchestration", dependencies: ["MeshCatalog", "MeshWire", "MeshSigning", "MeshLogging", "Yams"], swiftSettings: swift5),
        .target(name: "MeshProcess", swiftSettings: swift5),
        // Spans per hop with ids derived from envelope ids, exported as OTLP/HTTP JSON.
        .target(
            name: "MeshTracing",
            dependencies: [
                "MeshSigning", "MeshWire",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swift5),
        .target(
            name: "MeshAgentHandlers", dependencies: ["MeshWire", "MeshProcess", "MeshSigning"],
            exclude: ["HANDLER_CONTRACT.md"], swiftSettings: swift5),
        .target(name: "MeshRuleFiles", dependencies: ["Yams"], swiftSettings: swift5),
        // Model-backed agents: agent definitions, the two API flavours, the egress guard and
        // the HTTP edge. Only the roles that call models link it (and with it AsyncHTTPClient).
        .target(
            name: "MeshModel",
            dependencies: [
                "MeshAgentHandlers", "MeshReview", "MeshProcess", "MeshRuntime", "MeshWire", "MeshSigning", "MeshCompliance",
                "MeshRuleFiles", "Yams",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swift5),
        .target(name: "MeshReview", dependencies: ["MeshWire", "MeshProcess", "MeshSigning", "MeshRuleFiles", "Yams"], swiftSettings: swift5),
        .target(name: "MeshAudit", dependencies: ["CSQLite", "CLibPQ", "MeshSigning", "MeshCatalog"], swiftSettings: swift5),
        // What mesh-audit-sink does with consumed records (shared with `meshctl bench audit`).
        .target(name: "MeshAuditIngest", dependencies: ["MeshAudit", "MeshCatalog", "MeshTransport", "MeshKafka", "MeshWire", "MeshSigning"], swiftSettings: swift5),
        .target(name: "MeshCompliance", dependencies: ["Yams", "MeshSigning", "MeshRuleFiles"], swiftSettings: swift5),
        .target(
            name: "MeshLogging",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
        .target(
            name: "MeshKafka",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
        .target(
            name: "MeshTransport",
            dependencies: [
                "MeshWire", "MeshSigning", "MeshCatalog", "MeshKafka", "MeshLogging",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),

        .target(
            name: "MeshRuntime",
            dependencies: [
                "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning", "MeshLogging", "MeshTracing",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swift5),
        .target(
            name: "MeshCLI",
            dependencies: [
                "MeshRuntime", "MeshTransport", "MeshKafka", "MeshLogging", "MeshCatalog", "MeshSigning", "MeshTracing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift5),

        // What operator front ends share (meshctl, mesh-console): reading the mesh, approval rules.
        .target(
            name: "MeshOps",
            dependencies: ["MeshCLI", "MeshCatalog", "MeshTransport", "MeshKafka", "MeshOrchestration", "MeshLogging", "MeshSigning", "MeshWire",
                           "MeshAudit", "MeshAuditIngest", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
        // The console's web app: people, sessions, Part 11 signing, pages and the JSON API.
        .target(
            name: "MeshConsole",
            dependencies: ["MeshOps", "MeshAudit", "MeshAuditIngest", "MeshCatalog", "MeshCLI", "MeshCompliance", "MeshTransport", "MeshKafka",
                           "MeshLogging", "MeshSigning", "MeshWire", "COpenSSL",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
        .target(
            name: "MeshBenchmarks",
            dependencies: ["MeshTransport", "MeshKafka", "MeshSigning", "MeshWire", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),

        // MARK: Executables
        .executableTarget(
            name: "meshctl",
            dependencies: [
                "MeshCLI", "MeshOps", "MeshBenchmarks", "MeshRuntime", "MeshTracing", "MeshAudit", "MeshAuditIngest", "MeshOrchestration", "MeshTransport", "Yams", "MeshWire", "MeshSigning", "MeshCatalog", "MeshKafka", "MeshLogging",
                "MeshCompliance", "MeshComplianceEvaluation", "MeshModel", "MeshModelFake",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),

        .executableTarget(
            name: "mesh-orchestrator",
            dependencies: [
                "MeshOrchestration", "MeshRuntime", "MeshCLI", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning",
                "MeshLogging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .executableTarget(
            name: "mesh-agent",
            dependencies: [
                "MeshAgentHandlers", "MeshModel", "MeshCompliance", "MeshProcess", "MeshRuntime", "MeshCLI", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning",
                "MeshLogging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .executableTarget(
            name: "mesh-reviewer",
            dependencies: [
                "MeshReview", "MeshModel", "MeshCompliance", "MeshRuntime", "MeshCLI", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning",
                "MeshLogging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .executableTarget(
            name: "mesh-compliance",
            dependencies: [
                "MeshCompliance", "MeshRuntime", "MeshCLI", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning",
                "MeshLogging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .executableTarget(
            name: "mesh-audit-sink",
            dependencies: [
                "MeshAudit", "MeshAuditIngest", "MeshRuntime", "MeshCLI", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshWire", "MeshSigning",
                "MeshLogging", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),

        .executableTarget(
            name: "mesh-console",
            dependencies: [
                "MeshConsole", "MeshOps", "MeshAudit", "MeshCLI", "MeshCatalog", "MeshCompliance", "MeshTransport", "MeshKafka", "MeshSigning", "MeshLogging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift5),

        // MARK: Tests
        .target(name: "MeshTestSupport", dependencies: ["MeshModelFake"], path: "Tests/MeshTestSupport", exclude: ["ModelFake"],
                swiftSettings: swift5),
        // A fake OpenAI/Anthropic endpoint on loopback: the model tests' counterpart, and the
        // instant endpoint of `meshctl bench model` (so it is a library, not test-only code).
        .target(
            name: "MeshModelFake",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            path: "Tests/MeshTestSupport/ModelFake", swiftSettings: swift5),
        // The synthetic PHI/secret evaluation set (`meshctl bench compliance`, MeshComplianceTests).
        .target(name: "MeshComplianceEvaluation", dependencies: ["MeshCompliance"], path: "Tests/ComplianceEvaluation", swiftSettings: swift5),
        .testTarget(name: "MeshWireTests", dependencies: ["MeshWire"], swiftSettings: swift5),
        .testTarget(name: "MeshSigningTests", dependencies: ["MeshSigning"], swiftSettings: swift5),
        .testTarget(name: "MeshCatalogTests", dependencies: ["MeshCatalog"], swiftSettings: swift5),
        .testTarget(name: "MeshOrchestrationTests", dependencies: ["MeshOrchestration", "MeshCatalog", "MeshWire", "MeshSigning"], swiftSettings: swift5),
        .testTarget(
            name: "MeshAgentHandlersTests", dependencies: ["MeshAgentHandlers", "MeshProcess", "MeshWire"],
            swiftSettings: swift5),
        .testTarget(name: "MeshReviewTests", dependencies: ["MeshReview", "MeshWire"], swiftSettings: swift5),
        .testTarget(
            name: "MeshModelTests",
            dependencies: ["MeshModel", "MeshAgentHandlers", "MeshCompliance", "MeshReview", "MeshTestSupport", "MeshWire", "MeshRuleFiles", "MeshSigning", "MeshCLI"],
            swiftSettings: swift5),
        .testTarget(
            name: "MeshAuditTests",
            dependencies: [
                "MeshAudit", "MeshAuditIngest", "MeshSigning", "MeshTestSupport", "MeshTransport", "MeshWire", "MeshKafka",
                "MeshRuntime", "MeshCatalog",
            ],
            swiftSettings: swift5),
        .testTarget(name: "MeshComplianceTests", dependencies: ["MeshCompliance", "MeshComplianceEvaluation"], swiftSettings: swift5),
        .testTarget(
            name: "MeshRuntimeTests",
            dependencies: ["MeshRuntime", "MeshTestSupport", "MeshTransport", "MeshKafka", "MeshCatalog", "MeshSigning", "MeshWire"],
            swiftSettings: swift5),
        .testTarget(
            name: "MeshCLITests",
            dependencies: [
                "MeshCLI", "MeshWire", "MeshRuntime", "MeshKafka", "MeshTestSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swift5),
        .testTarget(name: "MeshTracingTests", dependencies: ["MeshTracing", "MeshSigning", "MeshWire", "MeshTestSupport"], swiftSettings: swift5),
        .testTarget(name: "MeshConsoleTests", dependencies: ["MeshConsole", "MeshCompliance", "MeshWire", "MeshAudit", "MeshSigning"], swiftSettings: swift5),
        .testTarget(name: "MeshOpsTests", dependencies: ["MeshOps", "MeshOrchestration", "MeshSigning", "MeshWire"], swiftSettings: swift5),
        .testTarget(name: "MeshKafkaTests", dependencies: ["MeshKafka", "MeshTestSupport"], swiftSettings: swift5),
        .testTarget(name: "MeshBenchmarksTests", dependencies: ["MeshBenchmarks"], swiftSettings: swift5),
        .testTarget(
            name: "MeshTransportTests",
            dependencies: ["MeshTestSupport", "MeshTransport", "MeshWire", "MeshSigning", "MeshKafka", "MeshCatalog"],
            swiftSettings: swift5),
        // Proto/vectors/ (the contract's test vectors) against this implementation.
        .testTarget(
            name: "ContractVectorTests",
            dependencies: ["MeshTestSupport", "MeshWire", "MeshSigning", "MeshTransport", "MeshRuntime", "MeshOrchestration",
                           "MeshCatalog", "MeshKafka"],
            swiftSettings: swift5),
        .testTarget(name: "DeploymentTests", dependencies: ["MeshCatalog", "MeshKafka", "MeshTestSupport", "Yams"], swiftSettings: swift5),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["MeshTestSupport", "MeshAudit", "MeshOrchestration", "MeshTransport", "MeshWire", "MeshSigning", "MeshKafka", "MeshCatalog", "MeshRuntime", "MeshTracing"],
            swiftSettings: swift5),
        // Fault injection over the whole mesh (minutes): `make fault-test`, skipped by `make test`.
        .testTarget(
            name: "FaultTests",
            dependencies: ["MeshTestSupport", "MeshAudit", "MeshTransport", "MeshWire", "MeshSigning", "MeshKafka", "MeshCatalog",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
    ]
)

/// Language mode 5 keeps the C interop (librdkafka callbacks) readable; Sendable is still
/// declared where values cross threads.
var swift5: [SwiftSetting] { [.swiftLanguageMode(.v5)] }
