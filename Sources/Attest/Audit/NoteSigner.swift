import AttestCrypto

/// Signs note text as one named Ed25519 key.
///
/// Guarantees: its signatures carry the name and key ID of `verifierKey`, so the matching vkey verifies them.
public struct NoteSigner: Sendable {
    public let verifierKey: NoteVerifierKey
    private let privateKey: PrivateKey

    /// Throws `.invalidKey` for a bad name and `.unsupportedAlgorithm` for a key that is not Ed25519.
    public init(name: String, privateKey: PrivateKey) throws(AttestError) {
        self.verifierKey = try NoteVerifierKey(name: name, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
    }

    public var name: String { verifierKey.name }

    /// The signature line for `text`, which must be valid note text (see `SignedNote.validateText`).
    public func sign(_ text: String) throws(AttestError) -> NoteSignature {
        try SignedNote.validateText(text)
        let signature: [UInt8]
        do {
            signature = try privateKey.sign(Array(text.utf8))
        } catch {
            throw AttestError(error)
        }
        return try NoteSignature(name: verifierKey.name, keyID: verifierKey.keyID, signature: signature)
    }
}
