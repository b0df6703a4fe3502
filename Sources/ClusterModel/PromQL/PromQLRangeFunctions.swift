import Foundation

// Functions over a range vector, as promql/functions.go (Prometheus 2.42): each gets one series'
// samples in the window (never empty, staleness markers dropped) and returns its value, or nil
// when the series yields no element (fewer than two samples for rate, deriv, ...).

enum PromQLFunctions {
    /// The evaluation instant and the range's boundaries (extrapolatedRate's rangeStart/rangeEnd).
    struct Window {
        var t: Int64
        var start: Int64
        var end: Int64
        var rangeMs: Int64
    }

    static func overRange(_ name: String, _ s: [Sample], _ w: Window, param: Double) -> Double? {
        switch name {
        case "rate": return extrapolatedRate(s, w, isCounter: true, isRate: true)
        case "increase": return extrapolatedRate(s, w, isCounter: true, isRate: false)
        case "delta": return extrapolatedRate(s, w, isCounter: false, isRate: false)
        case "irate": return instantValue(s, isRate: true)
        case "idelta": return instantValue(s, isRate: false)
        case "deriv":
            guard s.count >= 2 else { return nil }
            return linearRegression(s, interceptTime: s[0].t).slope
        case "predict_linear":
            guard s.count >= 2 else { return nil }
            let (slope, intercept) = linearRegression(s, interceptTime: w.t)
            return slope * param + intercept
        case "resets", "changes":
            var n = 0
            var prev = s[0].v
            for x in s.dropFirst() {
                if name == "resets" ? x.v < prev : (x.v != prev && !(x.v.isNaN && prev.isNaN)) { n += 1 }
                prev = x.v
            }
            return Double(n)
        case "avg_over_time": return avgOverTime(s)
        case "sum_over_time":
            var sum = 0.0, c = 0.0
            for x in s { (sum, c) = kahanSumInc(x.v, sum, c) }
            return sum.isInfinite ? sum : sum + c
        case "min_over_time":
            var m = s[0].v
            for x in s where x.v < m || m.isNaN { m = x.v }
            return m
        case "max_over_time":
            var m = s[0].v
            for x in s where x.v > m || m.isNaN { m = x.v }
            return m
        case "count_over_time": return Double(s.count)
        case "last_over_time": return s[s.count - 1].v
        case "present_over_time", "absent_over_time": return 1
        case "stddev_over_time": return variance(s).squareRoot()
        case "stdvar_over_time": return variance(s)
        case "quantile_over_time": return quantile(param, s.map(\.v))
        default: return nil
        }
    }

    /// extrapolatedRate: the increase between the first and last sample (counter resets added
    /// back), extrapolated to the range's boundaries when the samples come within 1.1 average
    /// intervals of them (else by half an interval), a counter not below zero.
    static func extrapolatedRate(_ s: [Sample], _ w: Window, isCounter: Bool, isRate: Bool) -> Double? {
        guard s.count >= 2, let first = s.first, let last = s.last else { return nil }
        var result = last.v - first.v
        if isCounter {
            var prev = first.v
            for x in s.dropFirst() {
                if x.v < prev { result += prev }
                prev = x.v
            }
        }
        var durationToStart = Double(first.t - w.start) / 1000
        let durationToEnd = Double(w.end - last.t) / 1000
        let sampledInterval = Double(last.t - first.t) / 1000
        let averageInterval = sampledInterval / Double(s.count - 1)
        if isCounter && result > 0 && first.v >= 0 {
            let durationToZero = sampledInterval * (first.v / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageInterval * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(w.rangeMs) / 1000 }
        return result * factor
    }

    /// instantValue (irate, idelta): the last two samples.
    static func instantValue(_ s: [Sample], isRate: Bool) -> Double? {
        guard s.count >= 2 else { return nil }
        let last = s[s.count - 1], prev = s[s.count - 2]
        var v = isRate && last.v < prev.v ? last.v : last.v - prev.v
        let interval = last.t - prev.t
        if interval == 0 { return nil }
        if isRate { v /= Double(interval) / 1000 }
        return v
    }

    static func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if Swift.abs(sum) >= Swift.abs(inc) { c += (sum - t) + inc } else { c += (inc - t) + sum }
        return (t, c)
    }

    /// linearRegression with Kahan-summed sums (2.42), x in seconds from `interceptTime`.
    static func linearRegression(_ s: [Sample], interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0, sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = s[0].v
        var constY = true
        for (i, x) in s.enumerated() {
            if constY && i > 0 && x.v != initY { constY = false }
            n += 1
            let xs = Double(x.t - interceptTime) / 1e3
            (sumX, cX) = kahanSumInc(xs, sumX, cX)
            (sumY, cY) = kahanSumInc(x.v, sumY, cY)
            (sumXY, cXY) = kahanSumInc(xs * x.v, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(xs * xs, sumX2, cX2)
        }
        if constY { return initY.isInfinite ? (.nan, .nan) : (0, initY) }
        sumX += cX; sumY += cY; sumXY += cXY; sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    static func avgOverTime(_ s: [Sample]) -> Double {
        var mean = 0.0, count = 0.0, c = 0.0
        for x in s {
            count += 1
            if mean.isInfinite {
                if x.v.isInfinite && (mean > 0) == (x.v > 0) { continue }
                if !x.v.isInfinite && !x.v.isNaN { continue }
            }
            (mean, c) = kahanSumInc(x.v / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// stdvar_over_time's Welford update with Kahan compensation.
    static func variance(_ s: [Sample]) -> Double {
        var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
        for x in s {
            count += 1
            let delta = x.v - (mean + cMean)
            (mean, cMean) = kahanSumInc(delta / count, mean, cMean)
            (aux, cAux) = kahanSumInc(delta * (x.v - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }

    /// quantile (quantile.go): φ-quantile by linear interpolation between the ranks; NaN for no
    /// values or φ NaN, −Inf for φ < 0, +Inf for φ > 1.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let v = values.sorted { $0 < $1 || ($0.isNaN && !$1.isNaN) }
        let n = Double(v.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return v[Int(lower)] * (1 - weight) + v[Int(upper)] * weight
    }
}
