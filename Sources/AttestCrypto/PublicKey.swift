internal import COpenSSL

/// A public key attest can verify with (or seal to, for X25519).
///
/// Guarantees: the key is of a supported algorithm, and `keyID` is the lowercase hex SHA-256 of its DER
/// SubjectPublicKeyInfo, the identifier used in every document.
public struct PublicKey: Sendable, Hashable {
    let key: EVPKey
    public let algorithm: KeyAlgorithm
    /// DER SubjectPublicKeyInfo.
    public let spkiDER: [UInt8]
    /// Lowercase hex SHA-256 of `spkiDER`.
    public let keyID: String

    init(key original: EVPKey) throws(CryptoError) {
        let algorithm = try original.algorithm()
        let key = try Self.checked(original, algorithm)
        self.key = key
        self.algorithm = algorithm
        let length = i2d_PUBKEY(key.pointer, nil)
        guard length > 0 else { throw CryptoError(.openSSL, "cannot encode the public key") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(key.pointer, &cursor)
        }
        guard written == length else { throw CryptoError(.openSSL, "cannot encode the public key") }
        self.spkiDER = der
        self.keyID = Hex.encode(SHA256.hash(der))
    }

    /// The key in its canonical form, or an error for a weak one. A key has one identity whatever encoding it
    /// arrived in: EC keys become named-curve keys with an uncompressed point (so a compressed, hybrid or
    /// explicit-parameter SPKI of one key gets that key's one key id). Refused: EC points off the curve, RSA
    /// exponents other than 65537 (moduli under 2048 bits are refused by `algorithm()`), and Ed25519
    /// small-order points, under which one fixed signature verifies every message.
    static func checked(_ key: EVPKey, _ algorithm: KeyAlgorithm) throws(CryptoError) -> EVPKey {
        switch algorithm {
        case .ecdsaP256, .ecdsaP384:
            guard let canonical = attest_ec_canonical(key.pointer, algorithm == .ecdsaP256 ? "prime256v1" : "secp384r1") else {
                throw CryptoError(.invalidKey, "the EC public key is not a point of its curve")
            }
            return EVPKey(taking: canonical)
        case .rsa:
            switch attest_rsa_exponent_is_f4(key.pointer) {
            case 1: return key
            case 0: throw CryptoError(.invalidKey, "RSA public exponent must be 65537", drainingQueue: false)
            default: throw CryptoError(.invalidKey, "cannot read the RSA public exponent")
            }
        case .ed25519:
            var length = 32
            var raw = [UInt8](repeating: 0, count: 32)
            guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == 32 else {
                throw CryptoError(.invalidKey, "cannot read the ed25519 public key")
            }
            guard !Ed25519SmallOrder.isNonCanonical(raw) else {
                throw CryptoError(.invalidKey, "ed25519 public key is not canonically encoded (y ≥ p)", drainingQueue: false)
            }
            guard !Ed25519SmallOrder.contains(raw) else {
                throw CryptoError(.invalidKey, "ed25519 public key is a small-order point (a fixed signature would verify every message)", drainingQueue: false)
            }
            return key
        case .x25519:
            return key
        }
    }

    /// Reads a DER SubjectPublicKeyInfo; trailing bytes are rejected.
    public init(spkiDER der: [UInt8]) throws(CryptoError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            // Reject trailing bytes: a key has exactly one encoding.
            if let key, let cursor, let base = buffer.baseAddress, cursor - base != buffer.count {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        guard let parsed else {
            throw CryptoError(.invalidKey, "not a DER SubjectPublicKeyInfo")
        }
        try self.init(key: EVPKey(taking: parsed))
    }

    /// Reads an SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    public init(pem: String) throws(CryptoError) {
        let bytes = Array(pem.utf8)
        guard pem.containsBytes("-----BEGIN PUBLIC KEY-----") else {
            throw CryptoError(.invalidKey, "not a PEM public key (no BEGIN PUBLIC KEY line)", drainingQueue: false)
        }
        let parsed: OpaquePointer? = try withReadBIO(bytes) { bio in PEM_read_bio_PUBKEY(bio, nil, nil, nil) }
        guard let parsed else {
            throw CryptoError(.invalidKey, "PEM public key does not parse (truncated or corrupt)")
        }
        try self.init(key: EVPKey(taking: parsed))
    }

    /// An Ed25519 or X25519 key from its 32 raw bytes.
    public init(raw: [UInt8], algorithm: KeyAlgorithm) throws(CryptoError) {
        let type: Int32
        switch algorithm {
        case .ed25519: type = EVP_PKEY_ED25519
        case .x25519: type = EVP_PKEY_X25519
        default: throw CryptoError(.unsupportedAlgorithm, "raw public keys are only for ed25519 and x25519", drainingQueue: false)
        }
        guard raw.count == 32 else {
            throw CryptoError(.invalidKey, "\(algorithm) public key must be 32 bytes, found \(raw.count)", drainingQueue: false)
        }
        guard let parsed = EVP_PKEY_new_raw_public_key(type, nil, raw, raw.count) else {
            throw CryptoError(.invalidKey, "\(algorithm) public key does not parse")
        }
        try self.init(key: EVPKey(taking: parsed))
    }

    /// The SPKI PEM text.
    public var pem: String {
        let bytes = try? withMemoryBIO { bio in
            PEM_write_bio_PUBKEY(bio, key.pointer)
            return memoryBIOContents(bio)
        }
        return String(decoding: bytes ?? [], as: UTF8.self)
    }

    /// The 32 raw bytes of an Ed25519 or X25519 key; nil for other kinds.
    public var raw: [UInt8]? {
        guard algorithm == .ed25519 || algorithm == .x25519 else { return nil }
        var length = 32
        var out = [UInt8](repeating: 0, count: 32)
        guard EVP_PKEY_get_raw_public_key(key.pointer, &out, &length) == 1, length == 32 else { return nil }
        return out
    }

    /// Checks `signature` over `message` under this key's one scheme. Never throws: anything malformed is `false`.
    public func verify(signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Bool {
        guard algorithm.canSign, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(ctx, &pctx, algorithm.digest, nil, key.pointer) == 1 else {
            _ = CryptoError.drainQueue()
            return false
        }
        if case .rsa = algorithm, attest_set_rsa_pss(pctx) != 1 {
            _ = CryptoError.drainQueue()
            return false
        }
        let ok = EVP_DigestVerify(
            ctx,
            signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        if ok != 1 { ERR_clear_error() }
        return ok == 1
    }

    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { sig in message.withUnsafeBytes { msg in verify(signature: sig, message: msg) } }
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.spkiDER == rhs.spkiDER }
    public func hash(into hasher: inout Hasher) { hasher.combine(spkiDER) }
}

extension KeyAlgorithm {
    /// The digest for EVP_DigestSign/Verify: none for Ed25519 (it hashes internally).
    var digest: OpaquePointer? {
        switch self {
        case .ed25519, .x25519: nil
        case .ecdsaP256, .rsa: EVP_sha256()
        case .ecdsaP384: EVP_sha384()
        }
    }
}
