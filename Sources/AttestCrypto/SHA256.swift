internal import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 through OpenSSL: one-shot, streaming, and over a file of any size in constant memory.
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        // EVP_Digest only fails on allocation failure; a zero digest would then never match anything.
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, nil, EVP_sha256(), nil)
        return out
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Hashes a file by streaming it in 1 MiB reads: model files are many gigabytes.
    public static func hash(fileAt path: String) throws(CryptoError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CryptoError(.io, "cannot open \(path): \(String(cString: strerror(errno)))", drainingQueue: false)
        }
        defer { close(fd) }
        let hasher = try SHA256Hasher()
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunk)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw CryptoError(.io, "cannot read \(path): \(String(cString: strerror(errno)))", drainingQueue: false)
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }
}

/// Streaming SHA-256. Not for use from several threads at once.
public final class SHA256Hasher {
    private let ctx: OpaquePointer

    public init() throws(CryptoError) {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError(.openSSL, "cannot allocate a digest context") }
        guard EVP_DigestInit_ex(ctx, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(ctx)
            throw CryptoError(.openSSL, "cannot start SHA-256")
        }
        self.ctx = ctx
    }

    deinit { EVP_MD_CTX_free(ctx) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        _ = EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest; the hasher starts over afterwards.
    public func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(ctx, &out, &length)
        _ = EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        return out
    }
}
