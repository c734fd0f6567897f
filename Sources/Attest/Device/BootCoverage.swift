/// How boot decides, chip by chip: the newest valid manifest that names a chip covers it; an older valid one
/// is superseded (reported as such, not as a denial). Pure: the same results and counters give the same
/// decision, whatever order the manifests come in, so two identical boots decide the same.
public enum BootCoverage {
    public struct Candidate: Sendable {
        public let file: String
        public let result: VerificationResult
        public init(file: String, result: VerificationResult) {
            self.file = file
            self.result = result
        }
    }

    public struct Decision: Sendable, Equatable {
        public let serial: String
        /// The covering manifest: its id, file and sequence.
        public let manifestID: String?
        public let file: String?
        public let sequence: Int?
        /// Valid manifests for this chip that a newer one supersedes: file and sequence.
        public let superseded: [Superseded]
        /// Why each other manifest naming the chip does not cover it (empty when covered).
        public let denials: [String]

        public struct Superseded: Sendable, Equatable {
            public let file: String
            public let sequence: Int
        }

        public var covered: Bool { manifestID != nil }
    }

    /// - Parameters:
    ///   - counters: the rollback counters as they were before this boot.
    ///   - mayBeSkipped: checks boot lets skip (the job checks).
    public static func decide(serials: [String], candidates: [Candidate], counters: [String: Int],
                              mayBeSkipped: Set<CheckID>) -> [Decision] {
        serials.map { serial in
            let naming = candidates.filter { $0.result.document?.chips.contains { $0.serial == serial } == true }
            // Valid but for rollback; eligible when not behind this chip's counter.
            var valid: [(Candidate, Int)] = []
            var denials: [String] = []
            for candidate in naming {
                guard let manifest = candidate.result.document else { continue }
                if isValid(candidate.result, mayBeSkipped: mayBeSkipped) {
                    valid.append((candidate, manifest.sequence))
                } else {
                    let failing = candidate.result.checks.filter { $0.status == .fail || ($0.status == .skip && !mayBeSkipped.contains($0.id)) }
                    denials.append("\(candidate.file) (sequence \(manifest.sequence)): \(failing.map(\.id.rawValue).joined(separator: ","))")
                }
            }
            // Newest first; among equal sequences, the first file by name.
            let ordered = valid.enumerated().sorted { ($0.element.1, -$0.offset) > ($1.element.1, -$1.offset) }.map(\.element)
            guard let (winner, sequence) = ordered.first, sequence >= counters[serial] ?? 0 else {
                let behind = ordered.map { "\($0.0.file) (sequence \($0.1)): manifest.rollback (this chip is at \(counters[serial] ?? 0))" }
                return Decision(serial: serial, manifestID: nil, file: nil, sequence: nil, superseded: [],
                                denials: naming.isEmpty ? ["no manifest names this chip"] : denials + behind)
            }
            return Decision(serial: serial, manifestID: winner.result.document?.id, file: winner.file, sequence: sequence,
                            superseded: ordered.dropFirst().map { .init(file: $0.0.file, sequence: $0.1) }, denials: [])
        }
    }

    /// Every check passed (or skipped where boot allows it), but for `manifest.rollback`: whether a manifest
    /// is behind is decided per chip, from the counters.
    static func isValid(_ result: VerificationResult, mayBeSkipped: Set<CheckID>) -> Bool {
        result.checks.allSatisfy { check in
            check.id == .manifestRollback || check.status == .pass || (check.status == .skip && mayBeSkipped.contains(check.id))
        }
    }
}
