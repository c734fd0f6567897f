import ArgumentParser
import Attest
#if canImport(Glibc)
import Glibc
#endif

/// The trust and device options `verify`, `boot`, `run` and `unseal` share.
struct TrustOptions: ParsableArguments {
    @Option(name: .customLong("root"), help: "A signed root; repeat for a rotation chain (any order).")
    var roots: [String] = []

    @Option(name: .customLong("delegation"), help: "A signed delegation. Repeatable.")
    var delegations: [String] = []

    @Option(name: .customLong("revocation"), help: "A signed revocation list. Repeatable.")
    var revocations: [String] = []

    @Option(name: .customLong("device"), help: "A device facts file: {\"region\": …, \"chips\": […]}.")
    var deviceFacts: String?

    @Option(name: .customLong("state-dir"), help: "The device state directory (rollback counters, trusted root). Also $ATTEST_STATE_DIR.")
    var stateDirectory: String?

    var resolvedStateDirectory: String? { stateDirectory ?? TrustOptions.environmentStateDirectory }

    func setup() throws(AttestError) -> VerificationSetup {
        try TrustOptions.setup(roots: roots, delegations: delegations, revocations: revocations,
                               deviceFacts: deviceFacts, stateDirectory: stateDirectory)
    }

    /// Reads the trust inputs and device facts; the state directory comes from the flag or $ATTEST_STATE_DIR.
    static func setup(roots: [String], delegations: [String], revocations: [String], deviceFacts: String?,
                      stateDirectory: String?) throws(AttestError) -> VerificationSetup {
        var setup = VerificationSetup()
        for path in roots { setup.roots.append(try NamedInput.read(path)) }
        for path in delegations { setup.delegations.append(try NamedInput.read(path)) }
        for path in revocations { setup.revocations.append(try NamedInput.read(path)) }
        if let deviceFacts { setup.device = try DeviceFacts.read(deviceFacts) }
        setup.stateDirectory = stateDirectory ?? environmentStateDirectory
        return setup
    }

    static var environmentStateDirectory: String? {
        guard let env = getenv("ATTEST_STATE_DIR") else { return nil }
        let value = String(cString: env)
        return value.isEmpty ? nil : value
    }
}
