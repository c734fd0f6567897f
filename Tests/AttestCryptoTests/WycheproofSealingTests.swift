@testable import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The Wycheproof suites for the sealing primitives: X25519, HKDF-SHA256, and AES-GCM restricted to
/// what attest uses (256-bit key, 96-bit nonce, 128-bit tag).
@Suite("Wycheproof sealing vectors", .enabled(if: Vectors.available))
struct WycheproofSealingTests {
    static func tests(_ file: String, group include: ([String: Any]) -> Bool = { _ in true }) throws -> (tests: [[String: Any]], skippedGroups: Int) {
        let data = try Vectors.data("wycheproof/\(file)")
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var tests: [[String: Any]] = []
        var skipped = 0
        for group in groups {
            guard include(group) else { skipped += 1; continue }
            tests += try #require(group["tests"] as? [[String: Any]])
        }
        return (tests, skipped)
    }

    @Test("X25519: valid cases match; all-zero results are rejected; other acceptable cases are right when accepted")
    func x25519() throws {
        var valid = 0, invalid = 0, acceptedAcceptable = 0, rejectedAcceptable = 0, zeroRejected = 0
        for test in try Self.tests("x25519_test.json").tests {
            let id = test["tcId"] as? Int ?? -1
            let expected = hexBytes(test["shared"] as? String ?? "")
            let privateKey = try PrivateKey(rawX25519: hexBytes(test["private"] as? String ?? ""))
            var code: CryptoError.Code?
            var shared: [UInt8]?
            do throws(CryptoError) {
                let publicKey = try PublicKey(raw: hexBytes(test["public"] as? String ?? ""), algorithm: .x25519)
                shared = try X25519.sharedSecret(privateKey: privateKey, publicKey: publicKey)
            } catch {
                code = error.code
            }
            let zero = expected == [UInt8](repeating: 0, count: 32)
            if zero {
                // Our rule, stricter than "acceptable": a low-order peer key is refused.
                #expect(shared == nil && code == .invalidKey, "tcId \(id): all-zero shared secret must be rejected")
                if shared == nil { zeroRejected += 1 }
            }
            switch test["result"] as? String {
            case "valid":
                valid += 1
                #expect(shared == expected, "tcId \(id) should give the expected secret")
            case "invalid":
                invalid += 1
                #expect(shared == nil, "tcId \(id) should be rejected")
            default:
                if let shared {
                    acceptedAcceptable += 1
                    #expect(shared == expected, "tcId \(id): an accepted case must still be right")
                } else {
                    rejectedAcceptable += 1
                }
            }
        }
        print("wycheproof x25519_test.json: \(valid + invalid + acceptedAcceptable + rejectedAcceptable) cases (\(valid) valid, \(invalid) invalid, \(acceptedAcceptable + rejectedAcceptable) acceptable: \(acceptedAcceptable) accepted and matching, \(rejectedAcceptable) rejected, of which \(zeroRejected) all-zero)")
        #expect(valid > 0 && zeroRejected > 0)
    }

    @Test("HKDF-SHA256: valid cases match in full mode and as extract then expand; invalid sizes throw")
    func hkdf() throws {
        var valid = 0, invalid = 0
        for test in try Self.tests("hkdf_sha256_test.json").tests {
            let id = test["tcId"] as? Int ?? -1
            let ikm = hexBytes(test["ikm"] as? String ?? ""), salt = hexBytes(test["salt"] as? String ?? "")
            let info = hexBytes(test["info"] as? String ?? ""), okm = hexBytes(test["okm"] as? String ?? "")
            let size = try #require(test["size"] as? Int)
            switch test["result"] as? String {
            case "valid":
                valid += 1
                #expect(try HKDF.deriveKey(ikm: ikm, salt: salt, info: info, length: size) == okm, "tcId \(id) full mode")
                let prk = try HKDF.extract(salt: salt, ikm: ikm)
                #expect(try HKDF.expand(prk: prk, info: info, length: size) == okm, "tcId \(id) extract + expand")
            default:
                invalid += 1
                #expect(errorCode { try HKDF.deriveKey(ikm: ikm, salt: salt, info: info, length: size) } == .invalidInput, "tcId \(id) must throw")
                let prk = try HKDF.extract(salt: salt, ikm: ikm)
                #expect(errorCode { try HKDF.expand(prk: prk, info: info, length: size) } == .invalidInput, "tcId \(id) expand must throw")
            }
        }
        print("wycheproof hkdf_sha256_test.json: \(valid + invalid) cases (\(valid) valid, \(invalid) invalid)")
        #expect(valid > 0 && invalid > 0)
    }

    @Test("AES-256-GCM, 96-bit nonce, 128-bit tag: valid cases seal and open; invalid ones are rejected")
    func aesGCM() throws {
        let (tests, skipped) = try Self.tests("aes_gcm_test.json") { group in
            group["keySize"] as? Int == 256 && group["ivSize"] as? Int == 96 && group["tagSize"] as? Int == 128
        }
        var valid = 0, invalid = 0
        for test in tests {
            let id = test["tcId"] as? Int ?? -1
            let key = hexBytes(test["key"] as? String ?? ""), iv = hexBytes(test["iv"] as? String ?? "")
            let aad = hexBytes(test["aad"] as? String ?? ""), msg = hexBytes(test["msg"] as? String ?? "")
            let sealed = hexBytes(test["ct"] as? String ?? "") + hexBytes(test["tag"] as? String ?? "")
            switch test["result"] as? String {
            case "valid":
                valid += 1
                #expect(try AESGCM.seal(key: key, nonce: iv, aad: aad, plaintext: msg) == sealed, "tcId \(id) seal")
                #expect(try AESGCM.open(key: key, nonce: iv, aad: aad, ciphertext: sealed) == msg, "tcId \(id) open")
            default:
                invalid += 1
                #expect(errorCode { try AESGCM.open(key: key, nonce: iv, aad: aad, ciphertext: sealed) } == .authenticationFailed, "tcId \(id) must be rejected")
            }
        }
        print("wycheproof aes_gcm_test.json (256-bit key, 96-bit iv, 128-bit tag): \(valid + invalid) cases (\(valid) valid, \(invalid) invalid); \(skipped) other groups skipped")
        #expect(valid > 0 && invalid > 0)
    }
}
