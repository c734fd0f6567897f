import ArgumentParser
import Attest

/// The filters `audit list` and `audit export` share; every one given must hold.
struct AuditFilterOptions: ParsableArguments {
    @Option(help: "Entries naming this chip serial.")
    var serial: String?

    @Option(help: "Entries in this region or a subdivision of it (MX matches MX-NLE).")
    var region: String?

    @Option(help: "Manifests issued by this delegation.")
    var issuer: String?

    @Option(help: "Entries for this workload class.")
    var workload: String?

    @Option(help: "Receipts with this decision: allow or deny.")
    var decision: String?

    @Option(name: .customLong("type"), help: "Only manifests or only receipts.")
    var kind: String?

    @Option(help: "A manifest id: the manifest and the receipts that name it.")
    var manifest: String?

    @Option(help: "Entries at or after this time (RFC 3339, or a date YYYY-MM-DD).")
    var since: String?

    @Option(help: "Entries at or before this time (RFC 3339, or a date: through the end of that day).")
    var until: String?

    func validate() throws {
        if let decision, decision != "allow", decision != "deny" {
            throw ValidationError("--decision must be allow or deny")
        }
        if let kind, AuditEntry.Kind(rawValue: kind) == nil {
            throw ValidationError("--type must be manifest or receipt")
        }
    }

    func filter() throws(AttestError) -> AuditFilter {
        AuditFilter(serial: serial, region: region, issuer: issuer, workload: workload, decision: decision,
                    kind: kind.flatMap(AuditEntry.Kind.init(rawValue:)), manifestID: manifest,
                    since: try since.map { s throws(AttestError) in try AuditFilter.parseTime(s, endOfDay: false) },
                    until: try until.map { s throws(AttestError) in try AuditFilter.parseTime(s, endOfDay: true) })
    }
}
