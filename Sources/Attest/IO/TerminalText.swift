/// Text made safe to print on a terminal. Document strings reach the screen in verify, boot, inspect and audit
/// output and in error lines; a string holding ESC sequences, carriage returns or bidi overrides could move the
/// cursor, recolour, or reorder what a person reads, and so print a fake `ALLOW` line. Such characters are
/// shown as `\u{…}` instead.
///
/// Escaped: C0 controls but tab (and, in whole outputs, newline), DEL, C1 controls (U+0080–U+009F), and the
/// bidi embedding, override and isolate characters (U+202A–U+202E, U+2066–U+2069).
public enum TerminalText {
    /// `text` for a terminal, keeping its own line breaks: for a whole output that attest laid out.
    public static func sanitized(_ text: String) -> String {
        escape(text, keepNewlines: true)
    }

    /// One document string inside a line: newlines and carriage returns are escaped too, so it cannot start a
    /// line of its own.
    public static func inline(_ text: String) -> String {
        escape(text, keepNewlines: false)
    }

    public static func isUnsafe(_ scalar: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        switch scalar.value {
        case 0x09: false
        case 0x0A: !keepNewlines
        case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func escape(_ text: String, keepNewlines: Bool) -> String {
        // Most output is printable ASCII: one pass over the bytes, no copy.
        if text.utf8.allSatisfy({ (0x20..<0x7F).contains($0) || $0 == 0x09 || ($0 == 0x0A && keepNewlines) }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, keepNewlines: keepNewlines) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
