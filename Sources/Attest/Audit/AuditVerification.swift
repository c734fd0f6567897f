/// The stable ids of the audit log checks. Scripts match on these strings.
public enum AuditCheckID: String, CaseIterable, Sendable {
    /// Every entry's bytes hash to its stored leaf hash, indexes run 0..<n without gaps, each entry parses as a
    /// canonical manifest or receipt envelope, and its indexed columns and terms are the ones its bytes give.
    case entries = "log.entries"
    /// Every stored interior node (what proofs are served from) equals the one recomputed from the entries.
    case tree = "log.tree"
    /// The newest checkpoint is signed by the log key, names the log's origin, covers every entry, and its root
    /// is the recomputed root; every older stored checkpoint's root is the recomputed root at its size.
    case checkpoint = "log.checkpoint"
    /// A checkpoint the auditor saved earlier is signed by the log key and is a prefix of today's log.
    case consistency = "log.consistency"
    /// Manifests verify against the given root and delegations; receipts verify under their device's key.
    case signatures = "log.signatures"
    /// No line of the receipt queue beside the log was set aside (`LOG.rejected` is absent or empty).
    case queue = "log.queue"
}

/// The outcome of `audit verify`: every check, the entries that failed, and what the work cost.
///
/// Guarantees: `checks` holds one result per `AuditCheckID`, in its order; `isValid` is true only when none
/// failed; every failing entry is counted in `problemCount` and the first `AuditVerification.listedProblems`
/// are named in `problems`.
public struct AuditVerification: Sendable {
    public struct Check: Sendable, Equatable {
        public let id: AuditCheckID
        public let status: CheckResult.Status
        public let detail: String

        public var json: JSONValue {
            ["id": .string(id.rawValue), "status": .string(status.rawValue), "detail": .string(detail)]
        }
    }

    /// One thing wrong with one entry.
    public struct Problem: Sendable, Equatable {
        public let index: UInt64
        public let check: AuditCheckID
        public let reason: String

        public var text: String { "entry \(index): \(reason)" }
    }

    /// Work done, for the benchmark.
    public struct Timing: Sendable {
        public var treeSeconds: Double = 0
        public var entriesSeconds: Double = 0
        public var bytesHashed: Int = 0
        public var leavesHashed: Int = 0
        public var nodesHashed: Int = 0
        public var signaturesVerified: Int = 0
        public var threads: Int = 1
    }

    public static let listedProblems = 50

    public let path: String
    public let origin: String
    public let size: UInt64
    /// The root recomputed from the entry bytes.
    public let root: [UInt8]
    public let checks: [Check]
    public let problems: [Problem]
    public let problemCount: Int
    public let timing: Timing

    public var isValid: Bool { !checks.contains { $0.status == .fail } }

    public func check(_ id: AuditCheckID) -> Check? { checks.first { $0.id == id } }

    /// A verdict line, the checks (failures first), then the failing entries.
    public var text: String {
        var lines = ["\(isValid ? "VALID" : "INVALID")  audit log \(path) (\(origin)): \(size) entr\(size == 1 ? "y" : "ies"), root \(Base64.encode(root))"]
        let width = AuditCheckID.allCases.map(\.rawValue.count).max() ?? 16
        for status in [CheckResult.Status.fail, .pass, .skip] {
            for check in checks where check.status == status {
                lines.append("  \(status.rawValue.uppercased().padded(to: 4))  \(check.id.rawValue.padded(to: width))  \(TerminalText.inline(check.detail))")
            }
        }
        if !problems.isEmpty {
            lines.append("failing entries:")
            for problem in problems { lines.append("  \(problem.text) (\(problem.check.rawValue))") }
            if problemCount > problems.count { lines.append("  … and \(problemCount - problems.count) more") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        .object(JSONObject(uniqueMembers: [
            ("valid", .bool(isValid)),
            ("log", .string(path)),
            ("origin", .string(origin)),
            ("size", .number(JSONNumber(Int64(size)))),
            ("root", .string(Base64.encode(root))),
            ("checks", .array(checks.map(\.json))),
            ("problems", .array(problems.map { p in
                ["index": .number(JSONNumber(Int64(p.index))), "check": .string(p.check.rawValue), "reason": .string(p.reason)]
            })),
            ("problemCount", .number(JSONNumber(Int64(problemCount)))),
        ]))
    }
}
