import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Sealing and opening files for one device (docs/sealed-file-format.md). A random file key is wrapped
/// with HPKE to each recipient's X25519 key, with the manifest digest in the HPKE info; the body is
/// AES-256-GCM in chunks (STREAM: nonce = base XOR counter, last-chunk flag in the AAD), so truncation,
/// reordering and splicing fail. The sealer signs the header. Both directions stream in constant memory,
/// reading with read(2): a mapped input that shrinks underneath would kill the process with SIGBUS.
public enum SealedFile {
    static let bodyKeyInfo = Array("attest-seal/v2 body key".utf8)
    static let bodyNonceInfo = Array("attest-seal/v2 body nonce".utf8)

    public struct Summary: Sendable {
        public let bytes: UInt64
        public let header: SealedHeader
        /// `sha256:<hex>` of the plaintext (sealed or opened).
        public let plaintextDigest: String
    }

    /// Seals `input` to `recipients` under the manifest whose payload digest is `manifestDigest` (raw 32 bytes),
    /// with the header signed by `signer` (an attest signing key). `fileKey` is for tests only.
    public static func seal(input: Int32, inputName: String, output: Int32, outputName: String, recipients: [PublicKey],
                            signer: PrivateKey, manifestDigest: [UInt8], name: String?, size: UInt64?,
                            chunkSize: Int = SealedHeader.defaultChunkSize) throws(AttestError) -> Summary {
        try seal(input: input, inputName: inputName, output: output, outputName: outputName, recipients: recipients, signer: signer,
                 manifestDigest: manifestDigest, name: name, size: size, chunkSize: chunkSize, fileKey: nil)
    }

    static func seal(input: Int32, inputName: String, output: Int32, outputName: String, recipients: [PublicKey],
                     signer: PrivateKey, manifestDigest: [UInt8], name: String?, size: UInt64?,
                     chunkSize: Int, fileKey givenKey: [UInt8]?) throws(AttestError) -> Summary {
        guard !recipients.isEmpty, recipients.count <= SealedHeader.maxRecipients else {
            throw AttestError(.usage, "give 1 to \(SealedHeader.maxRecipients) recipients")
        }
        guard manifestDigest.count == 32 else { throw AttestError(.usage, "the manifest digest must be 32 bytes") }
        for recipient in recipients where recipient.algorithm != .x25519 {
            throw AttestError(.usage, "recipient \(recipient.keyID) is \(recipient.algorithm), not an x25519 sealing key")
        }
        guard signer.algorithm != .x25519 else {
            throw AttestError(.usage, "the sealer's key \(signer.publicKey.keyID) is an x25519 sealing key, not a signing key")
        }
        guard let sealerID = Hex.decode(signer.publicKey.keyID) else { throw AttestError(.invalidKey, "the sealer's keyid is not hex") }
        var header = SealedHeader(chunkSize: chunkSize, manifestDigest: manifestDigest, sealerKeyID: sealerID, recipients: [], name: name, size: size)
        let (bodyKey, baseNonce, headerBytes): ([UInt8], [UInt8], [UInt8])
        do throws(CryptoError) {
            let fileKey: [UInt8]
            if let givenKey { fileKey = givenKey } else { fileKey = try SecureRandom.bytes(32) }
            let info = SealedHeader.hpkeInfo(manifestDigest: manifestDigest)
            for recipient in recipients {
                let (enc, context) = try HPKE.setupBaseSender(recipient: recipient, info: info)
                let wrapped = try context.seal(aad: header.prefix, plaintext: fileKey)
                header.recipients.append(.init(keyID: Hex.decode(recipient.keyID) ?? [], enc: enc, wrappedKey: wrapped))
            }
            header.signature = try signer.sign(header.signedMessage)
            headerBytes = header.encoded
            (bodyKey, baseNonce) = try deriveBody(fileKey: fileKey, headerBytes: headerBytes)
        } catch {
            throw AttestError(error)
        }
        var source = StreamChunkSource(reader: ByteReader(fd: input, name: inputName, capacity: max(1 << 20, 4 * chunkSize)))
        let hash: SHA256Hasher
        do { hash = try SHA256Hasher() } catch { throw AttestError(error) }
        var writer = ByteWriter(fd: output, name: outputName, capacity: max(1 << 20, 4 * (chunkSize + 16)))
        defer { source.close(); writer.close() }
        try writer.write(headerBytes)
        let context: AESGCM.Context
        do { context = try AESGCM.Context(key: bodyKey) } catch { throw AttestError(error) }
        var counter: UInt64 = 0
        var total: UInt64 = 0
        let scratch = ChunkScratch()
        while true {
            let (view, last) = try source.next(chunkSize)
            let n = view.count
            hash.update(view)
            scratch.set(base: baseNonce, counter: counter, last: last)
            let out = try writer.reserve(n + 16)
            let written: Int
            do throws(CryptoError) {
                written = try context.seal(nonce: scratch.nonce, aad: scratch.flag, plaintext: view, into: out)
            } catch {
                throw AttestError(error)
            }
            writer.commit(written)
            total += UInt64(n)
            counter += 1
            if last { break }
        }
        if let size, size != total {
            throw AttestError(.io, "the input was \(total) bytes, not the \(size) announced", at: inputName)
        }
        try writer.flush()
        return Summary(bytes: total, header: header, plaintextDigest: digestText(hash))
    }

    static func digestText(_ hash: SHA256Hasher) -> String { "sha256:" + Hex.encode(hash.finalize()) }

    /// Reads just the header (to check the manifest and recipients before any work).
    public static func readHeader(fd: Int32, name: String, size: UInt64? = nil) throws(AttestError) -> (SealedHeader, [UInt8], ByteReaderBox) {
        var reader = ByteReader(fd: fd, name: name, capacity: 1 << 20)
        do throws(AttestError) {
            let (header, raw) = try SealedHeader.read(from: &reader)
            return (header, raw, ByteReaderBox(reader, size: size))
        } catch {
            reader.close()
            throw error.inFile(name)
        }
    }

    /// Opens the body after `readHeader`, writing plaintext to `output` and hashing it. Every chunk is
    /// authenticated before it is written; truncation (also while reading) shows as a missing last chunk
    /// and fails at the end. The caller checks the sealer's signature first.
    public static func open(header: SealedHeader, headerBytes: [UInt8], body: ByteReaderBox, key: PrivateKey,
                            output: Int32, outputName: String) throws(AttestError) -> Summary {
        var source = body.source()
        defer { source.close() }
        guard let myID = Hex.decode(key.publicKey.keyID), let entry = header.recipients.first(where: { $0.keyID == myID }) else {
            throw AttestError(.signatureFailed, "the file is not sealed to this device's key \(key.publicKey.keyID)", at: body.name)
        }
        let (bodyKey, baseNonce): ([UInt8], [UInt8])
        do throws(CryptoError) {
            let context = try HPKE.setupBaseReceiver(enc: entry.enc, recipient: key, info: SealedHeader.hpkeInfo(manifestDigest: header.manifestDigest))
            let fileKey = try context.open(aad: header.prefix, ciphertext: entry.wrappedKey)
            (bodyKey, baseNonce) = try deriveBody(fileKey: fileKey, headerBytes: headerBytes)
        } catch {
            throw AttestError(.signatureFailed, "cannot unwrap the file key: \(error.reason)", at: body.name)
        }
        let chunk = header.chunkSize
        var writer = ByteWriter(fd: output, name: outputName, capacity: max(1 << 20, 2 * chunk))
        defer { writer.close() }
        let context: AESGCM.Context
        do { context = try AESGCM.Context(key: bodyKey) } catch { throw AttestError(error) }
        let hash: SHA256Hasher
        do { hash = try SHA256Hasher() } catch { throw AttestError(error) }
        var counter: UInt64 = 0
        var total: UInt64 = 0
        let scratch = ChunkScratch()
        while true {
            let (view, last) = try source.next(chunk + 16)
            let n = view.count
            // Only an empty file has an empty chunk: an empty last chunk after a full one is a second
            // encoding of the same plaintext, which age's STREAM refuses too.
            if n == 16 && counter > 0 {
                throw AttestError(.signatureFailed, "the sealed file ends with an empty chunk after a full one", at: body.name)
            }
            guard n >= 16 else {
                throw AttestError(.signatureFailed, "the sealed file is truncated (chunk \(counter) is missing or cut short)", at: body.name)
            }
            scratch.set(base: baseNonce, counter: counter, last: last)
            let out = try writer.reserve(n - 16)
            let plain: Int
            do throws(CryptoError) {
                plain = try context.open(nonce: scratch.nonce, aad: scratch.flag, ciphertext: view, into: out)
            } catch {
                let what = counter == 0 ? "the header or the first chunk was changed, or the file is truncated"
                    : last ? "the last chunk does not verify (truncated, reordered or changed)" : "chunk \(counter) does not verify (changed, reordered or duplicated)"
                throw AttestError(.signatureFailed, "\(what)", at: body.name)
            }
            hash.update(UnsafeRawBufferPointer(rebasing: out[0..<plain]))
            writer.commit(plain)
            total += UInt64(plain)
            counter += 1
            if last { break }
        }
        if let size = header.size, size != total {
            throw AttestError(.signatureFailed, "the header announces \(size) bytes but the body holds \(total)", at: body.name)
        }
        if let expected = body.size, let now = body.currentSize(), now != expected {
            // The input changed size while it was read: whatever was read is not the file that was opened.
            throw AttestError(.io, "the file changed size while it was read (\(expected) then \(now) bytes)", at: body.name)
        }
        try writer.flush()
        return Summary(bytes: total, header: header, plaintextDigest: digestText(hash))
    }

    static func deriveBody(fileKey: [UInt8], headerBytes: [UInt8]) throws(CryptoError) -> ([UInt8], [UInt8]) {
        // The header's hash is the HKDF salt: any change to any header byte gives other body keys.
        let salt = SHA256.hash(headerBytes)
        let prk = try HKDF.extract(salt: salt, ikm: fileKey)
        return (try HKDF.expand(prk: prk, info: bodyKeyInfo, length: 32), try HKDF.expand(prk: prk, info: bodyNonceInfo, length: 12))
    }

}

/// The per-chunk nonce (base XOR big-endian counter) and last-chunk flag, in memory allocated once.
final class ChunkScratch {
    let nonceStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: 12, alignment: 16)
    let flagStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    var nonce: UnsafeRawBufferPointer { UnsafeRawBufferPointer(nonceStorage) }
    var flag: UnsafeRawBufferPointer { UnsafeRawBufferPointer(flagStorage) }

    func set(base: [UInt8], counter: UInt64, last: Bool) {
        for i in 0..<4 { nonceStorage[i] = base[i] }
        for i in 0..<8 { nonceStorage[4 + i] = base[4 + i] ^ UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64(i))) }
        flagStorage[0] = last ? 1 : 0
    }

    deinit {
        nonceStorage.deallocate()
        flagStorage.deallocate()
    }
}

/// Hands the body of a sealed file to `open`: the reader that consumed the header, and the size the
/// file had when it was opened (a regular file), to notice a file that shrinks or grows while it is read.
public final class ByteReaderBox {
    private var reader: ByteReader?
    let name: String
    let size: UInt64?
    private let descriptor: Int32

    init(_ reader: ByteReader, size: UInt64?) {
        self.reader = reader
        self.name = reader.name
        self.size = size
        self.descriptor = reader.fd
    }

    fileprivate func source() -> StreamChunkSource {
        defer { reader = nil }
        return StreamChunkSource(reader: reader ?? ByteReader(fd: -1, name: name))
    }

    fileprivate func currentSize() -> UInt64? {
        guard size != nil else { return nil }
        let fd = descriptor
        var st = stat()
        return fstat(fd, &st) == 0 ? UInt64(st.st_size) : nil
    }

    deinit { reader?.close() }
}
