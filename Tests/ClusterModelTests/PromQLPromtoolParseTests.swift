@testable import ClusterModel
import Foundation
import XCTest

/// Real Prometheus judges the parser: each expression goes into its own rule file and
/// `promtool check rules` (Debian's 2.42) says whether it parses and, when not, its message and
/// `line:column`; the simulator's parser must accept the same expressions and reject the others
/// with the same message at the same place.
final class PromQLPromtoolParseTests: XCTestCase {
    static let expressions = [
        // accepted
        "offset", "sum", #"sum{job="x"}"#, #"by{a="b"}"#, "x offset -5m", "foo:bar[5m:]", "1 + -2", "-x ^ 2",
        "a + on() group_left b", #"{__name__=~"x.*"}"#, #"x{a=~".+",}"#, "rate(x[1h30m])", "0x1F + 1e3 - .5",
        "inf + nan", "sum without () (x)", #"count_values("v", x)"#, "x # comment", #"label_join(x, "a", "b", "c", "d")"#,
        "round(x, 1)", "hour()", "vector(1) and on() vector(2)", #"absent(x{a="b"})"#, "x[5m] offset 1w",
        "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", "max_over_time(deriv(x[5m])[1h:5m] offset 10m)",
        "a > bool on(b) group_right(c) d", #"x{a="\u00e9\x41\101"}"#, "sum by (on, bool, offset) (x)", "x[5m:]",
        "topk(3, x) by (a)", "a ^ b ^ c", "(x)", "SUM(x)", "holt_winters(x[5m], 0.5, 0.5)", "histogram_fraction(0, 1, x)",
        "holt_winters(x[5m], 0.5)", "histogram_count(x[5m])",
        // rejected
        "foo(x)", "rate(x)", "rate(x[5m], 1)", "round()", "abs(x,)", "{}", #"x{__name__="y"}"#, "a + bool b",
        "a and on(x) group_left b", "a + on(x) group_left(x) b", "x offset 5m [10m]", "sum(x) offset 1m", "x[5m][1m:]",
        "topk(x)", "x[5]", "x[5x]", "x[0s]", "x[1m1h]", "sum(x", "x)", #"x{a="b""#, "x{a=b}", "1 +", "x y",
        "sum by (a:b) (x)", "x $", #""\q""#, "sum(x) by (a) by (b)", "a * group_left b", "x[5m:1m:1m]", #"- "a""#,
        "1e400", "1 > 2", "a and 1", "1 + on(x) a", "x[5m] + 1", "sum()", "topk(x, y)", "sum(x[5m])", "x offset 1m offset 2m",
        "x[5m", #"x{a~"b"}"#, #"x{a="b" c="d"}"#, #""abc"#, "sum(x)[5m]", "rate(x[5m]", "x[5m] )", "(1", "x{", "x[", "[5m]",
        "x offset", "sum by x", "x + on(a", "5m", "x ==", "bool", "time(1)", "x[1h:5m:]", "rate(x[5m] offset 5m)",
        "x]", "abs(1)", #"label_replace(x, "a", "b", "c")"#,
        // the @ modifier
        "x[1m] @ 1", "x @ 1 + 1", "sum(x @ start())", "x offset 5m @ 10", "x @ 10.5 offset -5m", "rate(x[5m:1m] @ end())",
        "x @ -1", "x @ 1 @ 2", "sum(x) @ 1", "x @ 1 [5m]", "x @ Inf", "x @ start", "x @ foo", "x @ ", "x @ 1e19", "x @ start(1)", "x @ end(",
    ]

    /// `line:column` of a 0-based offset, as promql/parser prints a position.
    static func lineColumn(_ text: String, _ pos: Int) -> String {
        let before = Array(text.unicodeScalars.prefix(pos))
        let line = 1 + before.filter { $0 == "\n" }.count
        let col = pos - (before.lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
        return "\(line):\(col)"
    }

    func testPromtoolParsesWhatTheSimulatorParses() throws {
        guard let promtool = PromQLPromtoolTests.promtool() else {
            throw XCTSkip("promtool is not installed (Debian package prometheus; the installer adds it)")
        }
        // 2.53 parses these expressions as 2.42 does, with the same messages
        _ = try PromtoolRelease.gate(promtool, recorded: ["2.53"], what: "the parser")
        let dir = NSTemporaryDirectory() + "promql-parse-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [String] = []
        for (i, e) in Self.expressions.enumerated() {
            let doc: [String: Any] = ["groups": [["name": "g", "rules": [["record": "r", "expr": e]]]]]
            let file = dir + "/e\(i).json"
            try JSONSerialization.data(withJSONObject: doc, options: [.withoutEscapingSlashes]).write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["check", "rules"] + files
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        // Per file: nil when promtool accepts it, else "line:col: parse error: message".
        var verdicts: [String: String?] = [:]
        for block in out.components(separatedBy: "Checking ").dropFirst() {
            let name = String(block.prefix { $0 != "\n" })
            if block.contains("SUCCESS") { verdicts[name] = .some(nil); continue }
            if let r = block.range(of: "could not parse expression: ") {
                verdicts[name] = .some(String(block[r.upperBound...].prefix { $0 != "\n" }))
            }
        }
        var accepted = 0
        for (i, e) in Self.expressions.enumerated() {
            guard let theirs = verdicts[files[i]] else { XCTFail("promtool said nothing clear about \(e): \(out.prefix(2000))"); continue }
            let mine: String?
            do { _ = try PromQLExpr.parse(e); mine = nil } catch {
                mine = "\(Self.lineColumn(e, error.position)): parse error: \(error.message)"
            }
            if mine == nil { accepted += 1 }
            XCTAssertEqual(mine, theirs, e)
        }
        XCTAssertGreaterThan(accepted, 20)
        print("promtool parse agreement: \(Self.expressions.count) expressions, \(accepted) accepted")
    }
}
