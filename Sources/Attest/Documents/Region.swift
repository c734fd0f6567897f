/// ISO 3166 region codes: countries (`MX`) and their subdivisions (`MX-NLE`), from Debian's iso-codes.
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

    /// Whether `inner` is `outer` or a subdivision inside it (`MX-NLE` is inside `MX`; `MX` is not inside `MX-NLE`).
    public static func contains(_ outer: String, _ inner: String) -> Bool {
        if outer == inner { return true }
        return !outer.contains("-") && country(of: inner) == outer
    }

    private static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a }

    private static func codes(_ list: String) -> [String] {
        list.utf8.split(whereSeparator: isSeparator).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Binary search of a sorted list of codes separated by spaces and newlines, in the list's own bytes: no
    /// index is built, so a process that checks one code pays for about a dozen comparisons. Each probe
    /// lands on a byte and widens to the code around it.
    private static func search(_ list: String, for code: String) -> Bool {
        var list = list, code = code
        return list.withUTF8 { text in
            code.withUTF8 { key in
                guard !key.isEmpty, !key.contains(where: isSeparator) else { return false }
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
                    let order = compare(UnsafeBufferPointer(rebasing: text[start..<end]), key)
                    if order == 0 { return true }
                    if order < 0 { low = end } else { high = start }
                }
                return false
            }
        }
    }

    private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }
}
