/// A parsed or constructed JSON value.
///
/// Values from `JSONParser` are guaranteed strict RFC 8259 JSON: valid Unicode strings, finite numbers and
/// objects without duplicate names. Equality is JSON equality: numbers compare by value, objects ignore member
/// order, arrays compare in order.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A finite number, with its literal text.
    case number(JSONNumber)
    /// A string of Unicode scalars (never a lone surrogate).
    case string(String)
    /// Elements in order.
    case array([JSONValue])
    /// Members with unique names, in parse or insertion order.
    case object(JSONObject)

    /// `true` for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, if this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The exact integer, if this is an integer-form number that fits in `Int64` (`1.0` and `1e2` give `nil`).
    public var int64Value: Int64? { numberValue?.int64 }

    /// The IEEE-754 value, if this is a number.
    public var doubleValue: Double? { numberValue?.double }

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member named `key` when this is an object that has one; `nil` otherwise.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The kind of value with an article, for messages: "null", "a boolean", "a number", "a string",
    /// "an array", "an object".
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The RFC 8785 canonical text.
    public var description: String {
        String(decoding: CanonicalJSON.encode(self), as: UTF8.self)
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(value)) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Builds an object keeping the literal's member order; duplicate names trap (see `JSONObject`).
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements {
            precondition(!object.contains(key), "duplicate key \(key) in JSONValue literal")
            object.appendUnchecked(key: key, value: value)
        }
        self = .object(object)
    }
}
