import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Envelope verification timed next to bare OpenSSL verification of the same PAE bytes, interleaved in
/// one run so both sides see the same machine state.
public enum VerificationBenchmark {
    public struct Result: Sendable {
        public let type: KeyGenerationType
        public let attestPerSecond: Double
        public let baselinePerSecond: Double
        public var ratio: Double { baselinePerSecond > 0 ? attestPerSecond / baselinePerSecond : 0 }
    }

    /// Envelope bytes → parse → PAE → threshold check against a trusted key map, per iteration.
    public static func run(_ type: KeyGenerationType, payloadSize: Int, seconds: Double) throws(AttestError) -> Result {
        let key: PrivateKey
        do { key = try PrivateKey.generate(type) } catch { throw AttestError(error) }
        var payload = Array(#"{"bench":""#.utf8)
        payload += [UInt8](repeating: UInt8(ascii: "x"), count: max(0, payloadSize - payload.count - 2))
        payload += Array(#""}"#.utf8)
        var envelope = Envelope(payloadType: PayloadType.manifest.rawValue, payload: payload)
        try envelope.sign(with: key)
        let bytes = envelope.encoded()
        let keys = [key.publicKey.keyID: key.publicKey]
        let pae = envelope.pae
        let signature = envelope.signatures[0].bytes

        // Warm up both paths, and check they agree that the signature is good.
        guard try attestLoop(bytes, keys: keys, iterations: 10) == 10,
              OpenSSLBaseline.verifyLoop(key: key.publicKey, signature: signature, message: pae, iterations: 10) == 10 else {
            throw AttestError(.crypto, "benchmark signature did not verify")
        }
        // Calibrate a batch to about 50 ms, then alternate batches until the time is spent.
        let start = now()
        _ = OpenSSLBaseline.verifyLoop(key: key.publicKey, signature: signature, message: pae, iterations: 20)
        let per = max((now() - start) / 20, 1e-7)
        let batch = max(1, Int(0.05 / per))
        var attestTime = 0.0, baseTime = 0.0, attestCount = 0, baseCount = 0
        // Alternate which side goes first, so neither always runs on a cache the other warmed.
        var round = 0
        while attestTime < seconds || baseTime < seconds {
            if round % 2 == 0 {
                let t0 = now()
                attestCount += try attestLoop(bytes, keys: keys, iterations: batch)
                attestTime += now() - t0
            }
            let t1 = now()
            baseCount += OpenSSLBaseline.verifyLoop(key: key.publicKey, signature: signature, message: pae, iterations: batch)
            baseTime += now() - t1
            if round % 2 == 1 {
                let t0 = now()
                attestCount += try attestLoop(bytes, keys: keys, iterations: batch)
                attestTime += now() - t0
            }
            round += 1
        }
        return Result(type: type, attestPerSecond: Double(attestCount) / attestTime, baselinePerSecond: Double(baseCount) / baseTime)
    }

    private static func attestLoop(_ bytes: [UInt8], keys: [String: PublicKey], iterations: Int) throws(AttestError) -> Int {
        var good = 0
        for _ in 0..<iterations {
            let envelope = try Envelope.parse(bytes)
            if envelope.verify(keys: keys, threshold: 1).meetsThreshold { good += 1 }
        }
        return good
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
