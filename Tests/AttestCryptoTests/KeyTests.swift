import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

@Suite("Keys, signatures and digests")
struct KeyTests {
    static let signingTypes: [KeyGenerationType] = [.ed25519, .ecdsaP256, .ecdsaP384, .rsa3072]

    @Test("sign and verify round-trip for every signing type; a changed message or signature fails", arguments: signingTypes)
    func roundTrip(type: KeyGenerationType) throws {
        let key = try PrivateKey.generate(type)
        #expect(key.algorithm == type.algorithm)
        let message = Array("deployment manifest".utf8)
        let signature = try key.sign(message)
        #expect(key.publicKey.verify(signature: signature, message: message))
        #expect(!key.publicKey.verify(signature: signature, message: message + [0]))
        var bad = signature
        bad[bad.count / 2] ^= 0x01
        #expect(!key.publicKey.verify(signature: bad, message: message))
        let other = try PrivateKey.generate(type)
        #expect(!other.publicKey.verify(signature: signature, message: message))
    }

    @Test("encrypted PKCS#8 round-trips; a wrong or missing passphrase is reported as such", arguments: [KeyGenerationType.ed25519, .ecdsaP256])
    func encryptedPEM(type: KeyGenerationType) throws {
        let key = try PrivateKey.generate(type)
        let pem = try key.pem(passphrase: Array("correct horse".utf8))
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let loaded = try PrivateKey(pem: pem, passphrase: Array("correct horse".utf8))
        #expect(loaded.publicKey == key.publicKey)
        #expect(errorCode { try PrivateKey(pem: pem, passphrase: Array("wrong".utf8)) } == .wrongPassphrase)
        #expect(errorCode { try PrivateKey(pem: pem) } == .passphraseRequired)
    }

    @Test("scrypt is the key derivation of encrypted keys")
    func scryptUsed() throws {
        let pem = try PrivateKey.generate(.ed25519).pem(passphrase: Array("pw".utf8))
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try #require(Data(base64Encoded: body))
        // id-scrypt OID 1.3.6.1.4.1.11591.4.11 and aes256-CBC OID 2.16.840.1.101.3.4.1.42
        let scryptOID: [UInt8] = [0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b]
        let aesOID: [UInt8] = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a]
        #expect(Array(der).firstRange(of: scryptOID) != nil)
        #expect(Array(der).firstRange(of: aesOID) != nil)
    }

    @Test("truncated and garbage PEM are rejected as invalid keys")
    func badPEM() throws {
        let pem = try PrivateKey.generate(.ed25519).pem(passphrase: nil)
        let truncated = String(pem.prefix(pem.count / 2))
        #expect(errorCode { try PrivateKey(pem: truncated) } == .invalidKey)
        #expect(errorCode { try PrivateKey(pem: "garbage") } == .invalidKey)
        #expect(errorCode { try PrivateKey(pem: "") } == .invalidKey)
        #expect(errorCode { try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") } == .invalidKey)
        #expect(errorCode { try PublicKey(spkiDER: [0x30, 0x03, 0x02, 0x01]) } == .invalidKey)
    }

    @Test("keyid is the SHA-256 of the DER SubjectPublicKeyInfo; PEM round-trips")
    func keyID() throws {
        let key = try PrivateKey.generate(.ecdsaP256).publicKey
        #expect(key.keyID == Hex.encode(SHA256.hash(key.spkiDER)))
        #expect(key.keyID.count == 64)
        let again = try PublicKey(pem: key.pem)
        #expect(again == key && again.keyID == key.keyID)
    }

    @Test("SPKI with trailing bytes is rejected")
    func trailingBytes() throws {
        let key = try PrivateKey.generate(.ed25519).publicKey
        #expect(errorCode { try PublicKey(spkiDER: key.spkiDER + [0]) } == .invalidKey)
    }

    @Test("SHA-256: one-shot, streaming and file agree with the FIPS 180 'abc' vector")
    func sha256() throws {
        let abc = Array("abc".utf8)
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(Hex.encode(SHA256.hash(abc)) == expected)
        let hasher = try SHA256Hasher()
        hasher.update([UInt8(ascii: "a")])
        hasher.update(Array("bc".utf8))
        #expect(Hex.encode(hasher.finalize()) == expected)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("attest-sha-\(UUID().uuidString)").path
        let big = [UInt8](repeating: 0x61, count: 3 << 20 | 5)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(big)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try SHA256.hash(fileAt: path) == SHA256.hash(big))
        #expect(errorCode { try SHA256.hash(fileAt: path + ".missing") } == .io)
    }

    @Test("random bytes differ; constant-time equality is equality")
    func randomAndCompare() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
        #expect(ConstantTime.equals(a, a))
        #expect(!ConstantTime.equals(a, b))
        #expect(!ConstantTime.equals(a, Array(a.prefix(31))))
    }

    @Test("Ed25519 and X25519 PKCS#8 keys from openssl genpkey load with openssl's public key; a short raw key is refused",
          arguments: ["ed25519", "x25519"])
    func rawPKCS8(algorithm: String) throws {
        // These types take a direct path (no decoder chain): it must agree with OpenSSL's own reading.
        let dir = try TemporaryDirectory()
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        let key = dir.path("k.pem"), spki = dir.path("k.der")
        try #require(try CLI.run(executable: openssl, ["genpkey", "-algorithm", algorithm, "-out", key]).status == 0)
        try #require(try CLI.run(executable: openssl, ["pkey", "-in", key, "-pubout", "-outform", "DER", "-out", spki]).status == 0)
        let pem = String(decoding: try dir.read("k.pem"), as: UTF8.self)
        let loaded = try PrivateKey(pem: pem)
        #expect(loaded.publicKey.spkiDER == Array(try dir.read("k.der")))
        #expect(loaded.algorithm == (algorithm == "ed25519" ? .ed25519 : .x25519))
        // A PKCS#8 whose inner OCTET STRING holds 31 bytes instead of 32 (lengths patched to match).
        var der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        #expect(der.count == 48 && der[1] == 0x2e && der[13] == 0x22 && der[15] == 0x20)
        der.removeLast()
        der[1] = 0x2d
        der[13] = 0x21
        der[15] = 0x1f
        let short = "-----BEGIN PRIVATE KEY-----\n\(der.base64EncodedString())\n-----END PRIVATE KEY-----\n"
        #expect(errorCode { try PrivateKey(pem: short) } == .invalidKey)
    }

    @Test("X25519 keys load and have a keyid but do not sign")
    func x25519() throws {
        let key = try PrivateKey.generate(.x25519)
        #expect(key.algorithm == .x25519)
        #expect(key.publicKey.raw?.count == 32)
        #expect(errorCode { try key.sign([1, 2, 3]) } == .unsupportedAlgorithm)
    }
}

/// The code of the CryptoError `body` throws, or nil when it throws nothing (or something else).
func errorCode(_ body: () throws -> Any) -> CryptoError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as CryptoError {
        return error.code
    } catch {
        return nil
    }
}
