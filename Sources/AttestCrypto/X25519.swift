internal import COpenSSL

/// X25519 key agreement (RFC 7748) through `EVP_PKEY_derive`.
public enum X25519 {
    public static let byteCount = 32

    /// The 32-byte shared secret of `privateKey` and `publicKey`, both X25519 keys.
    ///
    /// A peer key of small order makes the output all zeros whatever our key is; that result is
    /// rejected with `.invalidKey` (the RFC 7748 §6.1 check, which RFC 9180's DHKEM relies on).
    public static func sharedSecret(privateKey: PrivateKey, publicKey: PublicKey) throws(CryptoError) -> [UInt8] {
        guard privateKey.algorithm == .x25519, publicKey.algorithm == .x25519 else {
            throw CryptoError(
                .unsupportedAlgorithm,
                "X25519 needs two x25519 keys, found \(privateKey.algorithm) and \(publicKey.algorithm)",
                drainingQueue: false)
        }
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, privateKey.key.pointer, nil) else {
            throw CryptoError(.openSSL, "cannot allocate a key-agreement context")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_derive_init(ctx) == 1 else { throw CryptoError(.openSSL, "cannot start X25519") }
        guard EVP_PKEY_derive_set_peer(ctx, publicKey.key.pointer) == 1 else {
            throw CryptoError(.invalidKey, "the peer's X25519 public key is not usable")
        }
        var out = [UInt8](repeating: 0, count: byteCount)
        var length = byteCount
        // OpenSSL fails the derivation itself on an all-zero result, so a failure here means a low-order peer key.
        guard EVP_PKEY_derive(ctx, &out, &length) == 1 else {
            throw CryptoError(.invalidKey, "X25519 with the peer's public key failed (a point of small order)")
        }
        guard length == byteCount else { throw CryptoError(.openSSL, "X25519 gave \(length) bytes, not 32") }
        // Checked here too so the rule does not rest on OpenSSL internals; OR-ing every byte takes constant time.
        var any: UInt8 = 0
        for byte in out { any |= byte }
        guard any != 0 else {
            throw CryptoError(.invalidKey, "the peer's X25519 public key is of small order (all-zero shared secret)", drainingQueue: false)
        }
        return out
    }
}

extension PrivateKey {
    /// An X25519 private key from its 32 raw bytes (the RFC 7748 scalar; OpenSSL clamps it when used).
    /// For test vectors and HPKE's DeriveKeyPair; key files hold PKCS#8.
    init(rawX25519 raw: [UInt8]) throws(CryptoError) {
        guard raw.count == X25519.byteCount else {
            throw CryptoError(.invalidKey, "x25519 private key must be 32 bytes, found \(raw.count)", drainingQueue: false)
        }
        guard let made = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, raw, raw.count) else {
            throw CryptoError(.invalidKey, "x25519 private key does not load")
        }
        try self.init(key: EVPKey(taking: made))
    }
}
