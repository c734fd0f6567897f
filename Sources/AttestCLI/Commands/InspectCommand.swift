import ArgumentParser
import Attest
import AttestCrypto

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what an envelope holds and which of the given keys signed it.")

    @Argument(help: "An envelope ('-' for standard input).")
    var file: String

    @Option(name: .customLong("key"), help: "A key to check signatures against: PEM, key dict, or key map JSON. Repeatable.")
    var keys: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        var trusted: [PublicKey] = []
        for path in keys {
            trusted += try KeySources.load(path) { () throws(AttestError) in
                try passphrase.read(prompt: "Passphrase for \(path): ")
            }
        }
        let bytes = try AtomicFile.read(file, limit: 2 << 20)
        let envelope: Envelope
        do {
            envelope = try Envelope.parse(bytes)
        } catch {
            throw error.inFile(file == "-" ? "standard input" : file)
        }
        let report = EnvelopeInspection(envelope, keys: trusted)
        if json {
            Terminal.write(JSONPrettyPrinter.render(report.json) + "\n")
        } else {
            Terminal.write(report.text)
        }
    }
}

extension EnvelopeInspection {
    var text: String {
        var lines: [String] = []
        let kindName = kind.map { " (\($0.kind))" } ?? " (not an attest type)"
        lines.append("payloadType  \(envelope.payloadType)\(kindName)")
        lines.append("digest       \(digest)")
        lines.append("payload      \(envelope.payload.count) bytes, \(payload == nil ? "not strict JSON: \(payloadProblem ?? "")" : payloadIsCanonical ? "canonical JSON" : "JSON, not canonical")")
        lines.append("signatures   \(signatures.count)")
        for (i, sig) in signatures.enumerated() {
            let status: String
            if keysGiven == 0 {
                status = "not checked (no --key given)"
            } else if sig.verifiedBy.isEmpty {
                status = "NOT verified by any given key"
            } else {
                status = "verified by \(sig.verifiedBy.joined(separator: ", "))"
            }
            lines.append("  [\(i)] keyid \(sig.keyIDHint ?? "(none)")")
            lines.append("      \(sig.algorithm), \(status)")
        }
        if let payload {
            lines.append("")
            lines.append(JSONPrettyPrinter.render(payload))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
