#if canImport(Glibc)
import Glibc
#endif

/// A point in time as documents write it: RFC 3339 UTC with a `Z` and whole seconds,
/// `2027-11-29T00:00:00Z`. Nothing else is accepted (no offsets, no fractions, no lowercase).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    public func adding(seconds delta: Int64) -> Timestamp { Timestamp(seconds: seconds + delta) }
    public func adding(days: Int64) -> Timestamp { adding(seconds: days * 86_400) }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ`; nil for anything else, including impossible dates.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == 0x2d, b[7] == 0x2d, b[10] == 0x54, b[13] == 0x3a, b[16] == 0x3a, b[19] == 0x5a else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        seconds = Timestamp.daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = Timestamp.civilFromDays(days)
        if (0...9999).contains(y) {
            // Every check detail and receipt formats times: twenty bytes written in place.
            return String(unsafeUninitializedCapacity: 20) { out in
                func put(_ value: Int64, _ width: Int, at offset: Int) {
                    var v = value
                    for i in stride(from: offset + width - 1, through: offset, by: -1) {
                        out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                        v /= 10
                    }
                }
                put(y, 4, at: 0)
                put(m, 2, at: 5)
                put(d, 2, at: 8)
                put(rest / 3600, 2, at: 11)
                put(rest / 60 % 60, 2, at: 14)
                put(rest % 60, 2, at: 17)
                out[4] = UInt8(ascii: "-")
                out[7] = UInt8(ascii: "-")
                out[10] = UInt8(ascii: "T")
                out[13] = UInt8(ascii: ":")
                out[16] = UInt8(ascii: ":")
                out[19] = UInt8(ascii: "Z")
                return 20
            }
        }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(paddedYear)-\(two(m))-\(two(d))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
