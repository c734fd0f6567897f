/// ISO 3166 region codes: countries (`MX`) and their subdivisions (`MX-NLE`), from Debian's iso-codes.
/// Every comparison of regions (denied regions, delegation scope, device against manifest) goes through
/// `contains`, which treats the two codes of one place (`HK`, `CN-HK`) as one.
///
/// Lookups binary-search the sorted code lists in place: building a 5,000-entry set of strings would cost
/// more than a whole `attest verify` of one manifest.
public enum Region {
    public static var countries: [String] { codes(RegionData.countries) }
    public static var subdivisions: [String] { codes(RegionData.subdivisions) }

    public static func isCountry(_ code: String) -> Bool { search(RegionData.countries, for: code) }

    /// A country code or a subdivision code.
    public static func isValid(_ code: String) -> Bool {
        search(RegionData.countries, for: code) || search(RegionData.subdivisions, for: code)
    }

    /// The country a code belongs to: `MX` for both `MX` and `MX-NLE`.
    public static func country(of code: String) -> String {
        guard let dash = code.firstIndex(of: "-") else { return code }
        return String(code[..<dash])
    }

    /// Countries that ISO 3166 also codes as another country's subdivision, country → subdivision
    /// (`HK` → `CN-HK`, `PR` → `US-PR`), generated from iso-codes with the other lists.
    public static let aliases: [String: String] = Dictionary(
        uniqueKeysWithValues: codes(RegionData.aliases).map { (String($0.split(separator: "-")[1]), $0) })

    /// The other code of a place coded twice: `CN-HK` for `HK` and `HK` for `CN-HK`; nil for the rest.
    public static func twin(of code: String) -> String? {
        if let dash = code.firstIndex(of: "-") {
            let suffix = String(code[code.index(after: dash)...])
            return aliases[suffix] == code ? suffix : nil
        }
        return aliases[code]
    }

    /// The subdivision a subdivision lies in (`FR-GP` for `FR-971`), if iso-codes names one.
    public static func parent(of code: String) -> String? {
        lookup(RegionData.parents, key: code)
    }

    /// Every code whose region holds `code`'s, `code` first: itself, its twin, the subdivisions it lies in and
    /// its country, each with their twins (`HK` → `HK`, `CN-HK`, `CN`; `FR-971` → … `FR-GP`, `GP`, `FR`).
    public static func enclosing(_ code: String) -> [String] {
        var found: [String] = []
        var pending = [code]
        while let next = pending.popLast() {
            guard !found.contains(next) else { continue }
            found.append(next)
            if let twin = twin(of: next) { pending.append(twin) }
            if next.contains("-") {
                if let parent = parent(of: next) { pending.append(parent) }
                pending.append(country(of: next))
            }
        }
        return found
    }

    /// Whether `inner` is `outer` or lies inside it, across both codes of a place (`MX-NLE` is inside `MX`;
    /// `PR`, `US-PR` and `US-PR`'s subdivisions are inside `US`; `PR` and `US-PR` are inside each other;
    /// `MX` is not inside `MX-NLE`, nor `CN` inside `HK`).
    public static func contains(_ outer: String, _ inner: String) -> Bool {
        if outer == inner { return true }
        return enclosing(inner).contains(outer)
    }

    /// The first of `denied` that holds `code`, if any.
    public static func deniedBy(_ denied: [String], _ code: String) -> String? {
        guard !denied.isEmpty else { return nil }
        let around = enclosing(code)
        return denied.first { around.contains($0) }
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a }

    private static func codes(_ list: String) -> [String] {
        list.utf8.split(whereSeparator: isSeparator).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of `KEY>VALUE` in a sorted list of such tokens.
    private static func lookup(_ list: String, key: String) -> String? {
        var list = list, code = key
        return list.withUTF8 { text in
            code.withUTF8 { key -> String? in
                guard let range = find(text, key, keyEnd: { $0 == UInt8(ascii: ">") }) else { return nil }
                let token = text[range]
                guard let arrow = token.firstIndex(of: UInt8(ascii: ">")) else { return nil }
                return String(decoding: text[(arrow + 1)..<range.upperBound], as: UTF8.self)
            }
        }
    }

    /// Binary search of a sorted list of codes separated by spaces and newlines, in the list's own bytes: no
    /// index is built, so a process that checks one code pays for about a dozen comparisons. Each probe
    /// lands on a byte and widens to the code around it.
    private static func search(_ list: String, for code: String) -> Bool {
        var list = list, code = code
        return list.withUTF8 { text in
            code.withUTF8 { key in find(text, key, keyEnd: { _ in false }) != nil }
        }
    }

    /// The range of the token whose key (up to the first byte `keyEnd` accepts, or the whole token) is `key`.
    private static func find(_ text: UnsafeBufferPointer<UInt8>, _ key: UnsafeBufferPointer<UInt8>,
                             keyEnd: (UInt8) -> Bool) -> Range<Int>? {
        guard !key.isEmpty, !key.contains(where: isSeparator), !key.contains(where: keyEnd) else { return nil }
        var low = 0, high = text.count  // the answer lies in codes that start in low..<high
        while low < high {
            var start = (low + high) / 2
            while start > low, !isSeparator(text[start - 1]) { start -= 1 }
            while start < high, isSeparator(text[start]) { start += 1 }
            if start == high {
                // Only separators from the middle on: look left of the middle.
                high = (low + high) / 2
                continue
            }
            var end = start
            while end < text.count, !isSeparator(text[end]) { end += 1 }
            var keyStop = start
            while keyStop < end, !keyEnd(text[keyStop]) { keyStop += 1 }
            let order = compare(UnsafeBufferPointer(rebasing: text[start..<keyStop]), key)
            if order == 0 { return start..<end }
            if order < 0 { low = end } else { high = start }
        }
        return nil
    }

    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }
}
