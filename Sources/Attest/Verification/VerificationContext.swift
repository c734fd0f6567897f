import AttestCrypto

/// Everything the policies look at for one manifest, computed once: the trust store, the manifest and
/// its signature check, the device, the job, the time, and the device's rollback state.
public struct VerificationContext: Sendable {
    public let trust: TrustStore
    public let manifestSource: String
    public let manifest: SignedDocument<Manifest>?
    public let manifestProblem: String?
    public let delegation: TrustStore.DelegationEntry?
    /// The delegation keys (minus revoked ones) that signed the manifest.
    public let manifestSigners: [String]
    /// Keys of the delegation that signed the manifest but are revoked.
    public let revokedSigners: [String]
    /// The device as this manifest sees it (boot narrows the chips in use to the manifest's own).
    public internal(set) var device: DeviceFacts?
    public let job: JobRequest?
    public let now: Timestamp
    /// The root's clock skew, in seconds (0 without a root).
    public let skew: Int64
    /// The device's rollback counters; nil without a state directory.
    public let rollback: [String: Int]?
    /// The newest version of each delegation the device accepted; nil without a state directory.
    public let delegationVersions: [String: Int]?

    public init(trust: TrustStore, manifest input: NamedInput, device: DeviceFacts?, job: JobRequest?, now: Timestamp, rollback: [String: Int]?,
                delegationVersions: [String: Int]? = nil) {
        self.trust = trust
        self.manifestSource = input.name
        self.device = device
        self.job = job
        self.now = now
        self.rollback = rollback
        self.delegationVersions = delegationVersions
        self.skew = Int64(trust.root?.policy.clockSkewSeconds ?? 0)
        switch DocumentReader.read(input, as: .manifest, decode: Manifest.init(json:)) {
        case .success(let doc):
            manifest = doc
            manifestProblem = nil
            let entry = trust.delegations[doc.document.issuer]
            delegation = entry
            if let entry {
                // One pass over the signatures: revoked keys are told apart afterwards, not verified twice.
                // Revoked for this issuer: by the root's lists, or by this delegation's own.
                let revoked = trust.revokedKeys(for: doc.document.issuer)
                let signers = doc.envelope.verify(keys: entry.delegation.keys, threshold: entry.delegation.threshold).verifiedKeyIDs
                manifestSigners = signers.filter { !revoked.contains($0) }
                revokedSigners = signers.filter { revoked.contains($0) }
            } else {
                manifestSigners = []
                revokedSigners = []
            }
        case .failure(let error):
            manifest = nil
            manifestProblem = error.description
            delegation = nil
            manifestSigners = []
            revokedSigners = []
        }
    }

    /// The delegation, when the root signed it: checks that depend on its keys or scope use only this.
    public var trustedDelegation: Delegation? {
        guard let delegation, delegation.signedByRoot else { return nil }
        return delegation.delegation
    }

    /// Why a check that needs a trusted delegation cannot run.
    var untrustedDelegationReason: String {
        guard let manifest = manifest?.document else { return "no readable manifest" }
        guard delegation != nil else { return "no delegation named \(manifest.issuer)" }
        return "delegation \(manifest.issuer) is not trusted (see delegation.signature)"
    }
}
