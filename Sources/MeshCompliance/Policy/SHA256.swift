import COpenSSL

/// SHA-256 via OpenSSL's EVP interface.
enum SHA256 {
    /// Lowercase hex digest of `data`.
    static func hex(_ data: [UInt8]) -> String {
        var md = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { buf in
            EVP_Digest(buf.baseAddress, buf.count, &md, &len, EVP_sha256(), nil)
        }
        precondition(ok == 1 && len == 32, "EVP_Digest(SHA-256) failed")
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in md { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
