/// Verification as a command runs it: trust inputs, an optional device state directory, device facts,
/// a job, and the time. With a state directory, the device's trusted root, revocation records, rollback
/// counters, delegation versions and clock floor take part, and are updated afterwards when `record` is set.
public struct VerificationSetup: Sendable {
    public var roots: [NamedInput] = []
    public var delegations: [NamedInput] = []
    public var revocations: [NamedInput] = []
    public var device: DeviceFacts?
    public var job: JobRequest?
    /// An auditor's time; when set, the device state is read but never written.
    public var at: Timestamp?
    public var stateDirectory: String?
    /// Whether a verification with a state directory writes what it learnt back (boot, run and unseal do;
    /// `verify` only with `--record`).
    public var record = true
    /// Whether an allowed manifest raises the rollback counters of its chips. Boot decides coverage chip by
    /// chip and records the counters itself (`BootCoverage`).
    public var recordsRollback = true
    /// The device clock's reading; nil reads the system clock (tests set it to turn the clock back).
    public var clock: Timestamp?
    /// Checks that deny when skipped: `run` and `unseal` skip nothing, `boot` nothing but the job checks.
    public var mustNotSkip: Set<CheckID> = []

    public init() {}
}

public enum DeviceVerifier {
    /// How far the clock must have moved past the floor before the floor is written again: a job launch
    /// then does not rewrite the state every second, and the floor lags by at most this (well inside skew).
    static let clockFloorStep: Int64 = 60

    public static func verify(_ manifest: NamedInput, setup: VerificationSetup) throws(AttestError) -> VerificationResult {
        guard let stateDirectory = setup.stateDirectory else {
            let now = setup.at ?? setup.clock ?? Timestamp.now()
            let trust = TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations, now: now)
            return Verifier.verify(manifest, trust: trust, device: setup.device, job: setup.job,
                                   at: now, mustNotSkip: setup.mustNotSkip)
        }
        let device = setup.device
        guard setup.record && setup.at == nil else {
            // Read-only: the state takes part, nothing is written or created.
            var tx = try DeviceStateDirectory(path: stateDirectory, create: false).read()
            return evaluate([manifest], setup: setup, transaction: &tx, device: { _ in device })[0]
        }
        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> VerificationResult in
            var result = evaluate([manifest], setup: setup, transaction: &tx, device: { _ in device })[0]
            result.recorded = tx.changes
            return result
        }
    }

    /// Verifies manifests with the state locked by the caller, in order, recording what each allowed one
    /// teaches the device (rollback counters, the clock floor) before the next is checked. Nothing is
    /// recorded with `setup.at` (an auditor's time) or without `setup.record`.
    public static func evaluate(_ manifests: [NamedInput], setup: VerificationSetup,
                                transaction tx: inout DeviceStateDirectory.Transaction,
                                device: (Manifest?) -> DeviceFacts?) -> [VerificationResult] {
        let recording = setup.at == nil && setup.record
        let clock = setup.clock ?? Timestamp.now()
        func deviceNow() -> Timestamp { now(setup: setup, clock: clock, transaction: tx) }
        let trust = trustStore(for: setup, transaction: tx, now: deviceNow())
        if recording { record(trust: trust, into: &tx) }
        var results: [VerificationResult] = []
        for manifest in manifests {
            let now = deviceNow()
            let result = Verifier.verify(manifest, trust: trust, device: device, job: setup.job, at: now,
                                         rollback: tx.state.rollback, delegationVersions: tx.state.delegations,
                                         mustNotSkip: setup.mustNotSkip)
            if recording, result.isAllowed, let m = result.document {
                if setup.recordsRollback {
                    let inUse = device(m).map { Set($0.chipsInUse.map(\.serial)) }
                    for chip in m.chips where inUse?.contains(chip.serial) ?? true {
                        tx.state.rollback[chip.serial] = max(tx.state.rollback[chip.serial] ?? 0, m.sequence)
                    }
                }
                advanceClockFloor(&tx, to: max(now, m.issuedAt))
            }
            results.append(result)
        }
        return results
    }

    /// The device's time: an auditor's `at`, or the clock, never earlier than the newest time the device has seen.
    static func now(setup: VerificationSetup, clock: Timestamp, transaction tx: DeviceStateDirectory.Transaction) -> Timestamp {
        if let at = setup.at { return at }
        if let floor = tx.state.clockFloor, floor > clock { return floor }
        return clock
    }

    /// The trust `evaluate` verifies against: the inputs over what the state already holds, before recording.
    public static func trustStore(for setup: VerificationSetup, transaction tx: DeviceStateDirectory.Transaction,
                                  now: Timestamp? = nil) -> TrustStore {
        TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations, anchor: tx.trustedRoot,
                   accepted: tx.state.revocations,
                   now: now ?? Self.now(setup: setup, clock: setup.clock ?? Timestamp.now(), transaction: tx))
    }

    static func advanceClockFloor(_ tx: inout DeviceStateDirectory.Transaction, to time: Timestamp) {
        if let floor = tx.state.clockFloor, time.seconds < floor.seconds + clockFloorStep { return }
        tx.state.clockFloor = time
    }

    /// Keeps what verified: the newest root of a good chain, every delegation the root signed (its newest
    /// version), and the revocation records (lists accepted now merged into what was accepted before).
    static func record(trust: TrustStore, into tx: inout DeviceStateDirectory.Transaction) {
        if trust.rootOutcome.passed, let newest = trust.rootChain.last {
            // With a stored root, the chain starts at it (TrustStore read it already).
            let storedVersion = tx.trustedRoot == nil ? nil : trust.rootChain.first?.document.version
            if storedVersion.map({ newest.document.version > $0 }) ?? true {
                tx.storeRoot(newest.envelope.encoded() + [0x0a], version: newest.document.version, replacing: storedVersion)
            }
        }
        for (name, entry) in trust.delegations where entry.signedByRoot && entry.delegation.version > (tx.state.delegations[name] ?? 0) {
            tx.state.delegations[name] = entry.delegation.version
        }
        tx.state.revocations = trust.revocationRecords
        for (issuer, entry) in trust.revocations where entry.revocation.version > (tx.original.revocations[issuer]?.version ?? 0)
            && entry.revocation.version == trust.revocationRecords[issuer]?.version {
            // Kept as evidence of the newest list accepted; decisions come from the records.
            tx.storeRevocation(issuer: issuer, envelope: entry.signed.envelope.encoded() + [0x0a])
        }
        // Every accepted issuedAt raises the floor (lists are refused beyond now + skew).
        if let newest = trust.revocations.values.map(\.revocation.issuedAt).max(), newest > (tx.state.clockFloor ?? Timestamp(seconds: .min)) {
            advanceClockFloor(&tx, to: newest)
        }
    }
}
