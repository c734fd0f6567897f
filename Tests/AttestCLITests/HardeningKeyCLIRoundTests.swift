import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 2 and 23 through the built binary: two files of one key are one key, and every
/// command reads every key form through one loader.
@Suite("Hardening: key files on the command line (second reading)")
struct HardeningKeyCLIRoundTests {
    static func openssl(_ arguments: [String], in dir: TemporaryDirectory) throws {
        let out = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/openssl"), arguments, directory: dir.url)
        try #require(out.status == 0, "openssl \(arguments.joined(separator: " ")): \(out)")
    }

    @Test("10.2 root new and delegate new refuse a threshold of 2 met by two files of one key",
          arguments: ["compressed", "hybrid", "explicit"])
    func twoFilesOneKey(form: String) throws {
        let dir = try TemporaryDirectory()
        try Self.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"], in: dir)
        try Self.openssl(["ec", "-in", "k.pem", "-pubout", "-out", "a.pub"], in: dir)
        let extra = form == "explicit" ? ["-param_enc", "explicit"] : ["-conv_form", form]
        try Self.openssl(["ec", "-in", "k.pem", "-pubout", "-out", "b.pub"] + extra, in: dir)
        let a = try CLI.run(["key", "show", "--json", dir.path("a.pub")])
        let b = try CLI.run(["key", "show", "--json", dir.path("b.pub")])
        #expect(a.status == 0 && a.stdout == b.stdout, "\(a)\n\(b)")
        let root = try CLI.run(["root", "new", "--key", dir.path("a.pub"), "--key", dir.path("b.pub"), "--threshold", "2",
                                "--expires-days", "30", "-o", dir.path("root.json")])
        #expect(root.status == 2, "\(root)")
        #expect(root.stderr.contains("distinct"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("root.json")))
        let delegation = try CLI.run(["delegate", "new", "--name", "acme", "--key", dir.path("a.pub"), "--key", dir.path("b.pub"),
                                      "--threshold", "2", "--expires-days", "30", "--region", "MX", "--workload", "inference",
                                      "--chip-vendor", "nvidia", "-o", dir.path("d.json")])
        #expect(delegation.status == 2, "\(delegation)")
    }

    @Test("10.23 key show reads every key dict, its own --json output included",
          arguments: ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"])
    func keyShowReadsItsOwnOutput(type: String) throws {
        let dir = try TemporaryDirectory()
        #expect(try CLI.run(["keygen", "--type", type, "--out", dir.path("k"), "--no-passphrase"]).status == 0)
        let shown = try CLI.run(["key", "show", "--json", dir.path("k.pub")])
        #expect(shown.status == 0, "\(shown)")
        let output = try dir.write("shown.json", shown.stdout)
        let again = try CLI.run(["key", "show", "--json", output])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout == shown.stdout)
        // The key dict alone, as documents carry it.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let dict = try JSONSerialization.data(withJSONObject: try #require(json["key"]))
        let dictFile = try dir.write("dict.json", String(decoding: dict, as: UTF8.self))
        let fromDict = try CLI.run(["key", "show", "--json", dictFile])
        #expect(fromDict.status == 0, "\(fromDict)")
        #expect(fromDict.stdout == shown.stdout)
    }
}
