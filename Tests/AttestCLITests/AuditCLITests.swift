import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// `attest audit …` end to end through the built binary: an integrator's issuance log filled by `sign --log`,
/// a device's receipt log filled by `boot` and `run`, and an auditor listing, proving, verifying and
/// cross-checking them.
@Suite("Audit commands")
struct AuditCLITests {
    static let keys = Vectors.repositoryRoot.appendingPathComponent("keys").path
    static let integratorKey = keys + "/demo-acme-integrator.key"
    static let gpu8 = Vectors.repositoryRoot.appendingPathComponent("fixtures/hosts/gpu8").path
    static let serials = (0..<8).map { "165292200123\($0)" }

    /// The demo's root and delegation, and an issuance log of `count` manifests signed with `sign --log`.
    struct Integrator {
        let dir: TemporaryDirectory
        var log: String { dir.path("issuance.sqlite") }
        var root: String { dir.path("demo/root.json") }
        var delegation: String { dir.path("demo/delegation-acme.json") }
        var trust: [String] { ["--root", root, "--delegation", delegation] }

        init(manifests count: Int = 3) throws {
            dir = try TemporaryDirectory()
            let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
            #expect(demo.status == 0, "\(demo)")
            for i in 0..<count {
                try issue("m\(i)", chips: [AuditCLITests.serials[i]], region: i % 2 == 0 ? "MX" : "BR", log: true)
            }
        }

        /// Drafts and signs a manifest into `out/NAME.json`; with `log`, also into the issuance log.
        @discardableResult
        func issue(_ name: String, chips: [String], region: String = "MX", sequence: Int = 3, log: Bool) throws -> String {
            var args = ["manifest", "new", "--issuer", "acme-integration", "--region", region, "--days", "30", "--sequence", String(sequence),
                        "--workload", "industrial-inspection", "-o", dir.path("draft-\(name).json")]
            for serial in chips { args += ["--chip", "nvidia:H200:\(serial)"] }
            let draft = try CLI.run(args)
            #expect(draft.status == 0, "\(draft)")
            let out = dir.path("\(name).json")
            var sign = ["sign", "--key", AuditCLITests.integratorKey, "--type", "manifest", dir.path("draft-\(name).json"), "-o", out]
            if log { sign += ["--log", self.log] }
            let signed = try CLI.run(sign)
            #expect(signed.status == 0, "\(signed)")
            if log { #expect(signed.stdout.contains("appended to \(self.log)"), "\(signed)") }
            return out
        }
    }

    @Test("sign --log fills the issuance log; it verifies against the trust chain, the pinned key and a saved checkpoint")
    func issuanceLog() throws {
        let it = try Integrator(manifests: 3)
        let key = try CLI.run(["audit", "key", it.log])
        #expect(key.status == 0)
        let vkey = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(vkey.hasPrefix("attest.example/issuance.sqlite+"))
        let saved = try CLI.run(["audit", "checkpoint", it.log])
        #expect(saved.status == 0)
        let savedPath = try it.dir.write("checkpoint-3.txt", saved.stdout)
        #expect(try SignedNote(parsing: saved.stdout).verify(keys: [try NoteVerifierKey(parsing: vkey)]).isValid)
        #expect(saved.stdout.hasPrefix("attest.example/issuance.sqlite\n3\n"))

        try it.issue("m3", chips: [AuditCLITests.serials[3]], log: true)
        let verify = try CLI.run(["audit", "verify", it.log, "--key", vkey, "--checkpoint", savedPath] + it.trust)
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.hasPrefix("VALID"))
        #expect(verify.stdout.contains("PASS  log.consistency"))
        #expect(verify.stdout.contains("4 manifests signed"))

        // Without the trust chain the manifests are not checked: said plainly as a skip, never as a pass
        // (issue 10 item 22 changed this from a failure).
        let bare = try CLI.run(["audit", "verify", it.log])
        #expect(bare.status == 0, "\(bare)")
        #expect(bare.stdout.contains("SKIP  log.signatures") && bare.stdout.contains("not checked: 4 manifests"), "\(bare)")
        #expect(bare.stdout.contains("give --root and --delegation"))

        // A manifest not signed by the delegation (the demo's foreign-key sample) fails log.signatures, named.
        let append = try CLI.run(["audit", "append", it.log, it.dir.path("demo/manifest-foreign-key.json")])
        #expect(append.status == 0, "\(append)")
        let foreign = try CLI.run(["audit", "verify", it.log, "--json"] + it.trust)
        #expect(foreign.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(foreign.stdout.utf8)) as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(problems.count == 1 && problems[0]["index"] as? Int == 4 && problems[0]["check"] as? String == "log.signatures", "\(problems)")
    }

    @Test("changing one byte of one entry in the database file makes audit verify fail (exit 1) and name the entry")
    func tamperedByte() throws {
        guard let sqlite3 = Self.which("sqlite3") else {
            Issue.record("sqlite3 is not installed (scripts/bootstrap.sh installs it)")
            return
        }
        let it = try Integrator(manifests: 5)
        // The 200th byte of entry 2, with the sqlite3 shell: leaf hash, nodes and checkpoints are left as they were.
        let update = Process()
        update.executableURL = URL(fileURLWithPath: sqlite3)
        update.arguments = [it.log, """
            UPDATE entries SET entry = CAST(substr(CAST(entry AS TEXT), 1, 199)
                || char(unicode(substr(CAST(entry AS TEXT), 200, 1)) + 1)
                || substr(CAST(entry AS TEXT), 201) AS BLOB) WHERE idx = 2
            """]
        try update.run()
        update.waitUntilExit()
        #expect(update.terminationStatus == 0)
        let changed = try CLI.run(["audit", "show", it.log, "2", "--json"])
        #expect(changed.stdout.contains("\"leafHashMatches\": false"), "\(changed)")

        let verify = try CLI.run(["audit", "verify", it.log] + it.trust)
        #expect(verify.status == 1, "\(verify)")
        #expect(verify.stdout.hasPrefix("INVALID"))
        #expect(verify.stdout.contains("FAIL  log.entries      entry 2: its bytes do not hash to its stored leaf hash"), "\(verify.stdout)")
        #expect(verify.stdout.contains("FAIL  log.checkpoint"))
        // Only entry 2 is named for its contents (tree nodes are named by the first entry they cover).
        let json = try CLI.run(["audit", "verify", it.log, "--json"] + it.trust)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let problems = try #require(report["problems"] as? [[String: Any]])
        #expect(problems.filter { $0["check"] as? String != "log.tree" }.allSatisfy { $0["index"] as? Int == 2 }, "\(problems)")
        #expect(report["valid"] as? Bool == false)
    }

    @Test("rewriting history with the log's own key still fails against a checkpoint the auditor saved")
    func rewrittenHistory() throws {
        let it = try Integrator(manifests: 4)
        let savedPath = try it.dir.write("saved.txt", try CLI.run(["audit", "checkpoint", it.log]).stdout)
        let vkey = try CLI.run(["audit", "key", it.log]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The operator rebuilds the log without entry 1, signs with the same key, and adds entries on top.
        let export = try CLI.run(["audit", "export", it.log])
        let lines = export.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let kept = try it.dir.write("kept.jsonl", ([lines[0], lines[2], lines[3]] + [lines[1], lines[1]]).joined(separator: "\n") + "\n")
        let forged = it.dir.path("forged.sqlite")
        try FileManager.default.copyItem(atPath: it.log + ".key", toPath: forged + ".key")
        let rebuilt = try CLI.run(["audit", "append", forged, kept, "--origin", "attest.example/issuance.sqlite"])
        #expect(rebuilt.status == 0, "\(rebuilt)")
        // On its own the forged log is internally consistent and signed by the right key…
        let alone = try CLI.run(["audit", "verify", forged, "--key", vkey] + it.trust)
        #expect(alone.status == 0, "\(alone)")
        // …but not an extension of what the auditor saw.
        let verify = try CLI.run(["audit", "verify", forged, "--key", vkey, "--checkpoint", savedPath] + it.trust)
        #expect(verify.status == 1, "\(verify)")
        #expect(verify.stdout.contains("FAIL  log.consistency") && verify.stdout.contains("history was rewritten"), "\(verify.stdout)")
        // A --key that is not a valid vkey (its id does not match its name) is bad usage.
        let other = try CLI.run(["audit", "verify", it.log, "--key", vkey.replacingOccurrences(of: "issuance.sqlite", with: "elsewhere")])
        #expect(other.status == 2, "a key whose id does not match its name is bad usage: \(other)")
    }

    @Test("list filters and formats (table, json, csv), show, export/append round trip, prove")
    func listShowExportProve() throws {
        let it = try Integrator(manifests: 4)
        let table = try CLI.run(["audit", "list", it.log, "--region", "MX"])
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n")
        #expect(rows.count == 3 && rows[0].hasPrefix("  INDEX  TIME"), "\(table.stdout)")
        let json = try CLI.run(["audit", "list", it.log, "--format", "json", "--serial", AuditCLITests.serials[1]])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["index"] as? Int == 1 && listed[0]["region"] as? String == "BR", "\(json.stdout)")
        let csv = try CLI.run(["audit", "list", it.log, "--format", "csv", "--issuer", "acme-integration", "--since", "2000-01-01"])
        #expect(csv.stdout.split(separator: "\r\n").count == 5 && csv.stdout.hasPrefix("index,type,time,"), "\(csv.stdout)")
        let none = try CLI.run(["audit", "list", it.log, "--format", "json", "--until", "2000-01-01"])
        #expect(none.stdout == "[]\n")
        let badTime = try CLI.run(["audit", "list", it.log, "--since", "last week"])
        #expect(badTime.status == 2 && badTime.stderr.hasPrefix("attest: error:"), "\(badTime)")

        let show = try CLI.run(["audit", "show", it.log, "2"])
        #expect(show.status == 0 && show.stdout.contains("entry      2 of 4") && show.stdout.contains("\"region\": \"MX\""), "\(show)")
        let envelope = try CLI.run(["audit", "show", it.log, "2", "--envelope"])
        let inspected = try CLI.run(["inspect", "-"], stdin: Data(envelope.stdout.utf8))
        #expect(inspected.status == 0, "\(inspected)")
        let missing = try CLI.run(["audit", "show", it.log, "9"])
        #expect(missing.status == 2 && missing.stderr.contains("no entry 9"), "\(missing)")

        let export = try CLI.run(["audit", "export", it.log])
        let copy = it.dir.path("copy.sqlite")
        let file = try it.dir.write("export.jsonl", export.stdout)
        #expect(try CLI.run(["audit", "append", copy, file]).status == 0)
        #expect(try AuditLog.open(copy).root() == (try AuditLog.open(it.log).root()))
        let exportCSV = try CLI.run(["audit", "export", it.log, "--format", "csv"])
        #expect(exportCSV.stdout.split(separator: "\r\n").count == 5)

        let prove = try CLI.run(["audit", "prove", it.log, "1"])
        #expect(prove.status == 0, "\(prove)")
        let proof = try #require(try JSONSerialization.jsonObject(with: Data(prove.stdout.utf8)) as? [String: Any])
        let hashes = try #require(proof["proof"] as? [String]).map { Base64.decode($0) ?? [] }
        let leaf = Base64.decode(try #require(proof["leafHash"] as? String)) ?? []
        let root = Base64.decode(try #require(proof["root"] as? String)) ?? []
        #expect(proof["index"] as? Int == 1 && proof["size"] as? Int == 4)
        #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: 1, size: 4, proof: hashes, root: root).isValid)
        let note = try SignedNote(parsing: try #require(proof["checkpoint"] as? String))
        #expect(try Checkpoint(parsing: note.text).rootHash == root)
        #expect(leaf == MerkleTree.leafHash(Array(export.stdout.split(separator: "\n")[1].utf8)))

        let consistency = try CLI.run(["audit", "prove", it.log, "--from", "2"])
        let c = try #require(try JSONSerialization.jsonObject(with: Data(consistency.stdout.utf8)) as? [String: Any])
        let cProof = try #require(c["proof"] as? [String]).map { Base64.decode($0) ?? [] }
        #expect(MerkleTree.verifyConsistency(size1: 2, size2: 4, root1: Base64.decode(c["root1"] as? String ?? "") ?? [],
                                             root2: root, proof: cProof).isValid)
        let usage = try CLI.run(["audit", "prove", it.log])
        #expect(usage.status == 2)
    }

    @Test("a missing or foreign file is exit 2 with one line naming it; a receipt without its device key is refused")
    func errors() throws {
        let dir = try TemporaryDirectory()
        let missing = try CLI.run(["audit", "list", dir.path("nope.sqlite")])
        #expect(missing.status == 2 && missing.stderr == "attest: error: \(dir.path("nope.sqlite")): no audit log here\n", "\(missing)")
        let text = try dir.write("text.sqlite", String(repeating: "not sqlite ", count: 20))
        let foreign = try CLI.run(["audit", "verify", text])
        #expect(foreign.status == 2 && foreign.stderr.contains("text.sqlite"), "\(foreign)")
        #expect(foreign.stderr.split(separator: "\n").count == 1)

        let key = try PrivateKey.generate(.ed25519)
        let receipt = try AuditReceiptGenerator(deviceKey: key).receipt(0)
        let file = try dir.write("receipt.json", String(decoding: receipt.bytes, as: UTF8.self))
        let refused = try CLI.run(["audit", "append", dir.path("log.sqlite"), file])
        #expect(refused.status == 2 && refused.stderr.contains("give --device-key"), "\(refused)")
        let pub = try dir.write("device.pub", key.publicKey.pem)
        let taken = try CLI.run(["audit", "append", dir.path("log.sqlite"), file, "--device-key", pub])
        #expect(taken.status == 0, "\(taken)")
        let verified = try CLI.run(["audit", "verify", dir.path("log.sqlite")])
        #expect(verified.status == 0, "\(verified)")
        let notEnvelope = try dir.write("draft.json", "{\"id\": 1}")
        let bad = try CLI.run(["audit", "append", dir.path("log.sqlite"), notEnvelope])
        #expect(bad.status == 2 && bad.stderr.contains("draft.json"), "\(bad)")
    }

    @Test("a device's boot and run receipts form a log that verifies; cross-check finds the manifest issued outside the log")
    func deviceLogAndCrossCheck() throws {
        let it = try Integrator(manifests: 0)
        let state = it.dir.path("state")
        let made = try CLI.run(["device", "init", "--region", "MX-NLE", "--root", it.root, "--state-dir", state,
                                "--probe-root", AuditCLITests.gpu8, "--nvidia-smi", AuditCLITests.gpu8 + "/bin/nvidia-smi"])
        #expect(made.status == 0, "\(made)")
        try FileManager.default.copyItem(atPath: it.delegation, toPath: state + "/manifests/delegation-acme.json")
        let issued = try it.issue("fleet", chips: AuditCLITests.serials, sequence: 3, log: true)
        try FileManager.default.copyItem(atPath: issued, toPath: state + "/manifests/fleet.json")
        #expect(try CLI.run(["boot", "--state-dir", state]).status == 0)
        for _ in 0..<3 {
            let run = try CLI.run(["run", "--state-dir", state, "--workload", "industrial-inspection", "--", "/bin/true"])
            #expect(run.status == 0, "\(run)")
        }
        let denied = try CLI.run(["run", "--state-dir", state, "--workload", "speech", "--", "/bin/true"])
        #expect(denied.status == 1)
        let receipts = state + "/receipts.sqlite"
        #expect(FileManager.default.fileExists(atPath: receipts + ".key"))
        let verify = try CLI.run(["audit", "verify", receipts])
        #expect(verify.status == 0, "\(verify)")
        #expect(verify.stdout.contains("5 receipts signed by 1 device key"), "\(verify.stdout)")
        let denials = try CLI.run(["audit", "list", receipts, "--decision", "deny", "--format", "json"])
        let denial = try #require((try JSONSerialization.jsonObject(with: Data(denials.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(denial["failed"] as? [String] == ["job.workload"], "\(denials.stdout)")

        let clean = try CLI.run(["audit", "cross-check", "--issuance", it.log, "--receipts", receipts])
        #expect(clean.status == 0 && clean.stdout.hasPrefix("OK"), "\(clean)")

        // A manifest signed with the delegation key but never logged (a leaked key), with a higher sequence.
        let leaked = try it.issue("leaked", chips: AuditCLITests.serials, sequence: 4, log: false)
        try FileManager.default.copyItem(atPath: leaked, toPath: state + "/manifests/leaked.json")
        #expect(try CLI.run(["run", "--state-dir", state, "--workload", "industrial-inspection", "--", "/bin/true"]).status == 0)
        let found = try CLI.run(["audit", "cross-check", "--issuance", it.log, "--receipts", receipts, "--json"])
        #expect(found.status == 1, "\(found)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any])
        let missing = try #require(report["missing"] as? [[String: Any]])
        let leakedEnvelope = try Envelope.parse(Array(try Data(contentsOf: URL(fileURLWithPath: leaked))))
        let leakedID = try Manifest(json: JSONParser.parse(leakedEnvelope.payload)).id
        #expect(missing.count == 1 && missing[0]["manifest"] as? String == leakedID && missing[0]["digest"] as? String == leakedEnvelope.payloadDigest,
                "\(found.stdout)")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
