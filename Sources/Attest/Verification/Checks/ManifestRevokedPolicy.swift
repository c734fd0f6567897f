/// `manifest.revoked`: neither the manifest id nor a key that signed it is revoked, and every revocation
/// list given could be checked (an unsigned or rolled-back list fails closed).
public struct ManifestRevokedPolicy: VerificationPolicy {
    public let id = CheckID.manifestRevoked
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        var problems = c.trust.revocationProblems
        if let reason = c.trust.revocationReason(for: m) { problems.append(reason) }
        for key in c.revokedSigners { problems.append("signing key \(key) is revoked") }
        if !problems.isEmpty { return .fail(problems.joined(separator: "; ")) }
        let lists = c.trust.revocations.values.map { "\($0.revocation.issuer) v\($0.revocation.version)" }.sorted()
        return .pass(lists.isEmpty ? "no revocation lists in force" : "not revoked (lists: \(lists.joined(separator: ", ")))")
    }
}
