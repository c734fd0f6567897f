/// RFC 4180 CSV as spreadsheets export it: a header row, then one record per row.
///
/// Guarantees of `parse`: fields may be quoted, and a quoted field may hold commas, line breaks and `""`
/// for a quote; lines end in CRLF or LF; a UTF-8 byte order mark at the start is dropped; blank lines are
/// skipped; every record has as many fields as the header; every field is valid UTF-8. Each record knows the
/// line it starts on (the header's first line is line 1), so errors can point at it.
struct CSVTable: Sendable {
    struct Record: Sendable {
        let line: Int
        let fields: [String]
    }

    let header: [String]
    let records: [Record]

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Throws `.usage` located at `line N`.
    static func parse(_ bytes: [UInt8]) throws(AttestError) -> CSVTable {
        let result = bytes.withUnsafeBufferPointer { buffer in Result { () throws(AttestError) in try parse(buffer) } }
        return try result.get()
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(AttestError) -> CSVTable {
        let n = b.count
        var i = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
        var line = 1
        var rows: [Record] = []
        var fields: [String] = []
        var recordLine = 1
        var onlyEmptyUnquoted = true

        func fail(_ reason: String, _ at: Int) -> AttestError { AttestError(.usage, reason, at: "line \(at)") }

        while i < n {
            // One field.
            if i < n, b[i] == quote {
                onlyEmptyUnquoted = false
                let openedOn = line
                i += 1
                var text: [UInt8] = []
                var segment = i
                while true {
                    guard i < n else { throw fail("a quoted field is never closed", openedOn) }
                    let c = b[i]
                    if c == quote {
                        text.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i]))
                        if i + 1 < n, b[i + 1] == quote {
                            text.append(quote)
                            i += 2
                            segment = i
                            continue
                        }
                        i += 1
                        break
                    }
                    if c == lineFeed || (c == carriageReturn && !(i + 1 < n && b[i + 1] == lineFeed)) { line += 1 }
                    i += 1
                }
                guard i == n || b[i] == comma || b[i] == lineFeed || b[i] == carriageReturn else {
                    throw fail("text after a closing quote (a quote inside a quoted field is written \"\")", line)
                }
                fields.append(try text.withUnsafeBufferPointer { buffer throws(AttestError) in try string(buffer, line: line) })
            } else {
                let start = i
                while i < n, b[i] != comma, b[i] != lineFeed, b[i] != carriageReturn {
                    guard b[i] != quote else { throw fail("a quote inside an unquoted field (quote the whole field)", line) }
                    i += 1
                }
                if i > start { onlyEmptyUnquoted = false }
                fields.append(try string(UnsafeBufferPointer(rebasing: b[start..<i]), line: line))
            }
            if i < n, b[i] == comma {
                i += 1
                // A trailing comma ends the line with one more, empty, field.
                if i == n { fields.append("") } else { continue }
            }
            // End of the record: a line break or the end of the input.
            let blank = fields.count == 1 && onlyEmptyUnquoted
            if !blank { rows.append(Record(line: recordLine, fields: fields)) }
            fields = []
            onlyEmptyUnquoted = true
            if i < n {
                i += b[i] == carriageReturn && i + 1 < n && b[i + 1] == lineFeed ? 2 : 1
                line += 1
            }
            recordLine = line
        }

        guard let first = rows.first else { throw fail("no header row (expected column names such as serial,region,workloads)", 1) }
        let header = first.fields
        for row in rows.dropFirst() where row.fields.count != header.count {
            throw fail("\(row.fields.count) field\(row.fields.count == 1 ? "" : "s"), but the header has \(header.count)", row.line)
        }
        return CSVTable(header: header, records: Array(rows.dropFirst()))
    }

    /// Field bytes as a String; invalid UTF-8 is an error, never replaced.
    private static func string(_ view: UnsafeBufferPointer<UInt8>, line: Int) throws(AttestError) -> String {
        if view.allSatisfy({ $0 < 0x80 }) { return String(decoding: view, as: UTF8.self) }
        var iterator = view.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: view, as: UTF8.self)
            case .error: throw AttestError(.usage, "a field is not valid UTF-8", at: "line \(line)")
            }
        }
    }
}
