/// `delegation.signature`: the manifest issuer's delegation is signed by the root's threshold.
public struct DelegationSignaturePolicy: VerificationPolicy {
    public let id = CheckID.delegationSignature
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let manifest = c.manifest?.document else { return .skip("no readable manifest to find its delegation") }
        guard let entry = c.delegation else {
            let given = c.trust.delegations.keys.sorted()
            return .fail("no delegation named \(manifest.issuer) was given\(given.isEmpty ? "" : " (given: \(given.joined(separator: ", ")))")")
        }
        return entry.signedByRoot ? .pass(entry.signatureDetail) : .fail(entry.signatureDetail)
    }
}
