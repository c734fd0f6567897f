#if canImport(Glibc)
import Glibc
#endif

/// Buffered reads from a file descriptor, in large blocks: the sealed body is processed in 64 KiB
/// chunks, but a system call per chunk would cost more than the cipher.
struct ByteReader {
    let fd: Int32
    let name: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private(set) var atEOF = false

    init(fd: Int32, name: String, capacity: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    func close() { buffer.deallocate() }

    var buffered: Int { end - start }

    /// Grows the buffer so `fill(atLeast: n)` can hold `n` bytes (twice that, for read-ahead).
    mutating func ensureCapacity(_ n: Int) {
        guard buffer.count < 2 * n else { return }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * n, alignment: 64)
        if buffered > 0 { bigger.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered) }
        end = buffered
        start = 0
        buffer.deallocate()
        buffer = bigger
    }

    /// Fills the buffer until it holds at least `n` bytes or the input ends.
    mutating func fill(atLeast n: Int) throws(AttestError) {
        if buffered >= n || atEOF { return }
        if start > 0 {
            // Slide what is left to the front; it is at most one chunk.
            if buffered > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered) }
            end = buffered
            start = 0
        }
        while end < n || end < buffer.count / 2 {
            let got = Glibc.read(fd, buffer.baseAddress! + end, buffer.count - end)
            if got == 0 { atEOF = true; break }
            if got < 0 {
                if errno == EINTR { continue }
                throw AttestError(.io, "cannot read: \(String(cString: strerror(errno)))", at: name)
            }
            end += got
            if end == buffer.count { break }
        }
    }

    /// Up to `n` bytes (fewer only at the end of input), copied out.
    mutating func read(exactly n: Int) throws(AttestError) -> [UInt8] {
        try fill(atLeast: n)
        let count = min(n, buffered)
        let out = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<(start + count)]))
        start += count
        return out
    }

    /// A view of the next `n` buffered bytes (fewer at the end), valid until the next call.
    mutating func peek(_ n: Int) throws(AttestError) -> UnsafeRawBufferPointer {
        try fill(atLeast: n)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<(start + min(n, buffered))])
    }

    mutating func skip(_ n: Int) { start += min(n, buffered) }
}

/// Buffered writes to a file descriptor.
struct ByteWriter {
    let fd: Int32
    let name: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private(set) var written: UInt64 = 0

    init(fd: Int32, name: String, capacity: Int = 1 << 20) {
        self.fd = fd
        self.name = name
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    func close() { buffer.deallocate() }

    /// Grows the buffer to hold at least `n` bytes at once.
    mutating func ensureCapacity(_ n: Int) throws(AttestError) {
        guard buffer.count < n else { return }
        try flush()
        buffer.deallocate()
        buffer = .allocate(byteCount: n, alignment: 64)
    }

    /// Room for `n` more bytes, flushing first when needed; the caller writes there and calls `commit`.
    mutating func reserve(_ n: Int) throws(AttestError) -> UnsafeMutableRawBufferPointer {
        if buffer.count - count < n { try flush() }
        if buffer.count < n { try ensureCapacity(n) }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + n)])
    }

    mutating func commit(_ n: Int) {
        count += n
        written += UInt64(n)
    }

    mutating func write(_ bytes: [UInt8]) throws(AttestError) {
        let room = try reserve(bytes.count)
        room.copyBytes(from: bytes)
        commit(bytes.count)
    }

    mutating func flush() throws(AttestError) {
        var offset = 0
        while offset < count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw AttestError(.io, "cannot write: \(String(cString: strerror(errno)))", at: name)
            }
            offset += n
        }
        count = 0
    }
}
