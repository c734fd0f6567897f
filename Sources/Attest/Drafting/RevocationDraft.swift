/// What `attest revoke new` is told: who revokes, the list's version and lifetime, and what is revoked.
///
/// `document(now:)` guarantees a `Revocation` whose canonical JSON `Revocation(json:)` accepts unchanged.
/// An empty list is allowed: it renews the version and lifetime without revoking anything.
public struct RevocationDraft: Sendable {
    /// `root`, or the name of the delegation that issues the list.
    public var issuer: String
    public var version: Int
    public var lifetime: Lifetime
    /// When the list is issued; nil means now.
    public var issuedAt: Timestamp?
    public var manifests: [String]
    public var keyIDs: [String]
    public var delegations: [String]

    public init(issuer: String, version: Int, lifetime: Lifetime, issuedAt: Timestamp? = nil,
                manifests: [String] = [], keyIDs: [String] = [], delegations: [String] = []) {
        self.issuer = issuer
        self.version = version
        self.lifetime = lifetime
        self.issuedAt = issuedAt
        self.manifests = manifests
        self.keyIDs = keyIDs
        self.delegations = delegations
    }

    public func document(now: Timestamp = .now()) throws(AttestError) -> Revocation {
        let issuer = try DraftInput.slug(issuer, what: "issuer")
        try DraftKeys.checkVersion(version)
        let issued = issuedAt ?? now
        let manifests = try DraftInput.distinct(manifests) { t throws(AttestError) in try DraftInput.manifestID(t) }
        let keys = try DraftInput.distinct(keyIDs) { t throws(AttestError) in try DraftInput.keyID(t) }
        let delegations = try DraftInput.distinct(delegations) { t throws(AttestError) in try DraftInput.slug(t, what: "delegation name") }
        guard issuer == Revocation.rootIssuer || delegations.isEmpty else {
            throw AttestError(.usage, "only the root revokes delegations; issuer \(issuer) may revoke only its own manifests and keys")
        }
        let revocation = Revocation(issuer: issuer, version: version, issuedAt: issued,
                                    expires: try lifetime.end(from: issued, what: "expires"),
                                    manifests: manifests, keys: keys, delegations: delegations)
        _ = try revocation.checkedPayload()
        return revocation
    }
}
