/// `device.region`: the device's region is the manifest's region or inside it.
public struct DeviceRegionPolicy: VerificationPolicy {
    public let id = CheckID.deviceRegion
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let device = c.device else { return .skip("no device facts given") }
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        if Region.contains(m.region, device.region) {
            return .pass("device region \(device.region) is inside manifest region \(m.region)")
        }
        return .fail("manifest region \(m.region), device region \(device.region)")
    }
}
