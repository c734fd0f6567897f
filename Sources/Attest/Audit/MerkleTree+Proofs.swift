extension MerkleTree {
    /// The RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[0:size]): sibling hashes from the leaf upwards.
    /// Throws `.usage` unless `index < size`, and whatever `source` throws for a missing hash.
    public static func inclusionProof(index: UInt64, size: UInt64, in source: some MerkleHashSource) throws(AttestError) -> [[UInt8]] {
        guard index < size else {
            throw AttestError(.usage, "no inclusion proof for leaf \(index) in a tree of \(size)")
        }
        var proof: [[UInt8]] = []
        try path(index, 0..<size, source, &proof)
        return proof
    }

    /// The RFC 9162 §2.1.4.1 consistency proof PROOF(size1, D[0:size2]). Empty when the sizes are equal.
    /// Throws `.usage` unless `0 < size1 <= size2`: nothing can be proven about the empty tree.
    public static func consistencyProof(from size1: UInt64, to size2: UInt64, in source: some MerkleHashSource) throws(AttestError) -> [[UInt8]] {
        guard size1 > 0, size1 <= size2 else {
            throw AttestError(.usage, "no consistency proof from a tree of \(size1) to one of \(size2)")
        }
        var proof: [[UInt8]] = []
        try subproof(size1, 0..<size2, complete: true, source, &proof)
        return proof
    }

    // PATH(m, D[lo:hi]) with the sibling of each level appended after the levels below it, as the RFC orders it.
    private static func path(_ m: UInt64, _ range: Range<UInt64>, _ source: some MerkleHashSource,
                             _ proof: inout [[UInt8]]) throws(AttestError) {
        let n = range.upperBound - range.lowerBound
        guard n > 1 else { return }
        let split = range.lowerBound + largestPowerOfTwo(below: n)
        if range.lowerBound + m < split {
            try path(m, range.lowerBound..<split, source, &proof)
            proof.append(try hash(of: split..<range.upperBound, in: source))
        } else {
            try path(m - (split - range.lowerBound), split..<range.upperBound, source, &proof)
            proof.append(try hash(of: range.lowerBound..<split, in: source))
        }
    }

    // SUBPROOF(m, D[lo:hi], b): `complete` is b, true while the old tree is still a whole subtree of this one.
    private static func subproof(_ m: UInt64, _ range: Range<UInt64>, complete: Bool, _ source: some MerkleHashSource,
                                 _ proof: inout [[UInt8]]) throws(AttestError) {
        let n = range.upperBound - range.lowerBound
        if m == n {
            if !complete { proof.append(try hash(of: range, in: source)) }
            return
        }
        let k = largestPowerOfTwo(below: n)
        let split = range.lowerBound + k
        if m <= k {
            try subproof(m, range.lowerBound..<split, complete: complete, source, &proof)
            proof.append(try hash(of: split..<range.upperBound, in: source))
        } else {
            try subproof(m - k, split..<range.upperBound, complete: false, source, &proof)
            proof.append(try hash(of: range.lowerBound..<split, in: source))
        }
    }
}
