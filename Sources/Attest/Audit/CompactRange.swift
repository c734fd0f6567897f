/// The frontier of a log: the roots of the perfect subtrees that together cover leaves [0, size), largest
/// (leftmost) first, as in transparency-dev's compact ranges anchored at leaf 0.
///
/// Guarantees: `hashes` holds exactly one 32-byte hash per set bit of `size`, the subtree for the highest bit
/// first; appending a leaf and reading `root` cost O(log n) time and memory, and `root` equals the RFC 9162
/// root of the same leaves. So the log can append and checkpoint without rehashing or loading itself.
public struct CompactRange: Sendable, Hashable {
    /// Leaves covered.
    public private(set) var size: UInt64
    /// Roots of the covering perfect subtrees, in leaf order.
    public private(set) var hashes: [[UInt8]]

    /// The frontier of the empty log.
    public init() {
        size = 0
        hashes = []
    }

    /// A frontier saved earlier. Throws `.invalidDocument` unless there is one 32-byte hash per set bit of `size`.
    public init(size: UInt64, hashes: [[UInt8]]) throws(AttestError) {
        guard hashes.count == size.nonzeroBitCount else {
            throw AttestError(.invalidDocument, "a compact range of \(size) leaves has \(size.nonzeroBitCount) hashes, found \(hashes.count)")
        }
        guard hashes.allSatisfy({ $0.count == MerkleTree.hashSize }) else {
            throw AttestError(.invalidDocument, "compact range hashes must be \(MerkleTree.hashSize) bytes")
        }
        self.size = size
        self.hashes = hashes
    }

    /// The frontier of the first `size` leaves of `source`: one perfect-subtree read per set bit of `size`.
    public init(size: UInt64, source: some MerkleHashSource) throws(AttestError) {
        var hashes: [[UInt8]] = []
        var start: UInt64 = 0
        for level in stride(from: UInt64.bitWidth - 1, through: 0, by: -1) where size >> UInt64(level) & 1 == 1 {
            hashes.append(try source.perfectSubtreeHash(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        try self.init(size: size, hashes: hashes)
    }

    /// Appends the leaf for `entry`.
    public mutating func append(entry: some Collection<UInt8>) {
        push(MerkleTree.leafHash(entry))
    }

    /// Appends a leaf by its hash. Throws `.usage` for a hash that is not 32 bytes.
    public mutating func append(leafHash: [UInt8]) throws(AttestError) {
        guard leafHash.count == MerkleTree.hashSize else {
            throw AttestError(.usage, "a leaf hash must be \(MerkleTree.hashSize) bytes, found \(leafHash.count)")
        }
        push(leafHash)
    }

    /// Appends a leaf by its hash and hands each interior node it completes to `completed`, lowest level
    /// first, so a store can keep every perfect subtree hash (and a verifier compare them) without a second
    /// pass. Throws `.usage` for a hash that is not 32 bytes.
    public mutating func append(leafHash: [UInt8], completed: (MerkleNode) -> Void) throws(AttestError) {
        guard leafHash.count == MerkleTree.hashSize else {
            throw AttestError(.usage, "a leaf hash must be \(MerkleTree.hashSize) bytes, found \(leafHash.count)")
        }
        push(leafHash, completed: completed)
    }

    // Each trailing one bit of the old size is a subtree as large as the one now completed: merge them, as
    // binary addition carries.
    private mutating func push(_ leafHash: [UInt8], completed: (MerkleNode) -> Void = { _ in }) {
        let leaf = size
        var hash = leafHash
        var carries = size.trailingNonzeroBitCount
        var level = 0
        while carries > 0, let left = hashes.popLast() {
            hash = MerkleTree.nodeHash(left, hash)
            carries -= 1
            level += 1
            completed(MerkleNode(level: level, index: leaf >> UInt64(level), hash: hash))
        }
        hashes.append(hash)
        size += 1
    }

    /// The RFC 9162 root of the covered leaves: the frontier folded from the right.
    public var root: [UInt8] {
        guard var root = hashes.last else { return MerkleTree.emptyRoot }
        for left in hashes.dropLast().reversed() {
            root = MerkleTree.nodeHash(left, root)
        }
        return root
    }
}

extension UInt64 {
    fileprivate var trailingNonzeroBitCount: Int { (~self).trailingZeroBitCount }
}
