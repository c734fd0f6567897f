
/// `audit cross-check`: every manifest a device ran under (a receipt that allowed it) must be in the
/// integrator's issuance log. A manifest that is not was signed outside the issuing process: a leaked or
/// misused delegation key shows up here.
///
/// Guarantees: a manifest counts as issued only when the issuance log holds one with the same id and the
/// same payload digest (a second document under a known id is not issued); every allowing receipt of every
/// receipt log is looked at. It reads the logs' indexed columns: run `audit verify` on each log first, which
/// proves the columns are the ones the entries give.
public enum AuditCrossCheck {
    /// A manifest devices ran under that the issuance log does not hold.
    public struct Missing: Sendable, Equatable {
        public let manifestID: String
        public let digest: String
        /// Allowing receipts that name it.
        public var receipts: Int
        /// Device key ids that ran under it.
        public var devices: [String]
        public var firstSeen: String
        public var lastSeen: String
        /// Where the first receipt is: `LOG#index`.
        public var firstReceipt: String

        public var json: JSONValue {
            .object(JSONObject(uniqueMembers: [
                ("manifest", .string(manifestID)),
                ("digest", .string(digest)),
                ("receipts", .number(JSONNumber(Int64(receipts)))),
                ("devices", .array(devices.map { .string($0) })),
                ("firstSeen", .string(firstSeen)),
                ("lastSeen", .string(lastSeen)),
                ("firstReceipt", .string(firstReceipt)),
            ]))
        }
    }

    public struct Report: Sendable {
        public let issued: Int
        public let allowingReceipts: Int
        public let missing: [Missing]

        public var text: String {
            var lines: [String] = []
            if missing.isEmpty {
                lines.append("OK  every manifest devices ran under (\(allowingReceipts) allowing receipts) is in the issuance log (\(issued) manifests)")
            } else {
                lines.append("MISSING  \(missing.count) manifest\(missing.count == 1 ? "" : "s") devices ran under \(missing.count == 1 ? "is" : "are") not in the issuance log (\(issued) manifests):")
                for m in missing {
                    lines.append("  \(m.manifestID)  \(m.digest)  \(m.receipts) receipt\(m.receipts == 1 ? "" : "s") from \(m.devices.count) device\(m.devices.count == 1 ? "" : "s"), \(m.firstSeen) .. \(m.lastSeen), first \(m.firstReceipt)")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }

        public var json: JSONValue {
            .object(JSONObject(uniqueMembers: [
                ("issued", .number(JSONNumber(Int64(issued)))),
                ("allowingReceipts", .number(JSONNumber(Int64(allowingReceipts)))),
                ("missing", .array(missing.map(\.json))),
            ]))
        }
    }

    public static func run(issuance: AuditLog, receipts: [AuditLog]) throws(AttestError) -> Report {
        try requireOnly(.manifest, in: issuance, role: "the issuance log")
        for log in receipts { try requireOnly(.receipt, in: log, role: "a receipt log") }
        struct Key: Hashable { let id: String; let digest: String }
        var issued = Set<Key>()
        try issuance.read { db in
            let rows = try db.query("SELECT manifest_id, manifest_digest FROM entries WHERE payload_type = ?",
                                    [.text(PayloadType.manifest.rawValue)])
            while try rows.step() {
                if let id = rows.optionalText(0), let digest = rows.optionalText(1) { issued.insert(Key(id: id, digest: digest)) }
            }
        }
        var missing: [Key: Missing] = [:]
        var order: [Key] = []
        var allowing = 0
        for log in receipts {
            try log.read { db in
                let rows = try db.query("""
                    SELECT idx, manifest_id, manifest_digest, device, time FROM entries
                    WHERE payload_type = ? AND decision = 'allow' ORDER BY idx
                    """, [.text(PayloadType.receipt.rawValue)])
                while try rows.step() {
                    allowing += 1
                    let index = rows.int64(0)
                    // An allowing receipt always names its manifest; one that does not is itself suspect.
                    let key = Key(id: rows.optionalText(1) ?? "(none)", digest: rows.optionalText(2) ?? "(none)")
                    if issued.contains(key) { continue }
                    let device = rows.optionalText(3) ?? ""
                    let time = rows.text(4)
                    if var seen = missing[key] {
                        seen.receipts += 1
                        if !seen.devices.contains(device) { seen.devices.append(device) }
                        seen.firstSeen = min(seen.firstSeen, time)
                        seen.lastSeen = max(seen.lastSeen, time)
                        missing[key] = seen
                    } else {
                        order.append(key)
                        missing[key] = Missing(manifestID: key.id, digest: key.digest, receipts: 1, devices: [device],
                                               firstSeen: time, lastSeen: time, firstReceipt: "\(log.path)#\(index)")
                    }
                }
            }
        }
        return Report(issued: issued.count, allowingReceipts: allowing, missing: order.compactMap { missing[$0] })
    }

    /// Logs of the wrong kind would make the check vacuous (an OK over nothing): refuse them. An empty log is
    /// of either kind.
    private static func requireOnly(_ kind: AuditEntry.Kind, in log: AuditLog, role: String) throws(AttestError) {
        let other: PayloadType = kind == .manifest ? .receipt : .manifest
        let count = try log.read { db in
            try db.fetchInt("SELECT count(*) FROM entries WHERE payload_type = ?", [.text(other.rawValue)]) ?? 0
        }
        guard count == 0 else {
            let what = kind == .manifest ? "receipts: it is a device's receipt log" : "manifests: it is an issuance log"
            throw AttestError(.usage, "given as \(role), but it holds \(count) \(what)", at: log.path)
        }
    }
}
