/// RFC 8785 JSON Canonicalization Scheme (JCS) serialization.
///
/// Guarantees: the output is the exact JCS byte sequence for the value: no whitespace, object members sorted by
/// the UTF-16 code units of their names, strings escaped per RFC 8785 §3.2.2.2 (only `"`, `\` and controls below
/// U+0020; everything else literal UTF-8), and numbers in ECMAScript `Number.prototype.toString` form of their
/// IEEE-754 double value. Equal `JSONValue`s always encode to equal bytes.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(value, to: &out)
        return out
    }

    /// The canonical UTF-8 bytes of a string value, including the surrounding quotes.
    public static func encodeString(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        JSONText.appendQuoted(string, to: &out)
        return out
    }

    /// The canonical text of a number: the ECMAScript form of its double (`1e+21`, `0.000001`, `1e-7`, `-0` as
    /// `0`), written straight from the integer when the literal is an exact integer with |n| <= 2^53.
    public static func format(_ number: JSONNumber) -> String {
        var out: [UInt8] = []
        appendNumber(number, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The ECMAScript `Number.prototype.toString` text of a finite double; `nil` for NaN and infinities.
    public static func format(_ double: Double) -> String? {
        guard double.isFinite else { return nil }
        return numberText(double)
    }

    // MARK: Writers

    /// Recursion follows the value's nesting, which the parser bounds by `JSONLimits.maxDepth`.
    static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            appendNumber(number, to: &out)
        case .string(let string):
            JSONText.appendQuoted(string, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (position, memberIndex) in sortedMemberIndices(object).enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                let member = object.members[memberIndex]
                JSONText.appendQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Member positions ordered by the UTF-16 code units of the names (RFC 8785 §3.2.3).
    private static func sortedMemberIndices(_ object: JSONObject) -> [Int] {
        let members = object.members
        if members.count < 2 { return Array(members.indices) }
        return members.indices.sorted { utf16Precedes(members[$0].key, members[$1].key) }
    }

    /// UTF-16 code unit order, computed on the UTF-8 bytes without transcoding. UTF-8 byte order is scalar
    /// order, and that equals UTF-16 order except between U+E000...U+FFFF (lead byte 0xEE/0xEF) and
    /// supplementary scalars (lead byte >= 0xF0), whose surrogates (0xD800...) sort below 0xE000. With a common
    /// prefix, the first differing bytes are both lead bytes or both continuation bytes of equal-length scalars.
    static func utf16Precedes(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            guard let a = left.next() else { return right.next() != nil }
            guard let b = right.next() else { return false }
            if a == b { continue }
            if a >= 0xF0, b == 0xEE || b == 0xEF { return true }
            if b >= 0xF0, a == 0xEE || a == 0xEF { return false }
            return a < b
        }
    }

    static func appendNumber(_ number: JSONNumber, to out: inout [UInt8]) {
        if let integer = number.int64, integer.magnitude <= 1 << 53 {
            // Exactly representable, so the integer's digits are what ECMAScript would print; "-0" becomes "0".
            out.append(contentsOf: String(integer).utf8)
        } else {
            appendDouble(number.double, to: &out)
        }
    }

    /// ECMAScript text of a finite double (for `JSONNumber.init(Double)`).
    static func numberText(_ value: Double) -> String {
        var out: [UInt8] = []
        appendDouble(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// ECMAScript `Number::toString` (ES2015 §7.1.12.1) for a finite double. The shortest round-trip digits come
    /// from `Double.description`; only their layout follows the ECMAScript rules.
    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value == 0 || !value.isFinite {
            // Zero of either sign is "0"; non-finite values never reach here (JSONNumber rejects them).
            out.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }

        // Split the description ("123.45", "1e-07", "1.2345e+20") into digits and a decimal exponent.
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var integerDigitCount = 0
        var seenPoint = false
        var inExponent = false
        var exponentNegative = false
        var exponent = 0
        for byte in value.magnitude.description.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                    if !seenPoint { integerDigitCount += 1 }
                }
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-"): exponentNegative = true
            default: break
            }
        }
        // value = 0.d1d2d3... × 10^n
        var n = integerDigitCount + (exponentNegative ? -exponent : exponent)
        var first = 0
        while first < digits.count, digits[first] == UInt8(ascii: "0") {
            first += 1
            n -= 1
        }
        var end = digits.count
        while end > first, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
        let s = digits[first..<end]
        let k = s.count

        if k <= n, n <= 21 {
            out.append(contentsOf: s)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n, n <= 21 {
            out.append(contentsOf: s.prefix(n))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: s.dropFirst(n))
        } else if -6 < n, n <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: s)
        } else {
            out.append(s[s.startIndex])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: s.dropFirst())
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            out.append(contentsOf: String((n - 1).magnitude).utf8)
        }
    }
}

/// String escaping shared by the canonical writer, the pretty printer and error messages.
enum JSONText {
    /// Appends `"string"` escaped per RFC 8785 §3.2.2.2.
    static func appendQuoted(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            // Runs that need no escape (all of a base64 payload) are copied whole.
            var run = 0
            for i in 0..<bytes.count {
                let byte = bytes[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                appendEscaped(byte, to: &out)
                run = i + 1
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// As `appendQuoted`, for JSON shown to people: DEL, C1 controls and bidi controls are written as
    /// `\uXXXX` too (the same string to a JSON reader, but nothing a terminal acts on).
    static func appendQuotedForDisplay(_ string: String, to out: inout [UInt8]) {
        guard string.unicodeScalars.contains(where: { TerminalText.isUnsafe($0, keepNewlines: true) && $0.value >= 0x7F }) else {
            appendQuoted(string, to: &out)
            return
        }
        out.append(UInt8(ascii: "\""))
        for scalar in string.unicodeScalars {
            if scalar.value >= 0x7F && TerminalText.isUnsafe(scalar, keepNewlines: true) {
                let hex = Array(String(scalar.value, radix: 16).utf8)
                out.append(contentsOf: "\\u".utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 4 - hex.count))
                out.append(contentsOf: hex)
            } else if scalar.value < 0x80 {
                let byte = UInt8(scalar.value)
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { appendEscaped(byte, to: &out) } else { out.append(byte) }
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        default:
            out.append(UInt8(ascii: "u"))
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0"))
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0F))
        }
    }

    /// A quoted, single-line, terminal-safe rendering of untrusted text for error messages and paths:
    /// printable ASCII stays literal, everything else becomes `\uXXXX`; long text is cut after 64 characters.
    static func quotedForMessage(_ string: String) -> String {
        var out = "\""
        var count = 0
        for scalar in string.unicodeScalars {
            if count == 64 {
                out += "..."
                break
            }
            count += 1
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(scalar)
            default:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: false)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        return out + "\""
    }

    /// Text of a number literal for messages: cut after 32 characters (literals are ASCII).
    static func truncatedForMessage(_ literal: String) -> String {
        literal.utf8.count <= 32 ? literal : String(literal.prefix(32)) + "..."
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
