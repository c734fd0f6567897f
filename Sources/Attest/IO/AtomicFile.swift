#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and all-or-nothing writes. A write goes to a temporary file beside the target, is
/// synced, then renamed over (or linked, when the target must not exist yet), and the directory is synced:
/// a crash leaves either the old file or the new one, never a part.
public enum AtomicFile {
    /// Reads a whole file, or standard input for `-`. Refuses anything over `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 30) throws(AttestError) -> [UInt8] {
        let fd: Int32 = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AttestError(.io, "cannot read: \(errnoText())", at: path) }
        defer { if path != "-" { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw AttestError(.io, "is a directory, not a file", at: path)
        }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw AttestError(.io, "cannot read: \(errnoText())", at: path)
            }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw AttestError(.io, "file is larger than \(limit) bytes", at: path) }
        }
        return out
    }

    /// Writes `bytes` to `path` (or standard output for `-`) all at once.
    /// - Parameters:
    ///   - mode: permission bits of the new file (0600 for private keys).
    ///   - overwrite: when false, an existing file is an error and is left untouched.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, overwrite: Bool = true) throws(AttestError) {
        if path == "-" {
            try writeAll(STDOUT_FILENO, bytes, path: "standard output")
            return
        }
        let directory = parentDirectory(of: path)
        var template = Array("\(directory)/.attest-tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AttestError(.io, "cannot create a file in \(directory): \(errnoText())", at: path) }
        let tempPath = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
        var done = false
        defer {
            if !done { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw AttestError(.io, "cannot set permissions: \(errnoText())", at: path) }
            try writeAll(fd, bytes, path: path)
            guard fsync(fd) == 0 else { throw AttestError(.io, "cannot sync: \(errnoText())", at: path) }
        }
        if overwrite {
            guard rename(tempPath, path) == 0 else { throw AttestError(.io, "cannot write: \(errnoText())", at: path) }
        } else {
            // link() fails if the target exists, so a racing writer can never be overwritten.
            guard link(tempPath, path) == 0 else {
                if errno == EEXIST { throw AttestError(.io, "already exists; refusing to overwrite it", at: path) }
                throw AttestError(.io, "cannot write: \(errnoText())", at: path)
            }
            unlink(tempPath)
        }
        done = true
        syncDirectory(directory)
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AttestError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw AttestError(.io, "cannot write: \(errnoText())", at: path)
            }
            offset += n
        }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

extension AtomicFile {
    /// Removes a file; a missing file is not an error.
    public static func remove(_ path: String) throws(AttestError) {
        if unlink(path) != 0, errno != ENOENT {
            throw AttestError(.io, "cannot remove: \(errnoText())", at: path)
        }
    }
}
