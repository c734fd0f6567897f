import ArgumentParser
import Attest
import AttestCrypto

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify deployment manifests against the trust chain, and the device and job when given.",
        discussion: """
            Runs every check and reports all of them. Exit 0 when every manifest is allowed, 1 when one is \
            denied. With several manifests, one line (or one JSON object) is printed per manifest.
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

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "Signed manifests.")
    var manifests: [String]

    func validate() throws {
        guard !manifests.isEmpty else { throw ValidationError("give at least one manifest") }
        if let at, Timestamp(at) == nil { throw ValidationError("--at must be an RFC 3339 UTC time like 2027-01-31T00:00:00Z") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64") }
        if model != nil && workload == nil { throw ValidationError("--model needs --workload") }
        if trust.roots.isEmpty { throw ValidationError("give the trust root with --root") }
    }

    func run() throws {
        var setup = try trust.setup()
        setup.at = at.flatMap(Timestamp.init)
        if let workload {
            var digest: String?
            if let model {
                do { digest = "sha256:" + Hex.encode(try SHA256.hash(fileAt: model)) } catch { throw AttestError(error).inFile(model) }
            }
            setup.job = JobRequest(workload: workload, modelDigest: digest)
        }
        if manifests.count == 1 {
            let result = try DeviceVerifier.verify(try NamedInput.read(manifests[0]), setup: setup)
            Terminal.write(json ? JSONPrettyPrinter.render(result.json) + "\n" : result.text)
            if !result.isAllowed { throw ExitCode(1) }
            return
        }
        let results = try BatchVerifier.verify(paths: manifests, setup: setup, jobs: setup.stateDirectory == nil ? jobs : 1)
        var denied = 0
        var out = ""
        for (path, result) in zip(manifests, results) {
            if !result.isAllowed { denied += 1 }
            if json {
                var object = result.json.objectValue ?? JSONObject()
                _ = object.updateValue(.string(path), forKey: "file")
                out += String(decoding: CanonicalJSON.encode(.object(object)), as: UTF8.self) + "\n"
            } else {
                let failed = result.failed.map(\.rawValue).joined(separator: ",")
                out += "\(result.isAllowed ? "ALLOW" : "DENY ")  \(path)\(failed.isEmpty ? "" : "  failed: \(failed)")\n"
            }
        }
        if !json { out += "\(manifests.count - denied) allowed, \(denied) denied\n" }
        Terminal.write(out)
        if denied > 0 { throw ExitCode(1) }
    }
}
