#if canImport(Glibc)
import Glibc
#endif

/// Where the chunk loops read from: a mapped regular file (no copy into a buffer: the cipher reads the
/// page cache directly, and pages already processed are dropped so memory stays flat), or a buffered
/// stream for pipes and standard input.
protocol ChunkSource {
    /// The next `count` bytes (fewer only at the end), and whether the input ends right after them.
    mutating func next(_ count: Int) throws(AttestError) -> (bytes: UnsafeRawBufferPointer, last: Bool)
    mutating func close()
}

struct StreamChunkSource: ChunkSource {
    var reader: ByteReader
    private var pending = 0

    init(reader: ByteReader) { self.reader = reader }

    mutating func next(_ count: Int) throws(AttestError) -> (bytes: UnsafeRawBufferPointer, last: Bool) {
        reader.skip(pending)
        reader.ensureCapacity(count + 1)
        // One byte past the chunk tells whether it is the last.
        let view = try reader.peek(count + 1)
        let n = min(view.count, count)
        pending = n
        return (UnsafeRawBufferPointer(rebasing: view[0..<n]), view.count <= count)
    }

    mutating func close() { reader.close() }
}

struct MappedChunkSource: ChunkSource {
    private let base: UnsafeRawPointer
    private let length: Int
    private var offset: Int
    private var dropped = 0
    private static let dropEvery = 8 << 20

    /// Maps `fd` (a regular file of `length` bytes) and starts at `offset`; nil when it cannot be mapped.
    init?(fd: Int32, length: Int, offset: Int) {
        guard length > 0, let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        _ = madvise(p, length, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(p)
        self.length = length
        self.offset = offset
    }

    mutating func next(_ count: Int) throws(AttestError) -> (bytes: UnsafeRawBufferPointer, last: Bool) {
        let n = min(count, length - offset)
        let view = UnsafeRawBufferPointer(start: base + offset, count: n)
        offset += n
        // Give back the pages behind us: a mapped file would otherwise count whole in the resident set.
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let done = (offset - count - 1) / page * page
        if done - dropped >= Self.dropEvery {
            _ = madvise(UnsafeMutableRawPointer(mutating: base + dropped), done - dropped, MADV_DONTNEED)
            dropped = done
        }
        return (view, offset >= length)
    }

    mutating func close() { munmap(UnsafeMutableRawPointer(mutating: base), length) }
}
