/// HPKE base mode (RFC 9180) with DHKEM(X25519, HKDF-SHA256) and HKDF-SHA256, built from `X25519`,
/// `HKDF` and the EVP AEADs, since OpenSSL 3.0 has no HPKE. AES-256-GCM is the suite attest seals
/// with; AES-128-GCM and ChaCha20-Poly1305 come at no cost and are tested against the RFC vectors too.
///
/// The sender gets `enc` (its 32-byte ephemeral public key, sent along with the ciphertexts) and a
/// context; the receiver rebuilds the same context from `enc` and its private key. Both sides must use
/// the same `info`, which binds the context to whatever it names.
public enum HPKE {
    /// The AEAD of the suite (RFC 9180 §7.3 identifiers).
    public enum AEAD: UInt16, Sendable, CaseIterable {
        case aes128GCM = 0x0001
        case aes256GCM = 0x0002
        case chacha20Poly1305 = 0x0003

        var algorithm: AEADAlgorithm {
            switch self {
            case .aes128GCM: .aes128GCM
            case .aes256GCM: .aes256GCM
            case .chacha20Poly1305: .chacha20Poly1305
            }
        }
    }

    /// DHKEM(X25519, HKDF-SHA256).
    public static let kemID: UInt16 = 0x0020
    /// HKDF-SHA256.
    public static let kdfID: UInt16 = 0x0001
    /// The size of `enc`.
    public static let encapsulatedKeyByteCount = 32

    /// Sets up a sender to `recipient` (an X25519 key) with a fresh ephemeral key.
    public static func setupBaseSender(
        recipient: PublicKey, info: [UInt8], aead: AEAD = .aes256GCM
    ) throws(CryptoError) -> (enc: [UInt8], context: SenderContext) {
        try setupBaseSender(recipient: recipient, info: info, aead: aead, ephemeral: PrivateKey.generate(.x25519))
    }

    /// Sets up a receiver from the sender's `enc`, with the private key `enc` was made for. A wrong key
    /// is not detected here (HPKE cannot): the first `open` fails with `.authenticationFailed`.
    public static func setupBaseReceiver(
        enc: [UInt8], recipient: PrivateKey, info: [UInt8], aead: AEAD = .aes256GCM
    ) throws(CryptoError) -> ReceiverContext {
        let sharedSecret = try decap(enc: enc, recipient: recipient)
        return try ReceiverContext(state: State(aead: aead, schedule: keySchedule(aead: aead, sharedSecret: sharedSecret, info: info)))
    }

    /// The sender's side: seals messages in order (each under the next nonce) and exports secrets.
    /// Not for use from several threads at once.
    public final class SenderContext {
        var state: State
        init(state: State) { self.state = state }

        /// Ciphertext followed by the tag, under the next sequence number.
        public func seal(aad: [UInt8] = [], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try state.seal(aad: aad, plaintext: plaintext)
        }

        /// RFC 9180 §5.3: `length` bytes (1 to 8160) bound to this context and `context`.
        public func export(context: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
            try state.export(context: context, length: length)
        }
    }

    /// The receiver's side: opens messages in the order they were sealed and exports the same secrets.
    /// Not for use from several threads at once.
    public final class ReceiverContext {
        var state: State
        init(state: State) { self.state = state }

        /// The plaintext of the next message; `.authenticationFailed` for a wrong key, changed data or a
        /// message out of order (a failure does not move the sequence on).
        public func open(aad: [UInt8] = [], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try state.open(aad: aad, ciphertext: ciphertext)
        }

        /// RFC 9180 §5.3: `length` bytes (1 to 8160) bound to this context and `context`.
        public func export(context: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
            try state.export(context: context, length: length)
        }
    }
}

// MARK: - RFC 9180 internals (internal so tests can check each step against the vectors)

extension HPKE {
    static let version = Array("HPKE-v1".utf8)
    /// RFC 9180 §4.1: "KEM" || I2OSP(kem_id, 2).
    static let kemSuiteID = Array("KEM".utf8) + i2osp(UInt64(kemID), 2)
    static let modeBase: UInt8 = 0x00

    /// RFC 9180 §5.1: "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2).
    static func suiteID(_ aead: AEAD) -> [UInt8] {
        Array("HPKE".utf8) + i2osp(UInt64(kemID), 2) + i2osp(UInt64(kdfID), 2) + i2osp(UInt64(aead.rawValue), 2)
    }

    static func i2osp(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { i in
            let shift = 8 * (count - 1 - i)
            return shift < 64 ? UInt8(truncatingIfNeeded: value >> UInt64(shift)) : 0
        }
    }

    /// Extract(salt, "HPKE-v1" || suite_id || label || ikm).
    static func labeledExtract(suiteID: [UInt8], salt: [UInt8], label: String, ikm: [UInt8]) throws(CryptoError) -> [UInt8] {
        try HKDF.extract(salt: salt, ikm: version + suiteID + Array(label.utf8) + ikm)
    }

    /// Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
    static func labeledExpand(suiteID: [UInt8], prk: [UInt8], label: String, info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        guard length > 0, length <= HKDF.maximumOutputByteCount else {
            throw CryptoError(.invalidInput, "HPKE output must be 1 to \(HKDF.maximumOutputByteCount) bytes, asked for \(length)", drainingQueue: false)
        }
        let labeledInfo = i2osp(UInt64(length), 2) + version + suiteID + Array(label.utf8) + info
        return try HKDF.expand(prk: prk, info: labeledInfo, length: length)
    }

    // DHKEM(X25519, HKDF-SHA256), RFC 9180 §4.1.

    static func extractAndExpand(dh: [UInt8], kemContext: [UInt8]) throws(CryptoError) -> [UInt8] {
        let prk = try labeledExtract(suiteID: kemSuiteID, salt: [], label: "eae_prk", ikm: dh)
        return try labeledExpand(suiteID: kemSuiteID, prk: prk, label: "shared_secret", info: kemContext, length: 32)
    }

    /// Encap with a given ephemeral key: the public entry point passes a fresh one, the vectors a fixed one.
    static func encap(recipient: PublicKey, ephemeral: PrivateKey) throws(CryptoError) -> (sharedSecret: [UInt8], enc: [UInt8]) {
        let dh = try X25519.sharedSecret(privateKey: ephemeral, publicKey: recipient)
        guard let enc = ephemeral.publicKey.raw, let pkRm = recipient.raw else {
            throw CryptoError(.openSSL, "cannot serialise an X25519 public key")
        }
        return (try extractAndExpand(dh: dh, kemContext: enc + pkRm), enc)
    }

    static func decap(enc: [UInt8], recipient: PrivateKey) throws(CryptoError) -> [UInt8] {
        guard enc.count == encapsulatedKeyByteCount else {
            throw CryptoError(.invalidInput, "HPKE enc must be \(encapsulatedKeyByteCount) bytes, found \(enc.count)", drainingQueue: false)
        }
        let ephemeral = try PublicKey(raw: enc, algorithm: .x25519)
        let dh = try X25519.sharedSecret(privateKey: recipient, publicKey: ephemeral)
        guard let pkRm = recipient.publicKey.raw else { throw CryptoError(.openSSL, "cannot serialise an X25519 public key") }
        return try extractAndExpand(dh: dh, kemContext: enc + pkRm)
    }

    /// RFC 9180 §7.1.3 DeriveKeyPair for X25519 (used to check the vectors' ikmE/ikmR).
    static func deriveKeyPair(ikm: [UInt8]) throws(CryptoError) -> PrivateKey {
        let prk = try labeledExtract(suiteID: kemSuiteID, salt: [], label: "dkp_prk", ikm: ikm)
        return try PrivateKey(rawX25519: labeledExpand(suiteID: kemSuiteID, prk: prk, label: "sk", info: [], length: 32))
    }

    static func setupBaseSender(
        recipient: PublicKey, info: [UInt8], aead: AEAD, ephemeral: PrivateKey
    ) throws(CryptoError) -> (enc: [UInt8], context: SenderContext) {
        let (sharedSecret, enc) = try encap(recipient: recipient, ephemeral: ephemeral)
        let state = try State(aead: aead, schedule: keySchedule(aead: aead, sharedSecret: sharedSecret, info: info))
        return (enc, SenderContext(state: state))
    }

    // Key schedule, RFC 9180 §5.1, for mode_base (psk and psk_id empty).

    struct KeySchedule {
        let keyScheduleContext: [UInt8]
        let secret: [UInt8]
        let key: [UInt8]
        let baseNonce: [UInt8]
        let exporterSecret: [UInt8]
    }

    static func keySchedule(aead: AEAD, sharedSecret: [UInt8], info: [UInt8]) throws(CryptoError) -> KeySchedule {
        let suite = suiteID(aead)
        let pskIDHash = try labeledExtract(suiteID: suite, salt: [], label: "psk_id_hash", ikm: [])
        let infoHash = try labeledExtract(suiteID: suite, salt: [], label: "info_hash", ikm: info)
        let context = [modeBase] + pskIDHash + infoHash
        let secret = try labeledExtract(suiteID: suite, salt: sharedSecret, label: "secret", ikm: [])
        return KeySchedule(
            keyScheduleContext: context,
            secret: secret,
            key: try labeledExpand(suiteID: suite, prk: secret, label: "key", info: context, length: aead.algorithm.keyByteCount),
            baseNonce: try labeledExpand(suiteID: suite, prk: secret, label: "base_nonce", info: context, length: AEADAlgorithm.nonceByteCount),
            exporterSecret: try labeledExpand(suiteID: suite, prk: secret, label: "exp", info: context, length: HKDF.hashByteCount))
    }

    /// What both sides hold after setup. The AEAD key lives only inside the cipher context.
    struct State {
        let aead: AEADContext
        let suiteID: [UInt8]
        let baseNonce: [UInt8]
        let exporterSecret: [UInt8]
        var sequence: UInt64 = 0

        init(aead: AEAD, schedule: KeySchedule) throws(CryptoError) {
            self.aead = try AEADContext(algorithm: aead.algorithm, key: schedule.key)
            self.suiteID = HPKE.suiteID(aead)
            self.baseNonce = schedule.baseNonce
            self.exporterSecret = schedule.exporterSecret
        }

        /// base_nonce XOR I2OSP(seq, Nn).
        func nonce(_ sequence: UInt64) -> [UInt8] {
            zip(baseNonce, HPKE.i2osp(sequence, baseNonce.count)).map { $0 ^ $1 }
        }

        /// RFC 9180 §5.2: the sequence number must never wrap, or a nonce would repeat. A UInt64 runs out
        /// long before 2^96 - 1; no sender gets near either.
        private func checkSequence() throws(CryptoError) {
            guard sequence < UInt64.max else {
                throw CryptoError(.invalidInput, "HPKE message limit reached for this context", drainingQueue: false)
            }
        }

        mutating func seal(aad: [UInt8], plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try checkSequence()
            let sealed = try aead.seal(nonce: nonce(sequence), aad: aad, plaintext: plaintext)
            sequence += 1
            return sealed
        }

        mutating func open(aad: [UInt8], ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
            try checkSequence()
            let opened = try aead.open(nonce: nonce(sequence), aad: aad, ciphertext: ciphertext)
            sequence += 1
            return opened
        }

        func export(context: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
            try HPKE.labeledExpand(suiteID: suiteID, prk: exporterSecret, label: "sec", info: context, length: length)
        }
    }
}
