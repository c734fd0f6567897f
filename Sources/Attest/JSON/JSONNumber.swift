/// A JSON number, kept as the exact literal it was written with.
///
/// Guarantees: `literal` is always valid RFC 8259 number syntax, `double` is always finite, and `int64` is exact
/// whenever it is non-nil. Equality is numeric on the IEEE-754 value (`1.0 == 1 == 1e0`, `-0 == 0`), which is
/// exactly when two numbers canonicalize (RFC 8785) to the same text.
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The number as written: parsed text verbatim, or the canonical form for numbers built from values.
    public let literal: String
    /// The nearest IEEE-754 double (correctly rounded); never NaN or infinite.
    public let double: Double
    /// The exact value, present only when `literal` is integer form `-?(0|[1-9][0-9]*)` and fits in `Int64`.
    public let int64: Int64?

    /// Trusted constructor for the parser, which has already checked the grammar and computed both values.
    init(uncheckedLiteral literal: String, double: Double, int64: Int64?) {
        self.literal = literal
        self.double = double
        self.int64 = int64
    }

    /// An integer; exact in `int64` (and in `double` when `|value| <= 2^53`).
    public init(_ value: Int64) {
        self.init(uncheckedLiteral: String(value), double: Double(value), int64: value)
    }

    /// An integer; exact in `int64` (and in `double` when `|value| <= 2^53`).
    public init(_ value: Int) {
        self.init(Int64(value))
    }

    /// A double, written in its RFC 8785 (ECMAScript) form; `nil` for NaN and infinities, which JSON cannot hold.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        let text = CanonicalJSON.numberText(value)
        // Integer-form text such as "5" from 5.0 also yields an exact int64.
        self.init(uncheckedLiteral: text, double: value, int64: JSONNumber.integerValue(ofLiteral: text))
    }

    /// A number from its JSON text; `nil` unless `literal` is exactly one RFC 8259 number with a finite value.
    public init?(literal: String) {
        var text = literal
        let parsed = text.withUTF8 { bytes -> JSONNumber? in
            var parser = JSONParser.Parser(bytes, maxDepth: 0)
            guard let first = bytes.first, first == UInt8(ascii: "-") || (0x30...0x39).contains(first),
                  let number = try? parser.parseNumber(), parser.atEnd else { return nil }
            return number
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// `true` when the literal has no fraction and no exponent (it may still be outside the `Int64` range).
    public var isIntegerLiteral: Bool {
        !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    public var description: String { literal }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool { lhs.double == rhs.double }

    /// The exact Int64 of an integer-form literal, or nil (fraction, exponent, or out of range).
    static func integerValue(ofLiteral text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int64(text)
    }
}
