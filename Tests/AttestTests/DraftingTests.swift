@testable import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Drafts built from simple inputs: what they produce, what they refuse, and the fleet CSV batch.
@Suite("drafting")
struct DraftingTests {
    static let now = Timestamp(seconds: 1_790_000_000)
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    static func template(days: Int = 30) -> ManifestDraft {
        ManifestDraft(issuer: "acme-integration", days: days)
    }

    /// The draft's pretty text, as the CLI writes it, signed the way `attest sign` signs it.
    static func signDraft(_ json: JSONValue, as type: PayloadType) throws -> Envelope {
        let key = try PrivateKey.generate(.ed25519)
        return try DraftSigning.sign(Array(JSONPrettyPrinter.render(json).utf8), as: type, with: key)
    }

    @Test("each draft, written for people, is accepted by attest sign")
    func draftsSign() throws {
        let keys = try [PrivateKey.generate(.ed25519), PrivateKey.generate(.ecdsaP256)].map(\.publicKey)
        let root = try RootDraft(keys: keys, threshold: 2, lifetime: .days(365), deniedRegions: ["KP", "IR", "KP"]).document(now: Self.now)
        #expect(root.expires == Self.now.adding(days: 365))
        #expect(root.policy.deniedRegions == ["KP", "IR"])
        #expect(try Self.signDraft(root.json, as: .root).payloadType == PayloadType.root.rawValue)

        let delegation = try DelegationDraft(name: "acme-integration", keys: [keys[0]], threshold: 1, lifetime: .days(90),
                                             regions: ["MX", "BR"], workloads: ["industrial-inspection"],
                                             chipVendors: ["nvidia"]).document(now: Self.now)
        #expect(delegation.scope.maxManifestDays == 90)
        _ = try Self.signDraft(delegation.json, as: .delegation)

        var draft = Self.template()
        draft.chips = [try DraftInput.chip("nvidia:H200:1652922001234")]
        draft.region = "MX-NLE"
        draft.workloads = [try DraftInput.workload("industrial-inspection")]
        let manifest = try draft.document(now: Self.now)
        #expect(manifest.notBefore == Self.now && manifest.issuedAt == Self.now)
        #expect(manifest.notAfter == Self.now.adding(days: 30))
        _ = try Self.signDraft(manifest.json, as: .manifest)

        let revocation = try RevocationDraft(issuer: "root", version: 4, lifetime: .days(7),
                                             manifests: [manifest.id.uppercased()], keyIDs: [keys[0].keyID],
                                             delegations: ["old-integrator"]).document(now: Self.now)
        #expect(revocation.manifests == [manifest.id])
        _ = try Self.signDraft(revocation.json, as: .revocation)
    }

    @Test("new manifest ids are lowercase random v4 UUIDs")
    func manifestIDs() throws {
        let ids = try (0..<200).map { _ in try ManifestID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(DocumentFields.isUUID(id))
            let chars = Array(id)
            #expect(chars[14] == "4")
            #expect("89ab".contains(chars[19]))
        }
    }

    @Test("chip and workload specs read; malformed ones name what is wrong",
          arguments: [
              ("nvidia-H200-1", "vendor:model:serial"), ("nvidia:H200", "vendor:model:serial"),
              ("NVIDIA:H200:1", "vendor"), ("nvidia::1", "model"), ("nvidia:H200:", "serial"), ("nvidia:H200:a b", "serial"),
          ])
    func badChips(spec: String, mentions: String) {
        #expect { try DraftInput.chip(spec) } throws: { error in
            (error as? AttestError)?.code == .usage && "\(error)".contains(mentions) && "\(error)".contains("chip")
        }
    }

    @Test("specs: serials keep colons; digests are lowercased and deduplicated")
    func goodSpecs() throws {
        #expect(try DraftInput.chip("nvidia:H200:00:1b:44") == Manifest.Chip(vendor: "nvidia", model: "H200", serial: "00:1b:44"))
        let upper = "sha256:" + String(repeating: "AB", count: 32)
        let pinned = try DraftInput.workload("public-safety=\(upper),\(Self.digest)")
        #expect(pinned == Manifest.Workload(workloadClass: "public-safety", models: [Self.digest]))
        #expect(try DraftInput.workload("a") == Manifest.Workload(workloadClass: "a"))
        for bad in ["Bad Class", "a=", "a=sha256:12", "a=md5:00", "=sha256:00"] {
            #expect(throws: AttestError.self) { try DraftInput.workload(bad) }
        }
        #expect(throws: AttestError.self) { try DraftInput.region("XX") }
        #expect(throws: AttestError.self) { try DraftInput.country("MX-NLE") }
    }

    @Test("drafts refuse what signing would refuse, with a reason")
    func refusals() throws {
        let key = try PrivateKey.generate(.ed25519).publicKey
        let x25519 = try PrivateKey.generate(.x25519).publicKey
        func reason(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        #expect(reason { _ = try RootDraft(keys: [key], threshold: 0, lifetime: .days(1)).document(now: Self.now) }.contains("threshold"))
        #expect(reason { _ = try RootDraft(keys: [key, key], threshold: 2, lifetime: .days(1)).document(now: Self.now) }.contains("given twice"), "a key given twice is refused, not silently merged (issue 10 item 2)")
        #expect(reason { _ = try RootDraft(keys: [x25519], threshold: 1, lifetime: .days(1)).document(now: Self.now) }.contains("cannot sign"))
        #expect(reason { _ = try RootDraft(keys: [key], threshold: 1, lifetime: .until(Self.now)).document(now: Self.now) }.contains("not after"))
        #expect(reason {
            _ = try DelegationDraft(name: "acme", keys: [key], threshold: 1, lifetime: .days(1), regions: ["*", "MX"],
                                    workloads: ["a"], chipVendors: ["nvidia"]).document(now: Self.now)
        }.contains("\"*\""))
        #expect(reason {
            _ = try RevocationDraft(issuer: "acme", version: 1, lifetime: .days(1), delegations: ["x"]).document(now: Self.now)
        }.contains("only the root"))
        var draft = Self.template()
        draft.chips = [try DraftInput.chip("nvidia:H200:1"), try DraftInput.chip("nvidia:H100:1")]
        draft.region = "MX"
        draft.workloads = [.init(workloadClass: "a")]
        #expect(reason { _ = try draft.document(now: Self.now) }.contains("given twice"))
        draft.chips.removeLast()
        draft.region = "XX"
        #expect(reason { _ = try draft.document(now: Self.now) } == #"region "XX" is not an ISO 3166 code"#)
        draft.region = "MX"
        draft.days = 0
        #expect(reason { _ = try draft.document(now: Self.now) }.contains("days"))
    }

    @Test("--model-file: the streamed SHA-256 of the file joins the class's list, once")
    func modelFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("model.onnx", String(repeating: "weights ", count: 300_000))
        var draft = Self.template()
        draft.chips = [try DraftInput.chip("nvidia:H200:1")]
        draft.region = "MX"
        draft.workloads = [.init(workloadClass: "industrial-inspection")]
        try draft.pinModel(fileAt: path, to: "industrial-inspection")
        try draft.pinModel(fileAt: path, to: "industrial-inspection")
        let expected = "sha256:" + Hex.encode(try SHA256.hash(fileAt: path))
        #expect(try draft.document(now: Self.now).workloads[0].models == [expected])
        #expect(throws: AttestError.self) { try draft.pinModel(fileAt: path, to: "industrial-inspecton") }
    }

    @Test("CSV: quoted fields hold commas, quotes and line breaks; CRLF and a BOM are fine; lines are counted")
    func csv() throws {
        let text = "\u{FEFF}serial,model,workloads\r\n1,\"H200, SXM\",a\r\n\r\n2,\"say \"\"hi\"\"\",\"a;\nb\"\n3,plain,c"
        let table = try CSVTable.parse(Array(text.utf8))
        #expect(table.header == ["serial", "model", "workloads"])
        #expect(table.records.map(\.line) == [2, 4, 6])
        #expect(table.records[0].fields == ["1", "H200, SXM", "a"])
        #expect(table.records[1].fields == ["2", "say \"hi\"", "a;\nb"])
        #expect(table.records[2].fields == ["3", "plain", "c"])
        let bad: [(String, String)] = [
            ("a,b\n1,\"2\n", "line 2"), ("a,b\n1,2,3\n", "line 2"), ("a,b\n1,x\"y\n", "line 2"), ("a,b\n1,\"x\"y\n", "line 2"), ("", "header"),
        ]
        for (input, mentions) in bad {
            #expect { try CSVTable.parse(Array(input.utf8)) } throws: { "\($0)".contains(mentions) }
        }
        #expect(throws: AttestError.self) { try CSVTable.parse([0x61, 0x0a, 0xff, 0x0a]) }
    }

    static func keyMap(_ key: PrivateKey) -> [String: PublicKey] { [key.publicKey.keyID: key.publicKey] }

    @Test("CSV batch: a row per chip, each envelope verifies under the key; jobs 1 and 2 agree", arguments: [1, 2])
    func batch(jobs: Int) throws {
        let dir = try TemporaryDirectory()
        let csv = """
            serial,region,workloads,vendor,model,sequence,models
            1652922001234,MX,industrial-inspection,nvidia,H200,,
            1652922001235,MX-NLE,"industrial-inspection; public-safety",nvidia,"H200, SXM",7,public-safety=\(Self.digest)
            1652922001236,BR,public-safety,,,,

            """
        let key = try PrivateKey.generate(.ed25519)
        let options = ManifestBatch.Options(template: Self.template(), chipVendor: "amd", chipModel: "MI300X")
        let out = dir.path("out")
        let batch = try ManifestBatch(csv: Array(csv.utf8), source: "devices.csv", outDirectory: out, options: options, jobs: jobs, now: Self.now)
        #expect(batch.count == 3)
        #expect(try batch.write(signingWith: key, jobs: jobs) == 3)
        var ids = Set<String>()
        for serial in ["1652922001234", "1652922001235", "1652922001236"] {
            let envelope = try Envelope.parse(Array(try dir.read("out/\(serial).json")))
            #expect(envelope.verify(keys: Self.keyMap(key), threshold: 1).meetsThreshold)
            let manifest = try Manifest(json: JSONParser.parse(envelope.payload))
            #expect(manifest.chips.map(\.serial) == [serial])
            ids.insert(manifest.id)
            if serial.hasSuffix("35") {
                #expect(manifest.chips[0].model == "H200, SXM" && manifest.sequence == 7 && manifest.region == "MX-NLE")
                #expect(manifest.workload("public-safety")?.models == [Self.digest])
            }
            if serial.hasSuffix("36") { #expect(manifest.chips[0] == Manifest.Chip(vendor: "amd", model: "MI300X", serial: serial)) }
        }
        #expect(ids.count == 3)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
        // Existing envelopes are not replaced unless asked.
        #expect(throws: AttestError.self) {
            try ManifestBatch(csv: Array(csv.utf8), source: "devices.csv", outDirectory: out, options: options, now: Self.now)
        }
        var replacing = options
        replacing.overwrite = true
        #expect(try ManifestBatch(csv: Array(csv.utf8), source: "devices.csv", outDirectory: out, options: replacing, now: Self.now)
            .write(signingWith: key, jobs: jobs) == 3)
    }

    @Test("CSV batch: the first bad row is named by line and nothing is written")
    func batchBadRow() throws {
        let dir = try TemporaryDirectory()
        let options = ManifestBatch.Options(template: Self.template(), chipVendor: "nvidia", chipModel: "H200")
        var rows = (1...40).map { "\($0),MX,industrial-inspection" }
        rows[15] = "16,XX,industrial-inspection"  // line 17
        rows[30] = "31,MX,Bad Class"
        let csv = (["serial,region,workloads"] + rows).joined(separator: "\n")
        #expect {
            try ManifestBatch(csv: Array(csv.utf8), source: "devices.csv", outDirectory: dir.path("out"), options: options, jobs: 2, now: Self.now)
        } throws: { error in
            "\(error)" == #"devices.csv: line 17: region "XX" is not an ISO 3166 code"#
        }
        rows[15] = "16,MX,industrial-inspection"
        rows[20] = "3,MX,industrial-inspection"  // line 22 repeats line 4's serial, before the bad class on line 32
        let repeated = (["serial,region,workloads"] + rows).joined(separator: "\n")
        #expect {
            try ManifestBatch(csv: Array(repeated.utf8), source: "devices.csv", outDirectory: dir.path("out"), options: options, jobs: 2, now: Self.now)
        } throws: { error in
            "\(error)" == #"devices.csv: line 22: serial "3" is also on line 4"#
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out")))
        #expect {
            try ManifestBatch(csv: Array("serial,region\n1,MX\n".utf8), source: "d.csv", outDirectory: dir.path("out"), options: options)
        } throws: { "\($0)".contains("d.csv: line 1: no workloads column") }
    }

    @Test("the signing pipeline hands every block over in order, and stops at the first error", arguments: [1, 2, 3])
    func pipeline(jobs: Int) throws {
        var seen: [Int] = []
        try ParallelChunks.pipeline(count: 1000, jobs: jobs, blockSize: 7) { index throws(AttestError) in index * 2 } consume: { block, values in
            #expect(values == block.map { $0 * 2 })
            seen += block
        }
        #expect(seen == Array(0..<1000))
        var consumed = 0
        #expect(throws: AttestError.self) {
            try ParallelChunks.pipeline(count: 1000, jobs: jobs, blockSize: 7) { index throws(AttestError) in
                if index == 500 { throw AttestError(.io, "disk full") }
                return index
            } consume: { block, _ in consumed = block.upperBound }
        }
        #expect(consumed <= 500)
    }
}
