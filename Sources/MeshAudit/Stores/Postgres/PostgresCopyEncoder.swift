/// Builds the body of a `COPY … FROM STDIN (FORMAT binary)` for `audit_records` rows, in the
/// column order of `RecordColumns`. Binary COPY needs no escaping and is the
/// fastest way to load rows through libpq. The body can be taken in chunks (`take`) and
/// streamed while more rows are appended.
struct PostgresCopyEncoder {
    private(set) var data: [UInt8]
    /// Rows appended in total.
    private(set) var rowCount = 0

    init(reservingRows rows: Int = 0) {
        data = []
        data.reserveCapacity(19 + rows * 1_400)
        data.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        PGBinary.append(0, width: 4, to: &data)  // flags
        PGBinary.append(0, width: 4, to: &data)  // header extension length
    }

    /// Bytes encoded and not yet taken.
    var byteCount: Int { data.count }

    /// The bytes encoded since the last call (plus the end-of-data marker when `final`).
    mutating func take(final: Bool) -> [UInt8] {
        if final { PGBinary.append(0xFFFF, width: 2, to: &data) }
        let taken = data
        data.removeAll(keepingCapacity: true)
        return taken
    }

    /// Encodes one row (the columns of `RecordColumns`, in its order).
    mutating func append(_ record: AuditRecord) throws {
        PGBinary.append(UInt64(RecordColumns.count), width: 2, to: &data)
        try RecordColumns.write(record, to: &self)
        rowCount += 1
    }
}

/// Binary COPY field encodings of the `RecordColumns` value kinds.
extension PostgresCopyEncoder: RecordColumnWriter {
    mutating func int64(_ value: Int64) {
        PGBinary.append(8, width: 4, to: &data)
        PGBinary.append(UInt64(bitPattern: value), width: 8, to: &data)
    }

    mutating func int32(_ value: Int32) {
        PGBinary.append(4, width: 4, to: &data)
        PGBinary.append(UInt64(UInt32(bitPattern: value)), width: 4, to: &data)
    }

    mutating func bytes(_ value: [UInt8]) {
        PGBinary.append(UInt64(value.count), width: 4, to: &data)
        data.append(contentsOf: value)
    }

    mutating func raw(_ value: [UInt8]) {
        bytes(value)
    }

    mutating func optionalText(_ value: String?) {
        guard let value else {
            PGBinary.append(0xFFFF_FFFF, width: 4, to: &data)  // -1: NULL
            return
        }
        text(value)
    }

    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            PGBinary.append(UInt64(utf8.count), width: 4, to: &data)
            data.append(contentsOf: utf8)
        }
    }
}

/// Text-format array literals for `$n::text[]` / `$n::bigint[]` parameters.
enum PGArrayLiteral {
    static func text(_ values: [String]) -> String {
        "{" + values.map { value in
            var escaped = "\""
            for character in value {
                if character == "\"" || character == "\\" { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped + "\""
        }.joined(separator: ",") + "}"
    }

    static func integers<T: BinaryInteger>(_ values: [T]) -> String {
        "{" + values.map { String($0) }.joined(separator: ",") + "}"
    }
}
