import COpenSSL

/// Reads and clears libcrypto's thread-local error queue, so a failure is reported once and
/// never leaks into an unrelated later call on the same thread.
enum OpenSSLFailure {
    /// A `SigningError.cryptoFailure` for `operation`, carrying the most recent libcrypto
    /// reason (or "no detail" when the queue was empty).
    static func error(_ operation: String) -> SigningError {
        var detail = "no detail from libcrypto"
        var code = ERR_get_error()
        while code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            detail = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            code = ERR_get_error()
        }
        return .cryptoFailure(operation: operation, detail: detail)
    }

    /// Drops queued errors after an expected failure (a signature that does not verify).
    static func clear() {
        ERR_clear_error()
    }
}
