internal import COpenSSL

/// The AEAD ciphers HPKE names. All take a 12-byte nonce and append a 16-byte tag.
enum AEADAlgorithm: Sendable {
    case aes128GCM, aes256GCM, chacha20Poly1305

    static let nonceByteCount = 12
    static let tagByteCount = 16

    var keyByteCount: Int { self == .aes128GCM ? 16 : 32 }

    var name: String {
        switch self {
        case .aes128GCM: "AES-128-GCM"
        case .aes256GCM: "AES-256-GCM"
        case .chacha20Poly1305: "ChaCha20-Poly1305"
        }
    }

    fileprivate var cipher: OpaquePointer? {
        switch self {
        case .aes128GCM: EVP_aes_128_gcm()
        case .aes256GCM: EVP_aes_256_gcm()
        case .chacha20Poly1305: EVP_chacha20_poly1305()
        }
    }
}

/// One `EVP_CIPHER_CTX`, keyed once and reused for many messages: each message only sets a new nonce
/// (`EVP_*Init_ex` with no cipher and no key), so a chunk loop allocates nothing and does not redo the
/// key schedule. The key is not kept outside OpenSSL, which wipes it when the context is freed.
/// Not for use from several threads at once.
final class AEADContext {
    let algorithm: AEADAlgorithm
    private let ctx: OpaquePointer

    init(algorithm: AEADAlgorithm, key: [UInt8]) throws(CryptoError) {
        guard key.count == algorithm.keyByteCount else {
            throw CryptoError(.invalidInput, "\(algorithm.name) needs a \(algorithm.keyByteCount)-byte key, found \(key.count)", drainingQueue: false)
        }
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError(.openSSL, "cannot allocate a cipher context") }
        // The full init: cipher and key. The nonce comes with each message.
        guard EVP_EncryptInit_ex(ctx, algorithm.cipher, nil, key, nil) == 1 else {
            EVP_CIPHER_CTX_free(ctx)
            throw CryptoError(.openSSL, "cannot set up \(algorithm.name)")
        }
        self.algorithm = algorithm
        self.ctx = ctx
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    /// Encrypts `plaintext` into `out` as ciphertext followed by the tag; returns the bytes written
    /// (`plaintext.count + 16`). `out` may be the very memory of `plaintext` (in place) but must not
    /// otherwise overlap it.
    func seal(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) -> Int {
        let tag = AEADAlgorithm.tagByteCount
        try checkNonce(nonce)
        guard out.count >= plaintext.count + tag, let outBase = out.bytePointer else {
            throw CryptoError(.invalidInput, "the output buffer needs \(plaintext.count + tag) bytes, has \(out.count)", drainingQueue: false)
        }
        guard EVP_EncryptInit_ex(ctx, nil, nil, nil, nonce.bytePointer) == 1 else {
            throw CryptoError(.openSSL, "cannot set the \(algorithm.name) nonce")
        }
        try update(aad, into: nil, encrypt: true)
        try update(plaintext, into: outBase, encrypt: true)
        var finalLength: Int32 = 0
        // A stream mode: Final writes nothing, it only computes the tag.
        guard EVP_EncryptFinal_ex(ctx, outBase + plaintext.count, &finalLength) == 1, finalLength == 0 else {
            throw CryptoError(.openSSL, "\(algorithm.name) encryption failed")
        }
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, Int32(tag), outBase + plaintext.count) == 1 else {
            throw CryptoError(.openSSL, "cannot read the \(algorithm.name) tag")
        }
        return plaintext.count + tag
    }

    /// Decrypts `ciphertext` (ciphertext followed by the tag) into `out`; returns the plaintext length
    /// (`ciphertext.count - 16`). Throws `.authenticationFailed` when the tag does not verify, and then
    /// zeroes what it wrote, so no unauthenticated plaintext is left in `out`. `out` may be the very
    /// memory of `ciphertext` (in place) but must not otherwise overlap it.
    func open(
        nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawBufferPointer
    ) throws(CryptoError) -> Int {
        let tagCount = AEADAlgorithm.tagByteCount
        try checkNonce(nonce)
        guard ciphertext.count >= tagCount, let base = ciphertext.baseAddress else {
            throw CryptoError(.authenticationFailed, "\(algorithm.name) ciphertext is shorter than its tag", drainingQueue: false)
        }
        let length = ciphertext.count - tagCount
        guard out.count >= length else {
            throw CryptoError(.invalidInput, "the output buffer needs \(length) bytes, has \(out.count)", drainingQueue: false)
        }
        // Copied out first: in place, the plaintext overwrites the ciphertext but the tag must survive
        // until Final. The copy also serves as Final's output pointer, which exists even for an empty body.
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let result: Result<Int, CryptoError> = withUnsafeMutableBytes(of: &scratch) { scratch in
            guard let tag = scratch.bytePointer else { return .failure(CryptoError(.openSSL, "no scratch memory", drainingQueue: false)) }
            scratch.copyMemory(from: UnsafeRawBufferPointer(start: base + length, count: tagCount))
            var wipeOnExit = false
            defer {
                // Nothing unauthenticated leaves this function.
                if wipeOnExit, length > 0 { UnsafeMutableRawBufferPointer(rebasing: out[0..<length]).initializeMemory(as: UInt8.self, repeating: 0) }
            }
            do throws(CryptoError) {
                guard EVP_DecryptInit_ex(ctx, nil, nil, nil, nonce.bytePointer) == 1 else {
                    throw CryptoError(.openSSL, "cannot set the \(algorithm.name) nonce")
                }
                guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, Int32(tagCount), tag) == 1 else {
                    throw CryptoError(.openSSL, "cannot set the \(algorithm.name) tag")
                }
                try update(aad, into: nil, encrypt: false)
                wipeOnExit = true
                try update(UnsafeRawBufferPointer(start: base, count: length), into: out.bytePointer, encrypt: false)
                var finalLength: Int32 = 0
                // OpenSSL checks the tag here, in constant time.
                guard EVP_DecryptFinal_ex(ctx, tag + tagCount, &finalLength) == 1, finalLength == 0 else {
                    throw CryptoError(.authenticationFailed, "\(algorithm.name) data does not authenticate (wrong key, or changed data)")
                }
                wipeOnExit = false
                return .success(length)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Array form of `seal`: ciphertext followed by the tag.
    func seal(nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + AEADAlgorithm.tagByteCount)
        _ = try withBytes(nonce) { n throws(CryptoError) in
            try withBytes(aad) { a throws(CryptoError) in
                try withBytes(plaintext) { p throws(CryptoError) in
                    try withMutableBytes(&out) { o throws(CryptoError) in try seal(nonce: n, aad: a, plaintext: p, into: o) }
                }
            }
        }
        return out
    }

    /// Array form of `open`.
    func open(nonce: [UInt8], aad: [UInt8], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: max(ciphertext.count - AEADAlgorithm.tagByteCount, 0))
        let length = try withBytes(nonce) { n throws(CryptoError) in
            try withBytes(aad) { a throws(CryptoError) in
                try withBytes(ciphertext) { c throws(CryptoError) in
                    try withMutableBytes(&out) { o throws(CryptoError) in try open(nonce: n, aad: a, ciphertext: c, into: o) }
                }
            }
        }
        return Array(out.prefix(length))
    }

    private func checkNonce(_ nonce: UnsafeRawBufferPointer) throws(CryptoError) {
        guard nonce.count == AEADAlgorithm.nonceByteCount else {
            throw CryptoError(.invalidInput, "\(algorithm.name) needs a 12-byte nonce, found \(nonce.count)", drainingQueue: false)
        }
    }

    /// Feeds `input` through the cipher; with `out` nil it is associated data. EVP takes `int` lengths,
    /// so anything larger goes in pieces.
    private func update(_ input: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>?, encrypt: Bool) throws(CryptoError) {
        guard let base = input.bytePointer else { return }
        var done = 0
        while done < input.count {
            let piece = min(input.count - done, 1 << 30)
            var written: Int32 = 0
            let target = out.map { $0 + done }
            let status = encrypt
                ? EVP_EncryptUpdate(ctx, target, &written, base + done, Int32(piece))
                : EVP_DecryptUpdate(ctx, target, &written, base + done, Int32(piece))
            guard status == 1, out == nil || Int(written) == piece else {
                throw CryptoError(.openSSL, "\(algorithm.name) \(encrypt ? "encryption" : "decryption") failed")
            }
            done += piece
        }
    }
}
