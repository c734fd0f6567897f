import AttestCrypto

/// What `attest delegate new` is told: an integrator's name, keys, lifetime and scope.
///
/// `document(now:)` guarantees a `Delegation` whose canonical JSON `Delegation(json:)` accepts unchanged.
public struct DelegationDraft: Sendable {
    public var name: String
    public var keys: [PublicKey]
    public var threshold: Int
    public var lifetime: Lifetime
    /// ISO 3166 codes, or `["*"]` for every region the root does not deny.
    public var regions: [String]
    public var workloads: [String]
    public var chipVendors: [String]
    public var maxManifestDays: Int
    public var version: Int

    public init(name: String, keys: [PublicKey], threshold: Int, lifetime: Lifetime, regions: [String],
                workloads: [String], chipVendors: [String], maxManifestDays: Int = 90, version: Int = 1) {
        self.name = name
        self.keys = keys
        self.threshold = threshold
        self.lifetime = lifetime
        self.regions = regions
        self.workloads = workloads
        self.chipVendors = chipVendors
        self.maxManifestDays = maxManifestDays
        self.version = version
    }

    public func document(now: Timestamp = .now()) throws(AttestError) -> Delegation {
        let name = try DraftInput.slug(name, what: "delegation name")
        let keyMap = try DraftKeys.distinct(keys, threshold: threshold)
        let regions = try Self.regions(regions)
        let workloads = try Self.nonEmpty(DraftInput.distinct(workloads) { t throws(AttestError) in try DraftInput.workloadClass(t) },
                                          what: "workload class")
        let vendors = try Self.nonEmpty(DraftInput.distinct(chipVendors) { t throws(AttestError) in try DraftInput.slug(t, what: "chip vendor") },
                                        what: "chip vendor")
        guard (1...3650).contains(maxManifestDays) else {
            throw AttestError(.usage, "max manifest days must be 1 to 3650, found \(maxManifestDays)")
        }
        try DraftKeys.checkVersion(version)
        let delegation = Delegation(
            name: name, version: version, expires: try lifetime.end(from: now, what: "expires"), threshold: threshold,
            keys: keyMap,
            scope: .init(regions: regions, workloads: workloads, chipVendors: vendors, maxManifestDays: maxManifestDays))
        _ = try delegation.checkedPayload()
        return delegation
    }

    static func regions(_ regions: [String]) throws(AttestError) -> [String] {
        if regions.contains("*") {
            guard regions.allSatisfy({ $0 == "*" }) else {
                throw AttestError(.usage, "region \"*\" (every region the root allows) cannot be combined with other regions")
            }
            return ["*"]
        }
        return try nonEmpty(DraftInput.distinct(regions) { t throws(AttestError) in try DraftInput.region(t) }, what: "region")
    }

    static func nonEmpty(_ items: [String], what: String) throws(AttestError) -> [String] {
        guard !items.isEmpty else { throw AttestError(.usage, "at least one \(what) is needed") }
        return items
    }
}
