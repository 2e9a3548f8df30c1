import CMeshProto

/// Converts envelopes to and from their protobuf wire form via protobuf-c.
///
/// Stateless and `Sendable`: share one instance across tasks. All failures are `WireError`;
/// no input, however hostile, makes `decode` trap.
///
/// Cost (release build, shared 2-core dev box, `CodecPerformanceTests`): a 1,070-byte
/// TaskResult envelope encodes in about 2.5-3.5 µs and decodes in about 3-3.5 µs; decoding
/// the sealed framing alone takes about 0.5-0.9 µs. Encode allocates only the output array
/// (the C graph lives in pooled scratch); decode allocates only the Swift values.
public struct EnvelopeCodec: Sendable {
    /// Default ceiling for envelope bytes (1 MiB). Large artifacts belong in object storage;
    /// the mesh should carry references and hashes.
    public static let defaultMaxEnvelopeBytes = 1 << 20
    /// Room a sealed envelope may take beyond `maxEnvelopeBytes` for framing and signatures,
    /// so that any envelope that passes the limit can still be sealed.
    public static let sealedOverheadBytes = 64 * 1024

    /// Largest envelope accepted by `decode` and produced by `encode`. Enforcing it on both
    /// sides means a producer learns about an oversize record before Kafka or a consumer does.
    public var maxEnvelopeBytes: Int

    /// Largest sealed envelope accepted (`maxEnvelopeBytes + sealedOverheadBytes`).
    public var maxSealedBytes: Int { maxEnvelopeBytes &+ EnvelopeCodec.sealedOverheadBytes }

    public init(maxEnvelopeBytes: Int = EnvelopeCodec.defaultMaxEnvelopeBytes) {
        self.maxEnvelopeBytes = max(0, maxEnvelopeBytes)
    }

    // MARK: Envelope

    /// Deterministic: equal envelopes always give identical bytes (fields in field-number
    /// order, attributes and repeated fields in array order), which signatures rely on.
    ///
    /// - Throws: whatever `Envelope.validate()` throws (a consumer would reject the bytes),
    ///   `.embeddedNUL` for a string containing U+0000, `.oversize` above `maxEnvelopeBytes`.
    public func encode(_ envelope: Envelope) throws(WireError) -> [UInt8] {
        try withEnvelopeMessage(envelope) { (message, size, _) throws(WireError) -> [UInt8] in
            Self.pack(size) { agentmesh__v1__envelope__pack(&message, $0) }
        }
    }

    /// Validates `envelope`, builds its protobuf-c graph in an arena and checks its packed
    /// size against `maxEnvelopeBytes`; `body` gets the graph, that size and the arena.
    @inline(__always)
    private func withEnvelopeMessage<R>(
        _ envelope: Envelope, _ body: (inout Agentmesh__V1__Envelope, Int, inout Arena) throws(WireError) -> R
    ) throws(WireError) -> R {
        try envelope.validate()
        return try Self.withArena { (arena: inout Arena) throws(WireError) -> R in
            var message = Agentmesh__V1__Envelope()
            agentmesh__v1__envelope__init(&message)
            try CEncode.envelope(&message, envelope, &arena)
            let size = agentmesh__v1__envelope__get_packed_size(&message)
            guard size <= maxEnvelopeBytes else { throw .oversize(byteCount: size, limit: maxEnvelopeBytes) }
            return try body(&message, size, &arena)
        }
    }

    /// Decodes and validates an envelope: required fields, spec and schema versions, UTF-8,
    /// no U+0000 in any string (`.embeddedNUL`), and that `type` names the carried payload.
    public func decode(_ bytes: [UInt8]) throws(WireError) -> Envelope {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> Envelope in try decode(buffer) }
        }
        return try result.get()
    }

    /// Zero-copy variant for bytes owned by someone else (e.g. a librdkafka message).
    /// The buffer only needs to live for the duration of the call.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Envelope {
        guard bytes.count <= maxEnvelopeBytes else {
            throw .oversize(byteCount: bytes.count, limit: maxEnvelopeBytes)
        }
        let result = UnpackArena.with { allocator -> Result<Envelope, WireError> in
            guard let message = Self.withInput(bytes, { agentmesh__v1__envelope__unpack(allocator, $0, $1) }) else {
                return .failure(.malformedProtobuf(message: "Envelope", detail: "protobuf-c unpack failed"))
            }
            return Result { () throws(WireError) -> Envelope in
                try Self.refuseNUL(bytes, message.pointee.base.descriptor)
                return try CDecode.envelope(message)
            }
        }
        return try result.get()
    }

    // MARK: SealedEnvelope

    /// Deterministic, like `encode(_: Envelope)`. `envelope` bytes are copied verbatim.
    ///
    /// - Throws: whatever `SealedEnvelope.validate()` throws, `.embeddedNUL`, `.oversize`.
    public func encode(_ sealed: SealedEnvelope) throws(WireError) -> [UInt8] {
        try sealed.validate()
        return try Self.withArena { (arena: inout Arena) throws(WireError) -> [UInt8] in
            var message = Agentmesh__V1__SealedEnvelope()
            agentmesh__v1__sealed_envelope__init(&message)
            try CEncode.sealed(&message, sealed, &arena)
            let size = agentmesh__v1__sealed_envelope__get_packed_size(&message)
            guard size <= maxSealedBytes else { throw .oversize(byteCount: size, limit: maxSealedBytes) }
            return Self.pack(size) { agentmesh__v1__sealed_envelope__pack(&message, $0) }
        }
    }

    /// Encodes `envelope` and frames it with the signatures `sign` makes over exactly the
    /// encoded bytes, writing each byte once into the returned buffer. The result is
    /// byte-for-byte `encode(SealedEnvelope(envelope: encode(envelope), signatures: sign(...)))`,
    /// without the intermediate envelope array and the second copy of it. `sign` must not keep
    /// the buffer it is given.
    ///
    /// - Throws: what `encode(_: Envelope)` and `encode(_: SealedEnvelope)` throw.
    public func seal(
        _ envelope: Envelope, signatures sign: (UnsafeRawBufferPointer) -> [Signature]
    ) throws(WireError) -> [UInt8] {
        try withEnvelopeMessage(envelope) { (message, size, arena) throws(WireError) -> [UInt8] in
            let framing = SealedFraming(envelopeCount: size)
            var signatures: [Signature] = []
            var sealed = [UInt8](unsafeUninitializedCapacity: framing.headCount + size + SealedFraming.signatureReserve) {
                buffer, initialized in
                let base = buffer.baseAddress!
                framing.writeHead(to: base)
                let written = agentmesh__v1__envelope__pack(&message, base + framing.headCount)
                signatures = sign(UnsafeRawBufferPointer(start: base + framing.headCount, count: written))
                initialized = framing.headCount + min(written, size)
            }
            try Contract.checkSealed(
                formatVersion: SealedEnvelope.currentFormatVersion, envelopeCount: size, signatureCount: signatures.count)
            for value in signatures {
                var signature = Agentmesh__V1__Signature()
                agentmesh__v1__signature__init(&signature)
                try CEncode.signature(&signature, value, &arena)
                let count = agentmesh__v1__signature__get_packed_size(&signature)
                SealedFraming.appendSignatureHead(count: count, to: &sealed)
                let start = sealed.count
                sealed.append(contentsOf: repeatElement(0, count: count))
                sealed.withUnsafeMutableBufferPointer { _ = agentmesh__v1__signature__pack(&signature, $0.baseAddress! + start) }
            }
            guard sealed.count <= maxSealedBytes else { throw .oversize(byteCount: sealed.count, limit: maxSealedBytes) }
            return sealed
        }
    }

    /// Decodes the sealed framing only. Verify `signatures` over `envelope` before calling
    /// `decode(_:)` on the inner bytes; the inner envelope is deliberately not parsed here.
    public func decodeSealed(_ bytes: [UInt8]) throws(WireError) -> SealedEnvelope {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(WireError) -> SealedEnvelope in try decodeSealed(buffer) }
        }
        return try result.get()
    }

    /// Zero-copy variant of `decodeSealed(_:)`.
    public func decodeSealed(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> SealedEnvelope {
        guard bytes.count <= maxSealedBytes else {
            throw .oversize(byteCount: bytes.count, limit: maxSealedBytes)
        }
        let result = UnpackArena.with { allocator -> Result<SealedEnvelope, WireError> in
            guard let message = Self.withInput(bytes, { agentmesh__v1__sealed_envelope__unpack(allocator, $0, $1) }) else {
                return .failure(.malformedProtobuf(message: "SealedEnvelope", detail: "protobuf-c unpack failed"))
            }
            return Result { () throws(WireError) -> SealedEnvelope in
                try Self.refuseNUL(bytes, message.pointee.base.descriptor)
                return try CDecode.sealed(message)
            }
        }
        do {
            return try result.get()
        } catch .malformedProtobuf(_, let detail) {
            throw .malformedProtobuf(message: "SealedEnvelope", detail: detail)
        }
    }

    // MARK: Plumbing

    /// The `SealedEnvelope` fields around the envelope bytes, written by hand so `seal` can
    /// pack the envelope straight into the sealed buffer. Field order and encodings are the
    /// ones protobuf-c uses (field-number order, proto3 zero omitted); tests check that both
    /// paths give identical bytes.
    private struct SealedFraming {
        /// Room kept after the envelope for the signatures, so appending them never
        /// reallocates (an HMAC signature takes about 60 bytes, an Ed25519 one about 90).
        static let signatureReserve = 256
        private static let formatVersionTag: UInt8 = 1 << 3 | 0  // field 1, varint
        private static let envelopeTag: UInt8 = 2 << 3 | 2  // field 2, length-delimited
        private static let signatureTag: UInt8 = 3 << 3 | 2  // field 3, length-delimited

        let envelopeCount: Int
        let headCount: Int

        init(envelopeCount: Int) {
            self.envelopeCount = envelopeCount
            headCount = 1 + Self.varintCount(UInt64(SealedEnvelope.currentFormatVersion))
                + 1 + Self.varintCount(UInt64(envelopeCount))
        }

        func writeHead(to base: UnsafeMutablePointer<UInt8>) {
            var position = 0
            base[position] = Self.formatVersionTag
            position += 1
            position += Self.writeVarint(UInt64(SealedEnvelope.currentFormatVersion), to: base + position)
            base[position] = Self.envelopeTag
            position += 1
            position += Self.writeVarint(UInt64(envelopeCount), to: base + position)
        }

        static func appendSignatureHead(count: Int, to bytes: inout [UInt8]) {
            bytes.append(signatureTag)
            var value = UInt64(count)
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        static func varintCount(_ value: UInt64) -> Int {
            var value = value
            var count = 1
            while value >= 0x80 {
                value >>= 7
                count += 1
            }
            return count
        }

        static func writeVarint(_ value: UInt64, to base: UnsafeMutablePointer<UInt8>) -> Int {
            var value = value
            var count = 0
            while value >= 0x80 {
                base[count] = UInt8(truncatingIfNeeded: value) | 0x80
                value >>= 7
                count += 1
            }
            base[count] = UInt8(value)
            return count + 1
        }
    }

    @inline(__always)
    private static func withArena<R>(
        _ body: (inout Arena) throws(WireError) -> R
    ) throws(WireError) -> R {
        // Pooled scratch: a ~1 KiB envelope's whole C graph fits, so the common case makes
        // no heap allocation besides the output array.
        let result = ScratchPool.encode.with { scratch in
            var arena = Arena(scratch: scratch)
            return Result { () throws(WireError) -> R in try body(&arena) }
        }
        return try result.get()
    }

    private static func pack(_ size: Int, _ packer: (UnsafeMutablePointer<UInt8>) -> Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            // A zero-size message has no fields; nothing to write.
            guard size > 0, let base = buffer.baseAddress else { initialized = 0; return }
            let written = packer(base)
            initialized = min(written, size)
        }
    }

    /// Decoding refuses U+0000 in any string, as encoding does: protobuf-c would cut the
    /// string at the NUL, so the value used would differ from the bytes that were signed.
    @inline(__always)
    private static func refuseNUL(
        _ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>?
    ) throws(WireError) {
        guard let descriptor else { throw .malformedProtobuf(message: "Envelope", detail: "message without a descriptor") }
        if let field = try NULScan.firstNUL(in: bytes, descriptor: descriptor) { throw .embeddedNUL(field: field) }
    }

    /// protobuf-c wants a non-null pointer even for empty input.
    private static func withInput<T>(
        _ bytes: UnsafeRawBufferPointer, _ body: (Int, UnsafePointer<UInt8>) -> T
    ) -> T {
        if let base = bytes.baseAddress, bytes.count > 0 {
            return body(bytes.count, base.assumingMemoryBound(to: UInt8.self))
        }
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { body(0, $0) }
    }
}
