/// The canonical 36-character text of a UUID (RFC 9562 §4: lowercase hex, 8-4-4-4-12),
/// written straight into the string: ids are made for every envelope, so no intermediate
/// arrays or characters.
public enum UUIDText {
    /// `high` holds the first 8 bytes of the UUID, `low` the last 8 (big-endian order).
    public static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    let nibble = UInt8((value >> UInt64(shift)) & 0xF)
                    buffer[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                    position += 1
                }
            }
            func dash() {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put((high >> 16) & 0xFFFF, nibbles: 4)
            dash()
            put(high & 0xFFFF, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return position
        }
    }

    /// The UUID text of the first 16 bytes of `bytes` (which must hold at least 16).
    /// Not generic on purpose: it runs for every derived envelope id, and a generic
    /// collection walk across modules costs a metadata lookup per byte.
    public static func format(_ bytes: UnsafeRawBufferPointer) -> String {
        precondition(bytes.count >= 16, "a UUID takes 16 bytes")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            low = low << 8 | UInt64(bytes[index + 8])
        }
        return format(high: high, low: low)
    }
}
