import Attest
import AttestCrypto
import Foundation
import Testing

@Suite("DSSE envelopes")
struct EnvelopeTests {
    static func signed(_ types: [KeyGenerationType] = [.ed25519], payload: String = #"{"a":1}"#) throws -> (Envelope, [PrivateKey]) {
        let keys = try types.map { try PrivateKey.generate($0) }
        var envelope = Envelope(payloadType: PayloadType.manifest.rawValue, payload: Array(payload.utf8))
        for key in keys { try envelope.sign(with: key) }
        return (envelope, keys)
    }

    static func keyMap(_ keys: [PrivateKey]) -> [String: PublicKey] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0.publicKey.keyID, $0.publicKey) })
    }

    @Test("encode then parse gives the same envelope; both base64 alphabets are read")
    func roundTrip() throws {
        let (envelope, keys) = try Self.signed([.ed25519, .ecdsaP256])
        let parsed = try Envelope.parse(envelope.encoded())
        #expect(parsed == envelope)
        #expect(parsed.verify(keys: Self.keyMap(keys), threshold: 2).meetsThreshold)
        func urlSafe(_ bytes: [UInt8]) -> String {
            Base64.encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let sigs = envelope.signatures.map { #"{"keyid":"\#($0.keyID ?? "")","sig":"\#(urlSafe($0.bytes))"}"# }
        let urlSafe = #"{"payload":"\#(urlSafe(envelope.payload))","payloadType":"\#(envelope.payloadType)","signatures":[\#(sigs.joined(separator: ","))]}"#
        #expect(try Envelope.parse(Array(urlSafe.utf8)) == envelope)
    }

    @Test("threshold counts distinct keys: the same key twice counts once; unknown keys count zero")
    func threshold() throws {
        let (envelope, keys) = try Self.signed([.ed25519])
        var doubled = Envelope(payloadType: envelope.payloadType, payload: envelope.payload,
                               signatures: envelope.signatures + [.init(keyID: "other", bytes: envelope.signatures[0].bytes)])
        #expect(doubled.verify(keys: Self.keyMap(keys), threshold: 2).meetsThreshold == false)
        #expect(doubled.verify(keys: Self.keyMap(keys), threshold: 1).verifiedKeyIDs == [keys[0].publicKey.keyID])
        let stranger = try PrivateKey.generate(.ed25519)
        #expect(!doubled.verify(keys: Self.keyMap([stranger]), threshold: 1).meetsThreshold)
        #expect(!doubled.verify(keys: Self.keyMap(keys), threshold: 0).meetsThreshold)
        try doubled.sign(with: stranger)
        #expect(doubled.verify(keys: Self.keyMap(keys + [stranger]), threshold: 2).meetsThreshold)
    }

    @Test("a wrong keyid hint does not stop a valid signature from counting")
    func keyIDIsOnlyAHint() throws {
        let (envelope, keys) = try Self.signed([.ecdsaP256])
        let misleading = Envelope(payloadType: envelope.payloadType, payload: envelope.payload,
                                  signatures: [.init(keyID: String(repeating: "0", count: 64), bytes: envelope.signatures[0].bytes)])
        #expect(misleading.verify(keys: Self.keyMap(keys), threshold: 1).meetsThreshold)
    }

    @Test("signing twice with one key is refused")
    func signTwice() throws {
        var (envelope, keys) = try Self.signed([.ed25519])
        #expect(throws: AttestError(.usage, "")) { try envelope.sign(with: keys[0]) }
    }

    @Test("malformed envelopes are rejected with a reason naming the member", arguments: [
        (#"{"payloadType":"t","signatures":[{"sig":"AAAA"}]}"#, "payload"),
        (#"{"payload":"AAAA","signatures":[{"sig":"AAAA"}]}"#, "payloadType"),
        (#"{"payload":"AAAA","payloadType":"t"}"#, "signatures"),
        (#"{"payload":"AAAA","payloadType":"t","signatures":[]}"#, "no signatures"),
        (#"{"payload":"A$AA","payloadType":"t","signatures":[{"sig":"AAAA"}]}"#, "base64"),
        (#"{"payload":"AAAA","payloadType":"t","signatures":[{"sig":"A"}]}"#, "base64"),
        (#"{"payload":"AAAA","payloadType":"t","signatures":[{"keyid":"k"}]}"#, "sig"),
        (#"{"payload":"AAAA","payloadType":"t","signatures":[{"sig":"AAAA"}],"extra":1}"#, "extra"),
        (#"{"payload":"AAAA","payload":"AAAA","payloadType":"t","signatures":[{"sig":"AAAA"}]}"#, "duplicate"),
        (#"[1,2]"#, "object"),
    ])
    func malformed(input: String, mentions: String) throws {
        do {
            _ = try Envelope.parse(Array(input.utf8))
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.code == .invalidEnvelope || error.code == .invalidJSON)
            #expect(error.description.contains(mentions), "\(error.description) should mention \(mentions)")
        }
    }

    @Test("base64: non-canonical trailing bits, bad padding and mixed alphabets are rejected")
    func base64Strictness() {
        #expect(Base64.decode("AA==") == [0])
        #expect(Base64.decode("AA") == [0])
        #expect(Base64.decode("AB==") == nil)
        #expect(Base64.decode("A===") == nil)
        #expect(Base64.decode("AA=") == nil)
        #expect(Base64.decode("+_==") == nil)
        #expect(Base64.decode("-_8=") == [0xfb, 0xff])
        #expect(Base64.decode("+/8=") == [0xfb, 0xff])
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }

    @Test("flipping any single byte of the payload, the signature or the envelope text fails verification",
          arguments: [KeyGenerationType.ed25519, .ecdsaP256])
    func tamper(type: KeyGenerationType) throws {
        let (envelope, keys) = try Self.signed([type], payload: #"{"region":"MX","seq":3}"#)
        let trusted = Self.keyMap(keys)
        #expect(envelope.verify(keys: trusted, threshold: 1).meetsThreshold)
        for i in envelope.payload.indices {
            var payload = envelope.payload
            payload[i] ^= 0x01
            let tampered = Envelope(payloadType: envelope.payloadType, payload: payload, signatures: envelope.signatures)
            #expect(!tampered.verify(keys: trusted, threshold: 1).meetsThreshold, "payload byte \(i)")
        }
        for i in envelope.signatures[0].bytes.indices {
            var sig = envelope.signatures[0].bytes
            sig[i] ^= 0x01
            let tampered = Envelope(payloadType: envelope.payloadType, payload: envelope.payload,
                                    signatures: [.init(keyID: envelope.signatures[0].keyID, bytes: sig)])
            #expect(!tampered.verify(keys: trusted, threshold: 1).meetsThreshold, "signature byte \(i)")
        }
        // Every byte of the encoded envelope except the keyid hint, which is not signed by design.
        let text = envelope.encoded()
        let hint = Array((envelope.signatures[0].keyID ?? "").utf8)
        let hintRange = text.firstRange(of: hint) ?? 0..<0
        var checked = 0
        for i in text.indices where !hintRange.contains(i) {
            var bytes = text
            bytes[i] ^= 0x01
            if let parsed = try? Envelope.parse(bytes) {
                #expect(!parsed.verify(keys: trusted, threshold: 1).meetsThreshold, "envelope byte \(i)")
            }
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test("the document digest is sha256 of the payload bytes")
    func digest() throws {
        let envelope = Envelope(payloadType: "t", payload: Array("abc".utf8))
        #expect(envelope.payloadDigest == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
