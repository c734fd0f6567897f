/// Reads a typed document out of a JSON object and fails closed.
///
/// Guarantees: every accessor either returns a value of exactly the requested JSON type or throws
/// `AttestError(.invalidDocument, …)` located at the member's path (`$.signatures[0].sig`); nothing is coerced
/// (`null` is not an absent member, `"1"` is not a number, `1.0` is not an integer). `finish()` throws for the
/// first member (in document order) that no accessor read, so unknown members are never silently ignored.
///
///     var reader = try JSONObjectReader(value)
///     let name = try reader.string("name")
///     let size = try reader.optionalInt("size")
///     try reader.finish()
public struct JSONObjectReader: Sendable {
    /// The object being read.
    public let object: JSONObject
    /// This object's path, `$` for the document root.
    public let path: String
    /// Positions of the members handed out so far: a bit per member (objects here are small), with a set
    /// for positions past 63. Paths for messages are built only when a message needs one.
    private var consumedBits: UInt64 = 0
    private var consumedBeyond: Set<Int> = []

    /// A reader for `value`; throws `.invalidDocument` at `path` unless it is an object.
    public init(_ value: JSONValue, path: String = "$") throws(AttestError) {
        guard case .object(let object) = value else {
            throw AttestError(.invalidDocument, "expected an object, found \(value.kindDescription)", at: path)
        }
        self.init(object, path: path)
    }

    /// A reader for `object` located at `path`.
    public init(_ object: JSONObject, path: String = "$") {
        self.object = object
        self.path = path
    }

    /// `true` when the object has a member named `key` (does not count as reading it).
    public func contains(_ key: String) -> Bool { object.contains(key) }

    /// The path of the member named `key` in this object.
    public func path(of key: String) -> String { JSONPath.member(key, of: path) }

    // MARK: Any value

    /// The member `key` of any type; throws `missing member "key"` when absent.
    public mutating func value(_ key: String) throws(AttestError) -> JSONValue {
        guard let value = optionalValue(key) else {
            throw AttestError(.invalidDocument, "missing member \(JSONText.quotedForMessage(key))", at: path)
        }
        return value
    }

    /// The member `key` of any type, or `nil` when absent (a present `null` is returned as `.null`).
    public mutating func optionalValue(_ key: String) -> JSONValue? {
        guard let position = object.position(of: key) else { return nil }
        if position < 64 { consumedBits |= 1 << UInt64(position) } else { consumedBeyond.insert(position) }
        return object.members[position].value
    }

    private func isConsumed(_ position: Int) -> Bool {
        position < 64 ? consumedBits & (1 << UInt64(position)) != 0 : consumedBeyond.contains(position)
    }

    // MARK: Typed members

    /// The string member `key`.
    public mutating func string(_ key: String) throws(AttestError) -> String {
        try value(key).asString(at: path(of: key))
    }

    /// The string member `key`, or `nil` when absent; any other type (including `null`) throws.
    public mutating func optionalString(_ key: String) throws(AttestError) -> String? {
        try optionalValue(key).map { (value) throws(AttestError) in try value.asString(at: path(of: key)) }
    }

    /// The integer member `key`: integer-form literals only, within `Int64`.
    public mutating func int(_ key: String) throws(AttestError) -> Int64 {
        try value(key).asInt64(at: path(of: key))
    }

    /// The integer member `key`, or `nil` when absent.
    public mutating func optionalInt(_ key: String) throws(AttestError) -> Int64? {
        try optionalValue(key).map { (value) throws(AttestError) in try value.asInt64(at: path(of: key)) }
    }

    /// The boolean member `key`.
    public mutating func bool(_ key: String) throws(AttestError) -> Bool {
        try value(key).asBool(at: path(of: key))
    }

    /// The boolean member `key`, or `nil` when absent.
    public mutating func optionalBool(_ key: String) throws(AttestError) -> Bool? {
        try optionalValue(key).map { (value) throws(AttestError) in try value.asBool(at: path(of: key)) }
    }

    /// The array member `key`.
    public mutating func array(_ key: String) throws(AttestError) -> [JSONValue] {
        try value(key).asArray(at: path(of: key))
    }

    /// The array member `key`, or `nil` when absent.
    public mutating func optionalArray(_ key: String) throws(AttestError) -> [JSONValue]? {
        try optionalValue(key).map { (value) throws(AttestError) in try value.asArray(at: path(of: key)) }
    }

    /// A reader for the object member `key`; call `finish()` on it as well.
    public mutating func object(_ key: String) throws(AttestError) -> JSONObjectReader {
        try JSONObjectReader(value(key), path: path(of: key))
    }

    /// A reader for the object member `key`, or `nil` when absent.
    public mutating func optionalObject(_ key: String) throws(AttestError) -> JSONObjectReader? {
        try optionalValue(key).map { (value) throws(AttestError) in try JSONObjectReader(value, path: path(of: key)) }
    }

    /// The array-of-strings member `key`; a non-string element throws at its own path (`$.keys[2]`).
    public mutating func stringArray(_ key: String) throws(AttestError) -> [String] {
        var strings: [String] = []
        for (position, element) in try value(key).asArray(at: path(of: key)).enumerated() {
            strings.append(try element.asString(at: JSONPath.element(position, of: path(of: key))))
        }
        return strings
    }

    /// The array-of-objects member `key` as readers located at `$.key[i]`; call `finish()` on each.
    public mutating func objectArray(_ key: String) throws(AttestError) -> [JSONObjectReader] {
        let memberPath = path(of: key)
        var readers: [JSONObjectReader] = []
        for (position, element) in try value(key).asArray(at: memberPath).enumerated() {
            readers.append(try JSONObjectReader(element, path: JSONPath.element(position, of: memberPath)))
        }
        return readers
    }

    // MARK: Closing

    /// Throws `unknown member "x"` at `$.path.x` for the first member no accessor has read.
    public func finish() throws(AttestError) {
        for (position, member) in object.members.enumerated() where !isConsumed(position) {
            throw AttestError(
                .invalidDocument, "unknown member \(JSONText.quotedForMessage(member.key))", at: path(of: member.key))
        }
    }
}

/// Builds the JSON paths used in `.invalidDocument` locations.
public enum JSONPath {
    /// The document root.
    public static let root = "$"

    /// `base.key` for identifier-like names, `base["key"]` (escaped, single line) for any other name.
    public static func member(_ key: String, of base: String) -> String {
        if isIdentifier(key) { return base + "." + key }
        return base + "[" + JSONText.quotedForMessage(key) + "]"
    }

    /// `base[index]`, for array elements.
    public static func element(_ index: Int, of base: String) -> String {
        base + "[\(index)]"
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default:
                false
            }
        }
    }
}

extension JSONValue {
    /// This value as a string, or `.invalidDocument` at `path` ("expected a string, found a number").
    public func asString(at path: @autoclosure () -> String) throws(AttestError) -> String {
        guard case .string(let string) = self else { throw mismatch("a string", at: path()) }
        return string
    }

    /// This value as an exact integer: integer-form literals (`-?(0|[1-9][0-9]*)`) within `Int64` only;
    /// `1.0`, `1e2` and out-of-range integers throw `.invalidDocument` at `path`.
    public func asInt64(at path: @autoclosure () -> String) throws(AttestError) -> Int64 {
        guard case .number(let number) = self else { throw mismatch("an integer", at: path()) }
        if let integer = number.int64 { return integer }
        let literal = JSONText.truncatedForMessage(number.literal)
        if number.isIntegerLiteral {
            throw AttestError(.invalidDocument, "integer \(literal) is out of range", at: path())
        }
        throw AttestError(
            .invalidDocument, "expected an integer, found \(literal) (integers only: no fraction or exponent)", at: path())
    }

    /// This value as a boolean, or `.invalidDocument` at `path`.
    public func asBool(at path: @autoclosure () -> String) throws(AttestError) -> Bool {
        guard case .bool(let flag) = self else { throw mismatch("a boolean", at: path()) }
        return flag
    }

    /// This value as an array, or `.invalidDocument` at `path`.
    public func asArray(at path: @autoclosure () -> String) throws(AttestError) -> [JSONValue] {
        guard case .array(let elements) = self else { throw mismatch("an array", at: path()) }
        return elements
    }

    private func mismatch(_ expected: String, at path: String) -> AttestError {
        AttestError(.invalidDocument, "expected \(expected), found \(kindDescription)", at: path)
    }
}
