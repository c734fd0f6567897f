import ArgumentParser
import Attest
import AttestCrypto

struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "root",
        abstract: "Draft a root of trust.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an unsigned root draft; sign it with 'attest sign --type root'.")

        @Option(name: .customLong("key"), help: "A root public key: PEM, key dict or key map. Repeatable.")
        var keys: [String] = []

        @Option(help: "How many distinct root keys must sign.")
        var threshold: Int

        @OptionGroup var lifetime: LifetimeOptions

        @Option(name: .customLong("deny-region"), help: "An ISO 3166 country or subdivision no manifest or device may be in. Repeatable.")
        var deniedRegions: [String] = []

        @Option(name: .customLong("clock-skew"), help: "Seconds of clock difference verifiers tolerate.")
        var clockSkew: Int = 300

        @Option(name: .customLong("max-manifest-days"), help: "The longest validity any manifest may have.")
        var maxManifestDays: Int = 400

        @Option(help: "The root's version: 1, or one more than the root it replaces.")
        var version: Int = 1

        @OptionGroup var output: DraftOutputOptions
        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            try DraftArguments.checkThreshold(threshold, keys: keys)
            guard (0...86_400).contains(clockSkew) else { throw ValidationError("--clock-skew must be 0 to 86400 seconds, found \(clockSkew)") }
            try DraftArguments.checkDays(maxManifestDays, flag: "--max-manifest-days", max: 3650)
            try DraftArguments.checkVersion(version)
        }

        func run() throws {
            let draft = RootDraft(keys: try DraftArguments.keys(keys, passphrase: passphrase), threshold: threshold,
                                  lifetime: try lifetime.lifetime, deniedRegions: deniedRegions, clockSkewSeconds: clockSkew,
                                  maxManifestDays: maxManifestDays, version: version)
            let root = try draft.document(now: .now())
            try output.write(root.json, as: .root,
                             summary: "v\(root.version), \(root.threshold) of \(root.keys.count) keys, expires \(root.expires)")
        }
    }
}
