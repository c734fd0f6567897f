import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// `audit report --html` in a real headless browser: Tests/Browser/check_report.py loads the page in Chromium
/// and compares the counts in the DOM with the ones `audit list` gives, and fails on any console error or
/// blocked load. Skipped, saying why, where Chromium is not installed (scripts/bootstrap.sh installs it).
@Suite("Audit report")
struct AuditReportTests {
    static let chromium: String? = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(AuditCLITests.which).first
    static let script = Vectors.repositoryRoot.appendingPathComponent("Tests/Browser/check_report.py").path

    @Test("the HTML report shows the log's counts, timeline, denials and checkpoint in Chromium, with no console error",
          .enabled(if: AuditReportTests.chromium != nil, "chromium is not installed: run scripts/bootstrap.sh (apt-get install chromium)"))
    func reportInBrowser() throws {
        let dir = try TemporaryDirectory()
        let log = dir.path("fleet.sqlite")
        let key = try PrivateKey.generate(.ed25519)
        let keyFile = try dir.write("device.key", try key.pem(passphrase: nil))
        let generated = try CLI.run(executable: CLI.devBinary, ["audit", "generate", log, "--count", "500", "--device-key", keyFile])
        #expect(generated.status == 0, "\(generated)")
        let demo = try CLI.run(["demo", "--keys", AuditCLITests.keys, "--work-dir", dir.path("demo")])
        #expect(demo.status == 0, "\(demo)")
        let appended = try CLI.run(["audit", "append", log, dir.path("demo/manifest-good.json"), dir.path("demo/manifest-wrong-region.json")])
        #expect(appended.status == 0, "\(appended)")
        // A receipt carrying markup where a check id goes never reaches a log: every receipt member must have the
        // form attest writes (issue 10, item 20). The page still escapes what it shows.
        let hostile = "<img src=x onerror=\"document.title='owned'\">"
        func receipt(failed: [String]) throws -> Envelope {
            let receipt = Receipt(device: key.publicKey.keyID, at: Timestamp.now(), event: .run, manifestID: nil, manifestDigest: nil,
                                  chips: ["1652922001230"], region: "MX", workload: "speech", model: nil, decision: .deny, failed: failed)
            var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
            try envelope.sign(with: key)
            return envelope
        }
        #expect(throws: AttestError.self) { try AuditEntry(envelope: try receipt(failed: [hostile])) }
        let (audit, signer) = try AuditLog.openForAppend(log)
        try audit.append([try AuditEntry(envelope: try receipt(failed: ["job.workload"]))], signer: signer)

        let html = dir.path("report.html")
        let report = try CLI.run(["audit", "report", log, "--html", html])
        #expect(report.status == 0, "\(report)")

        // What the page must say, from `audit list` rather than from the report's own queries.
        let list = try CLI.run(["audit", "list", log, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        var regions: [String: [String: Int]] = [:]
        var issuers: [String: Int] = [:]
        for row in rows {
            let region = row["region"] as? String ?? "?"
            var counts = regions[region] ?? ["entries": 0, "allow": 0, "deny": 0]
            counts["entries", default: 0] += 1
            if let decision = row["decision"] as? String { counts[decision, default: 0] += 1 }
            regions[region] = counts
            if let issuer = row["issuer"] as? String { issuers[issuer, default: 0] += 1 }
        }
        let expected: [String: Any] = [
            "total": rows.count,
            "manifests": rows.filter { $0["type"] as? String == "manifest" }.count,
            "receipts": rows.filter { $0["type"] as? String == "receipt" }.count,
            "allow": rows.filter { $0["decision"] as? String == "allow" }.count,
            "deny": rows.filter { $0["decision"] as? String == "deny" }.count,
            "regions": regions,
            "issuers": issuers,
            "origin": "attest.example/fleet.sqlite",
            "text": ["job.workload", "Newest signed checkpoint"],
        ]
        let expectedFile = dir.path("expected.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: URL(fileURLWithPath: expectedFile))

        let python = ProcessInfo.processInfo.environment["ATTEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? AuditCLITests.which("python3") ?? "/usr/bin/python3"
        let check = try CLI.run(executable: URL(fileURLWithPath: python), [Self.script, html, expectedFile])
        #expect(check.status == 0, "\(check)")
        #expect(check.stdout.contains(" passed, 0 failed"), "\(check.stdout)")
    }
}
