/// `device.chip`: every chip in use on the device is named in the manifest.
public struct DeviceChipPolicy: VerificationPolicy {
    public let id = CheckID.deviceChip
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let device = c.device else { return .skip("no device facts given") }
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        let listed = Dictionary(m.chips.map { ($0.serial, $0) }, uniquingKeysWith: { a, _ in a })
        var problems: [String] = []
        for chip in device.chipsInUse {
            guard let entry = listed[chip.serial] else {
                problems.append("chip \(chip.serial) (\(chip.vendor) \(chip.model)) is not in the manifest")
                continue
            }
            if entry.vendor != chip.vendor {
                problems.append("chip \(chip.serial) is \(chip.vendor) on the device but \(entry.vendor) in the manifest")
            }
        }
        if device.chipsInUse.isEmpty { problems.append("the device reports no chips") }
        return problems.isEmpty ? .pass("all \(device.chipsInUse.count) chips in use are in the manifest") : .fail(problems.joined(separator: "; "))
    }
}
