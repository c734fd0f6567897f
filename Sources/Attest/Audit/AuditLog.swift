import AttestCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only log of manifest and receipt envelopes in one SQLite file (WAL mode), with the RFC 9162 tree
/// over their canonical bytes kept beside them and a signed C2SP checkpoint for every size it was appended to.
///
/// Guarantees: an append is one `BEGIN IMMEDIATE` transaction, so concurrent processes serialise and a crash
/// (even SIGKILL) leaves all of an append or none of it; commits are synced (`synchronous = FULL`). Within the
/// transaction every interior node the new leaves complete is stored, from the frontier read in O(log n), so
/// appends never rehash the log, and the checkpoint of the new size is signed with the log key. Readers see one
/// consistent snapshot. Nothing here trusts the stored hashes: `AuditVerifier` recomputes them from the bytes.
public final class AuditLog: @unchecked Sendable {
    public let path: String
    /// The checkpoint origin and the note key name.
    public let origin: String
    /// The note verifier key the log was created with (as the log says: an auditor pins their own copy).
    public let verifierKeyText: String
    /// One connection, used by one thread at a time (`lock`): every read and write is one transaction.
    private let connection: SQLiteConnection
    private let lock = Lock()

    private init(path: String, origin: String, verifierKeyText: String, connection: SQLiteConnection) {
        self.path = path
        self.origin = origin
        self.verifierKeyText = verifierKeyText
        self.connection = connection
    }

    // MARK: Opening

    /// Opens an existing log. Throws `.io` when there is no file and `.invalidDocument` when it is not a log.
    public static func open(_ path: String) throws(AttestError) -> AuditLog {
        try refuseStandardStreams(path)
        guard AtomicFile.exists(path) else { throw AttestError(.io, "no audit log here", at: path) }
        takeInQueuedReceipts(path)
        // Readers leave the journal mode alone (the file says WAL). A copy the auditor may not write to cannot
        // take WAL's shared-memory file read-write: it is opened read-only, as immutable.
        let connection = try run(path) { () throws -> SQLiteConnection in
            do {
                let connection = try connect(path)
                _ = try connection.transaction("BEGIN DEFERRED") { try connection.fetchInt("SELECT count(*) FROM sqlite_master") }
                return connection
            } catch let error as SQLiteError where error.cannotOpenForWriting {
                return try connect(immutableURI(path), readOnly: true)
            }
        }
        let meta = try run(path) { () throws -> [String: String]? in
            try connection.transaction("BEGIN DEFERRED") {
                guard try connection.fetchInt("PRAGMA user_version") == Int64(AuditLogSchema.version) else { return nil }
                return try readMeta(connection)
            }
        }
        guard let meta, let origin = meta["origin"], let vkey = meta["vkey"] else {
            throw AttestError(.invalidDocument, "not an attest audit log", at: path)
        }
        return AuditLog(path: path, origin: origin, verifierKeyText: vkey, connection: connection)
    }

    /// A device's queued receipts enter its log before anyone reads it, when the log's key is beside it and the
    /// file can be written. A copy that cannot take them is read as it is (`ReceiptQueue.hasPending` says so).
    private static func takeInQueuedReceipts(_ path: String) {
        let queue = ReceiptQueue(logPath: path)
        guard queue.hasPending, AtomicFile.exists(AuditLogKey.path(forLog: path)), access(path, W_OK) == 0,
              let (log, signer) = try? openForAppend(path) else { return }
        _ = try? queue.drain(into: log, signer: signer)
    }

    /// Opens the log for appending, creating it (and its key, `LOG.key`) when it does not exist yet.
    /// - Parameter origin: the origin for a new log (default `attest.example/<file name>`); for an existing
    ///   log, it must be the one the log was created with.
    /// - Returns: the log and the signer of its checkpoints.
    public static func openForAppend(_ path: String, origin: String? = nil) throws(AttestError) -> (AuditLog, NoteSigner) {
        try refuseStandardStreams(path)
        if !AtomicFile.exists(path) {
            // Refuse a bad origin before anything is created.
            let name = origin ?? AuditLogKey.defaultOrigin(forLog: path)
            guard NoteVerifierKey.isValidName(name) else {
                throw AttestError(.usage, "\(name.debugDescription) cannot be a checkpoint origin (no spaces or '+'): give --origin")
            }
        }
        let key = try AuditLogKey.loadOrCreate(forLog: path)
        let db = try run(path) { try connect(path) }
        try run(path) {
            // WAL is a property of the file, set once: a device opens the log once per job.
            try retryingWhileBusy {
                guard try db.fetchText("PRAGMA journal_mode") != "wal" else { return }
                guard try db.fetchText("PRAGMA journal_mode = WAL") == "wal" else {
                    throw AttestError(.environment, "SQLite cannot put the log in WAL mode")
                }
            }
        }
        let (storedOrigin, signer) = try run(path) { () throws -> (String, NoteSigner) in
            try retryingWhileBusy {
                try db.transaction("BEGIN IMMEDIATE") { () throws -> (String, NoteSigner) in
                    let created = try AuditLogSchema.createIfNeeded(db)
                    let meta = try readMeta(db)
                    let name = meta["origin"] ?? origin ?? AuditLogKey.defaultOrigin(forLog: path)
                    if let origin, origin != name {
                        throw AttestError(.usage, "the log's origin is \(name), not \(origin)")
                    }
                    guard NoteVerifierKey.isValidName(name) else {
                        throw AttestError(.usage, "\(name.debugDescription) cannot be a checkpoint origin (no spaces or '+'): give --origin")
                    }
                    let signer = try NoteSigner(name: name, privateKey: key)
                    if created || meta["vkey"] == nil {
                        try db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('origin', ?), ('vkey', ?)",
                                       [.text(name), .text(signer.verifierKey.text)])
                    } else if meta["vkey"] != signer.verifierKey.text {
                        throw AttestError(.invalidKey, "\(AuditLogKey.path(forLog: path)) is not the key this log was created with (\(meta["vkey"] ?? ""))")
                    }
                    return (name, signer)
                }
            }
        }
        return (AuditLog(path: path, origin: storedOrigin, verifierKeyText: signer.verifierKey.text, connection: db), signer)
    }

    /// A log is a SQLite file: where other inputs take '-' for a standard stream, a log never does.
    private static func refuseStandardStreams(_ path: String) throws(AttestError) {
        guard path != "-" else {
            throw AttestError(.usage, "a log is a SQLite file, so '-' (a standard stream) cannot be one: give its path")
        }
    }

    /// Opens the log for appending and runs `body`. When this call made the log (neither it nor its key was
    /// there) and the log is still empty when `openForAppend` or `body` fails, the new files are removed: a
    /// refused first append leaves nothing behind.
    public static func appending<T>(_ path: String, origin: String? = nil,
                                    _ body: (AuditLog, NoteSigner) throws(AttestError) -> T) throws(AttestError) -> T {
        let keyPath = AuditLogKey.path(forLog: path)
        let isNew = !AtomicFile.exists(path) && !AtomicFile.exists(keyPath)
        var opened: AuditLog?
        do throws(AttestError) {
            let (log, signer) = try openForAppend(path, origin: origin)
            opened = log
            return try body(log, signer)
        } catch {
            if isNew, (try? opened?.size()) ?? 0 == 0 {
                opened = nil
                for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
                unlink(keyPath)
            }
            throw error
        }
    }

    /// Runs `body` again while SQLite says the file is busy without waiting: while a new log switches to WAL,
    /// a process that opened it in the old journal mode gets SQLITE_BUSY at once (SQLite's deadlock avoidance
    /// skips the busy handler there). Only the set-up steps need this; appends wait in `BEGIN IMMEDIATE`.
    private static func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        var delay: UInt32 = 1_000
        var waited: UInt64 = 0
        while true {
            do {
                return try body()
            } catch let error as SQLiteError where error.isBusy && waited < 120_000_000 {
                usleep(delay + UInt32.random(in: 0...delay))
                waited += UInt64(delay) * 3 / 2
                delay = min(delay * 2, 50_000)
            }
        }
    }

    private static func connect(_ path: String, readOnly: Bool = false) throws(SQLiteError) -> SQLiteConnection {
        let db = try SQLiteConnection(path: path, readOnly: readOnly, uri: readOnly)
        // Appenders wait for each other; a device job or a fleet of them never fails on a busy log.
        db.setBusyTimeout(seconds: 120)
        // A commit is on disk before the append returns: receipts are evidence.
        try db.execute("PRAGMA synchronous = FULL")
        return db
    }

    /// A read-only file whose directory the auditor cannot write: SQLite reads a WAL database without its
    /// shared-memory file only when told the file cannot change.
    private static func immutableURI(_ path: String) -> String {
        var escaped = ""
        for c in path.unicodeScalars {
            switch c {
            case "?", "#", "%": escaped += "%" + String(c.value, radix: 16, uppercase: true)
            default: escaped.unicodeScalars.append(c)
            }
        }
        return "file:" + escaped + "?immutable=1"
    }

    private static func readMeta(_ db: SQLiteConnection) throws -> [String: String] {
        guard try db.fetchInt("SELECT count(*) FROM sqlite_master WHERE name = 'meta'") ?? 0 > 0 else { return [:] }
        var meta: [String: String] = [:]
        for (name, value) in try db.fetchAll("SELECT name, value FROM meta", [], { ($0.text(0), $0.text(1)) }) {
            meta[name] = value
        }
        return meta
    }

    // MARK: Appending

    /// What one append did.
    public struct Appended: Sendable {
        /// Index of the first new entry.
        public let firstIndex: UInt64
        public let count: Int
        /// The signed checkpoint of the new size.
        public let checkpoint: SignedNote
        public var size: UInt64 { firstIndex + UInt64(count) }
    }

    /// Appends entries in one transaction and signs the checkpoint of the new size.
    ///
    /// A receipt is taken only when the log holds its device's key (recorded earlier or in `deviceKeys`) and
    /// the receipt verifies under it, so every receipt in the log can be re-verified later.
    /// - Parameters:
    ///   - deviceKeys: device keys to record (receipts are checked against the keys the log holds).
    ///   - checkReceipts: false only for receipts this process has just signed itself (bulk generation).
    @discardableResult
    ///   - queueMark: what of a receipt queue these entries came from, committed with them (`ReceiptQueue`).
    public func append(_ entries: [AuditEntry], signer: NoteSigner, deviceKeys: [PublicKey] = [],
                       checkReceipts: Bool = true, queueMark: QueueMark? = nil) throws(AttestError) -> Appended {
        guard signer.verifierKey.text == verifierKeyText else {
            throw AttestError(.invalidKey, "the signer is not this log's key", at: path)
        }
        return try write { db in
            var known: [String: PublicKey] = [:]
            for key in deviceKeys {
                let dict = try KeyDict(key)
                try db.execute("INSERT OR IGNORE INTO keys (keyid, key) VALUES (?, ?)",
                               [.text(key.keyID), .text(String(decoding: CanonicalJSON.encode(dict.json), as: UTF8.self))])
            }
            let size = try Self.size(db)
            var frontier = try CompactRange(size: size, source: AuditTree(db: db))
            let insertEntry = try db.cached("""
                INSERT INTO entries (idx, leaf_hash, entry, payload_type, time, manifest_id, manifest_digest, issuer,
                                     device, event, region, workloads, chips, decision, failed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertTerm = try db.cached("INSERT OR IGNORE INTO entry_terms (idx, term) VALUES (?, ?)")
            let insertNode = try db.cached("INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)")
            var nodes: [MerkleNode] = []
            for (offset, entry) in entries.enumerated() {
                let index = size + UInt64(offset)
                if checkReceipts, let device = entry.device {
                    try Self.checkReceipt(entry, device: device, db: db, known: &known)
                }
                let leaf = MerkleTree.leafHash(entry.bytes)
                let record = entry.record(index: index)
                try insertEntry.execute([
                    SQLiteValue(index), .blob(leaf), .blob(entry.bytes), .text(entry.kind.payloadType.rawValue), .text(record.time),
                    SQLiteValue(record.manifestID), SQLiteValue(record.manifestDigest), SQLiteValue(record.issuer),
                    SQLiteValue(record.device), SQLiteValue(record.event), .text(record.region),
                    .text(AuditLogSchema.encodeList(record.workloads)), .text(AuditLogSchema.encodeList(record.chips)),
                    SQLiteValue(record.decision), .text(AuditLogSchema.encodeList(record.failed)),
                ])
                for term in record.terms { try insertTerm.execute([SQLiteValue(index), .text(term)]) }
                try frontier.append(leafHash: leaf) { nodes.append($0) }
                for node in nodes { try insertNode.execute([SQLiteValue(node.level), SQLiteValue(node.index), .blob(node.hash)]) }
                nodes.removeAll(keepingCapacity: true)
            }
            let checkpoint = try Checkpoint(origin: origin, size: frontier.size, rootHash: frontier.root).signed(by: [signer])
            try db.execute("INSERT OR REPLACE INTO checkpoints (size, root, note) VALUES (?, ?, ?)",
                           [SQLiteValue(frontier.size), .blob(frontier.root), .text(checkpoint.formatted)])
            if let queueMark {
                try db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('queue', ?)", [.text(queueMark.text)])
            }
            return Appended(firstIndex: size, count: entries.count, checkpoint: checkpoint)
        }
    }

    private static func checkReceipt(_ entry: AuditEntry, device: String, db: SQLiteConnection, known: inout [String: PublicKey]) throws {
        let what = entry.source.map { "\($0): " } ?? ""
        if known[device] == nil, let text = try db.fetchText("SELECT key FROM keys WHERE keyid = ?", [.text(device)]) {
            known[device] = try KeyDict(json: JSONParser.parse(text)).publicKey
        }
        guard let key = known[device] else {
            throw AttestError(.usage, "\(what)receipt from device \(device), whose key this log does not hold (give --device-key)")
        }
        guard entry.envelope.verify(keys: [device: key], threshold: 1).meetsThreshold else {
            throw AttestError(.signatureFailed, "\(what)receipt is not signed by the key of device \(device)")
        }
    }

    // MARK: Reading

    /// Entries in the log.
    public func size() throws(AttestError) -> UInt64 {
        try read { db in try Self.size(db) }
    }

    static func size(_ db: SQLiteConnection) throws -> UInt64 {
        UInt64(clamping: try db.fetchInt("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries") ?? 0)
    }

    /// A checkpoint as the log stored it (signature not checked).
    public struct StoredCheckpoint: Sendable {
        public let size: UInt64
        public let root: [UInt8]
        public let note: String
    }

    /// The checkpoint of the largest size, if any.
    public func latestCheckpoint() throws(AttestError) -> StoredCheckpoint? {
        try read { db in try Self.latestCheckpoint(db) }
    }

    static func latestCheckpoint(_ db: SQLiteConnection) throws -> StoredCheckpoint? {
        try db.fetchOne("SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1") {
            StoredCheckpoint(size: UInt64(clamping: $0.int64(0)), root: $0.blob(1), note: $0.text(2))
        }
    }

    /// Signs a checkpoint of the current size when the newest stored one is older (rows added by other means),
    /// and returns the newest.
    public func checkpoint(signer: NoteSigner) throws(AttestError) -> StoredCheckpoint {
        try write { db in
            let size = try Self.size(db)
            if let latest = try Self.latestCheckpoint(db), latest.size == size { return latest }
            let root = try MerkleTree.root(size: size, in: AuditTree(db: db))
            let note = try Checkpoint(origin: origin, size: size, rootHash: root).signed(by: [signer]).formatted
            try db.execute("INSERT OR REPLACE INTO checkpoints (size, root, note) VALUES (?, ?, ?)",
                           [SQLiteValue(size), .blob(root), .text(note)])
            return StoredCheckpoint(size: size, root: root, note: note)
        }
    }

    /// One stored entry: its bytes, stored leaf hash and columns.
    public struct StoredEntry: Sendable {
        public let record: AuditRecord
        public let leafHash: [UInt8]
        public let bytes: [UInt8]
    }

    /// Entry `index`. Throws `.usage` past the end.
    public func entry(at index: UInt64) throws(AttestError) -> StoredEntry {
        try read { db in
            guard index <= UInt64(Int64.max),
                  let entry = try db.fetchOne("SELECT \(Self.recordColumns), leaf_hash, entry FROM entries WHERE idx = ?", [SQLiteValue(index)], {
                      StoredEntry(record: try Self.record($0), leafHash: $0.blob(13), bytes: $0.blob(14))
                  }) else {
                throw AttestError(.usage, "the log has no entry \(index) (it has \(try Self.size(db)))", at: path)
            }
            return entry
        }
    }

    /// Device keys the log holds, by key id.
    public func deviceKeys() throws(AttestError) -> [String: PublicKey] {
        try read { db in try Self.deviceKeys(db) }
    }

    static func deviceKeys(_ db: SQLiteConnection) throws -> [String: PublicKey] {
        var keys: [String: PublicKey] = [:]
        for (keyID, text) in try db.fetchAll("SELECT keyid, key FROM keys", [], { ($0.text(0), $0.text(1)) }) {
            keys[keyID] = try KeyDict(json: JSONParser.parse(text)).publicKey
        }
        return keys
    }

    /// How much of its receipt queue the log has taken in, if it ever took one in.
    func queueMark() throws(AttestError) -> QueueMark? {
        try read { db in try db.fetchText("SELECT value FROM meta WHERE name = 'queue'").flatMap(QueueMark.init(text:)) }
    }

    /// Which of `leafHashes` the log already holds, by position in the list.
    func holdsLeaves(_ leafHashes: [[UInt8]]) throws(AttestError) -> Set<Int> {
        try read { db in
            var held = Set<Int>()
            for (position, hash) in leafHashes.enumerated()
            where try db.fetchInt("SELECT 1 FROM entries WHERE leaf_hash = ? LIMIT 1", [.blob(hash)]) != nil {
                held.insert(position)
            }
            return held
        }
    }

    /// Whether the log holds the key of device `keyID`.
    public func holdsDeviceKey(_ keyID: String) throws(AttestError) -> Bool {
        try read { db in try db.fetchInt("SELECT count(*) FROM keys WHERE keyid = ?", [.text(keyID)]) ?? 0 > 0 }
    }

    /// The bytes of the entries matching `filter` (default: all), oldest first, streamed.
    public func forEachEntry(matching filter: AuditFilter = AuditFilter(), _ body: (UInt64, [UInt8]) throws(AttestError) -> Void) throws(AttestError) {
        try read { db in
            let (clause, arguments) = filter.sql
            let rows = try db.query("SELECT idx, entry FROM entries \(clause) ORDER BY idx", arguments)
            while try rows.step() {
                try body(UInt64(clamping: rows.int64(0)), rows.blob(1))
            }
        }
    }

    /// The records matching `filter`, oldest first, streamed.
    public func forEachRecord(matching filter: AuditFilter = AuditFilter(), _ body: (AuditRecord) throws(AttestError) -> Void) throws(AttestError) {
        try read { db in
            let (clause, arguments) = filter.sql
            let rows = try db.query("SELECT \(Self.recordColumns) FROM entries \(clause) ORDER BY idx", arguments)
            while try rows.step() {
                try body(try Self.record(rows))
            }
        }
    }

    /// The columns `record(_:)` reads, in order.
    static let recordColumns =
        "idx, payload_type, time, manifest_id, manifest_digest, issuer, device, event, region, workloads, chips, decision, failed"

    /// Positions in `recordColumns` of idx, time, region, workloads, chips and failed.
    private static let notNullRecordColumns: [Int32] = [0, 2, 8, 9, 10, 12]

    /// The record in the columns `recordColumns` names, from column `offset` on.
    static func record(_ row: SQLiteStatement, at offset: Int32 = 0) throws -> AuditRecord {
        let type = row.text(offset + 1)
        guard let kind = AuditEntry.Kind(payloadType: type) else {
            throw AttestError(.invalidDocument, "entry \(row.int64(offset)) has payload type \(type)")
        }
        // NOT NULL columns: a NULL there is a damaged row, not an empty string.
        for column in notNullRecordColumns where row.isNull(offset + column) {
            throw AttestError(.invalidDocument, "entry \(row.int64(offset)) has an empty column")
        }
        return AuditRecord(index: UInt64(clamping: row.int64(offset)), kind: kind, time: row.text(offset + 2),
                           manifestID: row.optionalText(offset + 3), manifestDigest: row.optionalText(offset + 4),
                           issuer: row.optionalText(offset + 5), device: row.optionalText(offset + 6),
                           event: row.optionalText(offset + 7), region: row.text(offset + 8),
                           workloads: try AuditLogSchema.decodeList(row.text(offset + 9)),
                           chips: try AuditLogSchema.decodeList(row.text(offset + 10)), decision: row.optionalText(offset + 11),
                           failed: try AuditLogSchema.decodeList(row.text(offset + 12)))
    }

    // MARK: Transactions

    /// Runs `body` in one read transaction: a snapshot no concurrent append changes.
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws(AttestError) -> T {
        try lock.withLock { () throws(AttestError) -> T in
            try Self.run(path) { try connection.transaction("BEGIN DEFERRED") { try body(connection) } }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, committed when it returns.
    func write<T>(_ body: (SQLiteConnection) throws -> T) throws(AttestError) -> T {
        try lock.withLock { () throws(AttestError) -> T in
            try Self.run(path) { try connection.transaction("BEGIN IMMEDIATE") { try body(connection) } }
        }
    }

    /// Maps SQLite's errors to attest's: a busy, full or failing disk is the environment (exit 3); a file that
    /// is not a database, or a damaged one, is bad input (exit 2).
    static func run<T>(_ path: String, _ body: () throws -> T) throws(AttestError) -> T {
        do {
            return try body()
        } catch let error as AttestError {
            throw error.location == nil ? error.inFile(path) : error
        } catch let error as SQLiteError {
            if error.isDamagedFile {
                throw AttestError(.invalidDocument, "not a readable audit log: \(error.message)", at: path)
            } else if error.isUnexpectedContents {
                throw AttestError(.invalidDocument, "the audit log does not have the expected contents: \(error.message)", at: path)
            } else {
                throw AttestError(.environment, "SQLite: \(error.message)", at: path)
            }
        } catch let error as CryptoError {
            throw AttestError(error).inFile(path)
        } catch {
            throw AttestError(.environment, "\(error)", at: path)
        }
    }
}
