import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// A device's receipt log as an audit log: `<state-dir>/receipts.sqlite`, its checkpoint key
/// `<state-dir>/receipts.sqlite.key` beside it, and the device's signing key recorded in it so every receipt
/// can be re-verified by `audit verify`. Receipts arrive through its `ReceiptQueue`
/// (`receipts.sqlite.pending`).
///
/// Guarantees: `append` returns only once the receipt is synced to disk, in the queue or (the first receipt of
/// a device, which also records its key) in the log; concurrent `attest run` processes each append whole.
/// Queued receipts enter the log, with their tree nodes and a signed checkpoint, when the queue passes
/// `ReceiptQueue.drainThreshold`, at `flush` (boot does it), and when an audit command opens the log.
public struct SQLiteReceiptLog: ReceiptStore, Sendable {
    public static let fileName = "receipts.sqlite"

    public let path: String
    /// The device signing key, whose public half is recorded in the log the first time a receipt needs it.
    public let deviceKeyPath: String

    /// The JSON-lines receipt file devices kept before the audit log; imported on the first append.
    public let legacyPath: String

    public init(stateDirectory: String, deviceKey: String = "device.key") {
        path = stateDirectory + "/" + Self.fileName
        deviceKeyPath = stateDirectory + "/" + deviceKey
        legacyPath = stateDirectory + "/receipts.jsonl"
    }

    public var queue: ReceiptQueue { ReceiptQueue(logPath: path) }

    public func append(_ envelope: [UInt8]) throws(AttestError) {
        guard AtomicFile.exists(path), !AtomicFile.exists(legacyPath) else {
            try appendToLog(envelope)
            return
        }
        let size = try queue.append(envelope)
        let threshold = ReceiptQueue.drainThreshold
        if size.after / threshold > size.before / threshold {
            // The receipt is already safe in the queue. A drain that fails now is tried again when the queue
            // crosses the next multiple of the threshold, not on every job, and boot's `flush` reports it.
            _ = try? flush()
        }
    }

    /// Moves the queued receipts into the log. Throws `.environment` when the log cannot take them.
    @discardableResult
    public func flush() throws(AttestError) -> ReceiptQueue.Drained {
        guard queue.hasPending else { return ReceiptQueue.Drained() }
        do throws(AttestError) {
            let (log, signer) = try AuditLog.openForAppend(path)
            return try queue.drain(into: log, signer: signer, deviceKeys: [try deviceKey()])
        } catch {
            throw AttestError(.environment, "cannot take the queued receipts into the receipt log: \(error.reason)", at: error.location ?? path)
        }
    }

    private func deviceKey() throws(AttestError) -> PublicKey {
        try KeyFiles.loadPrivateKey(at: deviceKeyPath) { () throws(AttestError) in
            throw AttestError(.environment, "the device signing key must be unencrypted", at: deviceKeyPath)
        }.publicKey
    }

    /// Appends straight to the log: a device's first receipt (which records its key there), and the import
    /// of the old receipt file.
    private func appendToLog(_ envelope: [UInt8]) throws(AttestError) {
        var entries: [AuditEntry] = []
        let importing = !AtomicFile.exists(path) && AtomicFile.exists(legacyPath)
        if importing { entries = try legacyEntries() }
        entries.append(try AuditEntry(envelopeBytes: envelope))
        do throws(AttestError) {
            let (log, signer) = try AuditLog.openForAppend(path)
            var keys: [PublicKey] = []
            if let device = entries.last?.device, try !log.holdsDeviceKey(device) {
                let key = try deviceKey()
                guard key.keyID == device else {
                    throw AttestError(.environment, "the receipt names device \(device) but \(deviceKeyPath) is \(key.keyID)")
                }
                keys.append(key)
            }
            // Receipts still queued (a log made anew beside an old queue) are older: they go first.
            _ = try? queue.drain(into: log, signer: signer, deviceKeys: keys)
            do throws(AttestError) {
                try log.append(entries, signer: signer, deviceKeys: keys)
            } catch where importing {
                // An old receipt that no longer verifies must not stop the device: log the new one alone.
                try log.append([entries[entries.count - 1]], signer: signer, deviceKeys: keys)
                return
            }
            if importing {
                // Kept, renamed, as the record it was: the log now holds the same bytes.
                _ = rename(legacyPath, legacyPath + ".imported")
            }
        } catch {
            // The device cannot keep its record: an environment failure, whatever SQLite said.
            throw AttestError(.environment, "cannot append to the receipt log: \(error.reason)", at: error.location ?? path)
        }
    }

    /// The complete lines of the old receipt file (a crash could leave a partial last one: it is skipped).
    private func legacyEntries() throws(AttestError) -> [AuditEntry] {
        let bytes = try AtomicFile.read(legacyPath)
        var out: [AuditEntry] = []
        for line in bytes.split(separator: 0x0a) where bytes.last == 0x0a || line.endIndex != bytes.endIndex {
            guard var entry = try? AuditEntry(envelopeBytes: Array(line)) else { continue }
            entry.source = legacyPath
            out.append(entry)
        }
        return out
    }

    public func entries() throws(AttestError) -> [[UInt8]] {
        try flush()
        guard AtomicFile.exists(path) else { return [] }
        var out: [[UInt8]] = []
        try AuditLog.open(path).forEachEntry { _, bytes in out.append(bytes) }
        return out
    }
}
