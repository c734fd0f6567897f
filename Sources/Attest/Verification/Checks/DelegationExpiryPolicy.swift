/// `delegation.expiry`: the issuing delegation has not expired.
public struct DelegationExpiryPolicy: VerificationPolicy {
    public let id = CheckID.delegationExpiry
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let d = c.trustedDelegation else { return .skip(c.untrustedDelegationReason) }
        if c.now > d.expires.adding(seconds: c.skew) {
            return .fail("delegation \(d.name) v\(d.version) expired at \(d.expires) (now \(c.now))")
        }
        return .pass("delegation \(d.name) valid until \(d.expires)")
    }
}
