import ArgumentParser
import Attest
import AttestCrypto

/// Where a draft goes: `-o FILE`, standard output by default. Drafts are indented for people to read;
/// `attest sign` writes them in canonical form.
struct DraftOutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Where to write the draft ('-' for standard output, the default).")
    var output: String?

    func write(_ document: JSONValue, as type: PayloadType, summary: String) throws {
        let output = output ?? "-"
        try AtomicFile.write(Array((JSONPrettyPrinter.render(document) + "\n").utf8), to: output)
        if output != "-" {
            Terminal.write("\(type.kind) draft \(summary) -> \(output) (sign with: attest sign --type \(type.kind))\n")
        }
    }
}

/// A document's lifetime: `--expires-days D` or `--expires TIME`, exactly one.
struct LifetimeOptions: ParsableArguments {
    @Option(name: .customLong("expires-days"), help: "Days until the document expires.")
    var expiresDays: Int?

    @Option(name: .customLong("expires"), help: "When the document expires (RFC 3339 UTC, like 2027-11-29T00:00:00Z).")
    var expires: String?

    func validate() throws {
        switch (expiresDays, expires) {
        case (nil, nil):
            throw ValidationError("give --expires-days DAYS or --expires TIME")
        case (.some, .some):
            throw ValidationError("--expires-days and --expires exclude each other")
        case (let days?, nil):
            try DraftArguments.checkDays(days, flag: "--expires-days", max: Lifetime.maxDays)
        case (nil, let text?):
            _ = try DraftArguments.time(text, flag: "--expires")
        }
    }

    var lifetime: Lifetime {
        get throws {
            if let expires { return .until(try DraftArguments.time(expires, flag: "--expires")) }
            return .days(expiresDays ?? 0)
        }
    }
}

/// Flag values shared by the draft commands, checked with messages that name the flag.
enum DraftArguments {
    static func time(_ text: String, flag: String) throws -> Timestamp {
        guard let time = Timestamp(text) else {
            throw ValidationError("\(flag) must be an RFC 3339 UTC time like 2027-01-31T00:00:00Z, found '\(text)'")
        }
        return time
    }

    static func time(_ text: String?, flag: String) throws -> Timestamp? {
        try text.map { try time($0, flag: flag) }
    }

    static func checkDays(_ days: Int, flag: String, max: Int) throws {
        guard (1...max).contains(days) else { throw ValidationError("\(flag) must be 1 to \(max), found \(days)") }
    }

    static func checkThreshold(_ threshold: Int, keys: [String]) throws {
        guard threshold >= 1 else { throw ValidationError("--threshold must be at least 1, found \(threshold)") }
        guard !keys.isEmpty else { throw ValidationError("give at least one --key") }
    }

    static func checkVersion(_ version: Int) throws {
        guard version >= 1, version <= Int(Int32.max) else { throw ValidationError("--version must be 1 to \(Int32.max), found \(version)") }
    }

    /// Public keys from PEM files, key dicts, key maps, or signed roots and delegations.
    static func keys(_ paths: [String], passphrase: PassphraseOptions) throws -> [PublicKey] {
        var keys: [PublicKey] = []
        for path in paths {
            keys += try KeySources.load(path) { () throws(AttestError) in
                try passphrase.read(prompt: "Passphrase for \(path): ")
            }
        }
        return keys
    }
}
