import ClusterModel
import Foundation
import SimKernel

// `time_intervals[]` / `mute_time_intervals[]` of an alertmanager.yml, read as Alertmanager v0.25
// reads them (timeinterval/timeinterval.go UnmarshalYAML of each range type, parseTime,
// stringableRangeFromString; time.LoadLocation for `location`).

enum AlertmanagerTimeIntervalsFile {
    typealias F = AlertmanagerConfigFile
    typealias Range = AlertmanagerTimeInterval.Range

    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]

    /// One named entry: `{"name": ..., "time_intervals": [...]}`.
    static func named(_ v: JSONValue, _ path: String, kind: String, _ d: Diagnostics) -> AlertmanagerNamedTimeInterval? {
        guard let f = F.fields(v, path, known: ["name", "time_intervals"], d) else { return nil }
        let name = f["name"].flatMap { F.string($0, f.path("name"), d) } ?? ""
        if name.isEmpty { d.error(path, at: v, "missing name in \(kind)"); return nil }
        var out: [AlertmanagerTimeInterval] = []
        if let lv = f["time_intervals"] {
            for (i, e) in F.list(lv, f.path("time_intervals"), d).enumerated() {
                if let t = interval(e, JSONPath.index(f.path("time_intervals"), i), d) { out.append(t) }
            }
        }
        return AlertmanagerNamedTimeInterval(name: name, intervals: out)
    }

    static func interval(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> AlertmanagerTimeInterval? {
        guard let f = F.fields(v, path, known: ["times", "weekdays", "days_of_month", "months", "years", "location"], d) else { return nil }
        let before = d.errorCount
        var t = AlertmanagerTimeInterval()
        if let tv = f["times"] {
            t.times = F.list(tv, f.path("times"), d).enumerated().compactMap { i, e in timeRange(e, JSONPath.index(f.path("times"), i), d) }
        }
        t.weekdays = ranges(f, "weekdays", d) { s in
            let r = parseRange(s, member: { weekdays.firstIndex(of: $0) }, invalid: { "\($0) is not a valid weekday" })
            guard let x = try? r?.get() else { return r }
            if x.begin > x.end { return .failure(ScenarioTextError("start day cannot be before end day")) }
            return r
        }
        t.daysOfMonth = ranges(f, "days_of_month", d) { s in
            let r = parseRange(s, member: { Int($0) }, invalid: { "strconv.Atoi: parsing \(JSONValue.quote($0)): invalid syntax" })
            guard let x = try? r?.get() else { return r }
            for n in [x.begin, x.end] where n == 0 || n < -31 || n > 31 { return .failure(ScenarioTextError("\(n) is not a valid day of the month: out of range")) }
            if x.begin < 0 && x.end > 0 { return .failure(ScenarioTextError("end day must be negative if start day is negative")) }
            if (x.begin < 0 ? 28 + x.begin : x.begin) > (x.end < 0 ? 28 + x.end : x.end) {
                return .failure(ScenarioTextError("end day \(x.end) is always before start day \(x.begin)"))
            }
            return r
        }
        t.months = ranges(f, "months", d) { s in
            let r = parseRange(s, member: { months.firstIndex(of: $0).map { $0 + 1 } ?? Int($0) }, invalid: { "\($0) is not a valid month" })
            guard let x = try? r?.get() else { return r }
            func name(_ m: Int) -> String { (1...12).contains(m) ? months[m - 1] : "" }
            if x.begin > x.end { return .failure(ScenarioTextError("end month \(name(x.end)) is before start month \(name(x.begin))")) }
            return r
        }
        t.years = ranges(f, "years", d) { s in
            let r = parseRange(s, member: { Int($0) }, invalid: { "strconv.Atoi: parsing \(JSONValue.quote($0)): invalid syntax" })
            guard let x = try? r?.get() else { return r }
            if x.begin > x.end { return .failure(ScenarioTextError("end year \(x.end) is before start year \(x.begin)")) }
            return r
        }
        if let lv = f["location"], let name = F.string(lv, f.path("location"), d) {
            if name == "" || name == "UTC" || name == "Local" { t.location = "UTC" }
            else if TimeZone(identifier: name) != nil { t.location = name }
            else { d.error(f.path("location"), at: lv, "unknown time zone \(name)") }
        }
        return d.errorCount == before ? t : nil
    }

    struct ScenarioTextError: Error { var message: String; init(_ m: String) { message = m } }

    /// A list of range strings, each checked by `parse` (nil: absent).
    static func ranges(_ f: F.Fields, _ key: String, _ d: Diagnostics, _ parse: (String) -> Result<Range, ScenarioTextError>?) -> [Range]? {
        guard let lv = f[key] else { return nil }
        var out: [Range] = []
        for (i, e) in F.list(lv, f.path(key), d).enumerated() {
            let p = JSONPath.index(f.path(key), i)
            guard let s = F.string(e, p, d) else { continue }
            switch parse(s) {
            case .success(let r): out.append(r)
            case .failure(let e): d.error(p, at: e0(lv, i), e.message)
            case nil: d.error(p, at: e0(lv, i), "couldn't parse range \(s), invalid format")
            }
        }
        return out
    }

    static func e0(_ list: JSONValue, _ i: Int) -> JSONValue? { list.arrayValue?[i] }

    /// stringableRangeFromString: lower-cased, `a:b` or a single member.
    static func parseRange(_ s: String, member: (String) -> Int?, invalid: (String) -> String) -> Result<Range, ScenarioTextError>? {
        let parts = s.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { return nil }
        var values: [Int] = []
        for p in parts {
            guard let n = member(p) else { return .failure(ScenarioTextError(invalid(p))) }
            values.append(n)
        }
        return .success(Range(values[0], values[values.count - 1]))
    }

    /// TimeRange: `start_time` and `end_time` as HH:MM (24:00 allowed as an end), start < end.
    static func timeRange(_ v: JSONValue, _ path: String, _ d: Diagnostics) -> Range? {
        guard let f = F.fields(v, path, known: ["start_time", "end_time"], d) else { return nil }
        guard let sv = f["start_time"], let ev = f["end_time"], let s = F.string(sv, f.path("start_time"), d), let e = F.string(ev, f.path("end_time"), d),
              !s.isEmpty, !e.isEmpty else {
            d.error(path, at: v, "both start and end times must be provided"); return nil
        }
        guard let a = minutes(s) else { d.error(f.path("start_time"), at: sv, "couldn't parse timestamp \(s), invalid format"); return nil }
        guard let b = minutes(e) else { d.error(f.path("end_time"), at: ev, "couldn't parse timestamp \(e), invalid format"); return nil }
        guard a < b else { d.error(path, at: v, "start time cannot be equal or greater than end time"); return nil }
        return Range(a, b)
    }

    /// `^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)` → minutes.
    static func minutes(_ s: String) -> Int? {
        if s == "24:00" { return 1440 }
        let b = Array(s.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), b.enumerated().allSatisfy({ $0.offset == 2 || ($0.element >= 48 && $0.element <= 57) }) else { return nil }
        let h = Int(b[0] - 48) * 10 + Int(b[1] - 48), m = Int(b[3] - 48) * 10 + Int(b[4] - 48)
        return h <= 23 && m <= 59 ? h * 60 + m : nil
    }
}
