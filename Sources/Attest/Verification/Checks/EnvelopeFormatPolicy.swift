/// `envelope.format`: every input is a DSSE envelope of its expected type with a strict, canonical payload.
public struct EnvelopeFormatPolicy: VerificationPolicy {
    public let id = CheckID.envelopeFormat
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome {
        var problems = c.trust.formatProblems
        if let problem = c.manifestProblem { problems.append(problem) }
        return problems.isEmpty ? .pass("every input is a well-formed envelope with a strict payload") : .fail(problems.joined(separator: "; "))
    }
}
