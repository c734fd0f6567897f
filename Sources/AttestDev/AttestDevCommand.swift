import ArgumentParser
import Attest
#if canImport(Glibc)
import Glibc
#endif

/// `attest-dev`: tools for benchmarks and tests that the shipped `attest` binary does not carry.
@main
struct AttestDevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest-dev",
        abstract: "Development tools for attest's benchmarks and tests (not shipped).",
        subcommands: [Audit.self])

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit log tools.",
                                                        subcommands: [AuditGenerateCommand.self])
    }
}

enum DevOutput {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue } else { return } }
            bytes = bytes.dropFirst(n)
        }
    }
}
