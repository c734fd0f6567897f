/// The outcome of checking a Merkle inclusion or consistency proof.
///
/// Guarantees: `isValid` is true only when every size rule held, every hash had the right length, the proof had
/// exactly the length the sizes call for, and the recomputed roots equal the given ones.
public struct MerkleProofVerification: Sendable, Hashable, CustomStringConvertible {
    /// Why a proof did not verify; nil when it did.
    public let failure: MerkleProofFailure?

    public init(failure: MerkleProofFailure?) { self.failure = failure }

    public static let valid = MerkleProofVerification(failure: nil)

    public var isValid: Bool { failure == nil }

    public var description: String { failure.map { "invalid: \($0)" } ?? "valid" }
}

/// The first rule a proof broke.
public enum MerkleProofFailure: Sendable, Hashable, CustomStringConvertible {
    /// Inclusion: the leaf index is not below the tree size.
    case indexOutOfRange(index: UInt64, size: UInt64)
    /// Consistency: the old tree is larger than the new one.
    case sizesOutOfOrder(size1: UInt64, size2: UInt64)
    /// Consistency from the empty tree to a non-empty one: any tree extends it, so a proof proves nothing.
    case emptyOldTree
    /// A hash that is not 32 bytes; `what` says which ("leaf hash", "proof[2]", "root").
    case malformedHash(what: String)
    /// The proof has more or fewer hashes than the sizes call for.
    case wrongProofLength(expected: Int, found: Int)
    /// A recomputed root differs from the given one; `what` says which ("root", "root1", "root2").
    case rootMismatch(what: String)

    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "leaf index \(index) is not below tree size \(size)"
        case .sizesOutOfOrder(let size1, let size2): "old size \(size1) is larger than new size \(size2)"
        case .emptyOldTree: "a consistency proof from the empty tree proves nothing"
        case .malformedHash(let what): "\(what) is not a \(MerkleTree.hashSize)-byte hash"
        case .wrongProofLength(let expected, let found): "proof has \(found) hashes, expected \(expected)"
        case .rootMismatch(let what): "\(what) does not match the proof"
        }
    }
}
