/// A list of revoked manifests, keys and delegations (payload `application/vnd.attest.revocation+json`),
/// issued by the root or by a delegation for its own manifests and keys.
///
/// Guarantees after `init(json:)`: strict members only; issuer is `root` or a slug; version ≥ 1;
/// entries are UUIDs, keyids and slugs without repeats; a delegation's list revokes no delegations.
public struct Revocation: Sendable, Equatable {
    public static let rootIssuer = "root"

    public var issuer: String
    public var version: Int
    public var issuedAt: Timestamp
    public var expires: Timestamp
    public var manifests: [String]
    public var keys: [String]
    public var delegations: [String]

    public init(issuer: String, version: Int, issuedAt: Timestamp, expires: Timestamp,
                manifests: [String] = [], keys: [String] = [], delegations: [String] = []) {
        self.issuer = issuer
        self.version = version
        self.issuedAt = issuedAt
        self.expires = expires
        self.manifests = manifests
        self.keys = keys
        self.delegations = delegations
    }

    public var isFromRoot: Bool { issuer == Revocation.rootIssuer }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        issuer = try DocumentFields.slug(&reader, "issuer")
        version = try DocumentFields.positive(&reader, "version")
        issuedAt = try DocumentFields.time(&reader, "issuedAt")
        expires = try DocumentFields.time(&reader, "expires")
        guard issuedAt < expires else { throw DocumentFields.fail("expires is not after issuedAt", reader.path(of: "expires")) }
        manifests = try DocumentFields.list(&reader, "manifests", nonEmpty: false, what: "a manifest id (UUID)", DocumentFields.isUUID)
        keys = try DocumentFields.list(&reader, "keys", nonEmpty: false, what: "a keyid", DocumentFields.isKeyID)
        delegations = try DocumentFields.list(&reader, "delegations", nonEmpty: false, what: "a delegation name", DocumentFields.isSlug)
        if issuer != Revocation.rootIssuer && !delegations.isEmpty {
            throw DocumentFields.fail("only the root revokes delegations", reader.path(of: "delegations"))
        }
        try reader.finish()
    }

    public var json: JSONValue {
        [
            "issuer": .string(issuer),
            "version": DocumentFields.int(version),
            "issuedAt": .string(issuedAt.description),
            "expires": .string(expires.description),
            "manifests": DocumentFields.strings(manifests),
            "keys": DocumentFields.strings(keys),
            "delegations": DocumentFields.strings(delegations),
        ]
    }
}
