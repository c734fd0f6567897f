import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// Issue 10, the trust chain: revocation that only grows and is judged against what is already revoked,
/// revoked root keys, delegation rollback, revocation freshness, the clock floor, read-only verification,
/// and rotation after a stored revocation list. Check ids new in this issue are matched by their string,
/// so each test also reads as the contract scripts rely on.
@Suite("Hardening: trust chain and device state")
struct HardeningTrustTests {
    static let now = TrustFixture.now
    static let otherID = "0b7e2a51-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

    func verify(_ manifest: NamedInput, _ setup: VerificationSetup) throws -> VerificationResult {
        try DeviceVerifier.verify(manifest, setup: setup)
    }

    func failed(_ result: VerificationResult) -> Set<String> {
        Set(result.checks.filter { $0.status == .fail }.map(\.id.rawValue))
    }

    func status(_ result: VerificationResult, _ id: String) -> CheckResult.Status? {
        result.checks.first { $0.id.rawValue == id }?.status
    }

    func detail(_ result: VerificationResult, _ id: String) -> String {
        result.checks.first { $0.id.rawValue == id }?.detail ?? "(no check \(id))"
    }

    func list(_ issuer: String, _ version: Int, issued: Int64 = -1, expires: Int64 = 30, manifests: [String] = [], keys: [String] = [],
              delegations: [String] = []) -> Revocation {
        Revocation(issuer: issuer, version: version, issuedAt: Self.now.adding(days: issued), expires: Self.now.adding(days: expires),
                   manifests: manifests, keys: keys, delegations: delegations)
    }

    /// The fixture with a second delegation key, so one key can revoke the other.
    func twoKeyFixture() throws -> TrustFixture {
        var fx = try TrustFixture()
        let second = try PrivateKey.generate(.ed25519)
        fx.delegationKeys.append(second)
        fx.delegation.keys[second.publicKey.keyID] = second.publicKey
        return fx
    }

    func otherManifest(_ fx: TrustFixture, sequence: Int = 3) -> Manifest {
        var m = fx.manifest(sequence: sequence)
        m.id = Self.otherID
        return m
    }

    // MARK: 10.1

    @Test("10.1 a revoked key cannot sign a list that un-revokes it")
    func revokedKeyCannotUnrevoke() throws {
        let fx = try twoKeyFixture()
        let (k1, k2) = (fx.delegationKeys[0], fx.delegationKeys[1])
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let v1 = try fx.signedRevocation(list("acme-integration", 1, manifests: [fx.manifest().id], keys: [k1.publicKey.keyID]), keys: [k2])
        let first = try verify(try fx.signedManifest(keys: [k2]), fx.setup(revocations: [v1], device: fx.device, state: state))
        #expect(failed(first) == ["manifest.revoked"], "\(first.text)")

        // k1 signs a newer, empty list of its own delegation: it must not count.
        let v2 = try fx.signedRevocation(list("acme-integration", 2, issued: 0), keys: [k1])
        let restored = try verify(try fx.signedManifest(keys: [k2]), fx.setup(revocations: [v2], device: fx.device, state: state))
        #expect(failed(restored).contains("manifest.revoked"), "\(restored.text)")
        let byK1 = try verify(try fx.signedManifest(otherManifest(fx), keys: [k1]), fx.setup(revocations: [v2], device: fx.device, state: state))
        #expect(failed(byK1).contains("manifest.signature"), "\(byK1.text)")

        // The same with no state: both lists given at once, the newer one signed by the key the older revoked.
        let stateless = try verify(try fx.signedManifest(otherManifest(fx), keys: [k1]), fx.setup(revocations: [v2, v1], device: fx.device))
        #expect(failed(stateless).isSuperset(of: ["manifest.signature", "manifest.revoked"]), "\(stateless.text)")
    }

    @Test("10.1 a key revoked by the root cannot wipe its delegation's manifest revocations")
    func rootRevokedKeyCannotWipe() throws {
        let fx = try twoKeyFixture()
        let (k1, k2) = (fx.delegationKeys[0], fx.delegationKeys[1])
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let rootList = try fx.signedRevocation(list("root", 1, keys: [k1.publicKey.keyID]))
        let own = try fx.signedRevocation(list("acme-integration", 1, manifests: [fx.manifest().id]), keys: [k2])
        let first = try verify(try fx.signedManifest(keys: [k2]), fx.setup(revocations: [rootList, own], device: fx.device, state: state))
        #expect(failed(first) == ["manifest.revoked"], "\(first.text)")
        let wipe = try fx.signedRevocation(list("acme-integration", 2, issued: 0), keys: [k1])
        let after = try verify(try fx.signedManifest(keys: [k2]), fx.setup(revocations: [wipe], device: fx.device, state: state))
        #expect(failed(after).contains("manifest.revoked"), "\(after.text)")
    }

    @Test("10.1 revocations only grow: a newer list that leaves an entry out does not restore it")
    func revocationsOnlyGrow() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let v1 = try fx.signedRevocation(list("root", 1, manifests: [fx.manifest().id]))
        #expect(failed(try verify(try fx.signedManifest(), fx.setup(revocations: [v1], device: fx.device, state: state))) == ["manifest.revoked"])
        let v2 = try fx.signedRevocation(list("root", 2, issued: 0))
        let result = try verify(try fx.signedManifest(), fx.setup(revocations: [v2], device: fx.device, state: state))
        #expect(failed(result) == ["manifest.revoked"], "\(result.text)")
        #expect(detail(result, "manifest.revoked").contains("root"), "\(result.text)")
    }

    @Test("10.1 a version jump to 2^31-1 does not lock its issuer out")
    func versionJump() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let jump = try fx.signedRevocation(list("root", Int(Int32.max), issued: -2))
        #expect(failed(try verify(try fx.signedManifest(), fx.setup(revocations: [jump], device: fx.device, state: state))).isEmpty)
        // The issuer publishes again with an ordinary version: it is accepted and applies.
        let next = try fx.signedRevocation(list("root", 3, issued: -1))
        let result = try verify(try fx.signedManifest(), fx.setup(revocations: [next], device: fx.device, state: state))
        #expect(result.isAllowed, "\(result.text)")
        let revoking = try fx.signedRevocation(list("root", 4, issued: 0, manifests: [fx.manifest().id]))
        #expect(failed(try verify(try fx.signedManifest(), fx.setup(revocations: [revoking], device: fx.device, state: state))) == ["manifest.revoked"])
    }

    // MARK: 10.4

    @Test("10.4 a revoked root key no longer counts for delegations, revocation lists or rotations")
    func revokedRootKey() throws {
        let fx = try TrustFixture(rootThreshold: 1)
        let (r0, r1) = (fx.rootKeys[0], fx.rootKeys[1])
        let revokeR0 = try fx.signedRevocation(list("root", 1, keys: [r0.publicKey.keyID]), keys: [r1])
        // A delegation signed only by the revoked root key.
        let delegation = try fx.signedDelegation(keys: [r0])
        let byRevoked = try verify(try fx.signedManifest(), fx.setup(delegations: [delegation], revocations: [revokeR0], device: fx.device))
        #expect(failed(byRevoked) == ["delegation.signature"], "\(byRevoked.text)")
        // A newer, empty root list signed by the revoked key neither counts nor restores it.
        let unrevoke = try fx.signedRevocation(list("root", 2, issued: 0), keys: [r0])
        let listed = try verify(try fx.signedManifest(), fx.setup(delegations: [delegation], revocations: [revokeR0, unrevoke], device: fx.device))
        #expect(failed(listed).isSuperset(of: ["delegation.signature", "manifest.revoked"]), "\(listed.text)")

        // Once the device stored the revocation, a rotation signed by the revoked key is refused.
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        #expect(try verify(try fx.signedManifest(), fx.setup(revocations: [revokeR0], device: fx.device, state: state)).isAllowed)
        let newKey = try PrivateKey.generate(.ed25519)
        let v2 = TrustRoot(version: 2, expires: Self.now.adding(days: 365), threshold: 1, keys: [newKey.publicKey], policy: fx.root.policy)
        let rotation = try fx.signedRoot(v2, keys: [r0, newKey])
        let rotated = try verify(try fx.signedManifest(), fx.setup(roots: [try fx.signedRoot(), rotation],
                                                                  delegations: [try fx.signedDelegation(keys: [newKey])], device: fx.device, state: state))
        #expect(failed(rotated).contains("root.signature"), "\(rotated.text)")
    }

    // MARK: 10.5

    @Test("10.5 a superseded delegation is refused once a newer one was accepted (delegation.rollback)")
    func delegationRollback() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        var v2 = fx.delegation
        v2.version = 2
        v2.scope.regions = ["BR"]
        var wide = fx.delegation
        wide.version = 1
        let m = try fx.signedManifest(fx.manifest(region: "BR"))
        let device = DeviceFacts(region: "BR", chips: fx.device.chips)
        #expect(try verify(m, fx.setup(delegations: [try fx.signedDelegation(v2)], device: device, state: state)).isAllowed)
        let older = try verify(try fx.signedManifest(), fx.setup(delegations: [try fx.signedDelegation(wide)], device: fx.device, state: state))
        #expect(failed(older) == ["delegation.rollback"], "\(older.text)")
        #expect(detail(older, "delegation.rollback").contains("2"), "\(older.text)")
        // Without a state directory it skips, and where nothing may skip that denies.
        var setup = try fx.setup(delegations: [try fx.signedDelegation(wide)], device: fx.device)
        #expect(status(try verify(try fx.signedManifest(), setup), "delegation.rollback") == .skip)
        setup.mustNotSkip = Set(CheckID.allCases)
        #expect(!(try verify(try fx.signedManifest(), setup)).isAllowed)
    }

    // MARK: 10.6

    @Test("10.6 a future-dated revocation list is refused (revocation.freshness)")
    func futureList() throws {
        let fx = try TrustFixture()
        let future = try fx.signedRevocation(list("root", 1, issued: 1, expires: 30))
        let result = try verify(try fx.signedManifest(), fx.setup(revocations: [future], device: fx.device))
        #expect(failed(result) == ["revocation.freshness"], "\(result.text)")
        #expect(detail(result, "revocation.freshness").contains("future"), "\(result.text)")
        // Many manifests at once (no state) refuse it too.
        let dir = try TemporaryDirectory()
        let paths = [dir.path("a.json"), dir.path("b.json")]
        for path in paths { try Data(try fx.signedManifest().bytes).write(to: URL(fileURLWithPath: path)) }
        let batch = try BatchVerifier.verify(paths: paths, setup: fx.setup(revocations: [future], device: fx.device), jobs: 2)
        #expect(batch.allSatisfy { failed($0) == ["revocation.freshness"] }, "\(batch.map(\.text))")
    }

    @Test("10.6 an expired revocation list still applies and is reported")
    func expiredList() throws {
        let fx = try TrustFixture()
        let expired = try fx.signedRevocation(list("root", 1, issued: -30, expires: -1, manifests: [fx.manifest().id]))
        let result = try verify(try fx.signedManifest(), fx.setup(revocations: [expired], device: fx.device))
        #expect(failed(result) == ["manifest.revoked"], "\(result.text)")
        #expect(detail(result, "revocation.freshness").contains("expired"), "\(result.text)")
        let empty = try fx.signedRevocation(list("root", 1, issued: -30, expires: -1))
        let reported = try verify(try fx.signedManifest(), fx.setup(revocations: [empty], device: fx.device))
        #expect(reported.isAllowed && detail(reported, "revocation.freshness").contains("expired"), "\(reported.text)")
    }

    @Test("10.6 the root's maxRevocationAgeDays turns a frozen feed into a denial")
    func frozenFeed() throws {
        var fx = try TrustFixture()
        fx.root.policy.maxRevocationAgeDays = 7
        let stale = try fx.signedRevocation(list("root", 1, issued: -10, expires: 30))
        let staleResult = try verify(try fx.signedManifest(), fx.setup(revocations: [stale], device: fx.device))
        #expect(failed(staleResult) == ["revocation.freshness"], "\(staleResult.text)")
        let none = try verify(try fx.signedManifest(), fx.setup(device: fx.device))
        #expect(failed(none) == ["revocation.freshness"], "\(none.text)")
        let fresh = try fx.signedRevocation(list("root", 2, issued: -1, expires: 30))
        let freshResult = try verify(try fx.signedManifest(), fx.setup(revocations: [fresh], device: fx.device))
        #expect(freshResult.isAllowed, "\(freshResult.text)")
        // The field round-trips through the root document; a root without it has no limit.
        let parsed = try TrustRoot(json: JSONParser.parse(CanonicalJSON.encode(fx.root.json)))
        #expect(parsed.policy.maxRevocationAgeDays == 7)
        #expect(try TrustRoot(json: JSONParser.parse(CanonicalJSON.encode(try TrustFixture().root.json))).policy.maxRevocationAgeDays == nil)
    }

    // MARK: 10.8

    @Test("10.8 the clock floor is the newest time the device has seen, not the newest issuedAt")
    func clockFloor() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        var first = fx.manifest(sequence: 3)
        first.notAfter = Self.now.adding(days: 5)
        var setup = try fx.setup(device: fx.device, state: state)
        setup.clock = Self.now.adding(days: 4)
        #expect(try verify(try fx.signedManifest(first), setup).isAllowed)
        // The clock is turned back four days: a manifest that expired in between stays expired.
        var second = fx.manifest(sequence: 4)
        second.notAfter = Self.now.adding(days: 2)
        setup.clock = Self.now
        let result = try verify(try fx.signedManifest(second), setup)
        #expect(failed(result) == ["manifest.validity"], "\(result.text)")
        #expect(detail(result, "manifest.validity").contains("expired"))
    }

    // MARK: 10.11

    @Test("10.11 verification with a state directory and record off changes nothing")
    func readOnly() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        var setup = try fx.setup(device: fx.device, state: state)
        setup.record = false
        #expect(try verify(try fx.signedManifest(fx.manifest(sequence: 5)), setup).isAllowed)
        #expect(!FileManager.default.fileExists(atPath: state + "/state.json"))
        #expect(!FileManager.default.fileExists(atPath: state + "/root.json"))
        #expect(try verify(try fx.signedManifest(fx.manifest(sequence: 4)), setup).isAllowed)
        setup.record = true
        let recorded = try verify(try fx.signedManifest(fx.manifest(sequence: 5)), setup)
        #expect(recorded.isAllowed)
        let lines = recorded.recorded.map(\.description)
        #expect(lines.contains { $0.contains("root") && $0.contains("v1") }, "\(lines)")
        #expect(lines.contains { $0.contains(TrustFixture.deviceSerials[0]) && $0.contains("5") }, "\(lines)")
        #expect(lines.contains { $0.contains("clock floor") }, "\(lines)")
        #expect(lines.contains { $0.contains("delegation acme-integration") }, "\(lines)")
        #expect(!(try verify(try fx.signedManifest(fx.manifest(sequence: 4)), setup)).isAllowed)
    }

    // MARK: 10.27

    @Test("10.27 a root rotation after a stored root revocation list is allowed on its first run and every run after")
    func rotationAfterStoredList() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let rootList = try fx.signedRevocation(list("root", 1, manifests: [Self.otherID]))
        #expect(try verify(try fx.signedManifest(), fx.setup(revocations: [rootList], device: fx.device, state: state)).isAllowed)

        let newKeys = [try PrivateKey.generate(.ed25519), try PrivateKey.generate(.ed25519)]
        let v2 = TrustRoot(version: 2, expires: Self.now.adding(days: 365), threshold: 2, keys: newKeys.map(\.publicKey), policy: fx.root.policy)
        let roots = [try fx.signedRoot(), try fx.signedRoot(v2, keys: fx.rootKeys + newKeys)]
        let delegation = try fx.signedDelegation(keys: newKeys)
        for run in 1...3 {
            let result = try verify(try fx.signedManifest(), fx.setup(roots: roots, delegations: [delegation], device: fx.device, state: state))
            #expect(result.isAllowed, "run \(run): \(result.text)")
        }
        // The bundle still holding the list signed under v1 decides the same, and what it revoked stays revoked.
        for run in 1...2 {
            let result = try verify(try fx.signedManifest(), fx.setup(roots: roots, delegations: [delegation], revocations: [rootList],
                                                                    device: fx.device, state: state))
            #expect(result.isAllowed, "run \(run) with the old list: \(result.text)")
        }
        let revoked = try verify(try fx.signedManifest(otherManifest(fx)), fx.setup(roots: roots, delegations: [delegation], device: fx.device, state: state))
        #expect(failed(revoked) == ["manifest.revoked"], "\(revoked.text)")
    }

    // MARK: State format

    @Test("10.x a format 1 state file migrates: its stored lists still apply; an unknown format fails closed")
    func stateMigration() throws {
        let fx = try TrustFixture()
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        #expect(try verify(try fx.signedManifest(), fx.setup(device: fx.device, state: state)).isAllowed)
        let stored = try fx.signedRevocation(list("root", 1, manifests: [fx.manifest().id]))
        try Data(stored.bytes).write(to: URL(fileURLWithPath: state + "/revocations/root.json"))
        try Data(#"{"format":1,"newestAccepted":"\#(Self.now.adding(seconds: -3600))","revocationVersions":{"root":1},"rollback":{"1652922001234":3}}"#.utf8)
            .write(to: URL(fileURLWithPath: state + "/state.json"))
        let result = try verify(try fx.signedManifest(), fx.setup(device: fx.device, state: state))
        #expect(failed(result) == ["manifest.revoked"], "\(result.text)")
        let written = try String(decoding: dir.read("state/state.json"), as: UTF8.self)
        #expect(written.contains(#""format":2"#), "\(written)")
        #expect(failed(try verify(try fx.signedManifest(), fx.setup(device: fx.device, state: state))) == ["manifest.revoked"])

        try Data(#"{"format":9}"#.utf8).write(to: URL(fileURLWithPath: state + "/state.json"))
        #expect(throws: AttestError(.environment, "")) { try verify(try fx.signedManifest(), fx.setup(device: fx.device, state: state)) }
    }
}
