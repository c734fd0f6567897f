/// How long a document stays valid, as a draft command is told: a number of days, or an end time.
public enum Lifetime: Sendable, Equatable {
    case days(Int)
    case until(Timestamp)

    /// A century: long enough for any root, short enough that the end is always a four-digit year.
    public static let maxDays = 36_500

    /// The end of a lifetime that starts at `start`; `what` names the field in messages (`expires`, `notAfter`).
    public func end(from start: Timestamp, what: String, maxDays: Int = Lifetime.maxDays) throws(AttestError) -> Timestamp {
        switch self {
        case .days(let days):
            guard days >= 1, days <= maxDays else {
                throw AttestError(.usage, "\(what): days must be between 1 and \(maxDays), found \(days)")
            }
            return start.adding(days: Int64(days))
        case .until(let end):
            guard start < end else { throw AttestError(.usage, "\(what) \(end) is not after \(start)") }
            return end
        }
    }
}
