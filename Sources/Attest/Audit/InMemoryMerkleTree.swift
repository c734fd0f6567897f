/// A whole Merkle tree in memory, keeping every perfect subtree hash, so roots and proofs at any earlier size
/// cost O(log² n) lookups and no rehashing.
///
/// Guarantees: the same hashes, roots and proofs as RFC 9162 over the appended entries. For tests, small logs,
/// and as the reference a stored log is checked against.
public struct InMemoryMerkleTree: MerkleHashSource, Sendable, Hashable {
    // levels[l][i] is the root of the perfect subtree of 2^l leaves starting at leaf i << l.
    private var levels: [[[UInt8]]] = [[]]

    public init() {}

    public init(entries: some Sequence<some Collection<UInt8>>) {
        for entry in entries { append(entry: entry) }
    }

    /// Leaves appended so far.
    public var size: UInt64 { UInt64(levels[0].count) }

    /// Appends the leaf for `entry`; returns its index.
    @discardableResult
    public mutating func append(entry: some Collection<UInt8>) -> UInt64 {
        push(MerkleTree.leafHash(entry))
    }

    /// Appends a leaf by its hash; returns its index. Throws `.usage` for a hash that is not 32 bytes.
    @discardableResult
    public mutating func append(leafHash: [UInt8]) throws(AttestError) -> UInt64 {
        guard leafHash.count == MerkleTree.hashSize else {
            throw AttestError(.usage, "a leaf hash must be \(MerkleTree.hashSize) bytes, found \(leafHash.count)")
        }
        return push(leafHash)
    }

    private mutating func push(_ leafHash: [UInt8]) -> UInt64 {
        let index = size
        levels[0].append(leafHash)
        // Each completed pair completes one subtree a level up.
        var level = 0
        while levels[level].count % 2 == 0 {
            let count = levels[level].count
            let parent = MerkleTree.nodeHash(levels[level][count - 2], levels[level][count - 1])
            if levels.count == level + 1 { levels.append([]) }
            levels[level + 1].append(parent)
            level += 1
        }
        return index
    }

    public func leafHash(at index: UInt64) throws(AttestError) -> [UInt8] {
        try perfectSubtreeHash(level: 0, index: index)
    }

    public func perfectSubtreeHash(level: Int, index: UInt64) throws(AttestError) -> [UInt8] {
        guard level >= 0, level < levels.count, index < UInt64(levels[level].count) else {
            throw AttestError(.usage, "no subtree at level \(level), index \(index) in a tree of \(size)")
        }
        return levels[level][Int(index)]
    }

    /// The current root.
    public var root: [UInt8] {
        // Every range asked for here exists, so the lookups cannot throw; the empty root is never reached.
        (try? MerkleTree.root(size: size, in: self)) ?? MerkleTree.emptyRoot
    }

    /// The root when the tree had `size` leaves.
    public func root(size: UInt64) throws(AttestError) -> [UInt8] {
        guard size <= self.size else { throw AttestError(.usage, "tree has \(self.size) leaves, not \(size)") }
        return try MerkleTree.root(size: size, in: self)
    }

    public func inclusionProof(index: UInt64, size: UInt64) throws(AttestError) -> [[UInt8]] {
        guard size <= self.size else { throw AttestError(.usage, "tree has \(self.size) leaves, not \(size)") }
        return try MerkleTree.inclusionProof(index: index, size: size, in: self)
    }

    public func consistencyProof(from size1: UInt64, to size2: UInt64) throws(AttestError) -> [[UInt8]] {
        guard size2 <= self.size else { throw AttestError(.usage, "tree has \(self.size) leaves, not \(size2)") }
        return try MerkleTree.consistencyProof(from: size1, to: size2, in: self)
    }

    /// The frontier at the current size, to hand over to an append-only writer.
    public var compactRange: CompactRange {
        (try? CompactRange(size: size, source: self)) ?? CompactRange()
    }
}
