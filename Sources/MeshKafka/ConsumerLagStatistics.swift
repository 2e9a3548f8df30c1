import Foundation

/// Reads consumer lag out of librdkafka's statistics JSON
/// (`topics.<name>.partitions.<id>.consumer_lag`; see librdkafka's STATISTICS.md).
public enum ConsumerLagStatistics {
    /// Lag per partition. librdkafka reports -1 while a partition has no committed offset;
    /// then everything up to the high watermark is outstanding (the group starts from the
    /// earliest record), so that is the lag, and 0 for an empty partition. Partitions whose
    /// high watermark is not known yet, and librdkafka's internal `-1` partition, are left out.
    public static func parse(_ json: UnsafeRawBufferPointer) -> [TopicPartition: Int64] {
        guard let base = json.baseAddress else { return [:] }
        return parse(Data(bytes: base, count: json.count))
    }

    public static func parse(_ data: Data) -> [TopicPartition: Int64] {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let topics = root["topics"] as? [String: Any]
        else { return [:] }
        var lag: [TopicPartition: Int64] = [:]
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (id, partition) in partitions {
                guard let number = Int32(id), number >= 0, let fields = partition as? [String: Any] else { continue }
                let reported = (fields["consumer_lag"] as? NSNumber)?.int64Value ?? -1
                let high = (fields["hi_offset"] as? NSNumber)?.int64Value ?? -1
                let committed = (fields["committed_offset"] as? NSNumber)?.int64Value ?? -1
                if reported >= 0 {
                    lag[TopicPartition(topic: topic, partition: number)] = reported
                } else if high >= 0 && committed < 0 {
                    lag[TopicPartition(topic: topic, partition: number)] = high
                }
            }
        }
        return lag
    }
}
