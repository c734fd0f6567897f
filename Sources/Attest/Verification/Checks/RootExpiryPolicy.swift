/// `root.expiry`: the trusted root has not expired (with the root's clock skew).
public struct RootExpiryPolicy: VerificationPolicy {
    public let id = CheckID.rootExpiry
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let root = c.trust.root else { return .skip("no root to check") }
        if c.now > root.expires.adding(seconds: c.skew) {
            return .fail("root v\(root.version) expired at \(root.expires) (now \(c.now))")
        }
        return .pass("root v\(root.version) valid until \(root.expires)")
    }
}
