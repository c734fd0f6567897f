import ArgumentParser
import Attest
import AttestCrypto

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute a log's tree from its entries, check its checkpoints, and re-verify every entry's signatures.",
        discussion: """
            Exit 0 when every check passes, 1 when any fails (a changed entry, a rewritten history, a bad signature). \
            Manifests are checked for signatures only (not expiry): give the root and delegations that issued them.
            """)

    @Argument(help: "The log.")
    var log: String

    @Option(help: "A signed checkpoint saved earlier ('audit checkpoint'): the log must extend it.")
    var checkpoint: String?

    @Option(help: "The log's note verifier key (as 'audit key' prints it), or a file holding it. Default: the key the log records (not pinned).")
    var key: String?

    @Option(name: .customLong("root"), help: "A signed root, for manifests; repeat for a rotation chain.")
    var roots: [String] = []

    @Option(name: .customLong("delegation"), help: "A signed delegation, for manifests. Repeatable.")
    var delegations: [String] = []

    @Option(name: .customLong("device-key"), help: "Check receipts only against this device key, not the ones the log records. Repeatable.")
    var deviceKeys: [String] = []

    @Option(help: "Threads for signature verification.")
    var threads: Int = 2

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print the time each pass took to standard error.")
    var timing = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1 to 64") }
    }

    func run() throws {
        var verifier = AuditVerifier()
        verifier.threads = threads
        if let key { verifier.verifierKey = try Self.noteKey(key) }
        if let checkpoint { verifier.savedCheckpoint = try NamedInput.read(checkpoint) }
        if !roots.isEmpty || !delegations.isEmpty {
            var rootInputs: [NamedInput] = []
            for path in roots { rootInputs.append(try NamedInput.read(path)) }
            var delegationInputs: [NamedInput] = []
            for path in delegations { delegationInputs.append(try NamedInput.read(path)) }
            verifier.trust = TrustStore(roots: rootInputs, delegations: delegationInputs, revocations: [])
        }
        for path in deviceKeys {
            verifier.deviceKeys += try KeySources.load(path) { () throws(AttestError) in
                throw AttestError(.usage, "give the device's public key", at: path)
            }
        }
        let result = try verifier.verify(try AuditLog.open(log))
        Terminal.write(json ? JSONPrettyPrinter.render(result.json) + "\n" : result.text)
        if timing {
            let t = result.timing
            let mb = Double(t.bytesHashed) / 1e6
            Terminal.writeError("""
                tree pass: \(t.leavesHashed) leaves (\(decimals(mb, 1)) MB) and \(t.nodesHashed) nodes in \(decimals(t.treeSeconds, 3)) s: \
                \(Int(Double(t.leavesHashed) / max(t.treeSeconds, 1e-9))) leaves/s, \(decimals(mb / max(t.treeSeconds, 1e-9), 1)) MB/s
                entries pass: \(t.signaturesVerified) signatures (parse, columns, verify) in \(decimals(t.entriesSeconds, 3)) s with \(t.threads) thread\(t.threads == 1 ? "" : "s"): \
                \(Int(Double(t.signaturesVerified) / max(t.entriesSeconds, 1e-9))) signatures/s

                """)
        }
        if !result.isValid { throw ExitCode(1) }
    }

    private func decimals(_ v: Double, _ places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let whole = Int((v * scale).rounded())
        let digits = String(whole % Int(scale))
        return places == 0 ? String(whole) : "\(whole / Int(scale)).\(String(repeating: "0", count: places - digits.count))\(digits)"
    }

    /// A vkey given as text or as a file holding it.
    static func noteKey(_ value: String) throws(AttestError) -> NoteVerifierKey {
        var text = value
        if !value.contains("+"), AtomicFile.exists(value) || value == "-" {
            text = String(decoding: try AtomicFile.read(value, limit: 64 * 1024), as: UTF8.self)
        }
        let trimmed = String(text.drop { $0 == " " || $0 == "\n" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\n" || $0 == "\r" }.reversed())
        do {
            return try NoteVerifierKey(parsing: trimmed)
        } catch {
            throw AttestError(.usage, "--key: \(error.reason)")
        }
    }
}
