import Attest
import Testing

/// Properties over random trees: every way of computing a root agrees, every generated proof verifies, and a
/// single flipped bit anywhere in a proof is refused. Seeded, so a failure names a reproducible seed.
@Suite("Merkle tree properties")
struct MerklePropertyTests {
    typealias Generator = SeededGenerator

    /// Leaves read only one by one, so generation goes through the protocol's default subtree hashing.
    struct LeavesOnly: MerkleHashSource {
        let leaves: [[UInt8]]
        func leafHash(at index: UInt64) throws(AttestError) -> [UInt8] {
            guard index < UInt64(leaves.count) else { throw AttestError(.usage, "no leaf \(index)") }
            return leaves[Int(index)]
        }
    }

    static func tree(_ g: inout Generator, size: Int) -> (InMemoryMerkleTree, CompactRange, [[UInt8]]) {
        var tree = InMemoryMerkleTree()
        var frontier = CompactRange()
        var leafHashes: [[UInt8]] = []
        for _ in 0..<size {
            let entry = g.bytes(g.int(0...40))
            tree.append(entry: entry)
            frontier.append(entry: entry)
            leafHashes.append(MerkleTree.leafHash(entry))
        }
        return (tree, frontier, leafHashes)
    }

    static func flips(_ proof: [[UInt8]], _ g: inout Generator) -> [[[UInt8]]] {
        proof.indices.map { i in
            var bad = proof
            bad[i][g.int(0...31)] ^= UInt8(1) << UInt8(g.int(0...7))
            return bad
        }
    }

    @Test("roots agree at every size up to 300: whole list, in-memory tree, compact range, saved frontier")
    func roots() throws {
        var g = Generator(seed: 1)
        let (tree, _, leafHashes) = Self.tree(&g, size: 300)
        var frontier = CompactRange()
        for size in 0...300 {
            let want = MerkleTree.root(leafHashes: Array(leafHashes.prefix(size)))
            #expect(try tree.root(size: UInt64(size)) == want, "size \(size)")
            #expect(frontier.root == want, "size \(size)")
            #expect(try CompactRange(size: UInt64(size), source: tree) == frontier, "size \(size)")
            #expect(try CompactRange(size: frontier.size, hashes: frontier.hashes).root == want)
            #expect(frontier.hashes.count == size.nonzeroBitCount)
            if size < 300 { try frontier.append(leafHash: leafHashes[size]) }
        }
    }

    @Test("random trees: every inclusion proof verifies and any flipped bit fails", arguments: 0..<6)
    func inclusion(seed: UInt64) throws {
        var g = Generator(seed: 100 + seed)
        for _ in 0..<4 {
            let size = g.int(1...300)
            let (tree, frontier, leafHashes) = Self.tree(&g, size: size)
            let root = frontier.root
            #expect(tree.root == root, "seed \(seed), size \(size)")
            let slow = LeavesOnly(leaves: leafHashes)
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: UInt64(index), size: UInt64(size))
                let ok = MerkleTree.verifyInclusion(leafHash: leafHashes[index], index: UInt64(index), size: UInt64(size),
                                                    proof: proof, root: root)
                #expect(ok.isValid, "seed \(seed), size \(size), index \(index): \(ok)")
                #expect(proof.count == MerkleTree.inclusionProofLength(index: UInt64(index), size: UInt64(size)))
                if index % 37 == 0 {
                    #expect(try MerkleTree.inclusionProof(index: UInt64(index), size: UInt64(size), in: slow) == proof)
                }
                for bad in Self.flips(proof, &g) {
                    #expect(!MerkleTree.verifyInclusion(leafHash: leafHashes[index], index: UInt64(index), size: UInt64(size),
                                                        proof: bad, root: root).isValid, "seed \(seed), size \(size), index \(index)")
                }
                // The proof of one leaf never proves its neighbour's hash (unless their entries are equal).
                let other = leafHashes[(index + 1) % size]
                if other != leafHashes[index] {
                    #expect(!MerkleTree.verifyInclusion(leafHash: other, index: UInt64(index), size: UInt64(size),
                                                        proof: proof, root: root).isValid)
                }
            }
        }
    }

    @Test("random trees: consistency proofs between random sizes verify and any flipped bit fails", arguments: 0..<6)
    func consistency(seed: UInt64) throws {
        var g = Generator(seed: 200 + seed)
        let size = g.int(1...300)
        let (tree, _, leafHashes) = Self.tree(&g, size: size)
        let slow = LeavesOnly(leaves: leafHashes)
        for _ in 0..<150 {
            let n = g.int(1...size)
            let m = g.int(1...n)
            let root1 = try tree.root(size: UInt64(m))
            let root2 = try tree.root(size: UInt64(n))
            let proof = try tree.consistencyProof(from: UInt64(m), to: UInt64(n))
            let ok = MerkleTree.verifyConsistency(size1: UInt64(m), size2: UInt64(n), root1: root1, root2: root2, proof: proof)
            #expect(ok.isValid, "seed \(seed), \(m) -> \(n): \(ok)")
            if m < n {
                #expect(proof.count == MerkleTree.consistencyProofLength(size1: UInt64(m), size2: UInt64(n)))
                #expect(try MerkleTree.consistencyProof(from: UInt64(m), to: UInt64(n), in: slow) == proof)
                // A root of another size never passes for the old one.
                #expect(!MerkleTree.verifyConsistency(size1: UInt64(m), size2: UInt64(n), root1: root2, root2: root2,
                                                      proof: proof).isValid)
            } else {
                #expect(proof.isEmpty)
            }
            for bad in Self.flips(proof, &g) {
                #expect(!MerkleTree.verifyConsistency(size1: UInt64(m), size2: UInt64(n), root1: root1, root2: root2,
                                                      proof: bad).isValid, "seed \(seed), \(m) -> \(n)")
            }
        }
    }

    @Test("bad arguments throw instead of trapping")
    func badArguments() throws {
        var g = Generator(seed: 7)
        let (tree, _, _) = Self.tree(&g, size: 5)
        #expect(throws: AttestError.self) { try tree.inclusionProof(index: 5, size: 5) }
        #expect(throws: AttestError.self) { try tree.inclusionProof(index: 0, size: 6) }
        #expect(throws: AttestError.self) { try tree.consistencyProof(from: 0, to: 3) }
        #expect(throws: AttestError.self) { try tree.consistencyProof(from: 4, to: 3) }
        #expect(throws: AttestError.self) { try tree.root(size: 6) }
        #expect(throws: AttestError.self) { try CompactRange(size: 3, hashes: [MerkleTree.emptyRoot]) }
        var frontier = CompactRange()
        #expect(throws: AttestError.self) { try frontier.append(leafHash: [1, 2, 3]) }
        // Empty trees: equal sizes with the empty root verify; a proof from nothing is refused.
        #expect(MerkleTree.verifyConsistency(size1: 0, size2: 0, root1: MerkleTree.emptyRoot, root2: MerkleTree.emptyRoot,
                                             proof: []).isValid)
        #expect(MerkleTree.verifyConsistency(size1: 0, size2: 5, root1: MerkleTree.emptyRoot, root2: tree.root,
                                             proof: []).failure == .emptyOldTree)
        // Indexes near 2^64 neither overflow nor verify.
        #expect(!MerkleTree.verifyInclusion(leafHash: MerkleTree.emptyRoot, index: .max - 1, size: .max,
                                            proof: [], root: MerkleTree.emptyRoot).isValid)
    }
}
