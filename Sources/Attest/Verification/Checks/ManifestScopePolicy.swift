/// `manifest.scope`: region, workloads, chip vendors and validity length fit the delegation's scope
/// (and the root's longest validity).
public struct ManifestScopePolicy: VerificationPolicy {
    public let id = CheckID.manifestScope
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let d = c.trustedDelegation else { return .skip(c.untrustedDelegationReason) }
        var problems: [String] = []
        if !d.scope.allows(region: m.region) {
            problems.append("region \(m.region) is outside delegation regions \(d.scope.regions.joined(separator: ","))")
        }
        for w in m.workloads where !d.scope.workloads.contains(w.workloadClass) {
            problems.append("workload \(w.workloadClass) is not delegated (delegated: \(d.scope.workloads.joined(separator: ",")))")
        }
        for chip in m.chips where !d.scope.chipVendors.contains(chip.vendor) {
            problems.append("chip vendor \(chip.vendor) is not delegated")
        }
        var maxDays = d.scope.maxManifestDays
        if let root = c.trust.root { maxDays = min(maxDays, root.policy.maxManifestDays) }
        if m.validityDays > Int64(maxDays) {
            problems.append("validity of \(m.validityDays) days exceeds the \(maxDays)-day maximum")
        }
        return problems.isEmpty ? .pass("inside delegation \(d.name)'s scope") : .fail(problems.joined(separator: "; "))
    }
}
