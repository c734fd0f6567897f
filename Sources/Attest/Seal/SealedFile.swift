import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Sealing and opening files for one device (docs/sealed-file-format.md). A random file key is wrapped
/// with HPKE to each recipient's X25519 key, with the manifest digest in the HPKE info; the body is
/// AES-256-GCM in chunks (STREAM: nonce = base XOR counter, last-chunk flag in the AAD), so truncation,
/// reordering and splicing fail. Both directions stream in constant memory.
public enum SealedFile {
    static let bodyKeyInfo = Array("attest-seal/v1 body key".utf8)
    static let bodyNonceInfo = Array("attest-seal/v1 body nonce".utf8)

    public struct Summary: Sendable {
        public let bytes: UInt64
        public let header: SealedHeader
    }

    /// Seals `input` to `recipients` under the manifest whose payload digest is `manifestDigest` (raw 32 bytes).
    public static func seal(input: Int32, inputName: String, output: Int32, outputName: String, recipients: [PublicKey],
                            manifestDigest: [UInt8], name: String?, size: UInt64?,
                            chunkSize: Int = SealedHeader.defaultChunkSize) throws(AttestError) -> Summary {
        guard !recipients.isEmpty, recipients.count <= SealedHeader.maxRecipients else {
            throw AttestError(.usage, "give 1 to \(SealedHeader.maxRecipients) recipients")
        }
        guard manifestDigest.count == 32 else { throw AttestError(.usage, "the manifest digest must be 32 bytes") }
        for recipient in recipients where recipient.algorithm != .x25519 {
            throw AttestError(.usage, "recipient \(recipient.keyID) is \(recipient.algorithm), not an x25519 sealing key")
        }
        var header = SealedHeader(chunkSize: chunkSize, manifestDigest: manifestDigest, recipients: [], name: name, size: size)
        let (bodyKey, baseNonce, headerBytes): ([UInt8], [UInt8], [UInt8])
        do throws(CryptoError) {
            let fileKey = try SecureRandom.bytes(32)
            let info = SealedHeader.hpkeInfo(manifestDigest: manifestDigest)
            for recipient in recipients {
                let (enc, context) = try HPKE.setupBaseSender(recipient: recipient, info: info)
                let wrapped = try context.seal(aad: header.prefix, plaintext: fileKey)
                header.recipients.append(.init(keyID: Hex.decode(recipient.keyID) ?? [], enc: enc, wrappedKey: wrapped))
            }
            headerBytes = header.encoded
            (bodyKey, baseNonce) = try deriveBody(fileKey: fileKey, headerBytes: headerBytes)
        } catch {
            throw AttestError(error)
        }
        var source: any ChunkSource = Self.source(fd: input, name: inputName, size: size.map(Int.init), offset: 0, chunk: chunkSize)
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
        return Summary(bytes: total, header: header)
    }

    /// Reads just the header (to check the manifest and recipients before any work).
    public static func readHeader(fd: Int32, name: String, size: UInt64? = nil) throws(AttestError) -> (SealedHeader, [UInt8], ByteReaderBox) {
        var reader = ByteReader(fd: fd, name: name, capacity: 64 * 1024)
        do throws(AttestError) {
            let (header, raw) = try SealedHeader.read(from: &reader)
            let box = ByteReaderBox(reader)
            if let size, let mapped = MappedChunkSource(fd: fd, length: Int(size), offset: raw.count) {
                box.mapped = mapped
            }
            return (header, raw, box)
        } catch {
            reader.close()
            throw error.inFile(name)
        }
    }

    /// Opens the body after `readHeader`, writing plaintext to `output`. Every chunk is authenticated
    /// before it is written; truncation shows as a missing last chunk and fails at the end.
    public static func open(header: SealedHeader, headerBytes: [UInt8], body: ByteReaderBox, key: PrivateKey,
                            output: Int32, outputName: String) throws(AttestError) -> Summary {
        var source: any ChunkSource = body.source()
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
        var counter: UInt64 = 0
        var total: UInt64 = 0
        let scratch = ChunkScratch()
        while true {
            let (view, last) = try source.next(chunk + 16)
            let n = view.count
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
            writer.commit(plain)
            total += UInt64(plain)
            counter += 1
            if last { break }
        }
        if let size = header.size, size != total {
            throw AttestError(.signatureFailed, "the header announces \(size) bytes but the body holds \(total)", at: body.name)
        }
        try writer.flush()
        return Summary(bytes: total, header: header)
    }

    /// A mapping for regular files of known size, a buffered reader otherwise.
    static func source(fd: Int32, name: String, size: Int?, offset: Int, chunk: Int) -> any ChunkSource {
        if let size, let mapped = MappedChunkSource(fd: fd, length: size, offset: offset) { return mapped }
        return StreamChunkSource(reader: ByteReader(fd: fd, name: name, capacity: max(1 << 20, 4 * chunk)))
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

/// Hands the body of a sealed file to `open`: a mapping of the file past its header when it is a regular
/// file, or the reader that consumed the header.
public final class ByteReaderBox {
    private var reader: ByteReader?
    fileprivate var mapped: MappedChunkSource?
    let name: String

    init(_ reader: ByteReader) {
        self.reader = reader
        self.name = reader.name
    }

    fileprivate func source() -> any ChunkSource {
        if let mapped {
            self.mapped = nil
            reader?.close()
            reader = nil
            return mapped
        }
        defer { reader = nil }
        return StreamChunkSource(reader: reader ?? ByteReader(fd: -1, name: name))
    }

    deinit {
        reader?.close()
        mapped?.close()
    }
}
