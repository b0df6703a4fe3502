import Foundation

/// A job's `schedule`: an ISO 8601 repeating interval `R[n]/<start>/<period>` as Chronos reads it
/// (mesos/chronos:src/main/scala/org/apache/mesos/chronos/scheduler/jobs/Iso8601Expressions.scala@2.5.1
/// `parse`: the regex `(R[0-9]*)/(.*)/(P.*)`; `R` alone repeats forever (-1), `Rn` n times; an empty
/// start means "now"; the start read by Joda's `DateTime.parse`, re-zoned with
/// `withZoneRetainFields` when `scheduleTimeZone` is given; the period by Joda's
/// `ISOPeriodFormat.standard`, `PnYnMnWnDTnHnMnS`). Occurrence k is `start + k * period`, each field
/// multiplied (Joda `Period.multipliedBy`), added in the schedule's zone.
public struct ChronosSchedule: Equatable, Sendable {
    public struct Period: Equatable, Sendable {
        public var years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0
        /// Seconds in milliseconds (Joda keeps a fraction of the seconds field as millis).
        public var millis: Int64 = 0
        public init() {}
        /// The period's length when it does not depend on the calendar (no years or months, and no
        /// days or weeks in a zone with daylight saving), in ms.
        public var standardMillis: Int64 {
            ((Int64(weeks) * 7 + Int64(days)) * 86_400 + Int64(hours) * 3600 + Int64(minutes) * 60) * 1000 + millis
        }
    }

    /// Repetitions; -1: forever.
    public var recurrences: Int64
    /// Unix ms of the first occurrence; nil: "now" (the time the job is registered).
    public var startMs: Int64?
    public var period: Period
    /// `scheduleTimeZone` (an IANA name Foundation knows), nil: UTC.
    public var timeZone: String?
    /// The start as written when it lies after `latestStartMs` (Joda reads any year, so Chronos
    /// takes it); `startMs` is then `latestStartMs`, a time no simulated run reaches.
    public var startBeyondRange: String? = nil

    public init(recurrences: Int64, startMs: Int64?, period: Period, timeZone: String? = nil) {
        self.recurrences = recurrences; self.startMs = startMs; self.period = period; self.timeZone = timeZone
    }

    /// The latest start represented, 2200-01-01T00:00:00Z in Unix ms: simulated time is Int64
    /// nanoseconds, and a run starts no earlier than 1970, so every time up to here fits.
    public static let latestStartMs: Int64 = 7_258_118_400_000

    /// Longest period accepted (100 years): beyond it no run would fall into a simulation.
    public static let maxPeriodMillis: Int64 = 100 * 366 * 86_400_000

    /// Parses `text`; the error says what is wrong. `timeZone` is the job's `scheduleTimeZone`
    /// (nil or ""), already checked by the caller.
    public static func parse(_ text: String, timeZone: String?) -> Result<ChronosSchedule, ScheduleError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].hasPrefix("R"), parts[2].hasPrefix("P") else {
            return .failure(ScheduleError("is not an ISO 8601 repeating interval R[n]/<start>/<period>, like \"R/2017-01-01T02:00:00Z/P1D\""))
        }
        let r = parts[0].dropFirst()
        var recurrences: Int64 = -1
        if !r.isEmpty {
            guard r.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(r), n <= 1_000_000_000 else {
                return .failure(ScheduleError("repetitions \(parts[0]) must be R (forever) or R followed by 0 to 1000000000", chronosRefuses: r.contains { !($0.isASCII && $0.isNumber) }))
            }
            recurrences = n
        }
        let zone = timeZone.flatMap { $0.isEmpty ? nil : $0 }
        var start: Int64? = nil
        if !parts[1].isEmpty {
            guard let s = parseStart(String(parts[1]), zone: zone) else {
                return .failure(ScheduleError("start \(parts[1]) is not an ISO 8601 date-time like 2017-01-01T02:00:00Z"))
            }
            // A start before 1970 (Joda reads any year from 0001) is a start in the past like any
            // other: Unix ms below zero; the scheduler skips forward from it as Chronos does
            // (JobUtils.skipForward / calculateSkips, ChronosScheduler.loadSchedules and skipForwardAtLaunch)
            start = s
        }
        // A start after 2200 (dennis84/blah's jobs start in 3000, to be run by hand only): Joda
        // reads it, so Chronos takes the job, whose first run is then later than any simulation.
        var beyond: String? = nil
        if let s = start, s > latestStartMs { start = latestStartMs; beyond = String(parts[1]) }
        guard let p = parsePeriod(String(parts[2])) else {
            return .failure(ScheduleError("period \(parts[2]) is not an ISO 8601 period PnYnMnWnDTnHnMnS like PT1H or P1D"))
        }
        let rough = Int64(p.years) * 366 * 86_400_000 + Int64(p.months) * 31 * 86_400_000 + p.standardMillis
        guard rough >= 1000, rough <= maxPeriodMillis else {
            return .failure(ScheduleError("period \(parts[2]) must be at least 1 second and at most 100 years (Chronos would accept it, but a zero period repeats at the same instant forever and a batch job more often than every second is not one the simulator models)", chronosRefuses: false))
        }
        var out = ChronosSchedule(recurrences: recurrences, startMs: start, period: p, timeZone: zone)
        out.startBeyondRange = beyond
        return .success(out)
    }

    public struct ScheduleError: Error, Equatable, Sendable {
        public var message: String
        /// Chronos itself refuses the schedule (Iso8601Expressions.canParse is false); else only the simulator does.
        public var chronosRefuses: Bool
        init(_ m: String, chronosRefuses: Bool = true) { message = m; self.chronosRefuses = chronosRefuses }
    }

    /// Whether occurrences are a fixed number of ms apart (no calendar arithmetic needed).
    var isFixed: Bool {
        period.years == 0 && period.months == 0 && (timeZone == nil || (period.weeks == 0 && period.days == 0) || Self.isUTC(timeZone!))
    }

    static func isUTC(_ z: String) -> Bool { ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "Zulu", "Universal"].contains(z) }

    /// Unix ms of occurrence `k` counted from `origin` (the start, or "now" for an empty start).
    public func occurrence(_ k: Int64, origin: Int64) -> Int64 {
        if isFixed { return origin &+ k &* period.standardMillis }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone.flatMap { TimeZone(identifier: $0) } ?? TimeZone(identifier: "UTC")!
        let kk = Int(k)
        var c = DateComponents()
        c.year = period.years * kk; c.month = period.months * kk; c.day = (period.weeks * 7 + period.days) * kk
        c.hour = period.hours * kk; c.minute = period.minutes * kk
        c.second = Int(period.millis / 1000) * kk
        c.nanosecond = Int(period.millis % 1000) * 1_000_000 * kk
        let d = cal.date(byAdding: c, to: Date(timeIntervalSince1970: Double(origin) / 1000)) ?? .distantFuture
        return Int64((d.timeIntervalSince1970 * 1000).rounded())
    }

    /// The first k > `after` whose occurrence is later than `ms` (JobUtils.skipForward /
    /// calculateSkips: the start moved to the first period boundary after now).
    public func firstIndex(after k: Int64, laterThan ms: Int64, origin: Int64) -> Int64 {
        if isFixed {
            let p = period.standardMillis
            let base = origin &+ (k + 1) &* p
            if base > ms { return k + 1 }
            return (ms - origin) / p + 1
        }
        // occurrences grow with k: gallop, then bisect (a start centuries back, a monthly period,
        // is a few dozen calendar steps, not one per period)
        var lo = k + 1
        if occurrence(lo, origin: origin) > ms { return lo }
        var step: Int64 = 1
        var hi = lo + step
        while occurrence(hi, origin: origin) <= ms { lo = hi; step = step &* 2; hi = lo &+ step }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if occurrence(mid, origin: origin) <= ms { lo = mid } else { hi = mid }
        }
        return hi
    }

    // MARK: parsing

    /// Joda `DateTime.parse` (ISODateTimeFormat.dateTimeParser): `yyyy-MM-dd`, optionally `THH`,
    /// `:mm`, `:ss`, `.SSS`, and a zone `Z` or `±HH:MM`; no zone: UTC (a server JVM's default zone).
    /// With `zone`, the fields are kept and read in that zone (`withZoneRetainFields`).
    static func parseStart(_ s: String, zone: String?) -> Int64? {
        let b = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for j in i..<(i + n) { guard b[j] >= 48 && b[j] <= 57 else { return nil }; v = v * 10 + Int(b[j] - 48) }
            i += n
            return v
        }
        func eat(_ c: UInt8) -> Bool { if i < b.count && b[i] == c { i += 1; return true }; return false }
        guard let y = digits(4), eat(45), let mo = digits(2), eat(45), let d = digits(2) else { return nil }
        var h = 0, mi = 0, sec = 0, ms = 0
        if eat(84) {
            guard let hh = digits(2) else { return nil }
            h = hh
            if eat(58) {
                guard let m2 = digits(2) else { return nil }
                mi = m2
                if eat(58) {
                    guard let s2 = digits(2) else { return nil }
                    sec = s2
                    if eat(46) {
                        var frac = 0, n = 0
                        while i < b.count, b[i] >= 48, b[i] <= 57 { if n < 3 { frac = frac * 10 + Int(b[i] - 48) }; n += 1; i += 1 }
                        guard n > 0 else { return nil }
                        if n < 3 { for _ in n..<3 { frac *= 10 } }
                        ms = frac
                    }
                }
            }
        }
        var offsetMinutes = 0
        if i < b.count {
            if eat(90) {
            } else if b[i] == 43 || b[i] == 45 {
                let sign = b[i] == 45 ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                var om = 0
                if eat(58) { guard let x = digits(2) else { return nil }; om = x } else if i < b.count { guard let x = digits(2) else { return nil }; om = x }
                guard oh <= 23, om <= 59 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            } else { return nil }
        }
        // Joda's year field takes 4 digits here (ISODateTimeFormat.dateTimeParser reads up to 9 and a sign)
        guard i == b.count, (1...9999).contains(y), (1...12).contains(mo), (1...31).contains(d), h <= 23, mi <= 59, sec <= 59 else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone.flatMap { TimeZone(identifier: $0) } ?? TimeZone(secondsFromGMT: offsetMinutes * 60)!
        let comps = DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
        guard let date = cal.date(from: comps), cal.component(.day, from: date) == d else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded()) + Int64(ms)
    }

    /// Joda `ISOPeriodFormat.standard`: `P[nY][nM][nW][nD][T[nH][nM][n[.fff]S]]`, at least one field.
    public static func parsePeriod(_ s: String) -> Period? {
        var p = Period()
        let b = Array(s.utf8)
        guard b.first == 80 else { return nil }   // P
        var i = 1, inTime = false, any = false
        var order = 0   // fields must come in order
        while i < b.count {
            if b[i] == 84 { guard !inTime else { return nil }; inTime = true; i += 1; order = 10; continue }   // T
            var n = 0, digitsSeen = 0, frac = 0, fracDigits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                n = n * 10 + Int(b[i] - 48); digitsSeen += 1; i += 1
                if digitsSeen > 9 { return nil }
            }
            if i < b.count, b[i] == 46 || b[i] == 44 {   // fraction: seconds only
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { if fracDigits < 3 { frac = frac * 10 + Int(b[i] - 48) }; fracDigits += 1; i += 1 }
                guard fracDigits > 0 else { return nil }
                if fracDigits < 3 { for _ in fracDigits..<3 { frac *= 10 } }
            }
            guard digitsSeen > 0, i < b.count else { return nil }
            let unit = b[i]
            i += 1
            let rank: Int
            switch (inTime, unit) {
            case (false, 89): rank = 1; p.years = n            // Y
            case (false, 77): rank = 2; p.months = n           // M
            case (false, 87): rank = 3; p.weeks = n            // W
            case (false, 68): rank = 4; p.days = n             // D
            case (true, 72): rank = 11; p.hours = n            // H
            case (true, 77): rank = 12; p.minutes = n          // M
            case (true, 83): rank = 13; p.millis = Int64(n) * 1000 + Int64(frac)   // S
            default: return nil
            }
            if fracDigits > 0 && rank != 13 { return nil }
            guard rank > order else { return nil }
            order = rank
            any = true
        }
        return any ? p : nil
    }
}
