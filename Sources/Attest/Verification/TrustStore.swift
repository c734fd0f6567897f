import AttestCrypto

/// The trust inputs of a verification, read and checked once: the root chain, the delegations signed by
/// the trusted root, and the revocation lists signed by their issuers. Reused across many manifests.
///
/// Guarantees: `root` is the newest root reached by a chain in which every root is signed by its own
/// threshold and (after the first) by its predecessor's; a delegation or revocation counts as signed only
/// under that root (or, for a delegation's revocations, under that delegation).
public struct TrustStore: Sendable {
    public struct DelegationEntry: Sendable {
        public let signed: SignedDocument<Delegation>
        public let signedByRoot: Bool
        public let signatureDetail: String
        public var delegation: Delegation { signed.document }
    }

    public struct RevocationEntry: Sendable {
        public let signed: SignedDocument<Revocation>
        public var revocation: Revocation { signed.document }
    }

    /// Problems for `envelope.format`: inputs that are not valid envelopes of their kind.
    public private(set) var formatProblems: [String] = []
    public private(set) var root: TrustRoot?
    public private(set) var rootOutcome: CheckOutcome = .fail("no root given")
    /// The root envelopes of the verified chain, oldest first (the newest is persisted by a device).
    public private(set) var rootChain: [SignedDocument<TrustRoot>] = []
    public private(set) var delegations: [String: DelegationEntry] = [:]
    /// Verified revocation lists, the newest per issuer.
    public private(set) var revocations: [String: RevocationEntry] = [:]
    /// Problems with revocation lists: unsigned, or older than one already accepted.
    public private(set) var revocationProblems: [String] = []
    public private(set) var revokedManifests: Set<String> = []
    public private(set) var revokedKeys: Set<String> = []
    public private(set) var revokedDelegations: Set<String> = []

    /// - Parameters:
    ///   - anchor: the root a device already trusts (from its state directory); without one, the first root
    ///     given is the anchor and must be signed by its own threshold.
    ///   - acceptedRevocationVersions: the newest revocation list version a device accepted per issuer.
    public init(roots: [NamedInput], delegations delegationInputs: [NamedInput], revocations revocationInputs: [NamedInput],
                anchor: NamedInput? = nil, acceptedRevocationVersions: [String: Int] = [:]) {
        loadRoots(roots, anchor: anchor)
        loadDelegations(delegationInputs)
        loadRevocations(revocationInputs, accepted: acceptedRevocationVersions)
    }

    private mutating func loadRoots(_ inputs: [NamedInput], anchor: NamedInput?) {
        var parsed: [SignedDocument<TrustRoot>] = []
        var anchorDoc: SignedDocument<TrustRoot>?
        if let anchor {
            switch DocumentReader.read(anchor, as: .root, decode: TrustRoot.init(json:)) {
            case .success(let doc): anchorDoc = doc
            case .failure(let error):
                // Never fall back to trusting a root given now: that would let whoever supplies inputs re-anchor the device.
                formatProblems.append("device trusted root: \(error.description)")
                rootOutcome = .fail("the device's trusted root cannot be read, so no root can be trusted")
                return
            }
        }
        for input in inputs {
            switch DocumentReader.read(input, as: .root, decode: TrustRoot.init(json:)) {
            case .success(let doc): parsed.append(doc)
            case .failure(let error): formatProblems.append(error.description)
            }
        }
        parsed.sort { $0.document.version < $1.document.version }
        var chain: [SignedDocument<TrustRoot>] = []
        if let anchorDoc {
            chain.append(anchorDoc)
            for doc in parsed where doc.document.version <= anchorDoc.document.version {
                if doc.document.version == anchorDoc.document.version && doc.envelope.payload != anchorDoc.envelope.payload {
                    rootOutcome = .fail("\(doc.source) is root v\(doc.document.version) but differs from the device's trusted root v\(anchorDoc.document.version)")
                    root = anchorDoc.document
                    rootChain = chain
                    return
                }
            }
            parsed.removeAll { $0.document.version <= anchorDoc.document.version }
        } else if let first = parsed.first {
            let check = first.envelope.verify(keys: first.document.keys, threshold: first.document.threshold)
            guard check.meetsThreshold else {
                rootOutcome = .fail("\(first.source): root v\(first.document.version) is signed by \(check.verifiedKeyIDs.count) of its keys, threshold \(first.document.threshold)")
                root = first.document
                rootChain = [first]
                return
            }
            chain.append(first)
            parsed.removeFirst()
        } else {
            rootOutcome = .fail(formatProblems.isEmpty ? "no root given" : "no readable root")
            return
        }
        for next in parsed {
            // Chain by version, as in TUF: each root is signed by its predecessor's threshold and its own.
            guard let previous = chain.last else { break }
            guard next.document.version == previous.document.version + 1 else {
                rootOutcome = .fail("\(next.source): root v\(next.document.version) does not follow v\(previous.document.version) (a version is missing)")
                root = previous.document
                rootChain = chain
                return
            }
            let byPrevious = next.envelope.verify(keys: previous.document.keys, threshold: previous.document.threshold)
            let byItself = next.envelope.verify(keys: next.document.keys, threshold: next.document.threshold)
            guard byPrevious.meetsThreshold, byItself.meetsThreshold else {
                let who = byPrevious.meetsThreshold ? "its own keys" : "root v\(previous.document.version)'s keys"
                rootOutcome = .fail("\(next.source): root v\(next.document.version) is not signed by a threshold of \(who)")
                root = previous.document
                rootChain = chain
                return
            }
            chain.append(next)
        }
        rootChain = chain
        if let newest = chain.last {
            root = newest.document
            let signers = newest.envelope.verify(keys: newest.document.keys, threshold: newest.document.threshold).verifiedKeyIDs.count
            let rotation = chain.count > 1 ? ", chained from v\(chain[0].document.version)" : ""
            rootOutcome = .pass("root v\(newest.document.version) signed by \(signers) of \(newest.document.keys.count) keys (threshold \(newest.document.threshold))\(rotation)")
        }
    }

    private mutating func loadDelegations(_ inputs: [NamedInput]) {
        for input in inputs {
            let doc: SignedDocument<Delegation>
            switch DocumentReader.read(input, as: .delegation, decode: Delegation.init(json:)) {
            case .success(let d): doc = d
            case .failure(let error):
                formatProblems.append(error.description)
                continue
            }
            let entry: DelegationEntry
            if let root, rootOutcome.passed {
                let check = doc.envelope.verify(keys: root.keys, threshold: root.threshold)
                entry = DelegationEntry(
                    signed: doc, signedByRoot: check.meetsThreshold,
                    signatureDetail: check.meetsThreshold
                        ? "delegation \(doc.document.name) v\(doc.document.version) signed by \(check.verifiedKeyIDs.count) root keys (threshold \(root.threshold))"
                        : "delegation \(doc.document.name) (\(doc.source)) is signed by \(check.verifiedKeyIDs.count) keys of root v\(root.version), threshold \(root.threshold)")
            } else {
                entry = DelegationEntry(signed: doc, signedByRoot: false, signatureDetail: "no trusted root to check delegation \(doc.document.name) against")
            }
            // Prefer a signed delegation, then the newer version.
            if let existing = delegations[doc.document.name] {
                let better = (entry.signedByRoot && !existing.signedByRoot)
                    || (entry.signedByRoot == existing.signedByRoot && entry.delegation.version > existing.delegation.version)
                if !better { continue }
            }
            delegations[doc.document.name] = entry
        }
    }

    private mutating func loadRevocations(_ inputs: [NamedInput], accepted: [String: Int]) {
        for input in inputs {
            let doc: SignedDocument<Revocation>
            switch DocumentReader.read(input, as: .revocation, decode: Revocation.init(json:)) {
            case .success(let d): doc = d
            case .failure(let error):
                formatProblems.append(error.description)
                continue
            }
            let revocation = doc.document
            let signed: Bool
            if revocation.isFromRoot {
                guard let root, rootOutcome.passed else {
                    revocationProblems.append("\(doc.source): no trusted root to check the root's revocation list against")
                    continue
                }
                signed = doc.envelope.verify(keys: root.keys, threshold: root.threshold).meetsThreshold
            } else if let entry = delegations[revocation.issuer], entry.signedByRoot {
                signed = doc.envelope.verify(keys: entry.delegation.keys, threshold: entry.delegation.threshold).meetsThreshold
            } else {
                revocationProblems.append("\(doc.source): revocation list from \(revocation.issuer), but no signed delegation of that name was given")
                continue
            }
            guard signed else {
                revocationProblems.append("\(doc.source): revocation list from \(revocation.issuer) is not signed by a threshold of its issuer's keys")
                continue
            }
            if let seen = accepted[revocation.issuer], revocation.version < seen {
                revocationProblems.append("\(doc.source): revocation list from \(revocation.issuer) is version \(revocation.version), older than version \(seen) this device already accepted")
                continue
            }
            if let existing = revocations[revocation.issuer], existing.revocation.version >= revocation.version { continue }
            revocations[revocation.issuer] = RevocationEntry(signed: doc)
        }
        for (issuer, entry) in revocations {
            let r = entry.revocation
            if issuer == Revocation.rootIssuer {
                revokedManifests.formUnion(r.manifests)
                revokedKeys.formUnion(r.keys)
                revokedDelegations.formUnion(r.delegations)
            } else if let delegation = delegations[issuer]?.delegation {
                // A delegation revokes only its own keys; its manifest ids are checked against the issuer later.
                revokedKeys.formUnion(r.keys.filter { delegation.keys[$0] != nil })
            }
        }
    }

    /// Whether `manifest` is revoked, and by which list.
    func revocationReason(for manifest: Manifest) -> String? {
        if let root = revocations[Revocation.rootIssuer], root.revocation.manifests.contains(manifest.id) {
            return "manifest \(manifest.id) is revoked by the root's list v\(root.revocation.version)"
        }
        if let own = revocations[manifest.issuer], own.revocation.manifests.contains(manifest.id) {
            return "manifest \(manifest.id) is revoked by \(manifest.issuer)'s list v\(own.revocation.version)"
        }
        return nil
    }
}

extension CheckOutcome {
    var passed: Bool {
        if case .pass = self { return true }
        return false
    }
}
