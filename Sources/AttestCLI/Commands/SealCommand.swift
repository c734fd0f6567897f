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
        var keys: [PublicKey] = []
        for path in recipients {
            keys.append(try KeyFiles.loadPublicKey(at: path) { () throws(AttestError) in
                throw AttestError(.usage, "give the public key (.pub), not an encrypted private key")
            })
        }
        let summary = try Sealing.seal(inputPath: input, outputPath: output, recipients: keys, manifest: try NamedInput.read(manifest))
        if output != "-" {
            Terminal.writeError("sealed \(summary.bytes) bytes to \(keys.count) recipient\(keys.count == 1 ? "" : "s") under manifest sha256:\(Hex.encode(summary.header.manifestDigest)) -> \(output)\n")
        }
    }
}

struct UnsealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseal",
        abstract: "Run the device gate for a manifest and workload, then decrypt a sealed file (streaming).",
        discussion: "Nothing is written unless the gate allows it and every chunk verifies; exit 1 with the reason otherwise.")

    @Option(help: "The device's X25519 private key (default: the provisioned device's).")
    var key: String?

    @Option(help: "The signed manifest the file was sealed under.")
    var manifest: String

    @Option(help: "The workload class that will use the file.")
    var workload: String

    @OptionGroup var trust: TrustOptions

    @Argument(help: "The sealed file ('-' for standard input).")
    var input: String

    @Option(name: .shortAndLong, help: "The plaintext output ('-' for standard output).")
    var output: String

    func run() throws {
        let state = trust.resolvedStateDirectory
        var setup = try trust.setup()
        setup.job = JobRequest(workload: workload)
        var keyPath = key
        if let state, AtomicFile.exists(state + "/" + DeviceConfig.fileName) {
            // A provisioned device: its config, facts, bundle and sealing key, as for `attest run`.
            let gate = try DeviceGate(stateDirectory: state)
            if setup.device == nil { setup.device = try gate.facts().facts }
            let bundle = try DeviceBundle.read(directory: gate.bundleDirectory)
            setup.roots += bundle.roots
            setup.delegations += bundle.delegations
            setup.revocations += bundle.revocations
            if keyPath == nil { keyPath = state + "/" + gate.config.sealingKey }
        }
        guard let keyPath else { throw ValidationError("give --key, or --state-dir of a provisioned device") }
        let deviceKey = try KeyFiles.loadPrivateKey(at: keyPath) { () throws(AttestError) in
            throw AttestError(.usage, "the device sealing key must be unencrypted")
        }
        switch try Sealing.unseal(inputPath: input, outputPath: output, key: deviceKey, manifest: try NamedInput.read(manifest), setup: setup) {
        case .opened(let summary, let result):
            Terminal.writeRecorded(result.recorded)
            if output != "-" { Terminal.writeError("unsealed \(summary.bytes) bytes -> \(output)\n") }
        case .denied(let result, let reason):
            Terminal.writeRecorded(result.recorded)
            Terminal.writeError("attest: DENY unseal: \(reason)\n")
            throw ExitCode(1)
        }
    }
}
