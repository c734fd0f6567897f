/// `manifest.signature`: a threshold of distinct, unrevoked keys of the issuing delegation signed it.
public struct ManifestSignaturePolicy: VerificationPolicy {
    public let id = CheckID.manifestSignature
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard c.manifest != nil else { return .skip("no readable manifest") }
        guard let d = c.trustedDelegation else { return .skip(c.untrustedDelegationReason) }
        let count = c.manifestSigners.count
        if count >= d.threshold {
            return .pass("signed by \(count) key\(count == 1 ? "" : "s") of delegation \(d.name) (threshold \(d.threshold))")
        }
        let revoked = c.revokedSigners
        if count == 0 && revoked.isEmpty {
            return .fail("no valid signature from a key of delegation \(d.name) (threshold \(d.threshold))")
        }
        let note = revoked.isEmpty ? "" : "; revoked signers do not count: \(revoked.joined(separator: ", "))"
        return .fail("signed by \(count) unrevoked key\(count == 1 ? "" : "s") of delegation \(d.name), threshold \(d.threshold)\(note)")
    }
}
