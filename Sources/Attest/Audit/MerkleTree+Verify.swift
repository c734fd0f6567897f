extension MerkleTree {
    /// Checks an inclusion proof by the RFC 9162 §2.1.3.2 algorithm: that the leaf with `leafHash` sits at
    /// `index` in the tree of `size` leaves whose root is `root`.
    ///
    /// The proof length is checked against the one the index and size call for before any hashing, so extra,
    /// missing or re-ordered entries fail however they are arranged.
    public static func verifyInclusion(leafHash: [UInt8], index: UInt64, size: UInt64, proof: [[UInt8]],
                                       root: [UInt8]) -> MerkleProofVerification {
        guard index < size else { return .init(failure: .indexOutOfRange(index: index, size: size)) }
        if let failure = malformed(leafHash, "leaf hash") ?? malformed(root, "root") ?? malformed(proof) {
            return .init(failure: failure)
        }
        let expected = inclusionProofLength(index: index, size: size)
        guard proof.count == expected else {
            return .init(failure: .wrongProofLength(expected: expected, found: proof.count))
        }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { return .init(failure: .wrongProofLength(expected: expected, found: proof.count)) }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                // On the right border a node may have no right sibling: climb past the levels it was promoted.
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .init(failure: .wrongProofLength(expected: expected, found: proof.count)) }
        guard r == root else { return .init(failure: .rootMismatch(what: "root")) }
        return .valid
    }

    /// Checks a consistency proof by the RFC 9162 §2.1.4.2 algorithm: that the tree of `size1` leaves with
    /// root `root1` is a prefix of the tree of `size2` leaves with root `root2`.
    ///
    /// Equal sizes need an empty proof and equal roots (compared as given, whatever their length); two empty
    /// trees must both have the empty root. A proof from the empty tree to a larger one is refused as
    /// meaningless: a caller holding an empty checkpoint needs no proof at all.
    public static func verifyConsistency(size1: UInt64, size2: UInt64, root1: [UInt8], root2: [UInt8],
                                         proof: [[UInt8]]) -> MerkleProofVerification {
        guard size1 <= size2 else { return .init(failure: .sizesOutOfOrder(size1: size1, size2: size2)) }
        if size1 == size2 {
            guard proof.isEmpty else { return .init(failure: .wrongProofLength(expected: 0, found: proof.count)) }
            if size1 == 0, root1 != emptyRoot { return .init(failure: .rootMismatch(what: "root1")) }
            guard root1 == root2 else { return .init(failure: .rootMismatch(what: "root2")) }
            return .valid
        }
        guard size1 > 0 else { return .init(failure: .emptyOldTree) }
        if let failure = malformed(root1, "root1") ?? malformed(root2, "root2") ?? malformed(proof) {
            return .init(failure: failure)
        }
        let expected = consistencyProofLength(size1: size1, size2: size2)
        guard proof.count == expected else {
            return .init(failure: .wrongProofLength(expected: expected, found: proof.count))
        }
        // When the old tree is a perfect subtree its root is the first node of the path; otherwise the proof
        // carries that node itself.
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return .init(failure: .wrongProofLength(expected: expected, found: proof.count)) }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .init(failure: .wrongProofLength(expected: expected, found: proof.count)) }
        guard fr == root1 else { return .init(failure: .rootMismatch(what: "root1")) }
        guard sr == root2 else { return .init(failure: .rootMismatch(what: "root2")) }
        return .valid
    }

    /// Hashes in the inclusion proof of leaf `index` in a tree of `size`: one per level below the point where
    /// the paths to `index` and to the last leaf part, plus one per left sibling above it. Needs `index < size`.
    public static func inclusionProofLength(index: UInt64, size: UInt64) -> Int {
        let inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        return inner + (index >> UInt64(inner)).nonzeroBitCount
    }

    /// Hashes in the consistency proof from `size1` to `size2`. Needs `0 < size1 < size2`.
    public static func consistencyProofLength(size1: UInt64, size2: UInt64) -> Int {
        let inner = UInt64.bitWidth - ((size1 - 1) ^ (size2 - 1)).leadingZeroBitCount
        let border = ((size1 - 1) >> UInt64(inner)).nonzeroBitCount
        let shift = size1.trailingZeroBitCount
        // The old root is implied when size1 is a power of two; otherwise it is the first hash of the proof.
        let start = size1 & (size1 - 1) == 0 ? 0 : 1
        return start + (inner - shift) + border
    }

    private static func malformed(_ hash: [UInt8], _ what: String) -> MerkleProofFailure? {
        hash.count == hashSize ? nil : .malformedHash(what: what)
    }

    private static func malformed(_ proof: [[UInt8]]) -> MerkleProofFailure? {
        proof.firstIndex { $0.count != hashSize }.map { .malformedHash(what: "proof[\($0)]") }
    }
}
