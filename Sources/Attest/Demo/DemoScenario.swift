import AttestCrypto

/// `attest demo`: the whole trust chain on the committed demo keys, in a scratch directory. It writes real
/// files and verifies them with the same code as `attest verify`, then shows each attack being caught.
public struct DemoScenario {
    public struct Step: Sendable {
        public let title: String
        public let expected: VerificationResult.Decision
        /// The check expected to catch it, for denials.
        public let expectedCheck: CheckID?
        public let result: VerificationResult
        public var asExpected: Bool {
            result.decision == expected && (expectedCheck.map { result.failed.contains($0) } ?? true)
        }
    }

    public let keysDirectory: String
    public let workDirectory: String

    public init(keysDirectory: String, workDirectory: String) {
        self.keysDirectory = keysDirectory
        self.workDirectory = workDirectory
    }

    private func key(_ name: String) throws(AttestError) -> PrivateKey {
        try KeyFiles.loadPrivateKey(at: "\(keysDirectory)/\(name).key") { () throws(AttestError) in
            throw AttestError(.usage, "demo keys are unencrypted; \(name).key asks for a passphrase")
        }
    }

    private func write(_ name: String, _ json: JSONValue, _ type: PayloadType, signers: [PrivateKey]) throws(AttestError) -> String {
        var envelope = Envelope(payloadType: type.rawValue, payload: CanonicalJSON.encode(json))
        for signer in signers { try envelope.sign(with: signer) }
        return try write(name, envelope.encoded() + [0x0a])
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws(AttestError) -> String {
        let path = "\(workDirectory)/\(name)"
        try AtomicFile.write(bytes, to: path)
        return path
    }

    /// Runs every step; `report` sees each one as it finishes.
    public func run(report: (Step) -> Void) throws(AttestError) -> [Step] {
        let now = Timestamp.now()
        let rootKeys = [try key("demo-vendor-root-1"), try key("demo-vendor-root-2")]
        let acme = try key("demo-acme-integrator")

        let root = TrustRoot(version: 1, expires: now.adding(days: 365), threshold: 2, keys: rootKeys.map(\.publicKey),
                             policy: .init(deniedRegions: ["KP", "IR"], clockSkewSeconds: 300, maxManifestDays: 400))
        let rootPath = try write("root.json", root.json, .root, signers: rootKeys)
        let delegation = Delegation(name: "acme-integration", version: 1, expires: now.adding(days: 180), threshold: 1,
                                    keys: [acme.publicKey],
                                    scope: .init(regions: ["MX", "BR"], workloads: ["industrial-inspection", "public-safety"],
                                                 chipVendors: ["nvidia"], maxManifestDays: 90))
        let delegationPath = try write("delegation-acme.json", delegation.json, .delegation, signers: rootKeys)
        let chips = ["1652922001234", "1652922001235"].map { Manifest.Chip(vendor: "nvidia", model: "H200", serial: $0) }
        let device = DeviceFacts(region: "MX-NLE", chips: chips)
        _ = try write("device-facts.json", CanonicalJSON.encode(device.json) + [0x0a])

        func manifest(sequence: Int, region: String = "MX", start: Timestamp = now.adding(seconds: -3600), days: Int64 = 30) -> Manifest {
            Manifest(id: DemoScenario.uuid(sequence), issuer: "acme-integration", sequence: sequence,
                     issuedAt: start, notBefore: start, notAfter: start.adding(days: days),
                     chips: chips, region: region,
                     workloads: [.init(workloadClass: "industrial-inspection"), .init(workloadClass: "public-safety")])
        }

        var setup = VerificationSetup()
        setup.roots = [try NamedInput.read(rootPath)]
        setup.delegations = [try NamedInput.read(delegationPath)]
        setup.device = device
        setup.job = JobRequest(workload: "industrial-inspection")
        setup.stateDirectory = "\(workDirectory)/device-state"

        var steps: [Step] = []
        func step(_ title: String, _ path: String, _ expected: VerificationResult.Decision, _ check: CheckID?) throws(AttestError) {
            let result = try DeviceVerifier.verify(try NamedInput.read(path), setup: setup)
            let s = Step(title: title, expected: expected, expectedCheck: check, result: result)
            steps.append(s)
            report(s)
        }

        let good = try write("manifest-good.json", manifest(sequence: 3).json, .manifest, signers: [acme])
        try step("a manifest for this device, region MX, sequence 3", good, .allow, nil)

        let wrongRegion = try write("manifest-wrong-region.json", manifest(sequence: 4, region: "BR").json, .manifest, signers: [acme])
        try step("a manifest for region BR, on a device provisioned in MX-NLE", wrongRegion, .deny, .deviceRegion)

        let expired = try write("manifest-expired.json", manifest(sequence: 4, start: now.adding(days: -40)).json, .manifest, signers: [acme])
        try step("a manifest that expired 10 days ago", expired, .deny, .manifestValidity)

        let rolledBack = try write("manifest-rolled-back.json", manifest(sequence: 2).json, .manifest, signers: [acme])
        try step("an older manifest (sequence 2) replayed after sequence 3 was accepted", rolledBack, .deny, .manifestRollback)

        let outsider: PrivateKey
        do { outsider = try PrivateKey.generate(.ed25519) } catch { throw AttestError(error) }
        let foreign = try write("manifest-foreign-key.json", manifest(sequence: 5).json, .manifest, signers: [outsider])
        try step("a manifest signed by a key outside the acme delegation", foreign, .deny, .manifestSignature)

        // Change one byte of the signed payload: the sequence 3 becomes 9.
        var envelope = try Envelope.parse(try AtomicFile.read(good))
        var payload = envelope.payload
        if let i = payload.firstRange(of: Array(#""sequence":3"#.utf8))?.upperBound { payload[i - 1] = UInt8(ascii: "9") }
        envelope = Envelope(payloadType: envelope.payloadType, payload: payload, signatures: envelope.signatures)
        let tampered = try write("manifest-tampered.json", envelope.encoded() + [0x0a])
        try step("the good manifest with one payload byte changed", tampered, .deny, .manifestSignature)
        return steps
    }

    static func uuid(_ n: Int) -> String {
        let tail = String(n)
        return "de000000-0000-4000-8000-" + String(repeating: "0", count: 12 - tail.count) + tail
    }
}
