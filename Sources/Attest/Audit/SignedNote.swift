/// A C2SP signed note (c2sp.org/signed-note): text ending in a newline, a blank line, then one signature line
/// per signer.
///
/// Guarantees: the text is non-empty valid UTF-8 ending in a newline with no control character other than
/// newline; there are 1 to `maxSignatures` well-formed signature lines; `formatted` is the one spelling that
/// `init(parsing:)` accepts for these values. Parsing says nothing about trust: the text must be ignored until
/// `verify(keys:)` says the note is valid.
public struct SignedNote: Sendable, Hashable, CustomStringConvertible {
    /// More signature lines than this make a note malformed. The spec asks verifiers to accept at least 16.
    public static let maxSignatures = 100

    /// The signed text, including its final newline but not the blank line after it.
    public let text: String
    public let signatures: [NoteSignature]

    /// Throws `.invalidDocument` for text that is not valid note text, and for no or too many signatures.
    public init(text: String, signatures: [NoteSignature]) throws(AttestError) {
        try Self.validateText(text)
        guard !signatures.isEmpty else { throw AttestError(.invalidDocument, "a signed note needs a signature") }
        guard signatures.count <= Self.maxSignatures else {
            throw AttestError(.invalidDocument, "signed note has more than \(Self.maxSignatures) signatures")
        }
        self.text = text
        self.signatures = signatures
    }

    /// Signs `text` with every signer, in order.
    public static func sign(_ text: String, with signers: [NoteSigner]) throws(AttestError) -> SignedNote {
        var signatures: [NoteSignature] = []
        for signer in signers { signatures.append(try signer.sign(text)) }
        return try SignedNote(text: text, signatures: signatures)
    }

    /// The same note with one more signature (a witness cosigning, a key rotation).
    public func adding(signatureBy signer: NoteSigner) throws(AttestError) -> SignedNote {
        try SignedNote(text: text, signatures: signatures + [signer.sign(text)])
    }

    public init(parsing note: String) throws(AttestError) {
        try self.init(parsing: Array(note.utf8))
    }

    /// Reads a note. Throws `.invalidDocument` for invalid UTF-8, a control character other than newline, no
    /// blank line, a signature block not ending in a newline, a malformed signature line, or more than
    /// `maxSignatures` signatures.
    public init(parsing bytes: [UInt8]) throws(AttestError) {
        guard String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else {
            throw AttestError(.invalidDocument, "signed note is not valid UTF-8")
        }
        // UTF-8 never uses bytes below 0x80 inside a multi-byte character, so a byte check is a character check.
        guard !bytes.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw AttestError(.invalidDocument, "signed note contains a control character")
        }
        // The text may hold blank lines itself; the signatures start after the last one.
        guard let split = Self.lastBlankLine(bytes) else {
            throw AttestError(.invalidDocument, "signed note has no blank line before its signatures")
        }
        let block = bytes[(split + 2)...]
        guard block.last == 0x0A else {
            throw AttestError(.invalidDocument, "signed note does not end in a newline after its signatures")
        }
        let lines = block.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.count <= Self.maxSignatures else {
            throw AttestError(.invalidDocument, "signed note has more than \(Self.maxSignatures) signatures")
        }
        var signatures: [NoteSignature] = []
        for line in lines { signatures.append(try NoteSignature(lineBytes: line)) }
        try self.init(text: String(decoding: bytes[...split], as: UTF8.self), signatures: signatures)
    }

    /// The note as text: the signed text, a blank line, one line per signature.
    public var formatted: String {
        text + "\n" + signatures.map { $0.line + "\n" }.joined()
    }

    public var description: String { formatted }

    /// Checks each signature against the trusted keys with its name and key ID; see `NoteVerification` for
    /// how the outcome is decided.
    public func verify(keys: [NoteVerifierKey]) -> NoteVerification {
        let message = Array(text.utf8)
        var verified: [NoteSignature] = []
        var failed: [NoteSignature] = []
        var unknown: [NoteSignature] = []
        for signature in signatures {
            // A key is known only when both name and key ID match; sharing one of them is not enough.
            let candidates = keys.filter { $0.name == signature.name && $0.keyID == signature.keyID }
            if candidates.isEmpty {
                unknown.append(signature)
            } else if candidates.contains(where: { $0.publicKey.verify(signature: signature.signature, message: message) }) {
                verified.append(signature)
            } else {
                failed.append(signature)
            }
        }
        return NoteVerification(verified: verified, failed: failed, unknown: unknown)
    }

    /// Throws `.invalidDocument` unless `text` could be the text of a note: non-empty, ending in a newline,
    /// without control characters other than newline.
    public static func validateText(_ text: String) throws(AttestError) {
        guard text.utf8.last == 0x0A else {
            throw AttestError(.invalidDocument, "note text must be non-empty and end in a newline")
        }
        guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x0A }) else {
            throw AttestError(.invalidDocument, "note text contains a control character")
        }
    }

    private static func lastBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in stride(from: bytes.count - 2, through: 0, by: -1) where bytes[i] == 0x0A && bytes[i + 1] == 0x0A {
            return i
        }
        return nil
    }
}
