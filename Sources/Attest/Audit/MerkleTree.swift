import AttestCrypto

/// RFC 9162 §2.1 Merkle tree hashing over SHA-256, the tree shape of the audit log.
///
/// Guarantees: a leaf hash is SHA-256(0x00 || entry) and an interior node SHA-256(0x01 || left || right), so a
/// leaf can never stand in for a node; the root of the empty tree is SHA-256 of no bytes; the root of n > 1
/// leaves splits them at the largest power of two below n. Proofs are made in `MerkleTree+Proofs.swift` from
/// any `MerkleHashSource` and checked in `MerkleTree+Verify.swift` with no tree at hand.
public enum MerkleTree {
    /// Bytes in every hash of the tree.
    public static let hashSize = SHA256.byteCount

    /// The root of the tree with no leaves: SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    /// SHA-256(0x00 || entry).
    public static func leafHash(_ entry: some Collection<UInt8>) -> [UInt8] {
        var input = [UInt8]()
        input.reserveCapacity(entry.count + 1)
        input.append(0x00)
        input.append(contentsOf: entry)
        return SHA256.hash(input)
    }

    /// SHA-256(0x01 || left || right). Takes any lengths, as RFC 9162 does; the tree itself only ever holds
    /// 32-byte hashes.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var input = [UInt8]()
        input.reserveCapacity(1 + left.count + right.count)
        input.append(0x01)
        input.append(contentsOf: left)
        input.append(contentsOf: right)
        return SHA256.hash(input)
    }

    /// MTH over leaf hashes already computed (the whole list in memory).
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] {
        guard !leafHashes.isEmpty else { return emptyRoot }
        return subtreeRoot(leafHashes[...])
    }

    /// MTH over the entries themselves.
    public static func root(entries: [[UInt8]]) -> [UInt8] {
        root(leafHashes: entries.map { leafHash($0) })
    }

    private static func subtreeRoot(_ hashes: ArraySlice<[UInt8]>) -> [UInt8] {
        if hashes.count == 1 { return hashes[hashes.startIndex] }
        let split = hashes.startIndex + Int(largestPowerOfTwo(below: UInt64(hashes.count)))
        return nodeHash(subtreeRoot(hashes[..<split]), subtreeRoot(hashes[split...]))
    }

    /// MTH of the leaves `range` (D[a:b] in RFC 9162 terms) read from `source`. Aligned power-of-two ranges
    /// are asked of the source whole, so a store that keeps subtree hashes answers in O(log n) reads.
    public static func hash(of range: Range<UInt64>, in source: some MerkleHashSource) throws(AttestError) -> [UInt8] {
        // Not `range.count`: that is an Int and traps for ranges past Int.max.
        let count = range.upperBound - range.lowerBound
        if count == 0 { return emptyRoot }
        if count == 1 { return try source.leafHash(at: range.lowerBound) }
        if count & (count - 1) == 0, range.lowerBound % count == 0 {
            let level = count.trailingZeroBitCount
            return try source.perfectSubtreeHash(level: level, index: range.lowerBound >> UInt64(level))
        }
        let split = range.lowerBound + largestPowerOfTwo(below: count)
        let left = try hash(of: range.lowerBound..<split, in: source)
        let right = try hash(of: split..<range.upperBound, in: source)
        return nodeHash(left, right)
    }

    /// The root of the first `size` leaves of `source`.
    public static func root(size: UInt64, in source: some MerkleHashSource) throws(AttestError) -> [UInt8] {
        try hash(of: 0..<size, in: source)
    }

    /// The largest power of two strictly below `n`; `n` must be at least 2.
    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        1 << UInt64(63 - (n - 1).leadingZeroBitCount)
    }
}
