#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many files written into place at once, keeping `AtomicFile.write`'s promise (after a crash each file is
/// whole or absent) without its cost per file: one `fsync` each forces one journal commit each, which on
/// ext4 limits a batch to a few thousand small files a second.
///
/// Use: `stage` every file (temporary name, no sync), `flushStaged` once, `syncStaged` them all, `publish`
/// each, then `syncDirectory` once per directory; `discard` what is left on failure. No file has its name
/// before its bytes are durable.
extension AtomicFile {
    /// A file written under a temporary name beside its destination, not yet synced and not yet visible.
    public struct Staged: Sendable {
        public let path: String
        let temporaryPath: String
    }

    /// Writes `bytes` to a new temporary file beside `path`, without syncing it.
    public static func stage(_ bytes: [UInt8], for path: String, mode: mode_t = 0o644) throws(AttestError) -> Staged {
        let directory = parentDirectory(of: path)
        var template = Array("\(directory)/.attest-tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw AttestError(.io, "cannot create a file in \(directory): \(errnoText())", at: path) }
        let temporaryPath = template.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { String(cString: $0) } ?? "" }
        do throws(AttestError) {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw AttestError(.io, "cannot set permissions: \(errnoText())", at: path) }
            try writeAll(fd, bytes, path: path)
        } catch {
            unlink(temporaryPath)
            throw error
        }
        return Staged(path: path, temporaryPath: temporaryPath)
    }

    /// Starts the durable write of everything staged. On Linux one `sync()` writes all dirty data at once, so
    /// the `fsync`s of `syncStaged(_:)` find their files already clean. It is system-wide (Swift's Glibc module
    /// does not export `syncfs`). Elsewhere `sync()` may return before the data is written, so it is skipped
    /// and those `fsync`s do the work.
    public static func flushStaged() {
        #if os(Linux)
        sync()
        #endif
    }

    /// Makes staged files durable, one `fsync` each, which also reports any write-back error that `sync()`
    /// does not. Do every file before publishing any: a rename in between dirties the metadata blocks the
    /// next `fsync` would then have to write.
    public static func syncStaged(_ files: some Sequence<Staged>) throws(AttestError) {
        for file in files {
            let fd = open(file.temporaryPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw AttestError(.io, "cannot reopen the staged file: \(errnoText())", at: file.path) }
            let synced = fsync(fd) == 0
            close(fd)
            guard synced else { throw AttestError(.io, "cannot sync: \(errnoText())", at: file.path) }
        }
    }

    /// Gives a synced staged file its name: renamed over an existing file when `overwrite`, otherwise linked,
    /// so an existing file is never replaced. The directory is not synced; call `syncDirectory` once after the
    /// last publish. On failure the temporary file is removed.
    public static func publish(_ file: Staged, overwrite: Bool) throws(AttestError) {
        if overwrite {
            guard rename(file.temporaryPath, file.path) == 0 else {
                let error = AttestError(.io, "cannot write: \(errnoText())", at: file.path)
                unlink(file.temporaryPath)
                throw error
            }
        } else {
            guard link(file.temporaryPath, file.path) == 0 else {
                let error = errno == EEXIST
                    ? AttestError(.io, "already exists; refusing to overwrite it", at: file.path)
                    : AttestError(.io, "cannot write: \(errnoText())", at: file.path)
                unlink(file.temporaryPath)
                throw error
            }
            unlink(file.temporaryPath)
        }
    }

    /// Removes staged files that will not be published.
    public static func discard(_ files: some Sequence<Staged>) {
        for file in files { unlink(file.temporaryPath) }
    }

    /// Syncs a directory so the names created in it survive a crash.
    public static func syncDirectory(at directory: String) {
        syncDirectory(directory)
    }

    /// Creates a directory (not its parents) if it does not exist; an existing non-directory is an error.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(AttestError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw AttestError(.io, "exists and is not a directory", at: path) }
            return
        }
        guard mkdir(path, mode) == 0 || errno == EEXIST else {
            throw AttestError(.io, "cannot create the directory: \(errnoText())", at: path)
        }
        syncDirectory(parentDirectory(of: path))
    }
}
