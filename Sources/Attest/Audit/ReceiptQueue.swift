import AttestCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receipts waiting to enter an audit log: `LOG.pending`, one canonical envelope per line after a header line
/// with a random tag. A device writes a receipt before every job; appending a line and one `fdatasync` costs a
/// fraction of a SQLite transaction with its tree nodes, checkpoint signature and syncs, so `attest run`
/// queues its receipt and the log takes the queue in later, in one transaction (when the queue grows past
/// `drainThreshold`, at boot, and when an audit command opens the log).
///
/// Guarantees:
/// - `append` returns once the line is on disk; appends and drains serialise on a lock of the queue file.
/// - A drain commits the queued receipts and a mark of what it took (the byte count and SHA-256 of the queue
///   so far) in one log transaction, then empties the file. A crash between the two leaves a queue whose
///   start matches the mark, and the next drain skips exactly that: nothing is taken twice or lost. The
///   random header makes every filling of the queue distinct, so two identical receipts in two fillings
///   are never mistaken for each other.
/// - A line cut short by a crash (its job never ran: `append` had not returned) is closed off by the next
///   append and set aside at the next drain. Lines that are not receipts signed by a key the log holds, and
///   receipts whose bytes the log already holds (replays), are set aside into `LOG.rejected` with their reason,
///   never into the log; the rest still go in, so the queue never stalls.
public struct ReceiptQueue: Sendable {
    public let path: String
    public let logPath: String
    /// Queue size at which `attest run` drains the queue itself.
    public static let drainThreshold = 256 << 10
    static let headerPrefix = Array("attest-receipt-queue ".utf8)

    public init(logPath: String) {
        self.logPath = logPath
        self.path = logPath + ".pending"
    }

    /// Where lines that cannot enter the log are kept, for whoever looks into it.
    public var rejectedPath: String { logPath + ".rejected" }

    /// True when the queue holds anything (header or lines).
    public var hasPending: Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_size > 0
    }

    // MARK: Appending

    /// Appends one receipt envelope (canonical JSON, no newline) and syncs it.
    /// - Returns: the queue's size before and after, in bytes.
    @discardableResult
    public func append(_ envelope: [UInt8]) throws(AttestError) -> (before: Int, after: Int) {
        guard !envelope.contains(0x0a) else { throw AttestError(.invalidDocument, "a queued receipt cannot span lines", at: path) }
        return try withLockedFile(create: true) { fd, created throws(AttestError) -> (before: Int, after: Int) in
            let size = try Self.size(fd, path: path)
            var line: [UInt8] = []
            line.reserveCapacity(envelope.count + 64)
            if size == 0 {
                line += Self.headerPrefix
                let tag: [UInt8]
                do throws(CryptoError) { tag = try SecureRandom.bytes(16) } catch { throw AttestError(error) }
                line += Array(Hex.encode(tag).utf8)
                line.append(0x0a)
            } else {
                var last: UInt8 = 0
                if pread(fd, &last, 1, off_t(size - 1)) == 1, last != 0x0a { line.append(0x0a) }
            }
            line += envelope
            line.append(0x0a)
            try AtomicFile.writeAll(fd, line, path: path)
            guard fdatasync(fd) == 0 else {
                throw AttestError(.environment, "cannot sync the receipt queue: \(AtomicFile.errnoText())", at: path)
            }
            if created { AtomicFile.syncDirectory(AtomicFile.parentDirectory(of: path)) }
            return (size, size + line.count)
        }
    }

    // MARK: Draining

    /// What a drain did.
    public struct Drained: Sendable {
        public var appended = 0
        /// Lines set aside into `LOG.rejected`, by reason.
        public var setAside: [SetAsideReason: Int] = [:]
        public var rejected: Int { setAside.values.reduce(0, +) }
    }

    /// Why a queued line did not enter the log. The word starts the line in `LOG.rejected`.
    public enum SetAsideReason: String, Sendable, CaseIterable {
        /// Cut short by a crash: its job never ran.
        case torn
        /// Not a receipt envelope.
        case malformed
        /// From a device whose key the log does not hold.
        case unknownKey = "unknown-key"
        /// Not signed by the key of the device it names.
        case forged
        /// Bytes the log (or this drain) already holds: receipts carry a random nonce, so only a copy repeats.
        case replayed
    }

    /// Moves the queued receipts into the log in one transaction, then empties the queue. Every line that
    /// cannot enter the log is set aside with its reason, so one bad line never holds the others back.
    /// - Parameter deviceKeys: device keys to record in the log (receipts are checked against the keys it holds).
    @discardableResult
    public func drain(into log: AuditLog, signer: NoteSigner, deviceKeys: [PublicKey] = []) throws(AttestError) -> Drained {
        guard hasPending else { return Drained() }
        return try withLockedFile(create: false) { fd, _ throws(AttestError) -> Drained in
            let bytes = try Self.readAll(fd, path: path)
            if bytes.isEmpty { return Drained() }
            // Bytes a crashed drain already committed: the mark names this filling's start exactly.
            var start = 0
            if let mark = try log.queueMark(), mark.length > 0, mark.length <= bytes.count,
               Hex.encode(SHA256.hash(Array(bytes[0..<mark.length]))) == mark.digest {
                start = mark.length
            }
            var keys = try log.deviceKeys()
            for key in deviceKeys { keys[key.keyID] = key }
            // Only complete lines: a final line without a newline was cut short by a crash (and when the mark
            // covers it, an earlier drain already set it aside).
            let complete = max(start, bytes.lastIndex(of: 0x0a).map { $0 + 1 } ?? 0)
            var sorted = Self.sort(bytes[start..<complete], keys: keys)
            if complete < bytes.count { sorted.setAside.append((.torn, bytes[complete...])) }
            try dropReplays(&sorted, log: log)
            var outcome = Drained(appended: sorted.accepted.count)
            for (reason, _) in sorted.setAside { outcome.setAside[reason, default: 0] += 1 }
            if !sorted.setAside.isEmpty { try keepRejected(sorted.setAside) }
            if !sorted.accepted.isEmpty {
                let mark = QueueMark(length: bytes.count, digest: Hex.encode(SHA256.hash(bytes)))
                try log.append(sorted.accepted.map(\.entry), signer: signer, deviceKeys: deviceKeys, checkReceipts: false, queueMark: mark)
            }
            guard ftruncate(fd, 0) == 0, fdatasync(fd) == 0 else {
                throw AttestError(.environment, "cannot empty the receipt queue: \(AtomicFile.errnoText())", at: path)
            }
            return outcome
        }
    }

    /// Queued lines split into receipts that verify under a key the log holds and lines to set aside.
    struct Sorted {
        var accepted: [(entry: AuditEntry, line: ArraySlice<UInt8>)] = []
        var setAside: [(SetAsideReason, ArraySlice<UInt8>)] = []
    }

    static func sort(_ lines: ArraySlice<UInt8>, keys: [String: PublicKey]) -> Sorted {
        var sorted = Sorted()
        for line in lines.split(separator: 0x0a) {
            if line.starts(with: headerPrefix) { continue }
            guard let entry = try? AuditEntry(envelopeBytes: Array(line)), entry.kind == .receipt, let device = entry.device else {
                sorted.setAside.append((.malformed, line))
                continue
            }
            guard let key = keys[device] else {
                sorted.setAside.append((.unknownKey, line))
                continue
            }
            if entry.envelope.verify(keys: [device: key], threshold: 1).meetsThreshold {
                sorted.accepted.append((entry, line))
            } else {
                sorted.setAside.append((.forged, line))
            }
        }
        return sorted
    }

    /// Sets aside receipts whose bytes the log already holds, or that repeat earlier in this queue.
    private func dropReplays(_ sorted: inout Sorted, log: AuditLog) throws(AttestError) {
        let leaves = sorted.accepted.map { MerkleTree.leafHash($0.entry.bytes) }
        let held = try log.holdsLeaves(leaves)
        var seen = Set<[UInt8]>()
        var kept: [(entry: AuditEntry, line: ArraySlice<UInt8>)] = []
        for (position, item) in sorted.accepted.enumerated() {
            if held.contains(position) || !seen.insert(leaves[position]).inserted {
                sorted.setAside.append((.replayed, item.line))
            } else {
                kept.append(item)
            }
        }
        sorted.accepted = kept
    }

    /// Lines that cannot enter the log, each after its reason, kept with a sync before the queue forgets them.
    private func keepRejected(_ lines: [(SetAsideReason, ArraySlice<UInt8>)]) throws(AttestError) {
        let fd = open(rejectedPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AttestError(.environment, "cannot open: \(AtomicFile.errnoText())", at: rejectedPath) }
        defer { close(fd) }
        var out: [UInt8] = []
        for (reason, line) in lines {
            out += Array(reason.rawValue.utf8)
            out.append(0x20)
            out += line
            out.append(0x0a)
        }
        try AtomicFile.writeAll(fd, out, path: rejectedPath)
        guard fdatasync(fd) == 0 else { throw AttestError(.environment, "cannot sync: \(AtomicFile.errnoText())", at: rejectedPath) }
    }

    /// How many lines have been set aside into `LOG.rejected` (0 when there is no such file). The file is the
    /// operator's to look into; removing it clears the count.
    public func setAsideCount() throws(AttestError) -> Int {
        let fd = open(rejectedPath, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return 0 }
            throw AttestError(.environment, "cannot read: \(AtomicFile.errnoText())", at: rejectedPath)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw AttestError(.environment, "not a regular file", at: rejectedPath)
        }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var last: UInt8 = 0x0a
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw AttestError(.environment, "cannot read: \(AtomicFile.errnoText())", at: rejectedPath) }
            if n == 0 { break }
            for byte in buffer[0..<n] where byte == 0x0a { count += 1 }
            last = buffer[n - 1]
        }
        return last == 0x0a ? count : count + 1
    }

    // MARK: File handling

    /// Opens the queue (creating it when asked), takes its lock, and runs `body` with the descriptor and
    /// whether this call created the file.
    private func withLockedFile<T>(create: Bool, _ body: (Int32, Bool) throws(AttestError) -> T) throws(AttestError) -> T {
        var created = false
        var fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        if fd < 0, errno == ENOENT, create {
            fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { created = true } else if errno == EEXIST { fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC) }
        }
        guard fd >= 0 else { throw AttestError(.environment, "cannot open the receipt queue: \(AtomicFile.errnoText())", at: path) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw AttestError(.environment, "cannot lock the receipt queue: \(AtomicFile.errnoText())", at: path) }
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body(fd, created)
    }

    private static func size(_ fd: Int32, path: String) throws(AttestError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AttestError(.environment, "cannot stat: \(AtomicFile.errnoText())", at: path) }
        return Int(info.st_size)
    }

    private static func readAll(_ fd: Int32, path: String) throws(AttestError) -> [UInt8] {
        let size = try size(fd, path: path)
        guard size <= 1 << 30 else { throw AttestError(.environment, "the receipt queue is over 1 GiB", at: path) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[done...]).baseAddress, size - done, off_t(done))
            }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw AttestError(.environment, "cannot read: \(AtomicFile.errnoText())", at: path) }
            if n == 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }
}

/// How much of a receipt queue a log has taken in: its first `length` bytes, whose SHA-256 is `digest`.
public struct QueueMark: Sendable, Equatable {
    public let length: Int
    public let digest: String

    var text: String { "\(length) \(digest)" }

    init(length: Int, digest: String) {
        self.length = length
        self.digest = digest
    }

    init?(text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let length = Int(parts[0]), length >= 0 else { return nil }
        self.length = length
        self.digest = String(parts[1])
    }
}
