import AttestCrypto

/// An integrator's authority, scoped and signed by the root (payload `application/vnd.attest.delegation+json`).
///
/// Guarantees after `init(json:)`: strict members only; name is a slug; 1 ≤ threshold ≤ number of keys;
/// scope regions are ISO 3166 codes (or `"*"` alone); workloads and chip vendors are non-empty slug lists.
public struct Delegation: Sendable, Equatable {
    public struct Scope: Sendable, Equatable {
        public var regions: [String]
        public var workloads: [String]
        public var chipVendors: [String]
        public var maxManifestDays: Int

        public init(regions: [String], workloads: [String], chipVendors: [String], maxManifestDays: Int) {
            self.regions = regions
            self.workloads = workloads
            self.chipVendors = chipVendors
            self.maxManifestDays = maxManifestDays
        }

        /// `"*"` means every region the root does not deny.
        public var allowsEveryRegion: Bool { regions == ["*"] }

        public func allows(region: String) -> Bool {
            allowsEveryRegion || regions.contains { Region.contains($0, region) }
        }
    }

    public var name: String
    public var version: Int
    public var expires: Timestamp
    public var threshold: Int
    public var keys: [String: PublicKey]
    public var scope: Scope

    public init(name: String, version: Int, expires: Timestamp, threshold: Int, keys: [PublicKey], scope: Scope) {
        self.name = name
        self.version = version
        self.expires = expires
        self.threshold = threshold
        self.keys = Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a })
        self.scope = scope
    }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        name = try DocumentFields.slug(&reader, "name")
        version = try DocumentFields.positive(&reader, "version")
        expires = try DocumentFields.time(&reader, "expires")
        (keys, threshold) = try DocumentFields.keys(&reader)
        var s = try reader.object("scope")
        let regions = try DocumentFields.list(&s, "regions", nonEmpty: true, what: "an ISO 3166 region code or \"*\"") {
            $0 == "*" || Region.isValid($0)
        }
        if regions.contains("*") && regions.count > 1 {
            throw DocumentFields.fail("\"*\" must be the only region when present", s.path(of: "regions"))
        }
        let workloads = try DocumentFields.list(&s, "workloads", nonEmpty: true, what: "a workload slug", DocumentFields.isSlug)
        let vendors = try DocumentFields.list(&s, "chipVendors", nonEmpty: true, what: "a vendor slug", DocumentFields.isSlug)
        let maxDays = try DocumentFields.positive(&s, "maxManifestDays", min: 1, max: 3650)
        try s.finish()
        scope = Scope(regions: regions, workloads: workloads, chipVendors: vendors, maxManifestDays: maxDays)
        try reader.finish()
    }

    public var json: JSONValue {
        [
            "name": .string(name),
            "version": DocumentFields.int(version),
            "expires": .string(expires.description),
            "threshold": DocumentFields.int(threshold),
            "keys": DocumentFields.keyMapJSON(keys),
            "scope": [
                "regions": DocumentFields.strings(scope.regions),
                "workloads": DocumentFields.strings(scope.workloads),
                "chipVendors": DocumentFields.strings(scope.chipVendors),
                "maxManifestDays": DocumentFields.int(scope.maxManifestDays),
            ],
        ]
    }
}
