// Simulated time: an integer count of nanoseconds. No floating-point clock, so the
// same inputs give the same event order on every machine.

/// A span of simulated time in nanoseconds. Parsed from and printed as Go duration
/// strings ("1h30m", "250ms"), the way Prometheus, Consul and consul-template write them.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimDuration(nanoseconds: 0)
    public static let nanosecond = SimDuration(nanoseconds: 1)
    public static let microsecond = SimDuration(nanoseconds: 1_000)
    public static let millisecond = SimDuration(nanoseconds: 1_000_000)
    public static let second = SimDuration(nanoseconds: 1_000_000_000)
    public static let minute = SimDuration(nanoseconds: 60_000_000_000)
    public static let hour = SimDuration(nanoseconds: 3_600_000_000_000)

    @inlinable public static func seconds(_ s: Int64) -> SimDuration { SimDuration(nanoseconds: s * 1_000_000_000) }
    @inlinable public static func milliseconds(_ ms: Int64) -> SimDuration { SimDuration(nanoseconds: ms * 1_000_000) }
    @inlinable public static func minutes(_ m: Int64) -> SimDuration { SimDuration(nanoseconds: m * 60_000_000_000) }
    @inlinable public static func hours(_ h: Int64) -> SimDuration { SimDuration(nanoseconds: h * 3_600_000_000_000) }

    /// Rounds a (finite) number of seconds to the nearest nanosecond, saturating at the Int64 range.
    /// Halves round away from zero; NaN traps.
    @inlinable @inline(__always) public static func fromSeconds(_ s: Double) -> SimDuration {
        let x = s * 1e9
        // Bounds first (9.2e18 < Int64.max), then an exact round-half-away-from-zero without a
        // libm call: truncation, plus one if the (exactly computed) remainder is at least a half.
        guard x < 9.2e18 else {
            precondition(!x.isNaN, "SimDuration.fromSeconds(nan)")
            return SimDuration(nanoseconds: Int64.max)
        }
        guard x > -9.2e18 else {
            precondition(!x.isNaN, "SimDuration.fromSeconds(nan)")
            return SimDuration(nanoseconds: Int64.min)
        }
        let t = Int64(x)  // toward zero
        let r = x - Double(t)  // exact
        return SimDuration(nanoseconds: r >= 0.5 ? t &+ 1 : (r <= -0.5 ? t &- 1 : t))
    }

    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (a: SimDuration, b: SimDuration) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: SimDuration, b: SimDuration) -> SimDuration { SimDuration(nanoseconds: a.nanoseconds &+ b.nanoseconds) }
    @inlinable public static func - (a: SimDuration, b: SimDuration) -> SimDuration { SimDuration(nanoseconds: a.nanoseconds &- b.nanoseconds) }
    @inlinable public static func * (a: SimDuration, k: Int64) -> SimDuration { SimDuration(nanoseconds: a.nanoseconds &* k) }
    @inlinable public static func += (a: inout SimDuration, b: SimDuration) { a.nanoseconds &+= b.nanoseconds }

    /// Go's `time.Duration.String()` format: "1h30m0s", "250ms", "1.5µs", "0s".
    public var description: String { GoDuration.format(self) }

    /// Parses a Go duration string ("1h30m", "1.5s", "-250ms", "300us"). Returns nil when malformed.
    public init?(goString: String) {
        guard let d = GoDuration.parse(goString) else { return nil }
        self = d
    }
}

/// A point in simulated time: nanoseconds since the start of the run.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64
    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimTime(nanoseconds: 0)
    public static let distantFuture = SimTime(nanoseconds: Int64.max)

    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
    @inlinable public var sinceStart: SimDuration { SimDuration(nanoseconds: nanoseconds) }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    /// Saturates at `distantFuture` instead of overflowing.
    @inlinable public static func + (t: SimTime, d: SimDuration) -> SimTime {
        let (r, o) = t.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return SimTime(nanoseconds: o ? (d.nanoseconds > 0 ? Int64.max : Int64.min) : r)
    }
    @inlinable public static func - (t: SimTime, d: SimDuration) -> SimTime { SimTime(nanoseconds: t.nanoseconds &- d.nanoseconds) }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimDuration { SimDuration(nanoseconds: a.nanoseconds &- b.nanoseconds) }
    @inlinable public static func += (t: inout SimTime, d: SimDuration) { t = t + d }

    /// Seconds with up to 9 decimals, trailing zeros removed ("90", "12.5"): the `time_s` column format.
    public var description: String { NumberFormat.seconds(nanoseconds) }
}

/// Parsing and printing of Go duration strings, following Go's `time.ParseDuration`:
/// a possibly signed sequence of decimal numbers, each with optional fraction and a unit
/// suffix, "ns", "us" (or "µs"/"μs"), "ms", "s", "m", "h". "0" alone is allowed.
public enum GoDuration {
    static let units: [(String, Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    public static func parse(_ text: String) -> SimDuration? {
        var s = Substring(text)
        guard !s.isEmpty else { return nil }
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        if s == "0" { return .zero }
        guard !s.isEmpty else { return nil }
        var totalNs: Int64 = 0
        while !s.isEmpty {
            // number: digits [. digits]
            var intPart = Substring("")
            var fracPart = Substring("")
            let numStart = s.startIndex
            var i = numStart
            while i < s.endIndex, s[i].isASCII, s[i].isNumber { i = s.index(after: i) }
            intPart = s[numStart..<i]
            if i < s.endIndex, s[i] == "." {
                let f0 = s.index(after: i)
                var j = f0
                while j < s.endIndex, s[j].isASCII, s[j].isNumber { j = s.index(after: j) }
                fracPart = s[f0..<j]
                i = j
            }
            if intPart.isEmpty && fracPart.isEmpty { return nil }
            s = s[i...]
            // unit
            var matched: (String, Int64)? = nil   // longest matching suffix: "ms" before "m"
            for u in units where s.hasPrefix(u.0) {
                if matched == nil || u.0.count > matched!.0.count { matched = u }
            }
            guard let unit = matched else { return nil }
            s = s.dropFirst(unit.0.count)
            guard let ip = intPart.isEmpty ? 0 : Int64(intPart) else { return nil }
            let (whole, o1) = ip.multipliedReportingOverflow(by: unit.1)
            if o1 { return nil }
            var frac: Int64 = 0
            if !fracPart.isEmpty {
                // fraction * unit, rounded down to the nanosecond (as Go does)
                var scale: Int64 = 1
                var digits: Int64 = 0
                for ch in fracPart.prefix(18) {
                    digits = digits * 10 + Int64(ch.wholeNumberValue!)
                    scale *= 10
                }
                // fraction x unit, truncated to the nanosecond as Go does; exact when it fits in Int64
                let (p, o) = digits.multipliedReportingOverflow(by: unit.1)
                frac = o ? Int64((Double(digits) / Double(scale)) * Double(unit.1)) : p / scale
            }
            let (sum1, o2) = whole.addingReportingOverflow(frac)
            let (sum2, o3) = totalNs.addingReportingOverflow(sum1)
            if o2 || o3 { return nil }
            totalNs = sum2
        }
        return SimDuration(nanoseconds: negative ? -totalNs : totalNs)
    }

    /// Go's `Duration.String()`.
    public static func format(_ d: SimDuration) -> String {
        var ns = d.nanoseconds
        if ns == 0 { return "0s" }
        let neg = ns < 0
        if neg { ns = ns == Int64.min ? Int64.max : -ns }
        var out: String
        if ns < 1_000_000_000 {
            let (unit, scale): (String, Int64) = ns < 1_000 ? ("ns", 1) : ns < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = fixed(ns, scale) + unit
        } else {
            let h = ns / 3_600_000_000_000
            let m = (ns / 60_000_000_000) % 60
            let rest = ns % 60_000_000_000
            out = ""
            if h > 0 { out += "\(h)h" }
            if h > 0 || m > 0 { out += "\(m)m" }
            out += fixed(rest, 1_000_000_000) + "s"
        }
        return neg ? "-" + out : out
    }

    /// value/scale printed with the fraction's trailing zeros removed.
    static func fixed(_ value: Int64, _ scale: Int64) -> String {
        let whole = value / scale
        var frac = value % scale
        if frac == 0 { return String(whole) }
        var width = 0
        var s = scale
        while s > 1 { s /= 10; width += 1 }
        while frac % 10 == 0 { frac /= 10; width -= 1 }
        let f = String(frac)
        return String(whole) + "." + String(repeating: "0", count: width - f.count) + f
    }
}

/// Number printing that is the same on every machine and locale (no printf, no Foundation formatters).
public enum NumberFormat {
    /// Nanoseconds as seconds with at most 9 decimals and trailing zeros removed.
    public static func seconds(_ ns: Int64) -> String {
        if ns < 0 { return "-" + GoDuration.fixed(ns == Int64.min ? Int64.max : -ns, 1_000_000_000) }
        return GoDuration.fixed(ns, 1_000_000_000)
    }

    /// A double rounded to `decimals` places (round half away from zero), trailing zeros removed.
    /// Non-finite values print as "nan", "inf", "-inf"; magnitudes >= 1e15 use Swift's shortest form.
    public static func decimal(_ x: Double, _ decimals: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if Swift.abs(x) >= 1e15 { return "\(x)" }
        var scale: Int64 = 1
        for _ in 0..<max(0, min(decimals, 9)) { scale *= 10 }
        let scaled = (Swift.abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        if scaled >= 9.2e18 { return "\(x)" }
        let v = Int64(scaled)
        if v == 0 { return "0" }
        let body = GoDuration.fixed(v, scale)
        return x < 0 ? "-" + body : body
    }

    /// A double with exactly `decimals` decimals ("%.6f" without printf), for result lines.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        if !x.isFinite { return decimal(x) }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (Swift.abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        let v = Int64(scaled)
        let whole = v / scale
        let frac = String(v % scale)
        let fracPadded = decimals == 0 ? "" : "." + String(repeating: "0", count: decimals - frac.count) + frac
        return (x < 0 && v != 0 ? "-" : "") + String(whole) + fracPadded
    }
}
