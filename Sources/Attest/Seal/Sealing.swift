import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// `attest seal` and `attest unseal` on files: inputs, recipients and the gate, around `SealedFile`.
public enum Sealing {
    /// Seals `inputPath` (or standard input) to the X25519 keys in `recipients` under `manifest`, signed by `sealer`.
    public static func seal(inputPath: String, outputPath: String, recipients: [PublicKey], sealer: PrivateKey, manifest: NamedInput,
                            chunkSize: Int = SealedHeader.defaultChunkSize) throws(AttestError) -> SealedFile.Summary {
        let envelope: Envelope
        do throws(AttestError) {
            envelope = try Envelope.parse(manifest.bytes)
            guard envelope.payloadType == PayloadType.manifest.rawValue else {
                throw AttestError(.invalidEnvelope, "not a manifest envelope (payloadType \(envelope.payloadType))")
            }
            _ = try Manifest(json: JSONParser.parse(envelope.payload))
        } catch {
            throw error.inFile(manifest.name)
        }
        let input = try openInput(inputPath)
        defer { if input.fd != STDIN_FILENO { close(input.fd) } }
        let output = try StreamingOutput(path: outputPath)
        defer { output.abort() }
        let name = inputPath == "-" ? nil : String(inputPath.split(separator: "/").last ?? "")
        let summary = try SealedFile.seal(input: input.fd, inputName: input.name, output: output.fd, outputName: outputPath,
                                          recipients: recipients, signer: sealer, manifestDigest: SHA256.hash(envelope.payload),
                                          name: name, size: input.size, chunkSize: chunkSize)
        try output.commit()
        return summary
    }

    /// One unseal decision, for the device's receipt: the gate's result (nil when none could be had), the
    /// check ids that failed (empty exactly when allowed) and the plaintext's digest once it is known.
    public struct Decision: Sendable {
        public let result: VerificationResult?
        public let allowed: Bool
        public let failed: [String]
        public let modelDigest: String?
    }

    /// Who may have sealed a file: the listed keys, or (nil) the unrevoked keys of the delegation that
    /// issued the manifest, as the gate verified it.
    public typealias Sealers = [PublicKey]?

    /// The gated unseal (docs/unseal.md). Before any decryption: the header is read, the manifest must be
    /// the one sealed under, every check of `run` but the model's pin must pass, and the header must be
    /// signed by an accepted sealer. Then the body is decrypted to a temporary file while it is hashed,
    /// and the gate runs again with the plaintext's digest as the model (so pinned workloads work); the
    /// output is renamed into place only if that allows. `record` receives each decision taken.
    public static func unseal(inputPath: String, outputPath: String, key: PrivateKey, manifest: NamedInput,
                              setup: VerificationSetup, sealers: Sealers = nil,
                              record: (Decision) throws(AttestError) -> Void = { _ throws(AttestError) in }) throws(AttestError) -> UnsealOutcome {
        guard let workload = setup.job?.workload else { throw AttestError(.usage, "unseal needs the workload that will use the file") }
        let input = try openInput(inputPath)
        defer { if input.fd != STDIN_FILENO { close(input.fd) } }
        let (header, headerBytes, body) = try SealedFile.readHeader(fd: input.fd, name: input.name, size: input.size)
        let envelope: Envelope
        do { envelope = try Envelope.parse(manifest.bytes) } catch { throw error.inFile(manifest.name) }
        let digest = SHA256.hash(envelope.payload)
        guard ConstantTime.equals(digest, header.manifestDigest) else {
            throw AttestError(.signatureFailed, "sealed under manifest sha256:\(Hex.encode(header.manifestDigest)), not \(manifest.name) (sha256:\(Hex.encode(digest)))", at: input.name)
        }
        var gate = setup
        gate.mustNotSkip = Set(CheckID.allCases)
        gate.job = JobRequest(workload: workload)

        // 1. The gate without the model: only a pin the plaintext has yet to meet may fail here.
        let (before, delegationKeys) = try check(manifest, setup: gate)
        let pins = before.document?.workload(workload)?.models ?? []
        let blocking = before.checks.filter { check in
            if check.id == .jobModel && check.status == .fail && !pins.isEmpty { return false }
            return check.status == .fail || (check.status == .skip && gate.mustNotSkip.contains(check.id))
        }
        guard blocking.isEmpty else {
            try record(Decision(result: before, allowed: false, failed: blocking.map(\.id.rawValue), modelDigest: nil))
            return .denied(before, blocking.map { "\($0.id.rawValue): \($0.detail)" }.joined(separator: "; "))
        }

        // 2. Who sealed it.
        let accepted = sealers ?? delegationKeys
        guard header.isSigned(byOneOf: accepted) else {
            try record(Decision(result: before, allowed: false, failed: [sealerCheck], modelDigest: nil))
            let whose = sealers == nil ? "of delegation \(before.document?.issuer ?? "?")" : "given with --from"
            return .denied(before, "\(sealerCheck): the header is not signed by a sealer key \(whose) (it names sealer \(header.sealer))")
        }
        if !pins.isEmpty && outputPath == "-" {
            throw AttestError(.usage, "workload \(workload) pins models and the plaintext's digest is known only at the end: give -o FILE, not standard output")
        }

        // 3. Decrypt to the temporary output while hashing, then decide with the digest.
        let output = try StreamingOutput(path: outputPath, mode: 0o600)
        defer { output.abort() }
        let summary = try SealedFile.open(header: header, headerBytes: headerBytes, body: body, key: key, output: output.fd, outputName: outputPath)
        gate.job = JobRequest(workload: workload, modelDigest: summary.plaintextDigest)
        let (after, _) = try check(manifest, setup: gate)
        let failing = after.checks.filter { $0.status == .fail || ($0.status == .skip && gate.mustNotSkip.contains($0.id)) }
        try record(Decision(result: after, allowed: after.isAllowed, failed: failing.map(\.id.rawValue), modelDigest: summary.plaintextDigest))
        guard after.isAllowed else {
            return .denied(after, failing.map { "\($0.id.rawValue): \($0.detail)" }.joined(separator: "; "))
        }
        try output.commit()
        return .opened(summary, after)
    }

    /// The id receipts give a refused sealer signature (it is not a manifest check).
    public static let sealerCheck = "seal.signer"

    /// Verifies `manifest` as `DeviceVerifier.verify` does (recording into the state when allowed), and
    /// returns with it the unrevoked keys of the delegation that issued it, from the same trust inputs.
    static func check(_ manifest: NamedInput, setup: VerificationSetup) throws(AttestError) -> (VerificationResult, [PublicKey]) {
        func keys(_ trust: TrustStore, _ result: VerificationResult) -> [PublicKey] {
            guard let issuer = result.document?.issuer, let entry = trust.delegations[issuer], entry.signedByRoot,
                  !trust.revokedDelegations.contains(issuer) else { return [] }
            return entry.delegation.keys.values.filter { !trust.revokedKeys.contains($0.keyID) }
        }
        guard let stateDirectory = setup.stateDirectory else {
            let now = setup.at ?? setup.clock ?? Timestamp.now()
            let trust = TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations, now: now)
            let result = Verifier.verify(manifest, trust: trust, device: setup.device, job: setup.job, at: now, mustNotSkip: setup.mustNotSkip)
            return (result, keys(trust, result))
        }
        let directory = try DeviceStateDirectory(path: stateDirectory)
        return try directory.withLock { (tx) throws(AttestError) -> (VerificationResult, [PublicKey]) in
            // The same trust DeviceVerifier.evaluate verifies against, before it records anything.
            let trust = DeviceVerifier.trustStore(for: setup, transaction: tx)
            let device = setup.device
            var result = DeviceVerifier.evaluate([manifest], setup: setup, transaction: &tx, device: { _ in device })[0]
            result.recorded = tx.changes
            return (result, keys(trust, result))
        }
    }

    static func openInput(_ path: String) throws(AttestError) -> (fd: Int32, name: String, size: UInt64?) {
        if path == "-" { return (STDIN_FILENO, "standard input", nil) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AttestError(.io, "cannot read: \(AtomicFile.errnoText())", at: path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw AttestError(.io, "not a regular file", at: path)
        }
        return (fd, path, UInt64(st.st_size))
    }
}

/// What `unseal` did: opened the file, or refused at the gate (with the reason; exit 1).
public enum UnsealOutcome: Sendable {
    case opened(SealedFile.Summary, VerificationResult)
    case denied(VerificationResult, String)
}
