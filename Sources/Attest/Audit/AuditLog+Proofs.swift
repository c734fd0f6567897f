extension AuditLog {
    /// An inclusion proof of entry `index` in the tree of `size` entries, read from the stored tree, with the
    /// signed checkpoint of that size when the log issued one.
    public struct InclusionProof: Sendable {
        public let index: UInt64
        public let size: UInt64
        public let leafHash: [UInt8]
        public let proof: [[UInt8]]
        public let root: [UInt8]
        /// The signed checkpoint of `size` (note text), if the log issued one.
        public let checkpoint: String?

        /// `{"index", "size", "leafHash", "proof": […], "root", "checkpoint"}`; hashes in standard base64, as
        /// in checkpoints.
        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("index", .number(JSONNumber(Int64(index)))),
                ("size", .number(JSONNumber(Int64(size)))),
                ("leafHash", .string(Base64.encode(leafHash))),
                ("proof", .array(proof.map { .string(Base64.encode($0)) })),
                ("root", .string(Base64.encode(root))),
            ]
            members.append(("checkpoint", checkpoint.map { .string($0) } ?? .null))
            return .object(JSONObject(uniqueMembers: members))
        }
    }

    /// A consistency proof between two sizes of the log.
    public struct ConsistencyProof: Sendable {
        public let size1: UInt64
        public let size2: UInt64
        public let root1: [UInt8]
        public let root2: [UInt8]
        public let proof: [[UInt8]]
        public let checkpoint: String?

        public var json: JSONValue {
            .object(JSONObject(uniqueMembers: [
                ("size1", .number(JSONNumber(Int64(size1)))),
                ("size2", .number(JSONNumber(Int64(size2)))),
                ("root1", .string(Base64.encode(root1))),
                ("root2", .string(Base64.encode(root2))),
                ("proof", .array(proof.map { .string(Base64.encode($0)) })),
                ("checkpoint", checkpoint.map { .string($0) } ?? .null),
            ]))
        }
    }

    /// Proves entry `index` is in the tree of `size` entries (default: the newest checkpoint's size). Throws
    /// `.usage` for an index or size the log does not have, and `.invalidDocument` when the stored tree does not
    /// give the checkpoint's root (run `audit verify`).
    public func inclusionProof(index: UInt64, size: UInt64? = nil) throws(AttestError) -> InclusionProof {
        try read { db in
            let logSize = try Self.size(db)
            let latest = try Self.latestCheckpoint(db)
            let size = size ?? latest?.size ?? logSize
            guard size <= logSize else { throw AttestError(.usage, "the log has \(logSize) entries, not \(size)") }
            guard index < size else { throw AttestError(.usage, "entry \(index) is not in a tree of \(size) entries") }
            let tree = AuditTree(db: db)
            let leaf = try tree.leafHash(at: index)
            let proof = try MerkleTree.inclusionProof(index: index, size: size, in: tree)
            let root = try MerkleTree.root(size: size, in: tree)
            let checkpoint = try Self.checkpoint(db, size: size, expectedRoot: root)
            return InclusionProof(index: index, size: size, leafHash: leaf, proof: proof, root: root, checkpoint: checkpoint)
        }
    }

    /// Proves the tree of `size1` entries is a prefix of the tree of `size2` (default: the newest checkpoint's).
    public func consistencyProof(from size1: UInt64, to size2: UInt64? = nil) throws(AttestError) -> ConsistencyProof {
        try read { db in
            let logSize = try Self.size(db)
            let latestSize = try Self.latestCheckpoint(db)?.size
            let size2 = size2 ?? latestSize ?? logSize
            guard size2 <= logSize else { throw AttestError(.usage, "the log has \(logSize) entries, not \(size2)") }
            guard size1 > 0, size1 <= size2 else {
                throw AttestError(.usage, "no consistency proof from \(size1) entries to \(size2)")
            }
            let tree = AuditTree(db: db)
            let proof = try MerkleTree.consistencyProof(from: size1, to: size2, in: tree)
            let root1 = try MerkleTree.root(size: size1, in: tree)
            let root2 = try MerkleTree.root(size: size2, in: tree)
            let checkpoint = try Self.checkpoint(db, size: size2, expectedRoot: root2)
            return ConsistencyProof(size1: size1, size2: size2, root1: root1, root2: root2, proof: proof, checkpoint: checkpoint)
        }
    }

    /// The root of the first `size` entries, from the stored tree.
    public func root(size: UInt64? = nil) throws(AttestError) -> [UInt8] {
        try read { db in
            let logSize = try Self.size(db)
            let size = size ?? logSize
            guard size <= logSize else { throw AttestError(.usage, "the log has \(logSize) entries, not \(size)") }
            return try MerkleTree.root(size: size, in: AuditTree(db: db))
        }
    }

    private static func checkpoint(_ db: SQLiteConnection, size: UInt64, expectedRoot: [UInt8]) throws -> String? {
        guard let (root, note) = try db.fetchOne("SELECT root, note FROM checkpoints WHERE size = ?", [SQLiteValue(size)], {
            ($0.blob(0), $0.text(1))
        }) else {
            return nil
        }
        guard root == expectedRoot else {
            throw AttestError(.invalidDocument, "the stored tree does not give the root of the checkpoint of size \(size): run 'attest audit verify'")
        }
        return note
    }
}
