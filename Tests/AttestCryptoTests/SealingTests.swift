@testable import AttestCrypto
import Foundation
import Testing

@Suite("Sealing primitives: AES-GCM, X25519, HKDF, HPKE")
struct SealingTests {
    static func random(_ count: Int) throws -> [UInt8] { try SecureRandom.bytes(count) }

    // MARK: AES-GCM

    @Test("AES-GCM: flipping a ciphertext, tag, AAD or nonce byte, a wrong key or truncation fails to open")
    func aesGCMTamper() throws {
        let key = try Self.random(32), nonce = try Self.random(12)
        let aad = Array("chunk 0, not last".utf8), plaintext = try Self.random(100)
        let sealed = try AESGCM.seal(key: key, nonce: nonce, aad: aad, plaintext: plaintext)
        #expect(sealed.count == plaintext.count + AESGCM.tagByteCount)
        #expect(try AESGCM.open(key: key, nonce: nonce, aad: aad, ciphertext: sealed) == plaintext)

        func flipped(_ bytes: [UInt8], at index: Int) -> [UInt8] {
            var copy = bytes
            copy[index] ^= 0x01
            return copy
        }
        for index in [0, plaintext.count - 1, plaintext.count, sealed.count - 1] {
            #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: aad, ciphertext: flipped(sealed, at: index)) } == .authenticationFailed, "byte \(index)")
        }
        #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: flipped(aad, at: 3), ciphertext: sealed) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: [], ciphertext: sealed) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: key, nonce: flipped(nonce, at: 11), aad: aad, ciphertext: sealed) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: Self.random(32), nonce: nonce, aad: aad, ciphertext: sealed) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: aad, ciphertext: Array(sealed.dropLast())) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: aad, ciphertext: Array(sealed.prefix(15))) } == .authenticationFailed)
        #expect(errorCode { try AESGCM.open(key: key, nonce: nonce, aad: aad, ciphertext: []) } == .authenticationFailed)
    }

    @Test("AES-GCM: a failed open leaves zeros, not unauthenticated plaintext, in the caller's buffer")
    func aesGCMNoPartialPlaintext() throws {
        let key = try Self.random(32), nonce = try Self.random(12), plaintext = try Self.random(4096)
        var sealed = try AESGCM.seal(key: key, nonce: nonce, plaintext: plaintext)
        sealed[sealed.count - 1] ^= 0x80
        let context = try AESGCM.Context(key: key)
        var out = [UInt8](repeating: 0xaa, count: plaintext.count + 7)
        let code = nonce.withUnsafeBytes { n in
            sealed.withUnsafeBytes { c in
                out.withUnsafeMutableBytes { o in
                    errorCode { try context.open(nonce: n, aad: UnsafeRawBufferPointer(start: nil, count: 0), ciphertext: c, into: o) }
                }
            }
        }
        #expect(code == .authenticationFailed)
        #expect(out.prefix(plaintext.count).allSatisfy { $0 == 0 })
        #expect(out.suffix(7).allSatisfy { $0 == 0xaa })
    }

    @Test("AES-GCM: a reused context over 64 KiB chunks matches one-shot seal and open, in buffers and in place")
    func aesGCMStreaming() throws {
        let key = try Self.random(32), base = try Self.random(12)
        let chunk = 64 * 1024
        let body = try Self.random(3 * chunk + 1234)
        let sealer = try AESGCM.Context(key: key), opener = try AESGCM.Context(key: key)
        var sealedChunk = [UInt8](repeating: 0, count: chunk + AESGCM.tagByteCount)
        var openedChunk = [UInt8](repeating: 0, count: chunk)
        var index: UInt64 = 0
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunk, body.count)
            let last = end == body.count
            // age-style STREAM: nonce = base XOR counter, last-chunk flag in the AAD.
            var nonce = base
            for i in 0..<8 { nonce[11 - i] ^= UInt8(truncatingIfNeeded: index >> (8 * UInt64(i))) }
            let aad: [UInt8] = [last ? 1 : 0]
            let plain = Array(body[offset..<end])

            let written = try nonce.withUnsafeBytes { n in
                try aad.withUnsafeBytes { a in
                    try plain.withUnsafeBytes { p in
                        try sealedChunk.withUnsafeMutableBytes { o in try sealer.seal(nonce: n, aad: a, plaintext: p, into: o) }
                    }
                }
            }
            #expect(written == plain.count + AESGCM.tagByteCount)
            let sealed = Array(sealedChunk.prefix(written))
            #expect(sealed == (try AESGCM.seal(key: key, nonce: nonce, aad: aad, plaintext: plain)), "chunk \(index)")

            let read = try nonce.withUnsafeBytes { n in
                try aad.withUnsafeBytes { a in
                    try sealed.withUnsafeBytes { c in
                        try openedChunk.withUnsafeMutableBytes { o in try opener.open(nonce: n, aad: a, ciphertext: c, into: o) }
                    }
                }
            }
            #expect(read == plain.count && Array(openedChunk.prefix(read)) == plain, "chunk \(index)")
            // The same context both ways, and the array forms, on the same chunk.
            #expect(try sealer.open(nonce: nonce, aad: aad, ciphertext: sealed) == plain)
            #expect(try opener.seal(nonce: nonce, aad: aad, plaintext: plain) == sealed)

            // In place: one buffer holds the plaintext, then the sealed chunk, then the plaintext again.
            var buffer = plain + [UInt8](repeating: 0, count: AESGCM.tagByteCount)
            let sealedInPlace = try nonce.withUnsafeBytes { n in
                try aad.withUnsafeBytes { a in
                    try buffer.withUnsafeMutableBytes { b in
                        try sealer.seal(nonce: n, aad: a, plaintext: UnsafeRawBufferPointer(rebasing: b[0..<plain.count]), into: b)
                    }
                }
            }
            #expect(sealedInPlace == buffer.count && buffer == sealed)
            let openedInPlace = try nonce.withUnsafeBytes { n in
                try aad.withUnsafeBytes { a in
                    try buffer.withUnsafeMutableBytes { b in
                        try opener.open(nonce: n, aad: a, ciphertext: UnsafeRawBufferPointer(b), into: b)
                    }
                }
            }
            #expect(openedInPlace == plain.count && Array(buffer.prefix(plain.count)) == plain)

            offset = end
            index += 1
        }
        #expect(index == 4)
        // An empty message still carries a tag and opens to nothing.
        let empty = try sealer.seal(nonce: base, aad: [], plaintext: [])
        #expect(empty.count == AESGCM.tagByteCount)
        #expect(try opener.open(nonce: base, aad: [], ciphertext: empty) == [])
    }

    @Test("AES-GCM: wrong key, nonce and buffer sizes are invalid input")
    func aesGCMSizes() throws {
        let key = try Self.random(32), nonce = try Self.random(12)
        #expect(errorCode { try AESGCM.Context(key: Self.random(16)) } == .invalidInput)
        #expect(errorCode { try AESGCM.seal(key: key, nonce: Self.random(16), plaintext: [1]) } == .invalidInput)
        #expect(errorCode { try AESGCM.open(key: key, nonce: Self.random(8), ciphertext: Self.random(32)) } == .invalidInput)
        let context = try AESGCM.Context(key: key)
        var small = [UInt8](repeating: 0, count: 20)
        let plaintext = [UInt8](repeating: 7, count: 10)
        let code = nonce.withUnsafeBytes { n in
            plaintext.withUnsafeBytes { p in
                small.withUnsafeMutableBytes { o in errorCode { try context.seal(nonce: n, aad: UnsafeRawBufferPointer(start: nil, count: 0), plaintext: p, into: o) } }
            }
        }
        #expect(code == .invalidInput)
    }

    // MARK: X25519

    @Test("X25519: both sides agree; low-order peer keys (all-zero output) are rejected; other key kinds refused")
    func x25519() throws {
        let a = try PrivateKey.generate(.x25519), b = try PrivateKey.generate(.x25519)
        let ab = try X25519.sharedSecret(privateKey: a, publicKey: b.publicKey)
        #expect(ab.count == 32)
        #expect(ab == (try X25519.sharedSecret(privateKey: b, publicKey: a.publicKey)))
        // u = 0 and u = 1 are points of small order: every scalar maps them to zero.
        for u: UInt8 in [0, 1] {
            let low = try PublicKey(raw: [u] + [UInt8](repeating: 0, count: 31), algorithm: .x25519)
            #expect(errorCode { try X25519.sharedSecret(privateKey: a, publicKey: low) } == .invalidKey, "u = \(u)")
        }
        let ed = try PrivateKey.generate(.ed25519)
        #expect(errorCode { try X25519.sharedSecret(privateKey: ed, publicKey: a.publicKey) } == .unsupportedAlgorithm)
        #expect(errorCode { try X25519.sharedSecret(privateKey: a, publicKey: ed.publicKey) } == .unsupportedAlgorithm)
        #expect(errorCode { try PrivateKey(rawX25519: [1, 2, 3]) } == .invalidKey)
    }

    // MARK: HKDF

    @Test("HKDF: output sizes outside 1...8160 and short PRKs are invalid input; an empty salt is 32 zero bytes")
    func hkdfBounds() throws {
        let ikm = try Self.random(32)
        #expect(errorCode { try HKDF.deriveKey(ikm: ikm, salt: [], info: [], length: 0) } == .invalidInput)
        #expect(errorCode { try HKDF.deriveKey(ikm: ikm, salt: [], info: [], length: 8161) } == .invalidInput)
        #expect(try HKDF.deriveKey(ikm: ikm, salt: [], info: [], length: 8160).count == 8160)
        #expect(errorCode { try HKDF.expand(prk: Self.random(31), info: [], length: 32) } == .invalidInput)
        #expect(try HKDF.extract(salt: [], ikm: ikm) == (try HKDF.extract(salt: [UInt8](repeating: 0, count: 32), ikm: ikm)))
        #expect(try HKDF.extract(salt: [], ikm: []).count == 32)
        // Long info (HPKE exporter contexts can be long) goes through OpenSSL 3.0's HKDF.
        let prk = try HKDF.extract(salt: [], ikm: ikm)
        #expect(try HKDF.expand(prk: prk, info: Self.random(4096), length: 32).count == 32)
    }

    // MARK: HPKE

    @Test("HPKE: random keys round-trip in order, exports agree, for every AEAD", arguments: HPKE.AEAD.allCases)
    func hpkeRoundTrip(aead: HPKE.AEAD) throws {
        let recipient = try PrivateKey.generate(.x25519)
        let info = Array("attest manifest sha256:".utf8) + (try Self.random(32))
        let (enc, sender) = try HPKE.setupBaseSender(recipient: recipient.publicKey, info: info, aead: aead)
        #expect(enc.count == HPKE.encapsulatedKeyByteCount)
        let receiver = try HPKE.setupBaseReceiver(enc: enc, recipient: recipient, info: info, aead: aead)
        let messages = try (0..<5).map { try Self.random($0 * 37) }
        let sealed = try messages.enumerated().map { try sender.seal(aad: [UInt8($0.offset)], plaintext: $0.element) }
        // The same plaintext twice gives different ciphertexts: each message has its own nonce.
        #expect(try sender.seal(plaintext: [1, 2, 3]) != (try sender.seal(plaintext: [1, 2, 3])))
        for (i, ct) in sealed.enumerated() {
            #expect(try receiver.open(aad: [UInt8(i)], ciphertext: ct) == messages[i])
        }
        #expect(try sender.export(context: Array("file key".utf8), length: 32) == (try receiver.export(context: Array("file key".utf8), length: 32)))
        #expect(try sender.export(context: [], length: 64) != (try sender.export(context: [0], length: 64)))
        #expect(errorCode { try sender.export(context: [], length: 0) } == .invalidInput)
        #expect(errorCode { try sender.export(context: [], length: 8161) } == .invalidInput)
        // A fresh sender to the same key gets a fresh ephemeral key.
        #expect(try HPKE.setupBaseSender(recipient: recipient.publicKey, info: info, aead: aead).enc != enc)
    }

    @Test("HPKE: a wrong recipient, wrong info, changed enc or AAD, or a message out of order fails to open")
    func hpkeFailures() throws {
        let recipient = try PrivateKey.generate(.x25519), other = try PrivateKey.generate(.x25519)
        let info = Array("info".utf8)
        let (enc, sender) = try HPKE.setupBaseSender(recipient: recipient.publicKey, info: info)
        let first = try sender.seal(aad: [1], plaintext: Array("file key one".utf8))
        let second = try sender.seal(aad: [2], plaintext: Array("file key two".utf8))

        let wrongKey = try HPKE.setupBaseReceiver(enc: enc, recipient: other, info: info)
        #expect(errorCode { try wrongKey.open(aad: [1], ciphertext: first) } == .authenticationFailed)
        let wrongInfo = try HPKE.setupBaseReceiver(enc: enc, recipient: recipient, info: Array("other".utf8))
        #expect(errorCode { try wrongInfo.open(aad: [1], ciphertext: first) } == .authenticationFailed)
        var changedEnc = enc
        changedEnc[0] ^= 0x40
        let wrongEnc = try HPKE.setupBaseReceiver(enc: changedEnc, recipient: recipient, info: info)
        #expect(errorCode { try wrongEnc.open(aad: [1], ciphertext: first) } == .authenticationFailed)
        let wrongAEAD = try HPKE.setupBaseReceiver(enc: enc, recipient: recipient, info: info, aead: .chacha20Poly1305)
        #expect(errorCode { try wrongAEAD.open(aad: [1], ciphertext: first) } == .authenticationFailed)

        let receiver = try HPKE.setupBaseReceiver(enc: enc, recipient: recipient, info: info)
        #expect(errorCode { try receiver.open(aad: [2], ciphertext: second) } == .authenticationFailed)
        #expect(errorCode { try receiver.open(aad: [9], ciphertext: first) } == .authenticationFailed)
        // Failures do not move the sequence on: the right messages still open, in order.
        #expect(receiver.state.sequence == 0)
        #expect(try receiver.open(aad: [1], ciphertext: first) == Array("file key one".utf8))
        #expect(try receiver.open(aad: [2], ciphertext: second) == Array("file key two".utf8))
        // Replaying the first message after the second fails.
        #expect(errorCode { try receiver.open(aad: [1], ciphertext: first) } == .authenticationFailed)

        #expect(errorCode { try HPKE.setupBaseReceiver(enc: Array(enc.dropLast()), recipient: recipient, info: info) } == .invalidInput)
        #expect(errorCode { try HPKE.setupBaseReceiver(enc: [UInt8](repeating: 0, count: 32), recipient: recipient, info: info) } == .invalidKey)
        let signing = try PrivateKey.generate(.ed25519)
        #expect(errorCode { try HPKE.setupBaseSender(recipient: signing.publicKey, info: info) } == .unsupportedAlgorithm)
        #expect(errorCode { try HPKE.setupBaseReceiver(enc: enc, recipient: signing, info: info) } == .unsupportedAlgorithm)
    }

    @Test("HPKE: the sequence number never wraps")
    func hpkeSequenceLimit() throws {
        let recipient = try PrivateKey.generate(.x25519)
        let (_, sender) = try HPKE.setupBaseSender(recipient: recipient.publicKey, info: [])
        sender.state.sequence = UInt64.max - 1
        _ = try sender.seal(plaintext: [1])
        #expect(errorCode { try sender.seal(plaintext: [2]) } == .invalidInput)
        #expect(sender.state.sequence == UInt64.max)
    }
}
