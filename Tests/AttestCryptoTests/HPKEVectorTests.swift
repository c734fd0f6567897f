@testable import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// RFC 9180 base-mode vectors for DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256, every AEAD in the file
/// (AES-256-GCM is the one attest uses and must be present). Each step is checked on its own: the
/// deterministic Encap from skEm, the key schedule, every encryption at its sequence number (sealed
/// by the sender, opened by the receiver), and every export.
@Suite("RFC 9180 HPKE vectors", .enabled(if: Vectors.available))
struct HPKEVectorTests {
    struct Tally: CustomStringConvertible {
        var entries = 0, encryptions = 0, exports = 0
        var description: String { "\(entries) entries, \(encryptions) encryptions, \(exports) exports" }
    }

    @Test("mode 0, X25519, HKDF-SHA256: enc, shared secret, key schedule, encryptions and exports match")
    func baseMode() throws {
        let data = try Vectors.data("hpke-rfc9180/test-vectors-mode0-x25519-hkdfsha256.json")
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var tallies: [HPKE.AEAD: Tally] = [:]
        for entry in entries {
            func hex(_ field: String) throws -> [UInt8] { hexBytes(try #require(entry[field] as? String, "missing \(field)")) }
            let aeadID = try #require(entry["aead_id"] as? Int)
            guard let aead = HPKE.AEAD(rawValue: UInt16(aeadID)) else {
                Issue.record("aead_id \(aeadID) is not one this HPKE supports")
                continue
            }
            #expect(entry["mode"] as? Int == 0)
            #expect(entry["kem_id"] as? Int == Int(HPKE.kemID))
            #expect(entry["kdf_id"] as? Int == Int(HPKE.kdfID))
            let info = try hex("info")

            // Keys: skEm/skRm give pkEm/pkRm, and DeriveKeyPair(ikm) gives the same keys.
            let skE = try PrivateKey(rawX25519: hex("skEm"))
            let skR = try PrivateKey(rawX25519: hex("skRm"))
            #expect(skE.publicKey.raw == (try hex("pkEm")))
            #expect(skR.publicKey.raw == (try hex("pkRm")))
            #expect(try HPKE.deriveKeyPair(ikm: hex("ikmE")).publicKey == skE.publicKey)
            #expect(try HPKE.deriveKeyPair(ikm: hex("ikmR")).publicKey == skR.publicKey)
            let pkR = try PublicKey(raw: hex("pkRm"), algorithm: .x25519)

            // Encap with the vector's ephemeral key, Decap with the recipient's.
            let (sharedSecret, enc) = try HPKE.encap(recipient: pkR, ephemeral: skE)
            #expect(enc == (try hex("enc")))
            #expect(sharedSecret == (try hex("shared_secret")))
            #expect(try HPKE.decap(enc: enc, recipient: skR) == sharedSecret)

            let schedule = try HPKE.keySchedule(aead: aead, sharedSecret: sharedSecret, info: info)
            #expect(schedule.keyScheduleContext == (try hex("key_schedule_context")))
            #expect(schedule.secret == (try hex("secret")))
            #expect(schedule.key == (try hex("key")))
            #expect(schedule.baseNonce == (try hex("base_nonce")))
            #expect(schedule.exporterSecret == (try hex("exporter_secret")))

            // The public setup paths, the sender's with the fixed ephemeral key.
            let (senderEnc, sender) = try HPKE.setupBaseSender(recipient: pkR, info: info, aead: aead, ephemeral: skE)
            #expect(senderEnc == enc)
            let receiver = try HPKE.setupBaseReceiver(enc: senderEnc, recipient: skR, info: info, aead: aead)

            var tally = Tally(entries: 1)
            let encryptions = try #require(entry["encryptions"] as? [[String: String]])
            for (sequence, encryption) in encryptions.enumerated() {
                let pt = hexBytes(encryption["pt"] ?? ""), aad = hexBytes(encryption["aad"] ?? "")
                let ct = hexBytes(encryption["ct"] ?? ""), nonce = hexBytes(encryption["nonce"] ?? "")
                // The file lists the encryptions in sequence order from 0; the nonce proves which one each is.
                #expect(sender.state.sequence == UInt64(sequence))
                #expect(sender.state.nonce(UInt64(sequence)) == nonce, "aead \(aeadID) seq \(sequence): nonce")
                #expect(try sender.seal(aad: aad, plaintext: pt) == ct, "aead \(aeadID) seq \(sequence): ciphertext")
                #expect(try receiver.open(aad: aad, ciphertext: ct) == pt, "aead \(aeadID) seq \(sequence): plaintext")
                tally.encryptions += 1
            }
            let exports = try #require(entry["exports"] as? [[String: Any]])
            for export in exports {
                let context = hexBytes(try #require(export["exporter_context"] as? String))
                let length = try #require(export["L"] as? Int)
                let value = hexBytes(try #require(export["exported_value"] as? String))
                #expect(try sender.export(context: context, length: length) == value)
                #expect(try receiver.export(context: context, length: length) == value)
                tally.exports += 1
            }
            tallies[aead, default: Tally()].entries += tally.entries
            tallies[aead, default: Tally()].encryptions += tally.encryptions
            tallies[aead, default: Tally()].exports += tally.exports
        }
        for aead in HPKE.AEAD.allCases { print("hpke rfc9180 aead \(aead.rawValue) (\(aead)): \(tallies[aead] ?? Tally())") }
        let required = try #require(tallies[.aes256GCM], "no AES-256-GCM entry in the vectors")
        #expect(required.entries > 0 && required.encryptions > 0 && required.exports > 0)
    }
}
