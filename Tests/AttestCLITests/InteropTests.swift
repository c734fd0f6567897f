import AttestTestSupport
import Foundation
import Testing

/// Envelopes cross-checked with Python's securesystemslib, in both directions.
@Suite("securesystemslib interop", .enabled(if: Python.has("securesystemslib")))
struct InteropTests {
    static let script = Vectors.repositoryRoot.appendingPathComponent("Tests/Interop/sslib_interop.py").path

    @Test("attest-signed envelopes verify in securesystemslib; sslib-signed ones verify in attest",
          arguments: ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"])
    func bothWays(type: String) throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--type", type, "--out", dir.path("k"), "--no-passphrase"]).status == 0)
        let shown = try CLI.run(["key", "show", "--json", dir.path("k.pub")])
        let keyJSON = try dir.write("key.json", shown.stdout)
        let draft = CLITests.manifestDraft
        #expect(try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "manifest", draft, "-o", dir.path("env.json")]).status == 0)

        let verified = try Python.run([Self.script, "verify", dir.path("env.json"), keyJSON])
        #expect(verified.status == 0, "\(verified)")

        // A tampered copy must be rejected by securesystemslib too, so the check above means something.
        var envelope = try #require(try JSONSerialization.jsonObject(with: dir.read("env.json")) as? [String: Any])
        envelope["payloadType"] = "application/vnd.attest.root+json"
        try JSONSerialization.data(withJSONObject: envelope).write(to: URL(fileURLWithPath: dir.path("bad.json")))
        #expect(try Python.run([Self.script, "verify", dir.path("bad.json"), keyJSON]).status == 1)

        let signed = try Python.run([Self.script, "sign", dir.path("k.key"), keyJSON, "application/vnd.attest.manifest+json", draft, dir.path("py.json")])
        #expect(signed.status == 0, "\(signed)")
        let report = try CLI.run(["inspect", "--json", "--key", dir.path("k.pub"), dir.path("py.json")])
        #expect(report.status == 0, "\(report)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let sigs = try #require(json["signatures"] as? [[String: Any]])
        let keyid = try #require((try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["keyid"] as? String)
        #expect(sigs.first?["verifiedBy"] as? [String] == [keyid])
    }
}

enum Python {
    /// `$ATTEST_PYTHON`, else the first python3 on PATH (the one `.ci/run` installed packages into).
    static let executable: URL? = {
        let env = ProcessInfo.processInfo.environment
        if let path = env["ATTEST_PYTHON"], !path.isEmpty { return URL(fileURLWithPath: path) }
        for dir in (env["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    static func has(_ module: String) -> Bool {
        guard let executable, let out = try? CLI.run(executable: executable, ["-c", "import \(module)"]), out.status == 0 else {
            print("skipping interop tests: python3 with \(module) is not installed (.ci/run installs it)")
            return false
        }
        return true
    }

    static func run(_ args: [String]) throws -> CLI.Outcome {
        guard let executable else { throw CocoaError(.fileNoSuchFile) }
        return try CLI.run(executable: executable, args)
    }
}
