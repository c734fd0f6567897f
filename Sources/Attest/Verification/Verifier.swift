/// Runs every policy over one manifest and adds up the decision.
public enum Verifier {
    /// Verifies `manifest` against prepared trust, with no state directory (nothing is read or written).
    public static func verify(_ manifest: NamedInput, trust: TrustStore, device: DeviceFacts? = nil, job: JobRequest? = nil,
                              at now: Timestamp, rollback: [String: Int]? = nil, delegationVersions: [String: Int]? = nil,
                              mustNotSkip: Set<CheckID> = [],
                              policies: [any VerificationPolicy] = VerificationPolicies.standard) -> VerificationResult {
        verify(manifest, trust: trust, device: { _ in device }, job: job, at: now, rollback: rollback, delegationVersions: delegationVersions,
               mustNotSkip: mustNotSkip, policies: policies)
    }

    /// As above, with the device facts chosen per manifest once it is read.
    public static func verify(_ manifest: NamedInput, trust: TrustStore, device: (Manifest?) -> DeviceFacts?, job: JobRequest?,
                              at now: Timestamp, rollback: [String: Int]?, delegationVersions: [String: Int]? = nil, mustNotSkip: Set<CheckID>,
                              policies: [any VerificationPolicy] = VerificationPolicies.standard) -> VerificationResult {
        var context = VerificationContext(trust: trust, manifest: manifest, device: nil, job: job, now: now, rollback: rollback,
                                          delegationVersions: delegationVersions)
        context.device = device(context.manifest?.document)
        let checks = policies.map { policy -> CheckResult in
            switch policy.evaluate(context) {
            case .pass(let detail): CheckResult(id: policy.id, status: .pass, detail: detail)
            case .fail(let detail): CheckResult(id: policy.id, status: .fail, detail: detail)
            case .skip(let detail): CheckResult(id: policy.id, status: .skip, detail: detail)
            }
        }
        let summary = context.manifest.map {
            VerificationResult.ManifestSummary(id: $0.document.id, digest: $0.digest, issuer: $0.document.issuer)
        }
        var result = VerificationResult(checks: checks, manifest: summary, mustNotSkip: mustNotSkip)
        result.document = context.manifest?.document
        return result
    }
}
