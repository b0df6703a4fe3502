import XCTest
@testable import Reporting
import ClusterModel
import SimKernel
import Foundation

/// The promtool agreement harness itself: series at odd millisecond phases, the alert times a
/// hand-run state machine gives, and the real `promtool test rules` as the judge. A harness that
/// let wrong times pass would be worthless, so the second test shifts a firing by one evaluation
/// and expects promtool to fail.
final class PromtoolHarnessTests: XCTestCase {
    static let base = PromTime.defaultBaseMs
    static let eval: Int64 = 15_000

    /// `up` of two targets scraped every 15 s at phases 1,234 ms and 1,000 ms; target x answers 0 from
    /// its 20th scrape to its 40th, then is gone (a staleness marker); y is 1 throughout but its
    /// 30th-34th scrapes time out (0, stored 10 s after their start, as Prometheus commits them).
    func series() -> [RecordedSeries] {
        func s(_ instance: String, phase: Int64, value: (Int) -> String?) -> RecordedSeries {
            let ls = LabelSet(name: "up", [("instance", instance), ("job", "node")])
            var samples: [(t: Int64, v: String, appended: Int64)] = []
            for k in 0..<60 {
                let t = Self.base + phase + Int64(k) * 15_000
                if let v = value(k) { samples.append((t, v, instance == "y" && v == "0" ? t + 10_000 : t)) }
            }
            return RecordedSeries(labels: ls, text: ls.description, samples: samples)
        }
        return [
            s("x", phase: 1_234) { k in k < 20 ? "1" : k < 40 ? "0" : k == 40 ? "stale" : nil },
            s("y", phase: 1_000) { k in (30..<35).contains(k) ? "0" : "1" },
        ]
    }

    /// The alert states of `up == 0` with `for: 30s`, evaluated every 15 s from base + 5 s, with a
    /// 5-minute lookback, by hand.
    func episodes(_ series: [RecordedSeries], firstEval: Int64, end: Int64) -> [AlertEpisode] {
        var out: [AlertEpisode] = []
        var open: [String: Int] = [:]
        var t = firstEval
        while t <= end {
            for s in series {
                let newest = s.samples.last { $0.t <= t && $0.appended <= t && $0.t > t - 300_000 }
                let active = newest.map { $0.v == "0" } ?? false
                let key = s.text
                let labels = s.labels.withoutName.setting("alertname", "Down").setting("severity", "page")
                if active {
                    if let i = open[key] {
                        if out[i].firedAt == nil && t - out[i].activeAt >= 30_000 { out[i].firedAt = t }
                    } else {
                        open[key] = out.count
                        out.append(AlertEpisode(group: "g", labels: labels, activeAt: t))
                    }
                } else if let i = open.removeValue(forKey: key) {
                    if out[i].firedAt != nil { out[i].endedAt = t } else { out.remove(at: i); open = open.mapValues { $0 > i ? $0 - 1 : $0 } }
                }
            }
            t += Self.eval
        }
        return out
    }

    func runPromtool(_ group: RuleGroupSpec, _ episodes: [AlertEpisode], _ series: [RecordedSeries], firstEval: Int64, end: Int64) throws -> (Int32, String, Int) {
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("promtool is not installed (Debian package prometheus; scripts/install-deps.sh installs it)")
        }
        let upSelector = PromQLSelector(metricName: "up", matchers: [try LabelMatcher("__name__", .equal, "up")], rangeMs: 0, offsetMs: 0)
        let t = PromtoolRuleTests.test(group: group, evaluationMs: Self.eval, firstEvaluationMs: firstEval, endMs: end,
                                       readBackMs: { _ in 300_000 }, selectors: { _ in [upSelector] },
                                       episodes: episodes, series: series, everyMs: 300_000)
        XCTAssertEqual(t.skipped, [])
        let dir = NSTemporaryDirectory() + "/promtool-harness-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try t.ruleFile.write(toFile: dir + "/rules.json", atomically: true, encoding: .utf8)
        try t.testFile.write(toFile: dir + "/test.json", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["test", "rules", dir + "/test.json"]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out, t.checks)
    }

    let group = RuleGroupSpec(name: "g", file: "rules.json", rules: [
        RuleSpec(kind: .alerting(alert: "Down", forDuration: .seconds(30), keepFiringFor: .zero, annotations: [("summary", "{{ $labels.instance }} down")]),
                 expr: "up == 0", labels: [("severity", "page")]),
    ])

    func testPromtoolAgreesWithTheRightTimes() throws {
        let ss = series()
        let first = Self.base + 5_000, end = Self.base + 15 * 60_000
        let eps = episodes(ss, firstEval: first, end: end)
        XCTAssertEqual(eps.count, 2, "x down from its 20th scrape, y from its 30th: \(eps)")
        XCTAssertTrue(eps.allSatisfy { $0.firedAt != nil && $0.endedAt != nil })
        let (status, out, checks) = try runPromtool(group, eps, ss, firstEval: first, end: end)
        XCTAssertGreaterThanOrEqual(checks, 8)
        XCTAssertTrue(out.contains("SUCCESS"), out)
        XCTAssertEqual(status, 0, out)
    }

    func testPromtoolCatchesAFiringOneEvaluationLate() throws {
        let ss = series()
        let first = Self.base + 5_000, end = Self.base + 15 * 60_000
        var eps = episodes(ss, firstEval: first, end: end)
        eps[0].firedAt! += Self.eval
        let (status, out, _) = try runPromtool(group, eps, ss, firstEval: first, end: end)
        XCTAssertNotEqual(status, 0, "a firing one evaluation late must fail promtool's check")
        XCTAssertTrue(out.contains("FAILED"), out)
    }

    func testReadsAlertsAndSamplesCSV() throws {
        let alerts = """
        time_s,timestamp_ms,group,alertname,labels,from,to,value
        65,1496275265000,g,Down,"{alertname=""Down"", instance=""x""}",inactive,pending,0
        95,1496275295000,g,Down,"{alertname=""Down"", instance=""x""}",pending,firing,0
        200,1496275400000,g,Down,"{alertname=""Down"", instance=""x""}",firing,inactive,NaN
        """
        let eps = try PromtoolRuleTests.readEpisodes(alerts + "\n")
        XCTAssertEqual(eps, [AlertEpisode(group: "g", labels: LabelSet(["alertname": "Down", "instance": "x"]),
                                          activeAt: 1_496_275_265_000, firedAt: 1_496_275_295_000, endedAt: 1_496_275_400_000)])
        let samples = try PromtoolRuleTests.readSamples("series,timestamp_ms,value,appended_ms\n\"up{instance=\"\"x\"\"}\",5,1,5\n\"up{instance=\"\"x\"\"}\",20,stale,30\n")
        XCTAssertEqual(samples.count, 1)
        XCTAssertEqual(samples[0].labels, LabelSet(["__name__": "up", "instance": "x"]))
        XCTAssertEqual(samples[0].samples.map(\.v), ["1", "stale"])
        XCTAssertThrowsError(try PromtoolRuleTests.readSamples("series,timestamp_ms,value,appended_ms\nup,x,1,1\n"))
    }
}
