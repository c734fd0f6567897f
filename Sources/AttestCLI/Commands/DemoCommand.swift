import ArgumentParser
import Attest
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the trust chain end to end on the demo keys, then watch attacks being denied.",
        discussion: "Writes a root, a delegation and manifests into a scratch directory and verifies each one with the same code as 'attest verify'.")

    @Option(help: "The folder of demo keys.")
    var keys: String = "keys"

    @Option(help: "Keep the files in this directory instead of a temporary one.")
    var workDir: String?

    func run() throws {
        let directory: String
        if let workDir {
            directory = workDir
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw AttestError(.io, "cannot create the directory", at: directory)
            }
        } else {
            var template = Array("/tmp/attest-demo-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw AttestError(.environment, "cannot create a temporary directory")
            }
            directory = String(cString: made)
        }
        defer { if workDir == nil { removeTree(directory) } }
        Terminal.write("attest demo: vendor root (2 demo keys, threshold 2) -> acme-integration delegation (MX, BR) -> manifests for a device in MX-NLE with 2 H200s\n")
        Terminal.write("files in \(directory)\(workDir == nil ? " (removed afterwards; keep them with --work-dir)" : "")\n\n")
        var n = 0
        let steps = try DemoScenario(keysDirectory: keys, workDirectory: directory).run { step in
            n += 1
            let failed = step.result.failed
            var line = "\(n). \(step.title)\n   \(step.result.decision == .allow ? "ALLOW" : "DENY")"
            if failed.isEmpty {
                line += "  all \(step.result.checks.filter { $0.status == .pass }.count) applicable checks passed\n"
            } else {
                line += "  caught by \(failed.map(\.rawValue).joined(separator: ", "))\n"
                for check in step.result.checks where check.status == .fail {
                    line += "         \(check.id.rawValue): \(check.detail)\n"
                }
            }
            if !step.asExpected { line += "   UNEXPECTED: this step should have been \(step.expected.rawValue)\n" }
            Terminal.write(line + "\n")
        }
        let good = steps.filter(\.asExpected).count
        Terminal.write("\(good) of \(steps.count) steps decided as expected\n")
        if good != steps.count { throw ExitCode(1) }
    }

    private func removeTree(_ path: String) {
        // The scratch tree holds only files and the state directory written above.
        for sub in ["device-state/revocations", "device-state"] {
            if let dir = opendir("\(path)/\(sub)") {
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != "." && name != ".." { unlink("\(path)/\(sub)/\(name)") }
                }
                closedir(dir)
            }
            rmdir("\(path)/\(sub)")
        }
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}
