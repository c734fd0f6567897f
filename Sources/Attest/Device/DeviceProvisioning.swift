/// `attest device init`: makes a device's keys, config and state directory, and trusts its root.
public enum DeviceProvisioning {
    public struct Provisioned: Sendable {
        public let signingKeyID: String
        public let sealingKeyID: String
        public let config: DeviceConfig
    }

    /// - Parameter root: the signed root to trust; it must be signed by its own threshold.
    public static func initialize(stateDirectory: String, region: String, root: NamedInput, bundleDirectory: String?,
                                  probeRoot: String, nvidiaSMI: String) throws(AttestError) -> Provisioned {
        guard Region.isValid(region) else { throw AttestError(.usage, "--region \(region) is not an ISO 3166 code") }
        let trust = TrustStore(roots: [root], delegations: [], revocations: [])
        guard trust.rootOutcome.passed, let signedRoot = trust.rootChain.last else {
            let why: String
            switch trust.rootOutcome {
            case .fail(let detail), .skip(let detail), .pass(let detail): why = detail
            }
            throw AttestError(.usage, "the root cannot be trusted: \(trust.formatProblems.first ?? why)").inFile(root.name)
        }
        if AtomicFile.exists(stateDirectory + "/" + DeviceConfig.fileName) {
            throw AttestError(.usage, "this device is already provisioned; refusing to overwrite its keys", at: stateDirectory)
        }
        // Provisioning into a directory others can write would let them swap the keys or the config later.
        try PrivatePath.check(stateDirectory, what: "state directory")
        let directory = try DeviceStateDirectory(path: stateDirectory)
        let config = DeviceConfig(region: region, bundleDirectory: bundleDirectory ?? stateDirectory + "/manifests",
                                  probeRoot: probeRoot, nvidiaSMI: nvidiaSMI)
        try DeviceStateDirectory.makeDirectory(config.bundleDirectory)
        // Unencrypted and 0600: a device signs receipts at every boot and job, with nobody to type a passphrase.
        let signing = try KeyPairFiles.generate(.ed25519, prefix: stateDirectory + "/device", passphrase: nil)
        let sealing = try KeyPairFiles.generate(.x25519, prefix: stateDirectory + "/device-x25519", passphrase: nil)
        try directory.withLock { (tx) throws(AttestError) in
            tx.storeRoot(signedRoot.envelope.encoded() + [0x0a])
        }
        try AtomicFile.write(Array(JSONPrettyPrinter.render(config.json).utf8) + [0x0a],
                             to: stateDirectory + "/" + DeviceConfig.fileName, mode: 0o600, overwrite: false)
        return Provisioned(signingKeyID: signing.keyID, sealingKeyID: sealing.keyID, config: config)
    }
}
