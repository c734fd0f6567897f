/// `manifest.validity`: notBefore − skew ≤ now ≤ notAfter + skew, and issuedAt ≤ now + skew.
public struct ManifestValidityPolicy: VerificationPolicy {
    public let id = CheckID.manifestValidity
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        if c.now < m.notBefore.adding(seconds: -c.skew) {
            return .fail("not valid before \(m.notBefore) (now \(c.now))")
        }
        if c.now > m.notAfter.adding(seconds: c.skew) {
            return .fail("expired at \(m.notAfter) (now \(c.now))")
        }
        if m.issuedAt > c.now.adding(seconds: c.skew) {
            return .fail("issued in the future at \(m.issuedAt) (now \(c.now))")
        }
        return .pass("valid from \(m.notBefore) to \(m.notAfter)")
    }
}
