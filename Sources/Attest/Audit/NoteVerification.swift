/// The outcome of checking a signed note against the verifier keys a client trusts.
///
/// Guarantees: every signature of the note is in exactly one list. As the spec requires, signatures whose name
/// and key ID match no trusted key are ignored, and a note is valid only when at least one trusted key's
/// signature verifies; beyond the spec's SHOULD, any trusted key's signature that fails rejects the note.
public struct NoteVerification: Sendable, Hashable {
    /// Signatures by trusted keys that verified.
    public let verified: [NoteSignature]
    /// Signatures whose name and key ID match a trusted key but that did not verify under it.
    public let failed: [NoteSignature]
    /// Signatures by keys not trusted (another name or another key ID); not judged.
    public let unknown: [NoteSignature]

    public init(verified: [NoteSignature], failed: [NoteSignature], unknown: [NoteSignature]) {
        self.verified = verified
        self.failed = failed
        self.unknown = unknown
    }

    /// At least one trusted signature verified and none failed.
    public var isValid: Bool { failed.isEmpty && !verified.isEmpty }

    /// Names of the trusted keys that signed, each once, in note order.
    public var verifiedNames: [String] {
        var names: [String] = []
        for signature in verified where !names.contains(signature.name) { names.append(signature.name) }
        return names
    }
}
