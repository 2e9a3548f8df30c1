import COpenSSL
import Foundation

/// An HMAC-SHA256 key (RFC 2104) held inside libcrypto, ready to authenticate many messages.
///
/// The `EVP_MAC` algorithm is fetched and keyed once, at construction. Each call takes a
/// pre-keyed context from a small pool, re-initialises it (which restores the keyed inner state
/// without re-deriving the key pads) and returns it, so the hot path does no algorithm fetch
/// and no key setup. Safe to use from many threads at once.
public final class HMACSHA256Key: @unchecked Sendable {
    /// Length of an HMAC-SHA256 tag in bytes.
    public static let tagByteCount = 32

    private let mac: OpaquePointer
    private let template: OpaquePointer
    private let lock = NSLock()
    // Guarded by `lock`: keyed contexts not in use by any thread.
    private var idle: [OpaquePointer] = []
    private static let maximumIdleContexts = 16

    /// Keys HMAC-SHA256 with `secret` (any length; RFC 2104 hashes keys longer than 64 bytes).
    /// - Throws: `SigningError.cryptoFailure` if libcrypto cannot provide HMAC or SHA-256.
    public init<Secret: Sequence>(secret: Secret) throws where Secret.Element == UInt8 {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { throw OpenSSLFailure.error("EVP_MAC_fetch(HMAC)") }
        guard let context = EVP_MAC_CTX_new(mac) else {
            EVP_MAC_free(mac)
            throw OpenSSLFailure.error("EVP_MAC_CTX_new")
        }
        // A private copy so it can be wiped; a one-byte buffer gives the empty key a non-NULL
        // address (a NULL key would mean "keep the current key" to libcrypto).
        var key = Array(secret)
        let keyLength = key.count
        if key.isEmpty { key = [0] }
        defer { wipe(&key) }
        let keyed: Int32 = "digest".withCString { name in
            "SHA256".withCString { digest in
                var params = [
                    OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_init(context, key, keyLength, &params)
            }
        }
        guard keyed == 1 else {
            let error = OpenSSLFailure.error("EVP_MAC_init(HMAC-SHA256)")
            EVP_MAC_CTX_free(context)
            EVP_MAC_free(mac)
            throw error
        }
        self.mac = mac
        self.template = context
    }

    deinit {
        for context in idle { EVP_MAC_CTX_free(context) }
        EVP_MAC_CTX_free(template)
        EVP_MAC_free(mac)
    }

    /// The 32-byte HMAC-SHA256 tag of `message`.
    public func authenticationCode<Message: Sequence>(for message: Message) -> [UInt8] where Message.Element == UInt8 {
        withContiguousBytes(message) { tag(of: $0) }
    }

    /// True when `tag` is the HMAC-SHA256 of `message` under this key (constant-time compare).
    public func isValidAuthenticationCode<Tag: Sequence, Message: Sequence>(_ tag: Tag, for message: Message) -> Bool
    where Tag.Element == UInt8, Message.Element == UInt8 {
        withContiguousBytes(message) { isValid(tag, forRaw: $0) }
    }

    func isValid<Tag: Sequence>(_ tag: Tag, forRaw message: UnsafeRawBufferPointer) -> Bool where Tag.Element == UInt8 {
        ConstantTime.equals(self.tag(of: message), tag)
    }

    func tag(of message: UnsafeRawBufferPointer) -> [UInt8] {
        let context = acquire()
        defer { release(context) }
        return [UInt8](unsafeUninitializedCapacity: Self.tagByteCount) { output, initialized in
            var length = 0
            // Re-init with a NULL key keeps the key: libcrypto resets to the keyed ipad state.
            let ok = EVP_MAC_init(context, nil, 0, nil) == 1
                && EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
                && EVP_MAC_final(context, output.baseAddress, &length, Self.tagByteCount) == 1
            // Only allocation failure inside libcrypto gets here; a wrong tag would be worse.
            precondition(ok && length == Self.tagByteCount, "HMAC-SHA256 computation failed: \(OpenSSLFailure.error("EVP_MAC_final"))")
            initialized = Self.tagByteCount
        }
    }

    private func acquire() -> OpaquePointer {
        lock.lock()
        let reusable = idle.popLast()
        lock.unlock()
        if let reusable { return reusable }
        guard let fresh = EVP_MAC_CTX_dup(template) else {
            preconditionFailure("EVP_MAC_CTX_dup failed: \(OpenSSLFailure.error("EVP_MAC_CTX_dup"))")
        }
        return fresh
    }

    private func release(_ context: OpaquePointer) {
        lock.lock()
        if idle.count < Self.maximumIdleContexts {
            idle.append(context)
            lock.unlock()
        } else {
            lock.unlock()
            EVP_MAC_CTX_free(context)
        }
    }
}
