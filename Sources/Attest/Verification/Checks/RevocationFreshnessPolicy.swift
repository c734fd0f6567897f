/// `revocation.freshness`: no revocation list is dated in the future, and when the root's policy sets
/// `maxRevocationAgeDays`, the device holds a root list issued within that many days and not expired (a
/// frozen feed denies). An expired list is reported but still applies: revocations only grow.
public struct RevocationFreshnessPolicy: VerificationPolicy {
    public let id = CheckID.revocationFreshness
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let root = c.trust.root, c.trust.rootOutcome.passed else { return .skip("no trusted root") }
        var problems = c.trust.freshnessProblems
        var notes: [String] = []
        for (issuer, record) in c.trust.revocationRecords.sorted(by: { $0.key < $1.key }) where c.now > record.expires.adding(seconds: c.skew) {
            notes.append("the newest list from \(issuer) (v\(record.version)) expired at \(record.expires); its revocations still apply")
        }
        if let days = root.policy.maxRevocationAgeDays {
            if let record = c.trust.revocationRecords[Revocation.rootIssuer] {
                let limit = record.issuedAt.adding(days: Int64(days)).adding(seconds: c.skew)
                if c.now > limit {
                    problems.append("the newest root list (v\(record.version)) was issued at \(record.issuedAt), more than the root's \(days)-day limit ago (now \(c.now))")
                } else if c.now > record.expires.adding(seconds: c.skew) {
                    problems.append("the newest root list (v\(record.version)) expired at \(record.expires), and the root requires a fresh one")
                }
            } else {
                problems.append("the root requires a root revocation list issued within \(days) days, and this device has none")
            }
        }
        let detail = (problems + notes).joined(separator: "; ")
        if !problems.isEmpty { return .fail(detail) }
        if !notes.isEmpty { return .pass(detail) }
        if let days = root.policy.maxRevocationAgeDays { return .pass("the root list is within the root's \(days)-day limit") }
        return .pass(c.trust.revocationRecords.isEmpty ? "no revocation lists; the root sets no age limit" : "no list expired or dated in the future")
    }
}
