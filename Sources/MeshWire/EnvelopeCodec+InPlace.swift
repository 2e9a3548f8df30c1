import CMeshProto

/// One signature of sealed bytes, read where protobuf-c unpacked it.
public struct SignatureView {
    public var keyID: String
    public var algorithm: SignatureAlgorithm
    /// Valid only inside the `withSealed` call that produced it.
    public var bytes: UnsafeRawBufferPointer
}

/// The framing of sealed bytes, read in place: what `decodeSealed` returns, with the envelope
/// and signature bytes as views instead of arrays. Valid only inside `withSealed`.
public struct SealedView {
    public var formatVersion: UInt32
    /// The exact envelope bytes the signatures cover.
    public var envelope: UnsafeRawBufferPointer
    public var signatures: [SignatureView]
}

extension EnvelopeCodec {
    /// Decodes the sealed framing of `bytes` and runs `body` over it without copying the
    /// envelope or the signature bytes: a receiver verifies and decodes the envelope where it
    /// lies and copies it once, if at all. Accepts and refuses exactly what
    /// `decodeSealed(_:)` does, with the same errors.
    public func withSealed<R>(_ bytes: UnsafeRawBufferPointer, _ body: (SealedView) -> R) throws(WireError) -> R {
        guard bytes.count <= maxSealedBytes else {
            throw .oversize(byteCount: bytes.count, limit: maxSealedBytes)
        }
        let result = UnpackArena.with { allocator -> Result<R, WireError> in
            guard let message = Self.withInput(bytes, { agentmesh__v1__sealed_envelope__unpack(allocator, $0, $1) }) else {
                return .failure(.malformedProtobuf(message: "SealedEnvelope", detail: "protobuf-c unpack failed"))
            }
            return Result { () throws(WireError) -> R in
                try Self.refuseNUL(bytes, message.pointee.base.descriptor)
                return body(try CDecode.sealedView(message))
            }
        }
        do {
            return try result.get()
        } catch .malformedProtobuf(_, let detail) {
            throw .malformedProtobuf(message: "SealedEnvelope", detail: detail)
        }
    }
}

extension CDecode {
    /// `sealed(_:)` with the bytes left where they are.
    static func sealedView(_ c: UnsafeMutablePointer<Agentmesh__V1__SealedEnvelope>) throws(WireError) -> SealedView {
        let m = c.pointee
        try Contract.checkSealed(formatVersion: m.format_version, envelopeCount: m.envelope.len,
                                 signatureCount: m.n_signatures)
        let envelope = try bytesView(m.envelope, "envelope")
        let signatures = try messages(m.n_signatures, m.signatures, "signatures", signatureView)
        return SealedView(formatVersion: m.format_version, envelope: envelope, signatures: signatures)
    }

    static func signatureView(_ c: UnsafeMutablePointer<Agentmesh__V1__Signature>) throws(WireError) -> SignatureView {
        SignatureView(keyID: try string(c.pointee.key_id, "signature.key_id"),
                      algorithm: wireEnum(c.pointee.algorithm),
                      bytes: try bytesView(c.pointee.signature, "signature.signature"))
    }

    /// `bytes(_:_:)` without the copy: the same checks, a view of protobuf-c's buffer.
    @inline(__always)
    static func bytesView(_ data: ProtobufCBinaryData, _ field: String) throws(WireError) -> UnsafeRawBufferPointer {
        let count = data.len
        if count == 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard count > 0, let base = data.data else { throw malformed("\(field): length without data") }
        return UnsafeRawBufferPointer(start: base, count: count)
    }
}
