import AttestCrypto

/// The header of a sealed file (format v2, docs/sealed-file-format.md): suite, chunk size, the manifest
/// digest, the sealer's keyid, one wrapped file key per recipient, optionally the original name and size,
/// and the sealer's signature over all of that. Every byte of it is bound into the body's keys, so
/// changing any byte makes the first chunk fail; the signature says who made the file.
public struct SealedHeader: Sendable, Equatable {
    public static let magic: [UInt8] = Array("ATSEAL".utf8) + [0x00, 0x02]
    /// Version 1 had no sealer signature: anyone with a device's public key could make one.
    static let magicV1: [UInt8] = Array("ATSEAL".utf8) + [0x00, 0x01]
    static let maxSignatureCount = 1024
    static let signatureContext = Array("attest-seal/v2 header".utf8) + [0]
    public static let defaultChunkSize = 64 * 1024
    public static let maxRecipients = 16
    static let wrappedKeyCount = 32 + 16
    static let recipientCount = 32 + 32 + wrappedKeyCount

    public struct Recipient: Sendable, Equatable {
        /// Raw SHA-256 of the recipient's SPKI (its keyid as bytes).
        public var keyID: [UInt8]
        /// The HPKE encapsulated key.
        public var enc: [UInt8]
        /// The file key sealed with HPKE to this recipient.
        public var wrappedKey: [UInt8]
    }

    public var chunkSize: Int
    /// Raw SHA-256 of the manifest payload the file is sealed under.
    public var manifestDigest: [UInt8]
    /// Raw SHA-256 of the sealer's SPKI: the attest signing key that signed this header.
    public var sealerKeyID: [UInt8]
    public var recipients: [Recipient]
    public var name: String?
    public var size: UInt64?
    /// The sealer's signature over `signedMessage`.
    public var signature: [UInt8] = []

    init(chunkSize: Int, manifestDigest: [UInt8], sealerKeyID: [UInt8], recipients: [Recipient], name: String?, size: UInt64?) {
        self.chunkSize = chunkSize
        self.manifestDigest = manifestDigest
        self.sealerKeyID = sealerKeyID
        self.recipients = recipients
        self.name = name
        self.size = size
    }

    /// The sealer's keyid as attest prints it.
    public var sealer: String { Hex.encode(sealerKeyID) }

    /// The part every wrapped key is bound to (magic, suite, chunk size, manifest digest, sealer).
    var prefix: [UInt8] {
        var out = SealedHeader.magic
        out += be16(HPKE.kemID) + be16(HPKE.kdfID) + be16(HPKE.AEAD.aes256GCM.rawValue)
        out += be32(UInt32(chunkSize))
        out += manifestDigest
        out += sealerKeyID
        return out
    }

    /// Every header byte before the signature: what the sealer signs (through `signedMessage`).
    var unsigned: [UInt8] {
        var out = prefix
        out.append(UInt8(recipients.count))
        for r in recipients { out += r.keyID + r.enc + r.wrappedKey }
        let nameBytes = Array((name ?? "").utf8)
        out += be16(UInt16(nameBytes.count)) + nameBytes
        if let size {
            out.append(1)
            out += be64(size)
        } else {
            out.append(0)
        }
        return out
    }

    /// A context string, then the hash of every header byte the signature follows (recipients included).
    var signedMessage: [UInt8] { Self.signatureContext + SHA256.hash(unsigned) }

    public var encoded: [UInt8] { unsigned + be16(UInt16(signature.count)) + signature }

    /// Whether one of `keys` is the sealer named in the header and its signature verifies.
    public func isSigned(byOneOf keys: [PublicKey]) -> Bool {
        guard let key = keys.first(where: { Hex.decode($0.keyID) == sealerKeyID }) else { return false }
        return key.verify(signature: signature, message: signedMessage)
    }

    /// HPKE info: binds each wrapped key to the manifest it may be opened under.
    static func hpkeInfo(manifestDigest: [UInt8]) -> [UInt8] {
        Array("attest-seal/v2".utf8) + [0] + manifestDigest
    }

    /// Reads a header from the start of `reader`; returns it and its exact bytes.
    static func read(from reader: inout ByteReader) throws(AttestError) -> (SealedHeader, [UInt8]) {
        var raw: [UInt8] = []
        func take(_ n: Int, _ what: String) throws(AttestError) -> [UInt8] {
            let bytes = try reader.read(exactly: n)
            guard bytes.count == n else { throw AttestError(.invalidDocument, "sealed file header is cut short (\(what))") }
            raw += bytes
            return bytes
        }
        let head = try take(8, "magic")
        if head == magicV1 {
            // Refused, not misread: a version-1 file carries no sealer signature.
            throw AttestError(.signatureFailed, "sealed file format version 1 is unsigned and no longer opened: seal it again with attest seal --from KEY")
        }
        guard head == magic else {
            throw AttestError(.invalidDocument, "not an attest sealed file (bad magic or unsupported version)")
        }
        let suite = try take(6, "suite")
        guard suite == be16(HPKE.kemID) + be16(HPKE.kdfID) + be16(HPKE.AEAD.aes256GCM.rawValue) else {
            throw AttestError(.unsupportedAlgorithm, "sealed file uses an unknown suite \(Hex.encode(suite))")
        }
        let chunkSize = Int(readBE(try take(4, "chunk size")))
        guard chunkSize >= 1024, chunkSize <= 4 << 20 else {
            throw AttestError(.invalidDocument, "sealed file chunk size \(chunkSize) is out of range")
        }
        let digest = try take(32, "manifest digest")
        let sealerKeyID = try take(32, "sealer keyid")
        let count = Int(try take(1, "recipient count")[0])
        guard count >= 1, count <= maxRecipients else { throw AttestError(.invalidDocument, "sealed file has \(count) recipients (1 to \(maxRecipients))") }
        var recipients: [Recipient] = []
        for _ in 0..<count {
            let entry = try take(recipientCount, "recipient")
            recipients.append(Recipient(keyID: Array(entry[0..<32]), enc: Array(entry[32..<64]), wrappedKey: Array(entry[64...])))
        }
        let nameLength = Int(readBE(try take(2, "name length")))
        let nameBytes = try take(nameLength, "name")
        let name: String?
        if nameLength == 0 {
            name = nil
        } else {
            guard let decoded = String(validating: nameBytes, as: UTF8.self), !decoded.contains("/"), !decoded.contains("\0") else {
                throw AttestError(.invalidDocument, "sealed file name is not a plain UTF-8 file name")
            }
            name = decoded
        }
        let hasSize = try take(1, "size flag")[0]
        guard hasSize <= 1 else { throw AttestError(.invalidDocument, "sealed file size flag is \(hasSize)") }
        let size: UInt64? = hasSize == 1 ? readBE(try take(8, "size")) : nil
        let signatureCount = Int(readBE(try take(2, "signature length")))
        guard signatureCount >= 1, signatureCount <= maxSignatureCount else {
            throw AttestError(.invalidDocument, "sealed file signature length \(signatureCount) is out of range (1 to \(maxSignatureCount))")
        }
        var header = SealedHeader(chunkSize: chunkSize, manifestDigest: digest, sealerKeyID: sealerKeyID, recipients: recipients, name: name, size: size)
        header.signature = try take(signatureCount, "signature")
        return (header, raw)
    }
}

func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }
func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) } }
func readBE(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
