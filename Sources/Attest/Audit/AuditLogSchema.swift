/// The tables of an audit log file. One row per entry keeps the entry bytes, its leaf hash and the columns an
/// auditor filters on; `nodes` keeps every perfect subtree hash above the leaves, so the root at any size and
/// every proof are O(log n) reads; `checkpoints` keeps each signed checkpoint the log issued.
enum AuditLogSchema {
    static let version = 1

    static let statements = [
        // name → value: origin, the note verifier key the log was created with.
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        // idx is the 0-based leaf index; text lists (workloads, chips, failed) are canonical JSON arrays.
        """
        CREATE TABLE entries (
            idx INTEGER PRIMARY KEY,
            leaf_hash BLOB NOT NULL,
            entry BLOB NOT NULL,
            payload_type TEXT NOT NULL,
            time TEXT NOT NULL,
            manifest_id TEXT,
            manifest_digest TEXT,
            issuer TEXT,
            device TEXT,
            event TEXT,
            region TEXT NOT NULL,
            workloads TEXT NOT NULL,
            chips TEXT NOT NULL,
            decision TEXT,
            failed TEXT NOT NULL
        )
        """,
        "CREATE INDEX entries_time ON entries (time)",
        "CREATE INDEX entries_type ON entries (payload_type)",
        "CREATE INDEX entries_manifest ON entries (manifest_id)",
        "CREATE INDEX entries_issuer ON entries (issuer)",
        "CREATE INDEX entries_region ON entries (region)",
        "CREATE INDEX entries_decision ON entries (decision)",
        // Chip serials and workload classes ("chip:<serial>", "workload:<class>"): several per entry.
        "CREATE TABLE entry_terms (idx INTEGER NOT NULL, term TEXT NOT NULL, PRIMARY KEY (idx, term)) WITHOUT ROWID",
        "CREATE INDEX entry_terms_term ON entry_terms (term, idx)",
        // Level ≥ 1: the root of leaves [idx << level, (idx + 1) << level). Level 0 is entries.leaf_hash.
        "CREATE TABLE nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
        "CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL)",
        // Device keys receipts are checked against: keyid → canonical key dict.
        "CREATE TABLE keys (keyid TEXT PRIMARY KEY, key TEXT NOT NULL) WITHOUT ROWID",
    ] + additions

    /// Indexes added after version 1 was fixed: created when a writer opens an older file, so the schema
    /// version stays 1 (readers never need them).
    static let additions = [
        // A queued receipt whose bytes are already in the log is a replay (`ReceiptQueue`).
        "CREATE INDEX IF NOT EXISTS entries_leaf ON entries (leaf_hash)",
    ]

    /// Creates the tables when the file is new. Runs inside the caller's write transaction.
    static func createIfNeeded(_ db: SQLiteConnection) throws -> Bool {
        let current = try db.fetchInt("PRAGMA user_version") ?? 0
        if current == version {
            for sql in additions { try db.execute(sql) }
            return false
        }
        guard current == 0 else {
            throw AttestError(.invalidDocument, "audit log schema version \(current) is not supported (expected \(version))")
        }
        guard try db.fetchInt("SELECT count(*) FROM sqlite_master") == 0 else {
            throw AttestError(.invalidDocument, "a SQLite database, but not an attest audit log")
        }
        for sql in statements { try db.execute(sql) }
        try db.execute("PRAGMA user_version = \(version)")
        return true
    }

    /// Text lists in a column: a canonical JSON array of strings.
    static func encodeList(_ values: [String]) -> String {
        String(decoding: CanonicalJSON.encode(.array(values.map { .string($0) })), as: UTF8.self)
    }

    static func decodeList(_ text: String) throws -> [String] {
        guard let items = try JSONParser.parse(text).arrayValue else {
            throw AttestError(.invalidDocument, "a list column is not a JSON array")
        }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let s = item.stringValue else { throw AttestError(.invalidDocument, "a list column holds a non-string") }
            out.append(s)
        }
        return out
    }
}
