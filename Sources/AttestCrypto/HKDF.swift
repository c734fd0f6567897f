internal import COpenSSL

/// HKDF with SHA-256 (RFC 5869) through OpenSSL's `EVP_KDF` "HKDF": the whole derivation, or either
/// half on its own (HPKE's labeled functions use the halves).
public enum HKDF {
    /// The SHA-256 output size: the size of a PRK.
    public static let hashByteCount = 32
    /// RFC 5869 §2.3: at most 255 blocks of output.
    public static let maximumOutputByteCount = 255 * hashByteCount

    /// HKDF-Extract: a 32-byte PRK. An empty salt means 32 zero bytes (RFC 5869 §2.2).
    public static func extract(salt: [UInt8], ikm: [UInt8]) throws(CryptoError) -> [UInt8] {
        try derive(mode: EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt: salt, key: ikm, info: [], length: hashByteCount)
    }

    /// HKDF-Expand: `length` bytes (1 to 8160) from a PRK of at least 32 bytes.
    public static func expand(prk: [UInt8], info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        // RFC 5869 §2.3 asks for at least HashLen bytes: a shorter "PRK" is raw key material given by mistake.
        guard prk.count >= hashByteCount else {
            throw CryptoError(.invalidInput, "an HKDF PRK must be at least \(hashByteCount) bytes, found \(prk.count)", drainingQueue: false)
        }
        return try derive(mode: EVP_KDF_HKDF_MODE_EXPAND_ONLY, salt: [], key: prk, info: info, length: length)
    }

    /// Extract then expand: `length` bytes (1 to 8160).
    public static func deriveKey(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        try derive(mode: EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, salt: salt, key: ikm, info: info, length: length)
    }

    private static func derive(mode: Int32, salt: [UInt8], key: [UInt8], info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        guard length > 0, length <= maximumOutputByteCount else {
            throw CryptoError(.invalidInput, "HKDF-SHA256 output must be 1 to \(maximumOutputByteCount) bytes, asked for \(length)", drainingQueue: false)
        }
        // Pass the zeros an absent salt stands for, so the result does not depend on how OpenSSL treats
        // an empty salt; HMAC pads its key with zeros, so the PRK is the same.
        let salt = salt.isEmpty ? [UInt8](repeating: 0, count: hashByteCount) : salt
        // OpenSSL reads an OSSL_PARAM with a NULL pointer as "not given", even with length 0.
        let keyStorage = key.isEmpty ? [0] : key
        var out = [UInt8](repeating: 0, count: length)
        let status: Int32 = try withHKDFContext { ctx in
            salt.withUnsafeBufferPointer { s in
                keyStorage.withUnsafeBufferPointer { k in
                    info.withUnsafeBufferPointer { i in
                        out.withUnsafeMutableBufferPointer { o in
                            attest_hkdf_sha256(ctx, mode, s.baseAddress, s.count, k.baseAddress, key.count, i.baseAddress, i.count, o.baseAddress, o.count)
                        }
                    }
                }
            }
        }
        guard status == 1 else { throw CryptoError(.openSSL, "HKDF-SHA256 failed") }
        return out
    }
}

/// Runs `body` with a fresh HKDF context.
private func withHKDFContext<T>(_ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
    guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw CryptoError(.openSSL, "HKDF is not available") }
    // The context keeps its own reference to the algorithm.
    defer { EVP_KDF_free(kdf) }
    guard let ctx = EVP_KDF_CTX_new(kdf) else { throw CryptoError(.openSSL, "cannot allocate an HKDF context") }
    defer { EVP_KDF_CTX_free(ctx) }
    return try body(ctx)
}
