import Foundation
import SimKernel

/// One entry of a `time_intervals[].time_intervals` list (timeinterval/timeinterval.go, v0.25):
/// each field present must contain the instant (times of day, weekdays, days of the month with
/// negative days counted from the month's end, months, years), in `location` (UTC when absent:
/// Alertmanager uses the server's local zone, taken as UTC here).
public struct AlertmanagerTimeInterval: Equatable, Sendable {
    public struct Range: Equatable, Sendable {
        public var begin: Int
        public var end: Int
        public init(_ begin: Int, _ end: Int) { self.begin = begin; self.end = end }
    }
    /// Minutes of the day, [start, end).
    public var times: [Range]?
    /// Sunday = 0.
    public var weekdays: [Range]?
    public var daysOfMonth: [Range]?
    public var months: [Range]?
    public var years: [Range]?
    /// An IANA time zone name.
    public var location: String?

    public init(times: [Range]? = nil, weekdays: [Range]? = nil, daysOfMonth: [Range]? = nil, months: [Range]? = nil,
                years: [Range]? = nil, location: String? = nil) {
        self.times = times; self.weekdays = weekdays; self.daysOfMonth = daysOfMonth; self.months = months
        self.years = years; self.location = location
    }

    /// TimeInterval.ContainsTime at Unix milliseconds `ms`.
    public func contains(unixMs ms: Int64) -> Bool {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = location.flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        guard let year = c.year, let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let weekday = c.weekday else { return false }
        if let times, !times.contains(where: { hour * 60 + minute >= $0.begin && hour * 60 + minute < $0.end }) { return false }
        if let daysOfMonth {
            let n = cal.range(of: .day, in: .month, for: date)?.count ?? 31
            let hit = daysOfMonth.contains { r in
                let b = r.begin < 0 ? n + r.begin + 1 : r.begin, e = r.end < 0 ? n + r.end + 1 : r.end
                if b > n { return false }
                return day >= min(max(b, 1), n) && day <= min(max(e, 1), n)
            }
            if !hit { return false }
        }
        if let months, !months.contains(where: { month >= $0.begin && month <= $0.end }) { return false }
        if let weekdays, !weekdays.contains(where: { weekday - 1 >= $0.begin && weekday - 1 <= $0.end }) { return false }
        if let years, !years.contains(where: { year >= $0.begin && year <= $0.end }) { return false }
        return true
    }
}

/// `time_intervals[]` (and the deprecated `mute_time_intervals[]`): a name and its intervals; the
/// instant is in the named interval when any of them contains it.
public struct AlertmanagerNamedTimeInterval: Equatable, Sendable {
    public var name: String
    public var intervals: [AlertmanagerTimeInterval]
    public init(name: String, intervals: [AlertmanagerTimeInterval]) { self.name = name; self.intervals = intervals }
    public func contains(unixMs: Int64) -> Bool { intervals.contains { $0.contains(unixMs: unixMs) } }
}
