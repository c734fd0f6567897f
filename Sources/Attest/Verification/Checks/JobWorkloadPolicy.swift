/// `job.workload`: the requested workload class is permitted by the manifest.
public struct JobWorkloadPolicy: VerificationPolicy {
    public let id = CheckID.jobWorkload
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let job = c.job else { return .skip("no workload asked") }
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        if m.workload(job.workload) != nil { return .pass("workload \(job.workload) is permitted") }
        return .fail("workload \(job.workload) is not permitted (permitted: \(m.workloads.map(\.workloadClass).joined(separator: ", ")))")
    }
}
