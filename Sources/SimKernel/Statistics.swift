import CGSL
import Foundation

// Streaming statistics: Welford moments plus a log-linear bucketed histogram for quantiles
// (HdrHistogram-like), and Student-t confidence intervals. Deterministic (no Dictionary or Set
// anywhere, no floating-point state that depends on the machine) and mergeable.

/// A log-linear histogram over all finite doubles with bounded relative error.
///
/// Layout: a value's magnitude |x| = 2^e * (1 + f), 0 <= f < 1, falls in octave `e` and in one
/// of `2^precisionBits` equal-width sub-buckets of that octave, chosen by the top `precisionBits`
/// bits of the binary significand (so bucket edges are exact binary fractions and the bucketing
/// is bit-for-bit the same on every machine). A bucket is at most 2^-precisionBits of its lower
/// edge wide: with the default 7 bits (128 sub-buckets per octave) any value reported from a
/// bucket is within 0.78 % of every value in it, and a quantile read at the bucket's interior is
/// typically within 0.4 %.
///
/// Positive and negative values have separate bucket sets; zero (and magnitudes below
/// `Double.leastNormalMagnitude`) have one counter. Each set stores only the octaves between the
/// smallest and largest exponent seen, so memory grows with the *range* of the data (at most
/// 2046 octaves), never with the number of samples. NaN is counted apart and otherwise ignored;
/// infinities are clamped to the largest finite magnitude.
public struct LogLinearHistogram: Equatable, Sendable {
    public let precisionBits: Int
    @usableFromInline var positive = OctaveBuckets()
    @usableFromInline var negative = OctaveBuckets()
    public private(set) var zeroCount: UInt64 = 0
    public private(set) var nanCount: UInt64 = 0
    /// Values recorded, excluding NaN.
    public private(set) var count: UInt64 = 0

    public init(precisionBits: Int = 7) {
        precondition((1...20).contains(precisionBits), "precisionBits must be in 1...20")
        self.precisionBits = precisionBits
    }

    /// Number of sub-buckets per octave.
    @inlinable public var subBucketCount: Int { 1 << precisionBits }

    /// Buckets currently allocated (both signs, plus the zero bucket).
    public var bucketCount: Int { positive.counts.count + negative.counts.count + 1 }

    public mutating func record(_ x: Double, count n: UInt64 = 1) {
        if x.isNaN { nanCount &+= n; return }
        let m = Swift.min(x.magnitude, Double.greatestFiniteMagnitude)
        count &+= n
        if m < Double.leastNormalMagnitude { zeroCount &+= n; return }
        let e = Int(m.exponent)
        let sub = Int(m.significandBitPattern >> UInt64(52 - precisionBits))
        if x > 0 {
            positive.add(exponent: e, sub: sub, n: n, subCount: subBucketCount)
        } else {
            negative.add(exponent: e, sub: sub, n: n, subCount: subBucketCount)
        }
    }

    /// Adds another histogram's counts (same precision required).
    public mutating func merge(_ other: LogLinearHistogram) {
        precondition(other.precisionBits == precisionBits, "merging histograms of different precision")
        positive.merge(other.positive, subCount: subBucketCount)
        negative.merge(other.negative, subCount: subBucketCount)
        zeroCount &+= other.zeroCount
        nanCount &+= other.nanCount
        count &+= other.count
    }

    /// Lower and upper edge of the magnitude bucket (exponent, sub).
    @usableFromInline func edges(exponent e: Int, sub: Int) -> (Double, Double) {
        let w = Double(sign: .plus, exponent: e - precisionBits, significand: 1)  // 2^(e-p)
        let base = Double(sign: .plus, exponent: e, significand: 1)
        return (base + Double(sub) * w, base + Double(sub + 1) * w)
    }

    /// The value at 0-based rank `rank` (0 <= rank < count) in ascending order, estimated by
    /// spreading each bucket's count evenly over its width. Returns nil when empty.
    public func value(atRank rank: UInt64) -> Double? {
        guard count > 0 else { return nil }
        var r = Swift.min(rank, count - 1)
        let sc = subBucketCount
        // negatives: from the largest magnitude down
        let negCounts = negative.counts
        var i = negCounts.count - 1
        while i >= 0 {
            let c = negCounts[i]
            if c > 0 {
                if r < c {
                    let (lo, hi) = edges(exponent: negative.minExponent + i / sc, sub: i % sc)
                    // ascending order within the bucket runs from -hi to -lo
                    return -(hi - (hi - lo) * (Double(r) + 0.5) / Double(c))
                }
                r -= c
            }
            i -= 1
        }
        if r < zeroCount { return 0 }
        r -= zeroCount
        let posCounts = positive.counts
        for j in 0..<posCounts.count {
            let c = posCounts[j]
            if c == 0 { continue }
            if r < c {
                let (lo, hi) = edges(exponent: positive.minExponent + j / sc, sub: j % sc)
                return lo + (hi - lo) * (Double(r) + 0.5) / Double(c)
            }
            r -= c
        }
        return nil  // unreachable when counts are consistent
    }

    /// The q-quantile (0 <= q <= 1), nearest-rank on (count - 1) * q. nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let qq = q.isNaN ? 0.5 : Swift.min(Swift.max(q, 0), 1)
        let rank = UInt64((qq * Double(count - 1)).rounded(.toNearestOrAwayFromZero))
        return value(atRank: rank)
    }
}

/// Counts for one sign: contiguous octaves minExponent ..< minExponent + counts.count / subCount.
@usableFromInline struct OctaveBuckets: Equatable, Sendable {
    @usableFromInline var minExponent = 0
    @usableFromInline var counts: [UInt64] = []

    @usableFromInline init() {}

    @inlinable var octaves: Int { counts.count }  // in units of buckets; divide by subCount

    @usableFromInline mutating func ensure(exponent e: Int, subCount: Int) {
        if counts.isEmpty {
            minExponent = e
            counts = Array(repeating: 0, count: subCount)
            return
        }
        let nOct = counts.count / subCount
        if e < minExponent {
            let extra = (minExponent - e) * subCount
            counts.insert(contentsOf: repeatElement(0, count: extra), at: 0)
            minExponent = e
        } else if e >= minExponent + nOct {
            let extra = (e - (minExponent + nOct) + 1) * subCount
            counts.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    @inlinable mutating func add(exponent e: Int, sub: Int, n: UInt64, subCount: Int) {
        if counts.isEmpty || e < minExponent || e >= minExponent + counts.count / subCount {
            ensure(exponent: e, subCount: subCount)
        }
        counts[(e - minExponent) * subCount + sub] &+= n
    }

    @usableFromInline mutating func merge(_ o: OctaveBuckets, subCount: Int) {
        guard !o.counts.isEmpty else { return }
        ensure(exponent: o.minExponent, subCount: subCount)
        ensure(exponent: o.minExponent + o.counts.count / subCount - 1, subCount: subCount)
        let shift = (o.minExponent - minExponent) * subCount
        for i in 0..<o.counts.count { counts[shift + i] &+= o.counts[i] }
    }
}

/// A streaming summary of a series of doubles: count, sum, mean and variance (Welford), min,
/// max, and quantiles from a `LogLinearHistogram`. Memory is bounded by the data's range, not
/// its length. Two summaries merge exactly for the moments (Chan et al.) and bucket-for-bucket
/// for the histogram.
public struct StreamingStats: Equatable, Sendable {
    /// Values recorded (NaN excluded).
    public private(set) var count: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var mean: Double = 0
    @usableFromInline var m2: Double = 0
    /// Smallest value recorded (+inf when empty).
    public private(set) var min: Double = .infinity
    /// Largest value recorded (-inf when empty).
    public private(set) var max: Double = -.infinity
    public private(set) var histogram: LogLinearHistogram

    public init(precisionBits: Int = 7) { histogram = LogLinearHistogram(precisionBits: precisionBits) }

    public mutating func record(_ x: Double) {
        histogram.record(x)
        if x.isNaN { return }
        count &+= 1
        sum += x
        let d = x - mean
        mean += d / Double(count)
        m2 += d * (x - mean)
        if x < min { min = x }
        if x > max { max = x }
    }

    /// Records a duration in seconds.
    public mutating func record(_ d: SimDuration) { record(d.seconds) }

    /// Sample variance (divides by count - 1); 0 with fewer than two values.
    public var variance: Double { count > 1 ? Swift.max(0, m2 / Double(count - 1)) : 0 }
    /// Population variance (divides by count).
    public var populationVariance: Double { count > 0 ? Swift.max(0, m2 / Double(count)) : 0 }
    public var stddev: Double { variance.squareRoot() }
    public var isEmpty: Bool { count == 0 }

    /// The q-quantile (0...1) from the histogram, clamped to [min, max] (so quantile(0) == min and
    /// quantile(1) == max exactly). nil when empty.
    public func quantile(_ q: Double) -> Double? {
        guard let v = histogram.quantile(q) else { return nil }
        return Swift.min(Swift.max(v, min), max)
    }

    public var p50: Double? { quantile(0.5) }
    public var p90: Double? { quantile(0.9) }
    public var p99: Double? { quantile(0.99) }
    public var p999: Double? { quantile(0.999) }

    /// Combines another summary into this one, as if its values had been recorded here.
    public mutating func merge(_ o: StreamingStats) {
        histogram.merge(o.histogram)
        guard o.count > 0 else { return }
        if count == 0 {
            count = o.count; sum = o.sum; mean = o.mean; m2 = o.m2; min = o.min; max = o.max
            return
        }
        let n1 = Double(count), n2 = Double(o.count), n = n1 + n2
        let d = o.mean - mean
        mean += d * n2 / n
        m2 += o.m2 + d * d * n1 * n2 / n
        count &+= o.count
        sum += o.sum
        min = Swift.min(min, o.min)
        max = Swift.max(max, o.max)
    }
}

/// A two-sided confidence interval for a mean: `mean ± halfWidth`.
public struct ConfidenceInterval: Equatable, Sendable {
    public let mean: Double
    public let halfWidth: Double
    /// Confidence level, e.g. 0.95.
    public let level: Double
    /// Degrees of freedom of the Student t quantile used (samples - 1).
    public let degreesOfFreedom: Int

    public init(mean: Double, halfWidth: Double, level: Double, degreesOfFreedom: Int) {
        self.mean = mean; self.halfWidth = halfWidth; self.level = level; self.degreesOfFreedom = degreesOfFreedom
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }
    public func contains(_ x: Double) -> Bool { x >= lower && x <= upper }

    /// The Student t quantile: P(T <= t) = p with `dof` degrees of freedom (GSL
    /// `gsl_cdf_tdist_Pinv`). tQuantile(0.975, 19) = 2.093024.
    public static func tQuantile(_ p: Double, degreesOfFreedom dof: Int) -> Double {
        precondition(p > 0 && p < 1 && dof >= 1, "tQuantile needs 0 < p < 1 and dof >= 1")
        return gsl_cdf_tdist_Pinv(p, Double(dof))
    }

    /// Student-t interval of the mean of independent values (e.g. one value per replication).
    /// With fewer than two values the half-width is infinite.
    public static func ofMean(_ values: [Double], level: Double = 0.95) -> ConfidenceInterval {
        precondition(level > 0 && level < 1, "confidence level must be in (0, 1)")
        var s = StreamingStats()
        for v in values { s.record(v) }
        return ofMean(s, level: level)
    }

    /// Student-t interval of the mean from a summary's count, mean and sample variance.
    public static func ofMean(_ s: StreamingStats, level: Double = 0.95) -> ConfidenceInterval {
        guard s.count >= 2 else {
            return ConfidenceInterval(mean: s.count == 1 ? s.mean : .nan, halfWidth: .infinity, level: level,
                                      degreesOfFreedom: 0)
        }
        let dof = Int(s.count - 1)
        let t = tQuantile((1 + level) / 2, degreesOfFreedom: dof)
        return ConfidenceInterval(mean: s.mean, halfWidth: t * (s.variance / Double(s.count)).squareRoot(),
                                  level: level, degreesOfFreedom: dof)
    }

    /// Batch-means interval for the mean of one (autocorrelated) series: the series is cut into
    /// `batches` consecutive batches of `series.count / batches` values (a remainder at the end is
    /// left out), and the Student-t interval (batches - 1 degrees of freedom) of the batch means is
    /// returned. The M/M/8 benchmark uses 20 batches: t(0.975, 19) = 2.093.
    public static func batchMeans(_ series: [Double], batches: Int = 20, level: Double = 0.95) -> ConfidenceInterval {
        precondition(batches >= 2, "batch means needs at least 2 batches")
        let per = series.count / batches
        precondition(per >= 1, "series shorter than the number of batches")
        var means: [Double] = []
        means.reserveCapacity(batches)
        for b in 0..<batches {
            var sum = 0.0
            for i in (b * per)..<((b + 1) * per) { sum += series[i] }
            means.append(sum / Double(per))
        }
        return ofMean(means, level: level)
    }
}
