import Foundation

// Functions over instant vectors and scalars, as promql/functions.go and quantile.go (Prometheus 2.42).

extension PromQLFunctions {
    static func instant(_ c: PromQLCallNode, input: [VectorSample], scalars: [Double], strings: [String],
                        at t: Int64) throws(PromQLError) -> [VectorSample] {
        let name = c.function.name
        if let f = PromQLFunction.simple[name] { return input.map { VectorSample(labels: $0.labels.withoutName, value: f($0.value)) } }
        switch name {
        case "absent": return input.isEmpty ? [VectorSample(labels: absentLabels(c.args[0]), value: 1)] : []
        case "clamp":
            let lo = scalars[0], hi = scalars[1]
            if hi < lo { return [] }
            return input.map { VectorSample(labels: $0.labels.withoutName, value: Swift.max(lo, Swift.min(hi, $0.value))) }
        case "clamp_min": return input.map { VectorSample(labels: $0.labels.withoutName, value: Swift.max(scalars[0], $0.value)) }
        case "clamp_max": return input.map { VectorSample(labels: $0.labels.withoutName, value: Swift.min(scalars[0], $0.value)) }
        case "round":
            let inverse = 1.0 / (scalars.first ?? 1)
            return input.map { VectorSample(labels: $0.labels.withoutName, value: (($0.value * inverse + 0.5).rounded(.down)) / inverse) }
        case "timestamp": return input.map { VectorSample(labels: $0.labels.withoutName, value: Double(t) / 1000) }
        case "sort", "sort_desc": return orderByValue(input, descending: name == "sort_desc").map { input[$0] }
        case "histogram_quantile": return histogramQuantile(scalars[0], input)
        case "histogram_count", "histogram_sum", "histogram_fraction": return []   // native histograms only
        case "label_replace": return try labelReplace(input, strings, c.pos)
        case "label_join": return try labelJoin(input, strings, c.pos)
        case "minute", "hour", "day_of_week", "day_of_month", "day_of_year", "days_in_month", "month", "year":
            if c.args.isEmpty { return [VectorSample(labels: LabelSet(), value: dateField(name, Double(t / 1000)))] }
            return input.map { VectorSample(labels: $0.labels.withoutName, value: dateField(name, $0.value)) }
        default: return []
        }
    }

    /// funcHoltWinters' checks: 0 < sf < 1 and 0 < tf < 1 (raised only when a series has samples).
    static func checkHoltWinters(_ p: [Double], _ pos: Int) throws(PromQLError) {
        let (sf, tf) = (p[0], p[1])
        if sf <= 0 || sf >= 1 {
            throw PromQLError("invalid smoothing factor. Expected: 0 < sf < 1, got: \(goPercentF(sf))", position: pos)
        }
        if tf <= 0 || tf >= 1 {
            throw PromQLError("invalid trend factor. Expected: 0 < tf < 1, got: \(goPercentF(tf))", position: pos)
        }
    }

    /// Go's %f: six decimals, `+Inf`, `-Inf`, `NaN`.
    static func goPercentF(_ v: Double) -> String {
        v.isNaN ? "NaN" : v.isInfinite ? (v > 0 ? "+Inf" : "-Inf") : String(format: "%.6f", v)
    }

    /// The elements' indices by value (descending or not), NaN last, equal values in arrival order.
    static func orderByValue(_ v: [VectorSample], descending: Bool) -> [Int] {
        v.indices.sorted { i, j in
            let a = v[i].value, b = v[j].value
            if a.isNaN != b.isNaN { return !a.isNaN }
            if a != b && !a.isNaN { return descending ? a > b : a < b }
            return i < j
        }
    }

    /// absent()'s labels: the selector's equality matchers (a label matched twice or otherwise: none).
    static func absentLabels(_ arg: PromQLNode) -> LabelSet {
        let matchers: [LabelMatcher]
        switch arg.unwrapped {
        case .vector(let vs), .matrix(let vs, _): matchers = vs.matchers
        default: return LabelSet()
        }
        var has = Set<String>()
        var out: [String: String] = [:]
        for m in matchers where m.name != "__name__" {
            if m.type == .equal && !has.contains(m.name) { out[m.name] = m.value; has.insert(m.name) }
            else { out[m.name] = nil }
        }
        return LabelSet(out.keys.sorted().map { MetricLabel($0, out[$0] ?? "") })
    }

    // MARK: histogram_quantile

    /// Classic buckets: series grouped by their labels without `le` (the name kept in the key, dropped
    /// from the result); a malformed `le` skips the sample.
    static func histogramQuantile(_ q: Double, _ input: [VectorSample]) -> [VectorSample] {
        var index: [LabelSet: Int] = [:]
        var groups: [(labels: LabelSet, buckets: [(le: Double, count: Double)])] = []
        for s in input {
            guard let le = s.labels["le"].flatMap(parseGoFloat) else { continue }
            let key = s.labels.removing(["le"])
            if let g = index[key] { groups[g].buckets.append((le, s.value)); continue }
            index[key] = groups.count
            groups.append((key.withoutName, [(le, s.value)]))
        }
        return groups.map { VectorSample(labels: $0.labels, value: bucketQuantile(q, $0.buckets)) }
    }

    /// bucketQuantile with coalesceBuckets and ensureMonotonic (quantile.go).
    static func bucketQuantile(_ q: Double, _ input: [(le: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = input.enumerated().sorted { $0.element.le < $1.element.le || ($0.element.le == $1.element.le && $0.offset < $1.offset) }
        guard let top = sorted.last, top.element.le == .infinity else { return .nan }
        var b: [(le: Double, count: Double)] = []
        for (_, x) in sorted {
            if let l = b.last, l.le == x.le { b[b.count - 1].count += x.count } else { b.append(x) }
        }
        var maxCount = -Double.infinity
        for i in b.indices {
            if b[i].count > maxCount { maxCount = b[i].count } else if b[i].count < maxCount { b[i].count = maxCount }
        }
        if b.count < 2 { return .nan }
        let observations = b[b.count - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations
        let i = b.dropLast().firstIndex { $0.count >= rank } ?? (b.count - 1)
        if i == b.count - 1 { return b[b.count - 2].le }
        if i == 0 && b[0].le <= 0 { return b[0].le }
        var start = 0.0
        var count = b[i].count
        if i > 0 {
            start = b[i - 1].le
            count -= b[i - 1].count
            rank -= b[i - 1].count
        }
        return start + (b[i].le - start) * (rank / count)
    }

    /// strconv.ParseFloat for `le` values: decimal, exponent, Inf/+Inf/-Inf/Infinity/NaN in any case.
    static func parseGoFloat(_ s: String) -> Double? {
        let l = s.lowercased()
        switch l {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        guard !l.isEmpty, l.allSatisfy({ "0123456789.eE+-".contains($0) }), let v = Double(l), v.isFinite else { return nil }
        return v   // out of range (1e400) is an error in Go, not an infinity
    }

    // MARK: labels

    static func isLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, PromQLLexer.isAlpha(f) else { return false }
        return s.unicodeScalars.allSatisfy(PromQLLexer.isAlnum)
    }

    static func labelReplace(_ input: [VectorSample], _ args: [String], _ pos: Int) throws(PromQLError) -> [VectorSample] {
        let (dst, repl, src, pattern) = (args[0], args[1], args[2], args[3])
        let regex: GoRegexpMemo
        do { regex = try GoRegexp.cached("^(?:" + pattern + ")$") }
        catch { throw PromQLError("invalid regular expression in label_replace(): \(pattern)\(error.unsupported ? ": " + error.description : "")", position: pos) }
        guard isLabelName(dst) else { throw PromQLError("invalid destination label name in label_replace(): \(dst)", position: pos) }
        return input.map { s in
            guard let g = regex.submatches(s.labels[src] ?? "") else { return s }
            return VectorSample(labels: s.labels.setting(dst, regex.regexp.expand(repl, groups: g)), value: s.value)
        }
    }

    static func labelJoin(_ input: [VectorSample], _ args: [String], _ pos: Int) throws(PromQLError) -> [VectorSample] {
        let dst = args[0], sep = args[1], srcs = Array(args.dropFirst(2))
        for s in srcs where !isLabelName(s) {
            throw PromQLError("invalid source label name in label_join(): \(s)", position: pos)
        }
        guard isLabelName(dst) else { throw PromQLError("invalid destination label name in label_join(): \(dst)", position: pos) }
        return input.map { s in
            VectorSample(labels: s.labels.setting(dst, srcs.map { s.labels[$0] ?? "" }.joined(separator: sep)), value: s.value)
        }
    }

    // MARK: dates (UTC)

    /// minute(), hour(), ... of a Unix time in seconds (truncated as Go's int64 conversion does);
    /// NaN for a value outside what a date can hold.
    static func dateField(_ name: String, _ seconds: Double) -> Double {
        guard seconds.isFinite, Swift.abs(seconds) < 1e15 else { return .nan }
        let secs = Int64(seconds.rounded(.towardZero))
        let days = PromQLEvaluator.floorDiv(secs, 86_400)
        let sod = secs - days * 86_400
        let (year, month, day) = Humanize.civil(days)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        switch name {
        case "minute": return Double(sod / 60 % 60)
        case "hour": return Double(sod / 3600)
        case "day_of_week": return Double(((days % 7) + 11) % 7)
        case "day_of_month": return Double(day)
        case "day_of_year": return Double(monthDays.prefix(Int(month - 1)).reduce(0, +) + day)
        case "days_in_month": return Double(monthDays[Int(month - 1)])
        case "month": return Double(month)
        default: return Double(year)
        }
    }

    /// fmt's %v of a float64: %f's digits, an exponent below 1e-4 and from 1e21 on.
    static func goFormatV(_ v: Double) -> String {
        let a = Swift.abs(v)
        return !v.isFinite || a == 0 || (a >= 1e-4 && a < 1e21) ? goFormat(v) : "\(v)"
    }

    /// strconv.FormatFloat(v, 'f', -1, 64): the shortest decimal that reads back, never an exponent.
    static func goFormat(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let s = "\(v)"
        guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
        }
        let exp = Int(s[s.index(after: e)...]) ?? 0
        var mantissa = String(s[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        let point = parts[0].count + exp
        if digits.hasSuffix("0") && digits.count > 1 { digits = String(digits.reversed().drop { $0 == "0" }.reversed()) }
        let out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        return (negative ? "-" : "") + out
    }
}
