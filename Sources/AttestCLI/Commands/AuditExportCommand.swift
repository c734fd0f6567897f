import ArgumentParser
import Attest

struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a log's entries to standard output: envelopes as JSON lines, or a CSV of their columns.",
        discussion: "JSON lines are the entries' exact bytes, one per line: 'audit append' takes them back.")

    @Argument(help: "The log.")
    var log: String

    @Option(help: "jsonl or csv.")
    var format: String = "jsonl"

    @OptionGroup var filters: AuditFilterOptions

    func validate() throws {
        guard format == "jsonl" || format == "csv" else { throw ValidationError("--format must be jsonl or csv") }
    }

    func run() throws {
        let audit = try AuditLog.open(log)
        let filter = try filters.filter()
        let out = AuditOutput()
        if format == "csv" {
            var writer = AuditRecordFormat.Writer(.csv) { out.write($0) }
            try audit.forEachRecord(matching: filter) { record in writer.add(record) }
            writer.finish()
        } else {
            try audit.forEachEntry(matching: filter) { _, bytes in
                out.write(bytes: bytes)
                out.write("\n")
            }
        }
        out.flush()
    }
}
