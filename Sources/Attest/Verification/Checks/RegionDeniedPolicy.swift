/// `region.denied`: neither the manifest's region nor, when device facts are given, the device's region lies
/// in a region the root denies. Both codes of one place count (`HK` denies `CN-HK`), and a device checks its
/// own region so that a manifest for a country around a denied part of it (`CN` around `HK`) does not let
/// a device provisioned in that part run.
public struct RegionDeniedPolicy: VerificationPolicy {
    public let id = CheckID.regionDenied
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let root = c.trust.root else { return .skip("no root with a region policy") }
        let denied = root.policy.deniedRegions
        if let by = Region.deniedBy(denied, m.region) {
            return .fail(by == m.region ? "region \(m.region) is denied by the root" : "region \(m.region) is denied by the root (as \(by))")
        }
        if let device = c.device, let by = Region.deniedBy(denied, device.region) {
            return .fail("device region \(device.region) is denied by the root (as \(by))")
        }
        return .pass("region \(m.region) is not denied")
    }
}
