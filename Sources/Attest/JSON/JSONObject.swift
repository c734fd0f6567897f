/// A JSON object: members in the order they were written, with unique names and constant-time lookup.
///
/// Guarantees: member names are unique (compared as Swift strings, i.e. after unescaping), `members` keeps
/// insertion/parse order for display, and equality ignores member order as JSON object semantics do.
public struct JSONObject: Sendable, Equatable {
    /// One name/value pair.
    public typealias Member = (key: String, value: JSONValue)

    /// Objects up to this size are searched linearly; larger ones get a hash index. Most documents are small
    /// objects, and skipping the dictionary there saves both time and memory.
    static let indexThreshold = 16

    /// The members in parse (or insertion) order.
    public private(set) var members: [Member]
    /// Name → position in `members`; empty while `members.count <= indexThreshold`.
    private var index: [String: Int]

    /// An empty object.
    public init() {
        members = []
        index = [:]
    }

    /// An object with `members` in the given order; throws `.invalidJSON` if a name occurs twice.
    public init(_ members: [Member]) throws(AttestError) {
        self.init()
        for member in members {
            guard !contains(member.key) else {
                throw AttestError(.invalidJSON, "duplicate member name \(JSONText.quotedForMessage(member.key))")
            }
            appendUnchecked(key: member.key, value: member.value)
        }
    }

    /// The number of members.
    public var count: Int { members.count }

    /// `true` when the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The member names in parse (or insertion) order.
    public var keys: [String] { members.map(\.key) }

    /// The value of the member named `key`, or `nil` when there is none.
    public subscript(key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        return members[position].value
    }

    /// `true` when a member named `key` exists.
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// Sets the member named `key`: replaces its value in place, or appends a new member at the end.
    /// Returns the previous value, if any.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let position = position(of: key) {
            let old = members[position].value
            members[position].value = value
            return old
        }
        appendUnchecked(key: key, value: value)
        return nil
    }

    /// Removes the member named `key`, keeping the order of the others. Returns its value, if any.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let old = members.remove(at: position).value
        rebuildIndex()
        return old
    }

    /// Appends a member the caller knows is new (the parser checks for duplicates first).
    mutating func appendUnchecked(key: String, value: JSONValue) {
        members.append((key: key, value: value))
        if members.count > JSONObject.indexThreshold {
            if index.isEmpty {
                rebuildIndex()
            } else {
                index[key] = members.count - 1
            }
        }
    }

    /// Where the member named `key` is in `members`.
    func position(of key: String) -> Int? {
        if members.count > JSONObject.indexThreshold { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        index = [:]
        guard members.count > JSONObject.indexThreshold else { return }
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
    }

    /// Order-insensitive: same names, and equal values under each name.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}

extension JSONObject: Sequence {
    /// Iterates the members in parse (or insertion) order.
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keeps the literal's order. Duplicate names in a literal are a programming error and trap,
    /// as they do for `Dictionary` literals.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (key, value) in elements {
            precondition(!contains(key), "duplicate key \(key) in JSONObject literal")
            appendUnchecked(key: key, value: value)
        }
    }
}
