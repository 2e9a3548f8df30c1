import CMeshProto

/// Finds a U+0000 inside any string field of protobuf bytes, guided by the protobuf-c
/// descriptors.
///
/// protobuf-c hands strings over as NUL-terminated C strings without their length, so a
/// string `"Visible\0hidden"` would decode as `"Visible"`: what is displayed, stored and
/// compared would differ from what was signed, and ids differing after the NUL would collide.
/// The encoder refuses such strings (`WireError.embeddedNUL`); this scan makes decoding refuse
/// them too, by reading the string bytes on the wire where their length is still known.
///
/// Runs only on bytes protobuf-c has already unpacked, so the structure is known to be well
/// formed; anything unexpected is still reported as malformed rather than trusted.
enum NULScan {
    /// The dotted field path (proto spelling, e.g. `objective_submitted.title`) of the first
    /// string containing U+0000, or `nil` when there is none.
    static func firstNUL(
        in bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(WireError) -> String? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        guard let path = try scan(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count),
                                  descriptor, depth: 0)
        else { return nil }
        return path.reversed().map { String(cString: $0) }.joined(separator: ".")
    }

    /// protobuf-c's own recursion limit is far deeper than our schema; ours is a backstop.
    private static let maxDepth = 32

    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        depth: Int
    ) throws(WireError) -> [UnsafePointer<CChar>]? {  // innermost field name first: built only on a hit
        guard depth < maxDepth else { throw malformed("nested deeper than \(maxDepth) messages") }
        var position = 0
        while position < bytes.count {
            let key = try varint(bytes, &position)
            let fieldNumber = key >> 3
            switch key & 7 {
            case 0: _ = try varint(bytes, &position)
            case 1: try skip(8, bytes, &position)
            case 5: try skip(4, bytes, &position)
            case 2:
                let length = try varint(bytes, &position)
                guard length <= UInt64(bytes.count - position) else { throw malformed("length beyond the input") }
                let value = UnsafeBufferPointer(rebasing: bytes[position..<(position + Int(length))])
                position += Int(length)
                guard fieldNumber <= UInt64(UInt32.max),
                      let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(fieldNumber))
                else { continue }  // unknown fields are kept by protobuf-c but never read as strings
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    if value.contains(0) { return [field.pointee.name] }
                case PROTOBUF_C_TYPE_MESSAGE:
                    guard let nested = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    else { throw malformed("field \(fieldNumber): message field without a descriptor") }
                    if let found = try scan(value, nested, depth: depth + 1) { return found + [field.pointee.name] }
                default:
                    continue  // bytes and packed scalars may hold zeros legitimately
                }
            default:
                throw malformed("wire type \(key & 7) is not used by this schema")
            }
        }
        return nil
    }

    private static func malformed(_ detail: String) -> WireError {
        .malformedProtobuf(message: "Envelope", detail: detail)
    }

    private static func skip(_ count: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) throws(WireError) {
        guard bytes.count - position >= count else { throw malformed("fixed-width field beyond the input") }
        position += count
    }

    private static func varint(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int) throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw malformed("varint runs past the input")
    }
}
