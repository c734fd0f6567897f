import AttestTestSupport
import Foundation
import Testing

/// Issue 10, sealed files through the binary: `unseal` as a gated, receipted event (pins, provisioned
/// region), sealed files signed by their sealer, passphrases for the sealing key, and exit codes.
@Suite("Hardening: seal and unseal")
struct HardeningSealTests {
    typealias Device = DeviceGateTests.Device
    static let acmeKey = Vectors.repositoryRoot.appendingPathComponent("keys/demo-acme-integrator.key").path

    /// Seals `plain` on the provisioned device under `manifest`, signed by `from` (acme's key by default).
    static func seal(_ device: Device, _ plain: Data, name: String, manifest: String = "m.json", from: String? = acmeKey) throws -> String {
        let input = device.dir.path(name)
        try plain.write(to: URL(fileURLWithPath: input))
        var args = ["seal", "--to", device.dir.path("state/device-x25519.pub"), "--manifest", device.dir.path("state/manifests/\(manifest)"),
                    input, "-o", input + ".sealed"]
        if let from { args += ["--from", from] }
        let sealed = try CLI.run(args)
        #expect(sealed.status == 0, "\(sealed)")
        return input + ".sealed"
    }

    static func unseal(_ device: Device, _ path: String, workload: String = "industrial-inspection", manifest: String = "m.json",
                       output: String, extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Outcome {
        try CLI.run(["unseal", "--state-dir", device.state, "--manifest", device.dir.path("state/manifests/\(manifest)"),
                     "--workload", workload] + extra + [path, "-o", output], environment: environment)
    }

    static func sha256(_ data: Data, in device: Device) throws -> String {
        let path = device.dir.path("digest-input")
        try data.write(to: URL(fileURLWithPath: path))
        let out = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/sha256sum"), [path])
        return "sha256:" + String(out.stdout.prefix(64))
    }

    static func noTemporaryFiles(_ device: Device) throws -> Bool {
        let names = try FileManager.default.contentsOfDirectory(atPath: device.dir.url.path)
        return !names.contains { $0.hasPrefix(".attest-tmp") }
    }

    /// A manifest `p.json` whose public-safety workload pins exactly `digest`.
    static func addPinnedManifest(_ device: Device, digest: String) throws {
        var args = ["manifest", "new", "--issuer", "acme-integration", "--region", "MX", "--days", "30", "--sequence", "4",
                    "--workload", "public-safety=\(digest)", "-o", device.dir.path("draft-p.json")]
        for serial in DeviceGateTests.serials { args += ["--chip", "nvidia:H200:\(serial)"] }
        let draft = try CLI.run(args)
        #expect(draft.status == 0, "\(draft)")
        let signed = try CLI.run(["sign", "--key", acmeKey, "--type", "manifest", device.dir.path("draft-p.json"), "-o", device.dir.path("state/manifests/p.json")])
        #expect(signed.status == 0, "\(signed)")
    }

    @Test("10.18 a pinned workload unseals a pinned plaintext, refuses another, and each decision is a signed unseal receipt")
    func pinnedWorkload() throws {
        let device = try Device()
        let model = Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let digest = try Self.sha256(model, in: device)
        try Self.addPinnedManifest(device, digest: digest)
        let good = try Self.seal(device, model, name: "model.bin", manifest: "p.json")
        let opened = try Self.unseal(device, good, workload: "public-safety", manifest: "p.json", output: device.dir.path("model.out"))
        #expect(opened.status == 0, "\(opened)")
        #expect(try device.dir.read("model.out") == model)

        let other = try Self.seal(device, Data("not the pinned model".utf8), name: "other.bin", manifest: "p.json")
        let refused = try Self.unseal(device, other, workload: "public-safety", manifest: "p.json", output: device.dir.path("other.out"))
        #expect(refused.status == 1 && refused.stderr.contains("job.model"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("other.out")))
        #expect(try Self.noTemporaryFiles(device))

        let receipts = try device.receipts().filter { $0["event"] as? String == "unseal" }
        #expect(receipts.count == 2, "\(receipts)")
        #expect(receipts.first?["decision"] as? String == "allow" && receipts.first?["model"] as? String == digest)
        #expect(receipts.last?["decision"] as? String == "deny" && (receipts.last?["failed"] as? [String]) == ["job.model"])
        #expect((receipts.last?["model"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test("10.18 unseal decides on the provisioned region, not the region of a facts file")
    func provisionedRegion() throws {
        let device = try Device()
        try device.addManifest(chips: DeviceGateTests.serials, sequence: 5, name: "br.json", region: "BR")
        let chips = DeviceGateTests.serials.map { "{\"vendor\": \"nvidia\", \"model\": \"H200\", \"serial\": \"\($0)\"}" }
        let facts = try device.dir.write("facts-br.json", "{\"region\": \"BR\", \"chips\": [\(chips.joined(separator: ", "))]}")
        let sealed = try Self.seal(device, Data("for Brazil".utf8), name: "br.bin", manifest: "br.json")
        let out = try Self.unseal(device, sealed, manifest: "br.json", output: device.dir.path("br.out"), extra: ["--device", facts])
        #expect(out.status == 1 && out.stderr.contains("device.region"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("br.out")))
    }

    @Test("10.19 unseal accepts the issuing delegation's keys by default, --from keys instead, and refuses any other sealer")
    func sealerSignature() throws {
        let device = try Device()
        let plain = Data("sealed by acme".utf8)
        let byAcme = try Self.seal(device, plain, name: "acme.bin")
        let opened = try Self.unseal(device, byAcme, output: device.dir.path("acme.out"))
        #expect(opened.status == 0, "\(opened)")
        #expect(try device.dir.read("acme.out") == plain)

        let made = try CLI.run(["keygen", "--type", "ed25519", "--no-passphrase", "--out", device.dir.path("stranger")])
        #expect(made.status == 0, "\(made)")
        let byStranger = try Self.seal(device, plain, name: "stranger.bin", from: device.dir.path("stranger.key"))
        let refused = try Self.unseal(device, byStranger, output: device.dir.path("stranger.out"))
        #expect(refused.status == 1 && refused.stderr.contains("sealer"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("stranger.out")))
        let denial = try device.receipts().last
        #expect(denial?["event"] as? String == "unseal" && (denial?["failed"] as? [String]) == ["seal.signer"], "\(String(describing: denial))")

        let trusted = try Self.unseal(device, byStranger, output: device.dir.path("stranger.out"), extra: ["--from", device.dir.path("stranger.pub")])
        #expect(trusted.status == 0, "\(trusted)")
        // --from replaces the default: acme's file is then refused.
        let notListed = try Self.unseal(device, byAcme, output: device.dir.path("acme2.out"), extra: ["--from", device.dir.path("stranger.pub")])
        #expect(notListed.status == 1, "\(notListed)")
        #expect(try Self.noTemporaryFiles(device))
    }

    @Test("10.19 seal without --from is refused, and a version-1 (unsigned) file fails closed with a clear message")
    func unsignedRefused() throws {
        let device = try Device()
        let input = try device.dir.write("plain.txt", "x")
        let unsigned = try CLI.run(["seal", "--to", device.dir.path("state/device-x25519.pub"), "--manifest", device.dir.path("state/manifests/m.json"),
                                    input, "-o", device.dir.path("plain.sealed")])
        #expect(unsigned.status == 2 && unsigned.stderr.contains("--from"), "\(unsigned)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("plain.sealed")))
        var v1 = Data("ATSEAL".utf8) + Data([0, 1])
        v1.append(Data(repeating: 0, count: 200))
        try v1.write(to: URL(fileURLWithPath: device.dir.path("v1.sealed")))
        let old = try Self.unseal(device, device.dir.path("v1.sealed"), output: device.dir.path("v1.out"))
        #expect(old.status == 1 && old.stderr.contains("version 1") && old.stderr.contains("unsigned"), "\(old)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("v1.out")))
    }

    @Test("10.24 unseal --key takes an encrypted X25519 key with --passphrase-file or ATTEST_PASSPHRASE, and names the file otherwise")
    func encryptedSealingKey() throws {
        let device = try Device()
        let pass = try device.dir.write("pass.txt", "correct horse\n")
        let made = try CLI.run(["keygen", "--type", "x25519", "--passphrase-file", pass, "--out", device.dir.path("enc")])
        #expect(made.status == 0, "\(made)")
        let input = try device.dir.write("plain.txt", "for the encrypted key")
        let sealed = try CLI.run(["seal", "--to", device.dir.path("enc.pub"), "--from", Self.acmeKey, "--manifest", device.dir.path("state/manifests/m.json"),
                                  input, "-o", device.dir.path("enc.sealed")])
        #expect(sealed.status == 0, "\(sealed)")
        let key = device.dir.path("enc.key")
        let withFile = try Self.unseal(device, device.dir.path("enc.sealed"), output: device.dir.path("o1"), extra: ["--key", key, "--passphrase-file", pass])
        #expect(withFile.status == 0, "\(withFile)")
        #expect(try device.dir.read("o1") == Data("for the encrypted key".utf8))
        let withEnv = try Self.unseal(device, device.dir.path("enc.sealed"), output: device.dir.path("o2"), extra: ["--key", key],
                                      environment: ["ATTEST_PASSPHRASE": "correct horse"])
        #expect(withEnv.status == 0, "\(withEnv)")
        let without = try Self.unseal(device, device.dir.path("enc.sealed"), output: device.dir.path("o3"), extra: ["--key", key])
        #expect(without.status == 2 && without.stderr.contains("enc.key") && without.stderr.contains("passphrase"), "\(without)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("o3")))
    }

    @Test("10.26 a malformed header exits 2; a body that fails its tag exits 1; neither writes anything")
    func exitCodes() throws {
        let device = try Device()
        let sealed = try Self.seal(device, Data(repeating: 7, count: 100_000), name: "data.bin")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: sealed))
        var badMagic = bytes
        badMagic[0] ^= 0xff
        try badMagic.write(to: URL(fileURLWithPath: device.dir.path("magic.sealed")))
        let malformed = try Self.unseal(device, device.dir.path("magic.sealed"), output: device.dir.path("o1"))
        #expect(malformed.status == 2 && malformed.stderr.contains("magic.sealed"), "\(malformed)")
        bytes[bytes.count - 100] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: device.dir.path("body.sealed")))
        let tampered = try Self.unseal(device, device.dir.path("body.sealed"), output: device.dir.path("o2"))
        #expect(tampered.status == 1 && tampered.stderr.contains("body.sealed"), "\(tampered)")
        #expect(!FileManager.default.fileExists(atPath: device.dir.path("o1")) && !FileManager.default.fileExists(atPath: device.dir.path("o2")))
        #expect(try Self.noTemporaryFiles(device))
    }
}
