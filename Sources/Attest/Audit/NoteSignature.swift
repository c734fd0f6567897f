/// One signature line of a signed note: `— <name> <base64(key ID || signature)>`.
///
/// Guarantees: the name is a valid key name. The signature bytes are whatever the line carried: a note may
/// hold signatures of kinds this library does not verify, and those are kept, not judged.
public struct NoteSignature: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let keyID: UInt32
    /// The signature proper, after the four key ID bytes.
    public let signature: [UInt8]

    /// Throws `.invalidDocument` for an invalid key name or an empty signature.
    public init(name: String, keyID: UInt32, signature: [UInt8]) throws(AttestError) {
        guard NoteVerifierKey.isValidName(name) else {
            throw AttestError(.invalidDocument, "not a valid note key name: \(name.debugDescription)")
        }
        guard !signature.isEmpty else { throw AttestError(.invalidDocument, "empty note signature") }
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// Reads one line without its newline. Throws `.invalidDocument` unless it is exactly em dash, space,
    /// name, space, standard padded base64 of at least five bytes.
    public init(line: String) throws(AttestError) {
        try self.init(lineBytes: Array(line.utf8)[...])
    }

    // Bytes, not Characters: a combining mark after a space would otherwise hide the separator.
    init(lineBytes line: ArraySlice<UInt8>) throws(AttestError) {
        guard line.starts(with: Self.prefixBytes) else {
            throw AttestError(.invalidDocument, "note signature line does not start with an em dash and a space")
        }
        let rest = line.dropFirst(Self.prefixBytes.count)
        guard let space = rest.firstIndex(of: UInt8(ascii: " ")) else {
            throw AttestError(.invalidDocument, "note signature line has no space between name and signature")
        }
        let encoded = String(decoding: rest[(space + 1)...], as: UTF8.self)
        guard let blob = Base64.decodeStandard(encoded), blob.count >= 5 else {
            throw AttestError(.invalidDocument, "note signature is not standard base64 of a key ID and a signature")
        }
        try self.init(name: String(decoding: rest[..<space], as: UTF8.self),
                      keyID: NoteVerifierKey.bigEndian(blob.prefix(4)), signature: Array(blob.dropFirst(4)))
    }

    /// The line, without its newline.
    public var line: String {
        let id = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
        return Self.prefix + name + " " + Base64.encode(id + signature)
    }

    public var description: String { line }

    static let prefix = "\u{2014} "
    static let prefixBytes = Array(prefix.utf8)
}
