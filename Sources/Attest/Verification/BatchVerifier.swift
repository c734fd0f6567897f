import Dispatch

/// Many manifests against one prepared trust store, spread over `jobs` threads (a fleet controller's or
/// an auditor's case). The trust chain is read and checked once.
public enum BatchVerifier {
    public static func verify(paths: [String], setup: VerificationSetup, jobs: Int) throws(AttestError) -> [VerificationResult] {
        if setup.stateDirectory != nil {
            // Stateful verification updates counters between manifests: one at a time, in order.
            var results: [VerificationResult] = []
            for path in paths { results.append(try DeviceVerifier.verify(try NamedInput.read(path), setup: setup)) }
            return results
        }
        let now = setup.at ?? setup.clock ?? Timestamp.now()
        // The time is known before the lists are read, so a future-dated list is refused here too.
        let trust = TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations, now: now)
        let results = ConcurrentSlots<Result<VerificationResult, AttestError>>.map(count: paths.count, jobs: jobs) { i in
            do throws(AttestError) {
                let input = try NamedInput.read(paths[i])
                return .success(Verifier.verify(input, trust: trust, device: setup.device, job: setup.job, at: now,
                                                mustNotSkip: setup.mustNotSkip))
            } catch {
                return .failure(error)
            }
        }
        var out: [VerificationResult] = []
        out.reserveCapacity(results.count)
        for result in results { out.append(try result.get()) }
        return out
    }

    /// Verifies already-read manifests; for benchmarks and callers that hold the bytes.
    public static func verify(inputs: [NamedInput], trust: TrustStore, at now: Timestamp, jobs: Int) -> [VerificationResult] {
        ConcurrentSlots<VerificationResult>.map(count: inputs.count, jobs: jobs) { i in
            Verifier.verify(inputs[i], trust: trust, at: now)
        }
    }
}
