import Foundation

/// Where each file of a key ring lives, relative to the ring directory:
///
/// ```
/// <ring>/trust.json                          public trust store (0644)
/// <ring>/private/                            0700
/// <ring>/private/<principal>/                0700
/// <ring>/private/<principal>/<keyId>.key     base64 private seed or HMAC secret (0600)
/// ```
struct KeyRingLayout {
    let directory: String

    static let trustFileName = "trust.json"
    static let privateDirectoryName = "private"

    var trustFile: String { join(directory, Self.trustFileName) }
    var privateDirectory: String { join(directory, Self.privateDirectoryName) }

    func principalDirectory(_ principal: String) -> String { join(privateDirectory, principal) }

    /// Path of a key file relative to the ring, as recorded in `trust.json` for HMAC keys.
    static func relativeKeyFile(principal: String, keyId: String) -> String {
        "\(privateDirectoryName)/\(principal)/\(keyId).key"
    }

    func keyFile(principal: String, keyId: String) -> String {
        join(directory, Self.relativeKeyFile(principal: principal, keyId: keyId))
    }

    func resolve(relative path: String) -> String { join(directory, path) }

    private func join(_ base: String, _ component: String) -> String {
        base.hasSuffix("/") ? base + component : base + "/" + component
    }
}

/// Rules for principal names and key ids.
enum KeyNaming {
    /// Principal names become directory names and key-id prefixes, so they are restricted to
    /// a portable, path-safe alphabet.
    static func validatePrincipal(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, let first = name.utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-"), name.utf8.count <= 64
        else { throw SigningError.invalidPrincipalName(name) }
    }

    /// A new key id `<principal>-<yyyymmdd>-<8 hex>` (UTC date) not in `existing`.
    static func newKeyId(principal: String, at date: Date, avoiding existing: Set<String>) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.dateComponents([.year, .month, .day], from: date)
        let stamp = String(format: "%04d%02d%02d", day.year!, day.month!, day.day!)
        while true {
            let candidate = "\(principal)-\(stamp)-\(Hex.encode(try SecureRandom.bytes(count: 4)))"
            if !existing.contains(candidate) { return candidate }
        }
    }
}
