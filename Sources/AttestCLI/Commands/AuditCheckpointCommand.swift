import ArgumentParser
import Attest

struct AuditCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print a log's newest signed checkpoint (a C2SP signed note); save it to check consistency later.",
        discussion: "When entries were added without one and the log key LOG.key is here, a checkpoint of the current size is signed first.")

    @Argument(help: "The log.")
    var log: String

    func run() throws {
        let audit = try AuditLog.open(log)
        let size = try audit.size()
        let latest = try audit.latestCheckpoint()
        if latest?.size == size, let latest {
            Terminal.write(latest.note)
            return
        }
        guard AtomicFile.exists(AuditLogKey.path(forLog: log)) else {
            guard let latest else {
                throw AttestError(.usage, "the log has no checkpoint and its key \(AuditLogKey.path(forLog: log)) is not here to sign one", at: log)
            }
            Terminal.writeError("attest: warning: the newest checkpoint covers \(latest.size) of \(size) entries; the log key is not here to sign a newer one\n")
            Terminal.write(latest.note)
            return
        }
        let signer = try NoteSigner(name: audit.origin, privateKey: try AuditLogKey.load(forLog: log))
        Terminal.write(try audit.checkpoint(signer: signer).note)
    }
}
