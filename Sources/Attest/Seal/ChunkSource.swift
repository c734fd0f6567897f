#if canImport(Glibc)
import Glibc
#endif

/// Where the chunk loops read from: a buffered read(2) stream, for files and pipes alike. Files are not
/// mapped: a mapped file truncated by another process turns the next read into SIGBUS.
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
