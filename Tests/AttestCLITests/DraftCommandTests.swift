import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// `root new`, `delegate new`, `manifest new` and `revoke new` end to end through the built binary.
@Suite("draft commands")
struct DraftCommandTests {
    static func keygen(_ dir: TemporaryDirectory, _ name: String) throws {
        let made = try CLI.run(["keygen", "--out", dir.path(name), "--no-passphrase"])
        #expect(made.status == 0, "\(made)")
    }

    /// Runs a draft command writing to `file`, then `attest sign --type kind` on the result.
    static func draftAndSign(_ dir: TemporaryDirectory, _ args: [String], file: String, kind: String, key: String) throws -> JSONValue {
        let drafted = try CLI.run(args + ["-o", dir.path(file)])
        #expect(drafted.status == 0, "\(args): \(drafted)")
        #expect(drafted.stdout.contains("\(kind) draft"))
        let signed = try CLI.run(["sign", "--key", dir.path(key), "--type", kind, dir.path(file), "-o", dir.path(file + ".env")])
        #expect(signed.status == 0, "sign \(kind): \(signed)")
        return try JSONParser.parse(Array(try dir.read(file)))
    }

    @Test("every draft command's output is accepted by attest sign")
    func draftsSign() throws {
        let dir = try TemporaryDirectory()
        for name in ["r1", "r2", "i1"] { try Self.keygen(dir, name) }
        let root = try Self.draftAndSign(dir, ["root", "new", "--key", dir.path("r1.pub"), "--key", dir.path("r2.pub"),
                                               "--threshold", "2", "--expires-days", "365", "--deny-region", "KP", "--deny-region", "IR"],
                                         file: "root.json", kind: "root", key: "r1.key")
        #expect(root["threshold"]?.int64Value == 2)
        #expect(root["policy"]?["maxManifestDays"]?.int64Value == 400)
        let delegation = try Self.draftAndSign(dir, ["delegate", "new", "--name", "acme-integration", "--key", dir.path("i1.pub"),
                                                     "--threshold", "1", "--expires-days", "180", "--region", "MX", "--region", "BR",
                                                     "--workload", "industrial-inspection", "--chip-vendor", "nvidia"],
                                               file: "delegation.json", kind: "delegation", key: "r1.key")
        #expect(delegation["scope"]?["maxManifestDays"]?.int64Value == 90)
        let manifest = try Self.draftAndSign(dir, ["manifest", "new", "--issuer", "acme-integration",
                                                   "--chip", "nvidia:H200:1652922001234", "--chip", "nvidia:H200:1652922001235",
                                                   "--region", "MX-NLE", "--workload", "industrial-inspection", "--days", "90",
                                                   "--not-before", "2030-01-01T00:00:00Z", "--sequence", "3"],
                                             file: "manifest.json", kind: "manifest", key: "i1.key")
        #expect(manifest["notAfter"]?.stringValue == "2030-04-01T00:00:00Z")
        #expect(manifest["sequence"]?.int64Value == 3)
        let id = try #require(manifest["id"]?.stringValue)
        let revocation = try Self.draftAndSign(dir, ["revoke", "new", "--issuer", "root", "--version", "2", "--expires-days", "30",
                                                     "--manifest", id, "--delegation", "old-integrator"],
                                               file: "revocation.json", kind: "revocation", key: "r1.key")
        #expect(revocation["manifests"]?.arrayValue == [.string(id)])

        // Standard output by default, indented for people.
        let stdout = try CLI.run(["manifest", "new", "--issuer", "acme", "--chip", "nvidia:H200:1", "--region", "MX",
                                  "--workload", "a", "--days", "1"])
        #expect(stdout.status == 0, "\(stdout)")
        #expect(stdout.stdout.hasPrefix("{\n  \"id\": "))
    }

    @Test("--model-file pins the file's SHA-256 to the class")
    func modelFile() throws {
        let dir = try TemporaryDirectory()
        let model = try dir.write("model.onnx", String(repeating: "layer ", count: 500_000))
        let out = try CLI.run(["manifest", "new", "--issuer", "acme", "--chip", "nvidia:H200:1", "--region", "MX",
                               "--workload", "industrial-inspection", "--model-file", "industrial-inspection=\(model)", "--days", "7"])
        #expect(out.status == 0, "\(out)")
        let manifest = try Manifest(json: JSONParser.parse(out.stdout))
        #expect(manifest.workloads[0].models == ["sha256:" + Hex.encode(try SHA256.hash(fileAt: model))])
    }

    @Test("bad flags and values: exit 2, one line naming the problem, nothing written")
    func badInput() throws {
        let dir = try TemporaryDirectory()
        try Self.keygen(dir, "k")
        let manifest = ["manifest", "new", "--issuer", "acme", "--days", "7"]
        let root = ["root", "new", "--key", dir.path("k.pub"), "--expires-days", "30"]
        let cases: [([String], [String])] = [
            (manifest + ["--chip", "nvidia-H200-1", "--region", "MX", "--workload", "a"], ["chip", "nvidia-H200-1", "vendor:model:serial"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "XX", "--workload", "a"], ["region", "XX"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "Bad Class"], ["workload", "Bad Class"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "a=sha256:00"], ["sha256:00"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "a", "--not-before", "soon"], ["--not-before", "soon"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "a", "--model-file", "b=\(dir.path("k.pub"))"], ["b"]),
            (manifest + ["--chip", "nvidia:H200:1", "--workload", "a"], ["--region"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "a", "--out-dir", dir.path("x")], ["--out-dir"]),
            (manifest + ["--chip", "nvidia:H200:1", "--region", "MX", "--workload", "a", "--frobnicate"], ["--frobnicate"]),
            (root + ["--threshold", "0"], ["--threshold"]),
            (root + ["--threshold", "2"], ["threshold 2"]),
            // Subdivisions may be denied (issue 10 item 7); a code that is no ISO 3166 code may not.
            (root + ["--threshold", "1", "--deny-region", "MX-XYZ"], ["MX-XYZ"]),
            (root + ["--threshold", "1", "--expires", "2030-01-01T00:00:00Z"], ["--expires"]),
            (["root", "new", "--key", dir.path("k.pub"), "--threshold", "1"], ["--expires-days"]),
            (["delegate", "new", "--name", "acme", "--key", dir.path("k.pub"), "--threshold", "1", "--expires-days", "9",
              "--region", "*", "--region", "MX", "--workload", "a", "--chip-vendor", "nvidia"], ["\"*\""]),
            (["delegate", "new", "--name", "acme", "--key", dir.path("k.pub"), "--threshold", "1", "--expires-days", "9",
              "--region", "MX", "--chip-vendor", "nvidia"], ["--workload"]),
            (["revoke", "new", "--issuer", "acme", "--version", "1", "--expires-days", "9", "--delegation", "x"], ["only the root"]),
            (["revoke", "new", "--issuer", "root", "--version", "1", "--expires-days", "9", "--key-id", "abc"], ["keyid", "abc"]),
        ]
        for (args, mentions) in cases {
            let out = try CLI.run(args + ["-o", dir.path("draft.json")])
            #expect(out.status == 2, "\(args): \(out)")
            #expect(out.stderr.split(separator: "\n").count == 1, "one line expected: \(out.stderr)")
            for word in mentions { #expect(out.stderr.contains(word), "\(args) should mention \(word): \(out.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: dir.path("draft.json")))
        }
    }

    @Test("--from-csv: a 3-row file with quoted fields makes 3 envelopes that verify under the key")
    func fleet() throws {
        let dir = try TemporaryDirectory()
        try Self.keygen(dir, "i1")
        let csv = try dir.write("devices.csv", #"""
            serial,region,workloads,model
            1652922001234,MX,industrial-inspection,H200
            "1652922001235",MX-NLE,"industrial-inspection;public-safety","H200, SXM"
            1652922001236,BR,public-safety,"H100 ""NVL"""

            """#)
        let out = try CLI.run(["manifest", "new", "--from-csv", csv, "--issuer", "acme-integration", "--key", dir.path("i1.key"),
                               "--days", "30", "--out-dir", dir.path("out"), "--chip-vendor", "nvidia", "--jobs", "2"])
        #expect(out.status == 0, "\(out)")
        #expect(out.stdout.hasPrefix("signed 3 manifests in "))
        let key = try KeyFiles.loadPublicKey(at: dir.path("i1.pub")) { () throws(AttestError) in [] }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path("out")).sorted()
        #expect(files == ["1652922001234.json", "1652922001235.json", "1652922001236.json"])
        var models: [String] = []
        for file in files {
            let envelope = try Envelope.parse(Array(try dir.read("out/\(file)")))
            #expect(envelope.payloadType == PayloadType.manifest.rawValue)
            #expect(envelope.verify(keys: [key.keyID: key], threshold: 1).meetsThreshold)
            models += try Manifest(json: JSONParser.parse(envelope.payload)).chips.map(\.model)
        }
        #expect(models == ["H200", "H200, SXM", "H100 \"NVL\""])
    }

    @Test("--from-csv: one bad row names its line, exits 2 and writes nothing")
    func fleetBadRow() throws {
        let dir = try TemporaryDirectory()
        try Self.keygen(dir, "i1")
        let rows = (1...30).map { $0 == 16 ? "\($0),XX,a" : "\($0),MX,a" }
        let csv = try dir.write("devices.csv", (["serial,region,workloads"] + rows).joined(separator: "\n") + "\n")
        let out = try CLI.run(["manifest", "new", "--from-csv", csv, "--issuer", "acme", "--key", dir.path("i1.key"), "--days", "30",
                               "--out-dir", dir.path("out"), "--chip-vendor", "nvidia", "--chip-model", "H200"])
        #expect(out.status == 2, "\(out)")
        #expect(out.stderr == "attest: error: \(csv): line 17: region \"XX\" is not an ISO 3166 code\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
    }
}
