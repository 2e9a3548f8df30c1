#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bump allocator for the C structs, strings and byte buffers of one encode.
///
/// protobuf-c needs every pointer alive until `pack` returns. Copying everything into one
/// scratch region (a pooled region first, heap chunks only on overflow) gives that lifetime
/// with no per-field allocation and a single release at the end.
struct Arena: ~Copyable {
    private var cursor: UnsafeMutableRawPointer
    private var end: UnsafeMutableRawPointer
    private var chunks: [UnsafeMutableRawPointer] = []

    static let chunkSize = 16 * 1024

    init(scratch: UnsafeMutableRawBufferPointer) {
        // A zero-length scratch still needs a valid base for pointer arithmetic.
        let base = scratch.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 16)!
        cursor = base
        end = base + scratch.count
    }

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Uninitialised, suitably aligned storage for `count` values of `T`.
    mutating func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = allocateRaw(byteCount: MemoryLayout<T>.stride * count,
                              alignment: MemoryLayout<T>.alignment)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    mutating func allocateRaw(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let aligned = cursor.alignedUp(toMultipleOf: alignment)
        if aligned <= end, end - aligned >= byteCount {
            cursor = aligned + byteCount
            return aligned
        }
        // Oversized requests get their own chunk so they do not waste the shared one.
        let size = max(Arena.chunkSize, byteCount + alignment)
        guard let chunk = malloc(size) else { fatalError("MeshWire: out of memory") }
        chunks.append(chunk)
        let start = chunk.alignedUp(toMultipleOf: alignment)
        if byteCount + alignment > Arena.chunkSize {
            return start
        }
        cursor = start + byteCount
        end = chunk + size
        return start
    }

    /// NUL-terminated copy of `string`, or `nil` when it contains NUL (the caller reports
    /// the field). Empty strings get a real one-byte buffer because repeated string
    /// elements must never be NULL.
    mutating func cString(_ string: String) -> UnsafeMutablePointer<CChar>? {
        var string = string
        return string.withUTF8 { utf8 -> UnsafeMutablePointer<CChar>? in
            let count = utf8.count
            if count > 0, memchr(utf8.baseAddress!, 0, count) != nil { return nil }
            let dst = allocateRaw(byteCount: count + 1, alignment: 1)
            if count > 0 { dst.copyMemory(from: utf8.baseAddress!, byteCount: count) }
            dst.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
            return dst.assumingMemoryBound(to: CChar.self)
        }
    }

    /// Copy of `bytes`; `nil` data for empty input, which protobuf-c treats as absent.
    mutating func bytes(_ bytes: [UInt8]) -> (count: Int, data: UnsafeMutablePointer<UInt8>?) {
        let count = bytes.count
        if count == 0 { return (0, nil) }
        let dst = allocateRaw(byteCount: count, alignment: 1)
        bytes.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: count) }
        return (count, dst.assumingMemoryBound(to: UInt8.self))
    }
}
