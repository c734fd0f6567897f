import ArgumentParser
import Attest
import AttestCrypto

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a draft (payload JSON) into an envelope, or add a signature to an envelope.")

    @Option(help: "The private key to sign with.")
    var key: String

    @Option(name: .customLong("type"), help: "root, delegation, manifest or revocation.")
    var type: String

    @Argument(help: "A draft payload or an envelope of the same type ('-' for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the envelope ('-' for standard output).")
    var output: String

    @OptionGroup var passphrase: PassphraseOptions

    @Option(name: .customLong("log"), help: "Also append the signed manifest to this issuance log (an audit log; made, with its key LOG.key, if new).")
    var log: String?

    func validate() throws {
        guard let kind = PayloadType(kind: type), kind != .receipt else {
            throw ValidationError("unknown --type '\(type)' (root, delegation, manifest, revocation)")
        }
        if log != nil, kind != .manifest { throw ValidationError("--log takes manifests only (the issuance log)") }
    }

    func run() throws {
        guard let kind = PayloadType(kind: type) else { throw ValidationError("unknown --type '\(type)'") }
        let signer = try KeyFiles.loadPrivateKey(at: key) { () throws(AttestError) in
            try passphrase.read(prompt: "Passphrase for \(key): ")
        }
        let bytes = try AtomicFile.read(input, limit: 2 << 20)
        let envelope: Envelope
        do {
            envelope = try DraftSigning.sign(bytes, as: kind, with: signer)
        } catch {
            throw error.inFile(input == "-" ? "standard input" : input)
        }
        try AtomicFile.write(envelope.encoded() + [0x0a], to: output)
        if output != "-" {
            Terminal.write("signed \(kind.kind) \(envelope.payloadDigest) with \(signer.publicKey.keyID) (\(envelope.signatures.count) signature\(envelope.signatures.count == 1 ? "" : "s")) -> \(output)\n")
        }
        if let log {
            // After the envelope is written: a manifest is in the issuance log only once it exists.
            let entry = try AuditEntry(envelope: envelope)
            let appended = try AuditLog.appending(log) { (audit, logSigner) throws(AttestError) in try audit.append([entry], signer: logSigner) }
            let line = "appended to \(log) as entry \(appended.firstIndex); log size \(appended.size)\n"
            // Standard output may be the envelope itself.
            if output == "-" { Terminal.writeError(line) } else { Terminal.write(line) }
        }
    }
}
