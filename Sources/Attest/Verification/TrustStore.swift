import AttestCrypto

/// The trust inputs of a verification, read and checked once: the root chain, the delegations signed by
/// the trusted root, and the revocation lists signed by their issuers. Reused across many manifests.
///
/// Guarantees: `root` is the newest root reached by a chain in which every root is signed by its own
/// threshold and (after the first) by its predecessor's; a delegation counts as signed only under that
/// root. Only unrevoked keys count anywhere: a key the root's lists revoked counts for nothing (root keys
/// included), and a key a delegation's lists revoked counts for nothing of that delegation. Which keys are
/// revoked is judged from what was accepted before a list, never from the list itself: root lists first,
/// then each delegation's lists in version order. Revocations only grow: `revocationRecords` is the union
/// of everything the device had accepted and every list accepted now.
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
    /// Revocation lists accepted from the inputs now, the highest version per issuer.
    public private(set) var revocations: [String: RevocationEntry] = [:]
    /// Everything revoked per issuer: what the device had accepted, merged with the lists accepted now.
    public private(set) var revocationRecords: [String: RevocationRecord] = [:]
    /// Problems with revocation lists: unsigned (by unrevoked keys), or from an unknown issuer.
    public private(set) var revocationProblems: [String] = []
    /// Lists that changed nothing (older than, or covered by, what was accepted), for the report.
    public private(set) var revocationNotes: [String] = []
    /// Lists refused as dated in the future, for `revocation.freshness`.
    public private(set) var freshnessProblems: [String] = []

    /// Manifests, keys and delegations the root revoked.
    public var revokedManifests: Set<String> { revocationRecords[Revocation.rootIssuer]?.manifests ?? [] }
    public var revokedKeys: Set<String> { revocationRecords[Revocation.rootIssuer]?.keys ?? [] }
    public var revokedDelegations: Set<String> { revocationRecords[Revocation.rootIssuer]?.delegations ?? [] }

    /// The keys that count for nothing on documents of `issuer`: the root's revoked keys, and for a
    /// delegation those its own lists revoked too.
    public func revokedKeys(for issuer: String) -> Set<String> {
        guard issuer != Revocation.rootIssuer, let own = revocationRecords[issuer]?.keys else { return revokedKeys }
        return revokedKeys.union(own)
    }

    /// - Parameters:
    ///   - anchor: the root a device already trusts (from its state directory); without one, the first root
    ///     given is the anchor and must be signed by its own threshold.
    ///   - accepted: what the device already accepted from each revocation issuer (its state).
    ///   - now: the verification time; lists issued after now + the root's skew are refused. Nil skips that.
    public init(roots: [NamedInput], delegations delegationInputs: [NamedInput], revocations revocationInputs: [NamedInput],
                anchor: NamedInput? = nil, accepted: [String: RevocationRecord] = [:], now: Timestamp? = nil) {
        revocationRecords = accepted
        loadRoots(roots, anchor: anchor)
        var lists: [SignedDocument<Revocation>] = []
        for input in revocationInputs {
            switch DocumentReader.read(input, as: .revocation, decode: Revocation.init(json:)) {
            case .success(let doc): lists.append(doc)
            case .failure(let error): formatProblems.append(error.description)
            }
        }
        // Root lists first (they judge every key), then delegations under what they revoked, then each
        // delegation's lists, oldest first, each judged by what the earlier ones revoked.
        lists.sort { ($0.document.isFromRoot ? 0 : 1, $0.document.issuer, $0.document.version) < ($1.document.isFromRoot ? 0 : 1, $1.document.issuer, $1.document.version) }
        let skew = Int64(root?.policy.clockSkewSeconds ?? 0)
        for doc in lists where doc.document.isFromRoot { accept(doc, now: now, skew: skew) }
        loadDelegations(delegationInputs)
        for doc in lists where !doc.document.isFromRoot { accept(doc, now: now, skew: skew) }
    }

    /// Whether `envelope` is signed by a threshold of `keys` that are not in `revoked`.
    static func signed(_ envelope: Envelope, keys: [String: PublicKey], threshold: Int, revoked: Set<String>) -> (ok: Bool, count: Int) {
        let live = revoked.isEmpty ? keys : keys.filter { !revoked.contains($0.key) }
        let check = envelope.verify(keys: live, threshold: threshold)
        return (check.meetsThreshold, check.verifiedKeyIDs.count)
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
            let check = Self.signed(first.envelope, keys: first.document.keys, threshold: first.document.threshold, revoked: revokedKeys)
            guard check.ok else {
                rootOutcome = .fail("\(first.source): root v\(first.document.version) is signed by \(check.count) of its unrevoked keys, threshold \(first.document.threshold)")
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
            // A revoked root key counts for no rotation, in either role.
            let byPrevious = Self.signed(next.envelope, keys: previous.document.keys, threshold: previous.document.threshold, revoked: revokedKeys)
            let byItself = Self.signed(next.envelope, keys: next.document.keys, threshold: next.document.threshold, revoked: revokedKeys)
            guard byPrevious.ok, byItself.ok else {
                let who = byPrevious.ok ? "its own unrevoked keys" : "root v\(previous.document.version)'s unrevoked keys"
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
            let signers = Self.signed(newest.envelope, keys: newest.document.keys, threshold: newest.document.threshold, revoked: revokedKeys).count
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
                let check = Self.signed(doc.envelope, keys: root.keys, threshold: root.threshold, revoked: revokedKeys)
                entry = DelegationEntry(
                    signed: doc, signedByRoot: check.ok,
                    signatureDetail: check.ok
                        ? "delegation \(doc.document.name) v\(doc.document.version) signed by \(check.count) root keys (threshold \(root.threshold))"
                        : "delegation \(doc.document.name) (\(doc.source)) is signed by \(check.count) unrevoked keys of root v\(root.version), threshold \(root.threshold)")
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

    /// Accepts one list when a threshold of its issuer's unrevoked keys signed it: root lists under any root
    /// of the verified chain (so lists issued before a rotation still count during it), a delegation's under
    /// that delegation. Accepted lists merge into the records whatever their version, so a version jump
    /// locks nobody out; a list that fails but adds nothing to what was accepted is only noted.
    private mutating func accept(_ doc: SignedDocument<Revocation>, now: Timestamp?, skew: Int64) {
        let list = doc.document
        let what = "\(doc.source): revocation list from \(list.issuer) v\(list.version)"
        if let now, list.issuedAt > now.adding(seconds: skew) {
            freshnessProblems.append("\(what) is issued in the future at \(list.issuedAt) (now \(now)); refused")
            return
        }
        var signed = false
        if list.isFromRoot {
            if rootOutcome.passed {
                signed = rootChain.reversed().contains {
                    Self.signed(doc.envelope, keys: $0.document.keys, threshold: $0.document.threshold, revoked: revokedKeys).ok
                }
            }
        } else if let entry = delegations[list.issuer], entry.signedByRoot {
            signed = Self.signed(doc.envelope, keys: entry.delegation.keys, threshold: entry.delegation.threshold,
                                 revoked: revokedKeys(for: list.issuer)).ok
        }
        let record = revocationRecords[list.issuer]
        guard signed else {
            if let record, record.covers(list) {
                revocationNotes.append("\(what) adds nothing to v\(record.version) already accepted (not checked)")
                return
            }
            if list.isFromRoot && !rootOutcome.passed {
                revocationProblems.append("\(doc.source): no trusted root to check the root's revocation list against")
            } else if !list.isFromRoot && delegations[list.issuer]?.signedByRoot != true {
                revocationProblems.append("\(doc.source): revocation list from \(list.issuer), but no signed delegation of that name was given")
            } else {
                revocationProblems.append("\(what) is not signed by a threshold of its issuer's unrevoked keys")
            }
            return
        }
        if let record, list.version < record.version {
            revocationNotes.append("\(what) is older than version \(record.version) this device already accepted (merged: revocations only grow)")
        }
        if record == nil { revocationRecords[list.issuer] = RevocationRecord(list) } else { revocationRecords[list.issuer]?.merge(list) }
        if let existing = revocations[list.issuer], existing.revocation.version >= list.version { return }
        revocations[list.issuer] = RevocationEntry(signed: doc)
    }

    /// Whether `manifest` is revoked, and by which list.
    func revocationReason(for manifest: Manifest) -> String? {
        if let root = revocationRecords[Revocation.rootIssuer], root.manifests.contains(manifest.id) {
            return "manifest \(manifest.id) is revoked by the root's lists (v\(root.version))"
        }
        if manifest.issuer != Revocation.rootIssuer, let own = revocationRecords[manifest.issuer], own.manifests.contains(manifest.id) {
            return "manifest \(manifest.id) is revoked by \(manifest.issuer)'s lists (v\(own.version))"
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
