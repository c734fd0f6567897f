import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The audit log under stress, through the built binary: processes killed in the middle of appends, and
/// several processes appending at once.
@Suite("Audit log reliability", .serialized)
struct AuditReliabilityTests {
    /// `count` receipts signed by `key` as JSON lines, one file.
    static func receiptFile(_ dir: TemporaryDirectory, name: String, key: PrivateKey, seed: UInt64, count: Int) throws -> (String, [String]) {
        let entries = try AuditReceiptGenerator(deviceKey: key, seed: seed).receipts(0..<count)
        let lines = entries.map { String(decoding: $0.bytes, as: UTF8.self) }
        return (try dir.write(name, lines.joined(separator: "\n") + "\n"), lines)
    }

    static func exported(_ log: String) throws -> [String] {
        let export = try CLI.run(["audit", "export", log])
        #expect(export.status == 0, "\(export)")
        return export.stdout.split(separator: "\n").map(String.init)
    }

    @Test("SIGKILL in the middle of appends, many times: no committed entry is lost and the log verifies")
    func killedMidAppend() throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let pub = try dir.write("device.pub", key.publicKey.pem)
        let (file, lines) = try Self.receiptFile(dir, name: "receipts.jsonl", key: key, seed: 11, count: 3000)
        let log = dir.path("device.sqlite")
        let (first, _) = try Self.receiptFile(dir, name: "first.jsonl", key: key, seed: 12, count: 10)
        #expect(try CLI.run(["audit", "append", log, first, "--device-key", pub]).status == 0)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<12 {
            let before = try Self.exported(log).count
            let process = Process()
            process.executableURL = CLI.binary
            // One transaction per entry, each reported once committed.
            process.arguments = ["audit", "append", log, file, "--device-key", pub, "--batch", "1", "--progress"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(200_000 + Int.random(in: 0..<1_500_000, using: &generator)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let committed = printed.split(separator: "\n").last.flatMap { Int($0.split(separator: " ").last ?? "") } ?? before
            let after = try Self.exported(log)
            // Every transaction reported as committed is there, in order; at most the one in flight is more.
            #expect(after.count >= committed && after.count <= committed + 1, "round \(round): \(committed) committed, \(after.count) in the log")
            #expect(Array(after[before...]) == Array(lines.prefix(after.count - before)), "round \(round): the new entries are the file's, in order")
            let verify = try CLI.run(["audit", "verify", log, "--key", try CLI.run(["audit", "key", log]).stdout])
            #expect(verify.status == 0, "round \(round): \(verify)")
        }
        #expect(kills >= 6, "most rounds should have been cut off mid-append (\(kills) of 12)")
    }

    @Test("8 processes appending 1,000 entries each end with exactly 8,000 entries and a valid tree")
    func concurrentAppenders() throws {
        let dir = try TemporaryDirectory()
        let key = try PrivateKey.generate(.ed25519)
        let pub = try dir.write("device.pub", key.publicKey.pem)
        let log = dir.path("shared.sqlite")
        var expected: [String] = []
        var files: [String] = []
        for i in 0..<8 {
            let (file, lines) = try Self.receiptFile(dir, name: "p\(i).jsonl", key: key, seed: UInt64(100 + i), count: 1000)
            files.append(file)
            expected += lines
        }
        let started = Date()
        // Nobody creates the log first: the first of the eight does, the others wait for its lock.
        let processes = try files.map { file -> (Process, Pipe) in
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = ["audit", "append", log, file, "--device-key", pub, "--batch", "20"]
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            return (process, err)
        }
        for (process, err) in processes {
            process.waitUntilExit()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "\(message)")
        }
        let elapsed = Date().timeIntervalSince(started)
        let entries = try Self.exported(log)
        #expect(entries.count == 8000)
        #expect(entries.sorted() == expected.sorted(), "every entry of every process, each once")
        let verify = try CLI.run(["audit", "verify", log])
        #expect(verify.status == 0, "\(verify)")
        #expect(try AuditLog.open(log).root() == MerkleTree.root(entries: entries.map { Array($0.utf8) }))
        #expect(elapsed < 60, "8 × 1,000 appends took \(elapsed) s")
    }
}
