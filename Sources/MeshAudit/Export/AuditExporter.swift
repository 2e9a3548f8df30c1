import Foundation
import MeshSigning

/// Writes records as a self-describing file for auditors: a header with the log id, the filter,
/// the full-log verification result and the newest checkpoint; one line per record; and a
/// trailer with the record count and the SHA-256 of the record lines.
///
/// - `.jsonLines`: every line is a JSON object with a `"kind"` of `header`, `record` or
///   `trailer`; records carry the raw sealed bytes as base64.
/// - `.csv`: RFC 4180 rows under a column header line; the header and trailer are lines
///   starting with `#` (no raw bytes: use JSON Lines for a complete electronic copy).
public enum AuditExporter {
    /// Output format.
    public enum Format: String, Sendable {
        case jsonLines = "jsonl"
        case csv
    }

    /// Name written in the header, versioned like the hashes.
    public static let formatName = "agentmesh-audit-export-v1"

    /// Exports the records matching `filter` to `url` (created or replaced). Verifies the whole
    /// log first with `trust` so the header states whether it is intact.
    /// - Returns: the verification report written into the header.
    @discardableResult
    public static func export(
        _ store: AuditStore, filter: AuditSearchFilter = .all, format: Format, to url: URL, trust: TrustStore,
        anchors: [AuditCheckpoint] = [], envelopes: StoredEnvelopeCheck? = nil
    ) throws -> VerificationReport {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw AuditStoreError.exportFailed("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        return try export(store, filter: filter, format: format, to: handle, trust: trust, anchors: anchors, envelopes: envelopes)
    }

    /// Exports to an open `FileHandle` (a file, a pipe, standard output).
    @discardableResult
    public static func export(
        _ store: AuditStore, filter: AuditSearchFilter = .all, format: Format, to handle: FileHandle, trust: TrustStore,
        anchors: [AuditCheckpoint] = [], envelopes: StoredEnvelopeCheck? = nil
    ) throws -> VerificationReport {
        let report = try AuditVerifier.verify(store, trust: trust, anchors: anchors, envelopes: envelopes)
        let checkpoint = try store.checkpoints().last
        let writer = ExportLineWriter(handle: handle)
        let header = ExportHeader(format: formatName, logID: store.logID,
                                  exportedAtMicros: AuditStoreConfiguration.systemClock(),
                                  filter: filter, report: report, checkpoint: checkpoint)
        switch format {
        case .jsonLines: try writer.write(try JSONLines.header(header))
        case .csv: try writer.write(CSVLines.header(header))
        }

        var recordDigestInput: [UInt8] = []
        var count = 0
        var page = filter
        let pageSize = 1_000
        var remaining = filter.limit ?? Int.max
        while remaining > 0 {
            page.limit = min(pageSize, remaining)
            let records = try store.search(page)
            for record in records {
                let line = format == .jsonLines ? try JSONLines.record(record) : CSVLines.record(record)
                recordDigestInput += Array(line.utf8)
                try writer.write(line)
            }
            count += records.count
            remaining -= records.count
            guard let last = records.last, records.count == page.limit else { break }
            page.afterSequence = last.sequence
        }
        let trailer = ExportTrailer(recordCount: count, recordLinesSHA256: SHA256Digest.hex(recordDigestInput))
        switch format {
        case .jsonLines: try writer.write(try JSONLines.trailer(trailer))
        case .csv: try writer.write(CSVLines.trailer(trailer))
        }
        try writer.flush()
        return report
    }
}

/// What the header of an export states.
struct ExportHeader {
    var format: String
    var logID: String
    var exportedAtMicros: Int64
    var filter: AuditSearchFilter
    var report: VerificationReport
    var checkpoint: AuditCheckpoint?
}

/// What the trailer of an export states.
struct ExportTrailer {
    var recordCount: Int
    /// SHA-256 (hex) over the record lines, each including its final newline.
    var recordLinesSHA256: String
}

/// Buffers lines and writes them to a file handle in large chunks.
final class ExportLineWriter {
    private let handle: FileHandle
    private var buffer = Data()

    init(handle: FileHandle) { self.handle = handle }

    /// Writes `line`, which must end with a newline.
    func write(_ line: String) throws {
        buffer.append(contentsOf: Array(line.utf8))
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw AuditStoreError.exportFailed("write failed: \(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
