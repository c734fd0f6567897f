import Attest
import AttestCrypto
import Testing

/// Property tests over generated manifests: canonical JSON round-trips, signatures verify, and any single
/// field changed after signing is denied. The generator is seeded, so a failure names a reproducible seed.
@Suite("Manifest properties")
struct ManifestPropertyTests {
    typealias Generator = SeededGenerator

    static func slug(_ g: inout Generator) -> String {
        let words = ["vision", "speech", "inspection", "safety", "retail", "medical", "triage", "ocr", "audit"]
        return (0..<g.int(1...3)).map { _ in g.pick(words) }.joined(separator: "-")
    }

    static let countries = Region.countries.sorted()
    static let subdivisions = Region.subdivisions.sorted()

    static func manifest(_ g: inout Generator) -> Manifest {
        let issued = Timestamp(seconds: Int64(g.int(1_700_000_000...1_900_000_000)))
        let start = issued.adding(seconds: Int64(g.int(0...86_400)))
        let chips = (0..<g.int(1...4)).map { i in
            Manifest.Chip(vendor: g.pick(["nvidia", "amd", "intel"]), model: g.pick(["H200", "MI300X", "Gaudi3", "B200 SXM"]),
                          serial: "\(g.int(100_000...999_999))\(i)\(g.hex(4))")
        }
        var classes: [String] = []
        while classes.count < g.int(1...3) {
            let c = Self.slug(&g)
            if !classes.contains(c) { classes.append(c) }
        }
        let workloads = classes.map { c in
            Manifest.Workload(workloadClass: c, models: (0..<g.int(0...2)).map { _ in "sha256:" + g.hex(64) })
        }
        let uuid = "\(g.hex(8))-\(g.hex(4))-4\(g.hex(3))-a\(g.hex(3))-\(g.hex(12))"
        return Manifest(id: uuid, issuer: Self.slug(&g), sequence: g.int(0...1_000_000), issuedAt: issued, notBefore: start,
                        notAfter: start.adding(seconds: Int64(g.int(1...400 * 86_400))), chips: chips,
                        region: g.int(0...1) == 0 ? g.pick(countries) : g.pick(subdivisions), workloads: workloads)
    }

    @Test("RFC 3339 times print and parse back over years 0000 to 9999; fixed points print exactly")
    func timestamps() throws {
        #expect(Timestamp(seconds: 0).description == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 951_868_799).description == "2000-02-29T23:59:59Z")
        #expect(Timestamp(seconds: -62_167_219_200).description == "0000-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 253_402_300_799).description == "9999-12-31T23:59:59Z")
        var g = Generator(seed: 99)
        for _ in 0..<20_000 {
            let t = Timestamp(seconds: Int64(g.int(-62_167_219_200...253_402_300_799)))
            let text = t.description
            #expect(text.utf8.count == 20 && Timestamp(text) == t, "\(text)")
        }
    }

    @Test("every listed region code is found, and near misses are not")
    func regionLookup() {
        #expect(Self.countries.count == 249 && Self.subdivisions.count > 5000)
        for code in Self.countries { #expect(Region.isCountry(code) && Region.isValid(code)) }
        for code in Self.subdivisions where !Region.isValid(code) { Issue.record("\(code) not found") }
        #expect(!Self.subdivisions.contains { Region.isCountry($0) })
        for code in ["", " ", "M", "mx", "MX ", " MX", "MX-", "MX-NL", "MX-NLEE", "ZZ", "AA", "ZW-ZZ", "AD-00", "MX\nNLE", "MX NLE"] {
            #expect(!Region.isValid(code), "\(code.debugDescription)")
        }
        // Strings that sort between neighbouring codes, and past both ends, are found only when listed.
        let all = Set(Self.countries + Self.subdivisions)
        for code in Self.countries + Self.subdivisions {
            for probe in [code + "0", code + "Z", String(code.dropLast())] where Region.isValid(probe) != all.contains(probe) {
                Issue.record("\(probe) is \(all.contains(probe) ? "listed but not found" : "found but not listed")")
            }
        }
        #expect(!Region.isValid("0" + Self.countries[0]) && !Region.isValid(Self.subdivisions[Self.subdivisions.count - 1] + "Z"))
    }

    @Test("random manifests round-trip through canonical JSON and the strict decoder", arguments: 0..<4)
    func roundTrip(batch: Int) throws {
        for i in 0..<250 {
            let seed = UInt64(batch * 1000 + i)
            var g = Generator(seed: seed)
            let m = Self.manifest(&g)
            let bytes = CanonicalJSON.encode(m.json)
            let parsed = try JSONParser.parse(bytes)
            let decoded = try Manifest(json: parsed)
            #expect(decoded == m, "seed \(seed)")
            #expect(CanonicalJSON.encode(decoded.json) == bytes, "seed \(seed)")
        }
    }

    @Test("random manifests sign and verify; any single field changed after signing is denied")
    func tamper() throws {
        let key = try PrivateKey.generate(.ed25519)
        let keys = [key.publicKey.keyID: key.publicKey]
        for seed in UInt64(0)..<200 {
            var g = Generator(seed: seed &* 7919)
            let m = Self.manifest(&g)
            var envelope = Envelope(payloadType: PayloadType.manifest.rawValue, payload: CanonicalJSON.encode(m.json))
            try envelope.sign(with: key)
            #expect(envelope.verify(keys: keys, threshold: 1).meetsThreshold, "seed \(seed)")

            var changed = m
            switch g.int(0...7) {
            case 0: changed.region = changed.region == "MX" ? "BR" : "MX"
            case 1: changed.sequence += 1
            case 2: changed.chips[0].serial += "0"
            case 3: changed.workloads[0].workloadClass += "-x"
            case 4: changed.notAfter = changed.notAfter.adding(seconds: 1)
            case 5: changed.issuer += "-x"
            case 6: changed.chips[0].vendor = changed.chips[0].vendor == "amd" ? "nvidia" : "amd"
            default: changed.workloads[0].models.append("sha256:" + String(repeating: "0", count: 64))
            }
            #expect(changed != m, "seed \(seed): the change must change something")
            let forged = Envelope(payloadType: envelope.payloadType, payload: CanonicalJSON.encode(changed.json), signatures: envelope.signatures)
            #expect(!forged.verify(keys: keys, threshold: 1).meetsThreshold, "seed \(seed): a changed manifest verified")
        }
    }

    @Test("a changed field in a signed manifest is denied by the full verifier, by manifest.signature")
    func tamperFullChain() throws {
        let fx = try TrustFixture()
        let setup = try fx.setup(device: fx.device)
        let good = try fx.signedManifest()
        #expect(try DeviceVerifier.verify(good, setup: setup).isAllowed)
        let envelope = try Envelope.parse(good.bytes)
        var base = fx.manifest()
        for field in 0..<4 {
            switch field {
            case 0: base.sequence = 99
            case 1: base.chips[1].serial = "1652922009999"
            case 2: base.workloads.removeLast()
            default: base.notAfter = base.notAfter.adding(days: 1)
            }
            let forged = Envelope(payloadType: envelope.payloadType, payload: CanonicalJSON.encode(base.json), signatures: envelope.signatures)
            let result = try DeviceVerifier.verify(NamedInput(name: "forged", bytes: forged.encoded()), setup: setup)
            #expect(!result.isAllowed)
            #expect(result.failed.contains(.manifestSignature))
            base = fx.manifest()
        }
    }
}
