import AttestCrypto
internal import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// The model a job is allowed to load, as bytes no one can change: the file is opened once (a FIFO, device
/// or directory is refused, and opening never blocks), copied into a sealed anonymous file while it is
/// hashed, and the job is handed that copy. The digest the gate checks is the digest of the copy, so swapping
/// the file, or writing into it in place, after the decision changes nothing the job reads.
///
/// The copy lives in memory (a memfd): its cost is the model's size in RAM, for as long as the job runs.
public struct SealedCopy: Sendable {
    /// The copy's descriptor, kept open (not close-on-exec) for the job.
    public let descriptor: Int32
    /// `sha256:<hex>` of the bytes in the copy.
    public let digest: String
    public let size: UInt64

    /// What the job is told: `ATTEST_MODEL_FD` (the inherited descriptor) and `ATTEST_MODEL`
    /// (`/proc/self/fd/N`, a path any loader can open; writes to it fail).
    public var environment: [String: String] {
        ["ATTEST_MODEL_FD": String(descriptor), "ATTEST_MODEL": "/proc/self/fd/\(descriptor)"]
    }

    public init(path: String) throws(AttestError) {
        let source = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard source >= 0 else { throw AttestError(.io, "cannot open the model: \(AtomicFile.errnoText())", at: path) }
        defer { close(source) }
        var info = stat()
        guard fstat(source, &info) == 0 else { throw AttestError(.io, "cannot stat the model: \(AtomicFile.errnoText())", at: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw AttestError(.usage, "the model must be a regular file (not a FIFO, device or directory)", at: path)
        }
        let copy = attest_memfd_sealable("attest-model")
        guard copy >= 0 else { throw AttestError(.environment, "cannot make the model's sealed copy: \(AtomicFile.errnoText())") }
        do throws(AttestError) {
            (digest, size) = try Self.copy(from: source, to: copy, path: path)
            guard attest_memfd_seal_all(copy) == 0, lseek(copy, 0, SEEK_SET) == 0 else {
                throw AttestError(.environment, "cannot seal the model's copy: \(AtomicFile.errnoText())")
            }
        } catch {
            close(copy)
            throw error
        }
        descriptor = copy
    }

    private static func copy(from source: Int32, to copy: Int32, path: String) throws(AttestError) -> (String, UInt64) {
        let hasher: SHA256Hasher
        do throws(CryptoError) { hasher = try SHA256Hasher() } catch { throw AttestError(error) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total: UInt64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw AttestError(.io, "cannot read the model: \(AtomicFile.errnoText())", at: path) }
            if n == 0 { break }
            let failed = buffer.withUnsafeBytes { raw -> Bool in
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[0..<n]))
                var done = 0
                while done < n {
                    let w = write(copy, raw.baseAddress! + done, n - done)
                    if w < 0 && errno == EINTR { continue }
                    if w <= 0 { return true }
                    done += w
                }
                return false
            }
            if failed { throw AttestError(.environment, "cannot fill the model's sealed copy: \(AtomicFile.errnoText())") }
            total += UInt64(n)
        }
        return ("sha256:" + Hex.encode(hasher.finalize()), total)
    }
}
