import ArgumentParser
import Attest
import AttestCrypto
import Dispatch

/// For benchmarks and tests: fills a log with made-up receipts signed by a device key, in bulk.
struct AuditGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Append made-up signed receipts to a log (benchmarks and tests).",
        shouldDisplay: false)

    @Argument(help: "The log.")
    var log: String

    @Option(help: "Receipts to append in bulk.")
    var count: Int

    @Option(name: .customLong("device-key"), help: "An unencrypted private key to sign the receipts with.")
    var deviceKey: String

    @Option(help: "Seed: the same seed makes the same receipts (but for signatures).")
    var seed: UInt64 = 1

    @Option(help: "Receipts per transaction.")
    var batch: Int = 10_000

    @Option(help: "Then append this many more one per transaction, as a device does, and time them.")
    var single: Int = 0

    @Option(help: "Threads for signing.")
    var threads: Int = 2

    @Option(help: "The first receipt's time (RFC 3339). Default: 2027-01-01T00:00:00Z.")
    var start: String?

    @Option(help: "Seconds between receipts.")
    var spacing: Int64 = 30

    func validate() throws {
        guard count >= 0, single >= 0, batch >= 1, threads >= 1 else { throw ValidationError("counts must not be negative") }
    }

    func run() throws {
        let key = try KeyFiles.loadPrivateKey(at: deviceKey) { () throws(AttestError) in
            throw AttestError(.usage, "the device key must be unencrypted", at: deviceKey)
        }
        var generator = AuditReceiptGenerator(deviceKey: key, seed: seed, spacing: spacing)
        if let start { generator.start = try AuditFilter.parseTime(start, endOfDay: false) }
        let (audit, signer) = try AuditLog.openForAppend(log)
        let start = Int(try audit.size())
        var signSeconds = 0.0, appendSeconds = 0.0
        var done = 0
        var keys = [key.publicKey]
        while done < count {
            let n = min(batch, count - done)
            var t = DispatchTime.now().uptimeNanoseconds
            let entries = try generator.receipts((start + done)..<(start + done + n), threads: threads)
            signSeconds += elapsed(&t)
            try audit.append(entries, signer: signer, deviceKeys: keys, checkReceipts: false)
            appendSeconds += elapsed(&t)
            keys = []
            done += n
        }
        if count > 0 {
            DevOutput.write("bulk: \(count) receipts signed in \(fmt(signSeconds)) s (\(fmt(Double(count) / signSeconds))/s, \(threads) threads), appended in \(fmt(appendSeconds)) s (\(fmt(Double(count) / appendSeconds)) entries/s, \(batch) per transaction)\n")
        }
        if single > 0 {
            let entries = try generator.receipts((start + count)..<(start + count + single), threads: threads)
            var t = DispatchTime.now().uptimeNanoseconds
            for entry in entries { try audit.append([entry], signer: signer, deviceKeys: keys) }
            let seconds = elapsed(&t)
            DevOutput.write("single: \(single) receipts appended one per transaction (checked, synced, checkpoint signed) in \(fmt(seconds)) s: \(fmt(Double(single) / seconds)) appends/s, \(fmt(seconds / Double(single) * 1000)) ms each\n")
        }
        DevOutput.write("log size \(try audit.size())\n")
    }

    private func elapsed(_ t: inout UInt64) -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { t = now }
        return Double(now - t) / 1e9
    }

    private func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r >= 100 ? String(Int(r)) : String(r)
    }
}
