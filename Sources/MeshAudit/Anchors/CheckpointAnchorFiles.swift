import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checkpoints kept in files outside the database.
///
/// - An anchor file: one `anchorLine` per checkpoint, appended (`O_APPEND`) and fsynced. Put
///   it on another host or an append-only mount (`chattr +a`).
/// - A WORM directory: one file per checkpoint, `<log id>-<size, 20 digits>.json`, created
///   exclusively (never replaced), fsynced and made read-only (0444); meant for a directory
///   whose files cannot be changed once written (an S3 Object Lock bucket mounted or synced,
///   a read-only-after-write mount).
public enum CheckpointAnchorFiles {
    /// Appends `checkpoints` to the anchor file at `path` (created if missing).
    public static func append(_ checkpoints: [AuditCheckpoint], toFile path: String) throws {
        guard !checkpoints.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw AnchorError.io(location: path, detail: "cannot open for appending (\(errnoText()))") }
        defer { close(descriptor) }
        let text = checkpoints.map { $0.anchorLine + "\n" }.joined()
        try writeAll(Array(text.utf8), to: descriptor, path: path)
        guard fsync(descriptor) == 0 else { throw AnchorError.io(location: path, detail: "fsync failed (\(errnoText()))") }
    }

    /// Writes each checkpoint as its own read-only file in `directory` (created if missing).
    /// A file that already exists with the same content is left alone (a retry); one with
    /// other content is an error, never overwritten.
    public static func write(_ checkpoints: [AuditCheckpoint], toDirectory directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw AnchorError.io(location: directory, detail: "cannot create the directory (\(error.localizedDescription))")
        }
        for checkpoint in checkpoints {
            let path = directory + "/" + fileName(checkpoint)
            let bytes = Array((checkpoint.anchorLine + "\n").utf8)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
            if descriptor < 0 && errno == EEXIST {
                let existing = FileManager.default.contents(atPath: path).map { Array($0) }
                guard existing == bytes else {
                    throw AnchorError.io(location: path, detail: "exists with other content; an anchored checkpoint is never replaced")
                }
                continue
            }
            guard descriptor >= 0 else { throw AnchorError.io(location: path, detail: "cannot create (\(errnoText()))") }
            defer { close(descriptor) }
            try writeAll(bytes, to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw AnchorError.io(location: path, detail: "fsync failed (\(errnoText()))") }
        }
    }

    /// `<log id>-<size, zero-padded to 20 digits>.json`: sorts by size within a log.
    public static func fileName(_ checkpoint: AuditCheckpoint) -> String {
        let size = String(checkpoint.sequence)
        return "\(checkpoint.logID)-\(String(repeating: "0", count: max(0, 20 - size.count)))\(size).json"
    }

    /// Every checkpoint in an anchor file or a WORM directory (any file ending in `.json`).
    /// - Throws: `AnchorError` naming the file and line that is not a checkpoint, or `.empty`.
    public static func read(_ path: String) throws -> [AuditCheckpoint] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AnchorError.io(location: path, detail: "no such anchor file or directory")
        }
        var checkpoints: [AuditCheckpoint] = []
        if isDirectory.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw AnchorError.io(location: path, detail: "cannot list (\(error.localizedDescription))")
            }
            for name in names.sorted() where name.hasSuffix(".json") {
                checkpoints += try lines(of: path + "/" + name)
            }
        } else {
            checkpoints = try lines(of: path)
        }
        guard !checkpoints.isEmpty else { throw AnchorError.empty(location: path) }
        return checkpoints
    }

    private static func lines(of path: String) throws -> [AuditCheckpoint] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AnchorError.io(location: path, detail: "cannot read")
        }
        var result: [AuditCheckpoint] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            do {
                result.append(try AuditCheckpoint(anchorLine: text))
            } catch let AnchorError.malformed(detail) {
                throw AnchorError.badEntry(location: "\(path):\(number + 1)", detail: detail)
            }
        }
        return result
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw AnchorError.io(location: path, detail: "write failed (\(errnoText()))") }
            written += result
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
