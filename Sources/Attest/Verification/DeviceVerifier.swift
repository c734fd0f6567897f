/// Verification as a command runs it: trust inputs, an optional device state directory, device facts,
/// a job, and the time. With a state directory, the device's trusted root, stored revocation lists,
/// rollback counters and newest accepted time take part, and are updated afterwards.
public struct VerificationSetup: Sendable {
    public var roots: [NamedInput] = []
    public var delegations: [NamedInput] = []
    public var revocations: [NamedInput] = []
    public var device: DeviceFacts?
    public var job: JobRequest?
    /// An auditor's time; when set, the device state is read but never written.
    public var at: Timestamp?
    public var stateDirectory: String?
    /// Checks that deny when skipped: `run` and `unseal` skip nothing, `boot` nothing but the job checks.
    public var mustNotSkip: Set<CheckID> = []

    public init() {}
}

public enum DeviceVerifier {
    public static func verify(_ manifest: NamedInput, setup: VerificationSetup) throws(AttestError) -> VerificationResult {
        guard let stateDirectory = setup.stateDirectory else {
            let trust = TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations)
            return Verifier.verify(manifest, trust: trust, device: setup.device, job: setup.job,
                                   at: setup.at ?? Timestamp.now(), mustNotSkip: setup.mustNotSkip)
        }
        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> VerificationResult in
            let device = setup.device
            return evaluate([manifest], setup: setup, transaction: &tx, device: { _ in device })[0]
        }
    }

    /// Verifies manifests with the state locked by the caller, in order, recording what each allowed one
    /// teaches the device (rollback counters, newest time) before the next is checked.
    public static func evaluate(_ manifests: [NamedInput], setup: VerificationSetup,
                                transaction tx: inout DeviceStateDirectory.Transaction,
                                device: (Manifest?) -> DeviceFacts?) -> [VerificationResult] {
        let trust = TrustStore(roots: setup.roots, delegations: setup.delegations,
                               revocations: tx.revocations + setup.revocations,
                               anchor: tx.trustedRoot, acceptedRevocationVersions: tx.state.revocationVersions)
        if setup.at == nil { record(trust: trust, into: &tx) }
        var results: [VerificationResult] = []
        for manifest in manifests {
            // The device clock never goes back past what it has already accepted.
            var now = setup.at ?? Timestamp.now()
            if setup.at == nil, let newest = tx.state.newestAccepted, newest > now { now = newest }
            let result = Verifier.verify(manifest, trust: trust, device: device, job: setup.job, at: now,
                                         rollback: tx.state.rollback, mustNotSkip: setup.mustNotSkip)
            if setup.at == nil, result.isAllowed, let m = result.document {
                for chip in m.chips { tx.state.rollback[chip.serial] = max(tx.state.rollback[chip.serial] ?? 0, m.sequence) }
                if tx.state.newestAccepted.map({ m.issuedAt > $0 }) ?? true { tx.state.newestAccepted = m.issuedAt }
            }
            results.append(result)
        }
        return results
    }

    /// Keeps what verified: the newest root of a good chain, and newer signed revocation lists.
    static func record(trust: TrustStore, into tx: inout DeviceStateDirectory.Transaction) {
        if trust.rootOutcome.passed, let newest = trust.rootChain.last {
            // With a stored root, the chain starts at it (TrustStore read it already).
            let storedVersion = tx.trustedRoot == nil ? nil : trust.rootChain.first?.document.version
            if storedVersion.map({ newest.document.version > $0 }) ?? true {
                tx.storeRoot(newest.envelope.encoded() + [0x0a])
            }
        }
        for (issuer, entry) in trust.revocations where entry.revocation.version > (tx.state.revocationVersions[issuer] ?? 0) {
            tx.state.revocationVersions[issuer] = entry.revocation.version
            tx.storeRevocation(issuer: issuer, envelope: entry.signed.envelope.encoded() + [0x0a])
        }
    }
}
