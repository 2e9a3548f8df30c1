import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Private key and secret files: written owner-only from the first byte, refused when group or
/// others can read them, stored as one line of base64.
enum PrivateKeyFile {
    /// Creates `path` with mode 0600 (never replacing an existing file) and writes `key`.
    static func store(_ key: [UInt8], at path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw posixFailure(path, "cannot create key file") }
        defer { close(descriptor) }
        // The umask can only narrow 0600; fchmod makes the mode exact regardless.
        guard fchmod(descriptor, 0o600) == 0 else { throw posixFailure(path, "cannot set mode 0600") }
        var text = Array((Data(key).base64EncodedString() + "\n").utf8)
        defer { wipe(&text) }
        var written = 0
        while written < text.count {
            let result = text[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw posixFailure(path, "cannot write key file") }
            written += result
        }
        guard fsync(descriptor) == 0 else { throw posixFailure(path, "cannot flush key file") }
    }

    /// Reads the key in `path` after checking that only its owner can access it, and that it
    /// holds exactly `length` bytes. `keyId` names the key in errors.
    static func load(_ path: String, keyId: String, length: Int) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw posixFailure(path, "cannot read the key file for \"\(keyId)\"; is this the right key ring, and are you its owner?")
        }
        guard info.st_mode & 0o077 == 0 else { throw SigningError.insecurePermissions(path: path, mode: UInt32(info.st_mode)) }
        var contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SigningError.fileSystem(path: path, reason: "cannot read key file (\(error.localizedDescription))")
        }
        defer { contents.resetBytes(in: 0..<contents.count) }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard var key = Data(base64Encoded: text) else {
            throw SigningError.malformedKeyFile(path: path, keyId: keyId, field: nil, reason: "not valid base64")
        }
        defer { key.resetBytes(in: 0..<key.count) }
        guard key.count == length else {
            throw SigningError.malformedKeyFile(path: path, keyId: keyId, field: nil,
                                                reason: "key is \(key.count) bytes, expected \(length)")
        }
        return Array(key)
    }

    /// Creates `path` (and missing parents) and sets it to owner-only (0700).
    static func createPrivateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw SigningError.fileSystem(path: path, reason: "cannot create directory (\(error.localizedDescription))")
        }
        guard chmod(path, 0o700) == 0 else { throw posixFailure(path, "cannot set mode 0700") }
    }

    private static func posixFailure(_ path: String, _ what: String) -> SigningError {
        .fileSystem(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
