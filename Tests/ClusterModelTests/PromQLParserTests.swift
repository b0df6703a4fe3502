@testable import ClusterModel
import XCTest

/// The PromQL parser against promql/parser (Prometheus 2.42): lexing, precedence and
/// associativity, modifiers, and every kind of error with its 0-based position.
final class PromQLParserTests: XCTestCase {
    func tree(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do { return try PromQLExpr.parse(s).root.sexpr } catch {
            XCTFail("\(s): \(error)", file: file, line: line); return ""
        }
    }

    func error(_ s: String) -> PromQLError? {
        do { _ = try PromQLExpr.parse(s); return nil } catch { return error }
    }

    func assertError(_ s: String, _ message: String, at pos: Int, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = error(s) else { return XCTFail("\(s) parsed", file: file, line: line) }
        XCTAssertEqual(e.message, message, s, file: file, line: line)
        XCTAssertEqual(e.position, pos, s, file: file, line: line)
    }

    func testNumbersStringsDurations() {
        XCTAssertEqual(tree("0x1F"), "31")
        XCTAssertEqual(tree("010"), "8")            // strconv.ParseInt base 0: octal
        XCTAssertEqual(tree("1.5e3"), "1500")
        XCTAssertEqual(tree(".5"), "0.5")
        XCTAssertEqual(tree("-Inf"), "-Inf")
        XCTAssertEqual(tree("NaN"), "NaN")
        XCTAssertEqual(tree(#""a\"b\n""#), #""a\"b\n""#)
        XCTAssertEqual(tree(#"'it\'s'"#), #""it's""#)
        XCTAssertEqual(tree(#"`raw\n`"#), #""raw\\n""#)
        XCTAssertEqual(tree(#""\x41\u00e9\101""#), "\"A\u{e9}A\"")
        XCTAssertEqual(tree("x[1h30m]"), "x[5400000ms]")
        XCTAssertEqual(tree("x[1d]"), "x[86400000ms]")
        XCTAssertEqual(tree("x[1w]"), "x[604800000ms]")
        XCTAssertEqual(tree("x[1y]"), "x[31536000000ms]")
        XCTAssertEqual(tree("x[250ms]"), "x[250ms]")
        XCTAssertEqual(tree("x offset -5m"), "x offset -300000ms")
        XCTAssertEqual(tree("x[5m] offset 1h"), "x[300000ms] offset 3600000ms")
        XCTAssertEqual(tree("rate(x[5m:30s] offset 1m)"), "rate(x[300000ms:30000ms] offset 60000ms)")
        XCTAssertEqual(tree("max_over_time(sum(x)[10m:])"), "max_over_time(sum(x)[600000ms:0ms])")
        XCTAssertEqual(tree("x # a comment"), "x")
    }

    func testSelectors() throws {
        XCTAssertEqual(tree(#"job:up:sum{job="a",i!="b",j=~"c.*",k!~"d",}"#), #"job:up:sum{job="a",i!="b",j=~"c.*",k!~"d"}"#)
        XCTAssertEqual(tree(#"{__name__="x", on="y"}"#), #"x{on="y"}"#)
        let sel = try PromQLExpr.parse(#"a{b="c"} + rate(d[5m] offset 1m)"#).selectors
        XCTAssertEqual(sel.map(\.metricName), ["a", "d"])
        XCTAssertEqual(sel.map(\.rangeMs), [0, 300_000])
        XCTAssertEqual(sel.map(\.offsetMs), [0, 60_000])
        XCTAssertEqual(sel[0].matchers.map(\.description), [#"b="c""#, #"__name__="a""#])
        XCTAssertEqual(try PromQLExpr.parse("max_over_time(x[10m:1m] offset 5m)").selectors.map(\.rangeMs), [600_000])
        XCTAssertTrue(try PromQLExpr.parse("sum(rate(x[5m] @ 100))").usesAtModifier)
        XCTAssertTrue(try PromQLExpr.parse("max_over_time(x[10m:1m] @ end())").usesAtModifier)
        XCTAssertFalse(try PromQLExpr.parse("sum(rate(x[5m] offset 1m))").usesAtModifier)
        XCTAssertEqual(try PromQLExpr.parse("max_over_time(x[10m:1m] offset 5m)").selectors.map(\.offsetMs), [300_000])
    }

    func testPrecedenceAndAssociativity() {
        XCTAssertEqual(tree("a + b * c"), "(a + (b * c))")
        XCTAssertEqual(tree("a * b + c"), "((a * b) + c)")
        XCTAssertEqual(tree("a - b - c"), "((a - b) - c)")
        XCTAssertEqual(tree("a ^ b ^ c"), "(a ^ (b ^ c))")
        XCTAssertEqual(tree("a / b atan2 c % d"), "(((a / b) atan2 c) % d)")
        XCTAssertEqual(tree("a or b and c unless d"), "(a or ((b and c) unless d))")
        XCTAssertEqual(tree("a > b + 1 and c"), "((a > (b + 1)) and c)")
        XCTAssertEqual(tree("a == bool b or c"), "((a == bool b) or c)")
        XCTAssertEqual(tree("-a ^ 2"), "(-(a ^ 2))")
        XCTAssertEqual(tree("-a * b"), "((-a) * b)")
        XCTAssertEqual(tree("2 ^ -1"), "(2 ^ -1)")
        XCTAssertEqual(tree("-(1)"), "(-1)")
        XCTAssertEqual(tree("+x"), "x")
        XCTAssertEqual(tree("(a + b) * c"), "((a + b) * c)")
        XCTAssertEqual(tree("1 + 2 * 3 > bool 6"), "((1 + (2 * 3)) > bool 6)")
        XCTAssertEqual(tree("a + b offset 5m"), "(a + b offset 300000ms)")
    }

    func testModifiersAndAggregations() {
        XCTAssertEqual(tree("a * on(x, y) group_left(z) b"), "(a * on(x,y) group_left(z) b)")
        XCTAssertEqual(tree("a / ignoring(x) group_right b"), "(a / ignoring(x) group_right() b)")
        XCTAssertEqual(tree("a > bool on() b"), "(a > bool on() b)")
        XCTAssertEqual(tree("sum by (job) (x)"), "sum by(job)(x)")
        XCTAssertEqual(tree("sum(x) without (instance, on,)"), "sum without(instance,on)(x)")
        XCTAssertEqual(tree("topk(3, x)"), "topk(3, x)")
        XCTAssertEqual(tree(#"count_values("v", x)"#), #"count_values("v", x)"#)
        XCTAssertEqual(tree("quantile by (a) (0.9, rate(x[1m]))"), "quantile by(a)(0.9, rate(x[60000ms]))")
        XCTAssertEqual(tree("SUM(x)"), "sum(x)")
        XCTAssertEqual(tree("predict_linear(node_x[1h], 4*3600) < 0"), "(predict_linear(node_x[3600000ms], (4 * 3600)) < 0)")
        XCTAssertEqual(tree("round(x)"), "round(x)")
        XCTAssertEqual(tree("hour()"), "hour()")
        XCTAssertEqual(tree(#"label_join(x, "d", ",", "a", "b", "c")"#), #"label_join(x, "d", ",", "a", "b", "c")"#)
    }

    func testErrorsWithPositions() {
        assertError("", "no expression found in input", at: 0)
        assertError("foo(x)", "unknown function with name \"foo\"", at: 0)
        assertError("1 + bar(x)", "unknown function with name \"bar\"", at: 4)
        assertError("rate(x)", "expected type range vector in call to function \"rate\", got instant vector", at: 5)
        assertError("rate(x[5m], 1)", "expected 1 argument(s) in call to \"rate\", got 2", at: 0)
        assertError("round()", "expected at least 1 argument(s) in call to \"round\", got 0", at: 0)
        assertError("round(x, 1, 2)", "expected at most 2 argument(s) in call to \"round\", got 3", at: 0)
        assertError("abs(x,)", "trailing commas not allowed in function call args", at: 5)
        assertError("{}", "vector selector must contain at least one non-empty matcher", at: 0)
        assertError(#"{a=~".*"}"#, "vector selector must contain at least one non-empty matcher", at: 0)
        assertError(#"x{__name__="y"}"#, "metric name must not be set twice: \"x\" or \"y\"", at: 0)
        assertError("1 > 2", "comparisons between scalars must use BOOL modifier", at: 2)
        assertError("a + bool b", "bool modifier can only be used on comparison operators", at: 2)
        assertError("a and 1", "set operator \"and\" not allowed in binary scalar expression", at: 0)
        assertError("a and on(x) group_left b", "no grouping allowed for \"and\" operation", at: 0)
        assertError("a + on(x) group_left(x) b", "label \"x\" must not occur in ON and GROUP clause at once", at: 2)
        assertError("1 + on(x) a", "vector matching only allowed between instant vectors", at: 0)
        assertError("x[5m] + 1", "binary expression must contain only scalar and instant vector types", at: 0)
        assertError("sum(x)[5m]", "ranges only allowed for vector selectors", at: 6)
        assertError("x offset 5m [10m]", "no offset modifiers allowed before range", at: 12)
        assertError("x offset 1m offset 2m", "offset may not be set multiple times", at: 0)
        assertError("sum(x) offset 1m", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: 0)
        assertError("x[5m][1m:]", "subquery is only allowed on instant vector, got matrix instead", at: 0)
        assertError("sum()", "no arguments for aggregate expression provided", at: 0)
        assertError("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", at: 0)
        assertError("topk(x, y)", "expected type scalar in aggregation parameter, got instant vector", at: 5)
        assertError("sum(x[5m])", "expected type instant vector in aggregation expression, got range vector", at: 4)
        assertError(#"-"a""#, "unary expression only allowed on expressions of type scalar or instant vector, got \"string\"", at: 0)
        assertError("x[5]", "missing unit character in duration", at: 2)
        assertError("x[5m", "unclosed left bracket", at: 4)
        assertError("x[5x]", "bad duration syntax: \"5\"", at: 2)
        assertError("x[0s]", "duration must be greater than 0", at: 2)
        assertError("x[1m1h]", "not a valid duration string: \"1m1h\"", at: 2)
        assertError("sum(x", "unclosed left parenthesis", at: 5)
        assertError("x)", "unexpected right parenthesis ')'", at: 2)
        assertError(#"x{a="b""#, "unexpected end of input inside braces", at: 7)
        assertError(#"x{a~"b"}"#, "unexpected character inside braces: '~'", at: 3)
        assertError(#"x{a="b" c="d"}"#, "unexpected identifier \"c\" in label matching, expected \",\" or \"}\"", at: 8)
        assertError(#"x{a=b}"#, "unexpected identifier \"b\" in label matching, expected string", at: 4)
        assertError(#""abc"#, "unterminated quoted string", at: 0)
        assertError(#""\q""#, "unknown escape sequence U+0071 'q'", at: 0)
        assertError("1 +", "unexpected end of input", at: 3)
        assertError("x y", "unexpected identifier \"y\"", at: 2)
        assertError("sum(x) @ 100", "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", at: 0)
        assertError("x @ 1 @ 2", "@ <timestamp> may not be set multiple times", at: 0)
        assertError("x @ 1 [5m]", "no @ modifiers allowed before range", at: 6)
        assertError("x @ Inf", "timestamp out of bounds for @ modifier: +Inf", at: 0)
        assertError("1e400", "error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range", at: 0)
        assertError("sum by (a:b) (x)", "unexpected metric identifier \"a:b\" in grouping opts, expected label", at: 8)
        assertError("x $", "unexpected character: '$'", at: 2)
    }

    func testBoundedOnHostileInput() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        XCTAssertEqual(error(deep)?.message, "expression nested too deeply")
        XCTAssertNotNil(error(String(repeating: "1+", count: 60_000) + "1"))
        XCTAssertEqual(error("x[99999999999999999999y]")?.message, "duration out of range")
    }

    /// A chain of one precedence is as deep a tree as it has operators, without any nesting: 16,000
    /// of them crashed the evaluator of a release build (stack overflow), 4,000 a debug build's.
    /// The tree is bounded at PromQLParser.maxTreeDepth levels; below that it parses and evaluates.
    func testLongOperatorChainsAreBoundedByTreeDepth() throws {
        let limit = PromQLParser.maxTreeDepth
        func chain(_ terms: Int, _ term: String = "x", _ op: String = " + ") -> String {
            Array(repeating: term, count: terms).joined(separator: op)
        }
        // `limit` terms: limit - 1 operators over the leaves, exactly `limit` levels
        let ok = try PromQLExpr.parse(chain(limit))
        XCTAssertEqual(ok.root.depth, limit)
        let store = PromQLEvalTests.store([("x{a=\"1\"}", [(0, 2)]), ("x{a=\"2\"}", [(0, 3)])])
        XCTAssertEqual(try PromQLEvalTests.eval(chain(limit), store, at: 10), ["{a=\"1\"}": Double(2 * limit), "{a=\"2\"}": Double(3 * limit)])
        XCTAssertEqual(try PromQLEvalTests.eval(chain(limit, "1"), store, at: 10), ["scalar": Double(limit)])
        // one more level is refused where the chain passes the limit
        let long = chain(limit + 1)
        assertError(long, "expression nested too deeply (more than \(limit) levels, counting each binary operator of a chain)",
                    at: (limit - 1) * 4 + 2)
        XCTAssertNotNil(error(chain(4 * limit, "1", "-")))
        // nesting and chains add up: parentheses around a chain count as levels too
        let wrapped = String(repeating: "abs(", count: 150) + chain(limit - 150) + String(repeating: ")", count: 150)
        XCTAssertEqual(try PromQLExpr.parse(wrapped).root.depth, limit)
        XCTAssertNotNil(error(String(repeating: "abs(", count: 151) + chain(limit - 150) + String(repeating: ")", count: 151)))
        XCTAssertEqual(error(chain(limit, "x", " or ")).map(\.message), nil)
        XCTAssertEqual(try PromQLExpr.parse(chain(limit - 1, "sum(x)", " * ")).root.type, .vector)   // sum(x) is 2 levels
    }
}
