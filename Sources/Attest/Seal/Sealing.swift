import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// `attest seal` and `attest unseal` on files: inputs, recipients and the gate, around `SealedFile`.
public enum Sealing {
    /// Seals `inputPath` (or standard input) to the X25519 keys in `recipientPaths` under `manifest`.
    public static func seal(inputPath: String, outputPath: String, recipients: [PublicKey], manifest: NamedInput,
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
                                          recipients: recipients, manifestDigest: SHA256.hash(envelope.payload),
                                          name: name, size: input.size, chunkSize: chunkSize)
        try output.commit()
        return summary
    }

    /// Runs the full gate for `manifest` (`run`'s checks, nothing skipped), then opens the file with the
    /// device's X25519 key. On any failure nothing is written (the temporary output is removed).
    public static func unseal(inputPath: String, outputPath: String, key: PrivateKey, manifest: NamedInput,
                              setup: VerificationSetup) throws(AttestError) -> UnsealOutcome {
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
        let result = try DeviceVerifier.verify(manifest, setup: gate)
        guard result.isAllowed else {
            let failing = result.checks.filter { $0.status == .fail }
            let blocking = failing.isEmpty ? result.checks.filter { $0.status == .skip } : failing
            return .denied(result, blocking.map { "\($0.id.rawValue): \($0.detail)" }.joined(separator: "; "))
        }
        let output = try StreamingOutput(path: outputPath, mode: 0o600)
        defer { output.abort() }
        let summary = try SealedFile.open(header: header, headerBytes: headerBytes, body: body, key: key, output: output.fd, outputName: outputPath)
        try output.commit()
        return .opened(summary, result)
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
