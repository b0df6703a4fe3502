import SimKernel

/// Prometheus' durations (prometheus/common model/time.go ParseDuration and Duration.String, v0.39
/// as Prometheus 2.42 vendors it): `[Ny][Nw][Nd][Nh][Nm][Ns][Nms]` in that order, whole numbers
/// only, no spaces or signs, "0" alone; a total beyond Go's time.Duration (~292 years) is out of
/// range. Used for rule files' `for`, `keep_firing_for`, `interval` and by prometheus.yml.
public enum PromDuration {
    static let units: [(suffix: String, ms: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// The duration in milliseconds, or Prometheus' error text.
    public static func parse(_ s: String) -> Result<Int64, PromDurationError> {
        if s == "0" { return .success(0) }
        if s.isEmpty { return .failure(PromDurationError("empty duration string")) }
        let invalid = PromDurationError("not a valid duration string: \"\(s)\"")
        let b = Array(s.utf8)
        guard b.count <= 200 else { return .failure(invalid) }
        var i = 0, next = 0, total: Int64 = 0
        var overflow = false
        while i < b.count {
            var j = i
            while j < b.count, b[j] >= 48, b[j] <= 57 { j += 1 }
            guard j > i, j < b.count else { return .failure(invalid) }
            // the unit: "ms" before "m" (the regex backtracks to the ms group)
            let unit: Int
            if b[j] == UInt8(ascii: "m"), j + 1 < b.count, b[j + 1] == UInt8(ascii: "s") { unit = 6 }
            else if let u = units.firstIndex(where: { $0.suffix.utf8.count == 1 && $0.suffix.utf8.first == b[j] }) { unit = u }
            else { return .failure(invalid) }
            guard unit >= next else { return .failure(invalid) }
            let mult = units[unit].ms
            // Go: n > (1<<63-1)/mult/time.Millisecond is out of range (nanoseconds overflow)
            let limit = Int64.max / mult / 1_000_000
            var n: Int64 = 0
            for c in b[i..<j] {
                if n > limit { break }
                n = n * 10 + Int64(c - 48)
            }
            if n > limit { overflow = true } else {
                let (sum, o) = total.addingReportingOverflow(n * mult)
                if o || sum > Int64.max / 1_000_000 { overflow = true } else { total = sum }
            }
            next = unit + 1
            i = j + units[unit].suffix.utf8.count
        }
        return overflow ? .failure(PromDurationError("duration out of range")) : .success(total)
    }

    /// model.Duration.String: `1h30m`, `90d`, `2w`, `0s` (years and weeks only when exact).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var r = ms, out = ""
        for (k, (suffix, unit)) in units.enumerated() where r >= unit && (k > 1 || r % unit == 0) {
            out += String(r / unit) + suffix
            r %= unit
        }
        return out
    }

    /// The duration as a `SimDuration`.
    public static func simDuration(_ ms: Int64) -> SimDuration { .milliseconds(ms) }
}

public struct PromDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
