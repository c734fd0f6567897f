import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

@Suite("DSSE protocol example", .enabled(if: Vectors.available))
struct DSSEVectorTests {
    static func example() throws -> [String: Any] {
        let data = try Vectors.data("dsse/dsse_protocol_example.json")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("PAE bytes match the example")
    func pae() throws {
        let ex = try Self.example()
        let pae = Envelope.pae(payloadType: try #require(ex["payloadType"] as? String),
                               payload: Array(try #require(ex["payloadUtf8"] as? String).utf8))
        #expect(pae == hexBytes(try #require(ex["paeHex"] as? String)))
        #expect(String(decoding: pae, as: UTF8.self) == ex["paeUtf8"] as? String)
    }

    @Test("the example envelope parses and its signature verifies under the example key")
    func verifies() throws {
        let ex = try Self.example()
        let envelopeJSON = try JSONSerialization.data(withJSONObject: try #require(ex["envelope"]))
        let parsed = try Envelope.parse(Array(envelopeJSON))
        #expect(parsed.signatures.count == 1 && parsed.signatures[0].keyID == nil)
        let key = try PublicKey(pem: try #require((ex["key"] as? [String: Any])?["publicKeyPem"] as? String))
        // The example signs in raw r||s; attest's scheme is DER, so convert and compare with the given DER.
        let der = try ECDSASignature.der(fromRaw: parsed.signatures[0].bytes)
        #expect(der == hexBytes(try #require(ex["sigDerHex"] as? String)))
        let envelope = Envelope(payloadType: parsed.payloadType, payload: parsed.payload,
                                signatures: [.init(keyID: nil, bytes: der)])
        let result = envelope.verify(keys: [key.keyID: key], threshold: 1)
        #expect(result.meetsThreshold)
        // The keyid in the doctest variant is a meaningless hint: it must not change the outcome.
        let hinted = Envelope(payloadType: parsed.payloadType, payload: parsed.payload,
                              signatures: [.init(keyID: "66301bbf", bytes: der)])
        #expect(hinted.verify(keys: [key.keyID: key], threshold: 1).meetsThreshold)
        // The raw form is not DER and must not verify under attest's strict scheme.
        #expect(!parsed.verify(keys: [key.keyID: key], threshold: 1).meetsThreshold)
    }
}
