/// AES-256-GCM through OpenSSL: a 32-byte key, a 12-byte nonce, and a 16-byte tag appended to the
/// ciphertext. Opening checks the tag inside OpenSSL (`EVP_DecryptFinal_ex`) and either returns the
/// whole plaintext or throws `.authenticationFailed`; it never hands out unauthenticated bytes.
public enum AESGCM {
    public static let keyByteCount = 32
    public static let nonceByteCount = AEADAlgorithm.nonceByteCount
    public static let tagByteCount = AEADAlgorithm.tagByteCount

    /// Ciphertext followed by the tag.
    public static func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8] = [], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Context(key: key).seal(nonce: nonce, aad: aad, plaintext: plaintext)
    }

    /// The plaintext of `ciphertext` (ciphertext followed by the tag).
    public static func open(key: [UInt8], nonce: [UInt8], aad: [UInt8] = [], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Context(key: key).open(nonce: nonce, aad: aad, ciphertext: ciphertext)
    }

    /// A key set up once for many messages, for a chunked body: each message only sets its nonce, and
    /// the buffer forms write into memory the caller owns. Never use a nonce twice under one key.
    /// Not for use from several threads at once.
    public final class Context {
        private let aead: AEADContext

        public init(key: [UInt8]) throws(CryptoError) {
            aead = try AEADContext(algorithm: .aes256GCM, key: key)
        }

        /// Encrypts `plaintext` into `out` as ciphertext followed by the tag, and returns the bytes
        /// written (`plaintext.count + 16`; `out` must have room). `out` may be the same memory as
        /// `plaintext` (in place) but must not otherwise overlap it.
        public func seal(
            nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer,
            into out: UnsafeMutableRawBufferPointer
        ) throws(CryptoError) -> Int {
            try aead.seal(nonce: nonce, aad: aad, plaintext: plaintext, into: out)
        }

        /// Decrypts `ciphertext` (ciphertext followed by the tag) into `out`, and returns the plaintext
        /// length (`ciphertext.count - 16`; `out` must have room). On a bad tag it throws
        /// `.authenticationFailed` and leaves zeros where it had written. `out` may be the same memory
        /// as `ciphertext` (in place) but must not otherwise overlap it.
        public func open(
            nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
            into out: UnsafeMutableRawBufferPointer
        ) throws(CryptoError) -> Int {
            try aead.open(nonce: nonce, aad: aad, ciphertext: ciphertext, into: out)
        }

        /// Ciphertext followed by the tag.
        public func seal(nonce: [UInt8], aad: [UInt8] = [], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try aead.seal(nonce: nonce, aad: aad, plaintext: plaintext)
        }

        public func open(nonce: [UInt8], aad: [UInt8] = [], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try aead.open(nonce: nonce, aad: aad, ciphertext: ciphertext)
        }
    }
}
