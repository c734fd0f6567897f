/// The text of a C2SP tlog checkpoint (c2sp.org/tlog-checkpoint): origin, tree size, root hash, and optional
/// extension lines, each ending in a newline. It is signed as a `SignedNote`.
///
/// Guarantees: the origin and every extension line are non-empty and free of control characters, the root hash
/// is 32 bytes, and `text` is the one spelling `init(parsing:)` accepts for these values (decimal size without
/// leading zeroes, standard padded base64).
public struct Checkpoint: Sendable, Hashable {
    /// The log's identity, conventionally a schema-less URL; not assumed to be one.
    public let origin: String
    /// Leaves in the tree.
    public let size: UInt64
    /// The RFC 9162 root of the first `size` leaves.
    public let rootHash: [UInt8]
    /// Opaque extra lines; not auditable by monitors, so the log writes none.
    public let extensions: [String]

    /// Throws `.invalidDocument` for an empty or control-character line or a root hash that is not 32 bytes.
    public init(origin: String, size: UInt64, rootHash: [UInt8], extensions: [String] = []) throws(AttestError) {
        guard Self.isValidLine(origin) else {
            throw AttestError(.invalidDocument, "checkpoint origin must be a non-empty line")
        }
        guard rootHash.count == MerkleTree.hashSize else {
            throw AttestError(.invalidDocument, "checkpoint root hash must be \(MerkleTree.hashSize) bytes, found \(rootHash.count)")
        }
        guard extensions.allSatisfy(Self.isValidLine) else {
            throw AttestError(.invalidDocument, "checkpoint extension lines must be non-empty lines")
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// Reads checkpoint text (a verified note's `text`). Throws `.invalidDocument` for fewer than three lines,
    /// a missing final newline, a size that is not canonical decimal within 64 bits, a root that is not
    /// standard base64 of 32 bytes, or an empty line anywhere.
    public init(parsing text: String) throws(AttestError) {
        guard text.utf8.last == 0x0A else {
            throw AttestError(.invalidDocument, "checkpoint text must end in a newline")
        }
        let lines = text.utf8.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).map { Substring($0) }
        guard lines.count >= 3 else {
            throw AttestError(.invalidDocument, "checkpoint needs origin, size and root hash lines")
        }
        guard let size = Self.parseSize(lines[1]) else {
            throw AttestError(.invalidDocument, "checkpoint size is not a decimal number without leading zeroes")
        }
        guard let root = Base64.decodeStandard(lines[2]) else {
            throw AttestError(.invalidDocument, "checkpoint root hash is not standard base64")
        }
        try self.init(origin: String(lines[0]), size: size, rootHash: root, extensions: lines.dropFirst(3).map(String.init))
    }

    /// The checkpoint as note text, ending in a newline.
    public var text: String {
        ([origin, String(size), Base64.encode(rootHash)] + extensions).map { $0 + "\n" }.joined()
    }

    /// The checkpoint signed as a note.
    public func signed(by signers: [NoteSigner]) throws(AttestError) -> SignedNote {
        try SignedNote.sign(text, with: signers)
    }

    // `UInt64.init(_: String)` would also take a sign and leading zeroes: two spellings of one size.
    private static func parseSize(_ line: Substring) -> UInt64? {
        let digits = line.utf8
        guard let first = digits.first, digits.allSatisfy({ (0x30...0x39).contains($0) }),
              first != 0x30 || digits.count == 1 else { return nil }
        return UInt64(line)
    }

    private static func isValidLine(_ line: String) -> Bool {
        !line.isEmpty && !line.utf8.contains { $0 < 0x20 }
    }
}
