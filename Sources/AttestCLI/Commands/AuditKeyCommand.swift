import ArgumentParser
import Attest

struct AuditKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Print a log's note verifier key, for auditors to pin ('audit verify --key').")

    @Argument(help: "The log.")
    var log: String

    func run() throws {
        let audit = try AuditLog.open(log)
        let keyPath = AuditLogKey.path(forLog: log)
        guard AtomicFile.exists(keyPath) else {
            // Only the log's word for it: say so, the key file would be the source.
            Terminal.writeError("attest: warning: \(keyPath) is not here; printing the key the log records\n")
            Terminal.write(audit.verifierKeyText + "\n")
            return
        }
        let signer = try NoteSigner(name: audit.origin, privateKey: try AuditLogKey.load(forLog: log))
        Terminal.write(signer.verifierKey.text + "\n")
    }
}
