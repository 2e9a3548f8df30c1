import MeshWire

/// Reads what ``SnapshotWriter`` wrote; every read checks the bounds and throws
/// ``PlanSnapshot/Malformed`` instead of trapping on a truncated or corrupted record.
struct SnapshotReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    /// The record's format version: fields added in a later format are read only from
    /// records of that format (see ``PlanSnapshot``).
    var formatVersion: UInt64 = PlanSnapshot.formatVersion

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset == bytes.count }

    func malformed(_ reason: String) -> PlanSnapshot.Malformed { PlanSnapshot.Malformed(offset: offset, reason: reason) }

    mutating func read(_: UInt64.Type) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw malformed("truncated integer") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw malformed("integer longer than 64 bits") }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func read(_: Int64.Type) throws -> Int64 {
        let raw = try read(UInt64.self)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func read(_: UInt32.Type) throws -> UInt32 {
        guard let value = UInt32(exactly: try read(UInt64.self)) else { throw malformed("integer out of UInt32 range") }
        return value
    }

    mutating func read(_: Int.Type) throws -> Int {
        guard let value = Int(exactly: try read(Int64.self)) else { throw malformed("integer out of Int range") }
        return value
    }

    mutating func read(_: Bool.Type) throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let other: throw malformed("flag byte \(other) is neither 0 nor 1")
        }
    }

    mutating func read(_: String.Type) throws -> String {
        let range = try lengthPrefixed()
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw malformed("string is not UTF-8") }
        return text
    }

    mutating func read(_: [UInt8].Type) throws -> [UInt8] { Array(bytes[try lengthPrefixed()]) }

    mutating func read<Value: WireEnum>(_: Value.Type) throws -> Value {
        guard let raw = Int32(exactly: try read(Int64.self)) else { throw malformed("enum number out of Int32 range") }
        return Value(rawValue: raw)
    }

    mutating func read<Value: SnapshotCodable>(_: Value.Type) throws -> Value { try Value(from: &self) }

    mutating func read<Value: SnapshotCodable>(_: Value?.Type) throws -> Value? {
        try read(Bool.self) ? try Value(from: &self) : nil
    }

    mutating func read<Value: SnapshotCodable>(_: [Value].Type) throws -> [Value] {
        try (0..<count()).map { _ in try Value(from: &self) }
    }

    mutating func read(_: [String].Type) throws -> [String] {
        try (0..<count()).map { _ in try read(String.self) }
    }

    mutating func read<Value: WireEnum>(_: [Value].Type) throws -> [Value] {
        try (0..<count()).map { _ in try read(Value.self) }
    }

    private mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw malformed("truncated") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// An element count; each element takes at least one byte, so a count beyond the
    /// remaining bytes is corrupt (and must not drive a huge allocation).
    private mutating func count() throws -> Int {
        let count = try read(UInt64.self)
        guard count <= UInt64(bytes.count - offset) else { throw malformed("count \(count) exceeds the record") }
        return Int(count)
    }

    private mutating func lengthPrefixed() throws -> Range<Int> {
        let length = try read(UInt64.self)
        guard length <= UInt64(bytes.count - offset) else { throw malformed("length \(length) exceeds the record") }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }
}
