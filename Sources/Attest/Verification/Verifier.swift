/// Runs every policy over one manifest and adds up the decision.
public enum Verifier {
    /// Verifies `manifest` against prepared trust, with no state directory (nothing is read or written).
    public static func verify(_ manifest: NamedInput, trust: TrustStore, device: DeviceFacts? = nil, job: JobRequest? = nil,
                              at now: Timestamp, rollback: [String: Int]? = nil, skipsAllowed: Bool = true,
                              policies: [any VerificationPolicy] = VerificationPolicies.standard) -> VerificationResult {
        let context = VerificationContext(trust: trust, manifest: manifest, device: device, job: job, now: now, rollback: rollback)
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
        return VerificationResult(checks: checks, manifest: summary, skipsAllowed: skipsAllowed)
    }
}
