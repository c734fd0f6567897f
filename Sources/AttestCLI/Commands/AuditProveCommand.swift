import ArgumentParser
import Attest

struct AuditProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Print an inclusion proof of entry N (or a consistency proof with --from) as JSON, with the checkpoint.",
        discussion: "Hashes are standard base64, as in checkpoints. The size defaults to the newest checkpoint's.")

    @Argument(help: "The log.")
    var log: String

    @Argument(help: "The entry to prove (from 0).")
    var index: UInt64?

    @Option(help: "The tree size to prove against (default: the newest checkpoint's).")
    var size: UInt64?

    @Option(help: "Instead: a consistency proof from this older size to --to (default: the newest checkpoint's).")
    var from: UInt64?

    @Option(help: "The newer size of a consistency proof.")
    var to: UInt64?

    func validate() throws {
        if (index == nil) == (from == nil) { throw ValidationError("give an entry index, or --from for a consistency proof") }
        if to != nil, from == nil { throw ValidationError("--to goes with --from") }
        if size != nil, from != nil { throw ValidationError("--size goes with an entry index; use --to with --from") }
    }

    func run() throws {
        let audit = try AuditLog.open(log)
        let json: JSONValue
        if let from {
            json = try audit.consistencyProof(from: from, to: to).json
        } else if let index {
            json = try audit.inclusionProof(index: index, size: size).json
        } else {
            return
        }
        Terminal.write(JSONPrettyPrinter.render(json) + "\n")
    }
}
