import ArgumentParser
import Attest
import AttestCrypto

struct SealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Encrypt a file (a model, a dataset) to devices' X25519 keys, under a manifest.",
        discussion: "Only a device holding one of the keys, with that manifest valid for it and the workload, can open it (attest unseal).")

    @Option(name: .customLong("to"), help: "A device's X25519 public key (PEM). Repeatable.")
    var recipients: [String]

    @Option(name: .customLong("from"), help: "The sealer's signing key (private): it signs the header; unseal requires it.")
    var from: String?

    @OptionGroup var passphrase: PassphraseOptions

    @Option(help: "The signed manifest the file may be opened under.")
    var manifest: String

    @Argument(help: "The file to seal ('-' for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "The sealed output ('-' for standard output).")
    var output: String

    func validate() throws {
        if recipients.isEmpty { throw ValidationError("give at least one --to key") }
    }

    func run() throws {
        // An unsigned file would unseal for anyone holding the device's public key: there is none.
        guard let from else { throw AttestError(.usage, "give --from KEY: the sealer's signing key signs the header, and unseal refuses unsigned files") }
        var keys: [PublicKey] = []
        for path in recipients {
            keys.append(try KeyFiles.loadPublicKey(at: path) { () throws(AttestError) in
                throw AttestError(.usage, "give the public key (.pub), not an encrypted private key")
            })
        }
        let sealer = try KeyFiles.loadPrivateKey(at: from) { () throws(AttestError) in
            do throws(AttestError) { return try passphrase.read(prompt: "Passphrase for \(from): ") } catch { throw error.inFile(from) }
        }
        let summary = try Sealing.seal(inputPath: input, outputPath: output, recipients: keys, sealer: sealer, manifest: try NamedInput.read(manifest))
        if output != "-" {
            Terminal.writeError("sealed \(summary.bytes) bytes to \(keys.count) recipient\(keys.count == 1 ? "" : "s") under manifest sha256:\(Hex.encode(summary.header.manifestDigest)), signed by \(sealer.publicKey.keyID) -> \(output)\n")
        }
    }
}

struct UnsealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseal",
        abstract: "Run the device gate for a manifest and workload, then decrypt a sealed file (streaming).",
        discussion: """
            A gated event like run, on the provisioned device (docs/unseal.md): the file must be signed by a key of the \
            delegation that issued the manifest (or a --from key), and when the workload pins models the plaintext's digest \
            must be pinned. Nothing is written unless all of that holds and every chunk verifies; each decision is a signed \
            receipt. Exit 1 with the reason when refused, 2 for a malformed file or bad usage.
            """)

    @Option(help: "The X25519 private key to open with (default: the provisioned device's).")
    var key: String?

    @OptionGroup var passphrase: PassphraseOptions

    @Option(name: .customLong("from"), help: "A sealer's public key to accept instead of the issuing delegation's keys. Repeatable.")
    var from: [String] = []

    @Option(help: "The signed manifest the file was sealed under.")
    var manifest: String

    @Option(help: "The workload class that will use the file.")
    var workload: String

    @OptionGroup var device: DeviceOptions

    @Argument(help: "The sealed file ('-' for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "The plaintext output ('-' for standard output).")
    var output: String

    func run() throws {
        let gate = try device.gate()
        let deviceKey = try key.map { (path) throws(AttestError) -> PrivateKey in
            try KeyFiles.loadPrivateKey(at: path) { () throws(AttestError) in
                do throws(AttestError) { return try passphrase.read(prompt: "Passphrase for \(path): ") } catch { throw error.inFile(path) }
            }
        }
        var sealers: [PublicKey]?
        if !from.isEmpty {
            sealers = []
            for path in from {
                sealers?.append(try KeyFiles.loadPublicKey(at: path) { () throws(AttestError) in
                    throw AttestError(.usage, "give the sealer's public key (.pub), not an encrypted private key")
                })
            }
        }
        switch try gate.unseal(inputPath: input, outputPath: output, manifest: try NamedInput.read(manifest), workload: workload,
                               key: deviceKey, sealers: sealers) {
        case .opened(let summary, let result):
            Terminal.writeRecorded(result.recorded)
            if output != "-" { Terminal.writeError("unsealed \(summary.bytes) bytes (\(summary.plaintextDigest)) -> \(output)\n") }
        case .denied(let result, let reason):
            Terminal.writeRecorded(result.recorded)
            Terminal.writeError("attest: DENY unseal: \(reason)\n")
            throw ExitCode(1)
        }
    }
}
