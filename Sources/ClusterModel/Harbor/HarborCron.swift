// Harbor's cron for scheduled replication (`trigger.trigger_settings.cron`): six fields with
// seconds first, as Harbor's CronParser builds robfig/cron v3's parser (Second | Minute | Hour |
// Dom | Month | Dow; no descriptors such as @daily; goharbor/harbor v2.9.0 src/common/utils/utils.go),
// and the replication policy's rules after it (`replicationPolicyCron`). The field grammar and the firing rule
// are robfig/cron v3's (parser.go getField/getRange, spec.go Next/dayMatches):
// - a field is a comma list of ranges: `*` or `?`, `N`, `N-M`, each with an optional `/step`
//   (`N/step` runs to the field's maximum); months accept JAN..DEC, days of week SUN..SAT
//   (case-insensitive); days of week are 0 (Sunday) to 6;
// - the day matches when both day-of-month and day-of-week match if either is `*`/`?` (or
//   `*/1`), else when either matches (cron's OR rule);
// - the next firing is the first second strictly after the current one that matches every field,
//   searched up to five years ahead (robfig gives up there: such a schedule never fires).
// Times are evaluated in UTC (the core container's zone in Harbor's docker-compose install).

/// A parsed Harbor cron expression.
public struct HarborCron: Equatable, Sendable {
    public let text: String
    /// What is wrong with an expression, and what is allowed.
    public struct ParseError: Error, Equatable, Sendable {
        public let message: String
        init(_ m: String) { message = m }
    }
    // bit i set: value i matches
    let second: UInt64, minute: UInt64, hour: UInt64, dom: UInt64, month: UInt64, dow: UInt64
    /// Day of month or day of week written as `*`/`?` (robfig's starBit): both must match then.
    let domStar: Bool, dowStar: Bool

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses an expression; the error says what is wrong and what is allowed.
    public static func parse(_ text: String) -> Result<HarborCron, HarborCron.ParseError> {
        guard text.utf8.count <= 1024 else { return .failure(ParseError("a cron expression of at most 1024 characters here")) }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        if let f = fields.first, f.hasPrefix("TZ=") || f.hasPrefix("CRON_TZ=") {
            return .failure(ParseError("a time zone prefix (\(f)) is not supported here: the schedule is evaluated in UTC"))
        }
        if let f = fields.first, f.hasPrefix("@") {
            return .failure(ParseError("descriptors like \(f) are not accepted by Harbor's cron parser (robfig/cron v3 without Descriptor); write six fields, like \"0 0 2 * * *\""))
        }
        guard fields.count == 6 else {
            return .failure(ParseError("expected exactly 6 fields (second minute hour day-of-month month day-of-week, like \"0 0 2 * * *\"), found \(fields.count)"))
        }
        let specs: [(String, Int, Int, [String])] = [("second", 0, 59, []), ("minute", 0, 59, []), ("hour", 0, 23, []),
                                                    ("day of month", 1, 31, []), ("month", 1, 12, monthNames), ("day of week", 0, 6, dayNames)]
        var bits: [UInt64] = [], stars: [Bool] = []
        for (k, (what, lo, hi, names)) in specs.enumerated() {
            switch field(fields[k], lo: lo, hi: hi, names: names, nameBase: what == "month" ? 1 : 0) {
            case .success(let (b, star)): bits.append(b); stars.append(star)
            case .failure(let e): return .failure(ParseError("\(what) field \"\(fields[k])\": \(e.message)"))
            }
        }
        return .success(HarborCron(text: text, second: bits[0], minute: bits[1], hour: bits[2], dom: bits[3], month: bits[4], dow: bits[5],
                                   domStar: stars[3], dowStar: stars[5]))
    }

    /// A replication policy's cron as Harbor's `Policy.Validate` checks it (goharbor/harbor v2.9.0
    /// src/controller/replication/model/model.go), in its order: robfig's parse (`invalid cron string
    /// for scheduled trigger: ...`, here with what is wrong), then `strings.Split(cron, " ")[0]`
    /// must be "0" (so a leading space or a tab between the fields is refused though robfig reads
    /// them), then, with `starMinutes` refused (v2.9.0 on), `strings.Split(cron, " ")[1]` must not be `*`.
    /// The error is Harbor's message.
    public static func replicationPolicyCron(_ text: String, refuseStarMinutes: Bool) -> Result<HarborCron, HarborCron.ParseError> {
        let cron: HarborCron
        switch parse(text) {
        case .success(let c): cron = c
        case .failure(let e): return .failure(ParseError("invalid cron string for scheduled trigger: \(text) (\(e.message))"))
        }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.first == "0" else {
            return .failure(ParseError("the 1st field (indicating Seconds of time) of the cron setting must be 0"
                                       + " (Harbor splits the expression at single spaces: its first piece is \"\(parts.first ?? "")\")"))
        }
        if refuseStarMinutes && parts.count > 1 && parts[1] == "*" {
            return .failure(ParseError("* is not allowed for the Minutes field of the cron setting of replication policy"))
        }
        return .success(cron)
    }

    static func field(_ s: String, lo: Int, hi: Int, names: [String], nameBase: Int) -> Result<(UInt64, Bool), HarborCron.ParseError> {
        var bits: UInt64 = 0, star = false
        let allowed = "allowed: *, ?, numbers \(lo)-\(hi)\(names.isEmpty ? "" : " or names \(names.first!.uppercased())-\(names.last!.uppercased())"), ranges N-M, steps /S, lists with commas"
        for part in s.split(separator: ",", omittingEmptySubsequences: false) {
            let rangeAndStep = part.split(separator: "/", omittingEmptySubsequences: false)
            guard rangeAndStep.count <= 2 else { return .failure(ParseError("too many slashes in \(part) (\(allowed))")) }
            let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false)
            guard lowAndHigh.count <= 2 else { return .failure(ParseError("too many hyphens in \(part) (\(allowed))")) }
            var start: Int, end: Int, isStar = false
            if rangeAndStep[0] == "*" || rangeAndStep[0] == "?" {
                start = lo; end = hi; isStar = true
            } else {
                guard let a = value(String(lowAndHigh[0]), names: names, nameBase: nameBase) else {
                    return .failure(ParseError("\"\(lowAndHigh[0])\" is not a value (\(allowed))"))
                }
                start = a; end = a
                if lowAndHigh.count == 2 {
                    guard let b = value(String(lowAndHigh[1]), names: names, nameBase: nameBase) else {
                        return .failure(ParseError("\"\(lowAndHigh[1])\" is not a value (\(allowed))"))
                    }
                    end = b
                }
            }
            var step = 1
            if rangeAndStep.count == 2 {
                guard let st = Int(rangeAndStep[1]), st >= 0, rangeAndStep[1].utf8.count <= 9 else {
                    return .failure(ParseError("step \"\(rangeAndStep[1])\" is not a number (\(allowed))"))
                }
                step = st
                // "N/step" runs from N to the field's maximum
                if !isStar && lowAndHigh.count == 1 { end = hi }
                if step > 1 { isStar = false }
            }
            if start < lo { return .failure(ParseError("beginning of range (\(start)) below minimum (\(lo))")) }
            if end > hi { return .failure(ParseError("end of range (\(end)) above maximum (\(hi))")) }
            if start > end { return .failure(ParseError("beginning of range (\(start)) beyond end of range (\(end))")) }
            if step == 0 { return .failure(ParseError("step of range should be a positive number")) }
            var v = start
            while v <= end { bits |= 1 << UInt64(v); v += step }
            if isStar { star = true }
        }
        return .success((bits, star))
    }

    static func value(_ s: String, names: [String], nameBase: Int) -> Int? {
        if let i = names.firstIndex(of: s.lowercased()) { return i + nameBase }
        // strconv.Atoi: an optional "+", then digits (a "-" would make it negative, which robfig refuses)
        let digits = s.hasPrefix("+") ? s.dropFirst() : Substring(s)
        guard !digits.isEmpty, digits.utf8.count <= 9, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(digits)
    }

    /// The first firing strictly after Unix second `t` (nil: none within five years, as robfig).
    public func next(after t: Int64) -> Int64? {
        let start = t + 1
        var day = floorDiv(start, 86_400)
        var secondOfDay = start - day * 86_400
        let lastDay = day + 5 * 366
        while day <= lastDay {
            let (_, m, d) = Humanize.civil(day)
            let weekday = Int((day % 7 + 7 + 4) % 7)   // 1970-01-01 was a Thursday
            if month & (1 << UInt64(m)) != 0 && dayMatches(dom: Int(d), weekday: weekday),
               let s = firstTime(onOrAfter: secondOfDay) {
                return day * 86_400 + s
            }
            day += 1; secondOfDay = 0
        }
        return nil
    }

    func dayMatches(dom d: Int, weekday: Int) -> Bool {
        let domMatch = dom & (1 << UInt64(d)) != 0, dowMatch = dow & (1 << UInt64(weekday)) != 0
        return domStar || dowStar ? domMatch && dowMatch : domMatch || dowMatch
    }

    /// The first matching second of a day at or after `s` seconds into it.
    func firstTime(onOrAfter s: Int64) -> Int64? {
        var h = Int(s / 3600), mi = Int(s / 60 % 60), se = Int(s % 60)
        while h < 24 {
            if hour & (1 << UInt64(h)) != 0 {
                while mi < 60 {
                    if minute & (1 << UInt64(mi)) != 0 {
                        while se < 60 {
                            if second & (1 << UInt64(se)) != 0 { return Int64(h * 3600 + mi * 60 + se) }
                            se += 1
                        }
                    }
                    mi += 1; se = 0
                }
            }
            h += 1; mi = 0; se = 0
        }
        return nil
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
