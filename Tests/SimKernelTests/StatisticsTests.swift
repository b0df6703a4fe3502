import XCTest
@testable import SimKernel

final class StatisticsTests: XCTestCase {
    private func samples(_ d: Distribution, _ n: Int, seed: UInt64 = 11) -> [Double] {
        let r = RandomStream(seed: seed, name: "stats-test")
        return (0..<n).map { _ in d.sample(r) }
    }

    private func exactQuantile(_ sorted: [Double], _ q: Double) -> Double {
        sorted[Int((q * Double(sorted.count - 1)).rounded(.toNearestOrAwayFromZero))]
    }

    private func checkQuantiles(_ d: Distribution, file: StaticString = #filePath, line: UInt = #line) {
        let xs = samples(d, 200_000)
        var s = StreamingStats()
        for x in xs { s.record(x) }
        let sorted = xs.sorted()
        for q in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999] {
            let exact = exactQuantile(sorted, q)
            let est = s.quantile(q)!
            XCTAssertEqual(est, exact, accuracy: 0.01 * abs(exact), "q=\(q) of \(d)", file: file, line: line)
        }
        XCTAssertEqual(s.quantile(0), sorted.first)
        XCTAssertEqual(s.quantile(1), sorted.last)
        XCTAssertEqual(s.p50, s.quantile(0.5))
        XCTAssertEqual(s.p999, s.quantile(0.999))
    }

    func testQuantilesExponential() { checkQuantiles(.exponential(mean: 0.2)) }
    func testQuantilesLognormal() { checkQuantiles(.lognormal(mu: log(1.2), sigma: 1.0)) }

    func testMomentsMatchDirectComputation() {
        let xs = samples(.normal(mean: 1e6, stddev: 3), 50_000)  // large offset: Welford stays accurate
        var s = StreamingStats()
        for x in xs { s.record(x) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let v = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)
        XCTAssertEqual(s.count, 50_000)
        XCTAssertEqual(s.mean, mean, accuracy: 1e-9 * abs(mean))
        XCTAssertEqual(s.variance, v, accuracy: 1e-6 * v)
        XCTAssertEqual(s.stddev, v.squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(s.sum, xs.reduce(0, +), accuracy: 1e-6 * abs(s.sum))
        XCTAssertEqual(s.min, xs.min())
        XCTAssertEqual(s.max, xs.max())
    }

    func testEmptyAndSingle() {
        var s = StreamingStats()
        XCTAssertNil(s.quantile(0.5))
        XCTAssertEqual(s.variance, 0)
        XCTAssertTrue(s.isEmpty)
        s.record(3.5)
        XCTAssertEqual(s.p99, 3.5)
        XCTAssertEqual(s.variance, 0)
        s.record(.nan)
        XCTAssertEqual(s.count, 1, "NaN is not counted")
        XCTAssertEqual(s.histogram.nanCount, 1)
    }

    func testZeroAndNegativeValues() {
        var s = StreamingStats()
        // -100 ... 100 in steps of 1, plus extra zeros
        for i in -100...100 { s.record(Double(i)) }
        for _ in 0..<50 { s.record(0) }
        XCTAssertEqual(s.count, 251)
        XCTAssertEqual(s.quantile(0), -100)
        XCTAssertEqual(s.quantile(1), 100)
        XCTAssertEqual(s.p50, 0)
        // rank 25 of 251 is -75 (ascending: -100 ... -1, then 51 zeros, then 1 ... 100)
        XCTAssertEqual(s.quantile(0.1)!, -75, accuracy: 0.75)
        XCTAssertEqual(s.quantile(0.9)!, 75, accuracy: 0.75)
        XCTAssertEqual(s.histogram.zeroCount, 51)
        // values across the sign, tiny and huge magnitudes
        var t = StreamingStats()
        for x in [-1e300, -2.5, -1e-300, 0, 5e-324, 1e-12, 7, 1e300] { t.record(x) }
        XCTAssertEqual(t.quantile(0), -1e300)
        XCTAssertEqual(t.quantile(1), 1e300)
        XCTAssertEqual(t.histogram.value(atRank: 1)!, -2.5, accuracy: 0.025)
        XCTAssertEqual(t.histogram.value(atRank: 6)!, 7, accuracy: 0.07)
    }

    func testMergeEqualsRecordingEverything() {
        let xs = samples(.lognormal(mu: 0, sigma: 2), 30_000)
        var all = StreamingStats(), a = StreamingStats(), b = StreamingStats(), c = StreamingStats()
        for (i, x) in xs.enumerated() {
            all.record(x)
            if i < 1_000 { a.record(-x) ; all.record(-x) }  // negatives only in `a`
            if i % 3 == 0 { a.record(x) } else if i % 3 == 1 { b.record(x) } else { c.record(x) }
        }
        var m = StreamingStats()
        m.merge(a); m.merge(b); m.merge(StreamingStats()); m.merge(c)
        XCTAssertEqual(m.histogram, all.histogram, "bucket counts merge exactly")
        XCTAssertEqual(m.count, all.count)
        XCTAssertEqual(m.mean, all.mean, accuracy: 1e-9 * abs(all.mean) + 1e-12)
        XCTAssertEqual(m.variance, all.variance, accuracy: 1e-9 * all.variance)
        XCTAssertEqual(m.min, all.min)
        XCTAssertEqual(m.max, all.max)
        for q in [0.001, 0.5, 0.99] { XCTAssertEqual(m.quantile(q), all.quantile(q)) }
        // merge order does not matter for the histogram
        var m2 = c
        m2.merge(b); m2.merge(a)
        XCTAssertEqual(m2.histogram, all.histogram)
    }

    func testMemoryIsBoundedByRangeNotCount() {
        var s = StreamingStats()
        let r = RandomStream(seed: 1, name: "mem")
        for _ in 0..<1_000 { s.record(1 + 999 * r.uniform()) }  // [1, 1000): 10 octaves
        let buckets = s.histogram.bucketCount
        for _ in 0..<500_000 { s.record(1 + 999 * r.uniform()) }
        XCTAssertEqual(s.histogram.bucketCount, buckets)
        XCTAssertLessThanOrEqual(buckets, 10 * s.histogram.subBucketCount + 1)
        // the worst case over all doubles is bounded too
        var w = LogLinearHistogram()
        for x in [Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, -1, .infinity] { w.record(x) }
        XCTAssertLessThanOrEqual(w.bucketCount, 2 * 2046 * 128 + 1)
    }

    func testBucketRelativeErrorBound() {
        // Every value is reported back within 2^-7 (0.78 %) from its bucket.
        let r = RandomStream(seed: 2, name: "err")
        for _ in 0..<2_000 {
            let x = exp(40 * r.uniform() - 20)
            var h = LogLinearHistogram()
            h.record(x)
            XCTAssertEqual(h.quantile(0.5)!, x, accuracy: x / 128)
        }
    }

    func testStudentTQuantiles() {
        // Reference values (tables / R qt()).
        XCTAssertEqual(ConfidenceInterval.tQuantile(0.975, degreesOfFreedom: 19), 2.093024, accuracy: 1e-6)
        XCTAssertEqual(ConfidenceInterval.tQuantile(0.975, degreesOfFreedom: 1), 12.706205, accuracy: 1e-6)
        XCTAssertEqual(ConfidenceInterval.tQuantile(0.95, degreesOfFreedom: 10), 1.812461, accuracy: 1e-6)
        XCTAssertEqual(ConfidenceInterval.tQuantile(0.995, degreesOfFreedom: 4), 4.604095, accuracy: 1e-6)
        XCTAssertEqual(ConfidenceInterval.tQuantile(0.975, degreesOfFreedom: 100_000), 1.959988, accuracy: 1e-5)
    }

    func testCIOfMean() {
        let ci = ConfidenceInterval.ofMean([1, 2, 3, 4, 5], level: 0.95)
        XCTAssertEqual(ci.mean, 3)
        XCTAssertEqual(ci.degreesOfFreedom, 4)
        // t(0.975, 4) = 2.776445, s = sqrt(2.5)
        XCTAssertEqual(ci.halfWidth, 2.776445 * (2.5 / 5).squareRoot(), accuracy: 1e-6)
        XCTAssertTrue(ci.contains(1.1) && !ci.contains(0.9))
        XCTAssertEqual(ConfidenceInterval.ofMean([7]).halfWidth, .infinity)
    }

    func testBatchMeans() {
        // 20 batches of 3; batch b holds b, b, b+1 -> batch means b + 1/3; a tail of 2 is ignored.
        var series: [Double] = []
        for b in 0..<20 { series += [Double(b), Double(b), Double(b + 1)] }
        series += [1000, 1000]
        let ci = ConfidenceInterval.batchMeans(series, batches: 20)
        let means = (0..<20).map { Double($0) + 1.0 / 3 }
        let direct = ConfidenceInterval.ofMean(means)
        XCTAssertEqual(ci.mean, 9.5 + 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(ci.halfWidth, direct.halfWidth, accuracy: 1e-12)
        XCTAssertEqual(ci.degreesOfFreedom, 19)
        // sd of 0..19 = sqrt(35), so the half-width is 2.093024 * sqrt(35 / 20)
        XCTAssertEqual(ci.halfWidth, 2.093024 * (35.0 / 20).squareRoot(), accuracy: 1e-5)
    }

    func testCoverageOfStudentTInterval() {
        // 95 % intervals from 10 normal draws cover the true mean about 95 % of the time.
        let r = RandomStream(seed: 4, name: "coverage")
        var covered = 0
        let trials = 2_000
        for _ in 0..<trials {
            let xs = (0..<10).map { _ in Distribution.normal(mean: 5, stddev: 2).sample(r) }
            if ConfidenceInterval.ofMean(xs).contains(5) { covered += 1 }
        }
        // binomial sd = sqrt(0.95 * 0.05 / 2000) = 0.0049
        XCTAssertEqual(Double(covered) / Double(trials), 0.95, accuracy: 0.02)
    }
}
