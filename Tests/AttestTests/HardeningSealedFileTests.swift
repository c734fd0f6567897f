@testable import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Glibc
import Testing

@Suite("Hardening: sealed files")
struct HardeningSealedFileTests {
    @Test("10.18 a sealed file truncated while it is being opened is an error, not a crash")
    func truncatedDuringOpen() throws {
        let fx = try TrustFixture()
        let device = try PrivateKey.generate(.x25519)
        let dir = try TemporaryDirectory()
        let input = dir.path("big")
        try Data(repeating: 0x5a, count: 4 << 20).write(to: URL(fileURLWithPath: input))
        _ = try Sealing.seal(inputPath: input, outputPath: input + ".sealed", recipients: [device.publicKey], sealer: fx.delegationKeys[0], manifest: try fx.signedManifest())
        let fd = open(input + ".sealed", O_RDONLY)
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let (header, raw, body) = try SealedFile.readHeader(fd: fd, name: "big.sealed", size: UInt64(st.st_size))
        truncate(input + ".sealed", off_t(raw.count + 3 * (SealedHeader.defaultChunkSize + 16)))
        let out = open(dir.path("out"), O_WRONLY | O_CREAT, 0o600)
        defer { close(out) }
        #expect(throws: AttestError.self) {
            _ = try SealedFile.open(header: header, headerBytes: raw, body: body, key: device, output: out, outputName: "out")
        }
    }

    @Test("10.26 a body that ends with an empty chunk after a full one is refused: one plaintext, one encoding")
    func emptyFinalChunk() throws {
        let fx = try TrustFixture()
        let device = try PrivateKey.generate(.x25519)
        let dir = try TemporaryDirectory()
        let chunk = SealedHeader.defaultChunkSize
        let plain = [UInt8](repeating: 0x42, count: chunk)
        try Data(plain).write(to: URL(fileURLWithPath: dir.path("in")))
        let fileKey = try SecureRandom.bytes(32)
        let input = open(dir.path("in"), O_RDONLY), output = open(dir.path("in.sealed"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = try SealedFile.seal(input: input, inputName: "in", output: output, outputName: "in.sealed", recipients: [device.publicKey],
                                signer: fx.delegationKeys[0], manifestDigest: SHA256.hash(Array(fx.manifest().json.description.utf8)),
                                name: nil, size: nil, chunkSize: chunk, fileKey: fileKey)
        close(input)
        close(output)
        // The same plaintext encoded the other way: a full chunk not marked last, then an empty last chunk.
        let sealed = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("in.sealed"))))
        let fd = open(dir.path("in.sealed"), O_RDONLY)
        let (header, raw, _) = try SealedFile.readHeader(fd: fd, name: "in.sealed")
        close(fd)
        #expect(sealed.count == raw.count + chunk + 16, "one full, last chunk")
        let (bodyKey, base) = try SealedFile.deriveBody(fileKey: fileKey, headerBytes: raw)
        func nonce(_ counter: UInt64) -> [UInt8] {
            (0..<12).map { i in i < 4 ? base[i] : base[i] ^ UInt8(truncatingIfNeeded: counter >> (56 - 8 * UInt64(i - 4))) }
        }
        let forged = raw + (try AESGCM.seal(key: bodyKey, nonce: nonce(0), aad: [0], plaintext: plain))
            + (try AESGCM.seal(key: bodyKey, nonce: nonce(1), aad: [1], plaintext: []))
        try Data(forged).write(to: URL(fileURLWithPath: dir.path("forged.sealed")))
        let reader = open(dir.path("forged.sealed"), O_RDONLY)
        defer { close(reader) }
        let (h, r, body) = try SealedFile.readHeader(fd: reader, name: "forged.sealed")
        #expect(h == header)
        let out = open(dir.path("out"), O_WRONLY | O_CREAT, 0o600)
        defer { close(out) }
        #expect(throws: AttestError.self) {
            _ = try SealedFile.open(header: h, headerBytes: r, body: body, key: device, output: out, outputName: "out")
        }
    }
}
