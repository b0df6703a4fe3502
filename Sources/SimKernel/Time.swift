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
    /// Go's `time.ParseDuration`, byte for byte (Go 1.22, src/time/format.go): the grammar is
    /// `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with at least one digit on either side of a '.'
    /// ("1.s" and ".5s" are valid, ".s" is not), a unit after every number (only "0" may stand
    /// alone), units "ns", "us", "µs" (U+00B5), "μs" (U+03BC), "ms", "s", "m", "h", and the
    /// fraction converted as Go does, `Int64(Double(f) * (Double(unit) / scale))`, truncated.
    /// Out-of-range values are rejected (nil), as Go returns an error.
    public static func parse(_ text: String) -> SimDuration? {
        var s = Array(text.utf8)[...]
        var d: UInt64 = 0
        var neg = false
        if let c = s.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            neg = c == UInt8(ascii: "-")
            s = s.dropFirst()
        }
        if s.elementsEqual([UInt8(ascii: "0")]) { return .zero }
        if s.isEmpty { return nil }
        let limit: UInt64 = 1 << 63
        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        while !s.isEmpty {
            let c0 = s.first!
            guard c0 == UInt8(ascii: ".") || isDigit(c0) else { return nil }
            // leading integer
            var v: UInt64 = 0
            var pre = false
            while let c = s.first, isDigit(c) {
                if v > limit / 10 { return nil }
                v = v * 10 + UInt64(c - 48)
                if v > limit { return nil }
                s = s.dropFirst()
                pre = true
            }
            // fraction
            var f: UInt64 = 0
            var scale = 1.0
            var post = false
            if s.first == UInt8(ascii: ".") {
                s = s.dropFirst()
                var overflow = false
                while let c = s.first, isDigit(c) {
                    s = s.dropFirst()
                    post = true
                    if overflow { continue }
                    if f > (limit - 1) / 10 { overflow = true; continue }
                    let y = f * 10 + UInt64(c - 48)
                    if y > limit { overflow = true; continue }
                    f = y
                    scale *= 10
                }
            }
            if !pre && !post { return nil }
            // unit: everything up to the next '.' or digit
            var u = 0
            for c in s {
                if c == UInt8(ascii: ".") || isDigit(c) { break }
                u += 1
            }
            if u == 0 { return nil }
            guard let unit = unitValue(s.prefix(u)) else { return nil }
            s = s.dropFirst(u)
            if v > limit / unit { return nil }
            v *= unit
            if f > 0 {
                v += UInt64(Double(f) * (Double(unit) / scale))
                if v > limit { return nil }
            }
            d += v
            if d > limit { return nil }
        }
        if neg { return SimDuration(nanoseconds: Int64(bitPattern: 0 &- d)) }
        if d > limit - 1 { return nil }
        return SimDuration(nanoseconds: Int64(d))
    }

    static func unitValue(_ u: ArraySlice<UInt8>) -> UInt64? {
        switch Array(u) {
        case Array("ns".utf8): return 1
        case Array("us".utf8), Array("µs".utf8), Array("μs".utf8): return 1_000
        case Array("ms".utf8): return 1_000_000
        case Array("s".utf8): return 1_000_000_000
        case Array("m".utf8): return 60_000_000_000
        case Array("h".utf8): return 3_600_000_000_000
        default: return nil
        }
    }

    /// Go's `Duration.String()`.
    public static func format(_ d: SimDuration) -> String {
        if d.nanoseconds == 0 { return "0s" }
        let neg = d.nanoseconds < 0
        let ns = d.nanoseconds.magnitude  // UInt64: exact even for Int64.min
        var out: String
        if ns < 1_000_000_000 {
            let (unit, scale): (String, UInt64) = ns < 1_000 ? ("ns", 1) : ns < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
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
        precondition(value >= 0 && scale > 0)
        return fixed(UInt64(value), UInt64(scale))
    }

    static func fixed(_ value: UInt64, _ scale: UInt64) -> String {
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
        let body = GoDuration.fixed(ns.magnitude, 1_000_000_000)
        return ns < 0 ? "-" + body : body
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
    /// `decimals` is clamped to 0...18; magnitudes too large for that many decimals in 63 bits
    /// fall back to Swift's shortest form, like `decimal`.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        if !x.isFinite { return decimal(x) }
        let decimals = Swift.max(0, Swift.min(decimals, 18))
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (Swift.abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        if scaled >= 9.2e18 { return "\(x)" }
        let v = Int64(scaled)
        let whole = v / scale
        let frac = String(v % scale)
        let fracPadded = decimals == 0 ? "" : "." + String(repeating: "0", count: decimals - frac.count) + frac
        return (x < 0 && v != 0 ? "-" : "") + String(whole) + fracPadded
    }
}
