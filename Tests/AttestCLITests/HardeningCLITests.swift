import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 17, 20, 22 and 25, through the binary as a user (or an attacker) would run it.
@Suite("Hardening: CLI and audit semantics")
struct HardeningCLITests {
    /// A provisioned fake 8-GPU device with the demo trust chain and one manifest for all its chips, booted.
    struct Device {
        let it: AuditCLITests.Integrator
        var state: String { it.dir.path("state") }
        var log: String { state + "/receipts.sqlite" }

        init() throws {
            it = try AuditCLITests.Integrator(manifests: 0)
            let made = try CLI.run(["device", "init", "--region", "MX-NLE", "--root", it.root, "--state-dir", it.dir.path("state"),
                                    "--probe-root", AuditCLITests.gpu8, "--nvidia-smi", AuditCLITests.gpu8 + "/bin/nvidia-smi"])
            #expect(made.status == 0, "\(made)")
            try FileManager.default.copyItem(atPath: it.delegation, toPath: it.dir.path("state") + "/manifests/delegation-acme.json")
            let issued = try it.issue("fleet", chips: AuditCLITests.serials, sequence: 3, log: true)
            try FileManager.default.copyItem(atPath: issued, toPath: it.dir.path("state") + "/manifests/fleet.json")
            let boot = try CLI.run(["boot", "--state-dir", it.dir.path("state")])
            #expect(boot.status == 0, "\(boot)")
        }

        func run() throws -> CLI.Outcome {
            try CLI.run(["run", "--state-dir", state, "--workload", "industrial-inspection", "--", "/bin/true"])
        }

        /// Appends a line to the receipt queue, as anyone who can write the queue file could.
        func appendToQueue(_ line: Data) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log + ".pending"))
            try handle.seekToEnd()
            try handle.write(contentsOf: line + Data([0x0a]))
            try handle.close()
        }

        /// The receipt log's entries, as `audit list --format json` prints them.
        func entries() throws -> [[String: Any]] {
            let list = try CLI.run(["audit", "list", log, "--format", "json"])
            return try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]], "\(list)")
        }
    }

    @Test("10.17 a replayed receipt line is set aside as replayed; the queue goes on and audit verify fails log.queue")
    func replayedQueueLine() throws {
        let d = try Device()
        #expect(try d.run().status == 0)
        #expect(try CLI.run(["boot", "--state-dir", d.state]).status == 0)
        // Someone with write access to the queue appends a copy of a receipt the log already holds.
        let logged = try CLI.run(["audit", "export", d.log, "--format", "jsonl"])
        let old = try #require(logged.stdout.split(separator: "\n").last)
        #expect(try d.run().status == 0)
        try d.appendToQueue(Data(old.utf8))
        #expect(try d.run().status == 0)
        let before = try CLI.run(["audit", "verify", d.log, "--json"])
        let boot = try CLI.run(["boot", "--state-dir", d.state])
        #expect(boot.status == 0 && boot.stderr.contains("FAIL log.queue") && boot.stderr.contains("1 receipt line set aside"), "\(boot)")
        let rejected = try String(contentsOfFile: d.log + ".rejected", encoding: .utf8)
        #expect(rejected.hasPrefix("replayed {") && rejected.split(separator: "\n").count == 1, "\(rejected)")
        let verify = try CLI.run(["audit", "verify", d.log])
        #expect(verify.status == 1 && verify.stdout.contains("FAIL  log.queue"), "\(verify)\nbefore: \(before)")
        // Boot, two runs and the second boot are in the log once each: the copy is not.
        #expect(try d.entries().count == 6, "boot, run, boot, run, run, boot")
    }

    @Test("10.17 a receipt from an unknown device key is set aside and the receipts after it still enter the log")
    func unknownKeyDoesNotStall() throws {
        let d = try Device()
        #expect(try d.run().status == 0)
        // A receipt signed by another key, as a second device sharing the state directory would write.
        let other = try PrivateKey.generate(.ed25519)
        let receipt = Receipt(device: other.publicKey.keyID, at: Timestamp.now(), event: .run, manifestID: nil, manifestDigest: nil,
                              chips: [], region: "MX", workload: nil, model: nil, decision: .deny, failed: ["device.chip"],
                              nonce: try Receipt.freshNonce())
        var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
        try envelope.sign(with: other)
        try d.appendToQueue(Data(envelope.encoded()))
        #expect(try d.run().status == 0)
        #expect(try CLI.run(["boot", "--state-dir", d.state]).status == 0)
        #expect(try String(contentsOfFile: d.log + ".pending", encoding: .utf8).isEmpty, "nothing waits in the queue")
        let rejected = try String(contentsOfFile: d.log + ".rejected", encoding: .utf8)
        #expect(rejected.hasPrefix("unknown-key {"), "\(rejected)")
        #expect(try d.entries().count == 4, "boot, run, run, boot")
    }

    @Test("10.20 a chip model or key id with terminal escapes cannot print a fake line")
    func terminalEscapes() throws {
        let dir = try TemporaryDirectory()
        // A manifest draft whose chip model carries ESC and a newline: refused when read, named, escaped.
        let draft = try dir.write("m.json", #"{"id":"5f0c6a52-1111-4111-8111-111111111111","issuer":"acme","sequence":1,"issuedAt":"2030-01-01T00:00:00Z","notBefore":"2030-01-01T00:00:00Z","notAfter":"2030-02-01T00:00:00Z","chips":[{"vendor":"nvidia","model":"H200\u001b[2K\rALLOW\nALLOW  manifest","serial":"1"}],"region":"MX","workloads":[{"class":"x","models":[]}]}"#)
        let signed = try CLI.run(["sign", "--key", AuditCLITests.integratorKey, "--type", "manifest", draft, "-o", dir.path("m.env")])
        #expect(signed.status == 2, "\(signed)")
        #expect(!signed.stderr.contains("\u{1b}") && signed.stderr.split(separator: "\n").count == 1, "\(signed)")
        #expect(signed.stderr.contains("control character"), "\(signed)")
        // An envelope whose signature key id is an escape sequence: inspect prints it escaped.
        let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
        #expect(demo.status == 0)
        var envelope = try Envelope.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("demo/manifest-good.json")))))
        let forged = try dir.write("forged.json", String(decoding: envelope.encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"keyid\":\"", with: "\"keyid\":\"\\u001b]0;pwned\\u0007\\u009b2J\\u202e"))
        envelope = try Envelope.parse(Array(try Data(contentsOf: URL(fileURLWithPath: forged))))
        for args in [["inspect", forged], ["inspect", forged, "--json"],
                     ["verify", "--root", dir.path("demo/root.json"), "--delegation", dir.path("demo/delegation-acme.json"), forged]] {
            let out = try CLI.run(args)
            for bad in ["\u{1b}", "\u{7}", "\u{9b}", "\u{202e}"] {
                #expect(!out.stdout.contains(bad) && !out.stderr.contains(bad), "\(args): \(out)")
            }
        }
    }

    @Test("10.22 audit verify without --root says log.signatures was not checked, and exits 0")
    func auditVerifyWithoutRoot() throws {
        let it = try AuditCLITests.Integrator(manifests: 2)
        let bare = try CLI.run(["audit", "verify", it.log])
        #expect(bare.status == 0, "\(bare)")
        #expect(bare.stdout.contains("SKIP  log.signatures") && bare.stdout.contains("not checked"), "\(bare)")
    }

    @Test("10.22 audit cross-check refuses an issuance log given as receipts, and receipts given as issuance")
    func crossCheckKinds() throws {
        let d = try Device()
        let swapped = try CLI.run(["audit", "cross-check", "--issuance", d.log, "--receipts", d.it.log])
        #expect(swapped.status == 2 && swapped.stderr.contains("holds") && !swapped.stdout.hasPrefix("OK"), "\(swapped)")
        let same = try CLI.run(["audit", "cross-check", "--issuance", d.it.log, "--receipts", d.it.log])
        #expect(same.status == 2 && same.stderr.contains("manifests: it is an issuance log"), "\(same)")
    }

    @Test("10.22 '-' as a log, '-' read twice, and a single-value option given twice are usage errors")
    func argumentRules() throws {
        let dir = try TemporaryDirectory()
        let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
        #expect(demo.status == 0)
        let draft = try CLI.run(["manifest", "new", "--issuer", "acme-integration", "--chip", "nvidia:H200:1", "--region", "MX",
                                 "--workload", "x", "--days", "3", "-o", dir.path("d.json")])
        #expect(draft.status == 0, "\(draft)")
        let log = try CLI.run(["sign", "--key", AuditCLITests.integratorKey, "--type", "manifest", dir.path("d.json"),
                               "-o", dir.path("m.json"), "--log", "-"], directory: dir.url)
        #expect(log.status == 2 && log.stderr.contains("'-'"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("-")), "no file named '-'")
        for args in [["audit", "verify", "-"], ["audit", "append", "-", dir.path("m.json")]] {
            let out = try CLI.run(args, directory: dir.url)
            #expect(out.status == 2, "\(args): \(out)")
        }
        let twice = try CLI.run(["verify", "--root", "-", "--delegation", "-", dir.path("demo/manifest-good.json")], stdin: Data())
        #expect(twice.status == 2 && twice.stderr.contains("standard input"), "\(twice)")
        let key = dir.path("demo-key")
        #expect(try CLI.run(["keygen", "--no-passphrase", "--out", key]).status == 0)
        let repeats: [[String]] = [
            ["root", "new", "--key", key + ".pub", "--threshold", "1", "--threshold", "1", "--expires-days", "9"],
            ["root", "new", "--key", key + ".pub", "--threshold", "1", "--expires-days", "9", "-o", dir.path("a"), "--output", dir.path("b")],
            ["sign", "--key", key + ".key", "--key", key + ".key", "--type", "manifest", dir.path("d.json"), "-o", dir.path("x.json")],
            ["verify", "--root", dir.path("demo/root.json"), "--json", "--json", dir.path("demo/manifest-good.json")],
            ["verify", "--root", dir.path("demo/root.json"), "--at", "2030-01-01T00:00:00Z", "--at", "2030-01-02T00:00:00Z", dir.path("demo/manifest-good.json")],
        ]
        for args in repeats {
            let out = try CLI.run(args)
            #expect(out.status == 2 && out.stderr.contains("more than once"), "\(args): \(out)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("a")) && !FileManager.default.fileExists(atPath: dir.path("b")))
    }

    @Test("10.22 --device reads what 'attest device facts --json' prints")
    func deviceFactsRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let facts = try CLI.run(["device", "facts", "--probe-root", AuditCLITests.gpu8, "--nvidia-smi", AuditCLITests.gpu8 + "/bin/nvidia-smi", "--json"])
        #expect(facts.status == 0, "\(facts)")
        // Unprovisioned, the region is null: the file must then be given one.
        let unprovisioned = try dir.write("facts.json", facts.stdout)
        let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
        #expect(demo.status == 0)
        let trust = ["--root", dir.path("demo/root.json"), "--delegation", dir.path("demo/delegation-acme.json")]
        let noRegion = try CLI.run(["verify"] + trust + ["--device", unprovisioned, dir.path("demo/manifest-good.json")])
        #expect(noRegion.status == 2 && noRegion.stderr.contains("no region"), "\(noRegion)")
        let withRegion = try dir.write("facts-mx.json", facts.stdout.replacingOccurrences(of: "\"region\": null", with: "\"region\": \"MX-NLE\""))
        let verified = try CLI.run(["verify"] + trust + ["--device", withRegion, dir.path("demo/manifest-good.json")])
        #expect(verified.status != 2 && !verified.stderr.contains("unknown member"), "\(verified)")
        #expect(verified.stdout.contains("device.chip"), "\(verified)")
    }

    @Test("10.22 the shipped binary has no 'audit generate'; the dev tool does")
    func generateIsDevOnly() throws {
        let shipped = try CLI.run(["audit", "generate", "x.sqlite", "--count", "1", "--device-key", "k"])
        #expect(shipped.status == 2, "\(shipped)")
        let dev = try CLI.run(executable: CLI.devBinary, ["audit", "generate", "--help"])
        #expect(dev.status == 0 && dev.stdout.contains("--count"), "\(dev)")
    }

    @Test("10.25 a refused 'audit append' of a new log leaves no log and no key behind")
    func refusedAppendLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
        #expect(demo.status == 0)
        let log = dir.path("new.sqlite")
        let badOrigin = try CLI.run(["audit", "append", log, "--origin", "a b", dir.path("demo/manifest-good.json")])
        #expect(badOrigin.status == 2, "\(badOrigin)")
        // A receipt from a device whose key the log does not hold: refused at the first append.
        let key = try PrivateKey.generate(.ed25519)
        let receipt = Receipt(device: key.publicKey.keyID, at: Timestamp.now(), event: .run, manifestID: nil, manifestDigest: nil,
                              chips: [], region: "MX", workload: nil, model: nil, decision: .deny, failed: ["device.chip"])
        var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
        try envelope.sign(with: key)
        let file = try dir.write("receipt.json", String(decoding: envelope.encoded(), as: UTF8.self))
        let unknown = try CLI.run(["audit", "append", log, file])
        #expect(unknown.status == 2, "\(unknown)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix("new.sqlite") }
        #expect(left.isEmpty, "\(left)")
    }
}
