import ArgumentParser
import Attest
import AttestCrypto

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify deployment manifests against the trust chain, and the device and job when given.",
        discussion: """
            Runs every check and reports all of them. Exit 0 when every manifest is allowed, 1 when one is \
            denied. With several manifests, one line (or one JSON object) is printed per manifest. A state \
            directory (--state-dir or $ATTEST_STATE_DIR) is read, never written, unless --record is given; \
            then each change is printed to standard error (and under "recorded" with --json).
            """)

    @OptionGroup var trust: TrustOptions

    @Option(help: "The workload class the job asks for.")
    var workload: String?

    @Option(help: "The model file the job will load (hashed, streaming).")
    var model: String?

    @Option(help: "Verify as of this time (RFC 3339 UTC), as an auditor; the state directory is not written.")
    var at: String?

    @Option(help: "Threads for verifying many manifests (no state directory).")
    var jobs: Int = 1

    @Flag(help: "Write what an allowed verification teaches the device to its state directory, and print each change.")
    var record = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "Signed manifests.")
    var manifests: [String]

    func validate() throws {
        if let problem = invocation.problem { throw ValidationError(problem) }
    }

    var invocation: VerifyInvocation {
        VerifyInvocation(roots: trust.roots, delegations: trust.delegations, revocations: trust.revocations,
                         deviceFacts: trust.deviceFacts, stateDirectory: trust.stateDirectory, workload: workload,
                         model: model, at: at, jobs: jobs, json: json, record: record, manifests: manifests)
    }

    func run() throws {
        try invocation.run()
    }
}

/// `attest verify` as plain values, so the command can run from ArgumentParser or from the fast path.
struct VerifyInvocation {
    var roots: [String] = []
    var delegations: [String] = []
    var revocations: [String] = []
    var deviceFacts: String?
    var stateDirectory: String?
    var workload: String?
    var model: String?
    var at: String?
    var jobs = 1
    var json = false
    var record = false
    var manifests: [String] = []

    /// Why these arguments make no sense together, if they don't.
    var problem: String? {
        if manifests.isEmpty { return "give at least one manifest" }
        if let at, Timestamp(at) == nil { return "--at must be an RFC 3339 UTC time like 2027-01-31T00:00:00Z" }
        if !(1...64).contains(jobs) { return "--jobs must be 1 to 64" }
        if model != nil && workload == nil { return "--model needs --workload" }
        if roots.isEmpty { return "give the trust root with --root" }
        if record && at != nil { return "--record cannot be used with --at: an auditor's time never changes the device state" }
        return nil
    }

    /// Reads the common, well-formed spellings only; anything else returns nil and goes through
    /// ArgumentParser, which also gives the usual error messages.
    static func fastParse(_ arguments: ArraySlice<String>) -> VerifyInvocation? {
        var v = VerifyInvocation()
        var i = arguments.startIndex
        // A flag or single-value option given twice goes to ArgumentParser's path, which refuses it.
        var given = Set<String>()
        while i < arguments.endIndex {
            let arg = arguments[i]
            if arg.hasPrefix("-"), arg != "-", !["--root", "--delegation", "--revocation"].contains(arg), !given.insert(arg).inserted { return nil }
            if arg == "--json" { v.json = true; i += 1; continue }
            if arg == "--record" { v.record = true; i += 1; continue }
            if !arg.hasPrefix("-") { v.manifests.append(arg); i += 1; continue }
            guard i + 1 < arguments.endIndex else { return nil }
            let value = arguments[i + 1]
            if value.hasPrefix("-") && value != "-" { return nil }
            if value == "-" { if given.contains("-") { return nil } else { given.insert("-") } }
            switch arg {
            case "--root": v.roots.append(value)
            case "--delegation": v.delegations.append(value)
            case "--revocation": v.revocations.append(value)
            case "--device": if v.deviceFacts != nil { return nil } else { v.deviceFacts = value }
            case "--state-dir": if v.stateDirectory != nil { return nil } else { v.stateDirectory = value }
            case "--workload": if v.workload != nil { return nil } else { v.workload = value }
            case "--model": if v.model != nil { return nil } else { v.model = value }
            case "--at": if v.at != nil { return nil } else { v.at = value }
            case "--jobs": guard let n = Int(value) else { return nil }; v.jobs = n
            default: return nil
            }
            i += 2
        }
        return v.problem == nil ? v : nil
    }

    func run() throws {
        var setup = try TrustOptions.setup(roots: roots, delegations: delegations, revocations: revocations,
                                           deviceFacts: deviceFacts, stateDirectory: stateDirectory)
        setup.at = at.flatMap(Timestamp.init)
        // verify is read-only by default: exporting ATTEST_STATE_DIR must not advance the device's counters.
        setup.record = record
        if record && setup.stateDirectory == nil {
            throw AttestError(.usage, "--record needs a state directory (--state-dir or $ATTEST_STATE_DIR)")
        }
        if let workload {
            var digest: String?
            if let model {
                do { digest = "sha256:" + Hex.encode(try SHA256.hash(fileAt: model)) } catch { throw AttestError(error).inFile(model) }
            }
            setup.job = JobRequest(workload: workload, modelDigest: digest)
        }
        if manifests.count == 1 {
            let result = try DeviceVerifier.verify(try NamedInput.read(manifests[0]), setup: setup)
            Terminal.writeRecorded(result.recorded)
            Terminal.write(json ? JSONPrettyPrinter.render(resultJSON(result, file: nil)) + "\n" : result.text)
            if !result.isAllowed { throw ExitCode(1) }
            return
        }
        let results = try BatchVerifier.verify(paths: manifests, setup: setup, jobs: setup.stateDirectory == nil ? jobs : 1)
        var denied = 0
        var out = ""
        for (path, result) in zip(manifests, results) {
            if !result.isAllowed { denied += 1 }
            Terminal.writeRecorded(result.recorded)
            if json {
                out += String(decoding: CanonicalJSON.encode(resultJSON(result, file: path)), as: UTF8.self) + "\n"
            } else {
                let failed = result.failed.map(\.rawValue).joined(separator: ",")
                out += "\(result.isAllowed ? "ALLOW" : "DENY ")  \(path)\(failed.isEmpty ? "" : "  failed: \(failed)")\n"
            }
        }
        if !json { out += "\(manifests.count - denied) allowed, \(denied) denied\n" }
        Terminal.write(out)
        if denied > 0 { throw ExitCode(1) }
    }

    /// The result's JSON, with the file name for batches and, with --record, what was recorded.
    func resultJSON(_ result: VerificationResult, file: String?) -> JSONValue {
        var object = result.json.objectValue ?? JSONObject()
        if let file { _ = object.updateValue(.string(file), forKey: "file") }
        if record { _ = object.updateValue(.array(result.recorded.map(\.json)), forKey: "recorded") }
        return .object(object)
    }
}
