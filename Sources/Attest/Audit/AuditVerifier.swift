import AttestCrypto
import Dispatch

/// `audit verify`: recomputes a log from its entry bytes and checks everything the log says about them.
///
/// Guarantees: every leaf hash is recomputed from the stored bytes (a changed byte is caught and named), the
/// tree is rebuilt with a frontier and compared with every stored node and checkpoint, the newest checkpoint's
/// signature is checked under the pinned (or, failing that, the log's own) key, a checkpoint the auditor saved
/// earlier must be a prefix of today's tree, and every entry's signatures are re-verified. Entries stream
/// through a cursor inside one read transaction, so memory stays constant and concurrent appends do not
/// change what is verified. Manifest signatures only: not time validity, scope or revocation (that is
/// `attest verify --at`).
public struct AuditVerifier: Sendable {
    /// The log key the auditor trusts; without it, the key the log records for itself (reported as unpinned).
    public var verifierKey: NoteVerifierKey?
    /// A signed checkpoint the auditor saved earlier.
    public var savedCheckpoint: NamedInput?
    /// Trust for manifests (root and delegations); nil when none was given.
    public var trust: TrustStore?
    /// Device keys the auditor pins; when given, receipts verify only under these instead of the log's.
    public var deviceKeys: [PublicKey] = []
    /// Threads for signature verification.
    public var threads = 2
    /// Entries handed to the signature threads at a time (bounds memory).
    public var chunkSize = 1024

    public init() {}

    private static let signaturePolicies: [any VerificationPolicy] = [
        EnvelopeFormatPolicy(), RootSignaturePolicy(), DelegationSignaturePolicy(), ManifestSignaturePolicy(),
    ]
    private static let signatureChecks: Set<CheckID> = [.envelopeFormat, .rootSignature, .delegationSignature, .manifestSignature]

    /// Verifies `log`. Throws only for what cannot be read (the log file, a saved checkpoint that is not a
    /// signed checkpoint); everything wrong with the log's contents is a failed check.
    public func verify(_ log: AuditLog) throws(AttestError) -> AuditVerification {
        let pinned = verifierKey != nil
        let noteKey: NoteVerifierKey
        if let verifierKey {
            noteKey = verifierKey
        } else {
            do {
                noteKey = try NoteVerifierKey(parsing: log.verifierKeyText)
            } catch {
                throw AttestError(.invalidDocument, "the log's recorded key is not a note verifier key: \(error.reason)", at: log.path)
            }
        }
        let saved = try savedCheckpoint.map { input throws(AttestError) in try Saved(input, key: noteKey, origin: log.origin) }
        return try log.read { db in
            var state = State()
            let tree = try treePass(db, log: log, saved: saved, state: &state)
            try entriesPass(db, state: &state)
            return try conclude(db, log: log, tree: tree, saved: saved, noteKey: noteKey, pinned: pinned, state: &state)
        }
    }

    // MARK: Pass 1: leaves, nodes, checkpoints

    private struct TreeOutcome {
        var size: UInt64 = 0
        var root = MerkleTree.emptyRoot
        var nodesCompared = 0
        var nodeProblems = 0
        var firstNodeProblem: String?
        var checkpointProblems: [String] = []
        /// Sizes of stored checkpoints whose root is not the recomputed one.
        var checkpointMismatches: [UInt64] = []
        var checkpointsMatched = 0
        var rootsAt: [UInt64: [UInt8]] = [:]
    }

    private func treePass(_ db: SQLiteConnection, log: AuditLog, saved: Saved?, state: inout State) throws -> TreeOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        var out = TreeOutcome()
        let latestSize = try AuditLog.latestCheckpoint(db)?.size
        let checkpoints = try db.query("SELECT size, root FROM checkpoints ORDER BY size")
        func readCheckpoint() throws -> (UInt64, [UInt8])? {
            try checkpoints.step() ? (UInt64(clamping: checkpoints.int64(0)), checkpoints.blob(1)) : nil
        }
        var nextCheckpoint = try readCheckpoint()
        var levels: [LevelReader] = []
        var frontier = CompactRange()
        var pending: [MerkleNode] = []
        var expected: UInt64 = 0
        let hasher: SHA256Hasher
        do { hasher = try SHA256Hasher() } catch { throw AttestError(error) }
        let zero: [UInt8] = [0]

        // Roots the checks need, taken as the frontier passes their sizes.
        func reached(_ size: UInt64) {
            let needed = size == latestSize || size == saved?.checkpoint.size
            var root: [UInt8]?
            if needed || nextCheckpoint?.0 == size { root = frontier.root }
            if needed, let root { out.rootsAt[size] = root }
            while let (checkpointSize, checkpointRoot) = nextCheckpoint, checkpointSize <= size {
                if checkpointSize == size {
                    if checkpointRoot == root { out.checkpointsMatched += 1 } else {
                        out.checkpointMismatches.append(size)
                    }
                }
                nextCheckpoint = (try? readCheckpoint()) ?? nil
            }
        }
        reached(0)

        let rows = try db.query("SELECT idx, leaf_hash, entry FROM entries ORDER BY idx")
        while try rows.step() {
            let index = UInt64(clamping: rows.int64(0))
            if index != expected {
                state.add(Problem(index: expected, check: .entries,
                                  reason: "entries \(expected)..<\(index) are missing (removed from the log)"))
            }
            expected = index + 1
            hasher.update(zero)
            let length = rows.withBlob(2) { bytes -> Int in
                hasher.update(bytes)
                return bytes.count
            }
            let leaf = hasher.finalize()
            state.timing.bytesHashed += length + 1
            let stored = rows.withBlob(1) { $0.elementsEqual(leaf) }
            if !stored {
                state.add(Problem(index: index, check: .entries,
                                  reason: "its bytes do not hash to its stored leaf hash: the entry was changed after it was appended"))
            }
            try frontier.append(leafHash: leaf) { pending.append($0) }
            for node in pending {
                while levels.count < node.level {
                    levels.append(LevelReader(try db.query("SELECT idx, hash FROM nodes WHERE level = ? ORDER BY idx",
                                                           [SQLiteValue(levels.count + 1)])))
                }
                out.nodesCompared += 1
                if try levels[node.level - 1].seek(node.index)?.elementsEqual(node.hash) != true {
                    out.nodeProblems += 1
                    let first = node.index << UInt64(node.level)
                    let problem = "the stored tree node over entries \(first)..<\(first + (1 << UInt64(node.level))) (level \(node.level)) differs from the one recomputed from them"
                    if out.firstNodeProblem == nil { out.firstNodeProblem = problem }
                    state.add(Problem(index: first, check: .tree, reason: problem))
                }
            }
            pending.removeAll(keepingCapacity: true)
            reached(frontier.size)
        }
        while let (size, _) = nextCheckpoint {
            out.checkpointProblems.append("a checkpoint of size \(size) is stored but the log has \(frontier.size) entries: entries were removed")
            nextCheckpoint = try readCheckpoint()
        }
        let storedNodes = Int(try db.fetchInt("SELECT count(*) FROM nodes") ?? 0)
        if storedNodes > out.nodesCompared {
            out.nodeProblems += storedNodes - out.nodesCompared
            if out.firstNodeProblem == nil {
                out.firstNodeProblem = "the tree table holds \(storedNodes - out.nodesCompared) nodes that no entry gives"
            }
        }
        out.size = frontier.size
        out.root = frontier.root
        state.timing.leavesHashed = Int(frontier.size)
        state.timing.nodesHashed = out.nodesCompared
        state.timing.treeSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return out
    }

    /// One level of the stored tree, read in index order alongside the recomputation.
    private final class LevelReader {
        let cursor: SQLiteStatement
        var current: (UInt64, [UInt8])?
        var done = false

        init(_ cursor: SQLiteStatement) { self.cursor = cursor }

        /// The stored hash at `index`, skipping stored nodes before it; nil when there is none.
        func seek(_ index: UInt64) throws -> [UInt8]? {
            while true {
                if current == nil, !done {
                    if try cursor.step() { current = (UInt64(clamping: cursor.int64(0)), cursor.blob(1)) } else { done = true }
                }
                guard let (at, hash) = current else { return nil }
                if at < index {
                    current = nil
                    continue
                }
                if at == index {
                    current = nil
                    return hash
                }
                return nil
            }
        }
    }

    // MARK: Pass 2: parsing, columns, signatures

    private struct Item: Sendable {
        let index: UInt64
        let bytes: [UInt8]
        let record: AuditRecord?
        let terms: [String]
    }

    private struct ItemOutcome: Sendable {
        var problems: [Problem] = []
        var manifests = 0
        var receipts = 0
        var uncheckedManifests = 0
        var signatures = 0
    }

    private func entriesPass(_ db: SQLiteConnection, state: inout State) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let pinnedKeys = Dictionary(deviceKeys.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
        let keys = pinnedKeys.isEmpty ? try AuditLog.deviceKeys(db) : pinnedKeys
        state.deviceKeyCount = keys.count
        let trustUsable = trust?.rootOutcome.passed ?? false
        let context = ItemContext(trust: trustUsable ? trust : nil, keys: keys, now: Timestamp.now())
        let rows = try db.query("SELECT \(AuditLog.recordColumns), entry FROM entries ORDER BY idx")
        let terms = try db.query("SELECT idx, term FROM entry_terms ORDER BY idx")
        func readTerm() throws -> (UInt64, String)? {
            try terms.step() ? (UInt64(clamping: terms.int64(0)), terms.text(1)) : nil
        }
        var pendingTerm: (UInt64, String)?
        var chunk: [Item] = []
        chunk.reserveCapacity(chunkSize)
        let workers = max(1, threads)
        state.timing.threads = workers

        func flush() {
            guard !chunk.isEmpty else { return }
            let items = chunk
            let slots = ConcurrentSlots<ItemOutcome>(count: items.count)
            DispatchQueue.concurrentPerform(iterations: min(workers, items.count)) { worker in
                var i = worker
                while i < items.count {
                    slots.set(i, Self.check(items[i], context))
                    i += workers
                }
            }
            for outcome in slots.values() {
                for problem in outcome.problems { state.add(problem) }
                state.manifests += outcome.manifests
                state.receipts += outcome.receipts
                state.uncheckedManifests += outcome.uncheckedManifests
                state.timing.signaturesVerified += outcome.signatures
            }
            chunk.removeAll(keepingCapacity: true)
        }

        while try rows.step() {
            let index = UInt64(clamping: rows.int64(0))
            var entryTerms: [String] = []
            while true {
                if pendingTerm == nil { pendingTerm = try readTerm() }
                guard let (at, term) = pendingTerm, at <= index else { break }
                if at == index { entryTerms.append(term) } else {
                    state.add(Problem(index: at, check: .entries, reason: "the filter index names entry \(at), which is not in the log"))
                }
                pendingTerm = nil
            }
            let record = try? AuditLog.record(rows)
            chunk.append(Item(index: index, bytes: rows.blob(13), record: record, terms: entryTerms))
            if chunk.count >= chunkSize { flush() }
        }
        flush()
        if pendingTerm == nil { pendingTerm = try readTerm() }
        if let (at, _) = pendingTerm {
            state.add(Problem(index: at, check: .entries, reason: "the filter index names entry \(at), which is not in the log"))
        }
        state.timing.entriesSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    }

    private struct ItemContext: Sendable {
        let trust: TrustStore?
        let keys: [String: PublicKey]
        let now: Timestamp
    }

    private static func check(_ item: Item, _ context: ItemContext) -> ItemOutcome {
        var out = ItemOutcome()
        func problem(_ check: AuditCheckID, _ reason: String) {
            out.problems.append(Problem(index: item.index, check: check, reason: reason))
        }
        let entry: AuditEntry
        do {
            entry = try AuditEntry(envelopeBytes: item.bytes)
        } catch {
            problem(.entries, "not a manifest or receipt envelope: \(error.description)")
            return out
        }
        if entry.bytes != item.bytes { problem(.entries, "not in the canonical form of its envelope") }
        let computed = entry.record(index: item.index)
        if let stored = item.record {
            let differing = computed.differences(from: stored)
            if !differing.isEmpty { problem(.entries, "its indexed columns differ from its bytes: \(differing.joined(separator: ", "))") }
        } else {
            problem(.entries, "its indexed columns cannot be read")
        }
        if Set(computed.terms) != Set(item.terms) { problem(.entries, "its filter terms (chip serials, workloads) differ from its bytes") }
        switch entry.kind {
        case .manifest:
            out.manifests = 1
            guard let trust = context.trust else {
                out.uncheckedManifests = 1
                return out
            }
            out.signatures = entry.envelope.signatures.count
            let result = Verifier.verify(NamedInput(name: "entry \(item.index)", bytes: item.bytes), trust: trust, at: context.now,
                                         mustNotSkip: signatureChecks, policies: signaturePolicies)
            if !result.isAllowed {
                let failing = result.checks.filter { $0.status != .pass }.map { "\($0.id.rawValue): \($0.detail)" }
                problem(.signatures, "manifest \(entry.manifest?.id ?? "?"): " + failing.joined(separator: "; "))
            }
        case .receipt:
            out.receipts = 1
            let device = entry.device ?? ""
            guard let key = context.keys[device] else {
                problem(.signatures, "receipt from device \(device), whose key \(context.keys.isEmpty ? "the log does not hold" : "is not among the keys given")")
                return out
            }
            out.signatures = 1
            if !entry.envelope.verify(keys: [device: key], threshold: 1).meetsThreshold {
                problem(.signatures, "receipt is not signed by the key of device \(device)")
            }
        }
        return out
    }

    // MARK: Conclusions

    private func conclude(_ db: SQLiteConnection, log: AuditLog, tree: TreeOutcome, saved: Saved?, noteKey: NoteVerifierKey,
                          pinned: Bool, state: inout State) throws -> AuditVerification {
        var checks: [AuditVerification.Check] = []
        func add(_ id: AuditCheckID, _ status: CheckResult.Status, _ detail: String) {
            checks.append(AuditVerification.Check(id: id, status: status, detail: detail))
        }
        let n = tree.size

        // log.entries
        if let (count, first) = state.summary(.entries) {
            add(.entries, .fail, "\(first.text) (\(count) problem\(count == 1 ? "" : "s"))")
        } else {
            add(.entries, .pass, n == 1 ? "the entry hashes to its stored leaf hash, parses, and matches its indexed columns"
                : "\(n) entries hash to their stored leaf hashes, parse, and match their indexed columns")
        }

        // log.tree
        if let problem = tree.firstNodeProblem {
            add(.tree, .fail, "\(problem) (\(tree.nodeProblems) node\(tree.nodeProblems == 1 ? "" : "s"))")
        } else {
            add(.tree, .pass, "\(tree.nodesCompared) stored nodes match the tree recomputed from the entries")
        }

        // log.checkpoint
        let latest = try AuditLog.latestCheckpoint(db)
        var latestChecked: Checkpoint?
        if let latest {
            var problems: [String] = []
            let whose = pinned ? "the pinned key \(noteKey.name)" : "the log's own key \(noteKey.name) (not pinned: give --key)"
            do {
                let note = try SignedNote(parsing: latest.note)
                let verification = note.verify(keys: [noteKey])
                if !verification.isValid { problems.append("the checkpoint of size \(latest.size) is not signed by \(whose)") }
                let checkpoint = try Checkpoint(parsing: note.text)
                if checkpoint.origin != log.origin { problems.append("the checkpoint names origin \(checkpoint.origin), not \(log.origin)") }
                if checkpoint.size != latest.size || checkpoint.rootHash != latest.root {
                    problems.append("the checkpoint text of size \(checkpoint.size) does not match its stored size and root")
                }
                if tree.rootsAt[checkpoint.size].map({ $0 != checkpoint.rootHash }) ?? true, checkpoint.size <= n {
                    problems.append("the signed checkpoint of \(checkpoint.size) entries does not have the root recomputed from them")
                }
                latestChecked = checkpoint
            } catch {
                problems.append("the newest checkpoint cannot be read: \(error.description)")
            }
            if latest.size < n {
                problems.append("entries \(latest.size)..<\(n) are not covered by a signed checkpoint")
            }
            problems += tree.checkpointProblems
            if let first = tree.checkpointMismatches.first {
                let count = tree.checkpointMismatches.count
                problems.append(count == 1
                    ? "the stored checkpoint of size \(first) does not have the recomputed root"
                    : "\(count) stored checkpoints (sizes \(first) to \(tree.checkpointMismatches.last ?? first)) do not have the recomputed roots")
            }
            if problems.isEmpty {
                let older = tree.checkpointsMatched - 1
                add(.checkpoint, .pass, "checkpoint of \(latest.size) entr\(latest.size == 1 ? "y" : "ies") signed by \(whose); its root is the recomputed root" +
                    (older > 0 ? "; \(older) earlier checkpoint\(older == 1 ? "" : "s") match" : ""))
            } else {
                add(.checkpoint, .fail, problems.joined(separator: "; "))
            }
        } else if n == 0 {
            add(.checkpoint, .skip, "the log is empty and has no checkpoint")
        } else {
            add(.checkpoint, .fail, "the log has \(n) entries and no checkpoint")
        }

        // log.consistency
        if let saved {
            if let failure = saved.failure {
                add(.consistency, .fail, "\(saved.source): \(failure)")
            } else if saved.checkpoint.size > n {
                add(.consistency, .fail, "\(saved.source): the saved checkpoint covers \(saved.checkpoint.size) entries but the log has \(n): entries were removed")
            } else if tree.rootsAt[saved.checkpoint.size] != saved.checkpoint.rootHash {
                add(.consistency, .fail, "\(saved.source): the first \(saved.checkpoint.size) entries no longer give the saved checkpoint's root: the log's history was rewritten")
            } else if let latestChecked, saved.checkpoint.size > 0, saved.checkpoint.size <= latestChecked.size {
                // The proof an auditor without the entries would be given, checked against the signed roots.
                let proof = try? MerkleTree.consistencyProof(from: saved.checkpoint.size, to: latestChecked.size, in: AuditTree(db: db))
                let verified = proof.map {
                    MerkleTree.verifyConsistency(size1: saved.checkpoint.size, size2: latestChecked.size, root1: saved.checkpoint.rootHash,
                                                 root2: latestChecked.rootHash, proof: $0)
                }
                if let verified, verified.isValid, let proof {
                    add(.consistency, .pass, "\(saved.source): the saved checkpoint of \(saved.checkpoint.size) entr\(saved.checkpoint.size == 1 ? "y" : "ies") is a prefix of the log; consistency proof to \(latestChecked.size) (\(proof.count) hashes) verifies")
                } else {
                    add(.consistency, .fail, "\(saved.source): the log's stored tree gives no valid consistency proof from \(saved.checkpoint.size) to \(latestChecked.size) entries\(verified.map { " (\($0))" } ?? "")")
                }
            } else {
                add(.consistency, .pass, "\(saved.source): the saved checkpoint of \(saved.checkpoint.size) entr\(saved.checkpoint.size == 1 ? "y" : "ies") is a prefix of the log")
            }
        } else {
            add(.consistency, .skip, "no saved checkpoint given (--checkpoint)")
        }

        // log.signatures
        var signatureProblems: [String] = []
        if let (count, first) = state.summary(.signatures) {
            signatureProblems.append("\(first.text) (\(count) entr\(count == 1 ? "y" : "ies"))")
        }
        if let trust, !trust.rootOutcome.passed, state.manifests > 0 {
            let why: String
            switch trust.rootOutcome {
            case .fail(let detail), .skip(let detail), .pass(let detail): why = detail
            }
            signatureProblems.append("\(state.manifests) manifests not checked: the root cannot be trusted (\(trust.formatProblems.first ?? why))")
        }
        if signatureProblems.isEmpty && state.uncheckedManifests > 0 {
            // Nothing was found wrong, and nothing was checked: say so without calling the log invalid.
            add(.signatures, .skip, "not checked: \(state.uncheckedManifests) manifest\(state.uncheckedManifests == 1 ? "" : "s") (give --root and --delegation to check them)")
        } else if signatureProblems.isEmpty {
            var parts: [String] = []
            if state.manifests > 0, let trust {
                parts.append("\(state.manifests) manifest\(state.manifests == 1 ? "" : "s") signed by their delegations under root v\(trust.root?.version ?? 0)")
            }
            if state.receipts > 0 {
                let whose = deviceKeys.isEmpty ? "recorded in the log" : "given"
                parts.append("\(state.receipts) receipt\(state.receipts == 1 ? "" : "s") signed by \(state.deviceKeyCount) device key\(state.deviceKeyCount == 1 ? "" : "s") \(whose)")
            }
            if parts.isEmpty {
                add(.signatures, .skip, "no entries to check")
            } else {
                add(.signatures, .pass, parts.joined(separator: "; "))
            }
        } else {
            add(.signatures, .fail, signatureProblems.joined(separator: "; "))
        }

        checks.append(Self.queueCheck(logPath: log.path))

        // Listed in entry order; the sort is stable, so one entry's problems keep the order they were found in.
        let listed = state.listed.enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }.map(\.element)
        return AuditVerification(path: log.path, origin: log.origin, size: n, root: tree.root, checks: checks,
                                 problems: listed, problemCount: state.problemCount, timing: state.timing)
    }

    /// `log.queue`: lines of the receipt queue beside the log that were set aside are a failure to look into.
    static func queueCheck(logPath: String) -> AuditVerification.Check {
        let queue = ReceiptQueue(logPath: logPath)
        let count: Int
        do throws(AttestError) {
            count = try queue.setAsideCount()
        } catch {
            return AuditVerification.Check(id: .queue, status: .fail, detail: error.description)
        }
        if count > 0 {
            return AuditVerification.Check(id: .queue, status: .fail, detail:
                "\(queue.rejectedPath) holds \(count) line\(count == 1 ? "" : "s") set aside from the receipt queue (torn, malformed, unknown key, forged or replayed: the first word of each says which)")
        }
        guard queue.hasPending || AtomicFile.exists(queue.rejectedPath) else {
            return AuditVerification.Check(id: .queue, status: .skip, detail: "no receipt queue beside the log")
        }
        if queue.hasPending {
            return AuditVerification.Check(id: .queue, status: .pass, detail: "nothing set aside; \(queue.path) holds receipts not yet in the log (taking them in needs the log's key and write access)")
        }
        return AuditVerification.Check(id: .queue, status: .pass, detail: "nothing set aside from the receipt queue")
    }

    // MARK: Pieces

    private typealias Problem = AuditVerification.Problem

    /// What the passes found, with a bounded list of named entries.
    private struct State {
        var listed: [Problem] = []
        var problemCount = 0
        var firstByCheck: [AuditCheckID: Problem] = [:]
        var countByCheck: [AuditCheckID: Int] = [:]
        var manifests = 0
        var receipts = 0
        var uncheckedManifests = 0
        var deviceKeyCount = 0
        var timing = AuditVerification.Timing()

        mutating func add(_ problem: Problem) {
            problemCount += 1
            if listed.count < AuditVerification.listedProblems { listed.append(problem) }
            if firstByCheck[problem.check] == nil { firstByCheck[problem.check] = problem }
            countByCheck[problem.check, default: 0] += 1
        }

        func summary(_ check: AuditCheckID) -> (Int, Problem)? {
            guard let first = firstByCheck[check] else { return nil }
            return (countByCheck[check] ?? 0, first)
        }
    }

    /// The checkpoint the auditor saved: parsed (a file that is not one is an input error), then judged.
    private struct Saved: Sendable {
        let source: String
        let checkpoint: Checkpoint
        let failure: String?

        init(_ input: NamedInput, key: NoteVerifierKey, origin: String) throws(AttestError) {
            source = input.name
            let note: SignedNote
            let checkpoint: Checkpoint
            do {
                note = try SignedNote(parsing: input.bytes)
                checkpoint = try Checkpoint(parsing: note.text)
            } catch {
                throw AttestError(.usage, "not a signed checkpoint: \(error.reason)", at: input.name)
            }
            self.checkpoint = checkpoint
            if !note.verify(keys: [key]).isValid {
                failure = "the saved checkpoint is not signed by the log key \(key.name)"
            } else if checkpoint.origin != origin {
                failure = "the saved checkpoint is for origin \(checkpoint.origin), not \(origin)"
            } else {
                failure = nil
            }
        }
    }
}
