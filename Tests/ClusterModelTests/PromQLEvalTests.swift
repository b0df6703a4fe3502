@testable import ClusterModel
import XCTest

/// Evaluation semantics of Prometheus 2.42 worked out by hand: lookback and staleness, range
/// boundaries, offsets, subquery steps, operators and vector matching with their errors.
final class PromQLEvalTests: XCTestCase {
    /// A store from `name{labels}` → [(seconds, value)].
    static func store(_ series: [(String, [(Int64, Double)])]) -> MemorySeriesStore {
        let s = MemorySeriesStore()
        for (text, samples) in series {
            let labels = parseLabels(text)
            for (t, v) in samples { s.append(labels, Sample(t: t * 1000, v: v)) }
        }
        return s
    }

    /// `name{a="b",c="d"}` (no escapes) as a LabelSet.
    static func parseLabels(_ text: String) -> LabelSet {
        let name = String(text.prefix { $0 != "{" })
        var pairs: [(String, String)] = []
        if let open = text.firstIndex(of: "{") {
            for part in text[text.index(after: open)...].dropLast().split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                pairs.append((String(kv[0]), String(kv[1].dropFirst().dropLast())))
            }
        }
        return name.isEmpty ? LabelSet(pairs.map { MetricLabel($0.0, $0.1) }) : LabelSet(name: name, pairs)
    }

    static func eval(_ q: String, _ store: SeriesStore, at seconds: Double) throws -> [String: Double] {
        switch try PromQLExpr.parse(q).evaluate(at: Int64(seconds * 1000), in: store) {
        case .vector(let v): return Dictionary(v.map { ($0.labels.description, $0.value) }, uniquingKeysWith: { a, _ in a })
        case .scalar(let x): return ["scalar": x]
        default: return [:]
        }
    }

    func evalError(_ q: String, _ store: SeriesStore, at seconds: Double = 100) -> PromQLError? {
        do { _ = try PromQLExpr.parse(q).evaluate(at: Int64(seconds * 1000), in: store); return nil } catch { return error }
    }

    func testLookbackIsClosedAndStalenessEndsASeries() throws {
        let s = Self.store([("x", [(0, 1)]), ("y", [(0, 2), (100, Sample.staleNaN), (200, 3)])])
        XCTAssertEqual(try Self.eval("x", s, at: 300), ["x": 1])            // t − 5m included (2.42)
        XCTAssertEqual(try Self.eval("x", s, at: 300.001), [:])
        XCTAssertEqual(try Self.eval("y", s, at: 99.999), ["y": 2])
        XCTAssertEqual(try Self.eval("y", s, at: 100), [:])                 // the marker is the newest sample
        XCTAssertEqual(try Self.eval("y", s, at: 199), [:])
        XCTAssertEqual(try Self.eval("y", s, at: 200), ["y": 3])
        XCTAssertEqual(try Self.eval("count_over_time(y[5m])", s, at: 200), ["{}": 2])  // markers dropped
        XCTAssertEqual(try PromQLExpr.parse("x").evaluate(at: 60_001, in: s, lookbackMs: 60_000), .vector([]))
    }

    func testRangeIsClosedAtBothEndsAndOffsetShifts() throws {
        let s = Self.store([("x", [(0, 1), (60, 2), (120, 3)])])
        XCTAssertEqual(try Self.eval("count_over_time(x[1m])", s, at: 120), ["{}": 2])   // [60, 120]: 2.x is left-closed
        XCTAssertEqual(try Self.eval("count_over_time(x[1m])", s, at: 119.999), ["{}": 1])
        XCTAssertEqual(try Self.eval("x offset 1m", s, at: 120), ["x": 2])
        XCTAssertEqual(try Self.eval("x offset -1m", s, at: 60), ["x": 3])
        XCTAssertEqual(try Self.eval("sum_over_time(x[1m] offset 1m)", s, at: 120), ["{}": 3])
        XCTAssertEqual(try Self.eval("last_over_time(x[1m])", s, at: 120), ["x": 3])     // keeps the name
        XCTAssertEqual(try Self.eval("max_over_time(x[1m])", s, at: 120), ["{}": 3])
    }

    func testSubqueryEvaluatesAtMultiplesOfItsStep() throws {
        let s = Self.store([("x", (0..<20).map { (Int64($0) * 10, Double($0)) })])
        // Steps at 60, 80, ..., 180 within [50, 180] (aligned to multiples of 20 s): x there is 6, 8, ..., 18.
        XCTAssertEqual(try Self.eval("count_over_time(x[130s:20s])", s, at: 180), ["{}": 7])
        XCTAssertEqual(try Self.eval("sum_over_time(x[130s:20s])", s, at: 180), ["{}": 6 + 8 + 10 + 12 + 14 + 16 + 18])
        // Default step 1 m; window [90, 150]: only 120, where x is 12.
        XCTAssertEqual(try Self.eval("min_over_time(x[1m:] offset 30s)", s, at: 180), ["{}": 12])
    }

    func testArithmeticComparisonsAndBool() throws {
        let s = Self.store([("a{i=\"1\"}", [(0, 3)]), ("a{i=\"2\"}", [(0, 10)]), ("b{i=\"1\"}", [(0, 4)]), ("b{i=\"2\"}", [(0, 5)])])
        XCTAssertEqual(try Self.eval("a + b", s, at: 10), [#"{i="1"}"#: 7, #"{i="2"}"#: 15])
        XCTAssertEqual(try Self.eval("a > 5", s, at: 10), [#"a{i="2"}"#: 10])             // filter keeps the name
        XCTAssertEqual(try Self.eval("a > bool 5", s, at: 10), [#"{i="1"}"#: 0, #"{i="2"}"#: 1])
        XCTAssertEqual(try Self.eval("5 < a", s, at: 10), [#"a{i="2"}"#: 10])             // the vector's value is kept
        XCTAssertEqual(try Self.eval("a < b", s, at: 10), [#"a{i="1"}"#: 3])
        XCTAssertEqual(try Self.eval("2 ^ 3 ^ 2", s, at: 10), ["scalar": 512])
        XCTAssertEqual(try Self.eval("-a", s, at: 10), [#"{i="1"}"#: -3, #"{i="2"}"#: -10])
        XCTAssertEqual(try Self.eval("a % 4", s, at: 10), [#"{i="1"}"#: 3, #"{i="2"}"#: 2])
        XCTAssertEqual(try Self.eval("1 == bool 1", s, at: 10), ["scalar": 1])
        XCTAssertEqual(try Self.eval("a and b > 4", s, at: 10), [#"a{i="2"}"#: 10])
        XCTAssertEqual(try Self.eval("a unless b > 4", s, at: 10), [#"a{i="1"}"#: 3])
        XCTAssertEqual(try Self.eval(#"a or b{i="3"} or b"#, s, at: 10), [#"a{i="1"}"#: 3, #"a{i="2"}"#: 10])
    }

    func testVectorMatchingAndItsErrors() throws {
        let s = Self.store([("a{i=\"1\",j=\"x\"}", [(0, 2)]), ("a{i=\"1\",j=\"y\"}", [(0, 3)]), ("c{i=\"1\",j=\"x\"}", [(0, 5)]),
                            ("b{i=\"1\",k=\"p\"}", [(0, 10)])])
        XCTAssertEqual(try Self.eval("a * on(i) group_left(k) b", s, at: 10),
                       [#"{i="1", j="x", k="p"}"#: 20, #"{i="1", j="y", k="p"}"#: 30])
        XCTAssertEqual(try Self.eval("b / on(i) group_right a", s, at: 10), [#"{i="1", j="x"}"#: 5, #"{i="1", j="y"}"#: 10 / 3])
        XCTAssertEqual(try Self.eval(#"a{j="x"} + ignoring(j, k) b"#, s, at: 10), [#"{i="1"}"#: 12])
        XCTAssertEqual(try Self.eval(#"a{j="x"} + on(i) b"#, s, at: 10), [#"{i="1"}"#: 12])
        let m2m = evalError("b + on(i) a", s)
        XCTAssertEqual(m2m?.message, #"found duplicate series for the match group {i="1"} on the right hand-side of the operation: "#
            + #"[{__name__="a", i="1", j="y"}, {__name__="a", i="1", j="x"}];many-to-many matching not allowed: matching labels must be unique on one side"#)
        XCTAssertEqual(evalError("a + on(i) b", s)?.message,
                       "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
        XCTAssertEqual(evalError(#"{__name__=~"a|c",j="x"} * on(i) group_left b"#, s)?.message,
                       "multiple matches for labels: grouping labels must ensure unique matches")
        XCTAssertEqual(evalError(#"abs({__name__=~"a|c",j="x"})"#, s)?.message, "vector cannot contain metrics with the same labelset")
        XCTAssertEqual(evalError(#"-{__name__=~"a|c",j="x"}"#, s)?.message, "vector cannot contain metrics with the same labelset")
    }

    func testAggregations() throws {
        let s = Self.store([("m{g=\"a\",i=\"1\"}", [(0, 1)]), ("m{g=\"a\",i=\"2\"}", [(0, 3)]), ("m{g=\"b\",i=\"3\"}", [(0, 8)]),
                            ("m{g=\"b\",i=\"4\"}", [(0, 8)])])
        XCTAssertEqual(try Self.eval("sum by (g) (m)", s, at: 10), [#"{g="a"}"#: 4, #"{g="b"}"#: 16])
        XCTAssertEqual(try Self.eval("sum without (i) (m)", s, at: 10), [#"{g="a"}"#: 4, #"{g="b"}"#: 16])
        XCTAssertEqual(try Self.eval("sum by (__name__) (m)", s, at: 10), ["m": 20])
        XCTAssertEqual(try Self.eval("avg(m)", s, at: 10), ["{}": 5])
        XCTAssertEqual(try Self.eval("count(m)", s, at: 10), ["{}": 4])
        XCTAssertEqual(try Self.eval("stdvar(m)", s, at: 10), ["{}": 9.5])   // mean 5: (16 + 4 + 9 + 9) / 4
        XCTAssertEqual(try Self.eval("stddev by (g) (m)", s, at: 10), [#"{g="a"}"#: 1, #"{g="b"}"#: 0])
        XCTAssertEqual(try Self.eval("group by (g) (m)", s, at: 10), [#"{g="a"}"#: 1, #"{g="b"}"#: 1])
        XCTAssertEqual(try Self.eval("quantile(0.5, m)", s, at: 10), ["{}": 5.5])
        XCTAssertEqual(try Self.eval(#"count_values("v", m)"#, s, at: 10), [#"{v="1"}"#: 1, #"{v="3"}"#: 1, #"{v="8"}"#: 2])
        XCTAssertEqual(try Self.eval(#"count_values without (i) ("v", m)"#, s, at: 10),
                       [#"{g="a", v="1"}"#: 1, #"{g="a", v="3"}"#: 1, #"{g="b", v="8"}"#: 2])
        guard case .vector(let top) = try PromQLExpr.parse("topk(3, m)").evaluate(at: 10_000, in: s) else { return XCTFail() }
        XCTAssertEqual(top.map(\.labels["i"]), ["3", "4", "2"])    // ties: the first to arrive first
        XCTAssertEqual(try Self.eval("bottomk by (g) (1, m)", s, at: 10), [#"m{g="a", i="1"}"#: 1, #"m{g="b", i="3"}"#: 8])
        XCTAssertEqual(try Self.eval("topk(0, m)", s, at: 10), [:])
        XCTAssertEqual(evalError("topk(scalar(vector(1e300)), m)", s)?.message, "Scalar value 1e+300 overflows int64")
    }
}
