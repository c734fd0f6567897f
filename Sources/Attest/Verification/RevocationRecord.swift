/// Everything a device has accepted from one revocation issuer: the union of the entries of every list it
/// accepted (revocations only grow: a later list never removes an entry), the highest version seen, and the
/// newest issuedAt with that list's expiry (for freshness).
public struct RevocationRecord: Sendable, Equatable {
    public var version: Int
    public var issuedAt: Timestamp
    public var expires: Timestamp
    public var manifests: Set<String>
    public var keys: Set<String>
    public var delegations: Set<String>

    public init(_ list: Revocation) {
        version = list.version
        issuedAt = list.issuedAt
        expires = list.expires
        manifests = Set(list.manifests)
        keys = Set(list.keys)
        delegations = Set(list.delegations)
    }

    /// Whether `list` would add nothing: no new entry, and not newer by version or by issuedAt.
    func covers(_ list: Revocation) -> Bool {
        list.version <= version && list.issuedAt <= issuedAt && manifests.isSuperset(of: list.manifests)
            && keys.isSuperset(of: list.keys) && delegations.isSuperset(of: list.delegations)
    }

    mutating func merge(_ list: Revocation) {
        version = max(version, list.version)
        if list.issuedAt > issuedAt {
            issuedAt = list.issuedAt
            expires = list.expires
        }
        manifests.formUnion(list.manifests)
        keys.formUnion(list.keys)
        delegations.formUnion(list.delegations)
    }

    init(json value: JSONValue, at path: String) throws(AttestError) {
        var reader = try JSONObjectReader(value, path: path)
        version = try DocumentFields.positive(&reader, "version")
        issuedAt = try DocumentFields.time(&reader, "issuedAt")
        expires = try DocumentFields.time(&reader, "expires")
        manifests = Set(try DocumentFields.list(&reader, "manifests", nonEmpty: false, what: "a manifest id (UUID)", DocumentFields.isUUID))
        keys = Set(try DocumentFields.list(&reader, "keys", nonEmpty: false, what: "a keyid", DocumentFields.isKeyID))
        delegations = Set(try DocumentFields.list(&reader, "delegations", nonEmpty: false, what: "a delegation name", DocumentFields.isSlug))
        try reader.finish()
    }

    var json: JSONValue {
        [
            "version": DocumentFields.int(version),
            "issuedAt": .string(issuedAt.description),
            "expires": .string(expires.description),
            "manifests": DocumentFields.strings(manifests.sorted()),
            "keys": DocumentFields.strings(keys.sorted()),
            "delegations": DocumentFields.strings(delegations.sorted()),
        ]
    }
}
