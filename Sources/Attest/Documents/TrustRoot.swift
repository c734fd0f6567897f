import AttestCrypto

/// The vendor's root of trust (payload `application/vnd.attest.root+json`).
///
/// Guarantees after `init(json:)`: strict members only; version ≥ 1; 1 ≤ threshold ≤ number of keys;
/// every key listed under its own keyid; denied regions are ISO 3166 codes (countries or subdivisions).
public struct TrustRoot: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        public var deniedRegions: [String]
        public var clockSkewSeconds: Int
        public var maxManifestDays: Int
        /// The longest a device may go without a fresh root revocation list, in days; nil: no limit.
        public var maxRevocationAgeDays: Int?

        public init(deniedRegions: [String], clockSkewSeconds: Int = 300, maxManifestDays: Int = 400, maxRevocationAgeDays: Int? = nil) {
            self.deniedRegions = deniedRegions
            self.clockSkewSeconds = clockSkewSeconds
            self.maxManifestDays = maxManifestDays
            self.maxRevocationAgeDays = maxRevocationAgeDays
        }
    }

    public var version: Int
    public var expires: Timestamp
    public var threshold: Int
    public var keys: [String: PublicKey]
    public var policy: Policy

    public init(version: Int, expires: Timestamp, threshold: Int, keys: [PublicKey], policy: Policy) {
        self.version = version
        self.expires = expires
        self.threshold = threshold
        self.keys = Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a })
        self.policy = policy
    }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        version = try DocumentFields.positive(&reader, "version")
        expires = try DocumentFields.time(&reader, "expires")
        (keys, threshold) = try DocumentFields.keys(&reader)
        var p = try reader.object("policy")
        let denied = try DocumentFields.list(&p, "deniedRegions", nonEmpty: false, what: "an ISO 3166 region code", Region.isValid)
        let skew = try DocumentFields.positive(&p, "clockSkewSeconds", min: 0, max: 86_400)
        let maxDays = try DocumentFields.positive(&p, "maxManifestDays", min: 1, max: 3650)
        // Optional, so roots written before it parse (absent: no limit on the revocation feed's age).
        var maxAge: Int?
        if p.contains("maxRevocationAgeDays") { maxAge = try DocumentFields.positive(&p, "maxRevocationAgeDays", min: 1, max: 3650) }
        try p.finish()
        policy = Policy(deniedRegions: denied, clockSkewSeconds: skew, maxManifestDays: maxDays, maxRevocationAgeDays: maxAge)
        try reader.finish()
    }

    public var json: JSONValue {
        var policyObject: JSONObject = [
            "deniedRegions": DocumentFields.strings(policy.deniedRegions),
            "clockSkewSeconds": DocumentFields.int(policy.clockSkewSeconds),
            "maxManifestDays": DocumentFields.int(policy.maxManifestDays),
        ]
        if let maxAge = policy.maxRevocationAgeDays { _ = policyObject.updateValue(DocumentFields.int(maxAge), forKey: "maxRevocationAgeDays") }
        return [
            "version": DocumentFields.int(version),
            "expires": .string(expires.description),
            "threshold": DocumentFields.int(threshold),
            "keys": DocumentFields.keyMapJSON(keys),
            "policy": .object(policyObject),
        ]
    }
}
