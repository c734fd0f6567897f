import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The queue `attest run` writes its receipts to: nothing queued is lost or taken in twice, whatever point a
/// drain or an append stopped at, and nothing but the device's signed receipts reaches the log.
@Suite("Receipt queue")
struct ReceiptQueueTests {
    struct Fixture {
        let dir: TemporaryDirectory
        let deviceKey: PrivateKey
        let state: String
        let store: SQLiteReceiptLog

        init() throws {
            dir = try TemporaryDirectory()
            deviceKey = try PrivateKey.generate(.ed25519)
            state = dir.path("state")
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            try Data(Array(try deviceKey.pem(passphrase: nil).utf8)).write(to: URL(fileURLWithPath: state + "/device.key"))
            store = SQLiteReceiptLog(stateDirectory: state)
        }

        func receipts(_ range: Range<Int>, seed: UInt64 = 7) throws -> [[UInt8]] {
            try AuditReceiptGenerator(deviceKey: deviceKey, seed: seed).receipts(range).map(\.bytes)
        }

        var queueBytes: Data { get throws { try Data(contentsOf: URL(fileURLWithPath: store.queue.path)) } }

        /// Puts the queue back as it was, as if a drain died between its commit and emptying the file.
        func restoreQueue(_ bytes: Data) throws {
            try bytes.write(to: URL(fileURLWithPath: store.queue.path))
        }

        /// Leaves the first 40 bytes of `receipt` at the end of the queue, as a crash mid-append would.
        func tearQueue(with receipt: [UInt8]) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: store.queue.path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(receipt.prefix(40)))
            try handle.close()
        }

        func logged() throws -> [[UInt8]] {
            var out: [[UInt8]] = []
            try AuditLog.open(store.path).forEachEntry { _, bytes in out.append(bytes) }
            return out
        }
    }

    @Test("the first receipt goes into the log (recording the device key); later ones queue until a flush")
    func queuesAfterTheFirst() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<4)
        try f.store.append(r[0])
        #expect(!f.store.queue.hasPending)
        for bytes in r[1...] { try f.store.append(bytes) }
        let lines = String(decoding: try f.queueBytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("attest-receipt-queue "))
        #expect(try f.store.flush().appended == 3)
        #expect(try f.queueBytes.isEmpty)
        #expect(try f.logged() == r)
        var verifier = AuditVerifier()
        verifier.deviceKeys = [f.deviceKey.publicKey]
        #expect(try verifier.verify(try AuditLog.open(f.store.path)).isValid)
    }

    @Test("a drain that committed but did not empty the queue is not taken in twice")
    func crashAfterCommit() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<6)
        try f.store.append(r[0])
        for bytes in r[1..<4] { try f.store.append(bytes) }
        let before = try f.queueBytes
        try f.store.flush()
        // As if the process died between the commit and the truncation, and then ran two more jobs.
        try f.restoreQueue(before)
        for bytes in r[4...] { try f.store.append(bytes) }
        #expect(try f.store.flush().appended == 2)
        #expect(try f.logged() == r)
    }

    @Test("a queue ending in a torn line, drained, then restored as by a crash, drains again to nothing")
    func crashAfterCommitWithTornTail() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<3)
        try f.store.append(r[0])
        try f.store.append(r[1])
        try f.tearQueue(with: r[2])
        let before = try f.queueBytes
        #expect(try f.store.flush().rejected == 1)
        try f.restoreQueue(before)
        let again = try f.store.flush()
        #expect(again.appended == 0 && again.rejected == 0)
        #expect(try f.logged() == [r[0], r[1]])
        try f.store.append(r[2])
        #expect(try f.store.flush().appended == 1)
        #expect(try f.logged() == r)
    }

    @Test("receipts of one decision in one second differ by their nonce, in any filling of the queue, and all go in")
    func sameDecisionSameSecond() throws {
        // Ed25519 is deterministic: without the nonce, two jobs in the same second with the same decision
        // would sign byte-identical receipts, and the second would look like a replay of the first.
        let f = try Fixture()
        let r = try f.receipts(0..<1)
        var receipt = try Receipt(json: JSONParser.parse(try Envelope.parse(r[0]).payload))
        var copies: [[UInt8]] = []
        for _ in 0..<3 {
            receipt.nonce = try Receipt.freshNonce()
            var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
            try envelope.sign(with: f.deviceKey)
            copies.append(try AuditEntry(envelope: envelope).bytes)
        }
        try f.store.append(copies[0])
        try f.store.append(copies[1])
        try f.store.flush()
        try f.store.append(copies[2])
        #expect(try f.store.flush().appended == 1)
        #expect(try f.logged() == copies)
    }

    @Test("a line cut short by a crash is closed off and set aside; a forged receipt never reaches the log")
    func tornAndForgedLines() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<3)
        try f.store.append(r[0])
        try f.store.append(r[1])
        try f.tearQueue(with: r[2])
        // Same receipt, signature from another key.
        let original = try Envelope.parse(r[2])
        var forged = Envelope(payloadType: original.payloadType, payload: original.payload)
        try forged.sign(with: try PrivateKey.generate(.ed25519))
        let forgedBytes = try AuditEntry(envelope: forged).bytes
        try f.store.queue.append(forgedBytes)
        try f.store.append(r[2])
        let drained = try f.store.flush()
        #expect(drained.appended == 2 && drained.rejected == 2)
        #expect(try f.logged() == [r[0], r[1], r[2]])
        let rejected = String(decoding: try Data(contentsOf: URL(fileURLWithPath: f.store.queue.rejectedPath)), as: UTF8.self)
        #expect(rejected.split(separator: "\n").count == 2)
        #expect(rejected.contains(String(decoding: r[2].prefix(40), as: UTF8.self)), "the torn prefix tearQueue wrote")
    }

    @Test("a log made anew beside a queue takes the older, queued receipts first")
    func newLogTakesQueueFirst() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<4)
        for bytes in r[0..<3] { try f.store.append(bytes) }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: f.store.path + suffix) }
        try f.store.append(r[3])
        #expect(try f.logged() == Array(r[1...]))
        #expect(try f.queueBytes.isEmpty)
    }

    @Test("appending drains the queue once it passes its threshold; audit commands' open takes the rest in")
    func thresholdAndOpen() throws {
        let f = try Fixture()
        let r = try f.receipts(0..<500)
        for bytes in r { try f.store.append(bytes) }
        let queued = try f.queueBytes.count
        #expect(queued > 0 && queued < ReceiptQueue.drainThreshold)
        #expect(try AuditLog.open(f.store.path).size() == 500)
        #expect(try f.queueBytes.isEmpty)
    }
}
