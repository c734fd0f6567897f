import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Issue 10, items 2 and 3: a key has one identity whatever its encoding, and weak keys are refused.
@Suite("Hardening: keys")
struct HardeningKeyTests {
    static let openssl = URL(fileURLWithPath: "/usr/bin/openssl")

    /// One P-256 key as `openssl ec` writes it in the four SPKI encodings.
    static func encodings(_ dir: TemporaryDirectory) throws -> [String: String] {
        let key = dir.path("k.pem")
        try #require(try CLI.run(executable: openssl, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]).status == 0)
        var out: [String: String] = [:]
        for (name, extra) in [("uncompressed", [String]()), ("compressed", ["-conv_form", "compressed"]),
                              ("hybrid", ["-conv_form", "hybrid"]), ("explicit", ["-param_enc", "explicit"])] {
            let path = dir.path(name + ".pub")
            try #require(try CLI.run(executable: openssl, ["ec", "-in", key, "-pubout", "-out", path] + extra).status == 0)
            out[name] = String(decoding: try dir.read(name + ".pub"), as: UTF8.self)
        }
        return out
    }

    @Test("10.2 one P-256 key in four SPKI encodings has one key id and counts once toward a threshold")
    func oneKeyOneID() throws {
        let dir = try TemporaryDirectory()
        let pems = try Self.encodings(dir)
        let keys = try pems.values.map { try PublicKey(pem: $0) }
        #expect(Set(keys.map(\.keyID)).count == 1, "\(keys.map(\.keyID))")
        #expect(Set(keys.map(\.spkiDER)).count == 1)
        // A root listing the compressed form under its own (old-style) id and the uncompressed one: refused,
        // since the compressed key's id is the canonical one.
        let compressedDER = try #require(Self.der(pems["compressed"]!))
        let oldID = Hex.encode(SHA256.hash(compressedDER))
        let canonical = keys[0].keyID
        #expect(oldID != canonical)
        let dicts: JSONValue = .object(JSONObject(uniqueMembers: [
            (canonical, ["keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": ["public": .string(pems["uncompressed"]!)]]),
            (oldID, ["keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": ["public": .string(pems["compressed"]!)]]),
        ]))
        #expect(throws: AttestError.self) { try KeyDict.keyMap(dicts, path: "$.keys") }
        // Drafts refuse two files of one key.
        #expect(throws: AttestError.self) {
            try RootDraft(keys: keys, threshold: 2, lifetime: .days(1)).document(now: Timestamp.now())
        }
    }

    static func der(_ pem: String) -> [UInt8]? {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Base64.decode(body)
    }

    @Test("10.3 Ed25519 small-order points are refused, in every encoding; the identity's fixed signature never counts")
    func smallOrderEd25519() throws {
        let identity = [0x01] + [UInt8](repeating: 0, count: 31)
        var bases: [[UInt8]] = [identity, [UInt8](repeating: 0, count: 32), [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f]]
        bases.append(Hex.decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")!)
        bases.append(Hex.decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")!)
        for base in bases {
            for sign in [UInt8(0), 0x80] {
                var raw = base
                raw[31] |= sign
                #expect(throws: CryptoError.self, "\(Hex.encode(raw))") { try PublicKey(raw: raw, algorithm: .ed25519) }
                let dict: JSONValue = ["keytype": "ed25519", "scheme": "ed25519", "keyval": ["public": .string(Hex.encode(raw))]]
                #expect(throws: AttestError.self) { try KeyDict(json: dict) }
            }
        }
        // An ordinary key still loads.
        #expect(try PublicKey(raw: try PrivateKey.generate(.ed25519).publicKey.raw!, algorithm: .ed25519).algorithm == .ed25519)
    }

    @Test("10.3 RSA exponents other than 65537 and EC points off the curve are refused")
    func weakRSAAndOffCurve() throws {
        let dir = try TemporaryDirectory()
        let rsa = dir.path("rsa3.pem"), pub = dir.path("rsa3.pub")
        try #require(try CLI.run(executable: Self.openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                                                            "-pkeyopt", "rsa_keygen_pubexp:3", "-out", rsa]).status == 0)
        try #require(try CLI.run(executable: Self.openssl, ["pkey", "-in", rsa, "-pubout", "-out", pub]).status == 0)
        #expect(throws: CryptoError.self) { try PublicKey(pem: String(decoding: try dir.read("rsa3.pub"), as: UTF8.self)) }
        // The uncompressed point with its last byte changed is (all but surely) off the curve.
        var der = try PrivateKey.generate(.ecdsaP256).publicKey.spkiDER
        der[der.count - 1] ^= 0x01
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: der) }
    }
}
