import CMeshProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bump allocator handed to protobuf-c's `unpack`.
///
/// protobuf-c allocates every string, byte field and sub-message separately; with the
/// system allocator that is dozens of malloc/free pairs per envelope and dominated decode
/// time. Here allocations come from a pooled scratch region (heap chunks only on overflow),
/// `free` is a no-op, and the whole graph is dropped at once when the scope ends, so
/// `free_unpacked` is never needed.
struct UnpackArena {
    var cursor: UnsafeMutableRawPointer
    var end: UnsafeMutableRawPointer
    /// Singly linked list of overflow chunks; the first word of each chunk is the next one.
    var chunks: UnsafeMutableRawPointer?

    static let chunkBytes = 32 * 1024
    /// Chunk header size; keeps the payload 16-byte aligned like malloc's.
    static let headerBytes = 16

    /// Runs `body` with an allocator whose memory lives until `body` returns. Nothing
    /// produced by `unpack` may escape `body`.
    static func with<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) -> R) -> R {
        ScratchPool.decode.with { scratch in
            let base = scratch.baseAddress!
            var state = UnpackArena(cursor: base, end: base + scratch.count, chunks: nil)
            return withUnsafeMutablePointer(to: &state) { statePointer in
                defer { statePointer.pointee.releaseChunks() }
                var allocator = ProtobufCAllocator(
                    alloc: unpackArenaAlloc, free: unpackArenaFree, allocator_data: UnsafeMutableRawPointer(statePointer))
                return body(&allocator)
            }
        }
    }

    mutating func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        // Requests come from sizes protobuf-c derived from a bounded input; still refuse
        // anything that would overflow the rounding instead of trapping.
        guard size >= 0, size <= Int.max / 2 else { return nil }
        let rounded = (size + 15) & ~15
        if end - cursor >= rounded {
            let pointer = cursor
            cursor += rounded
            return pointer
        }
        let chunkSize = Swift.max(UnpackArena.chunkBytes, rounded + UnpackArena.headerBytes)
        guard let chunk = malloc(chunkSize) else { return nil }
        chunk.storeBytes(of: chunks, as: UnsafeMutableRawPointer?.self)
        chunks = chunk
        let pointer = chunk + UnpackArena.headerBytes
        if rounded + UnpackArena.headerBytes < UnpackArena.chunkBytes {
            // Small request: the new chunk becomes the bump region. The old region's tail
            // is abandoned, which is cheap compared with tracking free space.
            cursor = pointer + rounded
            end = chunk + chunkSize
        }
        return pointer
    }

    mutating func releaseChunks() {
        var next = chunks
        while let chunk = next {
            next = chunk.load(as: UnsafeMutableRawPointer?.self)
            free(chunk)
        }
        chunks = nil
    }
}

private func unpackArenaAlloc(_ data: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    guard let data else { return nil }
    return data.assumingMemoryBound(to: UnpackArena.self).pointee.allocate(size)
}

private func unpackArenaFree(_ data: UnsafeMutableRawPointer?, _ pointer: UnsafeMutableRawPointer?) {
    // Memory is reclaimed all at once when the arena scope ends.
}
