import AttestCrypto

/// A C2SP signed-note verifier key ("vkey") for Ed25519: `<name>+<hex key ID>+<base64(0x01 || public key)>`.
///
/// Guarantees: the name is a valid key name (non-empty, no Unicode space, no `+`, no control character), the
/// key is a 32-byte Ed25519 public key, and the key ID is the one the spec derives from both, so a vkey whose
/// ID does not belong to its name and key never parses.
public struct NoteVerifierKey: Sendable, Hashable, CustomStringConvertible {
    /// The signature type byte of Ed25519 in signed notes.
    public static let ed25519SignatureType: UInt8 = 0x01

    public let name: String
    /// SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian.
    public let keyID: UInt32
    public let publicKey: PublicKey
    /// The 32 raw bytes of `publicKey`.
    public let rawPublicKey: [UInt8]

    /// The key for `publicKey` under `name`. Throws `.invalidKey` for a bad name and `.unsupportedAlgorithm`
    /// for a key that is not Ed25519.
    public init(name: String, publicKey: PublicKey) throws(AttestError) {
        guard Self.isValidName(name) else {
            throw AttestError(.invalidKey, "not a valid note key name: \(name.debugDescription)")
        }
        guard publicKey.algorithm == .ed25519, let raw = publicKey.raw else {
            throw AttestError(.unsupportedAlgorithm, "signed notes use ed25519 keys, not \(publicKey.algorithm)")
        }
        self.name = name
        self.publicKey = publicKey
        self.rawPublicKey = raw
        self.keyID = Self.keyID(name: name, ed25519PublicKey: raw)
    }

    /// Reads a vkey. Throws `.invalidKey` when it is malformed or its key ID does not match, and
    /// `.unsupportedAlgorithm` for signature types other than Ed25519.
    public init(parsing text: String) throws(AttestError) {
        // The base64 part may itself contain '+', so split at the first two only; on bytes, so that a combining
        // mark after a '+' cannot hide it.
        let parts = text.utf8.split(separator: UInt8(ascii: "+"), maxSplits: 2, omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard parts.count == 3 else {
            throw AttestError(.invalidKey, "a note verifier key is <name>+<key ID>+<key>")
        }
        let name = String(parts[0])
        guard parts[1].utf8.count == 8, parts[1].utf8.allSatisfy(Self.isLowerHex),
              let idBytes = Hex.decode(String(parts[1])) else {
            throw AttestError(.invalidKey, "note verifier key ID must be 8 lowercase hex digits")
        }
        guard let key = Base64.decodeStandard(parts[2]), let type = key.first else {
            throw AttestError(.invalidKey, "note verifier key material is not standard base64")
        }
        guard type == Self.ed25519SignatureType else {
            throw AttestError(.unsupportedAlgorithm, "note signature type \(type) is not supported (only ed25519, type 1)")
        }
        let raw = Array(key.dropFirst())
        let publicKey: PublicKey
        do {
            publicKey = try PublicKey(raw: raw, algorithm: .ed25519)
        } catch {
            throw AttestError(.invalidKey, "note verifier key: \(error.reason)")
        }
        try self.init(name: name, publicKey: publicKey)
        guard keyID == Self.bigEndian(idBytes) else {
            throw AttestError(.invalidKey, "note verifier key ID \(parts[1]) does not match its name and key")
        }
    }

    /// The vkey text.
    public var text: String {
        name + "+" + Self.hex(keyID) + "+" + Base64.encode([Self.ed25519SignatureType] + rawPublicKey)
    }

    public var description: String { text }

    /// SHA-256(name || 0x0A || 0x01 || key)[:4] as a big-endian integer.
    public static func keyID(name: String, ed25519PublicKey raw: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, ed25519SignatureType] + raw)
        return bigEndian(digest.prefix(4))
    }

    /// Key names are non-empty and hold no Unicode space and no `+`; control characters are refused too, as no
    /// note may contain them.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar != "+" && scalar.value >= 0x20 && !scalar.properties.isWhitespace
        }
    }

    static func hex(_ keyID: UInt32) -> String {
        Hex.encode(withUnsafeBytes(of: keyID.bigEndian) { Array($0) })
    }

    static func bigEndian(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func isLowerHex(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
    }
}
