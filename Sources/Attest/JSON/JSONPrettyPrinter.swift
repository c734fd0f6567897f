/// Indented JSON for people to read.
///
/// Guarantees: the output is valid JSON that parses back to an equal value; members keep their parse (or
/// insertion) order; numbers are shown as written (`literal`); strings are escaped as in `CanonicalJSON`, and
/// also DEL, C1 and bidi controls (`TerminalText`), so JSON on a terminal cannot act on it. Not canonical:
/// never sign or hash this text.
public enum JSONPrettyPrinter {
    /// `value` with one member or element per line, indented by `indent` spaces per level (negative counts as 0).
    /// Empty arrays and objects are written as `[]` and `{}`; there is no trailing newline.
    public static func render(_ value: JSONValue, indent: Int = 2) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, level: 0, indent: max(0, indent), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ value: JSONValue, level: Int, indent: Int, to out: inout [UInt8]) {
        switch value {
        case .string(let string):
            JSONText.appendQuotedForDisplay(string, to: &out)
        case .null, .bool:
            CanonicalJSON.append(value, to: &out)
        case .number(let number):
            out.append(contentsOf: number.literal.utf8)
        case .array(let elements):
            guard !elements.isEmpty else {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                newline(level: level + 1, indent: indent, to: &out)
                append(element, level: level + 1, indent: indent, to: &out)
            }
            newline(level: level, indent: indent, to: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                newline(level: level + 1, indent: indent, to: &out)
                JSONText.appendQuotedForDisplay(member.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                append(member.value, level: level + 1, indent: indent, to: &out)
            }
            newline(level: level, indent: indent, to: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(level: Int, indent: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * indent))
    }
}
