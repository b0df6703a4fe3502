@testable import ClusterModel
import XCTest

/// PromQL functions against values worked out by hand from promql/functions.go and quantile.go
/// (Prometheus 2.42): extrapolatedRate's boundaries and zero point, regression, classic
/// histogram quantiles with the monotonicity fix, labels, dates.
final class PromQLFunctionTests: XCTestCase {
    func eval(_ q: String, _ s: SeriesStore, at seconds: Double) throws -> [String: Double] {
        try PromQLEvalTests.eval(q, s, at: seconds)
    }

    func testExtrapolatedRate() throws {
        // Samples every 15 s from 10 s to 295 s, one per second: extrapolated 10 s back, 5 s forward.
        let a = PromQLEvalTests.store([("c", stride(from: 10, through: 295, by: 15).map { (Int64($0), Double($0) + 100) })])
        XCTAssertEqual(try eval("increase(c[5m])", a, at: 300), ["{}": 300])
        XCTAssertEqual(try eval("rate(c[5m])", a, at: 300)["{}"] ?? 0, 1, accuracy: 1e-15)
        // From 60 s on, 3 at 60 s: the zero point (3 s before the first sample) limits extrapolation,
        // not half an interval (which would give 247.5).
        let b = PromQLEvalTests.store([("c", stride(from: 60, through: 300, by: 15).map { (Int64($0), Double($0) - 57) })])
        XCTAssertEqual(try eval("increase(c[5m])", b, at: 300), ["{}": 243])
        XCTAssertEqual(try eval("delta(c[5m])", b, at: 300), ["{}": 247.5])   // a gauge: no zero point
        // A reset adds the value before it back.
        let r = PromQLEvalTests.store([("c", [(0, 10), (15, 20), (30, 5), (45, 15)])])
        XCTAssertEqual(try eval("increase(c[45s])", r, at: 45), ["{}": 25])
        XCTAssertEqual(try eval("resets(c[1m])", r, at: 45), ["{}": 1])
        XCTAssertEqual(try eval("irate(c[1m])", r, at: 45), ["{}": 10.0 / 15])
        XCTAssertEqual(try eval("irate(c[1m])", r, at: 30), ["{}": 5.0 / 15])    // after a reset: the last value
        XCTAssertEqual(try eval("idelta(c[1m])", r, at: 30), ["{}": -15])
        // Far from the start (30 s > 1.1 × 15 s): half an interval.
        let g = PromQLEvalTests.store([("g", [(0, 10), (15, 8), (30, 6)])])
        XCTAssertEqual(try eval("delta(g[1m])", g, at: 30), ["{}": -5])
        XCTAssertEqual(try eval("rate(g[1m])", PromQLEvalTests.store([("g", [(0, 1)])]), at: 30), [:])   // one sample: none
    }

    func testRegressionAndOverTime() throws {
        let s = PromQLEvalTests.store([("x", [(0, 1), (15, 4), (30, 7)])])
        XCTAssertEqual(try eval("deriv(x[1m])", s, at: 30), ["{}": 0.2])
        XCTAssertEqual(try eval("predict_linear(x[1m], 60)", s, at: 30), ["{}": 19])
        XCTAssertEqual(try eval("predict_linear(x[1m], 60)", s, at: 40), ["{}": 21])   // intercept at t
        XCTAssertEqual(try eval("deriv(x[1m])", PromQLEvalTests.store([("x", [(0, 5), (15, 5)])]), at: 30), ["{}": 0])
        XCTAssertEqual(try eval("avg_over_time(x[1m])", s, at: 30), ["{}": 4])
        XCTAssertEqual(try eval("stdvar_over_time(x[1m])", s, at: 30), ["{}": 6])
        XCTAssertEqual(try eval("quantile_over_time(0.25, x[1m])", s, at: 30), ["{}": 2.5])
        XCTAssertEqual(try eval("quantile_over_time(2, x[1m])", s, at: 30), ["{}": .infinity])
        XCTAssertEqual(try eval("changes(x[1m])", s, at: 30), ["{}": 2])
        XCTAssertEqual(try eval("present_over_time(x[1m])", s, at: 30), ["{}": 1])
        XCTAssertEqual(try eval(#"absent_over_time(x{a="b"}[1m])"#, s, at: 30), [#"{a="b"}"#: 1])
        XCTAssertEqual(try eval("absent_over_time(x[1m])", s, at: 30), [:])
    }

    func testHistogramQuantile() throws {
        func h(_ counts: [(String, Double)]) -> SeriesStore {
            PromQLEvalTests.store(counts.map { ("h_bucket{le=\"\($0.0)\",j=\"a\"}", [(Int64(0), $0.1)]) })
        }
        let s = h([("1", 10), ("2", 20), ("+Inf", 20)])
        XCTAssertEqual(try eval("histogram_quantile(0.5, h_bucket)", s, at: 10), [#"{j="a"}"#: 1])
        XCTAssertEqual(try eval("histogram_quantile(0.75, h_bucket)", s, at: 10), [#"{j="a"}"#: 1.5])
        XCTAssertEqual(try eval("histogram_quantile(1, h_bucket)", s, at: 10), [#"{j="a"}"#: 2])
        XCTAssertEqual(try eval("histogram_quantile(1.5, h_bucket)", s, at: 10), [#"{j="a"}"#: .infinity])
        // All observations above the highest finite bound: that bound.
        XCTAssertEqual(try eval("histogram_quantile(0.5, h_bucket)", h([("1", 0), ("2", 0), ("+Inf", 5)]), at: 10), [#"{j="a"}"#: 2])
        // A non-monotonic count is raised to the one before it (10, 10, 20).
        XCTAssertEqual(try eval("histogram_quantile(0.5, h_bucket)", h([("1", 10), ("2", 8), ("+Inf", 20)]), at: 10), [#"{j="a"}"#: 1])
        // A first bucket at or below zero is returned as is.
        XCTAssertEqual(try eval("histogram_quantile(0.1, h_bucket)", h([("-1", 5), ("1", 10), ("+Inf", 10)]), at: 10), [#"{j="a"}"#: -1])
        let noInf = try eval("histogram_quantile(0.5, h_bucket)", h([("1", 10), ("2", 20)]), at: 10)
        XCTAssertTrue(noInf[#"{j="a"}"#]?.isNaN ?? false)
        // A malformed `le` is skipped.
        XCTAssertEqual(try eval("histogram_quantile(0.5, h_bucket)", h([("x", 3), ("1", 10), ("+Inf", 20)]), at: 10), [#"{j="a"}"#: 1])
    }

    func testInstantFunctions() throws {
        let s = PromQLEvalTests.store([("m{src=\"ab\",i=\"1\"}", [(7, -2.5)]), ("m{src=\"zz\",i=\"2\"}", [(0, 4)])])
        XCTAssertEqual(try eval("abs(m)", s, at: 10), [#"{i="1", src="ab"}"#: 2.5, #"{i="2", src="zz"}"#: 4])
        XCTAssertEqual(try eval("round(m)", s, at: 10), [#"{i="1", src="ab"}"#: -2, #"{i="2", src="zz"}"#: 4])
        XCTAssertEqual(try eval("clamp(m, 0, 3)", s, at: 10), [#"{i="1", src="ab"}"#: 0, #"{i="2", src="zz"}"#: 3])
        XCTAssertEqual(try eval("clamp(m, 3, 0)", s, at: 10), [:])
        XCTAssertEqual(try eval("sgn(m)", s, at: 10), [#"{i="1", src="ab"}"#: -1, #"{i="2", src="zz"}"#: 1])
        XCTAssertEqual(try eval("timestamp(m)", s, at: 10), [#"{i="1", src="ab"}"#: 7, #"{i="2", src="zz"}"#: 0])
        XCTAssertEqual(try eval("timestamp(abs(m))", s, at: 10), [#"{i="1", src="ab"}"#: 10, #"{i="2", src="zz"}"#: 10])
        XCTAssertEqual(try eval("scalar(m)", s, at: 10)["scalar"]?.isNaN, true)
        XCTAssertEqual(try eval(#"scalar(m{i="2"}) + time()"#, s, at: 10), ["scalar": 14])
        XCTAssertEqual(try eval(#"absent(nothing{job="a", x=~"y", k="1", k="2"})"#, s, at: 10), [#"{job="a"}"#: 1])
        XCTAssertEqual(try eval("absent(m)", s, at: 10), [:])
        XCTAssertEqual(try eval(#"label_replace(m, "dst", "<$1-${2}>", "src", "(a)(b)")"#, s, at: 10),
                       [#"m{dst="<a-b>", i="1", src="ab"}"#: -2.5, #"m{i="2", src="zz"}"#: 4])
        XCTAssertEqual(try eval(#"label_replace(m, "dst", "$1x", "src", "(a)b")"#, s, at: 10),   // Go: group "1x", empty
                       [#"m{i="1", src="ab"}"#: -2.5, #"m{i="2", src="zz"}"#: 4])
        XCTAssertEqual(try eval(#"label_replace(m, "i", "", "src", "zz")"#, s, at: 10),
                       [#"m{i="1", src="ab"}"#: -2.5, #"m{src="zz"}"#: 4])
        XCTAssertEqual(try eval(#"label_join(m, "j", "-", "src", "i", "none")"#, s, at: 10),
                       [#"m{i="1", j="ab-1-", src="ab"}"#: -2.5, #"m{i="2", j="zz-2-", src="zz"}"#: 4])
        guard case .vector(let sorted) = try PromQLExpr.parse("sort_desc(m)").evaluate(at: 10_000, in: s) else { return XCTFail() }
        XCTAssertEqual(sorted.map(\.value), [4, -2.5])
        XCTAssertThrowsError(try eval(#"label_replace(m, "1x", "", "src", "zz")"#, s, at: 10))
        XCTAssertThrowsError(try eval(#"label_replace(m, "d", "", "src", "(")"#, s, at: 10))
    }

    func testDates() throws {
        let s = MemorySeriesStore()
        XCTAssertEqual(try eval("hour(vector(5 * 3600 + 59))", s, at: 0), ["{}": 5])
        XCTAssertEqual(try eval("minute(vector(5 * 3600 + 61))", s, at: 0), ["{}": 1])
        XCTAssertEqual(try eval("day_of_week(vector(0))", s, at: 0), ["{}": 4])            // a Thursday
        XCTAssertEqual(try eval("day_of_week(vector(-1))", s, at: 0), ["{}": 3])
        XCTAssertEqual(try eval("year(vector(-1))", s, at: 0), ["{}": 1969])
        XCTAssertEqual(try eval("days_in_month(vector(1706745600))", s, at: 0), ["{}": 29])  // 2024-02-01
        XCTAssertEqual(try eval("day_of_year(vector(1709164800))", s, at: 0), ["{}": 60])   // 2024-02-29
        XCTAssertEqual(try eval("month()", s, at: 1_496_275_200), ["{}": 6])                // 2017-06-01
        XCTAssertEqual(try eval("day_of_month()", s, at: 1_496_275_200), ["{}": 1])
    }

    /// The alert the monitoring-first scenario runs, over 1,000 series with an hour of 15 s
    /// samples: parse once, evaluate every 15 s; the same answer each time for the same data.
    func testPredictLinearOverAThousandSeries() throws {
        let store = MemorySeriesStore()
        for i in 0..<1000 {
            let labels = LabelSet(name: "node_x", [("instance", "h\(i)")])
            for k in 0..<240 { store.append(labels, Sample(t: Int64(k) * 15_000, v: Double(10_000 - k * (i % 50)))) }
        }
        let e = try PromQLExpr.parse("predict_linear(node_x[1h], 4*3600) < 0")
        var firing = 0
        for k in 0..<8 {
            guard case .vector(let v) = try e.evaluate(at: 3_585_000 + Int64(k) * 15_000, in: store) else { return XCTFail() }
            if k == 0 { firing = v.count }
        }
        // Slope −(i mod 50)/15 per second: below zero within 4 h when 10,000 − 239·d − 960·d < 0, d ≥ 9.
        XCTAssertEqual(firing, 1000 / 50 * 41)
    }
}
