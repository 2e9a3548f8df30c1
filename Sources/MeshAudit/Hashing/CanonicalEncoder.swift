/// Builds the unambiguous byte strings that record hashes and checkpoint signatures cover.
///
/// Integers are fixed-width big-endian; byte strings and text are prefixed with their length as
/// a 32-bit big-endian integer; optionals carry a presence byte. Fields are written in a fixed
/// order, so two different field tuples can never produce the same encoding.
struct CanonicalEncoder {
    private(set) var bytes: [UInt8]

    /// An encoder whose output starts with `domain` (written raw, no length prefix: it is a
    /// constant chosen by the caller, e.g. `"agentmesh-audit-record-v1\0"`).
    init(domain: String, reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: domain.utf8)
    }

    mutating func append(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func append(_ value: Int32) {
        appendBigEndian(UInt64(UInt32(bitPattern: value)), width: 4)
    }

    mutating func append(_ value: Int64) {
        appendBigEndian(UInt64(bitPattern: value), width: 8)
    }

    mutating func append(_ value: String) {
        // Native strings (every decoded field) hand out their UTF-8 in place; others are
        // copied into a contiguous buffer first.
        if let done: Void = value.utf8.withContiguousStorageIfAvailable({ appendLengthPrefixed($0) }) { return done }
        var value = value
        value.withUTF8 { appendLengthPrefixed($0) }
    }

    mutating func append(_ value: [UInt8]) {
        value.withUnsafeBufferPointer { appendLengthPrefixed($0) }
    }

    private mutating func appendLengthPrefixed(_ value: UnsafeBufferPointer<UInt8>) {
        appendLength(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func append(_ value: String?) {
        if let value {
            bytes.append(1)
            append(value)
        } else {
            bytes.append(0)
        }
    }

    private mutating func appendLength(_ count: Int) {
        precondition(count <= Int(UInt32.max), "field longer than 4 GiB cannot be encoded")
        appendBigEndian(UInt64(count), width: 4)
    }

    private mutating func appendBigEndian(_ value: UInt64, width: Int) {
        // The low `width` bytes of the big-endian value, appended in one copy.
        withUnsafeBytes(of: value.bigEndian) { big in
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: big[(8 - width)...]).bindMemory(to: UInt8.self))
        }
    }
}
