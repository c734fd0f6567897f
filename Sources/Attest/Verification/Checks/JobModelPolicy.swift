/// `job.model`: when the workload class pins models, the model file's digest is one of them.
public struct JobModelPolicy: VerificationPolicy {
    public let id = CheckID.jobModel
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let job = c.job else { return .skip("no workload asked") }
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let workload = m.workload(job.workload) else { return .skip("workload \(job.workload) is not in the manifest") }
        if workload.models.isEmpty {
            return .pass("workload \(job.workload) allows any model\(job.modelDigest.map { " (model \($0))" } ?? "")")
        }
        guard let digest = job.modelDigest else {
            return .fail("workload \(job.workload) pins \(workload.models.count) model(s) and no model file was given")
        }
        if workload.models.contains(digest) { return .pass("model \(digest) is pinned for \(job.workload)") }
        return .fail("model \(digest) is not among the \(workload.models.count) pinned for \(job.workload)")
    }
}
