/// `delegation.rollback`: the issuing delegation is not older than the newest version of it this device
/// accepted, so a superseded delegation (perhaps with a wider scope) cannot be replayed while unexpired.
public struct DelegationRollbackPolicy: VerificationPolicy {
    public let id = CheckID.delegationRollback
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let d = c.trustedDelegation else { return .skip(c.untrustedDelegationReason) }
        guard let versions = c.delegationVersions else { return .skip("no state directory: delegation versions not checked") }
        if let seen = versions[d.name], d.version < seen {
            return .fail("delegation \(d.name) v\(d.version) is older than v\(seen) this device already accepted")
        }
        return .pass("delegation \(d.name) v\(d.version) is not older than any accepted")
    }
}
