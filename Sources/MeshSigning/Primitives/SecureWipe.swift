import COpenSSL

/// Overwrites `bytes` with zeros in a way the optimiser may not drop (`OPENSSL_cleanse`), for
/// transient copies of secrets.
func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
}
