/// One perfect subtree of a Merkle tree: the root of the 2^`level` leaves starting at leaf `index << level`.
/// Level 0 is a leaf hash.
public struct MerkleNode: Sendable, Hashable {
    public let level: Int
    public let index: UInt64
    public let hash: [UInt8]

    public init(level: Int, index: UInt64, hash: [UInt8]) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}
