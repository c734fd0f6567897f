/// The kinds of key attest knows. Signing keys verify under exactly one scheme each; X25519 keys only
/// take part in sealing.
public enum KeyAlgorithm: Hashable, Sendable, CustomStringConvertible {
    case ed25519
    case ecdsaP256
    case ecdsaP384
    /// RSA with RSA-PSS SHA-256, MGF1-SHA-256, salt 32. Loaded keys may be 2048 bits and up; new keys 3072 and up.
    case rsa(bits: Int)
    case x25519

    /// The short name used on the command line and in output: `ed25519`, `ecdsa-p256`, `rsa-3072`.
    public var name: String {
        switch self {
        case .ed25519: "ed25519"
        case .ecdsaP256: "ecdsa-p256"
        case .ecdsaP384: "ecdsa-p384"
        case .rsa(let bits): "rsa-\(bits)"
        case .x25519: "x25519"
        }
    }

    public var description: String { name }

    /// Whether keys of this kind make signatures.
    public var canSign: Bool { self != .x25519 }
}

/// The key types `keygen` makes.
public enum KeyGenerationType: String, CaseIterable, Sendable {
    case ed25519
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
    case rsa3072 = "rsa-3072"
    case rsa4096 = "rsa-4096"
    case x25519

    public var algorithm: KeyAlgorithm {
        switch self {
        case .ed25519: .ed25519
        case .ecdsaP256: .ecdsaP256
        case .ecdsaP384: .ecdsaP384
        case .rsa3072: .rsa(bits: 3072)
        case .rsa4096: .rsa(bits: 4096)
        case .x25519: .x25519
        }
    }
}
