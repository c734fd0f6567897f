import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Every case of the Wycheproof signature suites through AttestCrypto's verify: `valid` must verify,
/// `invalid` must not. `acceptable` cases are counted but not judged.
@Suite("Wycheproof signature vectors", .enabled(if: Vectors.available))
struct WycheproofTests {
    struct Tally: CustomStringConvertible {
        var valid = 0, invalid = 0, acceptable = 0, keysRejected = 0
        var description: String { "\(valid + invalid + acceptable) cases (\(valid) valid, \(invalid) invalid, \(acceptable) acceptable; \(keysRejected) groups with a key rejected at load)" }
    }

    static func run(_ file: String, keyFromGroup: ([String: Any]) throws -> PublicKey) throws -> Tally {
        let data = try Vectors.data("wycheproof/\(file)")
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var tally = Tally()
        for group in groups {
            let tests = try #require(group["tests"] as? [[String: Any]])
            let key: PublicKey
            do {
                key = try keyFromGroup(group)
            } catch {
                // A key we refuse to load must never have a valid case depending on it.
                tally.keysRejected += 1
                for test in tests {
                    #expect(test["result"] as? String != "valid", "\(file) tcId \(test["tcId"] ?? "?"): key rejected: \(error)")
                    tally.invalid += 1
                }
                continue
            }
            for test in tests {
                let id = test["tcId"] as? Int ?? -1
                let msg = hexBytes(test["msg"] as? String ?? "")
                let sig = hexBytes(test["sig"] as? String ?? "")
                let ok = key.verify(signature: sig, message: msg)
                switch test["result"] as? String {
                case "valid":
                    tally.valid += 1
                    #expect(ok, "\(file) tcId \(id) should verify")
                case "invalid":
                    tally.invalid += 1
                    #expect(!ok, "\(file) tcId \(id) should be rejected")
                default:
                    tally.acceptable += 1
                }
            }
        }
        print("wycheproof \(file): \(tally)")
        return tally
    }

    static func spki(_ group: [String: Any]) throws -> PublicKey {
        try PublicKey(spkiDER: hexBytes(try #require(group["publicKeyDer"] as? String)))
    }

    @Test("ed25519: valid accepted, invalid rejected")
    func ed25519() throws {
        let tally = try Self.run("ed25519_test.json") { group in
            let pk = try #require((group["publicKey"] as? [String: Any])?["pk"] as? String)
            let key = try PublicKey(raw: hexBytes(pk), algorithm: .ed25519)
            #expect(key.spkiDER == hexBytes(group["publicKeyDer"] as? String ?? ""))
            return key
        }
        #expect(tally.valid + tally.invalid + tally.acceptable == 150 || tally.valid > 0)
        #expect(tally.valid > 0 && tally.invalid > 0)
    }

    @Test("ECDSA P-256 SHA-256 (DER): valid accepted, invalid rejected")
    func ecdsaP256() throws {
        let tally = try Self.run("ecdsa_secp256r1_sha256_test.json", keyFromGroup: Self.spki)
        #expect(tally.valid > 0 && tally.invalid > 0)
    }

    @Test("ECDSA P-384 SHA-384 (DER): valid accepted, invalid rejected")
    func ecdsaP384() throws {
        let tally = try Self.run("ecdsa_secp384r1_sha384_test.json", keyFromGroup: Self.spki)
        #expect(tally.valid > 0 && tally.invalid > 0)
    }

    @Test("RSA-PSS 2048 SHA-256 MGF1-SHA-256 salt 32")
    func rsaPSS2048() throws {
        let tally = try Self.run("rsa_pss_2048_sha256_mgf1_32_test.json", keyFromGroup: Self.spki)
        #expect(tally.valid > 0 && tally.invalid > 0)
    }

    @Test("RSA-PSS 3072 SHA-256 MGF1-SHA-256 salt 32")
    func rsaPSS3072() throws {
        let tally = try Self.run("rsa_pss_3072_sha256_mgf1_32_test.json", keyFromGroup: Self.spki)
        #expect(tally.valid > 0 && tally.invalid > 0)
    }
}
