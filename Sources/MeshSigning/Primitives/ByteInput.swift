/// Runs `body` over contiguous bytes of `bytes`, copying only when the sequence has no
/// contiguous storage (arrays, slices and `Data` never copy).
@inline(__always)
func withContiguousBytes<Bytes: Sequence, Result>(
    _ bytes: Bytes, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result where Bytes.Element == UInt8 {
    if let result = try bytes.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(bytes).withUnsafeBytes(body)
}
