/// Which entries an auditor asks for: every condition given must hold (an empty filter matches everything).
///
/// Guarantees: each condition is answered by an index of the log (chip serials and workloads through the
/// terms table); values reach SQLite only as bound arguments.
public struct AuditFilter: Sendable, Equatable {
    /// A chip serial the entry names.
    public var serial: String?
    /// A region: the entry's region is this one or a subdivision of it (`MX` matches `MX-NLE`).
    public var region: String?
    /// A manifest's issuing delegation.
    public var issuer: String?
    /// A workload class the manifest permits or the receipt's job asked for.
    public var workload: String?
    /// allow or deny (receipts only).
    public var decision: String?
    /// manifest or receipt.
    public var kind: AuditEntry.Kind?
    /// A manifest id: the manifest, and the receipts of decisions on it.
    public var manifestID: String?
    /// Inclusive bounds on the entry's time.
    public var since: Timestamp?
    public var until: Timestamp?

    public init(serial: String? = nil, region: String? = nil, issuer: String? = nil, workload: String? = nil,
                decision: String? = nil, kind: AuditEntry.Kind? = nil, manifestID: String? = nil,
                since: Timestamp? = nil, until: Timestamp? = nil) {
        self.serial = serial
        self.region = region
        self.issuer = issuer
        self.workload = workload
        self.decision = decision
        self.kind = kind
        self.manifestID = manifestID
        self.since = since
        self.until = until
    }

    /// A time for `--since` / `--until`: RFC 3339 (`2027-01-31T12:00:00Z`) or a date (`2027-01-31`), which
    /// means the start of that day for `since` and its last second for `until`.
    public static func parseTime(_ text: String, endOfDay: Bool) throws(AttestError) -> Timestamp {
        if let time = Timestamp(text) { return time }
        if text.utf8.count == 10, let day = Timestamp(text + "T00:00:00Z") {
            return endOfDay ? day.adding(seconds: 86_399) : day
        }
        throw AttestError(.usage, "\(text.debugDescription) is not a time (YYYY-MM-DDTHH:MM:SSZ) or a date (YYYY-MM-DD)")
    }

    /// The WHERE clause (empty, or starting with WHERE) and its arguments.
    var sql: (String, [SQLiteValue]) {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        if let serial {
            conditions.append("idx IN (SELECT idx FROM entry_terms WHERE term = ?)")
            arguments.append(.text(AuditRecord.chipTerm(serial)))
        }
        if let workload {
            conditions.append("idx IN (SELECT idx FROM entry_terms WHERE term = ?)")
            arguments.append(.text(AuditRecord.workloadTerm(workload)))
        }
        if let region {
            // A subdivision's code starts with its country's and a hyphen.
            conditions.append("(region = ? OR (region >= ? AND region < ?))")
            arguments += [.text(region), .text(region + "-"), .text(region + ".")]
        }
        if let issuer {
            conditions.append("issuer = ?")
            arguments.append(.text(issuer))
        }
        if let decision {
            conditions.append("decision = ?")
            arguments.append(.text(decision))
        }
        if let kind {
            conditions.append("payload_type = ?")
            arguments.append(.text(kind.payloadType.rawValue))
        }
        if let manifestID {
            conditions.append("manifest_id = ?")
            arguments.append(.text(manifestID))
        }
        if let since {
            conditions.append("time >= ?")
            arguments.append(.text(since.description))
        }
        if let until {
            conditions.append("time <= ?")
            arguments.append(.text(until.description))
        }
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return (clause, arguments)
    }
}
