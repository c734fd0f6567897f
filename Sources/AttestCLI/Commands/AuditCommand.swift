import ArgumentParser
import Attest
#if canImport(Glibc)
import Glibc
#endif

/// `attest audit …`: the append-only logs of issued manifests and device receipts, for integrators, devices
/// and auditors.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Append to, inspect, prove and verify audit logs (SQLite, RFC 9162 tree, signed checkpoints).",
        discussion: """
            A log is one SQLite file; its checkpoint key is LOG.key beside it (made on the first append). \
            A device's log is <state-dir>/receipts.sqlite. 'audit verify' exits 1 when the log does not verify.
            """,
        subcommands: [
            AuditAppendCommand.self,
            AuditListCommand.self,
            AuditShowCommand.self,
            AuditVerifyCommand.self,
            AuditCheckpointCommand.self,
            AuditProveCommand.self,
            AuditExportCommand.self,
            AuditCrossCheckCommand.self,
            AuditReportCommand.self,
            AuditKeyCommand.self,
        ])
}

/// Standard output in 64 KiB writes: listing or exporting a million entries must not cost a million syscalls.
final class AuditOutput {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        Terminal.writeAll(STDOUT_FILENO, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    deinit { flush() }
}
