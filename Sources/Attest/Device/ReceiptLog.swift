#if canImport(Glibc)
import Glibc
#endif

/// Where a device keeps its signed receipts. One storage type hides the format: today an append-only
/// file of JSON lines; the audit log can put a Merkle tree behind the same calls.
public protocol ReceiptStore {
    /// Appends one receipt envelope (canonical bytes); durable when this returns.
    func append(_ envelope: [UInt8]) throws(AttestError)
    /// Every complete receipt, oldest first.
    func entries() throws(AttestError) -> [[UInt8]]
}

/// `receipts.jsonl` in the state directory. Appends happen under the state lock, with O_APPEND and fsync.
/// A crash mid-write can leave a partial last line: readers skip it and the next append first cuts it off.
public struct FileReceiptLog: ReceiptStore, Sendable {
    public let path: String

    public init(stateDirectory: String) {
        path = stateDirectory + "/receipts.jsonl"
    }

    public func append(_ envelope: [UInt8]) throws(AttestError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AttestError(.environment, "cannot open the receipt log: \(String(cString: strerror(errno)))", at: path) }
        defer { close(fd) }
        try repairTail(fd)
        do throws(AttestError) {
            try AtomicFile.writeAll(fd, envelope + [0x0a], path: path)
        } catch {
            throw AttestError(.environment, "cannot append to the receipt log: \(error.reason)", at: path)
        }
        guard fsync(fd) == 0 else { throw AttestError(.environment, "cannot sync the receipt log: \(String(cString: strerror(errno)))", at: path) }
    }

    /// Cuts a partial last line left by a crash, so the next receipt starts on a line of its own.
    private func repairTail(_ fd: Int32) throws(AttestError) {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, st.st_size - 1) == 1, last != 0x0a else { return }
        // Find the end of the last complete line, reading backwards in blocks.
        var end = Int(st.st_size)
        var keep = 0
        var block = [UInt8](repeating: 0, count: 4096)
        search: while end > 0 {
            let start = max(0, end - block.count)
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, end - start, off_t(start)) }
            guard n == end - start else { break }
            for i in stride(from: n - 1, through: 0, by: -1) where block[i] == 0x0a {
                keep = start + i + 1
                break search
            }
            end = start
        }
        guard ftruncate(fd, off_t(keep)) == 0 else {
            throw AttestError(.environment, "cannot repair the receipt log: \(String(cString: strerror(errno)))", at: path)
        }
    }

    public func entries() throws(AttestError) -> [[UInt8]] {
        guard AtomicFile.exists(path) else { return [] }
        let bytes: [UInt8]
        do throws(AttestError) { bytes = try AtomicFile.read(path) } catch { throw AttestError(.environment, error.reason, at: path) }
        var out: [[UInt8]] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0a {
            if i > start { out.append(Array(bytes[start..<i])) }
            start = i + 1
        }
        return out
    }
}
