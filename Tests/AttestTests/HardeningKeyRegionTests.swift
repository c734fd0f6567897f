import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 2, 3 and 7: one key counts once whatever its encoding, weak keys are refused when a
/// document is read, and region codes that name one place under two codes are matched both ways.
@Suite("Hardening: keys and regions (second reading)")
struct HardeningKeyRegionTests {
    // MARK: helpers

    /// Runs the openssl command line (the tool the issue names for making odd encodings of one key).
    static func openssl(_ arguments: [String], in dir: TemporaryDirectory) throws {
        let out = try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/openssl"), arguments, directory: dir.url)
        try #require(out.status == 0, "openssl \(arguments.joined(separator: " ")): \(out)")
    }

    /// The DER inside a PEM file, decoded here so the test does not depend on the code it tests.
    static func der(ofPEM text: String) throws -> [UInt8] {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return try #require(Data(base64Encoded: body).map { [UInt8]($0) })
    }

    /// One P-256 key as PKCS#8 and as four SPKI PEMs: uncompressed, compressed, hybrid, explicit parameters.
    struct OneECKey {
        let dir: TemporaryDirectory
        let privatePEM: String
        let compressedPrivatePEM: String
        let publics: [String: String]

        init(curve: String = "P-256") throws {
            dir = try TemporaryDirectory()
            try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-out", "k.pem"], in: dir)
            var publics: [String: String] = [:]
            for (name, extra) in [("uncompressed", [String]()), ("compressed", ["-conv_form", "compressed"]),
                                  ("hybrid", ["-conv_form", "hybrid"]), ("explicit", ["-param_enc", "explicit"])] {
                try openssl(["ec", "-in", "k.pem", "-pubout", "-out", "\(name).pub"] + extra, in: dir)
                publics[name] = String(decoding: try dir.read("\(name).pub"), as: UTF8.self)
            }
            try openssl(["ec", "-in", "k.pem", "-conv_form", "compressed", "-out", "ck.pem"], in: dir)
            try openssl(["pkcs8", "-topk8", "-nocrypt", "-in", "ck.pem", "-out", "ck8.pem"], in: dir)
            privatePEM = String(decoding: try dir.read("k.pem"), as: UTF8.self)
            compressedPrivatePEM = String(decoding: try dir.read("ck8.pem"), as: UTF8.self)
            self.publics = publics
        }
    }

    static func ecdsaDict(_ pem: String) -> JSONValue {
        .object(JSONObject(uniqueMembers: [
            ("keytype", .string("ecdsa")),
            ("keyval", .object(JSONObject(uniqueMembers: [("public", .string(pem))]))),
            ("scheme", .string("ecdsa-sha2-nistp256")),
        ]))
    }

    static func ed25519Dict(_ raw: [UInt8]) -> JSONValue {
        .object(JSONObject(uniqueMembers: [
            ("keytype", .string("ed25519")),
            ("keyval", .object(JSONObject(uniqueMembers: [("public", .string(Hex.encode(raw)))]))),
            ("scheme", .string("ed25519")),
        ]))
    }

    /// An envelope signed by each key with the keyid hint given, even when two are one key (which
    /// `Envelope.sign` refuses).
    static func envelope(_ type: PayloadType, _ payload: [UInt8], _ signers: [(String, PrivateKey)]) throws -> Envelope {
        let pae = Envelope(payloadType: type.rawValue, payload: payload).pae
        let sigs = try signers.map { id, key in "{\"keyid\":\"\(id)\",\"sig\":\"\(Data(try key.sign(pae)).base64EncodedString())\"}" }
        let text = "{\"payload\":\"\(Data(payload).base64EncodedString())\",\"payloadType\":\"\(type.rawValue)\",\"signatures\":[\(sigs.joined(separator: ","))]}"
        return try Envelope(json: JSONParser.parse(Array(text.utf8)))
    }

    // MARK: item 2

    @Test("10.2 one P-256 key in four SPKI encodings has one keyid and one canonical DER")
    func oneKeyOneID() throws {
        let key = try OneECKey()
        let canonical = try PrivateKey(pem: key.privatePEM).publicKey
        // Named curve, uncompressed point: the form every other tool writes by default.
        #expect(canonical.spkiDER == (try Self.der(ofPEM: try #require(key.publics["uncompressed"]))))
        for (name, pem) in key.publics {
            let parsed = try PublicKey(pem: pem)
            #expect(parsed.keyID == canonical.keyID, "\(name) encoding gets another keyid")
            #expect(parsed.spkiDER == canonical.spkiDER, "\(name) encoding keeps its own DER")
            #expect(parsed == canonical)
        }
        #expect(try PrivateKey(pem: key.compressedPrivatePEM).publicKey.keyID == canonical.keyID)
    }

    @Test("10.2 a key map listing one key under two encodings' ids is rejected")
    func keyMapWithOneKeyTwice() throws {
        let key = try OneECKey()
        var members: [(String, JSONValue)] = []
        for name in ["uncompressed", "compressed"] {
            let pem = try #require(key.publics[name])
            members.append((Hex.encode(SHA256.hash(try Self.der(ofPEM: pem))), Self.ecdsaDict(pem)))
        }
        #expect(members[0].0 != members[1].0)
        #expect(throws: AttestError.self) { try KeyDict.keyMap(.object(JSONObject(uniqueMembers: members)), path: "$.keys") }
    }

    @Test("10.2 one key under two ids meets a threshold of 2 never, however often it signs")
    func thresholdCountsKeysNotIDs() throws {
        let key = try OneECKey()
        let signer = try PrivateKey(pem: key.privatePEM)
        let other = try PrivateKey(pem: key.compressedPrivatePEM)
        let a = try PublicKey(pem: try #require(key.publics["uncompressed"]))
        let b = try PublicKey(pem: try #require(key.publics["hybrid"]))
        // Each signature's hint names one of the two ids, so each finds "its" key first.
        let hinted = try Self.envelope(.root, Array("{}".utf8), [("id-one", signer), ("id-two", other)])
        // A key map built in memory can still name one key twice: the count is over keys, not ids.
        let check = hinted.verify(keys: ["id-one": a, "id-two": b], threshold: 2)
        #expect(check.verifiedKeyIDs.count == 1)
        #expect(!check.meetsThreshold)
    }

    @Test("10.2 a root whose two keys are one key in two encodings does not verify at threshold 2")
    func rootWithOneKeyTwice() throws {
        let key = try OneECKey()
        let fx = try TrustFixture()
        let signer = try PrivateKey(pem: key.privatePEM)
        let pems = [try #require(key.publics["uncompressed"]), try #require(key.publics["compressed"])]
        var keys = JSONObject()
        for pem in pems { _ = keys.updateValue(Self.ecdsaDict(pem), forKey: Hex.encode(SHA256.hash(try Self.der(ofPEM: pem)))) }
        guard case .object(var root) = fx.root.json else { Issue.record("root is not an object"); return }
        _ = root.updateValue(.object(keys), forKey: "keys")
        _ = root.updateValue(.number(JSONNumber(Int64(2))), forKey: "threshold")
        let other = try PrivateKey(pem: key.compressedPrivatePEM)
        let ids = Array(keys.members.map(\.0))
        let signed = NamedInput(name: "root.json", bytes: Array(try Self.envelope(.root, CanonicalJSON.encode(.object(root)),
                                                                                 [(ids[0], signer), (ids[1], other)]).encoded()))
        let result = try DeviceVerifier.verify(try fx.signedManifest(), setup: try fx.setup(roots: [signed]))
        #expect(result.check(.rootSignature)?.status != .pass, "\(result.text)")
        #expect(!result.isAllowed)
    }

    // MARK: item 3

    /// The eight small-order points of edwards25519, every encoding (sign bit either way, y and y + p).
    static let smallOrderEd25519: [String] = {
        let ys = [
            "0000000000000000000000000000000000000000000000000000000000000000",  // y = 0 (order 4)
            "0100000000000000000000000000000000000000000000000000000000000000",  // y = 1, the identity
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p - 1 (order 2)
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  // order 8
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p, non-canonical 0
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // y = p + 1, non-canonical 1
        ]
        return ys.flatMap { y -> [String] in
            var bytes = Hex.decode(y) ?? []
            bytes[31] |= 0x80
            return [y, Hex.encode(bytes)]
        }
    }()

    @Test("10.3 Ed25519 small-order keys are refused in every encoding")
    func ed25519SmallOrder() throws {
        #expect(Self.smallOrderEd25519.count == 14)
        for hex in Self.smallOrderEd25519 {
            let raw = try #require(Hex.decode(hex))
            #expect(throws: CryptoError.self, "\(hex)") { try PublicKey(raw: raw, algorithm: .ed25519) }
            #expect(throws: AttestError.self, "\(hex)") { try KeyDict(json: Self.ed25519Dict(raw)) }
        }
        // A key whose y is p + 2 is a non-canonical encoding of another key's y = 2: one key, two ids.
        var alias = try #require(Hex.decode("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"))
        #expect(throws: CryptoError.self) { try PublicKey(raw: alias, algorithm: .ed25519) }
        alias[31] = 0xff
        #expect(throws: CryptoError.self) { try PublicKey(raw: alias, algorithm: .ed25519) }
        // An ordinary key still loads.
        let good = try #require(try PrivateKey.generate(.ed25519).publicKey.raw)
        _ = try PublicKey(raw: good, algorithm: .ed25519)
    }

    @Test("10.3 the identity key's fixed signature no longer lets a root verify any message")
    func ed25519IdentityRoot() throws {
        let fx = try TrustFixture()
        let identity = try #require(Hex.decode("0100000000000000000000000000000000000000000000000000000000000000"))
        var keys = JSONObject()
        // Its keyid as a document would carry it: SHA-256 of the RFC 8410 SPKI.
        let spki = Hex.decode("302a300506032b6570032100")! + identity
        _ = keys.updateValue(Self.ed25519Dict(identity), forKey: Hex.encode(SHA256.hash(spki)))
        guard case .object(var root) = fx.root.json else { Issue.record("root is not an object"); return }
        _ = root.updateValue(.object(keys), forKey: "keys")
        _ = root.updateValue(.number(JSONNumber(Int64(1))), forKey: "threshold")
        // R = the identity point, S = 0: verifies under A = identity for every message.
        let signature = identity + [UInt8](repeating: 0, count: 32)
        let payload = CanonicalJSON.encode(.object(root))
        let envelope = "{\"payload\":\"\(Data(payload).base64EncodedString())\",\"payloadType\":\"\(PayloadType.root.rawValue)\",\"signatures\":[{\"keyid\":\"x\",\"sig\":\"\(Data(signature).base64EncodedString())\"}]}"
        #expect(throws: AttestError.self) { try TrustRoot(json: JSONParser.parse(payload)) }
        let result = try DeviceVerifier.verify(try fx.signedManifest(),
                                               setup: try fx.setup(roots: [NamedInput(name: "root.json", bytes: Array(envelope.utf8))]))
        #expect(!result.isAllowed)
        #expect(result.check(.rootSignature)?.status != .pass)
    }

    /// An RSA SPKI for `modulus` (256 bytes, top bit set) and a one-byte exponent, written here by hand.
    static func rsaSPKI(modulus: [UInt8], exponent: UInt8) -> [UInt8] {
        let n: [UInt8] = [0x02, 0x82, 0x01, 0x01, 0x00] + modulus
        let e: [UInt8] = [0x02, 0x01, exponent]
        let inner = n + e
        let rsaKey: [UInt8] = [0x30, 0x82, UInt8(inner.count >> 8), UInt8(inner.count & 0xff)] + inner
        let bits = [0x00] + rsaKey
        let bitString: [UInt8] = [0x03, 0x82, UInt8(bits.count >> 8), UInt8(bits.count & 0xff)] + bits
        let algorithm: [UInt8] = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]
        let body = algorithm + bitString
        return [0x30, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
    }

    @Test("10.3 RSA keys with an exponent other than 65537, or under 2048 bits, are refused")
    func rsaWeakKeys() throws {
        let dir = try TemporaryDirectory()
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "r.pem"], in: dir)
        try Self.openssl(["pkey", "-in", "r.pem", "-pubout", "-outform", "DER", "-out", "r.der"], in: dir)
        let good = [UInt8](try dir.read("r.der"))
        _ = try PublicKey(spkiDER: good)
        // The modulus of that key, taken from its DER (the last 261 bytes are 00 + 256 modulus bytes + 02 03 01 00 01).
        let modulus = Array(good[(good.count - 5 - 256)..<(good.count - 5)])
        #expect(modulus[0] & 0x80 != 0)
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: Self.rsaSPKI(modulus: modulus, exponent: 1)) }
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: Self.rsaSPKI(modulus: modulus, exponent: 3)) }
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:3",
                          "-out", "e3.pem"], in: dir)
        try Self.openssl(["pkey", "-in", "e3.pem", "-pubout", "-out", "e3.pub"], in: dir)
        #expect(throws: CryptoError.self) { try PublicKey(pem: String(decoding: try dir.read("e3.pub"), as: UTF8.self)) }
        try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "small.pem"], in: dir)
        try Self.openssl(["pkey", "-in", "small.pem", "-pubout", "-out", "small.pub"], in: dir)
        #expect(throws: CryptoError.self) { try PublicKey(pem: String(decoding: try dir.read("small.pub"), as: UTF8.self)) }
    }

    @Test("10.3 an EC point off the curve is refused")
    func ecPointOffCurve() throws {
        let key = try OneECKey()
        var der = try Self.der(ofPEM: try #require(key.publics["uncompressed"]))
        der[der.count - 1] ^= 0x01
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: der) }
    }

    /// `n - s` for big-endian byte strings of one length, n > s (a test-side helper to make the malleated twin).
    static func subtract(_ n: [UInt8], _ s: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n.count)
        var borrow = 0
        for i in stride(from: n.count - 1, through: 0, by: -1) {
            var d = Int(n[i]) - Int(s[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    @Test("10.3 a malleated ECDSA signature (s and n - s) is accepted as ECDSA allows, and counts as one signer")
    func ecdsaHighS() throws {
        let signer = try PrivateKey.generate(.ecdsaP256)
        var envelope = Envelope(payloadType: PayloadType.root.rawValue, payload: Array("{}".utf8))
        try envelope.sign(with: signer)
        let raw = try #require(envelope.signatures.first?.bytes)
        // Strict DER of (r, s) → (r, n - s), through the raw form.
        let p1363 = try Self.p1363(raw)
        let n = try #require(Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
        let twin = try ECDSASignature.der(fromRaw: Array(p1363[0..<32]) + Self.subtract(n, Array(p1363[32...])))
        #expect(signer.publicKey.verify(signature: twin, message: envelope.pae))
        let decoded = try Envelope(json: JSONParser.parse(Array(("{\"payload\":\"e30=\",\"payloadType\":\"\(PayloadType.root.rawValue)\",\"signatures\":[{\"sig\":\"\(Data(raw).base64EncodedString())\"},{\"sig\":\"\(Data(twin).base64EncodedString())\"}]}").utf8)))
        let check = decoded.verify(keys: [signer.publicKey.keyID: signer.publicKey], threshold: 2)
        #expect(check.signers.count == 2 && check.signers.allSatisfy { $0 != nil })
        #expect(check.verifiedKeyIDs.count == 1 && !check.meetsThreshold)
    }

    /// The raw r || s (32 bytes each) of a DER P-256 signature.
    static func p1363(_ der: [UInt8]) throws -> [UInt8] {
        var i = 2
        var out: [UInt8] = []
        for _ in 0..<2 {
            try #require(der[i] == 0x02)
            let length = Int(der[i + 1])
            var value = Array(der[(i + 2)..<(i + 2 + length)])
            while value.count > 32 { value.removeFirst() }
            out += [UInt8](repeating: 0, count: 32 - value.count) + value
            i += 2 + length
        }
        return out
    }

    // MARK: item 7

    func verifyRegion(manifestRegion: String, denied: [String], scope: [String] = ["*"], deviceRegion: String? = nil) throws -> VerificationResult {
        var fx = try TrustFixture()
        fx.root.policy.deniedRegions = denied
        fx.delegation.scope.regions = scope
        let device = deviceRegion.map { DeviceFacts(region: $0, chips: fx.device.chips) }
        return try DeviceVerifier.verify(try fx.signedManifest(fx.manifest(region: manifestRegion)), setup: try fx.setup(device: device))
    }

    @Test("10.7 a root that denies HK or TW also denies CN-HK and CN-TW, and the other way round",
          arguments: [("HK", "CN-HK"), ("CN-HK", "HK"), ("TW", "CN-TW"), ("CN-TW", "TW"), ("PR", "US-PR"), ("US-PR", "PR"),
                      ("RE", "FR-RE"), ("FR-RE", "RE"), ("AW", "NL-AW"), ("NL-AW", "AW"), ("US", "PR"), ("GP", "FR-971")])
    func aliasesDenied(denied: String, manifest: String) throws {
        let result = try verifyRegion(manifestRegion: manifest, denied: [denied])
        #expect(result.check(.regionDenied)?.status == .fail, "\(denied) denied, manifest \(manifest)\n\(result.text)")
    }

    @Test("10.7 codes that only look alike are not aliases: denying BA or ML leaves AZ-BA and GN-ML alone",
          arguments: [("BA", "AZ-BA"), ("ML", "GN-ML"), ("HK", "CN"), ("CN-HK", "CN-GD")])
    func notAliases(denied: String, manifest: String) throws {
        let result = try verifyRegion(manifestRegion: manifest, denied: [denied])
        #expect(result.check(.regionDenied)?.status == .pass, "\(denied) denied, manifest \(manifest)\n\(result.text)")
    }

    @Test("10.7 a root can deny a subdivision on its own")
    func deniedSubdivision() throws {
        #expect(try verifyRegion(manifestRegion: "MX-NLE", denied: ["MX-NLE"]).check(.regionDenied)?.status == .fail)
        #expect(try verifyRegion(manifestRegion: "MX-JAL", denied: ["MX-NLE"]).check(.regionDenied)?.status == .pass)
        let draft = try RootDraft(keys: [try PrivateKey.generate(.ed25519).publicKey], threshold: 1, lifetime: .days(30),
                                  deniedRegions: ["CN-HK"]).document(now: TrustFixture.now)
        #expect(draft.policy.deniedRegions == ["CN-HK"])
    }

    @Test("10.7 a device provisioned in a denied region fails region.denied under a manifest for the country around it")
    func deviceInDeniedRegion() throws {
        let result = try verifyRegion(manifestRegion: "CN", denied: ["HK"], deviceRegion: "HK")
        #expect(result.check(.regionDenied)?.status == .fail, "\(result.text)")
        #expect(result.check(.deviceRegion)?.status == .pass, "HK is inside CN")
        #expect(!result.isAllowed)
    }

    @Test("10.7 delegation scope and device region match aliases both ways",
          arguments: [("PR", "US-PR"), ("US-PR", "PR"), ("US", "PR"), ("HK", "CN-HK"), ("FR-GP", "FR-971")])
    func aliasContainment(outer: String, inner: String) throws {
        let scoped = try verifyRegion(manifestRegion: inner, denied: [], scope: [outer])
        #expect(scoped.check(.manifestScope)?.status == .pass, "scope \(outer), manifest \(inner)\n\(scoped.text)")
        let device = try verifyRegion(manifestRegion: outer, denied: [], deviceRegion: inner)
        #expect(device.check(.deviceRegion)?.status == .pass, "manifest \(outer), device \(inner)\n\(device.text)")
    }

    @Test("10.7 containment does not run upwards: a device in CN is not inside a manifest for HK")
    func noUpwardContainment() throws {
        #expect(try verifyRegion(manifestRegion: "HK", denied: [], deviceRegion: "CN").check(.deviceRegion)?.status == .fail)
        #expect(try verifyRegion(manifestRegion: "CN", denied: [], scope: ["HK"]).check(.manifestScope)?.status == .fail)
    }

    @Test("10.7 the alias table is the one generated from iso-codes")
    func aliasTable() {
        #expect(Region.aliases.count == 24)
        for (country, subdivision) in [("HK", "CN-HK"), ("MO", "CN-MO"), ("TW", "CN-TW"), ("PR", "US-PR"), ("RE", "FR-RE"),
                                       ("AW", "NL-AW"), ("GF", "FR-GF"), ("UM", "US-UM")] {
            #expect(Region.aliases[country] == subdivision)
        }
        #expect(Region.aliases["BA"] == nil && Region.aliases["ML"] == nil)
    }
}
