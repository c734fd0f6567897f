/// `manifest.rollback`: the sequence is at least the highest this device accepted for each of its chips in use.
public struct ManifestRollbackPolicy: VerificationPolicy {
    public let id = CheckID.manifestRollback
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let counters = c.rollback else { return .skip("no state directory: rollback counters not checked") }
        var problems: [String] = []
        // With device facts, only the chips in use here: a manifest is behind, or not, chip by chip, and a job
        // on chips whose newest manifest this is may run even when another chip it names has moved on.
        let inUse = c.device.map { Set($0.chipsInUse.map(\.serial)) }
        for chip in m.chips where inUse?.contains(chip.serial) ?? true {
            if let seen = counters[chip.serial], m.sequence < seen {
                problems.append("chip \(chip.serial): sequence \(m.sequence) is older than \(seen) already accepted")
            }
        }
        return problems.isEmpty ? .pass("sequence \(m.sequence) is not older than any accepted") : .fail(problems.joined(separator: "; "))
    }
}
