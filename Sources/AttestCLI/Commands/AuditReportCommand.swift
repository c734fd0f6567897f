import ArgumentParser
import Attest

struct AuditReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a log: counts, a timeline of allow and deny, the denials, the checkpoint.")

    @Argument(help: "The log.")
    var log: String

    @Option(help: "Where to write the page ('-' for standard output).")
    var html: String

    func run() throws {
        let report = try AuditReport.make(try AuditLog.open(log))
        try AtomicFile.write(Array(report.html.utf8), to: html)
        if html != "-" {
            Terminal.write("report of \(report.total) entries (\(report.denialCount) denials) -> \(html)\n")
        }
    }
}
