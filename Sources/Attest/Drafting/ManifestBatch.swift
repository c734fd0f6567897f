import AttestCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `attest manifest new --from-csv`: one signed manifest per device, from a fleet CSV.
///
/// The CSV has a header row with `serial`, `region` and `workloads` columns, and optionally `vendor`,
/// `model`, `sequence` and `models`. `workloads` is a `;`-separated list of classes, each written as on the
/// command line (`class` or `class=sha256:…[,sha256:…]`); `models` is a `;`-separated list of
/// `class=sha256:…[,…]` pins for classes in `workloads`.
///
/// Guarantees: every row is checked (and its manifest read back strictly) before anything is signed or
/// written, and the first bad row is reported by line. Envelopes go to `<out>/<serial>.json`; no file gets
/// its name until every envelope is signed and written, and a file never appears partly written.
public struct ManifestBatch: Sendable {
    public struct Options: Sendable {
        /// Issuer, validity and default sequence for every row; its chips, region, workloads and id are ignored.
        public var template: ManifestDraft
        /// Chip vendor and model for rows whose CSV has no such column or leaves the cell empty.
        public var chipVendor: String?
        public var chipModel: String?
        /// Replace envelopes already in the output directory instead of refusing to start.
        public var overwrite: Bool

        public init(template: ManifestDraft, chipVendor: String? = nil, chipModel: String? = nil, overwrite: Bool = false) {
            self.template = template
            self.chipVendor = chipVendor
            self.chipModel = chipModel
            self.overwrite = overwrite
        }
    }

    public struct Summary: Sendable {
        public let manifests: Int
        public let seconds: Double
        public var perSecond: Double { seconds > 0 ? Double(manifests) / seconds : 0 }
    }

    /// A checked row: its line, where its envelope goes, and the canonical payload to sign.
    struct Row: Sendable {
        let line: Int
        let path: String
        let payload: [UInt8]
    }

    public static let requiredColumns = ["serial", "region", "workloads"]
    public static let optionalColumns = ["vendor", "model", "sequence", "models"]

    /// The CSV's name in messages (`devices.csv: line 17: …`).
    public let source: String
    public let outDirectory: String
    public let overwrite: Bool
    let rows: [Row]

    public var count: Int { rows.count }

    /// The threads a batch uses unless told otherwise: one per online core.
    public static var defaultJobs: Int { max(1, min(64, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// Reads and checks every row of `csv`, on `jobs` threads. Writes nothing.
    public init(csv: [UInt8], source: String, outDirectory: String, options: Options, jobs: Int = ManifestBatch.defaultJobs,
                now: Timestamp = .now()) throws(AttestError) {
        guard !outDirectory.isEmpty else { throw AttestError(.usage, "the output directory name is empty") }
        self.source = source
        self.outDirectory = outDirectory
        self.overwrite = options.overwrite
        let table: CSVTable
        do { table = try CSVTable.parse(csv) } catch { throw error.inFile(source) }
        let columns: Columns
        do { columns = try Columns(header: table.header, options: options) } catch { throw error.inFile("line 1").inFile(source) }

        // Repeated serials would overwrite each other's file; found in one cheap pass before the real checks.
        var firstLine: [String: Int] = [:]
        firstLine.reserveCapacity(table.records.count)
        var firstBad: (line: Int, error: AttestError)?
        for record in table.records {
            let serial = Self.trimmed(record.fields[columns.serial])
            if let earlier = firstLine[serial] {
                firstBad = (record.line, AttestError(.usage, "serial \(DraftInput.quoted(serial)) is also on line \(earlier)"))
                break
            }
            firstLine[serial] = record.line
        }

        let records = table.records
        let outDirectory = outDirectory
        // Only an existing directory can hold files a row would replace.
        let refuseExisting = !options.overwrite && AtomicFile.exists(outDirectory)
        let chunks = ParallelChunks.map(count: records.count, jobs: jobs) { range -> (rows: [Row], bad: (line: Int, error: AttestError)?) in
            var rows: [Row] = []
            rows.reserveCapacity(range.count)
            for record in records[range] {
                do throws(AttestError) {
                    rows.append(try Self.row(record, columns: columns, options: options, outDirectory: outDirectory,
                                             refuseExisting: refuseExisting, now: now))
                } catch {
                    return (rows, (record.line, error))
                }
            }
            return (rows, nil)
        }
        // Chunks are in row order, so the first chunk's failure is the first bad row, unless a repeat came earlier.
        if let bad = chunks.lazy.compactMap(\.bad).first, bad.line < firstBad?.line ?? Int.max { firstBad = bad }
        if let firstBad { throw firstBad.error.inFile("line \(firstBad.line)").inFile(source) }
        let rows = chunks.flatMap(\.rows)
        self.rows = rows
    }

    /// Signs every row's manifest with `key` on `jobs` threads and writes the envelopes. Returns the count.
    ///
    /// Files are staged under temporary names as their block is signed, made durable together, then named:
    /// a failure while signing or staging leaves no envelope behind; a failure while naming leaves those
    /// already named, each whole. Only the calling thread touches the file system.
    @discardableResult
    public func write(signingWith key: PrivateKey, jobs: Int = ManifestBatch.defaultJobs) throws(AttestError) -> Int {
        try AtomicFile.makeDirectory(outDirectory)
        let rows = rows
        var staged: [AtomicFile.Staged] = []
        staged.reserveCapacity(rows.count)
        do throws(AttestError) {
            try ParallelChunks.pipeline(count: rows.count, jobs: jobs) { index throws(AttestError) in
                var envelope = Envelope(payloadType: PayloadType.manifest.rawValue, payload: rows[index].payload)
                try envelope.sign(with: key)
                var bytes = envelope.encoded()
                bytes.append(0x0a)
                return bytes
            } consume: { block, envelopes throws(AttestError) in
                for (index, bytes) in zip(block, envelopes) {
                    staged.append(try AtomicFile.stage(bytes, for: rows[index].path))
                }
            }
            AtomicFile.flushStaged()
            try AtomicFile.syncStaged(staged)
        } catch {
            AtomicFile.discard(staged)
            throw error
        }
        for (index, file) in staged.enumerated() {
            do throws(AttestError) {
                try AtomicFile.publish(file, overwrite: overwrite)
            } catch {
                AtomicFile.discard(staged[(index + 1)...])
                AtomicFile.syncDirectory(at: outDirectory)
                throw error
            }
        }
        AtomicFile.syncDirectory(at: outDirectory)
        return staged.count
    }

    /// Reads `csvPath`, checks every row, then signs and writes them all; timed from reading to the last sync.
    public static func run(csvPath: String, outDirectory: String, key: PrivateKey, options: Options,
                           jobs: Int = ManifestBatch.defaultJobs, now: Timestamp = .now()) throws(AttestError) -> Summary {
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = try AtomicFile.read(csvPath)
        let batch = try ManifestBatch(csv: bytes, source: csvPath == "-" ? "standard input" : csvPath,
                                      outDirectory: outDirectory, options: options, jobs: jobs, now: now)
        let written = try batch.write(signingWith: key, jobs: jobs)
        let elapsed = start.duration(to: clock.now).components
        return Summary(manifests: written, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
    }

    // MARK: Rows

    /// Where each column is.
    struct Columns: Sendable {
        let serial: Int
        let region: Int
        let workloads: Int
        let vendor: Int?
        let model: Int?
        let sequence: Int?
        let models: Int?

        init(header: [String], options: Options) throws(AttestError) {
            var index: [String: Int] = [:]
            let known = ManifestBatch.requiredColumns + ManifestBatch.optionalColumns
            for (position, raw) in header.enumerated() {
                let name = ManifestBatch.trimmed(raw).lowercased()
                guard known.contains(name) else {
                    throw AttestError(.usage, "unknown column \(DraftInput.quoted(raw)) (columns: \(known.joined(separator: ", ")))")
                }
                guard index.updateValue(position, forKey: name) == nil else {
                    throw AttestError(.usage, "column \(name) appears twice")
                }
            }
            func required(_ name: String) throws(AttestError) -> Int {
                guard let position = index[name] else {
                    throw AttestError(.usage, "no \(name) column (the header needs \(ManifestBatch.requiredColumns.joined(separator: ",")))")
                }
                return position
            }
            serial = try required("serial")
            region = try required("region")
            workloads = try required("workloads")
            vendor = index["vendor"]
            model = index["model"]
            sequence = index["sequence"]
            models = index["models"]
            if vendor == nil, options.chipVendor == nil { throw AttestError(.usage, "no vendor column and no default chip vendor given") }
            if model == nil, options.chipModel == nil { throw AttestError(.usage, "no model column and no default chip model given") }
        }
    }

    static func row(_ record: CSVTable.Record, columns: Columns, options: Options, outDirectory: String,
                    refuseExisting: Bool, now: Timestamp) throws(AttestError) -> Row {
        func cell(_ column: Int?) -> String? {
            guard let column else { return nil }
            let value = trimmed(record.fields[column])
            return value.isEmpty ? nil : value
        }
        guard let vendor = cell(columns.vendor) ?? options.chipVendor else {
            throw AttestError(.usage, "vendor is empty and no default chip vendor was given")
        }
        guard let model = cell(columns.model) ?? options.chipModel else {
            throw AttestError(.usage, "model is empty and no default chip model was given")
        }
        var draft = options.template
        draft.id = nil
        draft.chips = [try DraftInput.chip(vendor: vendor, model: model, serial: cell(columns.serial) ?? "")]
        draft.region = cell(columns.region) ?? ""
        draft.workloads = try items(cell(columns.workloads)).map { t throws(AttestError) in try DraftInput.workload(t) }
        for pin in try items(cell(columns.models)).map({ t throws(AttestError) in try DraftInput.workload(t) }) {
            guard !pin.models.isEmpty else {
                throw AttestError(.usage, "models entry \(DraftInput.quoted(pin.workloadClass)) is not class=sha256:<hex>[,sha256:<hex>]")
            }
            guard let target = draft.workloads.firstIndex(where: { $0.workloadClass == pin.workloadClass }) else {
                throw AttestError(.usage, "models names workload class \(pin.workloadClass), which is not among the workloads")
            }
            for digest in pin.models where !draft.workloads[target].models.contains(digest) {
                draft.workloads[target].models.append(digest)
            }
        }
        if let text = cell(columns.sequence) {
            guard text.utf8.count <= 10, let value = Int(text) else {
                throw AttestError(.usage, "sequence \(DraftInput.quoted(text)) is not a whole number")
            }
            draft.sequence = value
        }
        let checked = try draft.checkedDocument(now: now)
        let path = outDirectory + "/" + draft.chips[0].serial + ".json"
        if refuseExisting, AtomicFile.exists(path) {
            throw AttestError(.usage, "\(path) already exists; refusing to overwrite it")
        }
        return Row(line: record.line, path: path, payload: checked.payload)
    }

    /// The `;`-separated items of a cell, trimmed, empty ones dropped.
    static func items(_ cell: String?) -> [String] {
        guard let cell else { return [] }
        return cell.split(separator: ";").map { trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    /// Spreadsheets pad cells; no valid value starts or ends with a space or tab.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
