import AttestCrypto

/// `attest unseal` on a provisioned device: a gated event like `run`. The device's own region, facts,
/// bundle and keys decide, and each decision is a signed `unseal` receipt in the device's log.
extension DeviceGate {
    /// Opens `inputPath` into `outputPath` for `workload` under `manifest` (see `Sealing.unseal`), with the
    /// device's sealing key unless `key` is given. The region is the provisioned one, even when the facts
    /// come from a file: a facts file may only describe chips.
    public func unseal(inputPath: String, outputPath: String, manifest: NamedInput, workload: String,
                       key: PrivateKey? = nil, sealers: Sealing.Sealers = nil) throws(AttestError) -> UnsealOutcome {
        var device = try facts().facts
        device.region = config.region
        let bundle = try DeviceBundle.read(directory: bundleDirectory)
        let signer = try deviceKey()
        let sealingKey: PrivateKey
        if let key {
            sealingKey = key
        } else {
            sealingKey = try KeyFiles.loadPrivateKey(at: stateDirectory + "/" + config.sealingKey) { () throws(AttestError) in
                throw AttestError(.environment, "the device sealing key must be unencrypted: the device opens files unattended")
            }
        }
        var gate = setup(bundle)
        gate.device = device
        gate.job = JobRequest(workload: workload)
        gate.mustNotSkip = Set(CheckID.allCases)
        let chips = device.chipsInUse.map(\.serial)
        return try Sealing.unseal(inputPath: inputPath, outputPath: outputPath, key: sealingKey, manifest: manifest,
                                  setup: gate, sealers: sealers) { (decision) throws(AttestError) in
            let receipt = Receipt(device: signer.publicKey.keyID, at: Timestamp.now(), event: .unseal,
                                  manifestID: decision.result?.manifest?.id, manifestDigest: decision.result?.manifest?.digest,
                                  chips: chips, region: device.region, workload: workload, model: decision.modelDigest,
                                  decision: decision.allowed ? .allow : .deny,
                                  failed: decision.allowed ? [] : (decision.failed.isEmpty ? [CheckID.deviceChip.rawValue] : decision.failed),
                                  nonce: try Receipt.freshNonce())
            var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
            try envelope.sign(with: signer)
            try receipts.append(envelope.encoded())
        }
    }
}
