import ArgumentParser
import Attest
import AttestCrypto

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Draft deployment manifests.",
        subcommands: [New.self])

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an unsigned manifest draft, or sign one manifest per row of a fleet CSV.",
            discussion: """
                One draft: --issuer, --chip, --region, --workload and --days; sign it with 'attest sign --type manifest'.
                A fleet: --from-csv FILE --key KEY --out-dir DIR with --issuer and --days. The CSV header names the \
                columns serial, region and workloads (';'-separated classes), and optionally vendor, model, \
                sequence and models (';'-separated CLASS=sha256:HEX[,sha256:HEX] pins). Every row is checked \
                before anything is written; each envelope goes to DIR/SERIAL.json.
                """)

        @Option(help: "The delegation that issues the manifest (its name).")
        var issuer: String

        @Option(name: .customLong("chip"), help: "A chip as vendor:model:serial, like nvidia:H200:1652922001234. Repeatable.")
        var chips: [String] = []

        @Option(help: "Where the chips may run: an ISO 3166 country (MX) or subdivision (MX-NLE).")
        var region: String?

        @Option(name: .customLong("workload"), help: "A permitted workload class, or CLASS=sha256:HEX[,sha256:HEX] to pin its models. Repeatable.")
        var workloads: [String] = []

        @Option(name: .customLong("model-file"), help: "CLASS=PATH: pin the model file's SHA-256 to a listed workload class. Repeatable.")
        var modelFiles: [String] = []

        @Option(help: "Days of validity from --not-before.")
        var days: Int

        @Option(name: .customLong("not-before"), help: "Start of validity (RFC 3339 UTC). Default: now.")
        var notBefore: String?

        @Option(name: .customLong("issued-at"), help: "Issue time (RFC 3339 UTC). Default: now.")
        var issuedAt: String?

        @Option(help: "Rollback counter: higher than any earlier manifest for these chips.")
        var sequence: Int = 1

        @Option(help: "The manifest id (a UUID). Default: a new random one.")
        var id: String?

        @Option(name: .customLong("from-csv"), help: "A fleet CSV: sign one manifest per row instead of writing a draft.")
        var fromCSV: String?

        @Option(help: "With --from-csv: the integrator's private key to sign with.")
        var key: String?

        @Option(name: .customLong("out-dir"), help: "With --from-csv: the directory for the envelopes (created if missing).")
        var outDir: String?

        @Option(help: "With --from-csv: threads to sign with. Default: one per core.")
        var jobs: Int?

        @Option(name: .customLong("chip-vendor"), help: "With --from-csv: the chip vendor for rows with none.")
        var chipVendor: String?

        @Option(name: .customLong("chip-model"), help: "With --from-csv: the chip model for rows with none.")
        var chipModel: String?

        @Flag(help: "With --from-csv: replace envelopes already in --out-dir.")
        var overwrite = false

        @OptionGroup var output: DraftOutputOptions
        @OptionGroup var passphrase: PassphraseOptions

        func validate() throws {
            try DraftArguments.checkDays(days, flag: "--days", max: ManifestDraft.maxDays)
            guard sequence >= 0, sequence <= Int(Int32.max) else { throw ValidationError("--sequence must be 0 to \(Int32.max), found \(sequence)") }
            _ = try DraftArguments.time(notBefore, flag: "--not-before")
            _ = try DraftArguments.time(issuedAt, flag: "--issued-at")
            if fromCSV != nil {
                guard key != nil else { throw ValidationError("--from-csv needs --key to sign with") }
                guard outDir != nil else { throw ValidationError("--from-csv needs --out-dir for the envelopes") }
                for (flag, given) in [("--chip", !chips.isEmpty), ("--region", region != nil), ("--workload", !workloads.isEmpty),
                                      ("--model-file", !modelFiles.isEmpty), ("--id", id != nil), ("--output", output.output != nil)] where given {
                    throw ValidationError("\(flag) is for a single draft; with --from-csv the CSV gives it per row")
                }
                if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be 1 to 64, found \(jobs)") }
            } else {
                guard !chips.isEmpty else { throw ValidationError("give at least one --chip vendor:model:serial (or --from-csv)") }
                guard region != nil else { throw ValidationError("give --region") }
                guard !workloads.isEmpty else { throw ValidationError("give at least one --workload") }
                for (flag, given) in [("--key", key != nil), ("--out-dir", outDir != nil), ("--jobs", jobs != nil),
                                      ("--chip-vendor", chipVendor != nil), ("--chip-model", chipModel != nil), ("--overwrite", overwrite)] where given {
                    throw ValidationError("\(flag) only applies with --from-csv")
                }
            }
        }

        func run() throws {
            let template = ManifestDraft(issuer: issuer, days: days,
                                         notBefore: try DraftArguments.time(notBefore, flag: "--not-before"),
                                         issuedAt: try DraftArguments.time(issuedAt, flag: "--issued-at"),
                                         sequence: sequence, id: id)
            if let fromCSV, let key, let outDir {
                try signFleet(csv: fromCSV, keyPath: key, outDir: outDir, template: template)
            } else {
                try writeDraft(template)
            }
        }

        private func writeDraft(_ template: ManifestDraft) throws {
            var draft = template
            draft.chips = try chips.map { try DraftInput.chip($0) }
            draft.region = region ?? ""
            draft.workloads = try workloads.map { try DraftInput.workload($0) }
            for spec in modelFiles {
                let pin = try DraftInput.modelFile(spec)
                try draft.pinModel(fileAt: pin.path, to: pin.workloadClass)
            }
            let manifest = try draft.document(now: .now())
            try output.write(manifest.json, as: .manifest,
                             summary: "\(manifest.id), \(manifest.chips.count) chip\(manifest.chips.count == 1 ? "" : "s") in \(manifest.region) until \(manifest.notAfter)")
        }

        private func signFleet(csv: String, keyPath: String, outDir: String, template: ManifestDraft) throws {
            let signer = try KeyFiles.loadPrivateKey(at: keyPath) { () throws(AttestError) in
                try passphrase.read(prompt: "Passphrase for \(keyPath): ")
            }
            let options = ManifestBatch.Options(template: template, chipVendor: chipVendor, chipModel: chipModel, overwrite: overwrite)
            let summary = try ManifestBatch.run(csvPath: csv, outDirectory: outDir, key: signer, options: options,
                                                jobs: jobs ?? ManifestBatch.defaultJobs, now: .now())
            let seconds = (summary.seconds * 10).rounded() / 10
            Terminal.write("signed \(summary.manifests) manifests in \(seconds) s (\(Int(summary.perSecond.rounded()))/s)\n")
        }
    }
}
