import Foundation

// Prometheus' humanize* template functions (template/template.go, 2.42) and Go's strings.Title
// and strconv.ParseFloat as those functions use them.

enum Humanize {
    static func g4(_ x: Double, _ suffix: String = "") -> String {
        (GoFormat.special(x) ?? String(format: "%.4g", x)) + suffix
    }

    /// The function's text, or nil when humanizeTimestamp's value overflows int64 nanoseconds (an
    /// execution error in Prometheus).
    static func apply(_ f: String, _ v: Double) -> String? {
        switch f {
        case "humanize": return humanize(v)
        case "humanize1024": return humanize1024(v)
        case "humanizeDuration": return duration(v)
        case "humanizePercentage": return g4(v * 100, "%")
        default: return timestamp(v)
        }
    }

    static func humanize(_ v: Double) -> String {
        if v == 0 || !v.isFinite { return g4(v) }
        var v = v, prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] where abs(v) >= 1000 { prefix = p; v /= 1000 }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 { prefix = p; v *= 1000 }
        }
        return g4(v, prefix)
    }

    static func humanize1024(_ v: Double) -> String {
        if abs(v) <= 1 || !v.isFinite { return g4(v) }
        var v = v, prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] where abs(v) >= 1024 { prefix = p; v /= 1024 }
        return g4(v, prefix)
    }

    static func duration(_ v: Double) -> String {
        if !v.isFinite { return g4(v) }
        if v == 0 { return g4(v, "s") }
        if abs(v) >= 1 {
            let sign = v < 0 ? "-" : ""
            let a = abs(v)
            let d = a < 9.2e18 ? Int64(a) : Int64.max
            let (s, m, h, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86400)
            if days != 0 { return "\(sign)\(days)d \(h)h \(m)m \(s)s" }
            if h != 0 { return "\(sign)\(h)h \(m)m \(s)s" }
            if m != 0 { return "\(sign)\(m)m \(s)s" }
            return sign + g4(a, "s")
        }
        var v = v, prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 { prefix = p; v *= 1000 }
        return g4(v, prefix + "s")
    }

    /// fmt.Sprint(time.Time) of the Unix time `v` seconds, truncated to the millisecond, in UTC:
    /// `2017-06-01 00:00:00.5 +0000 UTC`.
    static func timestamp(_ v: Double) -> String? {
        if !v.isFinite { return g4(v) }
        let ns = v * 1e9
        guard ns < 9.2e18, ns > -9.2e18 else { return nil }
        let ms = Int64(ns) / 1_000_000 - (Int64(ns) % 1_000_000 < 0 ? 1 : 0)
        var secs = ms / 1000, frac = ms % 1000
        if frac < 0 { frac += 1000; secs -= 1 }
        var days = secs / 86400, rem = secs % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, mo, d) = civil(days)
        var s = String(format: "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", y, mo, d, rem / 3600, (rem / 60) % 60, rem % 60)
        if frac != 0 {
            var f = String(format: "%03lld", frac)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s + " +0000 UTC"
    }

    /// Year, month, day of a day number since 1970-01-01 (H. Hinnant's civil_from_days).
    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// strings.Title: the first letter of every word upper-cased (a word starts after anything
    /// that is not a letter, digit or underscore).
    static func title(_ s: String) -> String {
        var out = "", prevSep = true
        for c in s {
            out += prevSep ? c.uppercased() : String(c)
            prevSep = !(c.isLetter || c.isNumber || c == "_")
        }
        return out
    }
}

enum GoParseFloat {
    /// strconv.ParseFloat(s, 64) for the forms a label value holds (decimal, exponent, Inf, NaN).
    static func parse(_ s: String) -> Double? {
        guard !s.isEmpty, s.utf8.count <= 400 else { return nil }
        let l = s.lowercased()
        switch l {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default:
            guard l.allSatisfy({ "0123456789.e+-".contains($0) }) else { return nil }
            return Double(l)
        }
    }
}
