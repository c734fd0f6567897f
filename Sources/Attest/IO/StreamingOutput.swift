#if canImport(Glibc)
import Glibc
#endif

/// An output written as a stream but published all at once: a temporary file beside the target that
/// becomes the target only on `commit` (after fsync); `abort`, or dropping it uncommitted, removes it.
/// For `-` it is standard output, which cannot be taken back.
public final class StreamingOutput {
    public let path: String
    public let fd: Int32
    private let temporaryPath: String?
    private var finished = false

    public init(path: String, mode: mode_t = 0o644) throws(AttestError) {
        self.path = path
        if path == "-" {
            fd = STDOUT_FILENO
            temporaryPath = nil
            return
        }
        let directory = AtomicFile.parentDirectory(of: path)
        var template = Array("\(directory)/.attest-tmp-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard made >= 0 else { throw AttestError(.io, "cannot create a file in \(directory): \(AtomicFile.errnoText())", at: path) }
        fd = made
        temporaryPath = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { String(cString: $0) } ?? "" }
        fchmod(fd, mode)
    }

    /// Makes the output durable and gives it its name.
    public func commit() throws(AttestError) {
        guard !finished else { return }
        finished = true
        guard let temporaryPath else { return }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            unlink(temporaryPath)
            throw AttestError(.io, "cannot sync: \(AtomicFile.errnoText())", at: path)
        }
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw AttestError(.io, "cannot write: \(AtomicFile.errnoText())", at: path)
        }
        AtomicFile.syncDirectory(AtomicFile.parentDirectory(of: path))
    }

    /// Removes the partial output.
    public func abort() {
        guard !finished else { return }
        finished = true
        guard let temporaryPath else { return }
        close(fd)
        unlink(temporaryPath)
    }

    deinit { abort() }
}
