import AttestCrypto

/// The edge device's gate: verifies its manifests against the probed hardware at boot and before every
/// job, and signs a receipt of each decision into its receipt log. Nothing runs unless every check that
/// applies passed.
public struct DeviceGate {
    public let stateDirectory: String
    public let config: DeviceConfig
    /// Extra trust inputs given on the command line, on top of the state's trusted root and the bundle.
    public var extraRoots: [NamedInput] = []
    public var extraDelegations: [NamedInput] = []
    public var extraRevocations: [NamedInput] = []
    /// Facts to use instead of probing (a facts file); the probe runs otherwise.
    public var factsOverride: DeviceFacts?
    public var bundleDirectory: String
    public var receipts: any ReceiptStore

    public init(stateDirectory: String) throws(AttestError) {
        self.stateDirectory = stateDirectory
        self.config = try DeviceConfig.load(stateDirectory: stateDirectory)
        self.bundleDirectory = config.bundleDirectory
        self.receipts = SQLiteReceiptLog(stateDirectory: stateDirectory, deviceKey: config.signingKey)
    }

    // MARK: Facts

    public struct Facts: Sendable {
        public let facts: DeviceFacts
        public let gpus: [HardwareProbe.GPU]
    }

    /// Probe before every job even when boot's facts are cached.
    public var probeEveryRun = false

    /// Probes the hardware; boot also keeps what it found for the runs that follow.
    public func facts(forBoot: Bool = false) throws(AttestError) -> Facts {
        if let factsOverride { return Facts(facts: factsOverride, gpus: []) }
        if !forBoot && !probeEveryRun, let cached = ProbedFacts.load(stateDirectory: stateDirectory) {
            return Facts(facts: DeviceFacts(region: config.region, chips: cached.chips), gpus: cached.gpus)
        }
        let report = try HardwareProbe(root: config.probeRoot, nvidiaSMI: config.nvidiaSMI).probe()
        if forBoot {
            do throws(AttestError) {
                try ProbedFacts(report).save(stateDirectory: stateDirectory)
            } catch {
                throw AttestError(.environment, "cannot keep the probed facts: \(error.description)")
            }
        }
        return Facts(facts: DeviceFacts(region: config.region, chips: report.chips), gpus: report.gpus)
    }

    // MARK: Boot

    public struct BootReport: Sendable {
        public struct ChipStatus: Sendable {
            public let chip: Manifest.Chip
            /// The manifest that covers it, when one passed every check.
            public let coveredBy: String?
            public let reason: String
        }
        public let chips: [ChipStatus]
        public let results: [(file: String, result: VerificationResult)]
        /// What this boot wrote to the device state.
        public internal(set) var recorded: [StateChange] = []
        public var allCovered: Bool { !chips.isEmpty && chips.allSatisfy { $0.coveredBy != nil } }
    }

    /// Verifies every manifest that names a chip of this device; boot succeeds only if every chip present
    /// is covered by a manifest that passes every check. One receipt per decision.
    public func boot() throws(AttestError) -> BootReport {
        let probed = try facts(forBoot: true)
        let device = probed.facts
        let bundle = try DeviceBundle.read(directory: bundleDirectory)
        let signer = try deviceKey()
        var setup = setup(bundle)
        setup.device = device
        setup.mustNotSkip = Set(CheckID.allCases).subtracting([.jobWorkload, .jobModel])
        setup.recordsRollback = false
        let serials = Set(device.chips.map(\.serial))

        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> BootReport in
            // Only manifests for this device take part; unreadable ones are reported too.
            var candidates: [NamedInput] = []
            for input in bundle.manifests {
                if let m = Self.peekManifest(input), !m.chips.contains(where: { serials.contains($0.serial) }) { continue }
                candidates.append(input)
            }
            let counters = tx.state.rollback
            let results = DeviceVerifier.evaluate(candidates, setup: setup, transaction: &tx) { manifest in
                guard let manifest else { return device }
                let listed = Set(manifest.chips.map(\.serial))
                var narrowed = device
                narrowed.inUse = device.chips.filter { listed.contains($0.serial) }
                return narrowed
            }
            let mayBeSkipped: Set<CheckID> = [.jobWorkload, .jobModel]
            let pairs = zip(candidates, results).map { BootCoverage.Candidate(file: $0.0.name, result: $0.1) }
            let decisions = BootCoverage.decide(serials: device.chips.map(\.serial), candidates: pairs, counters: counters,
                                                mayBeSkipped: mayBeSkipped)
            var statuses: [BootReport.ChipStatus] = []
            var coveredBy: [String: [String]] = [:]
            for (chip, decision) in zip(device.chips, decisions) {
                if let id = decision.manifestID, let file = decision.file, let sequence = decision.sequence {
                    // The counter moves to what covers the chip now, so the next boot decides the same.
                    tx.state.rollback[chip.serial] = max(tx.state.rollback[chip.serial] ?? 0, sequence)
                    coveredBy[file, default: []].append(chip.serial)
                    let older = decision.superseded.map { "supersedes \($0.file) (sequence \($0.sequence))" }
                    statuses.append(.init(chip: chip, coveredBy: id, reason: (["manifest \(id) (\(file), sequence \(sequence))"] + older).joined(separator: "; ")))
                } else {
                    statuses.append(.init(chip: chip, coveredBy: nil, reason: decision.denials.joined(separator: "; ")))
                }
            }
            for (input, result) in zip(candidates, results) {
                let present = result.document?.chips.map(\.serial).filter { serials.contains($0) } ?? []
                if let covered = coveredBy[input.name] {
                    try appendReceipt(.boot, result: result, device: device, chips: covered, job: nil, signer: signer, allowed: true)
                } else if !BootCoverage.isValid(result, mayBeSkipped: mayBeSkipped) || result.document == nil {
                    try appendReceipt(.boot, result: result, device: device, chips: present, job: nil, signer: signer)
                }
                // A valid manifest whose every chip has a newer one is superseded: no decision to record.
            }
            let uncovered = statuses.filter { $0.coveredBy == nil && $0.reason == "no manifest names this chip" }
            if !uncovered.isEmpty {
                // Chips no manifest names still get a signed record of the refusal.
                try appendReceipt(.boot, result: nil, device: device, chips: uncovered.map(\.chip.serial), job: nil, signer: signer)
            }
            var record = BootRecord(at: Timestamp.now(), chips: [:])
            for status in statuses { record.chips[status.chip.serial] = status.coveredBy == nil ? .deny : .allow }
            try record.save(stateDirectory: stateDirectory)
            // Boot is when the jobs' queued receipts, and these, enter the tree and get a signed checkpoint.
            try receipts.flush()
            var report = BootReport(chips: statuses, results: Array(zip(candidates.map(\.name), results)).map { (file: $0.0, result: $0.1) })
            report.recorded = tx.changes
            return report
        }
    }

    // MARK: Run

    public struct RunDecision: Sendable {
        public let allowed: Bool
        /// The manifest the job runs under, or the closest one when denied.
        public let result: VerificationResult?
        public let file: String?
        public let chipsInUse: [Manifest.Chip]
        public let reason: String
        /// The GPUs the job may see, when the device has GPUs: the job's CUDA_VISIBLE_DEVICES.
        public var gpus: [HardwareProbe.GPU]? = nil
        /// What this decision wrote to the device state.
        public internal(set) var recorded: [StateChange] = []
    }

    /// Decides whether a job may run on the GPUs it will use: some manifest must cover those chips and
    /// permit the workload (and model). A receipt of the decision is written either way.
    /// Whether `run` requires the last boot to have allowed the chips in use (`run --no-boot-check` turns it off).
    public var requireBoot = true

    public func authorize(job: JobRequest, cudaVisibleDevices: String?) throws(AttestError) -> RunDecision {
        let probed = try facts()
        var device = probed.facts
        var gpus: [HardwareProbe.GPU]?
        if !probed.gpus.isEmpty {
            let chosen = try GPUSelection.select(probed.gpus, cuda: cudaVisibleDevices)
            device.inUse = chosen.map(\.chip)
            gpus = chosen
        }
        let inUse = device.chipsInUse
        let bundle = try DeviceBundle.read(directory: bundleDirectory)
        let signer = try deviceKey()
        var setup = setup(bundle)
        setup.device = device
        setup.job = job
        setup.mustNotSkip = Set(CheckID.allCases)

        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> RunDecision in
            if requireBoot {
                let record = try BootRecord.load(stateDirectory: stateDirectory)
                let refusal = record.map { $0.refusal(for: inUse.map(\.serial)) }
                    ?? "this device has not booted: run attest boot first, or --no-boot-check"
                if let refusal {
                    try appendReceipt(.run, result: nil, device: device, chips: inUse.map(\.serial), job: job, signer: signer,
                                      failedIDs: [Self.bootCheck])
                    return RunDecision(allowed: false, result: nil, file: nil, chipsInUse: inUse, reason: "\(Self.bootCheck): \(refusal)")
                }
            }
            let needed = Set(inUse.map(\.serial))
            var candidates: [NamedInput] = []
            for input in bundle.manifests {
                if let m = Self.peekManifest(input), !needed.isSubset(of: Set(m.chips.map(\.serial))) || needed.isEmpty { continue }
                candidates.append(input)
            }
            let results = DeviceVerifier.evaluate(candidates, setup: setup, transaction: &tx) { _ in device }
            let pairs = Array(zip(candidates.map(\.name), results))
            let allowed = pairs.filter { $0.1.isAllowed }.max { ($0.1.document?.sequence ?? 0) < ($1.1.document?.sequence ?? 0) }
            let chosen = allowed ?? pairs.min { $0.1.failed.count < $1.1.failed.count }
            var decision: RunDecision
            if let allowed {
                decision = RunDecision(allowed: true, result: allowed.1, file: allowed.0, chipsInUse: inUse,
                                       reason: "manifest \(allowed.1.manifest?.id ?? "?") allows \(job.workload) on \(inUse.count) chip\(inUse.count == 1 ? "" : "s")")
            } else if let chosen {
                let failing = chosen.1.checks.filter { $0.status == .fail }
                let failed = failing.isEmpty ? chosen.1.checks.filter { $0.status == .skip && setup.mustNotSkip.contains($0.id) } : failing
                decision = RunDecision(allowed: false, result: chosen.1, file: chosen.0, chipsInUse: inUse,
                                       reason: failed.map { "\($0.id.rawValue): \($0.detail)" }.joined(separator: "; "))
            } else {
                let what = inUse.isEmpty ? "the job selects no GPU" : "no manifest covers chips \(inUse.map(\.serial).joined(separator: ", "))"
                decision = RunDecision(allowed: false, result: nil, file: nil, chipsInUse: inUse, reason: what)
            }
            try appendReceipt(.run, result: decision.result, device: device, chips: inUse.map(\.serial), job: job, signer: signer)
            decision.gpus = gpus
            decision.recorded = tx.changes
            return decision
        }
    }

    // MARK: Pieces

    /// The id a run receipt gives a refusal for the last boot's decision (it is not a manifest check).
    public static let bootCheck = "device.boot"

    func setup(_ bundle: DeviceBundle) -> VerificationSetup {
        var setup = VerificationSetup()
        setup.roots = bundle.roots + extraRoots
        setup.delegations = bundle.delegations + extraDelegations
        setup.revocations = bundle.revocations + extraRevocations
        setup.stateDirectory = stateDirectory
        return setup
    }

    func deviceKey() throws(AttestError) -> PrivateKey {
        try PrivatePath.check(stateDirectory + "/" + config.signingKey, what: "device signing key")
        return try KeyFiles.loadPrivateKey(at: stateDirectory + "/" + config.signingKey) { () throws(AttestError) in
            throw AttestError(.environment, "the device signing key must be unencrypted: the device signs unattended")
        }
    }

    /// The manifest inside an envelope, without checking anything (only to pick candidates).
    static func peekManifest(_ input: NamedInput) -> Manifest? {
        guard let envelope = try? Envelope.parse(input.bytes), envelope.payloadType == PayloadType.manifest.rawValue,
              let value = try? JSONParser.parse(envelope.payload) else { return nil }
        return try? Manifest(json: value)
    }

    /// - Parameter decided: the decision when it is not the result's own (boot covers a chip with a manifest
    ///   that is behind on another of its chips).
    func appendReceipt(_ event: Receipt.Event, result: VerificationResult?, device: DeviceFacts, chips: [String],
                       job: JobRequest?, signer: PrivateKey, allowed decided: Bool? = nil, failedIDs: [String]? = nil) throws(AttestError) {
        var failed = failedIDs ?? result?.failed.map(\.rawValue) ?? [CheckID.deviceChip.rawValue]
        let allowed = decided ?? result?.isAllowed ?? false
        if !allowed && failed.isEmpty {
            // Denied for a check that was skipped where nothing may be skipped.
            failed = result?.checks.filter { $0.status == .skip }.map(\.id.rawValue) ?? []
        }
        let receipt = Receipt(device: signer.publicKey.keyID, at: Timestamp.now(), event: event,
                              manifestID: result?.manifest?.id, manifestDigest: result?.manifest?.digest,
                              chips: chips, region: device.region, workload: job?.workload, model: job?.modelDigest,
                              decision: allowed ? .allow : .deny, failed: allowed ? [] : failed, nonce: try Receipt.freshNonce())
        var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
        try envelope.sign(with: signer)
        try receipts.append(envelope.encoded())
    }
}
