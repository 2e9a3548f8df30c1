import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshSigning
import MeshTransport
import MeshWire

/// What the operator commands share: the Kafka configuration, the trust store, a reader over
/// whole topics (every partition from the beginning, no group, nothing committed) and a
/// publisher that seals as a given principal.
public struct OpsMeshClient: Sendable {
    public let configuration: KafkaConfiguration
    public let opener: EnvelopeOpener
    public let keysDirectory: String
    public let logger: Logger

    public init(connection: ConnectionOptions, label: String = "meshctl.ops") throws {
        configuration = try connection.kafkaConfiguration()
        keysDirectory = connection.keysDirectory
        guard FileManager.default.fileExists(atPath: keysDirectory + "/trust.json") else {
            throw OpsFailure("no key ring in \(keysDirectory): run `meshctl keys init` (or pass --home <dir>)")
        }
        opener = try connection.opener()
        logger = Logger(label: label)
    }

    public init(configuration: KafkaConfiguration, keysDirectory: String, logger: Logger) throws {
        self.configuration = configuration
        self.keysDirectory = keysDirectory
        self.opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keysDirectory))
        self.logger = logger
    }

    /// Every partition of `topics`; a topic the broker does not have is an error.
    public func partitions(of topics: [String]) throws -> [TopicPartition] {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        let described = try admin.describeTopics()
        var result: [TopicPartition] = []
        for topic in topics {
            guard let found = described.first(where: { $0.name == topic }) else {
                throw OpsFailure("topic \(topic) does not exist on \(configuration.bootstrapServers ?? "?")")
            }
            result += (0..<found.partitions).map { TopicPartition(topic: topic, partition: Int32($0)) }
        }
        return result
    }

    /// A subscriber following `partitions` from the beginning; rejected records are reported
    /// on stderr and skipped (read-only tool: no dead letters).
    public func subscriber(_ partitions: [TopicPartition]) throws -> MeshSubscriber {
        let consumer = try KafkaConsumer(configuration: configuration, subscription: .partitions(partitions), logger: logger)
        return MeshSubscriber(consumer: consumer, opener: opener, deadLetters: nil, logger: logger) { rejection, message in
            Self.reportSkipped(message, rejection)
        }
    }

    private static func reportSkipped(_ message: ConsumedMessage, _ rejection: EnvelopeRejection) {
        opsWarn("skipped \(message.topic)[\(message.partition)]@\(message.offset): \(rejection)")
    }

    /// Every verified envelope on `topics` now: each partition is read up to the high
    /// watermark it had when reading began (later records are left for the next call).
    /// Records that fail verification are reported on stderr and skipped.
    public func readAll(_ topics: [String], timeout: Duration = .seconds(60)) async throws -> [InboundEnvelope] {
        let records = try await TopicReader.readToEnd(
            try partitions(of: topics), configuration: configuration, logger: logger, timeout: timeout)
        return records.compactMap { message in
            switch opener.open(message.value) {
            case .success(let opened): return InboundEnvelope(opened: opened, message: message)
            case .failure(let rejection):
                Self.reportSkipped(message, rejection)
                return nil
            }
        }
    }

    /// A publisher sealing as `principal` (a role such as `meshctl`, or a person).
    public func publisher(as principal: String) throws -> MeshPublisher {
        let signer = try KeyRingStore.loadSigner(principal: principal, from: keysDirectory)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        return MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: signer))
    }

    /// `/mesh/meshctl/<host>-<pid>`: the operator tool's source for objectives and cancels.
    public static var operatorSource: String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        return SourcePath.make(role: MeshRoles.meshctl, instance: "\(host)-\(getpid())")
    }

    /// Who is at the keyboard, for `submitted_by` / `requested_by`.
    public static var operatorName: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["AGENTMESH_OPERATOR"] ?? environment["USER"] ?? environment["LOGNAME"] ?? "operator"
    }
}

/// Writes a line to stderr.
public func opsWarn(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Prints and flushes, so prefixed output from `up` and followers interleaves by line.
public func opsPrint(_ text: String) {
    print(text)
    fflush(stdout)
}

/// Calls `handler` on SIGINT or SIGTERM until cancelled; unlike `SignalWaiter.wait` it can
/// be taken down again, so a command can stop listening once its work is done.
public final class OpsSignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32] = [SIGINT, SIGTERM]

    public init(_ handler: @escaping @Sendable (Int32) -> Void) {
        for number in signals {
            signal(number, SIG_IGN)  // the dispatch source sees it instead of the default action
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            sources.append(source)
        }
    }

    public func cancel() {
        sources.forEach { $0.cancel() }
        sources = []
        for number in signals { signal(number, SIG_DFL) }
    }
}

/// A command could not do its work; printed as `Error: <description>` without usage help.
public struct OpsFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
