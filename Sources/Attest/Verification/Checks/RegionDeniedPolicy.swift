/// `region.denied`: the manifest's region is not in the root's denied list.
public struct RegionDeniedPolicy: VerificationPolicy {
    public let id = CheckID.regionDenied
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        guard let m = c.manifest?.document else { return .skip("no readable manifest") }
        guard let root = c.trust.root else { return .skip("no root with a region policy") }
        let country = Region.country(of: m.region)
        if root.policy.deniedRegions.contains(country) {
            return .fail("region \(m.region) is denied by the root")
        }
        return .pass("region \(m.region) is not denied")
    }
}
