import ArgumentParser
import Attest
import AttestCrypto

struct RevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Draft a revocation list.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an unsigned revocation draft; sign it with 'attest sign --type revocation'.")

        @Option(help: "'root', or the delegation that revokes its own manifests and keys.")
        var issuer: String

        @Option(help: "The list's version: one more than the list it replaces.")
        var version: Int

        @OptionGroup var lifetime: LifetimeOptions

        @Option(name: .customLong("issued-at"), help: "When the list is issued (RFC 3339 UTC). Default: now.")
        var issuedAt: String?

        @Option(name: .customLong("manifest"), help: "A manifest id to revoke. Repeatable.")
        var manifests: [String] = []

        @Option(name: .customLong("key-id"), help: "A keyid to revoke. Repeatable.")
        var keyIDs: [String] = []

        @Option(name: .customLong("delegation"), help: "A delegation name to revoke (root only). Repeatable.")
        var delegations: [String] = []

        @OptionGroup var output: DraftOutputOptions

        func validate() throws {
            try DraftArguments.checkVersion(version)
            _ = try DraftArguments.time(issuedAt, flag: "--issued-at")
        }

        func run() throws {
            let draft = RevocationDraft(issuer: issuer, version: version, lifetime: try lifetime.lifetime,
                                        issuedAt: try DraftArguments.time(issuedAt, flag: "--issued-at"),
                                        manifests: manifests, keyIDs: keyIDs, delegations: delegations)
            let revocation = try draft.document(now: .now())
            let count = revocation.manifests.count + revocation.keys.count + revocation.delegations.count
            try output.write(revocation.json, as: .revocation,
                             summary: "\(revocation.issuer) v\(revocation.version), \(count) entr\(count == 1 ? "y" : "ies"), expires \(revocation.expires)")
        }
    }
}
