/// `delegation.revoked`: the root's revocation list does not name the issuing delegation.
public struct DelegationRevokedPolicy: VerificationPolicy {
    public let id = CheckID.delegationRevoked
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let d = c.trustedDelegation else { return .skip(c.untrustedDelegationReason) }
        if c.trust.revokedDelegations.contains(d.name) {
            let version = c.trust.revocationRecords[Revocation.rootIssuer]?.version ?? 0
            return .fail("delegation \(d.name) is revoked by the root's lists (v\(version))")
        }
        return .pass("delegation \(d.name) is not revoked")
    }
}
