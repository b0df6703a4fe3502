@testable import ClusterModel
import Foundation
import XCTest

/// Real Prometheus judges the regex engine: label values that exercise RE2's semantics (leftmost-first
/// captures, empty matches, `$1x`, `(a|b)*`, a newline under `.`) go into a `promtool test rules` file;
/// every `label_replace` and `=~`/`!~` selector is evaluated here and its result becomes a
/// `promql_expr_test` that promtool 2.42 checks for exact equality (2.42 compiles `^(?:re)$`, no (?s)).
final class RegexPromtoolTests: XCTestCase {
    static let values = ["ab", "abab", "aab", "a\nb", "foobar", "x12y", "日本", "AbC", "a.b", "b", "abcd", "aaa"]

    static let expressions = [
        #"label_replace(re_test, "out", "$1", "v", "(a|ab)(.*)")"#,
        #"label_replace(re_test, "out", "$1x", "v", "(a+)(.*)")"#,
        #"label_replace(re_test, "out", "${1}x", "v", "(a+)(.*)")"#,
        #"label_replace(re_test, "out", "[$1][$2]", "v", "(a*)(b*)")"#,
        #"label_replace(re_test, "out", "$name-$$", "v", "(?P<name>.)(.*)")"#,
        #"label_replace(re_test, "out", "m", "v", "(a|b)*")"#,
        #"label_replace(re_test, "out", "$1", "v", "(a+)+")"#,
        #"label_replace(re_test, "out", "<$1>", "v", "(.*)")"#,
        #"label_replace(re_test, "out", "<$1>", "v", "(?s)(.*)")"#,
        #"label_replace(re_test, "out", "[$1]", "v", "(a*?)(b)?.*")"#,
        #"label_replace(re_test, "out", "<$1|$2|$3>", "v", "(a|ab)(c|bcd)?(.*)")"#,
        #"label_replace(re_test, "out", "[$01]", "v", "(a)(.*)")"#,
        #"label_replace(re_test, "out", "${2}${1}", "v", "(.)(.)")"#,
        #"label_replace(re_test, "out", "$1", "v", "(日)本")"#,
        #"label_replace(re_test, "out", "$1", "v", "(?i)(a)bc")"#,
        #"label_replace(re_test, "out", "$2", "v", "(a|b)*(.?)")"#,
        #"re_test{v=~".*"}"#,
        #"re_test{v=~"(?s).*"}"#,
        #"re_test{v=~"(a|b)*"}"#,
        #"re_test{v!~"a.*"}"#,
        #"re_test{v=~"(?i)abc"}"#,
        "re_test{v=~`\\pL+`}",
        #"re_test{v=~""}"#,
        "re_test{v=~`x\\d+y`}",
        #"re_test{v=~"[[:alpha:]]+"}"#,
        #"re_test{v=~"a|ab"}"#,
        #"re_test{v=~"a\\.b"}"#,
        #"re_test{v=~"(a+)+b"}"#,
    ]

    func testPromtoolAgreesOnRegexes() throws {
        let store = MemorySeriesStore()
        var series: [[String: Any]] = []
        for (i, v) in Self.values.enumerated() {
            let labels = LabelSet(name: "re_test", [("id", String(i)), ("v", v)])
            for k in 0..<5 { store.append(labels, Sample(t: Int64(k) * 15_000, v: Double(i))) }
            series.append(["series": labels.description, "values": "\(i)+0x4"])
        }
        var tests: [[String: Any]] = []
        var results: [String: [VectorSample]] = [:]
        for text in Self.expressions {
            guard case .vector(let samples) = try PromQLExpr.parse(text).evaluate(at: 60_000, in: store) else { XCTFail(text); continue }
            results[text] = samples
            tests.append(["expr": text, "eval_time": "1m",
                          "exp_samples": samples.map { ["labels": $0.labels.description, "value": $0.value] }])
        }
        func out(_ e: String, _ v: String) -> String? { results[e]?.first { $0.labels["v"] == v }?.labels["out"] }
        // what RE2 gives, whatever promtool says
        XCTAssertEqual(out(Self.expressions[0], "ab"), "a")            // leftmost-first: a before ab
        XCTAssertEqual(out(Self.expressions[1], "ab"), nil)            // $1x is the group "1x": empty, the label is not set
        XCTAssertEqual(out(Self.expressions[2], "aab"), "aax")
        XCTAssertEqual(out(Self.expressions[4], "ab"), "a-$")
        XCTAssertEqual(out(Self.expressions[5], "abab"), "m")          // (a|b)* is RE2 syntax
        XCTAssertEqual(out(Self.expressions[7], "a\nb"), nil)          // `.` does not match a newline (2.42: no (?s))
        XCTAssertEqual(out(Self.expressions[8], "a\nb"), "<a\nb>")
        XCTAssertEqual(out(Self.expressions[10], "abcd"), "<a|bcd|>")
        XCTAssertEqual(results[Self.expressions[16]]?.count, Self.values.count - 1)
        guard let promtool = PromQLPromtoolTests.promtool() else {
            throw XCTSkip("promtool is not installed (Debian package prometheus; the installer adds it)")
        }
        let release = try PromtoolRelease.gate(promtool, recorded: [], what: "the regex engine")
        let doc: [String: Any] = ["rule_files": [], "evaluation_interval": "1m",
                                  "tests": [["interval": "15s", "input_series": series, "promql_expr_test": tests]]]
        let (status, output) = try PromQLPromtoolTests.runPromtoolStatus(promtool, doc)
        XCTAssertEqual(status, 0, "promtool \(release): " + String(output.prefix(20_000)))
    }
}
