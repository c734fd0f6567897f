/// `manifest.revoked`: neither the manifest id nor a key that signed it is revoked, and every revocation
/// list given could be checked (a list not signed by unrevoked keys fails closed, unless it adds nothing).
public struct ManifestRevokedPolicy: VerificationPolicy {
    public let id = CheckID.manifestRevoked
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        var problems = c.trust.revocationProblems
        if let reason = c.trust.revocationReason(for: m) { problems.append(reason) }
        for key in c.revokedSigners { problems.append("signing key \(key) is revoked") }
        let notes = c.trust.revocationNotes.isEmpty ? "" : "; " + c.trust.revocationNotes.joined(separator: "; ")
        if !problems.isEmpty { return .fail(problems.joined(separator: "; ") + notes) }
        let lists = c.trust.revocationRecords.map { "\($0.key) v\($0.value.version)" }.sorted()
        return .pass((lists.isEmpty ? "no revocation lists in force" : "not revoked (lists: \(lists.joined(separator: ", ")))") + notes)
    }
}
