import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Verifying many manifests against one root and delegation (an auditor's or a fleet controller's case),
/// next to bare OpenSSL verification of the same manifests' PAE bytes on one core.
public enum BatchBenchmark {
    public struct Result: Sendable {
        public let type: KeyGenerationType
        public let count: Int
        public let baselinePerSecond: Double
        public let oneJobPerSecond: Double
        public let twoJobsPerSecond: Double
    }

    public static func run(_ type: KeyGenerationType, count: Int, rounds: Int = 3) throws(AttestError) -> Result {
        let rootKey: PrivateKey, delegationKey: PrivateKey
        do {
            rootKey = try PrivateKey.generate(.ed25519)
            delegationKey = try PrivateKey.generate(type)
        } catch { throw AttestError(error) }
        let now = Timestamp.now()
        let root = TrustRoot(version: 1, expires: now.adding(days: 30), threshold: 1, keys: [rootKey.publicKey],
                             policy: .init(deniedRegions: ["KP"], clockSkewSeconds: 300, maxManifestDays: 400))
        let delegation = Delegation(name: "bench-integrator", version: 1, expires: now.adding(days: 30), threshold: 1,
                                    keys: [delegationKey.publicKey],
                                    scope: .init(regions: ["*"], workloads: ["inference"], chipVendors: ["nvidia"], maxManifestDays: 90))
        func envelope(_ json: JSONValue, _ type: PayloadType, _ key: PrivateKey) throws(AttestError) -> Envelope {
            var e = Envelope(payloadType: type.rawValue, payload: CanonicalJSON.encode(json))
            try e.sign(with: key)
            return e
        }
        let trust = TrustStore(roots: [NamedInput(name: "root", bytes: try envelope(root.json, .root, rootKey).encoded())],
                               delegations: [NamedInput(name: "delegation", bytes: try envelope(delegation.json, .delegation, rootKey).encoded())],
                               revocations: [])
        var inputs: [NamedInput] = []
        var envelopes: [Envelope] = []
        for i in 0..<count {
            let m = Manifest(id: uuid(i), issuer: "bench-integrator", sequence: i, issuedAt: now.adding(seconds: -60),
                             notBefore: now.adding(seconds: -60), notAfter: now.adding(days: 30),
                             chips: [.init(vendor: "nvidia", model: "H200", serial: "165292\(100_000 + i)")],
                             region: "MX", workloads: [.init(workloadClass: "inference")])
            let e = try envelope(m.json, .manifest, delegationKey)
            envelopes.append(e)
            inputs.append(NamedInput(name: "m\(i)", bytes: e.encoded()))
        }
        let paes = envelopes.map(\.pae)
        let sigs = envelopes.map { $0.signatures[0].bytes }
        guard BatchVerifier.verify(inputs: Array(inputs.prefix(4)), trust: trust, at: now, jobs: 1).allSatisfy(\.isAllowed) else {
            throw AttestError(.crypto, "benchmark manifests did not verify")
        }
        var base = 0.0, one = 0.0, two = 0.0
        for _ in 0..<rounds {
            var t = clock()
            var good = 0
            for i in 0..<count { good += OpenSSLBaseline.verifyLoop(key: delegationKey.publicKey, signature: sigs[i], message: paes[i], iterations: 1) }
            base = max(base, Double(good) / (clock() - t))
            t = clock()
            let r1 = BatchVerifier.verify(inputs: inputs, trust: trust, at: now, jobs: 1)
            one = max(one, Double(r1.filter(\.isAllowed).count) / (clock() - t))
            t = clock()
            let r2 = BatchVerifier.verify(inputs: inputs, trust: trust, at: now, jobs: 2)
            two = max(two, Double(r2.filter(\.isAllowed).count) / (clock() - t))
        }
        return Result(type: type, count: count, baselinePerSecond: base, oneJobPerSecond: one, twoJobsPerSecond: two)
    }

    static func uuid(_ n: Int) -> String {
        let tail = String(n)
        return "be000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - tail.count)) + tail
    }

    static func clock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
