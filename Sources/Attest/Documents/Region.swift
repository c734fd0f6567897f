/// ISO 3166 region codes: countries (`MX`) and their subdivisions (`MX-NLE`), from Debian's iso-codes.
///
/// Lookups binary-search the sorted code lists in place: building a 5,000-entry set of strings would cost
/// more than a whole `attest verify` of one manifest.
public enum Region {
    private static let countryIndex = CodeIndex(RegionData.countries)
    private static let subdivisionIndex = CodeIndex(RegionData.subdivisions)

    public static var countries: [String] { countryIndex.all }
    public static var subdivisions: [String] { subdivisionIndex.all }

    public static func isCountry(_ code: String) -> Bool { countryIndex.contains(code) }

    /// A country code or a subdivision code.
    public static func isValid(_ code: String) -> Bool {
        countryIndex.contains(code) || subdivisionIndex.contains(code)
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
}

/// Offsets of the whitespace-separated codes in a sorted list, searched by byte comparison.
private struct CodeIndex: Sendable {
    let bytes: [UInt8]
    let spans: [(start: Int32, count: Int32)]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var spans: [(Int32, Int32)] = []
        spans.reserveCapacity(bytes.count / 4)
        var start = -1
        for (i, b) in bytes.enumerated() {
            let separator = b == 0x20 || b == 0x0a
            if separator {
                if start >= 0 { spans.append((Int32(start), Int32(i - start))) }
                start = -1
            } else if start < 0 {
                start = i
            }
        }
        if start >= 0 { spans.append((Int32(start), Int32(bytes.count - start))) }
        self.spans = spans
    }

    var all: [String] {
        spans.map { String(decoding: bytes[Int($0.start)..<Int($0.start + $0.count)], as: UTF8.self) }
    }

    func contains(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { key in
            bytes.withUnsafeBufferPointer { data in
                var low = 0, high = spans.count - 1
                while low <= high {
                    let mid = (low + high) / 2
                    let span = spans[mid]
                    let order = compare(UnsafeBufferPointer(rebasing: data[Int(span.start)..<Int(span.start + span.count)]), key)
                    if order == 0 { return true }
                    if order < 0 { low = mid + 1 } else { high = mid - 1 }
                }
                return false
            }
        }
    }

    private func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count - b.count
    }
}
