import ArgumentParser
import Attest

struct AuditCrossCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cross-check",
        abstract: "List manifests devices ran under that are missing from the issuance log (exit 1 when any).",
        discussion: "A manifest is issued when the issuance log holds its id with the same digest. Verify each log first.")

    @Option(help: "The integrator's issuance log.")
    var issuance: String

    @Option(parsing: .upToNextOption, help: "Device receipt logs. Repeatable, or several after one --receipts.")
    var receipts: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard !receipts.isEmpty else { throw ValidationError("give at least one receipt log (--receipts)") }
    }

    func run() throws {
        var logs: [AuditLog] = []
        for path in receipts { logs.append(try AuditLog.open(path)) }
        let report = try AuditCrossCheck.run(issuance: try AuditLog.open(issuance), receipts: logs)
        Terminal.write(json ? JSONPrettyPrinter.render(report.json) + "\n" : report.text)
        if !report.missing.isEmpty { throw ExitCode(1) }
    }
}
