internal import COpenSSL

/// A private key: made by `generate`, or read from PKCS#8 PEM (encrypted or not).
///
/// Guarantees: the key is of a supported algorithm; `sign` uses the one scheme of that algorithm
/// (Ed25519; ECDSA with SHA-256/384 and DER signatures; RSA-PSS SHA-256, MGF1-SHA-256, salt 32).
public struct PrivateKey: Sendable {
    let key: EVPKey
    public let algorithm: KeyAlgorithm
    public let publicKey: PublicKey

    init(key: EVPKey) throws(CryptoError) {
        self.key = key
        self.algorithm = try key.algorithm()
        if algorithm == .ed25519 || algorithm == .x25519 {
            // The raw public half, without an SPKI encode and decode round trip through OpenSSL's codecs.
            var raw = [UInt8](repeating: 0, count: 32)
            var count = raw.count
            guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &count) == 1, count == 32 else {
                throw CryptoError(.openSSL, "cannot read the public key")
            }
            self.publicKey = try PublicKey(raw: raw, algorithm: algorithm)
            return
        }
        // Writing the public half as SPKI and reading it back gives a key object with no private part.
        let length = i2d_PUBKEY(key.pointer, nil)
        guard length > 0 else { throw CryptoError(.openSSL, "cannot encode the public key") }
        var der = [UInt8](repeating: 0, count: Int(length))
        _ = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(key.pointer, &cursor)
        }
        self.publicKey = try PublicKey(spkiDER: der)
    }

    /// Makes a new key from OpenSSL's default random source.
    public static func generate(_ type: KeyGenerationType) throws(CryptoError) -> PrivateKey {
        let made: OpaquePointer?
        switch type {
        case .ed25519: made = attest_keygen("ED25519", nil, 0)
        case .x25519: made = attest_keygen("X25519", nil, 0)
        case .ecdsaP256: made = attest_keygen("EC", "P-256", 0)
        case .ecdsaP384: made = attest_keygen("EC", "P-384", 0)
        case .rsa3072: made = attest_keygen("RSA", nil, 3072)
        case .rsa4096: made = attest_keygen("RSA", nil, 4096)
        }
        guard let made else { throw CryptoError(.openSSL, "key generation failed for \(type.rawValue)") }
        return try PrivateKey(key: EVPKey(taking: made))
    }

    /// Reads a PKCS#8 PEM private key. An encrypted key needs `passphrase`; a wrong one is reported as such.
    public init(pem: String, passphrase: [UInt8]? = nil) throws(CryptoError) {
        let block = try PEMBlock(Array(pem.utf8))
        let info: OpaquePointer
        switch block.label {
        case "ENCRYPTED PRIVATE KEY":
            guard let passphrase else {
                throw CryptoError(.passphraseRequired, "the private key is encrypted and no passphrase was given", drainingQueue: false)
            }
            guard !passphrase.isEmpty, !passphrase.contains(0) else {
                throw CryptoError(.invalidInput, "the passphrase is empty or contains a NUL byte", drainingQueue: false)
            }
            let sealed: OpaquePointer? = block.der.withUnsafeBufferPointer { buffer in
                var cursor = buffer.baseAddress
                return d2i_X509_SIG(nil, &cursor, buffer.count)
            }
            guard let sealed else { throw CryptoError(.invalidKey, "encrypted private key does not parse (corrupt DER)") }
            defer { X509_SIG_free(sealed) }
            let opened = passphrase.withUnsafeBufferPointer { pass in
                pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(pass.count, 1)) { p in
                    PKCS8_decrypt(sealed, p, Int32(pass.count))
                }
            }
            guard let opened else {
                throw CryptoError(.wrongPassphrase, "wrong passphrase for the private key (or the key file is corrupt)")
            }
            info = opened
        case "PRIVATE KEY":
            let parsed: OpaquePointer? = block.der.withUnsafeBufferPointer { buffer in
                var cursor = buffer.baseAddress
                return d2i_PKCS8_PRIV_KEY_INFO(nil, &cursor, buffer.count)
            }
            guard let parsed else { throw CryptoError(.invalidKey, "private key does not parse (corrupt PKCS#8 DER)") }
            info = parsed
        default:
            throw CryptoError(.invalidKey, "expected a PKCS#8 private key, found a PEM block labelled \"\(block.label)\"", drainingQueue: false)
        }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        guard let pkey = attest_raw_pkcs8_key(info) ?? EVP_PKCS82PKEY(info) else {
            throw CryptoError(.invalidKey, "private key does not parse (unknown or corrupt key inside PKCS#8)")
        }
        try self.init(key: EVPKey(taking: pkey))
    }

    /// PKCS#8 PEM: with a passphrase, encrypted with AES-256-CBC under scrypt (N=2^14, r=8, p=1).
    public func pem(passphrase: [UInt8]?) throws(CryptoError) -> String {
        guard let info = EVP_PKEY2PKCS8(key.pointer) else { throw CryptoError(.openSSL, "cannot encode the private key") }
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        let bytes: [UInt8] = try withMemoryBIO { bio throws(CryptoError) in
            if let passphrase {
                guard !passphrase.isEmpty, !passphrase.contains(0) else {
                    throw CryptoError(.invalidInput, "the passphrase is empty or contains a NUL byte", drainingQueue: false)
                }
                let sealed = passphrase.withUnsafeBufferPointer { pass in
                    pass.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pass.count) { p in
                        attest_pkcs8_encrypt_scrypt(info, p, Int32(pass.count))
                    }
                }
                guard let sealed else { throw CryptoError(.openSSL, "cannot encrypt the private key") }
                defer { X509_SIG_free(sealed) }
                guard PEM_write_bio_PKCS8(bio, sealed) == 1 else { throw CryptoError(.openSSL, "cannot write the private key") }
            } else {
                guard PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio, info) == 1 else {
                    throw CryptoError(.openSSL, "cannot write the private key")
                }
            }
            return memoryBIOContents(bio)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Signs `message` under the key's scheme.
    public func sign(_ message: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        guard algorithm.canSign else {
            throw CryptoError(.unsupportedAlgorithm, "\(algorithm) keys do not sign", drainingQueue: false)
        }
        return try withDigestContext { ctx throws(CryptoError) in
            var pctx: OpaquePointer? = nil
            guard EVP_DigestSignInit(ctx, &pctx, algorithm.digest, nil, key.pointer) == 1 else {
                throw CryptoError(.openSSL, "cannot start signing")
            }
            if case .rsa = algorithm, attest_set_rsa_pss(pctx) != 1 {
                throw CryptoError(.openSSL, "cannot set RSA-PSS parameters")
            }
            let msg = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var length = 0
            guard EVP_DigestSign(ctx, nil, &length, msg, message.count) == 1 else {
                throw CryptoError(.openSSL, "cannot size the signature")
            }
            var signature = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(ctx, &signature, &length, msg, message.count) == 1 else {
                throw CryptoError(.openSSL, "signing failed")
            }
            signature.removeSubrange(length...)
            return signature
        }
    }

    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        let result: Result<[UInt8], CryptoError> = message.withUnsafeBytes { raw in
            do throws(CryptoError) { return .success(try sign(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// One PEM block: its label and decoded DER. Read by OpenSSL's PEM parser, so line rules match OpenSSL's.
struct PEMBlock {
    let label: String
    let der: [UInt8]

    init(_ text: [UInt8]) throws(CryptoError) {
        guard !text.isEmpty else { throw CryptoError(.invalidKey, "empty key file", drainingQueue: false) }
        let parsed: (String, [UInt8])? = try withReadBIO(text) { bio in
            var name: UnsafeMutablePointer<CChar>? = nil
            var header: UnsafeMutablePointer<CChar>? = nil
            var data: UnsafeMutablePointer<UInt8>? = nil
            var length = 0
            guard PEM_read_bio(bio, &name, &header, &data, &length) == 1, let name, let data else { return nil }
            defer {
                CRYPTO_free(name, nil, 0)
                CRYPTO_free(header, nil, 0)
                CRYPTO_free(data, nil, 0)
            }
            return (String(cString: name), Array(UnsafeBufferPointer(start: data, count: length)))
        }
        guard let parsed else {
            throw CryptoError(.invalidKey, "not a PEM file, or a truncated or corrupt one")
        }
        label = parsed.0
        der = parsed.1
    }
}
