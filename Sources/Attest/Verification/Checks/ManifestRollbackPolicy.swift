/// `manifest.rollback`: the sequence is at least the highest this device accepted for each of its chips.
public struct ManifestRollbackPolicy: VerificationPolicy {
    public let id = CheckID.manifestRollback
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let counters = c.rollback else { return .skip("no state directory: rollback counters not checked") }
        var problems: [String] = []
        for chip in m.chips {
            if let seen = counters[chip.serial], m.sequence < seen {
                problems.append("chip \(chip.serial): sequence \(m.sequence) is older than \(seen) already accepted")
            }
        }
        return problems.isEmpty ? .pass("sequence \(m.sequence) is not older than any accepted") : .fail(problems.joined(separator: "; "))
    }
}
