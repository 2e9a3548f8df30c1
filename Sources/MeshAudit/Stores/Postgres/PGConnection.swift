import CLibPQ

/// A value sent to PostgreSQL as a parameter.
enum PGValue {
    case int8(Int64)
    case int4(Int32)
    case text(String)
    case bytea([UInt8])
    /// A text-format literal cast by the statement (e.g. an array `{"a","b"}` for `$1::text[]`).
    case literal(String)
    case null

    fileprivate var oid: UInt32 {
        switch self {
        case .int8: return 20
        case .int4: return 23
        case .text: return 25
        case .bytea: return 17
        case .literal, .null: return 0
        }
    }

    /// Wire bytes and format (1 = binary, 0 = text); nil bytes for NULL.
    fileprivate var wire: (bytes: [UInt8]?, format: Int32) {
        switch self {
        case .int8(let value): return (PGBinary.bigEndian(UInt64(bitPattern: value), width: 8), 1)
        case .int4(let value): return (PGBinary.bigEndian(UInt64(UInt32(bitPattern: value)), width: 4), 1)
        case .text(let value): return (Array(value.utf8), 1)
        case .bytea(let value): return (value, 1)
        case .literal(let value): return (Array(value.utf8) + [0], 0)
        case .null: return (nil, 1)
        }
    }
}

/// Big-endian helpers for PostgreSQL's binary formats.
enum PGBinary {
    static func bigEndian(_ value: UInt64, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt64((width - 1 - $0) * 8)) }
    }

    static func append(_ value: UInt64, width: Int, to buffer: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    static func readInteger(_ pointer: UnsafePointer<CChar>, count: Int) -> Int64 {
        var value: UInt64 = 0
        for index in 0..<count { value = value << 8 | UInt64(UInt8(bitPattern: pointer[index])) }
        // Sign-extend 4- and 2-byte integers.
        let shift = UInt64(64 - count * 8)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}

/// One `PGresult`, read in binary format; freed on deinit.
final class PGResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    var rowCount: Int { Int(PQntuples(result)) }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    func integer(_ row: Int, _ column: Int) -> Int64 {
        guard !isNull(row, column), let pointer = PQgetvalue(result, Int32(row), Int32(column)) else { return 0 }
        return PGBinary.readInteger(pointer, count: Int(PQgetlength(result, Int32(row), Int32(column))))
    }

    func bytes(_ row: Int, _ column: Int) -> [UInt8] {
        guard let value = value(row, column) else { return [] }
        return [UInt8](value)
    }

    /// Decoded straight from the result's buffer (one copy, no intermediate array).
    func text(_ row: Int, _ column: Int) -> String {
        guard let value = value(row, column) else { return "" }
        return String(decoding: value, as: UTF8.self)
    }

    /// The bytes of a non-NULL value, valid while the result lives.
    private func value(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard !isNull(row, column), let pointer = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        let count = Int(PQgetlength(result, Int32(row), Int32(column)))
        // CChar and UInt8 are the signed and unsigned variants of one type: aliasing is allowed.
        return UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: count)
    }

    func optionalText(_ row: Int, _ column: Int) -> String? { isNull(row, column) ? nil : text(row, column) }
}

/// A thin owner of one libpq connection. Not thread-safe: the store serializes access.
final class PGConnection {
    private let connection: OpaquePointer

    /// Connects to `url` (a `postgresql://` URL or a `key=value` connection string).
    init(url: String) throws {
        guard let connection = PQconnectdb(url) else {
            throw AuditStoreError.postgres(message: "out of memory", context: "connect")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw AuditStoreError.postgres(message: message.trimmingTrailingNewlines, context: "connect")
        }
        self.connection = connection
        _ = try? execute("SET client_min_messages = warning")
    }

    deinit { PQfinish(connection) }

    /// Runs `sql` with `parameters` ($1, $2, ...) and returns the rows in binary format.
    @discardableResult
    func execute(_ sql: String, _ parameters: [PGValue] = []) throws -> PGResult {
        let wires = parameters.map(\.wire)
        let types = parameters.map(\.oid)
        let formats = wires.map(\.format)
        let lengths = wires.map { Int32($0.bytes?.count ?? 0) }
        let result: OpaquePointer? = withParameterPointers(wires.map(\.bytes)) { values in
            PQexecParams(connection, sql, Int32(parameters.count), types, values, lengths, formats, 1)
        }
        return try check(result, sql)
    }

    /// Runs one or more `;`-separated statements in one round trip (simple query protocol)
    /// and returns the result of the last one, in text format.
    @discardableResult
    func executeScript(_ sql: String) throws -> PGResult {
        try check(PQexec(connection, sql), sql)
    }

    /// Starts a `COPY … FROM STDIN` statement; send the data with `putCopyData`, finish with
    /// `endCopy`. No other statement may run in between.
    func beginCopy(_ sql: String) throws {
        guard let start = PQexec(connection, sql) else { throw failure(sql) }
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else { throw error(start, sql) }
    }

    /// Sends COPY data (libpq buffers it; the server parses and inserts while the caller
    /// prepares more).
    func putCopyData(_ data: [UInt8], context: String) throws {
        let sent = data.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    PQputCopyData(connection, $0, Int32(buffer.count)) == 1
                }
            } ?? true
        }
        guard sent else { throw failure(context) }
    }

    /// Ends the COPY and reports the server's verdict on the rows (e.g. a unique violation).
    func endCopy(context: String) throws {
        let ended = PQputCopyEnd(connection, nil) == 1
        var firstError: AuditStoreError?
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK && firstError == nil { firstError = error(result, context) }
            PQclear(result)
        }
        if let firstError { throw firstError }
        guard ended else { throw failure(context) }
    }

    /// Ends an open COPY with an error, so the transaction fails and can be rolled back.
    func abortCopy(reason: String) {
        _ = PQputCopyEnd(connection, reason)
        while let result = PQgetResult(connection) { PQclear(result) }
    }

    private func check(_ result: OpaquePointer?, _ sql: String) throws -> PGResult {
        guard let result else { throw failure(sql) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let failure = error(result, sql)
            PQclear(result)
            throw failure
        }
        return PGResult(result)
    }

    /// The error a failed result carries, with its SQLSTATE.
    private func error(_ result: OpaquePointer, _ context: String) -> AuditStoreError {
        let message = String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }  // PG_DIAG_SQLSTATE
        return .postgres(message: message.isEmpty ? "unknown error" : message, context: context, sqlState: sqlState)
    }

    private func failure(_ context: String) -> AuditStoreError {
        .postgres(message: String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines, context: context)
    }
}

/// Calls `body` with a C array of pointers to each parameter's bytes (nil for NULL).
private func withParameterPointers<R>(_ values: [[UInt8]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    pointers.reserveCapacity(values.count)
    var allocations: [UnsafeMutablePointer<CChar>] = []
    defer { allocations.forEach { $0.deallocate() } }
    for value in values {
        guard let value else {
            pointers.append(nil)
            continue
        }
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, value.count))
        value.withUnsafeBufferPointer { source in
            source.baseAddress.map { UnsafeMutableRawPointer(copy).copyMemory(from: $0, byteCount: value.count) }
        }
        allocations.append(copy)
        pointers.append(UnsafePointer(copy))
    }
    return body(pointers)
}

extension String {
    var trimmingTrailingNewlines: String {
        var copy = self
        while copy.last?.isNewline == true { copy.removeLast() }
        return copy
    }
}
