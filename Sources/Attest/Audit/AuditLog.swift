import AttestCrypto
import Foundation
import GRDB

/// An append-only log of manifest and receipt envelopes in one SQLite file (WAL mode), with the RFC 9162 tree
/// over their canonical bytes kept beside them and a signed C2SP checkpoint for every size it was appended to.
///
/// Guarantees: an append is one `BEGIN IMMEDIATE` transaction, so concurrent processes serialise and a crash
/// (even SIGKILL) leaves all of an append or none of it; commits are synced (`synchronous = FULL`). Within the
/// transaction every interior node the new leaves complete is stored, from the frontier read in O(log n), so
/// appends never rehash the log, and the checkpoint of the new size is signed with the log key. Readers see one
/// consistent snapshot. Nothing here trusts the stored hashes: `AuditVerifier` recomputes them from the bytes.
public final class AuditLog: Sendable {
    public let path: String
    /// The checkpoint origin and the note key name.
    public let origin: String
    /// The note verifier key the log was created with (as the log says: an auditor pins their own copy).
    public let verifierKeyText: String
    let queue: DatabaseQueue

    private init(path: String, origin: String, verifierKeyText: String, queue: DatabaseQueue) {
        self.path = path
        self.origin = origin
        self.verifierKeyText = verifierKeyText
        self.queue = queue
    }

    // MARK: Opening

    /// Opens an existing log. Throws `.io` when there is no file and `.invalidDocument` when it is not a log.
    public static func open(_ path: String) throws(AttestError) -> AuditLog {
        guard AtomicFile.exists(path) else { throw AttestError(.io, "no audit log here", at: path) }
        // Readers leave the journal mode alone (the file says WAL). A copy the auditor may not write to cannot
        // take WAL's shared-memory file read-write: it is opened read-only, as immutable.
        let queue = try run(path) { () throws -> DatabaseQueue in
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration())
                _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
                return queue
            } catch let error as DatabaseError where [.SQLITE_READONLY, .SQLITE_CANTOPEN].contains(error.resultCode.primaryResultCode) {
                return try DatabaseQueue(path: immutableURI(path), configuration: configuration(readOnly: true))
            }
        }
        let meta = try run(path) { () throws -> [String: String]? in
            try queue.read { db in
                guard try Int.fetchOne(db, sql: "PRAGMA user_version") == AuditLogSchema.version else { return nil }
                return try readMeta(db)
            }
        }
        guard let meta, let origin = meta["origin"], let vkey = meta["vkey"] else {
            throw AttestError(.invalidDocument, "not an attest audit log", at: path)
        }
        return AuditLog(path: path, origin: origin, verifierKeyText: vkey, queue: queue)
    }

    /// Opens the log for appending, creating it (and its key, `LOG.key`) when it does not exist yet.
    /// - Parameter origin: the origin for a new log (default `attest.example/<file name>`); for an existing
    ///   log, it must be the one the log was created with.
    /// - Returns: the log and the signer of its checkpoints.
    public static func openForAppend(_ path: String, origin: String? = nil) throws(AttestError) -> (AuditLog, NoteSigner) {
        let key = try AuditLogKey.loadOrCreate(forLog: path)
        let queue = try connect(path)
        try run(path) {
            // WAL is a property of the file, set once; GRDB's own WAL set-up would also write a table at every
            // open, and a device opens the log once per job.
            try retryingWhileBusy {
                try queue.writeWithoutTransaction { db in
                    guard try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" else { return }
                    guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                        throw AttestError(.environment, "SQLite cannot put the log in WAL mode")
                    }
                }
            }
        }
        let (storedOrigin, signer) = try run(path) { () throws -> (String, NoteSigner) in
            try retryingWhileBusy { try queue.writeWithoutTransaction { db in
                var result: (String, NoteSigner)?
                try db.inTransaction(.immediate) {
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
                        try db.execute(sql: "INSERT OR REPLACE INTO meta (name, value) VALUES ('origin', ?), ('vkey', ?)",
                                       arguments: [name, signer.verifierKey.text])
                    } else if meta["vkey"] != signer.verifierKey.text {
                        throw AttestError(.invalidKey, "\(AuditLogKey.path(forLog: path)) is not the key this log was created with (\(meta["vkey"] ?? ""))")
                    }
                    result = (name, signer)
                    return .commit
                }
                return result!
            } }
        }
        return (AuditLog(path: path, origin: storedOrigin, verifierKeyText: signer.verifierKey.text, queue: queue), signer)
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
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode.primaryResultCode)
                && waited < 120_000_000 {
                usleep(delay + UInt32.random(in: 0...delay))
                waited += UInt64(delay) * 3 / 2
                delay = min(delay * 2, 50_000)
            }
        }
    }

    private static func connect(_ path: String) throws(AttestError) -> DatabaseQueue {
        try run(path) { try DatabaseQueue(path: path, configuration: configuration()) }
    }

    private static func configuration(readOnly: Bool = false) -> Configuration {
        var config = Configuration()
        config.readonly = readOnly
        // Appenders wait for each other; a device job or a fleet of them never fails on a busy log.
        config.busyMode = .timeout(120)
        config.label = "attest.audit"
        config.prepareDatabase { db in
            // A commit is on disk before the append returns: receipts are evidence.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
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

    private static func readMeta(_ db: Database) throws -> [String: String] {
        guard try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'meta'") == true else { return [:] }
        var meta: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, value FROM meta") {
            meta[row[0]] = row[1]
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
    public func append(_ entries: [AuditEntry], signer: NoteSigner, deviceKeys: [PublicKey] = [],
                       checkReceipts: Bool = true) throws(AttestError) -> Appended {
        guard signer.verifierKey.text == verifierKeyText else {
            throw AttestError(.invalidKey, "the signer is not this log's key", at: path)
        }
        return try write { db in
            var known: [String: PublicKey] = [:]
            for key in deviceKeys {
                let dict = try KeyDict(key)
                try db.execute(sql: "INSERT OR IGNORE INTO keys (keyid, key) VALUES (?, ?)",
                               arguments: [key.keyID, String(decoding: CanonicalJSON.encode(dict.json), as: UTF8.self)])
            }
            let size = try Self.size(db)
            var frontier = try CompactRange(size: size, source: AuditTree(db: db))
            let insertEntry = try db.cachedStatement(sql: """
                INSERT INTO entries (idx, leaf_hash, entry, payload_type, time, manifest_id, manifest_digest, issuer,
                                     device, event, region, workloads, chips, decision, failed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertTerm = try db.cachedStatement(sql: "INSERT OR IGNORE INTO entry_terms (idx, term) VALUES (?, ?)")
            let insertNode = try db.cachedStatement(sql: "INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)")
            var nodes: [MerkleNode] = []
            for (offset, entry) in entries.enumerated() {
                let index = size + UInt64(offset)
                if checkReceipts, let device = entry.device {
                    try Self.checkReceipt(entry, device: device, db: db, known: &known)
                }
                let leaf = MerkleTree.leafHash(entry.bytes)
                let record = entry.record(index: index)
                try insertEntry.execute(arguments: [
                    Int64(index), Data(leaf), Data(entry.bytes), entry.kind.payloadType.rawValue, record.time,
                    record.manifestID, record.manifestDigest, record.issuer, record.device, record.event, record.region,
                    AuditLogSchema.encodeList(record.workloads), AuditLogSchema.encodeList(record.chips), record.decision,
                    AuditLogSchema.encodeList(record.failed),
                ])
                for term in record.terms { try insertTerm.execute(arguments: [Int64(index), term]) }
                try frontier.append(leafHash: leaf) { nodes.append($0) }
                for node in nodes { try insertNode.execute(arguments: [node.level, Int64(node.index), Data(node.hash)]) }
                nodes.removeAll(keepingCapacity: true)
            }
            let checkpoint = try Checkpoint(origin: origin, size: frontier.size, rootHash: frontier.root).signed(by: [signer])
            try db.execute(sql: "INSERT OR REPLACE INTO checkpoints (size, root, note) VALUES (?, ?, ?)",
                           arguments: [Int64(frontier.size), Data(frontier.root), checkpoint.formatted])
            return Appended(firstIndex: size, count: entries.count, checkpoint: checkpoint)
        }
    }

    private static func checkReceipt(_ entry: AuditEntry, device: String, db: Database, known: inout [String: PublicKey]) throws {
        let what = entry.source.map { "\($0): " } ?? ""
        if known[device] == nil, let text = try String.fetchOne(db, sql: "SELECT key FROM keys WHERE keyid = ?", arguments: [device]) {
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

    static func size(_ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM entries") ?? 0)
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

    static func latestCheckpoint(_ db: Database) throws -> StoredCheckpoint? {
        guard let row = try Row.fetchOne(db, sql: "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1") else { return nil }
        return StoredCheckpoint(size: UInt64(row[0] as Int64), root: Array(row[1] as Data), note: row[2])
    }

    /// Signs a checkpoint of the current size when the newest stored one is older (rows added by other means),
    /// and returns the newest.
    public func checkpoint(signer: NoteSigner) throws(AttestError) -> StoredCheckpoint {
        try write { db in
            let size = try Self.size(db)
            if let latest = try Self.latestCheckpoint(db), latest.size == size { return latest }
            let root = try MerkleTree.root(size: size, in: AuditTree(db: db))
            let note = try Checkpoint(origin: origin, size: size, rootHash: root).signed(by: [signer]).formatted
            try db.execute(sql: "INSERT OR REPLACE INTO checkpoints (size, root, note) VALUES (?, ?, ?)",
                           arguments: [Int64(size), Data(root), note])
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
                  let row = try Row.fetchOne(db, sql: "SELECT \(Self.recordColumns), leaf_hash, entry FROM entries WHERE idx = ?",
                                             arguments: [Int64(index)]) else {
                throw AttestError(.usage, "the log has no entry \(index) (it has \(try Self.size(db)))", at: path)
            }
            return StoredEntry(record: try Self.record(row), leafHash: Array(row[13] as Data), bytes: Array(row[14] as Data))
        }
    }

    /// Device keys the log holds, by key id.
    public func deviceKeys() throws(AttestError) -> [String: PublicKey] {
        try read { db in try Self.deviceKeys(db) }
    }

    static func deviceKeys(_ db: Database) throws -> [String: PublicKey] {
        var keys: [String: PublicKey] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT keyid, key FROM keys") {
            let key = try KeyDict(json: JSONParser.parse(row[1] as String)).publicKey
            keys[row[0]] = key
        }
        return keys
    }

    /// Whether the log holds the key of device `keyID`.
    public func holdsDeviceKey(_ keyID: String) throws(AttestError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM keys WHERE keyid = ?", arguments: [keyID]) ?? false }
    }

    /// The bytes of the entries matching `filter` (default: all), oldest first, streamed.
    public func forEachEntry(matching filter: AuditFilter = AuditFilter(), _ body: (UInt64, [UInt8]) throws(AttestError) -> Void) throws(AttestError) {
        try read { db in
            let (clause, arguments) = filter.sql
            let rows = try Row.fetchCursor(db, sql: "SELECT idx, entry FROM entries \(clause) ORDER BY idx", arguments: arguments)
            while let row = try rows.next() {
                try body(UInt64(row[0] as Int64), Array(row[1] as Data))
            }
        }
    }

    /// The records matching `filter`, oldest first, streamed.
    public func forEachRecord(matching filter: AuditFilter = AuditFilter(), _ body: (AuditRecord) throws(AttestError) -> Void) throws(AttestError) {
        try read { db in
            let (clause, arguments) = filter.sql
            let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.recordColumns) FROM entries \(clause) ORDER BY idx", arguments: arguments)
            while let row = try rows.next() {
                try body(try Self.record(row))
            }
        }
    }

    /// The columns `record(_:)` reads, in order.
    static let recordColumns =
        "idx, payload_type, time, manifest_id, manifest_digest, issuer, device, event, region, workloads, chips, decision, failed"

    static func record(_ row: Row, at offset: Int = 0) throws -> AuditRecord {
        let type: String = row[offset + 1]
        guard let kind = AuditEntry.Kind(payloadType: type) else {
            throw AttestError(.invalidDocument, "entry \(row[offset] as Int64) has payload type \(type)")
        }
        return AuditRecord(index: UInt64(row[offset] as Int64), kind: kind, time: row[offset + 2],
                           manifestID: row[offset + 3], manifestDigest: row[offset + 4], issuer: row[offset + 5],
                           device: row[offset + 6], event: row[offset + 7], region: row[offset + 8],
                           workloads: try AuditLogSchema.decodeList(row[offset + 9]),
                           chips: try AuditLogSchema.decodeList(row[offset + 10]), decision: row[offset + 11],
                           failed: try AuditLogSchema.decodeList(row[offset + 12]))
    }

    // MARK: Transactions

    /// Runs `body` in one read transaction: a snapshot no concurrent append changes.
    public func read<T>(_ body: (Database) throws -> T) throws(AttestError) -> T {
        try Self.run(path) { try queue.read(body) }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, committed when it returns.
    func write<T>(_ body: (Database) throws -> T) throws(AttestError) -> T {
        try Self.run(path) {
            try queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    /// Maps SQLite's errors to attest's: a busy, full or failing disk is the environment (exit 3); a file that
    /// is not a database, or a damaged one, is bad input (exit 2).
    static func run<T>(_ path: String, _ body: () throws -> T) throws(AttestError) -> T {
        do {
            return try body()
        } catch let error as AttestError {
            throw error.location == nil ? error.inFile(path) : error
        } catch let error as DatabaseError {
            let message = error.message ?? "\(error.resultCode)"
            switch error.resultCode.primaryResultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_FORMAT:
                throw AttestError(.invalidDocument, "not a readable audit log: \(message)", at: path)
            case .SQLITE_CONSTRAINT, .SQLITE_MISMATCH, .SQLITE_ERROR:
                throw AttestError(.invalidDocument, "the audit log does not have the expected contents: \(message)", at: path)
            default:
                throw AttestError(.environment, "SQLite: \(message)", at: path)
            }
        } catch let error as CryptoError {
            throw AttestError(error).inFile(path)
        } catch {
            throw AttestError(.environment, "\(error)", at: path)
        }
    }
}
