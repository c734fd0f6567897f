import AttestTestSupport
import Foundation
import Testing

/// Issue 10, item 23: one key loader for every command, which reads what attest itself prints.
@Suite("Hardening: key files")
struct HardeningKeyCLITests {
    @Test("10.23 key show reads its own --json output and the key dict in it, for every key type",
          arguments: ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"])
    func keyShowRoundTrip(type: String) throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--type", type, "--no-passphrase", "--out", dir.path("k")]).status == 0)
        let shown = try CLI.run(["key", "show", dir.path("k.pub"), "--json"])
        #expect(shown.status == 0, "\(shown)")
        let json = try dir.write("k.json", shown.stdout)
        let again = try CLI.run(["key", "show", json, "--json"])
        #expect(again.status == 0 && again.stdout == shown.stdout, "\(again)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let dict = try JSONSerialization.data(withJSONObject: try #require(object["key"]))
        try dict.write(to: URL(fileURLWithPath: dir.path("dict.json")))
        let fromDict = try CLI.run(["key", "show", dir.path("dict.json"), "--json"])
        #expect(fromDict.status == 0 && fromDict.stdout == shown.stdout, "\(fromDict)")
        // A description whose key id is not its key's is refused.
        let lie = try dir.write("lie.json", shown.stdout.replacingOccurrences(of: object["keyid"] as! String, with: String(repeating: "0", count: 64)))
        let refused = try CLI.run(["key", "show", lie])
        #expect(refused.status == 2 && refused.stderr.contains("keyid"), "\(refused)")
    }
}
