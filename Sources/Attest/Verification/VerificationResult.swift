/// The result of verifying one manifest: every check, and the decision they add up to.
///
/// Guarantees: `checks` holds exactly one result per check id, in the order of `CheckID.allCases`;
/// `decision` is allow only when no check failed (and, when skips were not allowed, none skipped).
public struct VerificationResult: Sendable, Equatable {
    public enum Decision: String, Sendable { case allow, deny }

    public struct ManifestSummary: Sendable, Equatable {
        public let id: String
        public let digest: String
        public let issuer: String
    }

    public let decision: Decision
    public let manifest: ManifestSummary?
    public let checks: [CheckResult]
    /// The manifest as read, when it could be read (receipts and reports take their facts from it).
    public internal(set) var document: Manifest?
    /// What this verification wrote to the device state (empty when it wrote nothing).
    public internal(set) var recorded: [StateChange] = []

    /// - Parameter mustNotSkip: checks that deny when skipped (`boot`, `run` and `unseal` skip nothing
    ///   that applies to them).
    public init(checks: [CheckResult], manifest: ManifestSummary?, mustNotSkip: Set<CheckID> = []) {
        self.checks = checks
        self.manifest = manifest
        let blocked = checks.contains { $0.status == .fail || ($0.status == .skip && mustNotSkip.contains($0.id)) }
        self.decision = blocked ? .deny : .allow
    }

    public var failed: [CheckID] { checks.filter { $0.status == .fail }.map(\.id) }
    public var isAllowed: Bool { decision == .allow }

    public func check(_ id: CheckID) -> CheckResult? { checks.first { $0.id == id } }

    public var json: JSONValue {
        var object: JSONObject = ["decision": .string(decision.rawValue)]
        if let manifest {
            _ = object.updateValue(["id": .string(manifest.id), "digest": .string(manifest.digest), "issuer": .string(manifest.issuer)], forKey: "manifest")
        } else {
            _ = object.updateValue(.null, forKey: "manifest")
        }
        _ = object.updateValue(.array(checks.map(\.json)), forKey: "checks")
        return .object(object)
    }

    /// The human form: a decision line, then failing checks first, then passes, then skips.
    public var text: String {
        var lines: [String] = []
        let what = manifest.map { "manifest \($0.id) from \($0.issuer) (\($0.digest))" } ?? "manifest (unreadable)"
        lines.append("\(decision == .allow ? "ALLOW" : "DENY")  \(what)")
        let width = CheckID.allCases.map(\.rawValue.count).max() ?? 20
        for status in [CheckResult.Status.fail, .pass, .skip] {
            for check in checks where check.status == status {
                let label = status.rawValue.uppercased()
                lines.append("  \(label.padded(to: 4))  \(check.id.rawValue.padded(to: width))  \(TerminalText.inline(check.detail))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The string with spaces added on the right up to `width` characters.
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
