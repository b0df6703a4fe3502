import XCTest
@testable import Reporting
import ClusterModel
import Scenario
import SimKernel
import Foundation

/// Issue 11, item 6: every shipped scenario with monitoring is run with `prometheus.record = rules`,
/// and Prometheus' own rule evaluation (`promtool test rules`, Prometheus 2.42) replays the series the
/// simulator scraped: at every evaluation before and at each firing and resolution in alerts.csv, and
/// every 30 minutes, promtool must report exactly the alerts the simulator had firing.
final class PromtoolAgreementTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["CLUSTERSIM_BIN"] { return b }
        return root.appendingPathComponent(".build/debug/clustersim").path
    }

    static func tool(_ names: [String]) throws -> String {
        guard let p = names.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("\(names[0]) is not installed (Debian package prometheus; scripts/install-deps.sh installs it)")
        }
        return p
    }

    @discardableResult
    static func run(_ exe: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = root
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out)
    }

    /// The shipped scenarios with a `prometheus` section.
    static func monitoredScenarios() throws -> [String] {
        let dir = root.appendingPathComponent("scenarios").path
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted().filter {
            let text = try String(contentsOfFile: dir + "/" + $0, encoding: .utf8)
            return text.contains("\"prometheus\"")
        }.map { "scenarios/" + $0 }
    }

    func testPromtoolFiresAndResolvesEveryAlertWhenTheSimulatorDoes() throws {
        let promtool = try Self.tool(["/usr/bin/promtool", "/usr/local/bin/promtool"])
        let scenarios = try Self.monitoredScenarios().filter { ProcessInfo.processInfo.environment["PROMTOOL_AGREEMENT_ONLY"].map($0.contains) ?? true }
        XCTAssertGreaterThanOrEqual(scenarios.count, 3, "the shipped monitoring scenarios")
        var totalChecks = 0, totalFirings = 0, downScenarios = 0
        for scenario in scenarios {
            let dir = NSTemporaryDirectory() + "/promtool-agreement-\(UUID().uuidString)"
            defer { if ProcessInfo.processInfo.environment["KEEP_PROMTOOL_AGREEMENT"] == nil { try? FileManager.default.removeItem(atPath: dir) } }
            let r = try Self.run(Self.binary, ["run", scenario, "--out", dir + "/results", "--quiet", "--set", "prometheus.record=\"rules\""])
            XCTAssertEqual(r.status, 0, "\(scenario): \(r.output)")
            guard r.status == 0 else { continue }
            let loaded = try ScenarioLoader.load(path: Self.root.appendingPathComponent(scenario).path)
            guard let prom = loaded.spec.prometheus else { XCTFail("\(scenario) has no prometheus"); continue }
            let series = try PromtoolRuleTests.readSamples(try String(contentsOfFile: dir + "/results/samples.csv", encoding: .utf8))
            var episodes = try PromtoolRuleTests.readEpisodes(try String(contentsOfFile: dir + "/results/alerts.csv", encoding: .utf8))
            let promTime = PromTime(baseMs: prom.startMs)
            var endMs = promTime.ms(SimTime.zero + loaded.spec.duration)
            // promtool evaluates one process from start to end; a Prometheus host that goes down
            // loses its alerts' state (and restores `for` from ALERTS_FOR_STATE after the restart),
            // which a promtool test cannot state: compare up to the first time it went down
            if let down = try Self.firstDown(of: prom.host, eventsCSV: dir + "/results/events.csv") {
                let downMs = promTime.ms(down) - 1
                endMs = min(endMs, downMs)
                episodes = episodes.filter { $0.activeAt <= downMs }.map { e in
                    var e = e
                    if let f = e.firedAt, f > downMs { e.firedAt = nil }
                    if let x = e.endedAt, x > downMs { e.endedAt = nil }
                    return e
                }
                downScenarios += 1
            }
            totalFirings += episodes.filter { $0.firedAt != nil }.count
            let lookback = prom.flags.lookbackDelta.nanoseconds / 1_000_000
            for (g, group) in prom.ruleGroups.enumerated() where group.rules.contains(where: { if case .alerting = $0.kind { return true }; return false }) {
                let interval = group.interval ?? prom.config.evaluationInterval
                let first = PrometheusServer.firstEvaluation(name: group.name, file: group.file, interval: interval, promTime: promTime, now: .zero)
                func selectors(_ rule: RuleSpec) -> [PromQLSelector] { (try? PromQLExpr.parse(rule.expr))?.selectors ?? [] }
                let t = PromtoolRuleTests.test(
                    group: group, evaluationMs: interval.nanoseconds / 1_000_000, firstEvaluationMs: promTime.ms(first), endMs: endMs,
                    readBackMs: { rule in lookback + (selectors(rule).map { $0.rangeMs + max(0, $0.offsetMs) }.max() ?? 0) },
                    selectors: selectors, episodes: episodes, series: series)
                XCTAssertEqual(t.skipped, [], "\(scenario) group \(group.name): checks too large for promtool's grid")
                totalChecks += t.checks
                let gdir = dir + "/group-\(g)"
                try FileManager.default.createDirectory(atPath: gdir, withIntermediateDirectories: true)
                try t.ruleFile.write(toFile: gdir + "/rules.json", atomically: true, encoding: .utf8)
                try t.testFile.write(toFile: gdir + "/test.json", atomically: true, encoding: .utf8)
                let p = try Self.run(promtool, ["test", "rules", gdir + "/test.json"])
                XCTAssertEqual(p.status, 0, "\(scenario) group \(group.name): promtool disagrees:\n\(p.output.prefix(4000))")
            }
        }
        XCTAssertGreaterThan(totalFirings, 0, "the shipped monitoring scenarios fire alerts")
        if ProcessInfo.processInfo.environment["PROMTOOL_AGREEMENT_ONLY"] == nil {
            XCTAssertGreaterThanOrEqual(downScenarios, 1, "monitoring-restart.json is compared up to its Prometheus host's reboot")
        }
        XCTAssertGreaterThan(totalChecks, totalFirings, "every firing is checked")
    }

    /// The first time (simulated) the host crashed or started a reboot, from a run's events.csv.
    static func firstDown(of host: String, eventsCSV path: String) throws -> SimTime? {
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false)
            guard f.count >= 4, f[1] == "host", f[2] == "crashed" || f[2] == "rebootStarted", f[3] == host, let t = Double(f[0]) else { continue }
            return SimTime.zero + .fromSeconds(t)
        }
        return nil
    }
}
