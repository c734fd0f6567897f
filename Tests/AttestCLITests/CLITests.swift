import AttestTestSupport
import Foundation
import Testing

/// The CLI end to end: the built binary, its output and its exit codes.
@Suite("attest command line")
struct CLITests {
    static let manifestDraft = Vectors.repositoryRoot.appendingPathComponent("fixtures/drafts/manifest-acme-mx.json").path
    static let revocationDraft = Vectors.repositoryRoot.appendingPathComponent("fixtures/drafts/revocation-acme.json").path

    @Test("keygen writes a 0600 private key and a public key; key show prints the keyid and dict",
          arguments: ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072", "x25519"])
    func keygen(type: String) throws {
        let dir = try TemporaryDirectory()
        let made = try CLI.run(["keygen", "--type", type, "--out", dir.path("k"), "--no-passphrase"])
        #expect(made.status == 0, "\(made)")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("k.key"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let shown = try CLI.run(["key", "show", "--json", dir.path("k.pub")])
        #expect(shown.status == 0, "\(shown)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(json["type"] as? String == type)
        let keyid = try #require(json["keyid"] as? String)
        #expect(made.stdout.contains(keyid))
        let fromPrivate = try CLI.run(["key", "show", "--json", dir.path("k.key")])
        #expect(fromPrivate.stdout == shown.stdout)
        if type != "x25519" {
            let dict = try #require(json["key"] as? [String: Any])
            #expect(dict["keytype"] as? String != nil && dict["scheme"] as? String != nil)
        }
    }

    @Test("keygen never overwrites, and needs a passphrase source unless --no-passphrase")
    func keygenRefusals() throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--out", dir.path("k"), "--no-passphrase"]).status == 0)
        let before = try dir.read("k.key")
        let again = try CLI.run(["keygen", "--out", dir.path("k"), "--no-passphrase"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
        #expect(try dir.read("k.key") == before)
        let noPass = try CLI.run(["keygen", "--out", dir.path("p")])
        #expect(noPass.status == 2)
        #expect(noPass.stderr.contains("passphrase"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("p.key")))
        let badType = try CLI.run(["keygen", "--type", "dsa", "--out", dir.path("d"), "--no-passphrase"])
        #expect(badType.status == 2 && badType.stderr.contains("dsa"))
    }

    @Test("an encrypted key signs with the right passphrase; a wrong one is named as such")
    func passphrases() throws {
        let dir = try TemporaryDirectory()
        let passFile = try dir.write("pass", "s3cret passphrase\n")
        #expect(try CLI.run(["keygen", "--out", dir.path("k"), "--passphrase-file", passFile]).status == 0)
        let pem = String(decoding: try dir.read("k.key"), as: UTF8.self)
        #expect(pem.contains("ENCRYPTED PRIVATE KEY"))
        let draft = Self.manifestDraft
        let ok = try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "manifest", draft, "-o", dir.path("env.json"), "--passphrase-file", passFile])
        #expect(ok.status == 0, "\(ok)")
        let viaEnv = try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "manifest", draft, "-o", "-"],
                                 environment: ["ATTEST_PASSPHRASE": "s3cret passphrase"])
        #expect(viaEnv.status == 0 && viaEnv.stdout.contains("payloadType"))
        let wrong = try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "manifest", draft, "-o", dir.path("x.json")],
                                environment: ["ATTEST_PASSPHRASE": "nope"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("wrong passphrase"))
        #expect(wrong.stderr.contains("k.key"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.json")))
    }

    @Test("sign canonicalizes a draft, appends a second signature, and inspect reports who signed")
    func signAndInspect() throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--out", dir.path("a"), "--no-passphrase"]).status == 0)
        #expect(try CLI.run(["keygen", "--type", "ecdsa-p256", "--out", dir.path("b"), "--no-passphrase"]).status == 0)
        let draft = Self.revocationDraft
        #expect(try CLI.run(["sign", "--key", dir.path("a.key"), "--type", "revocation", draft, "-o", dir.path("env.json")]).status == 0)
        let twice = try CLI.run(["sign", "--key", dir.path("b.key"), "--type", "revocation", dir.path("env.json"), "-o", dir.path("env.json")])
        #expect(twice.status == 0, "\(twice)")
        let report = try CLI.run(["inspect", "--json", "--key", dir.path("a.pub"), "--key", dir.path("b.pub"), dir.path("env.json")])
        #expect(report.status == 0, "\(report)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(json["kind"] as? String == "revocation")
        #expect(json["canonical"] as? Bool == true)
        let sigs = try #require(json["signatures"] as? [[String: Any]])
        #expect(sigs.count == 2)
        #expect(sigs.map { $0["algorithm"] as? String } == ["ed25519", "ecdsa-p256"])
        #expect(sigs.allSatisfy { ($0["verifiedBy"] as? [String])?.count == 1 })
        let envelope = try #require(try JSONSerialization.jsonObject(with: dir.read("env.json")) as? [String: Any])
        let payload = try #require(Data(base64Encoded: envelope["payload"] as? String ?? ""))
        #expect(String(decoding: payload, as: UTF8.self).hasPrefix(#"{"delegations":[],"expires":"2027-11-01T00:00:00Z","issuedAt""#))
        let again = try CLI.run(["sign", "--key", dir.path("a.key"), "--type", "revocation", dir.path("env.json"), "-o", dir.path("env3.json")])
        #expect(again.status == 2 && again.stderr.contains("already signed"))
        let human = try CLI.run(["inspect", "--key", dir.path("a.pub"), dir.path("env.json")])
        #expect(human.stdout.contains("verified by") && human.stdout.contains("NOT verified"))
    }

    @Test("bad input: one line naming the problem and the file, exit 2, nothing written")
    func badInput() throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--out", dir.path("k"), "--no-passphrase"]).status == 0)
        let pem = String(decoding: try dir.read("k.key"), as: UTF8.self)
        let truncated = try dir.write("trunc.key", String(pem.prefix(60)))
        let garbage = try dir.write("garbage.key", "this is not a key\n")
        let draft = Self.revocationDraft
        let dup = try dir.write("dup.json", #"{"a":1,"a":2}"#)
        let draftText = String(decoding: try Data(contentsOf: URL(fileURLWithPath: draft)), as: UTF8.self)
        let unknown = try dir.write("unknown.json", draftText.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 1, \"widen\": true,"))
        let zeroVersion = try dir.write("zero.json", draftText.replacingOccurrences(of: "\"version\": 1,", with: "\"version\": 0,"))
        let missing = try dir.write("missing.json", #"{"payloadType":"application/vnd.attest.root+json","signatures":[{"sig":"AAAA"}]}"#)
        let badB64 = try dir.write("b64.json", #"{"payload":"!!!!","payloadType":"application/vnd.attest.root+json","signatures":[{"sig":"AAAA"}]}"#)
        let cases: [([String], [String])] = [
            (["sign", "--key", truncated, "--type", "root", draft, "-o", dir.path("o")], ["trunc.key", "PEM"]),
            (["sign", "--key", garbage, "--type", "root", draft, "-o", dir.path("o")], ["garbage.key", "PEM"]),
            (["sign", "--key", dir.path("k.key"), "--type", "root", dup, "-o", dir.path("o")], ["dup.json", "duplicate"]),
            (["sign", "--key", dir.path("k.key"), "--type", "revocation", unknown, "-o", dir.path("o")], ["unknown.json", "unknown member", "widen"]),
            (["sign", "--key", dir.path("k.key"), "--type", "revocation", zeroVersion, "-o", dir.path("o")], ["zero.json", "version"]),
            (["sign", "--key", dir.path("k.key"), "--type", "root", dir.path("nope.json"), "-o", dir.path("o")], ["nope.json", "cannot read"]),
            (["sign", "--key", dir.path("k.key"), "--type", "bogus", draft, "-o", dir.path("o")], ["bogus"]),
            (["inspect", missing], ["missing.json", "payload"]),
            (["inspect", badB64], ["b64.json", "base64"]),
            (["inspect", dir.path("absent.json")], ["absent.json"]),
            (["inspect", "--frobnicate", draft], ["frobnicate"]),
        ]
        for (args, mentions) in cases {
            let out = try CLI.run(args)
            #expect(out.status == 2, "\(args): \(out)")
            let lines = out.stderr.split(separator: "\n")
            #expect(lines.count == 1, "one line expected: \(out.stderr)")
            for word in mentions { #expect(out.stderr.contains(word), "\(args) should mention \(word): \(out.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: dir.path("o")))
        }
    }

    @Test("signing an envelope of another payloadType is refused")
    func foreignPayloadType() throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--out", dir.path("k"), "--no-passphrase"]).status == 0)
        #expect(try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "manifest", Self.manifestDraft, "-o", dir.path("m.json")]).status == 0)
        let out = try CLI.run(["sign", "--key", dir.path("k.key"), "--type", "revocation", dir.path("m.json"), "-o", dir.path("r.json")])
        #expect(out.status == 2 && out.stderr.contains("payloadType"))
    }
}
