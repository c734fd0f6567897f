import ArgumentParser
import Attest

struct AuditListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a log's entries, filtered, as a table, JSON or CSV.")

    @Argument(help: "The log.")
    var log: String

    @OptionGroup var filters: AuditFilterOptions

    @Option(help: "table, json or csv.")
    var format: String = "table"

    func validate() throws {
        guard AuditRecordFormat(rawValue: format) != nil else { throw ValidationError("--format must be table, json or csv") }
    }

    func run() throws {
        let audit = try AuditLog.open(log)
        let out = AuditOutput()
        var writer = AuditRecordFormat.Writer(AuditRecordFormat(rawValue: format) ?? .table) { out.write($0) }
        try audit.forEachRecord(matching: try filters.filter()) { record in writer.add(record) }
        writer.finish()
        out.flush()
    }
}
