import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The SQLite audit log through the library: its tree is RFC 9162's, its proofs verify with `MerkleTree`, its
/// checkpoints are signed notes, and `AuditVerifier` accepts what it wrote and refuses what it did not.
@Suite("Audit log")
struct AuditLogTests {
    /// A temporary log with a device key and a trust fixture for manifests.
    struct Fixture {
        let dir: TemporaryDirectory
        let deviceKey: PrivateKey
        let trust: TrustFixture
        var path: String { dir.path("log.sqlite") }

        init() throws {
            dir = try TemporaryDirectory()
            deviceKey = try PrivateKey.generate(.ed25519)
            trust = try TrustFixture()
        }

        func receipts(_ range: Range<Int>, seed: UInt64 = 7) throws -> [AuditEntry] {
            try AuditReceiptGenerator(deviceKey: deviceKey, seed: seed).receipts(range)
        }

        func manifest(_ n: Int, region: String = "MX") throws -> AuditEntry {
            var m = trust.manifest(sequence: n + 1, region: region)
            m.id = String(format: "5f0c6a52-1c2e-4c7e-9f4b-%012d", n)
            return try AuditEntry(envelopeBytes: trust.signedManifest(m).bytes)
        }

        var verifierTrust: TrustStore {
            get throws { TrustStore(roots: [try trust.signedRoot()], delegations: [try trust.signedDelegation()], revocations: []) }
        }
    }

    @Test("the log's root at every size equals MerkleTree.root(entries:) of its entries, appended in uneven batches")
    func rootsMatchReference() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        let entries = try f.receipts(0..<77)
        var reference = InMemoryMerkleTree()
        var start = 0
        for batch in [1, 1, 2, 5, 8, 1, 13, 30, 16] {
            let slice = Array(entries[start..<start + batch])
            let appended = try log.append(slice, signer: signer, deviceKeys: [f.deviceKey.publicKey])
            #expect(appended.firstIndex == UInt64(start))
            for e in slice { reference.append(entry: e.bytes) }
            start += batch
            #expect(try log.root() == MerkleTree.root(entries: entries[0..<start].map(\.bytes)))
        }
        for size in 0...UInt64(entries.count) {
            #expect(try log.root(size: size) == (try reference.root(size: size)), "size \(size)")
        }
        #expect(try log.size() == 77)
    }

    @Test("CompactRange hands over every completed interior node: exactly InMemoryMerkleTree's perfect subtrees")
    func completedNodes() throws {
        var frontier = CompactRange()
        var reference = InMemoryMerkleTree()
        var nodes: [MerkleNode] = []
        for i in 0..<100 {
            let entry = [UInt8(i), UInt8(i >> 8)]
            reference.append(entry: entry)
            try frontier.append(leafHash: MerkleTree.leafHash(entry)) { nodes.append($0) }
        }
        // A tree of n leaves has n − popcount(n) perfect subtrees above the leaves.
        #expect(nodes.count == 100 - 100.nonzeroBitCount)
        for node in nodes {
            #expect(node.hash == (try reference.perfectSubtreeHash(level: node.level, index: node.index)), "level \(node.level) index \(node.index)")
        }
        #expect(frontier.root == reference.root)
    }

    @Test("inclusion and consistency proofs from the log verify with MerkleTree.verify* and equal the in-memory tree's")
    func proofsVerify() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        let entries = try f.receipts(0..<41)
        var reference = InMemoryMerkleTree()
        for (i, e) in entries.enumerated() {
            try log.append([e], signer: signer, deviceKeys: i == 0 ? [f.deviceKey.publicKey] : [])
            reference.append(entry: e.bytes)
        }
        for size in [UInt64(1), 2, 3, 7, 8, 9, 16, 31, 41] {
            let root = try reference.root(size: size)
            for index in 0..<size {
                let proof = try log.inclusionProof(index: index, size: size)
                #expect(proof.proof == (try reference.inclusionProof(index: index, size: size)))
                #expect(proof.root == root)
                #expect(MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(entries[Int(index)].bytes), index: index, size: size,
                                                   proof: proof.proof, root: root).isValid)
                // The checkpoint of that size came with it, and says the same root.
                let note = try SignedNote(parsing: try #require(proof.checkpoint))
                #expect(try Checkpoint(parsing: note.text).rootHash == root)
            }
            for size1 in 1...size {
                let c = try log.consistencyProof(from: size1, to: size)
                #expect(MerkleTree.verifyConsistency(size1: size1, size2: size, root1: try reference.root(size: size1), root2: root,
                                                     proof: c.proof).isValid)
            }
        }
        // Default size: the newest checkpoint's.
        #expect(try log.inclusionProof(index: 40).size == 41)
        #expect(throws: AttestError.self) { try log.inclusionProof(index: 41) }
    }

    @Test("each append signs a C2SP checkpoint of the new size with the log key; the vkey verifies it")
    func checkpointsAreSignedNotes() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        #expect(log.origin == "attest.example/log.sqlite")
        try log.append(try f.receipts(0..<5), signer: signer, deviceKeys: [f.deviceKey.publicKey])
        let stored = try #require(try log.latestCheckpoint())
        let note = try SignedNote(parsing: stored.note)
        let vkey = try NoteVerifierKey(parsing: log.verifierKeyText)
        #expect(note.verify(keys: [vkey]).isValid)
        let checkpoint = try Checkpoint(parsing: note.text)
        let root = try log.root()
        #expect(checkpoint.origin == log.origin && checkpoint.size == 5 && checkpoint.rootHash == root)
        // The key file: 0600, and reused by the next opener.
        var st = stat()
        #expect(stat(AuditLogKey.path(forLog: f.path), &st) == 0 && st.st_mode & 0o777 == 0o600)
        let (again, signer2) = try AuditLog.openForAppend(f.path)
        #expect(signer2.verifierKey == signer.verifierKey && again.origin == log.origin)
        #expect(throws: AttestError.self) { try AuditLog.openForAppend(f.path, origin: "other.example/log") }
    }

    @Test("a log of manifests and receipts verifies: tree, checkpoint, consistency, signatures")
    func verifiesWhatItWrote() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        try log.append([try f.manifest(0), try f.manifest(1, region: "BR")], signer: signer)
        let saved = try #require(try log.latestCheckpoint()).note
        try log.append(try f.receipts(0..<30), signer: signer, deviceKeys: [f.deviceKey.publicKey])
        try log.append([try f.manifest(2)], signer: signer)
        var verifier = AuditVerifier()
        verifier.trust = try f.verifierTrust
        verifier.verifierKey = signer.verifierKey
        verifier.savedCheckpoint = NamedInput(name: "saved", bytes: Array(saved.utf8))
        let result = try verifier.verify(log)
        #expect(result.isValid, "\(result.text)")
        let root = try log.root()
        #expect(result.size == 33 && result.root == root)
        #expect(result.check(.consistency)?.status == .pass)
        #expect(result.check(.signatures)?.detail.contains("3 manifests") == true)
        #expect(result.check(.signatures)?.detail.contains("30 receipts") == true)

        // Without a root, manifests cannot be checked: a skip that says so, never a pass.
        let noRoot = try AuditVerifier().verify(log)
        #expect(noRoot.check(.signatures)?.status == .skip && noRoot.check(.signatures)?.detail.contains("not checked") == true)

        // A saved checkpoint signed by another key is refused.
        let other = try NoteSigner(name: log.origin, privateKey: try PrivateKey.generate(.ed25519))
        let forged = try Checkpoint(origin: log.origin, size: 2, rootHash: try log.root(size: 2)).signed(by: [other])
        verifier.savedCheckpoint = NamedInput(name: "forged", bytes: Array(forged.formatted.utf8))
        #expect(try verifier.verify(log).check(.consistency)?.status == .fail)

        // A checkpoint of a different history (same size, another root) fails consistency.
        let rewritten = try Checkpoint(origin: log.origin, size: 2, rootHash: MerkleTree.root(entries: [[1], [2]])).signed(by: [signer])
        verifier.savedCheckpoint = NamedInput(name: "rewritten", bytes: Array(rewritten.formatted.utf8))
        let failed = try verifier.verify(log)
        #expect(failed.check(.consistency)?.status == .fail)
        #expect(failed.check(.consistency)?.detail.contains("rewritten") == true)
    }

    @Test("a receipt whose device key the log does not hold, or that its key did not sign, is refused at append")
    func receiptsNeedTheirDeviceKey() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        let receipt = try f.receipts(0..<1)
        #expect(throws: AttestError.self) { try log.append(receipt, signer: signer) }
        #expect(try log.size() == 0)
        let stranger = try PrivateKey.generate(.ed25519)
        let forged = try AuditReceiptGenerator(deviceKey: stranger).receipt(0)
        // Recorded key of the real device; the stranger's receipt names the stranger: no key for it.
        try log.append(receipt, signer: signer, deviceKeys: [f.deviceKey.publicKey])
        #expect(throws: AttestError.self) { try log.append([forged], signer: signer) }
        #expect(try log.size() == 1)
    }

    @Test("filters: serial, region with subdivisions, workload, decision, type, time")
    func filters() throws {
        let f = try Fixture()
        let (log, signer) = try AuditLog.openForAppend(f.path)
        let receipts = try f.receipts(0..<200)
        try log.append(receipts, signer: signer, deviceKeys: [f.deviceKey.publicKey])
        try log.append([try f.manifest(0)], signer: signer)
        func count(_ filter: AuditFilter) throws -> Int {
            var n = 0
            try log.forEachRecord(matching: filter) { _ in n += 1 }
            return n
        }
        let records = receipts.enumerated().map { $0.element.record(index: UInt64($0.offset)) }
        let serial = records[3].chips[0]
        #expect(try count(AuditFilter(serial: serial)) == records.filter { $0.chips.contains(serial) }.count)
        #expect(try count(AuditFilter(region: "MX")) == records.filter { $0.region == "MX" || $0.region.hasPrefix("MX-") }.count + 1)
        #expect(try count(AuditFilter(region: "MX-NLE")) == records.filter { $0.region == "MX-NLE" }.count)
        #expect(try count(AuditFilter(workload: "speech")) == records.filter { $0.workloads == ["speech"] }.count)
        #expect(try count(AuditFilter(workload: "public-safety")) == records.filter { $0.workloads == ["public-safety"] }.count + 1)
        #expect(try count(AuditFilter(decision: "deny")) == records.filter { $0.decision == "deny" }.count)
        #expect(try count(AuditFilter(kind: .manifest)) == 1)
        #expect(try count(AuditFilter(issuer: "acme-integration")) == 1)
        let middle = try #require(Timestamp(records[100].time))
        #expect(try count(AuditFilter(kind: .receipt, since: middle)) == records.filter { $0.time >= records[100].time }.count)
        #expect(try count(AuditFilter(kind: .receipt, until: middle)) == records.filter { $0.time <= records[100].time }.count)
        #expect(try AuditFilter.parseTime("2027-01-31", endOfDay: true) == Timestamp("2027-01-31T23:59:59Z"))
        #expect(throws: AttestError.self) { try AuditFilter.parseTime("yesterday", endOfDay: false) }
    }

    @Test("cross-check lists allowed manifests missing from the issuance log, by id and digest")
    func crossCheck() throws {
        let f = try Fixture()
        let (issuance, signer) = try AuditLog.openForAppend(f.dir.path("issuance.sqlite"))
        let (device, deviceSigner) = try AuditLog.openForAppend(f.dir.path("device.sqlite"))
        let issued = try f.manifest(0)
        let leaked = try f.manifest(1)
        try issuance.append([issued], signer: signer)
        func receipt(_ m: AuditEntry, decision: Receipt.Decision) throws -> AuditEntry {
            let r = Receipt(device: f.deviceKey.publicKey.keyID, at: Timestamp.now(), event: .run, manifestID: m.manifest?.id,
                            manifestDigest: m.payloadDigest, chips: ["1652922001234"], region: "MX", workload: "speech", model: nil,
                            decision: decision, failed: decision == .allow ? [] : ["job.workload"])
            var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(r.json))
            try envelope.sign(with: f.deviceKey)
            return try AuditEntry(envelope: envelope)
        }
        try device.append([try receipt(issued, decision: .allow), try receipt(leaked, decision: .deny)], signer: deviceSigner,
                          deviceKeys: [f.deviceKey.publicKey])
        #expect(try AuditCrossCheck.run(issuance: issuance, receipts: [device]).missing.isEmpty)
        try device.append([try receipt(leaked, decision: .allow), try receipt(leaked, decision: .allow)], signer: deviceSigner)
        let report = try AuditCrossCheck.run(issuance: issuance, receipts: [device])
        #expect(report.missing.count == 1)
        #expect(report.missing.first?.manifestID == leaked.manifest?.id && report.missing.first?.digest == leaked.payloadDigest)
        #expect(report.missing.first?.receipts == 2)
    }

    @Test("the device receipt log imports the old receipts.jsonl on its first append")
    func receiptLogImportsJSONLines() throws {
        let f = try Fixture()
        let state = f.dir.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try Data(Array(try f.deviceKey.pem(passphrase: nil).utf8)).write(to: URL(fileURLWithPath: state + "/device.key"))
        let old = try f.receipts(0..<3)
        let lines = old.map { String(decoding: $0.bytes, as: UTF8.self) + "\n" }.joined() + "{\"partial"
        try Data(lines.utf8).write(to: URL(fileURLWithPath: state + "/receipts.jsonl"))
        let store = SQLiteReceiptLog(stateDirectory: state)
        let new = try f.receipts(3..<4)[0]
        try store.append(new.bytes)
        #expect(try store.entries() == (old + [new]).map(\.bytes))
        #expect(FileManager.default.fileExists(atPath: state + "/receipts.jsonl.imported"))
        var verifier = AuditVerifier()
        verifier.deviceKeys = [f.deviceKey.publicKey]
        #expect(try verifier.verify(try AuditLog.open(store.path)).isValid)
    }

    @Test("opening something that is not a log is an input error (exit 2), naming the file")
    func notALog() throws {
        let f = try Fixture()
        #expect(throws: AttestError.self) { try AuditLog.open(f.dir.path("missing.sqlite")) }
        let junk = try f.dir.write("junk.sqlite", "this is not a database, just text that is long enough to look like a header…")
        do {
            _ = try AuditLog.open(junk)
            Issue.record("opened a text file as a log")
        } catch {
            #expect(error.code == .invalidDocument && error.description.contains("junk.sqlite"), "\(error)")
        }
    }
}
