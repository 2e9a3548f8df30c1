import CSQLite

/// A thin owner of one `sqlite3*` handle. Not thread-safe: the store serializes access.
final class SQLiteConnection {
    let handle: OpaquePointer

    /// Opens (creating if needed) the database file at `path`; `readOnly` opens an existing
    /// file without write access (nothing can be created or changed through it).
    init(path: String, readOnly: Bool = false) throws {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw AuditStoreError.sqlite(code: code, message: message, context: "open \(path)")
        }
        self.handle = handle
        // Extended result codes tell a duplicate (SQLITE_CONSTRAINT_UNIQUE) from other refusals.
        sqlite3_extended_result_codes(handle, 1)
        // Another process (or a reader) may hold the lock briefly; wait rather than fail.
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows of interest.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw AuditStoreError.sqlite(code: code, message: message, context: sql)
        }
    }

    /// Compiles `sql`.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, sql) }
        return SQLiteStatement(connection: self, statement: statement, sql: sql)
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    func error(_ code: Int32, _ context: String) -> AuditStoreError {
        .sqlite(code: code, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }
}

/// SQLite's "copy the bound value now" destructor marker.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement; reused across executions with `reset`.
final class SQLiteStatement {
    private let connection: SQLiteConnection
    private let statement: OpaquePointer
    let sql: String

    fileprivate init(connection: SQLiteConnection, statement: OpaquePointer, sql: String) {
        self.connection = connection
        self.statement = statement
        self.sql = sql
    }

    deinit { sqlite3_finalize(statement) }

    /// Clears bindings (no lent pointer stays bound) and rewinds, ready for the next execution.
    func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(statement, index, value))
    }

    func bind(_ index: Int32, _ value: String) throws {
        var value = value
        try value.withUTF8 { utf8 in
            if let base = utf8.baseAddress, utf8.count > 0 {
                try base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    try check(sqlite3_bind_text(statement, index, $0, Int32(utf8.count), transient))
                }
            } else {
                // A nil pointer would store NULL; an empty string must stay an empty string.
                try check(sqlite3_bind_text(statement, index, "", 0, transient))
            }
        }
    }

    func bind(_ index: Int32, _ value: String?) throws {
        if let value { try bind(index, value) } else { try check(sqlite3_bind_null(statement, index)) }
    }

    func bind(_ index: Int32, _ value: [UInt8]) throws {
        try value.withUnsafeBytes { bytes in
            try check(sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                        Int32(bytes.count), transient))
        }
    }

    /// Binds `bytes` without copying them: the memory must stay valid until the statement is
    /// reset (the caller steps and resets inside the closure that lends the pointer).
    func bindNoCopy(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        try check(sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                    Int32(bytes.count), nil))
    }

    /// Binds UTF-8 `bytes` as text without copying them (same rule as `bindNoCopy`).
    func bindTextNoCopy(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        // A nil pointer would bind NULL; an empty text needs a non-nil one (never read).
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        try check(sqlite3_bind_text(statement, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil))
    }

    func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(statement, index))
    }

    /// Advances to the next row; false when done.
    func step() throws -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(code, sql)
        }
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private func check(_ code: Int32) throws {
        if code != SQLITE_OK { throw connection.error(code, sql) }
    }
}
