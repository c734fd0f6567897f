/// How `audit list` and `audit export` print records, one at a time so a log of any size streams.
///
/// Guarantees: `json` is one JSON array (a record object per line); `csv` is RFC 4180 with a header row, fields
/// quoted when they hold a comma, quote or line break, lists joined by `;`; `table` is aligned text for people.
public enum AuditRecordFormat: String, Sendable, CaseIterable {
    case table, json, csv

    /// Writes records to `write` as they come; call `finish` after the last.
    public struct Writer {
        public let format: AuditRecordFormat
        private let write: (String) -> Void
        private var count = 0

        public init(_ format: AuditRecordFormat, write: @escaping (String) -> Void) {
            self.format = format
            self.write = write
            switch format {
            case .table: write(Self.tableLine(Self.tableHeader))
            case .csv: write(Self.csvLine(Self.csvHeader))
            case .json: write("[")
            }
        }

        public mutating func add(_ record: AuditRecord) {
            switch format {
            case .table: write(Self.tableLine(Self.tableFields(record)))
            case .csv: write(Self.csvLine(Self.csvFields(record)))
            case .json:
                write((count == 0 ? "\n  " : ",\n  ") + String(decoding: CanonicalJSON.encode(record.json), as: UTF8.self))
            }
            count += 1
        }

        public func finish() {
            if format == .json { write(count == 0 ? "]\n" : "\n]\n") }
        }

        static let csvHeader = ["index", "type", "time", "event", "decision", "manifest_id", "manifest_digest", "issuer", "device",
                                "region", "workloads", "chips", "failed"]

        static func csvFields(_ r: AuditRecord) -> [String] {
            [String(r.index), r.kind.rawValue, r.time, r.event ?? "", r.decision ?? "", r.manifestID ?? "", r.manifestDigest ?? "",
             r.issuer ?? "", r.device ?? "", r.region, r.workloads.joined(separator: ";"), r.chips.joined(separator: ";"),
             r.failed.joined(separator: ";")]
        }

        static func csvLine(_ fields: [String]) -> String {
            fields.map(csvField).joined(separator: ",") + "\r\n"
        }

        static func csvField(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }

        // Fixed widths so rows print as they stream; the variable-length lists come last.
        static let tableWidths = [7, 20, 8, 6, 8, 7, 18, 36, 22, 0, 0]
        static let tableHeader = ["INDEX", "TIME", "TYPE", "EVENT", "DECISION", "REGION", "ISSUER/DEVICE", "MANIFEST", "WORKLOADS", "CHIPS", "FAILED"]

        static func tableFields(_ r: AuditRecord) -> [String] {
            let who = r.issuer ?? r.device.map { String($0.prefix(16)) + "…" } ?? "-"
            return [String(r.index), r.time, r.kind.rawValue, r.event ?? "-", r.decision ?? "-", r.region, who, r.manifestID ?? "-",
                    r.workloads.isEmpty ? "-" : r.workloads.joined(separator: ","), r.chips.isEmpty ? "-" : r.chips.joined(separator: ","),
                    r.failed.isEmpty ? "-" : r.failed.joined(separator: ",")]
        }

        static func tableLine(_ fields: [String]) -> String {
            var parts: [String] = []
            for (i, field) in fields.enumerated() {
                let width = tableWidths[i]
                if width == 0 || i == fields.count - 1 {
                    parts.append(field)
                } else if i == 0 {
                    parts.append(String(repeating: " ", count: max(0, width - field.count)) + field)
                } else {
                    parts.append(field.padded(to: width))
                }
            }
            return parts.joined(separator: "  ") + "\n"
        }
    }
}
