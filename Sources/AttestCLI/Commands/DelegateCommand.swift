import ArgumentParser
import Attest
import AttestCrypto

struct DelegateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delegate",
        abstract: "Draft an integrator's delegation.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an unsigned delegation draft; sign it with 'attest sign --type delegation' and root keys.")

        @Option(help: "The integrator's name (a lowercase slug); manifests name it as their issuer.")
        var name: String

        @Option(name: .customLong("key"), help: "An integrator public key: PEM, key dict or key map. Repeatable.")
        var keys: [String] = []

        @Option(help: "How many distinct integrator keys must sign each manifest.")
        var threshold: Int

        @OptionGroup var lifetime: LifetimeOptions

        @Option(name: .customLong("region"), help: "An ISO 3166 code the integrator may deploy to, or '*' for all the root allows. Repeatable.")
        var regions: [String] = []

        @Option(name: .customLong("workload"), help: "A workload class the integrator may grant. Repeatable.")
        var workloads: [String] = []

        @Option(name: .customLong("chip-vendor"), help: "A chip vendor whose chips the integrator may deploy. Repeatable.")
        var chipVendors: [String] = []

        @Option(name: .customLong("max-manifest-days"), help: "The longest validity the integrator's manifests may have.")
        var maxManifestDays: Int = 90

        @Option(help: "The delegation's version.")
        var version: Int = 1

        @OptionGroup var output: DraftOutputOptions
        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            try DraftArguments.checkThreshold(threshold, keys: keys)
            guard !regions.isEmpty else { throw ValidationError("give at least one --region (or --region '*')") }
            guard !workloads.isEmpty else { throw ValidationError("give at least one --workload") }
            guard !chipVendors.isEmpty else { throw ValidationError("give at least one --chip-vendor") }
            try DraftArguments.checkDays(maxManifestDays, flag: "--max-manifest-days", max: 3650)
            try DraftArguments.checkVersion(version)
        }

        func run() throws {
            let draft = DelegationDraft(name: name, keys: try DraftArguments.keys(keys, passphrase: passphrase),
                                        threshold: threshold, lifetime: try lifetime.lifetime, regions: regions,
                                        workloads: workloads, chipVendors: chipVendors, maxManifestDays: maxManifestDays,
                                        version: version)
            let delegation = try draft.document(now: .now())
            try output.write(delegation.json, as: .delegation,
                             summary: "\(delegation.name) v\(delegation.version), expires \(delegation.expires)")
        }
    }
}
