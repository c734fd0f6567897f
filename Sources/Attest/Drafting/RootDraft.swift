import AttestCrypto

/// What `attest root new` is told: the root's keys, threshold, lifetime and policy.
///
/// `document(now:)` guarantees a `TrustRoot` whose canonical JSON `TrustRoot(json:)` accepts unchanged.
public struct RootDraft: Sendable {
    public var keys: [PublicKey]
    public var threshold: Int
    public var lifetime: Lifetime
    public var deniedRegions: [String]
    public var clockSkewSeconds: Int
    public var maxManifestDays: Int
    public var version: Int

    public init(keys: [PublicKey], threshold: Int, lifetime: Lifetime, deniedRegions: [String] = [],
                clockSkewSeconds: Int = 300, maxManifestDays: Int = 400, version: Int = 1) {
        self.keys = keys
        self.threshold = threshold
        self.lifetime = lifetime
        self.deniedRegions = deniedRegions
        self.clockSkewSeconds = clockSkewSeconds
        self.maxManifestDays = maxManifestDays
        self.version = version
    }

    public func document(now: Timestamp = .now()) throws(AttestError) -> TrustRoot {
        let keyMap = try DraftKeys.distinct(keys, threshold: threshold)
        var denied: [String] = []
        for code in deniedRegions {
            let region = try DraftInput.region(code)
            if !denied.contains(region) { denied.append(region) }
        }
        guard (0...86_400).contains(clockSkewSeconds) else {
            throw AttestError(.usage, "clock skew must be 0 to 86400 seconds, found \(clockSkewSeconds)")
        }
        guard (1...3650).contains(maxManifestDays) else {
            throw AttestError(.usage, "max manifest days must be 1 to 3650, found \(maxManifestDays)")
        }
        try DraftKeys.checkVersion(version)
        let root = TrustRoot(version: version, expires: try lifetime.end(from: now, what: "expires"), threshold: threshold,
                             keys: keyMap, policy: .init(deniedRegions: denied, clockSkewSeconds: clockSkewSeconds,
                                                         maxManifestDays: maxManifestDays))
        _ = try root.checkedPayload()
        return root
    }
}
