import AttestCrypto

/// Rules for the key lists of roots and delegations.
enum DraftKeys {
    /// The keys without repeats, each able to sign, with a threshold they can meet.
    static func distinct(_ keys: [PublicKey], threshold: Int) throws(AttestError) -> [PublicKey] {
        var unique: [PublicKey] = []
        var seen = Set<PublicKey>()
        for key in keys {
            // Keys compare by their canonical SPKI: two files of one key (another point encoding) are one key.
            guard seen.insert(key).inserted else {
                throw AttestError(.usage, "key \(key.keyID) is given twice: one distinct key counts once toward a threshold")
            }
            guard key.algorithm.canSign else {
                throw AttestError(.usage, "key \(key.keyID) is an \(key.algorithm) key, which cannot sign documents")
            }
            unique.append(key)
        }
        guard !unique.isEmpty else { throw AttestError(.usage, "at least one key is needed") }
        guard threshold >= 1 else { throw AttestError(.usage, "threshold must be at least 1, found \(threshold)") }
        guard threshold <= unique.count else {
            throw AttestError(.usage, "threshold \(threshold) can never be met by \(unique.count) distinct key\(unique.count == 1 ? "" : "s")")
        }
        return unique
    }

    static func checkVersion(_ version: Int) throws(AttestError) {
        guard version >= 1, version <= Int(Int32.max) else {
            throw AttestError(.usage, "version must be between 1 and \(Int32.max), found \(version)")
        }
    }
}
