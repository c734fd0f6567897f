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
        let serials = Set(device.chips.map(\.serial))

        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> BootReport in
            // Only manifests for this device take part; unreadable ones are reported too.
            var candidates: [NamedInput] = []
            for input in bundle.manifests {
                if let m = Self.peekManifest(input), !m.chips.contains(where: { serials.contains($0.serial) }) { continue }
                candidates.append(input)
            }
            let results = DeviceVerifier.evaluate(candidates, setup: setup, transaction: &tx) { manifest in
                guard let manifest else { return device }
                let listed = Set(manifest.chips.map(\.serial))
                var narrowed = device
                narrowed.inUse = device.chips.filter { listed.contains($0.serial) }
                return narrowed
            }
            var statuses: [BootReport.ChipStatus] = []
            for chip in device.chips {
                let covering = zip(candidates, results).first { $0.1.isAllowed && $0.1.document?.chips.contains { $0.serial == chip.serial } == true }
                if let covering, let id = covering.1.document?.id {
                    statuses.append(.init(chip: chip, coveredBy: id, reason: "manifest \(id) (\(covering.0.name))"))
                    continue
                }
                let naming = zip(candidates, results).filter { $0.1.document?.chips.contains { $0.serial == chip.serial } == true }
                let reason = naming.isEmpty
                    ? "no manifest names this chip"
                    : naming.map { "\($0.0.name): \($0.1.failed.map(\.rawValue).joined(separator: ","))" }.joined(separator: "; ")
                statuses.append(.init(chip: chip, coveredBy: nil, reason: reason))
            }
            for result in results {
                try appendReceipt(.boot, result: result, device: device, chips: result.document?.chips.map(\.serial).filter { serials.contains($0) } ?? [],
                                  job: nil, signer: signer)
            }
            let uncovered = statuses.filter { $0.coveredBy == nil && !$0.reason.contains(":") }
            if !uncovered.isEmpty {
                // Chips no manifest names still get a signed record of the refusal.
                try appendReceipt(.boot, result: nil, device: device, chips: uncovered.map(\.chip.serial), job: nil, signer: signer)
            }
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

    func setup(_ bundle: DeviceBundle) -> VerificationSetup {
        var setup = VerificationSetup()
        setup.roots = bundle.roots + extraRoots
        setup.delegations = bundle.delegations + extraDelegations
        setup.revocations = bundle.revocations + extraRevocations
        setup.stateDirectory = stateDirectory
        return setup
    }

    func deviceKey() throws(AttestError) -> PrivateKey {
        try KeyFiles.loadPrivateKey(at: stateDirectory + "/" + config.signingKey) { () throws(AttestError) in
            throw AttestError(.environment, "the device signing key must be unencrypted: the device signs unattended")
        }
    }

    /// The manifest inside an envelope, without checking anything (only to pick candidates).
    static func peekManifest(_ input: NamedInput) -> Manifest? {
        guard let envelope = try? Envelope.parse(input.bytes), envelope.payloadType == PayloadType.manifest.rawValue,
              let value = try? JSONParser.parse(envelope.payload) else { return nil }
        return try? Manifest(json: value)
    }

    func appendReceipt(_ event: Receipt.Event, result: VerificationResult?, device: DeviceFacts, chips: [String],
                       job: JobRequest?, signer: PrivateKey) throws(AttestError) {
        var failed = result?.failed.map(\.rawValue) ?? [CheckID.deviceChip.rawValue]
        let allowed = result?.isAllowed ?? false
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
