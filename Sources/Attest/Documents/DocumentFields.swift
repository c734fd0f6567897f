import AttestCrypto

/// Field rules shared by the documents. Each throws `.invalidDocument` at the member's path.
enum DocumentFields {
    /// Lowercase slugs name issuers, workload classes and chip vendors: `industrial-inspection`.
    static func isSlug(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 64, b.first != 0x2d, b.last != 0x2d else { return false }
        return b.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
    }

    /// Lowercase canonical UUID text.
    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if [8, 13, 18, 23].contains(i) {
                if c != 0x2d { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) {
                return false
            }
        }
        return true
    }

    static func isKeyID(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func isDigest(_ s: String) -> Bool {
        s.hasPrefix("sha256:") && isKeyID(String(s.dropFirst(7)))
    }

    /// Serial numbers as hardware reports them: letters, digits and `-_.:`, up to 128 characters.
    static func isSerial(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 128 else { return false }
        return b.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || [0x2d, 0x5f, 0x2e, 0x3a].contains($0) }
    }

    static func fail(_ reason: String, _ path: String) -> AttestError {
        AttestError(.invalidDocument, reason, at: path)
    }

    static func time(_ reader: inout JSONObjectReader, _ key: String) throws(AttestError) -> Timestamp {
        let text = try reader.string(key)
        guard let t = Timestamp(text) else {
            throw fail("\(key) must be an RFC 3339 UTC time like 2027-01-31T00:00:00Z, found \"\(text)\"", reader.path(of: key))
        }
        return t
    }

    static func positive(_ reader: inout JSONObjectReader, _ key: String, min: Int64 = 1, max: Int64 = Int64(Int32.max)) throws(AttestError) -> Int {
        let v = try reader.int(key)
        guard v >= min, v <= max else {
            throw fail("\(key) must be between \(min) and \(max), found \(v)", reader.path(of: key))
        }
        return Int(v)
    }

    static func slug(_ reader: inout JSONObjectReader, _ key: String) throws(AttestError) -> String {
        let v = try reader.string(key)
        guard isSlug(v) else { throw fail("\(key) must be a lowercase slug (a-z, 0-9, -), found \"\(v)\"", reader.path(of: key)) }
        return v
    }

    /// A string array whose items pass `valid`, with no repeats.
    static func list(_ reader: inout JSONObjectReader, _ key: String, nonEmpty: Bool, what: String,
                     _ valid: (String) -> Bool) throws(AttestError) -> [String] {
        let items = try reader.stringArray(key)
        let path = reader.path(of: key)
        if nonEmpty && items.isEmpty { throw fail("\(key) must not be empty", path) }
        var seen = Set<String>()
        for (i, item) in items.enumerated() {
            guard valid(item) else { throw fail("\"\(item)\" is not \(what)", JSONPath.element(i, of: path)) }
            guard seen.insert(item).inserted else { throw fail("\"\(item)\" is listed twice", JSONPath.element(i, of: path)) }
        }
        return items
    }

    /// A key map plus its threshold: threshold at least 1 and no more than the number of keys.
    static func keys(_ reader: inout JSONObjectReader, thresholdKey: String = "threshold") throws(AttestError) -> ([String: PublicKey], Int) {
        let threshold = try positive(&reader, thresholdKey, min: 1, max: 256)
        let keysValue = try reader.value("keys")
        let keys = try KeyDict.keyMap(keysValue, path: reader.path(of: "keys"))
        guard !keys.isEmpty else { throw fail("keys must not be empty", reader.path(of: "keys")) }
        guard threshold <= keys.count else {
            throw fail("threshold \(threshold) can never be met by \(keys.count) key\(keys.count == 1 ? "" : "s")", reader.path(of: thresholdKey))
        }
        return (keys, threshold)
    }

    static func keyMapJSON(_ keys: [String: PublicKey]) -> JSONValue {
        var object = JSONObject()
        for (id, key) in keys.sorted(by: { $0.key < $1.key }) {
            // Keys in documents were read as key dicts, so they always have one.
            if let dict = try? KeyDict(key) { _ = object.updateValue(dict.json, forKey: id) }
        }
        return .object(object)
    }

    static func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
    static func int(_ v: Int) -> JSONValue { .number(JSONNumber(Int64(v))) }
}
