/// How a record's key chooses its partition: the one rule every producer of a keyed mesh
/// topic must follow, stated in the catalog (`partitioner:`), because the orchestrator relies
/// on all records of one objective landing on co-partitioned partitions (the same partition
/// number on every input topic) so that one instance owns the whole plan.
///
/// Kafka clients disagree on the default: librdkafka (C, Go, Python, .NET, Swift here) uses
/// `consistent_random` (CRC-32), the Java client and librdkafka's `murmur2_random` use
/// murmur2. A producer with another partitioner sends an objective's records to another
/// instance; receivers detect that (`misrouted` dead letters) instead of hanging the plan.
public enum KeyPartitioner: String, Sendable, Hashable, CaseIterable {
    /// librdkafka's default: `crc32(key) % partitions` (CRC-32/ISO-HDLC, as zlib's `crc32`);
    /// an empty or absent key goes to a random partition (never the case on keyed topics).
    case consistentRandom = "consistent_random"

    /// The partition a record keyed `key` belongs on, out of `partitions` (>= 1).
    public func partition<Key: Collection<UInt8>>(forKey key: Key, partitions: Int) -> Int32 {
        precondition(partitions >= 1, "a topic has at least one partition")
        switch self {
        case .consistentRandom: return Int32(Self.crc32(key) % UInt32(partitions))
        }
    }

    /// The partition for a string key (its UTF-8 bytes, as producers send it).
    public func partition(forKey key: String, partitions: Int) -> Int32 {
        partition(forKey: Array(key.utf8), partitions: partitions)
    }

    /// CRC-32/ISO-HDLC (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF):
    /// librdkafka's `rd_crc32` and zlib's `crc32`. `crc32("123456789") == 0xCBF43926`.
    public static func crc32<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }
}
