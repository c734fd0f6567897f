import ArgumentParser
import Attest
import AttestCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The `attest` command: signed deployment attestation for AI accelerators.
struct AttestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Signed deployment attestation for AI accelerators.",
        discussion: """
            Exit codes: 0 success or allow, 1 verified and denied, 2 bad usage or unreadable input, \
            3 environment failure (state directory, device probe, OpenSSL).
            """,
        version: "0.1.0",
        subcommands: [
            KeygenCommand.self,
            KeyCommand.self,
            RootCommand.self,
            DelegateCommand.self,
            ManifestCommand.self,
            RevokeCommand.self,
            SignCommand.self,
            InspectCommand.self,
            VerifyCommand.self,
            DeviceCommand.self,
            BootCommand.self,
            RunCommand.self,
            SealCommand.self,
            UnsealCommand.self,
            AuditCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ]
    )
}

@main
enum AttestMain {
    static func main() {
        do {
            // A device verifies on every boot and job: well-formed `verify` invocations skip
            // ArgumentParser's reflection over the command tree, which costs more than the verification.
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "verify", let fast = VerifyInvocation.fastParse(arguments.dropFirst()) {
                try fast.run()
                return
            }
            if arguments.first == "run", let fast = RunInvocation.fastParse(arguments.dropFirst()) {
                try fast.run()
                return
            }
            var command = try AttestCommand.parseAsRoot()
            try ArgumentRules.check(Array(arguments), parsed: command)
            try command.run()
        } catch {
            Terminal.exit(with: error)
        }
    }
}
