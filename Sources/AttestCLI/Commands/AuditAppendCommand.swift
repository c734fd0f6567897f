import ArgumentParser
import Attest
import AttestCrypto

struct AuditAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append manifest or receipt envelopes to a log (made, with its key LOG.key, if new).",
        discussion: "A file holds one envelope, or one per line as 'audit export --format jsonl' writes them.")

    @Argument(help: "The log (a SQLite file).")
    var log: String

    @Argument(help: "Envelope files ('-' for standard input).")
    var envelopes: [String]

    @Option(help: "The checkpoint origin of a new log (default attest.example/<log file name>).")
    var origin: String?

    @Option(name: .customLong("device-key"), help: "A device's public key to record, for its receipts. Repeatable.")
    var deviceKeys: [String] = []

    @Option(help: "Commit every N entries (default: all in one transaction).")
    var batch: Int?

    @Flag(help: "Print 'committed SIZE' after each transaction.")
    var progress = false

    func validate() throws {
        guard !envelopes.isEmpty else { throw ValidationError("give at least one envelope file") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        var entries: [AuditEntry] = []
        for path in envelopes { entries += try AuditEntry.read(path) }
        var keys: [PublicKey] = []
        for path in deviceKeys {
            keys += try KeySources.load(path) { () throws(AttestError) in
                throw AttestError(.usage, "give the device's public key, not an encrypted private key", at: path)
            }
        }
        let step = batch ?? max(1, entries.count)
        var first: UInt64?
        var last: AuditLog.Appended?
        try AuditLog.appending(log, origin: origin) { (audit, signer) throws(AttestError) in
            var start = 0
            repeat {
                let end = min(entries.count, start + step)
                let appended = try audit.append(Array(entries[start..<end]), signer: signer, deviceKeys: start == 0 ? keys : [])
                if first == nil { first = appended.firstIndex }
                last = appended
                if progress { Terminal.write("committed \(appended.size)\n") }
                start = end
            } while start < entries.count
        }
        guard let last, let first else { return }
        Terminal.write("appended \(entries.count) entr\(entries.count == 1 ? "y" : "ies") (from \(first)) to \(log); log size \(last.size)\n")
    }
}
