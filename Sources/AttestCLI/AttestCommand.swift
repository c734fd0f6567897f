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
            SignCommand.self,
            InspectCommand.self,
            VerifyCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ]
    )
}

@main
enum AttestMain {
    static func main() {
        do {
            var command = try AttestCommand.parseAsRoot()
            try command.run()
        } catch {
            Terminal.exit(with: error)
        }
    }
}
