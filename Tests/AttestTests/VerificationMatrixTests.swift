import Attest
import AttestCrypto
import AttestTestSupport
import Foundation
import Testing

/// The decision matrix: for each check id, a case where only that check fails, and the TUF attacks that
/// apply here. Every case asserts the exact set of failed checks, so a check that fails too often or not
/// at all breaks a test.
@Suite("Verification decision matrix")
struct VerificationMatrixTests {
    let fx: TrustFixture
    init() throws { fx = try TrustFixture() }

    func verify(_ manifest: NamedInput? = nil, _ setup: VerificationSetup? = nil) throws -> VerificationResult {
        try DeviceVerifier.verify(try manifest ?? fx.signedManifest(), setup: try setup ?? fx.setup(device: fx.device))
    }

    func expectOnly(_ failed: [CheckID], _ result: VerificationResult, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(result.failed) == Set(failed), "\(comment?.rawValue ?? "")\n\(result.text)", sourceLocation: sourceLocation)
        #expect(result.isAllowed == failed.isEmpty, sourceLocation: sourceLocation)
    }

    @Test("a good manifest on the right device is allowed, every check reported once")
    func allow() throws {
        let result = try verify(nil, fx.setup(device: fx.device, job: JobRequest(workload: "industrial-inspection")))
        expectOnly([], result)
        #expect(result.checks.map(\.id) == CheckID.allCases)
        #expect(result.check(.manifestRollback)?.status == .skip)
        #expect(result.check(.jobWorkload)?.status == .pass)
    }

    @Test("envelope.format: a payload that is not canonical JSON")
    func envelopeFormat() throws {
        let json = String(decoding: CanonicalJSON.encode(fx.manifest().json), as: UTF8.self) + " "
        var envelope = Envelope(payloadType: PayloadType.manifest.rawValue, payload: Array(json.utf8))
        try envelope.sign(with: fx.delegationKeys[0])
        let result = try verify(NamedInput(name: "m.json", bytes: envelope.encoded()))
        expectOnly([.envelopeFormat], result)
        #expect(result.check(.envelopeFormat)?.detail.contains("m.json") == true)
    }

    @Test("envelope.format: a foreign payloadType")
    func foreignPayloadType() throws {
        var envelope = Envelope(payloadType: "application/vnd.in-toto+json", payload: CanonicalJSON.encode(fx.manifest().json))
        try envelope.sign(with: fx.delegationKeys[0])
        expectOnly([.envelopeFormat], try verify(NamedInput(name: "m.json", bytes: envelope.encoded())))
    }

    @Test("envelope.format: an unknown member in the payload")
    func unknownMember() throws {
        guard case .object(var object) = fx.manifest().json else { Issue.record("not an object"); return }
        _ = object.updateValue(.bool(true), forKey: "allowAllRegions")
        let result = try verify(TrustFixture.sign(.object(object), .manifest, fx.delegationKeys))
        expectOnly([.envelopeFormat], result)
        #expect(result.check(.envelopeFormat)?.detail.contains("allowAllRegions") == true)
    }

    @Test("root.signature: a root signed by one key of a threshold of two")
    func rootSignature() throws {
        let roots = [try fx.signedRoot(keys: [fx.rootKeys[0]])]
        // Delegations are checked against the root's keys regardless, so only root.signature fails...
        let result = try verify(nil, fx.setup(roots: roots, device: fx.device))
        #expect(result.failed.contains(.rootSignature))
        #expect(!result.isAllowed)
    }

    @Test("root.expiry: an expired root")
    func rootExpiry() throws {
        var root = fx.root
        root.expires = TrustFixture.now.adding(days: -1)
        let result = try verify(nil, fx.setup(roots: [try fx.signedRoot(root)], device: fx.device))
        expectOnly([.rootExpiry], result)
    }

    @Test("delegation.signature: mix-and-match, a delegation signed by another root")
    func mixAndMatch() throws {
        let other = try TrustFixture()
        let result = try verify(nil, fx.setup(delegations: [try fx.signedDelegation(keys: other.rootKeys)], device: fx.device))
        expectOnly([.delegationSignature], result)
    }

    @Test("delegation.signature: no delegation for the issuer")
    func missingDelegation() throws {
        let result = try verify(nil, fx.setup(delegations: [], device: fx.device))
        expectOnly([.delegationSignature], result)
        #expect(result.check(.manifestSignature)?.status == .skip)
    }

    @Test("delegation.expiry: an expired delegation under a valid manifest")
    func delegationExpiry() throws {
        var delegation = fx.delegation
        delegation.expires = TrustFixture.now.adding(days: -2)
        expectOnly([.delegationExpiry], try verify(nil, fx.setup(delegations: [try fx.signedDelegation(delegation)], device: fx.device)))
    }

    @Test("delegation.revoked: the root revokes the delegation")
    func delegationRevoked() throws {
        let revocation = Revocation(issuer: "root", version: 1, issuedAt: TrustFixture.now.adding(days: -1), expires: TrustFixture.now.adding(days: 30),
                                    delegations: ["acme-integration"])
        expectOnly([.delegationRevoked], try verify(nil, fx.setup(revocations: [try fx.signedRevocation(revocation)], device: fx.device)))
    }

    @Test("manifest.signature: signed by a key outside the delegation")
    func outsideKey() throws {
        let stranger = try PrivateKey.generate(.ed25519)
        expectOnly([.manifestSignature], try verify(try fx.signedManifest(keys: [stranger])))
    }

    @Test("manifest.signature: threshold games (the same key twice does not make two)")
    func thresholdGames() throws {
        var delegation = fx.delegation
        let second = try PrivateKey.generate(.ed25519)
        delegation = Delegation(name: delegation.name, version: 1, expires: delegation.expires, threshold: 2,
                                keys: fx.delegationKeys.map(\.publicKey) + [second.publicKey], scope: delegation.scope)
        let setup = try fx.setup(delegations: [try fx.signedDelegation(delegation)], device: fx.device)
        let once = try fx.signedManifest()
        var doubled = try Envelope.parse(once.bytes)
        doubled = Envelope(payloadType: doubled.payloadType, payload: doubled.payload,
                           signatures: doubled.signatures + [.init(keyID: second.publicKey.keyID, bytes: doubled.signatures[0].bytes)])
        expectOnly([.manifestSignature], try verify(NamedInput(name: "m", bytes: doubled.encoded()), setup))
        expectOnly([], try verify(try fx.signedManifest(keys: [fx.delegationKeys[0], second]), setup))
    }

    @Test("manifest.scope: wider than the delegation (workload, vendor, validity)")
    func scope() throws {
        var manifest = fx.manifest()
        manifest.workloads.append(.init(workloadClass: "frontier-training"))
        expectOnly([.manifestScope], try verify(try fx.signedManifest(manifest)))
        let long = fx.manifest(days: 120)
        expectOnly([.manifestScope], try verify(try fx.signedManifest(long)))
    }

    @Test("manifest.validity: expired, not yet valid, issued in the future")
    func validity() throws {
        var manifest = fx.manifest()
        manifest.notBefore = TrustFixture.now.adding(days: -40)
        manifest.issuedAt = manifest.notBefore
        manifest.notAfter = TrustFixture.now.adding(days: -10)
        expectOnly([.manifestValidity], try verify(try fx.signedManifest(manifest)))
        manifest = fx.manifest()
        manifest.notBefore = TrustFixture.now.adding(days: 2)
        manifest.notAfter = manifest.notBefore.adding(days: 10)
        expectOnly([.manifestValidity], try verify(try fx.signedManifest(manifest)))
        manifest = fx.manifest()
        manifest.issuedAt = TrustFixture.now.adding(seconds: 3600)
        expectOnly([.manifestValidity], try verify(try fx.signedManifest(manifest)))
        // Within the root's 300 s skew is fine.
        manifest.issuedAt = TrustFixture.now.adding(seconds: 200)
        expectOnly([], try verify(try fx.signedManifest(manifest)))
    }

    @Test("manifest.revoked: the manifest id, or its signing key, is revoked")
    func manifestRevoked() throws {
        let byID = Revocation(issuer: "acme-integration", version: 1, issuedAt: TrustFixture.now.adding(days: -1),
                              expires: TrustFixture.now.adding(days: 30), manifests: [fx.manifest().id])
        let list = try fx.signedRevocation(byID, keys: fx.delegationKeys)
        expectOnly([.manifestRevoked], try verify(nil, fx.setup(revocations: [list], device: fx.device)))
        let byKey = Revocation(issuer: "root", version: 1, issuedAt: TrustFixture.now.adding(days: -1),
                               expires: TrustFixture.now.adding(days: 30), keys: [fx.delegationKeys[0].publicKey.keyID])
        let result = try verify(nil, fx.setup(revocations: [try fx.signedRevocation(byKey)], device: fx.device))
        // A revoked key no longer counts toward the threshold either.
        expectOnly([.manifestRevoked, .manifestSignature], result)
    }

    @Test("manifest.revoked: a revocation list signed by the wrong keys fails closed")
    func forgedRevocation() throws {
        let list = Revocation(issuer: "root", version: 1, issuedAt: TrustFixture.now.adding(days: -1), expires: TrustFixture.now.adding(days: 30))
        expectOnly([.manifestRevoked], try verify(nil, fx.setup(revocations: [try fx.signedRevocation(list, keys: fx.delegationKeys)], device: fx.device)))
    }

    @Test("region.denied: a region the root denies, even inside the delegation's scope")
    func regionDenied() throws {
        var delegation = fx.delegation
        delegation.scope.regions = ["*"]
        let setup = try fx.setup(delegations: [try fx.signedDelegation(delegation)],
                                 device: DeviceFacts(region: "KP", chips: fx.device.chips))
        expectOnly([.regionDenied], try verify(try fx.signedManifest(fx.manifest(region: "KP")), setup))
    }

    @Test("device.chip: a chip on the device that the manifest does not name")
    func deviceChip() throws {
        var device = fx.device
        device.chips.append(.init(vendor: "nvidia", model: "H200", serial: "1652922009999"))
        let result = try verify(nil, fx.setup(device: device))
        expectOnly([.deviceChip], result)
        #expect(result.check(.deviceChip)?.detail.contains("1652922009999") == true)
    }

    @Test("device.region: the device is in another region")
    func deviceRegion() throws {
        let result = try verify(nil, fx.setup(device: DeviceFacts(region: "BR", chips: fx.device.chips)))
        expectOnly([.deviceRegion], result)
        #expect(result.check(.deviceRegion)?.detail == "manifest region MX, device region BR")
    }

    @Test("job.workload and job.model: a class not permitted; a model not pinned")
    func job() throws {
        expectOnly([.jobWorkload], try verify(nil, fx.setup(device: fx.device, job: JobRequest(workload: "frontier-training"))))
        let wrongModel = JobRequest(workload: "public-safety", modelDigest: "sha256:" + String(repeating: "cd", count: 32))
        expectOnly([.jobModel], try verify(nil, fx.setup(device: fx.device, job: wrongModel)))
        expectOnly([.jobModel], try verify(nil, fx.setup(device: fx.device, job: JobRequest(workload: "public-safety"))))
        expectOnly([], try verify(nil, fx.setup(device: fx.device, job: JobRequest(workload: "public-safety", modelDigest: TrustFixture.pinnedModel))))
    }

    @Test("manifest.rollback: an older sequence after a newer one was accepted")
    func rollback() throws {
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        expectOnly([], try verify(try fx.signedManifest(fx.manifest(sequence: 5)), fx.setup(device: fx.device, state: state)))
        expectOnly([.manifestRollback], try verify(try fx.signedManifest(fx.manifest(sequence: 4)), fx.setup(device: fx.device, state: state)))
        expectOnly([], try verify(try fx.signedManifest(fx.manifest(sequence: 5)), fx.setup(device: fx.device, state: state)))
    }

    @Test("rollback of a revocation list: an older list after a newer one is refused, the newer one still applies")
    func revocationRollback() throws {
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        let v2 = Revocation(issuer: "root", version: 2, issuedAt: TrustFixture.now.adding(days: -1), expires: TrustFixture.now.adding(days: 30),
                            manifests: [fx.manifest().id])
        let v1 = Revocation(issuer: "root", version: 1, issuedAt: TrustFixture.now.adding(days: -2), expires: TrustFixture.now.adding(days: 30))
        expectOnly([.manifestRevoked], try verify(nil, fx.setup(revocations: [try fx.signedRevocation(v2)], device: fx.device, state: state)))
        let result = try verify(nil, fx.setup(revocations: [try fx.signedRevocation(v1)], device: fx.device, state: state))
        expectOnly([.manifestRevoked], result)
        #expect(result.check(.manifestRevoked)?.detail.contains("older than version 2") == true)
        // Even with no list given, the device remembers the revocation.
        expectOnly([.manifestRevoked], try verify(nil, fx.setup(device: fx.device, state: state)))
    }

    @Test("freeze: turning the clock back does not revive an expired manifest (newest accepted time wins)")
    func freeze() throws {
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        expectOnly([], try verify(nil, fx.setup(device: fx.device, state: state)))
        // The device once accepted a manifest issued 10 days from the wall clock's "now": the clock has
        // since been turned back by 10 days.
        let later = TrustFixture.now.adding(days: 10)
        try Data(#"{"format":1,"newestAccepted":"\#(later)","revocationVersions":{},"rollback":{}}"#.utf8)
            .write(to: URL(fileURLWithPath: state + "/state.json"))
        var stale = fx.manifest(sequence: 7)
        stale.notAfter = TrustFixture.now.adding(days: 2)  // valid by the turned-back clock, expired by the device's time
        let result = try verify(try fx.signedManifest(stale), fx.setup(device: fx.device, state: state))
        expectOnly([.manifestValidity], result)
        #expect(result.check(.manifestValidity)?.detail.contains("expired") == true)
        // An auditor's --at sets the time explicitly, whatever the device state says.
        expectOnly([], try verify(try fx.signedManifest(stale), fx.setup(device: fx.device, state: state, at: TrustFixture.now)))
    }

    @Test("a key listed under another id is rejected: the root does not parse")
    func keyIDConfusion() throws {
        guard case .object(var object) = fx.root.json, case .object(let keys)? = object["keys"] else { Issue.record(); return }
        var wrong = JSONObject()
        for (i, member) in keys.members.enumerated() {
            _ = wrong.updateValue(member.value, forKey: i == 0 ? String(repeating: "0", count: 64) : member.key)
        }
        _ = object.updateValue(.object(wrong), forKey: "keys")
        let root = try TrustFixture.sign(.object(object), .root, fx.rootKeys, name: "root.json")
        let result = try verify(nil, fx.setup(roots: [root], device: fx.device))
        #expect(result.failed.contains(.envelopeFormat) && result.failed.contains(.rootSignature))
        #expect(result.check(.envelopeFormat)?.detail.contains("keyid") == true)
    }

    @Test("threshold 0 in a document is invalid")
    func thresholdZero() throws {
        guard case .object(var object) = fx.root.json else { Issue.record(); return }
        _ = object.updateValue(0, forKey: "threshold")
        #expect(throws: AttestError(.invalidDocument, "")) { try TrustRoot(json: .object(object)) }
    }

    @Test("root rotation: v2 signed by v1's threshold and its own is trusted; v2 signed only by its own keys is not")
    func rotation() throws {
        let newKeys = [try PrivateKey.generate(.ed25519), try PrivateKey.generate(.ed25519)]
        var v2 = TrustRoot(version: 2, expires: TrustFixture.now.adding(days: 365), threshold: 2, keys: newKeys.map(\.publicKey), policy: fx.root.policy)
        let good = try fx.signedRoot(v2, keys: fx.rootKeys + newKeys)
        let delegationUnderV2 = try fx.signedDelegation(keys: newKeys)
        expectOnly([], try verify(nil, fx.setup(roots: [good, try fx.signedRoot()], delegations: [delegationUnderV2], device: fx.device)))
        let rogue = try fx.signedRoot(v2, keys: newKeys)
        let result = try verify(nil, fx.setup(roots: [try fx.signedRoot(), rogue], delegations: [delegationUnderV2], device: fx.device))
        #expect(result.failed.contains(.rootSignature))
        v2.version = 3
        let gap = try fx.signedRoot(v2, keys: fx.rootKeys + newKeys)
        #expect(try verify(nil, fx.setup(roots: [try fx.signedRoot(), gap], delegations: [delegationUnderV2], device: fx.device)).failed.contains(.rootSignature))
    }

    @Test("a device with a stored root refuses a different root of the same version")
    func storedRoot() throws {
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        expectOnly([], try verify(nil, fx.setup(device: fx.device, state: state)))
        let other = try TrustFixture()
        let result = try verify(try other.signedManifest(), other.setup(device: other.device, state: state))
        #expect(result.failed.contains(.rootSignature))
    }

    @Test("a device whose stored root is unreadable trusts no root given now, and keeps its stored file")
    func corruptStoredRoot() throws {
        let dir = try TemporaryDirectory()
        let state = dir.path("state")
        expectOnly([], try verify(nil, fx.setup(device: fx.device, state: state)))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: state + "/root.json"))
        let other = try TrustFixture()
        let result = try verify(try other.signedManifest(), other.setup(device: other.device, state: state))
        #expect(result.failed.contains(.rootSignature) && result.failed.contains(.envelopeFormat))
        #expect(try dir.read("state/root.json") == Data("garbage".utf8))
    }
}
