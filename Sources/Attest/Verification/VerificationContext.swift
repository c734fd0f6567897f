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
    public let device: DeviceFacts?
    public let job: JobRequest?
    public let now: Timestamp
    /// The root's clock skew, in seconds (0 without a root).
    public let skew: Int64
    /// The device's rollback counters; nil without a state directory.
    public let rollback: [String: Int]?

    public init(trust: TrustStore, manifest input: NamedInput, device: DeviceFacts?, job: JobRequest?, now: Timestamp, rollback: [String: Int]?) {
        self.trust = trust
        self.manifestSource = input.name
        self.device = device
        self.job = job
        self.now = now
        self.rollback = rollback
        self.skew = Int64(trust.root?.policy.clockSkewSeconds ?? 0)
        switch DocumentReader.read(input, as: .manifest, decode: Manifest.init(json:)) {
        case .success(let doc):
            manifest = doc
            manifestProblem = nil
            let entry = trust.delegations[doc.document.issuer]
            delegation = entry
            if let entry {
                var keys = entry.delegation.keys
                for revoked in trust.revokedKeys { keys.removeValue(forKey: revoked) }
                manifestSigners = doc.envelope.verify(keys: keys, threshold: entry.delegation.threshold).verifiedKeyIDs
            } else {
                manifestSigners = []
            }
        case .failure(let error):
            manifest = nil
            manifestProblem = error.description
            delegation = nil
            manifestSigners = []
        }
    }

    /// The manifest's own signers that appear on any revocation list in force.
    var revokedSigners: [String] {
        guard let manifest, let delegation else { return [] }
        let all = manifest.envelope.verify(keys: delegation.delegation.keys, threshold: 1).verifiedKeyIDs
        return all.filter { trust.revokedKeys.contains($0) }
    }
}
