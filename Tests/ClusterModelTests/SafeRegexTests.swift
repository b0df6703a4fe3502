import XCTest
import ClusterModel

/// Prometheus matches regexes with RE2 (linear time); the simulator's engine backtracks, so the
/// patterns that could take exponential time are refused with a reason, and so are the constructs
/// RE2 itself refuses. The regexes real configurations use pass.
final class SafeRegexTests: XCTestCase {
    func testRegexesOfRealConfigurationsPass() {
        for p in ["(.*)", "(.+):(\\d+)", "([^:]+):\\d+", "__meta_marathon_app_label_(.+)", "crit|warn", "mesos-.+", "5..",
                  "container_(tasks_state|memory_failures_total)", "(\\d+\\.){3}\\d+", "[a-z]+(-[0-9]+)?", "a{2,3}", "(?i)node.*",
                  "(?P<host>[^:]+):9100", "x(ab)?y", "[)(]+", "\\(a+\\)+"] {
            XCTAssertNil(SafeRegex.problem(p), p)
            XCTAssertNoThrow(try LabelMatcher("l", .regexMatch, p), p)
        }
    }

    func testPatternsThatCouldBacktrackExponentiallyAreRefused() {
        for p in ["(a+)+b", "(a|a)*b", "(a*)*", "((ab)+)+", "(x+x+)+y", "(\\w+\\s?)+$", "([a-z]+)*", "(a|ab){2,}"] {
            let why = SafeRegex.problem(p)
            XCTAssertNotNil(why, p)
            XCTAssertTrue(why?.contains("exponential") ?? false, "\(p): \(why ?? "")")
            XCTAssertThrowsError(try LabelMatcher("instance", .regexMatch, p)) { e in
                XCTAssertTrue("\(e)".contains("refused"), "\(e)")
            }
        }
    }

    func testWhatRE2RefusesIsRefused() {
        XCTAssertEqual(SafeRegex.problem("(a)\\1"), "backreferences (\\1) are not RE2 syntax")
        XCTAssertEqual(SafeRegex.problem("a(?=b)"), "lookahead is not RE2 syntax")
        XCTAssertEqual(SafeRegex.problem("(?<!a)b"), "lookbehind is not RE2 syntax")
        XCTAssertEqual(SafeRegex.problem("(?>a+)b"), "atomic groups are not RE2 syntax")
        XCTAssertEqual(SafeRegex.problem("a++"), "possessive quantifiers are not RE2 syntax")
        XCTAssertNotNil(SafeRegex.problem(String(repeating: "a", count: 5000)))
    }

    /// The refusal reaches the user at load: a relabel regex and a label_replace pattern.
    func testRelabelAndLabelReplaceRefuseThem() {
        var r = RelabelConfig()
        XCTAssertThrowsError(try r.setRegex("(a+)+"))
        XCTAssertNoThrow(try r.setRegex("(.+):9100"))
        XCTAssertThrowsError(try PromQLExpr.parse("label_replace(up, \"x\", \"$1\", \"instance\", \"(a|b)*\")")
                             .evaluate(at: 0, in: MemorySeriesStore()))
    }
}
