import Attest
import AttestCrypto

/// A complete trust setup made in memory relative to "now": a root with two keys, a delegation for
/// acme-integration, and manifests that tests then bend one field at a time.
struct TrustFixture {
    static let now = Timestamp.now()
    static let deviceSerials = ["1652922001234", "1652922001235"]

    var rootKeys: [PrivateKey]
    var delegationKeys: [PrivateKey]
    var root: TrustRoot
    var delegation: Delegation

    init(rootThreshold: Int = 2) throws {
        rootKeys = [try PrivateKey.generate(.ed25519), try PrivateKey.generate(.ecdsaP256)]
        delegationKeys = [try PrivateKey.generate(.ed25519)]
        root = TrustRoot(version: 1, expires: Self.now.adding(days: 365), threshold: rootThreshold,
                         keys: rootKeys.map(\.publicKey),
                         policy: .init(deniedRegions: ["KP", "IR"], clockSkewSeconds: 300, maxManifestDays: 400))
        delegation = Delegation(name: "acme-integration", version: 1, expires: Self.now.adding(days: 180), threshold: 1,
                                keys: delegationKeys.map(\.publicKey),
                                scope: .init(regions: ["MX", "BR"], workloads: ["industrial-inspection", "public-safety"],
                                             chipVendors: ["nvidia"], maxManifestDays: 90))
    }

    static let pinnedModel = "sha256:" + String(repeating: "ab", count: 32)

    func manifest(sequence: Int = 3, region: String = "MX", days: Int64 = 30) -> Manifest {
        Manifest(id: "5f0c6a52-1c2e-4c7e-9f4b-2d1a8e6b7c90", issuer: "acme-integration", sequence: sequence,
                 issuedAt: Self.now.adding(seconds: -3600), notBefore: Self.now.adding(seconds: -3600),
                 notAfter: Self.now.adding(seconds: -3600).adding(days: days),
                 chips: Self.deviceSerials.map { Manifest.Chip(vendor: "nvidia", model: "H200", serial: $0) },
                 region: region,
                 workloads: [.init(workloadClass: "industrial-inspection"),
                             .init(workloadClass: "public-safety", models: [Self.pinnedModel])])
    }

    static func sign(_ json: JSONValue, _ type: PayloadType, _ keys: [PrivateKey], name: String = "doc") throws -> NamedInput {
        var envelope = Envelope(payloadType: type.rawValue, payload: CanonicalJSON.encode(json))
        for key in keys { try envelope.sign(with: key) }
        return NamedInput(name: name, bytes: envelope.encoded())
    }

    func signedRoot(_ root: TrustRoot? = nil, keys: [PrivateKey]? = nil) throws -> NamedInput {
        try Self.sign((root ?? self.root).json, .root, keys ?? rootKeys, name: "root.json")
    }

    func signedDelegation(_ delegation: Delegation? = nil, keys: [PrivateKey]? = nil) throws -> NamedInput {
        try Self.sign((delegation ?? self.delegation).json, .delegation, keys ?? rootKeys, name: "delegation.json")
    }

    func signedManifest(_ manifest: Manifest? = nil, keys: [PrivateKey]? = nil) throws -> NamedInput {
        try Self.sign((manifest ?? self.manifest()).json, .manifest, keys ?? delegationKeys, name: "manifest.json")
    }

    func signedRevocation(_ revocation: Revocation, keys: [PrivateKey]? = nil) throws -> NamedInput {
        try Self.sign(revocation.json, .revocation, keys ?? rootKeys, name: "revocation.json")
    }

    var device: DeviceFacts {
        DeviceFacts(region: "MX-NLE", chips: Self.deviceSerials.map { Manifest.Chip(vendor: "nvidia", model: "H200", serial: $0) })
    }

    func setup(roots: [NamedInput]? = nil, delegations: [NamedInput]? = nil, revocations: [NamedInput] = [],
               device: DeviceFacts? = nil, job: JobRequest? = nil, state: String? = nil, at: Timestamp? = nil) throws -> VerificationSetup {
        var setup = VerificationSetup()
        setup.roots = try roots ?? [signedRoot()]
        setup.delegations = try delegations ?? [signedDelegation()]
        setup.revocations = revocations
        setup.device = device
        setup.job = job
        setup.stateDirectory = state
        setup.at = at
        return setup
    }
}
