/// Where proof generation reads a tree's hashes, so a log can serve proofs without loading itself.
///
/// A conformer answers for the leaves it holds and throws for any index past them. Only `leafHash(at:)` is
/// required; a store that keeps interior hashes (the SQLite log, `InMemoryMerkleTree`) also answers
/// `perfectSubtreeHash(level:index:)` directly, which makes every proof O(log² n) reads at worst.
public protocol MerkleHashSource {
    /// SHA-256(0x00 || entry) of leaf `index`.
    func leafHash(at index: UInt64) throws(AttestError) -> [UInt8]

    /// The root of the perfect subtree of 2^`level` leaves starting at leaf `index << level`. Only asked for
    /// subtrees whose leaves all exist.
    func perfectSubtreeHash(level: Int, index: UInt64) throws(AttestError) -> [UInt8]
}

extension MerkleHashSource {
    /// Rebuilds the subtree from its leaves: correct for any source, O(2^level) reads.
    public func perfectSubtreeHash(level: Int, index: UInt64) throws(AttestError) -> [UInt8] {
        guard level >= 0, level < 64, index <= UInt64.max >> UInt64(level + 1) else {
            throw AttestError(.usage, "no subtree at level \(level), index \(index)")
        }
        if level == 0 { return try leafHash(at: index) }
        let left = try perfectSubtreeHash(level: level - 1, index: index << 1)
        let right = try perfectSubtreeHash(level: level - 1, index: index << 1 | 1)
        return MerkleTree.nodeHash(left, right)
    }
}
