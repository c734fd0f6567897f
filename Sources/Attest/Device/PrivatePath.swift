#if canImport(Glibc)
import Glibc
#endif

/// The state directory, its config and the device key decide what the device trusts and signs: no other
/// user may be able to change them. A path passes when it is owned by this user or root and neither its
/// group nor others may write it.
enum PrivatePath {
    /// Throws `.environment` (exit 3) naming the path when it is writable by others; nothing when it is absent.
    static func check(_ path: String, what: String) throws(AttestError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw AttestError(.environment, "cannot inspect the \(what): \(AtomicFile.errnoText())", at: path)
        }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            throw AttestError(.environment, "the \(what) is a symbolic link: it must be the file itself", at: path)
        }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw AttestError(.environment, "the \(what) belongs to another user (uid \(info.st_uid))", at: path)
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw AttestError(.environment, "the \(what) can be written by other users (mode \(String(info.st_mode & 0o777, radix: 8))): chmod go-w", at: path)
        }
    }

    /// The state directory, its config and its signing key.
    static func checkState(_ stateDirectory: String, signingKey: String = "device.key") throws(AttestError) {
        try check(stateDirectory, what: "state directory")
        try check(stateDirectory + "/" + DeviceConfig.fileName, what: "device config")
        try check(stateDirectory + "/" + signingKey, what: "device signing key")
    }
}
