/// A Kafka record header. Keys and values are bytes on the wire; CloudEvents binary mode
/// uses UTF-8 strings for both, which are kept as strings until produced (no copy per header
/// per record on the hot path).
public struct KafkaHeader: Sendable, Equatable, Hashable {
    enum Storage: Sendable, Hashable {
        case bytes([UInt8])
        case string(String)
    }

    public var key: String
    var storage: Storage

    public init(key: String, value: [UInt8]) {
        self.key = key
        storage = .bytes(value)
    }

    public init(key: String, string: String) {
        self.key = key
        storage = .string(string)
    }

    public var value: [UInt8] {
        switch storage {
        case .bytes(let bytes): return bytes
        case .string(let string): return Array(string.utf8)
        }
    }

    public var stringValue: String {
        switch storage {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .string(let string): return string
        }
    }

    /// Calls `body` with the key's UTF-8 bytes, without copying a native string.
    func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var key = key
        return key.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with the value's bytes, without copying a native string.
    func withValueBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch storage {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes(body)
        case .string(var string):
            return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }

    public static func == (lhs: KafkaHeader, rhs: KafkaHeader) -> Bool {
        lhs.key == rhs.key && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(value)
    }
}

/// The headers of a consumed record, copied out of librdkafka as one buffer and decoded
/// only when asked for: a verifying consumer reads everything from the signed envelope and
/// never needs them, so it should not pay for them on every record.
public struct ConsumedHeaders: Sendable {
    /// Repeated `[key length: UInt16][key][value length: UInt32][value]`.
    private let buffer: [UInt8]

    init(buffer: [UInt8]) {
        self.buffer = buffer
    }

    public init(_ headers: [KafkaHeader]) {
        var buffer: [UInt8] = []
        for header in headers { Self.append(key: Array(header.key.utf8), value: header.value, to: &buffer) }
        self.buffer = buffer
    }

    /// Bytes `append(key:value:to:)` adds for one header.
    static func entryByteCount(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Int {
        2 + min(key.count, Int(UInt16.max)) + 4 + value.count
    }

    static func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: entryByteCount(key: key, value: value)))
        buffer.withUnsafeMutableBytes { _ = write(key: key, value: value, to: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
    }

    /// Writes one header entry at the start of `output` (which must have room for
    /// `entryByteCount(key:value:)` bytes) and returns the bytes written.
    static func write(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, to output: UnsafeMutableRawBufferPointer) -> Int {
        let keyLength = min(key.count, Int(UInt16.max))
        output.storeBytes(of: UInt16(keyLength).bigEndian, toByteOffset: 0, as: UInt16.self)
        var position = 2
        if keyLength > 0 { (output.baseAddress! + position).copyMemory(from: key.baseAddress!, byteCount: keyLength) }
        position += keyLength
        output.storeBytes(of: UInt32(value.count).bigEndian, toByteOffset: position, as: UInt32.self)
        position += 4
        if value.count > 0 { (output.baseAddress! + position).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        return position + value.count
    }

    static func append(key: [UInt8], value: [UInt8], to buffer: inout [UInt8]) {
        key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in append(key: keyBytes, value: valueBytes, to: &buffer) }
        }
    }

    /// Every header, in record order.
    public var all: [KafkaHeader] {
        var headers: [KafkaHeader] = []
        var index = 0
        while index + 2 <= buffer.count {
            let keyLength = Int(buffer[index]) << 8 | Int(buffer[index + 1])
            let keyEnd = index + 2 + keyLength
            let valueLength = buffer[keyEnd..<keyEnd + 4].reduce(0) { $0 << 8 | Int($1) }
            let valueStart = keyEnd + 4
            headers.append(KafkaHeader(
                key: String(decoding: buffer[index + 2..<keyEnd], as: UTF8.self),
                value: Array(buffer[valueStart..<valueStart + valueLength])))
            index = valueStart + valueLength
        }
        return headers
    }

    public var isEmpty: Bool { buffer.isEmpty }

    /// The value of the last header named `key`, as a string.
    public func string(_ key: String) -> String? { all.string(key) }
}

extension Array where Element == KafkaHeader {
    /// The value of the last header named `key`, as a string.
    public func string(_ key: String) -> String? {
        last { $0.key == key }?.stringValue
    }
}

/// A topic and partition pair.
public struct TopicPartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// A record to produce.
public struct OutgoingMessage: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// `nil` lets the partitioner choose from the key (consistent hashing).
    public var partition: Int32?

    public init(topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }
}

/// Where the broker stored a produced record.
public struct DeliveryReport: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A record read from Kafka, with its coordinates.
public struct ConsumedMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: ConsumedHeaders
    /// Broker or producer timestamp, milliseconds since the epoch (-1 when absent).
    public var timestampMs: Int64
    /// Which read of its partition this record belongs to: it changes when the partition is
    /// rewound or revoked, so work on records read before can be told apart and discarded
    /// (``KafkaConsumer/isCurrent(_:)``, exactly-once mode).
    public internal(set) var readEpoch: UInt32 = 0

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headers: ConsumedHeaders, timestampMs: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }

    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }
}
