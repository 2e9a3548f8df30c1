import CRdKafka
import Logging

/// Callbacks librdkafka delivers for one client handle. librdkafka calls them on its own
/// threads (log, error) or inside poll calls (delivery, rebalance), so everything here is
/// thread-safe or confined to the polling thread.
final class RDKafkaCallbacks: @unchecked Sendable {
    let logger: Logger
    /// Called inside `rd_kafka_consumer_poll` on rebalance; set once before the handle exists.
    var onRebalance: ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> Void)?
    /// librdkafka's statistics JSON, every `statistics.interval.ms` (set once before the handle exists).
    var onStatistics: ((UnsafeRawBufferPointer) -> Void)?

    init(logger: Logger) {
        self.logger = logger
    }
}

/// Owns one `rd_kafka_t`. The C handle never leaves this module.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer, consumer

        var cType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    let handle: OpaquePointer
    let callbacks: RDKafkaCallbacks

    /// Creates the handle. `configure` may register more callbacks on the conf object
    /// before librdkafka takes ownership of it.
    init(
        kind: Kind, properties: [String: String], callbacks: RDKafkaCallbacks,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError.configuration("rd_kafka_conf_new failed") }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.configuration(
                    "Kafka property \"\(key)\" = \"\(value)\": \(String(cString: errorBuffer))")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(callbacks).toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdkafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdkafkaErrorCallback)
        rd_kafka_conf_set_stats_cb(conf, rdkafkaStatisticsCallback)
        configure(conf)
        guard let handle = rd_kafka_new(kind.cType, conf, &errorBuffer, errorBuffer.count) else {
            // rd_kafka_new only takes ownership of conf on success.
            rd_kafka_conf_destroy(conf)
            throw KafkaError.configuration("cannot create Kafka client: \(String(cString: errorBuffer))")
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    static func callbacks(of handle: OpaquePointer?) -> RDKafkaCallbacks? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<RDKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }
}

private func rdkafkaLogCallback(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?) {
    guard let callbacks = RDKafkaClient.callbacks(of: rk) else { return }
    let text = message.map { String(cString: $0) } ?? ""
    let fac = facility.map { String(cString: $0) } ?? ""
    // syslog levels: 0 emerg … 3 err, 4 warning, 5 notice, 6 info, 7 debug
    var swiftLevel: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
    // One properties file serves producers and consumers alike (as with Kafka's own tools);
    // librdkafka's note that it ignores the other kind's settings is not worth a warning.
    if fac == "CONFWARN" && text.contains("will be ignored by this") { swiftLevel = .debug }
    callbacks.logger.log(level: swiftLevel, "\(text)", metadata: ["librdkafka": "\(fac)"])
}

private func rdkafkaErrorCallback(_ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let callbacks = RDKafkaClient.callbacks(of: rk) else { return }
    let code = rd_kafka_resp_err_t(rawValue: err)
    let text = reason.map { String(cString: $0) } ?? ""
    // Transport errors are routine while brokers restart; librdkafka reconnects by itself.
    let level: Logger.Level = code == RD_KAFKA_RESP_ERR__FATAL ? .critical : .warning
    callbacks.logger.log(
        level: level, "kafka client error: \(text)",
        metadata: ["kafka_error": "\(String(cString: rd_kafka_err2name(code)))"])
}

private func rdkafkaStatisticsCallback(_ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int, _ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let json, let onStatistics = RDKafkaClient.callbacks(of: rk)?.onStatistics else { return 0 }
    onStatistics(UnsafeRawBufferPointer(start: json, count: length))
    return 0  // librdkafka frees the JSON
}

/// Converts a C partition list into Swift values.
func topicPartitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
    guard let list, let elements = list.pointee.elems else { return [] }
    return (0..<Int(list.pointee.cnt)).map { index in
        TopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
    }
}

/// Builds a C partition list (caller destroys it with `rd_kafka_topic_partition_list_destroy`).
func makePartitionList(_ partitions: [TopicPartition], offsets: [Int64]? = nil) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
    for (index, partition) in partitions.enumerated() {
        let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)!
        if let offsets { element.pointee.offset = offsets[index] }
    }
    return list
}

extension RDKafkaClient {
    /// Partition counts of the topics that exist on the cluster (one metadata request).
    func partitionCounts(timeout: Duration) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, context: "read cluster metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            counts[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return counts
    }
}
