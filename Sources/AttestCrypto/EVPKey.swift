internal import COpenSSL

/// Owns one `EVP_PKEY` and frees it. OpenSSL 3 keys are safe to use from several threads at once
/// for signing and verification, which is all that is done with them after construction.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Identifies the algorithm, rejecting kinds attest does not use (DSA, RSA-PSS-only keys, other curves).
    func algorithm() throws(CryptoError) -> KeyAlgorithm {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_ED25519:
            return .ed25519
        case EVP_PKEY_X25519:
            return .x25519
        case EVP_PKEY_RSA:
            let bits = Int(EVP_PKEY_get_bits(pointer))
            guard bits >= 2048, bits <= 16384 else {
                throw CryptoError(.unsupportedAlgorithm, "RSA keys of \(bits) bits are not supported (2048 to 16384)")
            }
            return .rsa(bits: bits)
        case EVP_PKEY_EC:
            var buffer = [CChar](repeating: 0, count: 64)
            guard attest_ec_group_name(pointer, &buffer, buffer.count) == 1 else {
                throw CryptoError(.unsupportedAlgorithm, "EC key without a named curve")
            }
            let curve = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1", "P-256": return .ecdsaP256
            case "secp384r1", "P-384": return .ecdsaP384
            default: throw CryptoError(.unsupportedAlgorithm, "EC curve \(curve) is not supported (P-256, P-384)")
            }
        default:
            throw CryptoError(.unsupportedAlgorithm, "key type is not supported (ed25519, ecdsa P-256/P-384, rsa, x25519)")
        }
    }
}

/// Runs `body` with a fresh memory BIO and frees it afterwards.
func withMemoryBIO<T>(_ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
    guard let bio = BIO_new(BIO_s_mem()) else {
        throw CryptoError(.openSSL, "cannot allocate a memory BIO")
    }
    defer { BIO_free(bio) }
    return try body(bio)
}

/// Runs `body` with a read-only memory BIO over `bytes`.
func withReadBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
    let result: Result<T, CryptoError> = bytes.withUnsafeBytes { raw in
        guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
            return .failure(CryptoError(.openSSL, "cannot allocate a memory BIO"))
        }
        defer { BIO_free(bio) }
        do throws(CryptoError) { return .success(try body(bio)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// The bytes written into a memory BIO.
func memoryBIOContents(_ bio: OpaquePointer) -> [UInt8] {
    var data: UnsafeMutablePointer<CChar>? = nil
    let length = attest_BIO_get_mem_data(bio, &data)
    guard let data, length > 0 else { return [] }
    return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
}

/// Runs `body` with a fresh digest context.
func withDigestContext<T>(_ body: (OpaquePointer) throws(CryptoError) -> T) throws(CryptoError) -> T {
    guard let ctx = EVP_MD_CTX_new() else {
        throw CryptoError(.openSSL, "cannot allocate a digest context")
    }
    defer { EVP_MD_CTX_free(ctx) }
    return try body(ctx)
}
