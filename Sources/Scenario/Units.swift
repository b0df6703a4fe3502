import SimKernel

// Value syntaxes shared by every scenario section: durations, sizes and rates.
// Parsing returns either the value or a message that says what is wrong and what is allowed.

public enum ScenarioUnits {
    public static let durationHint = "use a Go duration like \"90s\", \"15m\", \"1h30m\", or a number of seconds"
    public static let sizeHint = "use a number of bytes, or a number with a unit: B, kB, MB, GB, TB, PB (powers of 1000) or KiB, MiB, GiB, TiB, PiB (powers of 1024), like \"100GB\" or \"2GiB\""
    // MARK: limits (docs/scenarios.md, "Limits")

    /// The longest duration a scenario may give anywhere: 100 years (876000h). The clock is Int64
    /// nanoseconds (292 years, as Go's time.Duration and Mesos' stout Duration); the model adds a
    /// duration to a time or doubles a back-off, which must not overflow.
    public static let maxDuration = SimDuration.hours(876_000)
    public static let maxDurationText = "876000h (100 years)"
    /// The largest size: 1 EiB (2^60 bytes). Sizes are Int64 bytes; x8 for bits and the sum of a
    /// few must stay exact.
    public static let maxSize: Int64 = 1 << 60
    public static let maxSizeText = "1152921504606846976 bytes (1 EiB, 1024PiB)"
    /// The largest rate: 1 Pbit/s, a thousand times any NIC, disk or link.
    public static let maxRate: Int64 = 1_000_000_000_000_000
    public static let maxRateText = "1000000000000000 bit/s (1000Tbit)"

    public static let rateHint = "use a number of bits per second, or a number with a unit in bits (\"bit\", \"bit/s\" or \"bps\", like \"10Gbit\", \"100Mbps\") or bytes per second (\"B/s\", like \"250MB/s\", \"1GiB/s\"); prefixes k, M, G, T (powers of 1000) and Ki, Mi, Gi, Ti (powers of 1024)"

    // MARK: durations

    /// A duration from a JSON value: a Go duration string, or a number of seconds (may be fractional).
    public static func duration(_ v: JSONValue) -> Result<SimDuration, UnitError> {
        switch v.kind {
        case .string(let s):
            let t = s.trimmingSpaces
            if let d = GoDuration.parse(t) { return bounded(d, JSONValue.quote(s)) }
            if looksLikeDuration(t) {
                return .failure(UnitError("\(JSONValue.quote(s)) is out of range; a duration is at most \(maxDurationText)"))
            }
            return .failure(UnitError("\(JSONValue.quote(s)) is not a duration; \(durationHint)"))
        case .number(let n):
            // Int64 nanoseconds cover about 292 years.
            guard Swift.abs(n.double) <= maxDuration.seconds else {
                return .failure(UnitError("\(n.text) seconds is out of range; a duration is at most \(maxDurationText)"))
            }
            if n.isIntegerLiteral, let s = Int64(n.text) { return bounded(.seconds(s), n.text) }
            return bounded(SimDuration.fromSeconds(n.double), n.text)
        default:
            return .failure(UnitError("expected a duration, got \(v.described); \(durationHint)"))
        }
    }

    static func bounded(_ d: SimDuration, _ original: String) -> Result<SimDuration, UnitError> {
        if d > maxDuration || d < SimDuration(nanoseconds: -maxDuration.nanoseconds) {
            return .failure(UnitError("\(original) is out of range; a duration is at most \(maxDurationText)"))
        }
        return .success(d)
    }

    /// Whether a string Go's parser refused is well formed but too long ("3000000000h"): with its
    /// digits zeroed it parses.
    static func looksLikeDuration(_ t: String) -> Bool {
        GoDuration.parse(String(t.map { $0.isASCII && $0.isNumber ? "0" : $0 })) != nil
    }

    // MARK: sizes

    static let sizeUnits: [(String, Int64)] = [
        ("b", 1), ("kb", 1_000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000),
        ("pb", 1_000_000_000_000_000),
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40), ("pib", 1 << 50),
    ]

    /// Bytes from a JSON value: a number of bytes, or a string "100GB", "2GiB", "64KiB", "512B".
    /// ScenarioUnits are case-insensitive ("gb" = "GB"; "b" means bytes); a space before the unit is allowed.
    public static func size(_ v: JSONValue) -> Result<Int64, UnitError> {
        limited(unboundedSize(v), max: maxSize, maxText: maxSizeText, what: "size", v)
    }

    static func unboundedSize(_ v: JSONValue) -> Result<Int64, UnitError> {
        switch v.kind {
        case .number(let n):
            return scaled(n.text, n.double, 1, what: "size", original: n.text)
        case .string(let s):
            guard let (numText, unit) = splitNumber(s.trimmingSpaces) else {
                return .failure(UnitError("\(JSONValue.quote(s)) is not a size; \(sizeHint)"))
            }
            let lower = unit.lowercased()
            if unit.isEmpty { return scaled(numText, Double(numText)!, 1, what: "size", original: JSONValue.quote(s)) }
            if let m = sizeUnits.first(where: { $0.0 == lower }) {
                return scaled(numText, Double(numText)!, m.1, what: "size", original: JSONValue.quote(s))
            }
            if ["k", "m", "g", "t", "p"].contains(lower) {
                let u = lower.uppercased()
                return .failure(UnitError("\(JSONValue.quote(s)) is not a size: unit \(JSONValue.quote(unit)) is ambiguous; write \"\(numText)\(u == "K" ? "k" : u)B\" (powers of 1000) or \"\(numText)\(u)iB\" (powers of 1024)"))
            }
            return .failure(UnitError("\(JSONValue.quote(s)) is not a size: unknown unit \(JSONValue.quote(unit)); \(sizeHint)"))
        default:
            return .failure(UnitError("expected a size, got \(v.described); \(sizeHint)"))
        }
    }

    // MARK: rates

    static let ratePrefixes: [(String, Int64)] = [
        ("", 1), ("k", 1_000), ("m", 1_000_000), ("g", 1_000_000_000), ("t", 1_000_000_000_000),
        ("ki", 1 << 10), ("mi", 1 << 20), ("gi", 1 << 30), ("ti", 1 << 40),
    ]

    /// Bits per second from a JSON value: a number of bits per second, or "10Gbit", "100Mbit/s",
    /// "10Gbps" (bits), "250MB/s", "1GiB/s" (bytes per second, times 8). Prefixes are case-insensitive;
    /// "bit" is case-insensitive; "bps" must be lower-case and "B/s" upper-case, because "Mb/s"
    /// and "MBps" are read as bits by some and bytes by others and are refused.
    public static func rate(_ v: JSONValue) -> Result<Int64, UnitError> {
        limited(unboundedRate(v), max: maxRate, maxText: maxRateText, what: "rate", v)
    }

    static func limited(_ r: Result<Int64, UnitError>, max: Int64, maxText: String, what: String, _ v: JSONValue) -> Result<Int64, UnitError> {
        switch r {
        case .success(let x) where x > max:
            return .failure(UnitError("\(v.brief) is too large for a \(what); a \(what) is at most \(maxText)"))
        default: return r
        }
    }

    static func unboundedRate(_ v: JSONValue) -> Result<Int64, UnitError> {
        switch v.kind {
        case .number(let n):
            return scaled(n.text, n.double, 1, what: "rate", original: n.text)
        case .string(let s):
            guard let (numText, unit) = splitNumber(s.trimmingSpaces) else {
                return .failure(UnitError("\(JSONValue.quote(s)) is not a rate; \(rateHint)"))
            }
            if unit.isEmpty { return scaled(numText, Double(numText)!, 1, what: "rate", original: JSONValue.quote(s)) }
            let lower = unit.lowercased()
            var prefix: String? = nil
            var factor: Int64 = 1
            if lower.hasSuffix("bit/s") { prefix = String(lower.dropLast(5)) }
            else if lower.hasSuffix("bit") { prefix = String(lower.dropLast(3)) }
            else if unit.hasSuffix("bps") { prefix = String(lower.dropLast(3)) }
            else if unit.hasSuffix("B/s") { prefix = String(lower.dropLast(3)); factor = 8 }
            else if unit.hasSuffix("b/s") || unit.hasSuffix("Bps") || unit.hasSuffix("BPS") {
                return .failure(UnitError("\(JSONValue.quote(s)) is ambiguous (bits or bytes?); write \"bit/s\" or \"bps\" for bits per second, \"B/s\" for bytes per second"))
            }
            if let p = prefix, let m = ratePrefixes.first(where: { $0.0 == p }) {
                let (mult, o) = m.1.multipliedReportingOverflow(by: factor)
                if !o { return scaled(numText, Double(numText)!, mult, what: "rate", original: JSONValue.quote(s)) }
            }
            return .failure(UnitError("\(JSONValue.quote(s)) is not a rate; \(rateHint)"))
        default:
            return .failure(UnitError("expected a rate, got \(v.described); \(rateHint)"))
        }
    }

    // MARK: helpers

    /// Splits "1.5 GiB" into ("1.5", "GiB"); the number part is an optional sign, digits and an
    /// optional fraction. Nil when there is no number.
    static func isDigit(_ u: Unicode.Scalar) -> Bool { u.value >= 0x30 && u.value <= 0x39 }

    static func splitNumber(_ s: String) -> (String, String)? {
        let scalars = Array(s.unicodeScalars)
        var i = 0
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" { i += 1 }
        let digitsStart = i
        var sawDigit = false
        while i < scalars.count, isDigit(scalars[i]) { i += 1; sawDigit = true }
        if i < scalars.count, scalars[i] == "." {
            i += 1
            while i < scalars.count, isDigit(scalars[i]) { i += 1; sawDigit = true }
        }
        guard sawDigit, i > digitsStart else { return nil }
        var num = String(String.UnicodeScalarView(scalars[0..<i]))
        if num.hasPrefix("+") { num.removeFirst() }
        if num.hasSuffix(".") { num += "0" }
        if num.hasPrefix(".") { num = "0" + num }
        if num.hasPrefix("-.") { num = "-0" + num.dropFirst() }
        var j = i
        while j < scalars.count, scalars[j] == " " { j += 1 }
        let unit = String(String.UnicodeScalarView(scalars[j...]))
        guard Double(num) != nil else { return nil }
        return (num, unit)
    }

    /// number x multiplier as Int64, exact for integer numbers, rounded to the nearest unit otherwise.
    static func scaled(_ text: String, _ value: Double, _ multiplier: Int64, what: String, original: String) -> Result<Int64, UnitError> {
        if value < 0 || text.hasPrefix("-") && value != 0 {
            return .failure(UnitError("\(original) is negative; a \(what) must not be negative"))
        }
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int64(text) {
            let (p, o) = i.multipliedReportingOverflow(by: multiplier)
            if !o { return .success(p) }
        } else {
            let d = (value * Double(multiplier)).rounded()
            if d.isFinite && d < 9.2e18 { return .success(Int64(d)) }
        }
        return .failure(UnitError("\(original) is too large for a \(what)"))
    }
}

/// A message about a value that could not be read as a duration, size, rate or number.
public struct UnitError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
