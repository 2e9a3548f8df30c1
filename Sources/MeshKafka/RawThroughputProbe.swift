import CRdKafka
import Foundation
import Logging

/// Measures what librdkafka alone achieves: raw byte records produced and consumed with
/// direct C calls, no Swift message types, no headers. Delivery reports are on, as for any
/// producer that must know a record is stored before it moves on (at-least-once); so the
/// comparison isolates what the mesh adds on top of Kafka itself. Benchmarks report the mesh's own
/// paths as a ratio of this figure measured in the same run, because absolute rates on a
/// shared machine mean little.
public enum RawThroughputProbe {
    public struct Result: Sendable {
        public var records: Int
        public var seconds: Double
        /// CPU time of the whole process (this includes an embedded broker's threads).
        public var cpuSeconds: Double
        public var recordsPerSecond: Double { Double(records) / seconds }
    }

    /// Produces `count` records of `size` bytes round-robin over the `partitions` of `topic`
    /// (use a fresh, empty topic) while a consumer assigned to them reads from the beginning;
    /// returns the time from the first produce to the last record read. Each record carries
    /// `headers` (none by default), built per record as any producer must; the consumer
    /// leaves them unread.
    public static func run(
        configuration: KafkaConfiguration, topic: String, partitions: Int, count: Int, size: Int, window: InFlightWindow,
        headers: [KafkaHeader] = [], logger: Logger
    ) throws -> Result {
        let producer = try RDKafkaClient(
            kind: .producer, properties: configuration.withDefaults(KafkaProducer.defaultProperties).properties,
            callbacks: RDKafkaCallbacks(logger: logger)
        ) { conf in
            // Failed deliveries show up as records the consumer never reads (the probe then times out).
            rd_kafka_conf_set_dr_msg_cb(conf) { _, _, _ in }
        }
        var consumerProperties = configuration.withDefaults(KafkaConsumer.defaultProperties).properties
        consumerProperties["group.id"] = "agentmesh-raw-probe"
        consumerProperties["enable.auto.commit"] = "false"
        let consumer = try RDKafkaClient(
            kind: .consumer, properties: consumerProperties, callbacks: RDKafkaCallbacks(logger: logger))
        rd_kafka_poll_set_consumer(consumer.handle)
        let assignment = makePartitionList(
            (0..<partitions).map { TopicPartition(topic: topic, partition: Int32($0)) },
            offsets: Array(repeating: Int64(RD_KAFKA_OFFSET_BEGINNING), count: partitions))
        rd_kafka_assign(consumer.handle, assignment)
        rd_kafka_topic_partition_list_destroy(assignment)
        defer { rd_kafka_consumer_close(consumer.handle) }
        let queue = rd_kafka_queue_get_consumer(consumer.handle)
        defer { rd_kafka_queue_destroy(queue) }

        let payload = [UInt8](repeating: 0x61, count: size)
        let produced = DispatchSemaphore(value: 0)
        let start = DispatchTime.now()
        let cpuStart = ProcessCPU.seconds()
        let producing = Thread {
            let topicHandle = rd_kafka_topic_new(producer.handle, topic, nil)
            defer {
                rd_kafka_topic_destroy(topicHandle)
                produced.signal()
            }
            payload.withUnsafeBytes { value in
                for index in 0..<count {
                    window.willProduce()
                    let list = headers.makeHeaderList()
                    while agentmesh_produce(
                        producer.handle, topicHandle, Int32(index % partitions), nil, 0, value.baseAddress, value.count, list, 0, nil)
                        == RD_KAFKA_RESP_ERR__QUEUE_FULL
                    {
                        rd_kafka_poll(producer.handle, 1)
                    }
                    rd_kafka_poll(producer.handle, 0)
                }
            }
            rd_kafka_flush(producer.handle, 60_000)
        }
        producing.start()
        defer { produced.wait() }  // the producer handle must outlive its thread
        var received = 0
        var batch = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: 256)
        let deadline = DispatchTime.now().uptimeNanoseconds + 120_000_000_000
        while received < count {
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, context: "raw probe read \(received) of \(count)")
            }
            // Same reading pattern as KafkaConsumer: block for the first record only.
            var n = rd_kafka_consume_batch_queue(queue, 0, &batch, batch.count)
            if n == 0, let first = rd_kafka_consumer_poll(consumer.handle, 100) {
                batch[0] = first
                n = 1 + batch.withUnsafeMutableBufferPointer {
                    max(rd_kafka_consume_batch_queue(queue, 0, $0.baseAddress! + 1, $0.count - 1), 0)
                }
            }
            var read = 0
            for index in 0..<max(n, 0) {
                if batch[index]!.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { read += 1 }
                rd_kafka_message_destroy(batch[index])
            }
            received += read
            window.didConsume(read)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return Result(records: received, seconds: seconds, cpuSeconds: ProcessCPU.seconds() - cpuStart)
    }
}

/// CPU time (user + system) the process has used so far.
public enum ProcessCPU {
    public static func seconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
