import COpenSSL

/// scrypt (RFC 7914) through libcrypto: memory-hard, so a stolen users file costs an attacker
/// 32 MiB and tens of milliseconds per guess.
public struct ScryptParameters: Sendable, Hashable {
    /// log2 of the CPU/memory cost N.
    public var logN: UInt8
    public var r: UInt32
    public var p: UInt32

    /// N = 2^15, r = 8, p = 1: 32 MiB, about 0.1 s per derivation on one core.
    public static let standard = ScryptParameters(logN: 15, r: 8, p: 1)

    public init(logN: UInt8, r: UInt32, p: UInt32) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// `length` bytes derived from `password` and `salt`.
    public func derive(password: String, salt: [UInt8], length: Int = 32) throws -> [UInt8] {
        guard logN >= 10, logN <= 20, r >= 1, r <= 32, p >= 1, p <= 16 else {
            throw ConsoleCryptoError.badParameters("scrypt logN \(logN), r \(r), p \(p) is outside 10...20, 1...32, 1...16")
        }
        var output = [UInt8](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        // Memory the derivation needs (128 * r * N) plus headroom; libcrypto's default cap is 32 MiB exactly.
        let memory = UInt64(128) * UInt64(r) * (UInt64(1) << UInt64(logN)) + (1 << 20)
        let ok = bytes.withUnsafeBufferPointer { passwordBytes in
            passwordBytes.withMemoryRebound(to: CChar.self) { passwordChars in
                EVP_PBE_scrypt(passwordChars.baseAddress, bytes.count, salt, salt.count, UInt64(1) << UInt64(logN),
                               UInt64(r), UInt64(p), memory, &output, length)
            }
        }
        guard ok == 1 else { throw ConsoleCryptoError.openSSL("EVP_PBE_scrypt") }
        return output
    }

    /// `scrypt$<logN>$<r>$<p>`, the prefix of a stored hash or sealed key.
    var encoded: String { "scrypt$\(logN)$\(r)$\(p)" }

    init(encoded fields: ArraySlice<Substring>) throws {
        let parts = Array(fields)
        guard parts.count == 4, parts[0] == "scrypt", let logN = UInt8(parts[1]), let r = UInt32(parts[2]), let p = UInt32(parts[3])
        else { throw ConsoleCryptoError.malformed("expected scrypt$<logN>$<r>$<p>") }
        self.init(logN: logN, r: r, p: p)
    }
}

/// Why a password hash or sealed key could not be made or used.
public enum ConsoleCryptoError: Error, CustomStringConvertible, Equatable {
    case badParameters(String)
    case openSSL(String)
    case malformed(String)
    /// The password does not open the sealed key (or the sealed key was altered).
    case wrongPassword

    public var description: String {
        switch self {
        case .badParameters(let why): "bad key derivation parameters: \(why)"
        case .openSSL(let call): "\(call) failed in libcrypto"
        case .malformed(let why): "malformed users file entry: \(why)"
        case .wrongPassword: "the password does not open the signing key (wrong password, or the sealed key was altered)"
        }
    }
}

/// Overwrites `bytes` so a secret does not linger in memory (OPENSSL_cleanse is not optimised away).
public func cleanse(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { buffer in
        if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
    }
}
