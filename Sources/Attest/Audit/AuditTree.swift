/// The tree of a log as stored: leaf hashes from `entries`, interior nodes from `nodes`, read inside one
/// transaction. Proofs and roots come from `MerkleTree` over this source in O(log n) reads.
///
/// Guarantees: answers only from what is stored, and throws `.usage` for a subtree the log does not have yet.
/// It is the log's word: `AuditVerifier` is what checks that the stored hashes belong to the entries.
struct AuditTree: MerkleHashSource {
    let db: SQLiteConnection

    func leafHash(at index: UInt64) throws(AttestError) -> [UInt8] {
        try perfectSubtreeHash(level: 0, index: index)
    }

    func perfectSubtreeHash(level: Int, index: UInt64) throws(AttestError) -> [UInt8] {
        guard level >= 0, level < 63, index <= UInt64(Int64.max) >> UInt64(level) else {
            throw AttestError(.usage, "no subtree at level \(level), index \(index)")
        }
        let data: [UInt8]?
        do {
            if level == 0 {
                data = try db.fetchOne("SELECT leaf_hash FROM entries WHERE idx = ?", [SQLiteValue(index)]) { $0.blob(0) }
            } else {
                data = try db.fetchOne("SELECT hash FROM nodes WHERE level = ? AND idx = ?", [SQLiteValue(level), SQLiteValue(index)]) { $0.blob(0) }
            }
        } catch let error as AttestError {
            throw error
        } catch {
            throw AttestError(.environment, "cannot read the tree: \(error)")
        }
        guard let data else {
            throw AttestError(.usage, level == 0 ? "the log has no leaf \(index)" : "the log has no subtree at level \(level), index \(index)")
        }
        guard data.count == MerkleTree.hashSize else {
            throw AttestError(.invalidDocument, "the stored hash at level \(level), index \(index) is \(data.count) bytes")
        }
        return data
    }
}
