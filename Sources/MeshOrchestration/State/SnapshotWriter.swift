import MeshWire

/// Writes the compact binary form of a plan snapshot (see ``PlanSnapshot``).
///
/// Integers are LEB128 varints (signed ones zigzag-encoded), strings and byte strings are
/// length-prefixed, optionals carry a presence byte and arrays their count. Fields are
/// written in a fixed order by each type's ``SnapshotCodable/write(to:)``, so equal values
/// give equal bytes.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func write(_ value: UInt32) { write(UInt64(value)) }

    mutating func write(_ value: Int) { write(Int64(value)) }

    mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            write(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func write(_ value: [UInt8]) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func write<Value: WireEnum>(_ value: Value) { write(Int64(value.rawValue)) }

    mutating func write<Value: SnapshotCodable>(_ value: Value) { value.write(to: &self) }

    mutating func write<Value: SnapshotCodable>(_ value: Value?) {
        write(value != nil)
        value?.write(to: &self)
    }

    mutating func write<Value: SnapshotCodable>(_ values: [Value]) {
        write(UInt64(values.count))
        for value in values { value.write(to: &self) }
    }

    mutating func write(_ values: [String]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }

    mutating func write<Value: WireEnum>(_ values: [Value]) {
        write(UInt64(values.count))
        for value in values { write(value) }
    }
}
