internal import CSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What SQLite reported: its extended result code and message.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    /// The primary result code (SQLITE_BUSY for SQLITE_BUSY_SNAPSHOT, and so on).
    var primaryCode: Int32 { code & 0xff }
    var description: String { message }

    var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    var cannotOpenForWriting: Bool { primaryCode == SQLITE_READONLY || primaryCode == SQLITE_CANTOPEN }
    /// The file is not a database, or a damaged one: bad input rather than a failing machine.
    var isDamagedFile: Bool { [SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_FORMAT].contains(primaryCode) }
    /// The file is a database, but its tables are not what the statement expects.
    var isUnexpectedContents: Bool { [SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_ERROR].contains(primaryCode) }
}

/// A value bound to a statement parameter.
enum SQLiteValue {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    init(_ value: Int) { self = .integer(Int64(value)) }
    init(_ value: UInt64) { self = .integer(Int64(truncatingIfNeeded: value)) }
}

/// One SQLite connection over the C API: prepared statements, a statement cache and transactions.
///
/// Guarantees: statements are finalized before the connection closes; a transaction whose body throws is
/// rolled back. Not thread-safe: the owner serialises access (`AuditLog` holds it behind a lock).
final class SQLiteConnection {
    private let handle: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens (or, unless read-only, creates) the database at `path`; `uri` lets `path` be a `file:` URI.
    init(path: String, readOnly: Bool = false, uri: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        flags |= SQLITE_OPEN_NOMUTEX
        if uri { flags |= SQLITE_OPEN_URI }
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Waits up to `seconds` for another connection's lock before reporting SQLITE_BUSY.
    func setBusyTimeout(seconds: Int) {
        sqlite3_busy_timeout(handle, Int32(clamping: seconds * 1000))
    }

    /// Runs statements that take no parameters and return no rows (several, separated by semicolons).
    func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    /// Runs one statement with `arguments`, to completion.
    func execute(_ sql: String, _ arguments: [SQLiteValue]) throws(SQLiteError) {
        try cached(sql).execute(arguments)
    }

    /// A new prepared statement, finalized when released.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, 0, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        return SQLiteStatement(statement)
    }

    /// The prepared statement for `sql`, kept for the life of the connection (appends repeat a few).
    func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = cache[sql] { return statement }
        let statement = try prepare(sql)
        cache[sql] = statement
        return statement
    }

    /// A statement for `sql`, bound and ready to step through its rows.
    func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteStatement {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        return statement
    }

    /// The first row of `sql`, read by `row`; nil when there is none.
    func fetchOne<T>(_ sql: String, _ arguments: [SQLiteValue] = [], _ row: (SQLiteStatement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? row(statement) : nil
    }

    /// Every row of `sql`, each read by `row`.
    func fetchAll<T>(_ sql: String, _ arguments: [SQLiteValue] = [], _ row: (SQLiteStatement) throws -> T) throws -> [T] {
        let statement = try query(sql, arguments)
        var out: [T] = []
        while try statement.step() { out.append(try row(statement)) }
        return out
    }

    /// The integer in the first column of the first row, or nil (no row, or NULL).
    func fetchInt(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int64(0)
    }

    /// The text in the first column of the first row, or nil (no row, or NULL).
    func fetchText(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> String? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.optionalText(0)
    }

    /// Runs `body` between `begin` (`BEGIN IMMEDIATE`, `BEGIN DEFERRED`) and COMMIT; rolls back when it throws.
    func transaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A prepared statement: bind, step, read columns (0-based). Rows stay valid until the next step or reset.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// Set when a run ends: stepping a finished statement again would silently start it over.
    private var finished = false

    fileprivate init(_ handle: OpaquePointer) { self.handle = handle }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `arguments` to its parameters, in order.
    func bind(_ arguments: [SQLiteValue]) throws(SQLiteError) {
        reset()
        sqlite3_clear_bindings(handle)
        for (offset, value) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .text(var text):
                guard text.utf8.count <= Int(Int32.max) else { throw SQLiteError(code: SQLITE_TOOBIG, message: "a text value is too long") }
                rc = text.withUTF8 { attest_sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count)) }
            case .blob(let bytes):
                guard bytes.count <= Int(Int32.max) else { throw SQLiteError(code: SQLITE_TOOBIG, message: "a blob is too long") }
                rc = bytes.withUnsafeBytes { attest_sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    /// Advances to the next row: true when there is one, false when the statement is done (and stays done
    /// until the next bind or reset).
    func step() throws(SQLiteError) -> Bool {
        if finished { return false }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            finished = true
            return false
        case let rc:
            let failure = error(rc)
            reset()
            finished = true
            throw failure
        }
    }

    /// Binds `arguments` and steps to completion, ignoring rows.
    func execute(_ arguments: [SQLiteValue] = []) throws(SQLiteError) {
        try bind(arguments)
        defer { reset() }
        while try step() {}
    }

    /// Ends the current run so the statement holds no read lock.
    func reset() {
        sqlite3_reset(handle)
        finished = false
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String { optionalText(column) ?? "" }

    func optionalText(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column's bytes ([] for NULL or an empty blob).
    func blob(_ column: Int32) -> [UInt8] {
        withBlob(column) { Array($0) }
    }

    /// The column's bytes without a copy, valid only inside `body`.
    func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let bytes = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? bytes : nil, count: count))
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
    }
}

/// A mutex for state shared between threads (the SQLite connection of a log).
final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
