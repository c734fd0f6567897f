/// ISO 3166 region codes: countries (`MX`) and their subdivisions (`MX-NLE`), from Debian's iso-codes.
public enum Region {
    public static let countries: Set<String> = Set(RegionData.countries.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
    public static let subdivisions: Set<String> = Set(RegionData.subdivisions.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    public static func isCountry(_ code: String) -> Bool { countries.contains(code) }

    /// A country code or a subdivision code.
    public static func isValid(_ code: String) -> Bool {
        countries.contains(code) || subdivisions.contains(code)
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
