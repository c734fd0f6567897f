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
        let trust = TrustStore(roots: setup.roots, delegations: setup.delegations, revocations: setup.revocations)
        let now = setup.at ?? Timestamp.now()
        let slots = ResultSlots(count: paths.count)
        let workers = max(1, min(jobs, paths.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < paths.count {
                let result: Result<VerificationResult, AttestError>
                do throws(AttestError) {
                    let input = try NamedInput.read(paths[i])
                    result = .success(Verifier.verify(input, trust: trust, device: setup.device, job: setup.job, at: now,
                                                      mustNotSkip: setup.mustNotSkip))
                } catch {
                    result = .failure(error)
                }
                slots.set(i, result)
                i += workers
            }
        }
        return try slots.collect()
    }

    /// Verifies already-read manifests; for benchmarks and callers that hold the bytes.
    public static func verify(inputs: [NamedInput], trust: TrustStore, at now: Timestamp, jobs: Int) -> [VerificationResult] {
        let slots = ResultSlots(count: inputs.count)
        let workers = max(1, min(jobs, inputs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < inputs.count {
                slots.set(i, .success(Verifier.verify(inputs[i], trust: trust, at: now)))
                i += workers
            }
        }
        return (try? slots.collect()) ?? []
    }
}

/// One slot per manifest; each index is written by exactly one worker, so no two threads touch one slot.
private final class ResultSlots: @unchecked Sendable {
    // A raw buffer, not an array property: workers write distinct elements at once, which Swift's
    // exclusivity checking would reject for a stored array.
    private let slots: UnsafeMutableBufferPointer<Result<VerificationResult, AttestError>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ i: Int, _ value: Result<VerificationResult, AttestError>) {
        slots[i] = value
    }

    func collect() throws(AttestError) -> [VerificationResult] {
        var out: [VerificationResult] = []
        out.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .success(let r)?: out.append(r)
            case .failure(let e)?: throw e
            case nil: throw AttestError(.environment, "a verification did not run")
            }
        }
        return out
    }
}
