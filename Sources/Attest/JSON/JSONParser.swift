/// Resource limits applied before and during parsing, so hostile input cannot exhaust memory or stack.
public struct JSONLimits: Sendable, Equatable {
    /// Inputs longer than this many bytes are rejected before any parsing. Default 1 MiB.
    public var maxBytes: Int
    /// The deepest allowed nesting of arrays and objects together: `maxDepth` levels parse, one more fails.
    /// Default 64. The parser itself never recurses, but destroying, comparing and encoding a value do, one
    /// level per nesting level, so keep this in the hundreds at most.
    public var maxDepth: Int

    /// Limits with the given values; the defaults are those of `JSONLimits.default`.
    public init(maxBytes: Int = 1_048_576, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// 1 MiB and 64 levels.
    public static let `default` = JSONLimits()
}

/// A strict RFC 8259 JSON parser.
///
/// Guarantees: accepts exactly one JSON value with optional surrounding space, tab, CR or LF, and nothing else.
/// Rejects invalid UTF-8 anywhere (overlong forms, encoded surrogates, code points above U+10FFFF, truncated
/// sequences), raw control characters and invalid or lone-surrogate escapes in strings, duplicate member names
/// (compared after unescaping), non-RFC numbers and numbers that overflow a double, comments, trailing commas,
/// a byte order mark, trailing data, inputs over `limits.maxBytes` and nesting deeper than `limits.maxDepth`.
/// Every failure is an `AttestError` with code `.invalidJSON`, a one-line reason and a `line L, column C`
/// location (columns count Unicode scalars from 1). Parsing is a single pass over the bytes and uses no
/// recursion, so the stack use does not depend on the input.
public enum JSONParser {
    /// Parses `bytes` as one strict JSON value.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .default) throws(AttestError) -> JSONValue {
        try checkSize(bytes.count, limits)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(AttestError) -> JSONValue in
            var parser = Parser(buffer, maxDepth: limits.maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses `bytes` as one strict JSON value.
    public static func parse(_ bytes: ArraySlice<UInt8>, limits: JSONLimits = .default) throws(AttestError) -> JSONValue {
        try checkSize(bytes.count, limits)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(AttestError) -> JSONValue in
            var parser = Parser(buffer, maxDepth: limits.maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses the UTF-8 of `text` as one strict JSON value.
    public static func parse(_ text: String, limits: JSONLimits = .default) throws(AttestError) -> JSONValue {
        var text = text
        try checkSize(text.utf8.count, limits)
        // `String.withUTF8` is untyped `rethrows`, so the typed error travels out in a `Result`.
        let result = text.withUTF8 { buffer -> Result<JSONValue, AttestError> in
            var parser = Parser(buffer, maxDepth: limits.maxDepth)
            do throws(AttestError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses any byte sequence (for example `Data`); stops reading as soon as it exceeds `limits.maxBytes`.
    public static func parse(_ bytes: some Sequence<UInt8>, limits: JSONLimits = .default) throws(AttestError) -> JSONValue {
        var copy: [UInt8] = []
        copy.reserveCapacity(min(bytes.underestimatedCount, limits.maxBytes))
        for byte in bytes {
            guard copy.count < limits.maxBytes else { throw sizeError(limits) }
            copy.append(byte)
        }
        return try parse(copy, limits: limits)
    }

    private static func checkSize(_ count: Int, _ limits: JSONLimits) throws(AttestError) {
        guard count <= limits.maxBytes else { throw sizeError(limits) }
    }

    private static func sizeError(_ limits: JSONLimits) -> AttestError {
        AttestError(.invalidJSON, "input is larger than the limit of \(limits.maxBytes) bytes")
    }
}

// MARK: - The parser proper

private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}

extension JSONParser {
    /// What a container under construction is; the values themselves live in the typed stacks below.
    private enum Frame {
        case array
        case object
    }

    /// One-pass parser over a borrowed buffer. Containers are kept on explicit stacks instead of recursing.
    struct Parser {
        private let bytes: UnsafeBufferPointer<UInt8>
        private(set) var position = 0
        private let maxDepth: Int
        /// Reused buffer for strings that contain escapes.
        private var scratch: [UInt8] = []

        init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        var atEnd: Bool { position == bytes.count }

        // MARK: Document and containers

        mutating func parseDocument() throws(AttestError) -> JSONValue {
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                throw error("byte order mark (U+FEFF) is not allowed", at: 0)
            }
            var frames: [Frame] = []
            var arrays: [[JSONValue]] = []
            var objects: [(object: JSONObject, key: String)] = []
            skipWhitespace()

            while true {
                // Read one value, or open a container and go read its first element.
                var value: JSONValue
                guard position < bytes.count else { throw error("expected a value, found end of input", at: position) }
                switch bytes[position] {
                case ASCII.openBrace:
                    try checkDepth(frames.count)
                    position += 1
                    skipWhitespace()
                    if position < bytes.count, bytes[position] == ASCII.closeBrace {
                        position += 1
                        value = .object(JSONObject())
                    } else {
                        let key = try parseMemberName(in: JSONObject())
                        frames.append(.object)
                        objects.append((JSONObject(), key))
                        continue
                    }
                case ASCII.openBracket:
                    try checkDepth(frames.count)
                    position += 1
                    skipWhitespace()
                    if position < bytes.count, bytes[position] == ASCII.closeBracket {
                        position += 1
                        value = .array([])
                    } else {
                        frames.append(.array)
                        arrays.append([])
                        continue
                    }
                case ASCII.quote:
                    value = .string(try parseString())
                case ASCII.minus, ASCII.zero...ASCII.nine:
                    value = .number(try parseNumber())
                case UInt8(ascii: "t"):
                    try expectLiteral("true")
                    value = .bool(true)
                case UInt8(ascii: "f"):
                    try expectLiteral("false")
                    value = .bool(false)
                case UInt8(ascii: "n"):
                    try expectLiteral("null")
                    value = .null
                default:
                    throw unexpected("expected a value", at: position)
                }

                // Hand the finished value to its container; close every container that ends right after it.
                while true {
                    skipWhitespace()
                    guard let frame = frames.last else {
                        guard position == bytes.count else {
                            throw unexpected("unexpected data after the JSON value", at: position)
                        }
                        return value
                    }
                    let next: UInt8? = position < bytes.count ? bytes[position] : nil
                    switch frame {
                    case .array:
                        arrays[arrays.count - 1].append(value)
                        if next == ASCII.comma {
                            position += 1
                            skipWhitespace()
                            if position < bytes.count, bytes[position] == ASCII.closeBracket {
                                throw error("trailing comma is not allowed", at: position)
                            }
                        } else if next == ASCII.closeBracket {
                            position += 1
                            frames.removeLast()
                            value = .array(arrays.removeLast())
                            continue
                        } else {
                            throw unexpected("expected ',' or ']'", at: position)
                        }
                    case .object:
                        let last = objects.count - 1
                        objects[last].object.appendUnchecked(key: objects[last].key, value: value)
                        if next == ASCII.comma {
                            position += 1
                            skipWhitespace()
                            if position < bytes.count, bytes[position] == ASCII.closeBrace {
                                throw error("trailing comma is not allowed", at: position)
                            }
                            objects[last].key = try parseMemberName(in: objects[last].object)
                        } else if next == ASCII.closeBrace {
                            position += 1
                            frames.removeLast()
                            value = .object(objects.removeLast().object)
                            continue
                        } else {
                            throw unexpected("expected ',' or '}'", at: position)
                        }
                    }
                    break // A container wants its next element.
                }
            }
        }

        private func checkDepth(_ depth: Int) throws(AttestError) {
            guard depth < maxDepth else {
                throw error("nesting is deeper than the limit of \(maxDepth) levels", at: position)
            }
        }

        /// Parses `"name"` `:` and the whitespace after it; rejects names already in `object`.
        private mutating func parseMemberName(in object: JSONObject) throws(AttestError) -> String {
            let start = position
            guard position < bytes.count, bytes[position] == ASCII.quote else {
                throw unexpected("expected a member name in double quotes", at: position)
            }
            let key = try parseString()
            if object.contains(key) {
                throw error("duplicate member name \(JSONText.quotedForMessage(key))", at: start)
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == ASCII.colon else {
                throw unexpected("expected ':' after member name", at: position)
            }
            position += 1
            skipWhitespace()
            return key
        }

        @inline(__always)
        private mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case ASCII.space, ASCII.lineFeed, ASCII.carriageReturn, ASCII.tab: position += 1
                default: return
                }
            }
        }

        private mutating func expectLiteral(_ word: StaticString) throws(AttestError) {
            let start = position
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for byte in expected {
                guard position < bytes.count, bytes[position] == byte else {
                    throw error("invalid literal (expected '\(word)')", at: start)
                }
                position += 1
            }
        }

        // MARK: Strings

        /// Parses a string starting at its opening quote. Strings without escapes are validated in place and
        /// decoded in one go; only strings with escapes are copied through `scratch`.
        private mutating func parseString() throws(AttestError) -> String {
            let quote = position
            position += 1
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == ASCII.quote {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                } else if byte == ASCII.backslash {
                    return try parseEscapedString(spanStart: start, quote: quote)
                } else if byte < 0x20 {
                    throw controlCharacter(byte)
                } else if byte < 0x80 {
                    position += 1
                } else {
                    position += try utf8Length(at: position)
                }
            }
            throw error("unterminated string", at: quote)
        }

        /// Continues a string at its first backslash, copying the plain prefix and decoding escapes.
        private mutating func parseEscapedString(spanStart: Int, quote: Int) throws(AttestError) -> String {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[spanStart..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                if byte == ASCII.quote {
                    position += 1
                    return String(decoding: scratch, as: UTF8.self)
                } else if byte == ASCII.backslash {
                    try parseEscape()
                } else if byte < 0x20 {
                    throw controlCharacter(byte)
                } else if byte < 0x80 {
                    scratch.append(byte)
                    position += 1
                } else {
                    let length = try utf8Length(at: position)
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<position + length]))
                    position += length
                }
            }
            throw error("unterminated string", at: quote)
        }

        /// Decodes one escape at `position` (a backslash) into `scratch`.
        private mutating func parseEscape() throws(AttestError) {
            let start = position
            guard position + 1 < bytes.count else { throw error("unterminated string", at: start) }
            let letter = bytes[position + 1]
            position += 2
            let simple: UInt8
            switch letter {
            case ASCII.quote: simple = ASCII.quote
            case ASCII.backslash: simple = ASCII.backslash
            case ASCII.slash: simple = ASCII.slash
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = ASCII.lineFeed
            case UInt8(ascii: "r"): simple = ASCII.carriageReturn
            case UInt8(ascii: "t"): simple = ASCII.tab
            case UInt8(ascii: "u"):
                try parseUnicodeEscape(start: start)
                return
            default:
                throw error("invalid escape \(escapeDescription(letter))", at: start)
            }
            scratch.append(simple)
        }

        /// Decodes `\uXXXX` (or a `\uD8xx\uDCxx` surrogate pair) whose backslash is at `start`.
        private mutating func parseUnicodeEscape(start: Int) throws(AttestError) {
            let unit = try hexQuad(escapeStart: start)
            var scalarValue = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                let lowStart = position
                guard position + 1 < bytes.count, bytes[position] == ASCII.backslash,
                      bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("lone high surrogate \(hexEscape(unit)) not followed by a low surrogate escape", at: start)
                }
                position += 2
                let low = try hexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("lone high surrogate \(hexEscape(unit)) followed by \(hexEscape(low)), not a low surrogate", at: start)
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw error("lone low surrogate \(hexEscape(unit))", at: start)
            default:
                break
            }
            appendUTF8(scalarValue)
        }

        /// Appends the UTF-8 form of a scalar value (never a surrogate, never above U+10FFFF here).
        private mutating func appendUTF8(_ value: UInt32) {
            switch value {
            case 0..<0x80:
                scratch.append(UInt8(value))
            case 0x80..<0x800:
                scratch.append(0xC0 | UInt8(value >> 6))
                scratch.append(0x80 | UInt8(value & 0x3F))
            case 0x800..<0x10000:
                scratch.append(0xE0 | UInt8(value >> 12))
                scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
                scratch.append(0x80 | UInt8(value & 0x3F))
            default:
                scratch.append(0xF0 | UInt8(value >> 18))
                scratch.append(0x80 | UInt8((value >> 12) & 0x3F))
                scratch.append(0x80 | UInt8((value >> 6) & 0x3F))
                scratch.append(0x80 | UInt8(value & 0x3F))
            }
        }

        /// Reads the four hex digits after `\u`.
        private mutating func hexQuad(escapeStart: Int) throws(AttestError) -> UInt16 {
            var result: UInt16 = 0
            for _ in 0..<4 {
                guard position < bytes.count, let digit = hexValue(bytes[position]) else {
                    throw error("invalid \\u escape: expected 4 hex digits", at: escapeStart)
                }
                result = result << 4 | UInt16(digit)
                position += 1
            }
            return result
        }

        private func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case ASCII.zero...ASCII.nine: byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }

        private func hexEscape(_ unit: UInt16) -> String {
            let hex = String(unit, radix: 16, uppercase: false)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }

        private func escapeDescription(_ letter: UInt8) -> String {
            if letter >= 0x21, letter < 0x7F { return "'\\\(Character(Unicode.Scalar(letter)))'" }
            return "(backslash followed by byte 0x\(hexByte(letter)))"
        }

        private func controlCharacter(_ byte: UInt8) -> AttestError {
            error("raw control character U+00\(hexByte(byte).uppercased()) in string (must be escaped)", at: position)
        }

        // MARK: UTF-8

        /// The length of the valid UTF-8 sequence starting at `index` (a byte >= 0x80), per Unicode Table 3-7.
        private func utf8Length(at index: Int) throws(AttestError) -> Int {
            switch checkUTF8(at: index) {
            case .valid(let length, _): return length
            case .invalid(let reason): throw error("invalid UTF-8: \(reason)", at: index)
            }
        }

        private enum UTF8Check {
            case valid(length: Int, scalar: UInt32)
            case invalid(String)
        }

        private func checkUTF8(at index: Int) -> UTF8Check {
            let lead = bytes[index]
            let continuationCount: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            var secondProblem = ""
            switch lead {
            case 0x00...0x7F:
                return .valid(length: 1, scalar: UInt32(lead))
            case 0x80...0xBF:
                return .invalid("unexpected continuation byte 0x\(hexByte(lead))")
            case 0xC0, 0xC1:
                return .invalid("overlong encoding (byte 0x\(hexByte(lead)))")
            case 0xC2...0xDF:
                continuationCount = 1
            case 0xE0:
                continuationCount = 2
                secondRange = 0xA0...0xBF
                secondProblem = "overlong encoding"
            case 0xED:
                continuationCount = 2
                secondRange = 0x80...0x9F
                secondProblem = "surrogate code point encoded in UTF-8"
            case 0xE1...0xEF:
                continuationCount = 2
            case 0xF0:
                continuationCount = 3
                secondRange = 0x90...0xBF
                secondProblem = "overlong encoding"
            case 0xF1...0xF3:
                continuationCount = 3
            case 0xF4:
                continuationCount = 3
                secondRange = 0x80...0x8F
                secondProblem = "code point above U+10FFFF"
            case 0xF5...0xF7:
                return .invalid("code point above U+10FFFF (byte 0x\(hexByte(lead)))")
            default:
                return .invalid("byte 0x\(hexByte(lead)) never appears in UTF-8")
            }
            var scalar = UInt32(lead) & (0x7F >> UInt32(continuationCount + 1))
            for offset in 1...continuationCount {
                guard index + offset < bytes.count else {
                    return .invalid("truncated sequence at end of input")
                }
                let byte = bytes[index + offset]
                guard byte & 0xC0 == 0x80 else {
                    return .invalid("truncated sequence (byte 0x\(hexByte(byte)) is not a continuation byte)")
                }
                if offset == 1, !secondRange.contains(byte) {
                    return .invalid(secondProblem)
                }
                scalar = scalar << 6 | UInt32(byte & 0x3F)
            }
            return .valid(length: continuationCount + 1, scalar: scalar)
        }

        // MARK: Numbers

        /// Parses an RFC 8259 number at `position` (a '-' or digit). Integer-form literals that fit get an exact
        /// `int64`; the double is exact for |n| <= 2^53 and otherwise correctly rounded by the standard library.
        mutating func parseNumber() throws(AttestError) -> JSONNumber {
            let start = position
            var negative = false
            if bytes[position] == ASCII.minus {
                negative = true
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw unexpected("expected a digit after '-'", at: position)
            }
            // Accumulate the integer part; `magnitude` is nil once it no longer fits in 64 bits.
            var magnitude: UInt64? = 0
            if bytes[position] == ASCII.zero {
                position += 1
                if position < bytes.count, isDigit(bytes[position]) {
                    throw error("leading zeros are not allowed in numbers", at: start)
                }
            } else {
                while position < bytes.count, isDigit(bytes[position]) {
                    if let current = magnitude {
                        let (times10, overflow1) = current.multipliedReportingOverflow(by: 10)
                        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[position] - ASCII.zero))
                        magnitude = overflow1 || overflow2 ? nil : sum
                    }
                    position += 1
                }
            }
            var isInteger = true
            if position < bytes.count, bytes[position] == ASCII.dot {
                isInteger = false
                position += 1
                guard position < bytes.count, isDigit(bytes[position]) else {
                    throw unexpected("expected a digit after the decimal point", at: position)
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == ASCII.lowerE || bytes[position] == ASCII.upperE {
                isInteger = false
                position += 1
                if position < bytes.count, bytes[position] == ASCII.plus || bytes[position] == ASCII.minus {
                    position += 1
                }
                guard position < bytes.count, isDigit(bytes[position]) else {
                    throw unexpected("expected a digit in the exponent", at: position)
                }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }

            let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            var int64: Int64?
            if isInteger, let magnitude {
                if negative {
                    int64 = magnitude <= UInt64(Int64.max) ? -Int64(magnitude)
                        : magnitude == Int64.min.magnitude ? Int64.min : nil
                } else {
                    int64 = magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
                }
            }
            let double: Double
            if let int64, int64.magnitude <= 1 << 53 {
                // Exact; keeps the sign of "-0".
                double = negative && int64 == 0 ? -0.0 : Double(int64)
            } else if let parsed = Double(literal), parsed.isFinite {
                double = parsed
            } else {
                throw error("number \(JSONText.truncatedForMessage(literal)) is too large for a double", at: start)
            }
            return JSONNumber(uncheckedLiteral: literal, double: double, int64: int64)
        }

        @inline(__always)
        private func isDigit(_ byte: UInt8) -> Bool { byte &- ASCII.zero < 10 }

        // MARK: Errors

        private func error(_ reason: String, at offset: Int) -> AttestError {
            AttestError(.invalidJSON, reason, at: location(of: offset))
        }

        /// "`expectation`, found X" naming what is at `offset`; invalid UTF-8 there is reported as such.
        private func unexpected(_ expectation: String, at offset: Int) -> AttestError {
            guard offset < bytes.count else { return error("\(expectation), found end of input", at: offset) }
            let byte = bytes[offset]
            let found: String
            switch byte {
            case 0x21..<0x7F:
                found = "'\(Character(Unicode.Scalar(byte)))'"
            case 0x00..<0x80:
                found = "U+00\(hexByte(byte).uppercased())"
            default:
                switch checkUTF8(at: offset) {
                case .invalid(let reason):
                    return error("invalid UTF-8: \(reason)", at: offset)
                case .valid(_, let scalar):
                    let hex = String(scalar, radix: 16, uppercase: true)
                    found = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                }
            }
            return error("\(expectation), found \(found)", at: offset)
        }

        /// "line L, column C", 1-based; columns count Unicode scalars, and CR, LF and CRLF each end a line.
        private func location(of offset: Int) -> String {
            var line = 1
            var column = 1
            var index = 0
            let end = min(offset, bytes.count)
            while index < end {
                let byte = bytes[index]
                if byte == ASCII.lineFeed {
                    line += 1
                    column = 1
                } else if byte == ASCII.carriageReturn {
                    if index + 1 >= bytes.count || bytes[index + 1] != ASCII.lineFeed {
                        line += 1
                        column = 1
                    }
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
                index += 1
            }
            return "line \(line), column \(column)"
        }

        private func hexByte(_ byte: UInt8) -> String {
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }
    }
}
