import Foundation
import XCTest

/// `clustersim plan` on the shipped capacity-rack-loss experiment, against the full grid swept
/// into the same folder, and its bad input.
final class PlannerEndToEndTests: XCTestCase {
    let experiment = "scenarios/experiments/capacity-rack-loss.json"

    func json(_ path: String) throws -> [String: Any] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path), path)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    /// summary.json files of the finished runs under runs/, with their modification times.
    func runSummaries(_ root: String) -> [String: Date] {
        var out: [String: Date] = [:]
        for p in CLI.files(in: root + "/runs") {
            for r in CLI.files(in: root + "/runs/" + p) {
                let f = root + "/runs/" + p + "/" + r + "/summary.json"
                if let d = (try? FileManager.default.attributesOfItem(atPath: f))?[.modificationDate] as? Date { out[p + "/" + r] = d }
            }
        }
        return out
    }

    /// The issue's figure: the planner answers with at most a third of the full grid's runs and
    /// the same answer as the full grid, whose runs (same folders, same seeds) a later sweep
    /// reuses rather than runs again.
    func testPlanUsesAThirdOfTheGridsRunsAndGivesTheGridsAnswer() throws {
        let out = CLI.tempDir("plan")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try CLI.run(["plan", experiment, "--out", out, "-j", "2", "--quiet"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        let planJSON = try json(out + "/plan.json")
        let answers = try XCTUnwrap(planJSON["answers"] as? [[String: Any]])
        XCTAssertEqual(answers.count, 1)
        let answer = try XCTUnwrap(answers[0]["answer"] as? Int, "an answer")
        let planned = runSummaries(out)
        XCTAssertEqual(planJSON["runs"] as? Int, planned.count)
        let fullGrid = try XCTUnwrap(planJSON["fullGridRuns"] as? Int)
        XCTAssertEqual(fullGrid, 16 * 6)
        XCTAssertLessThanOrEqual(planned.count * 3, fullGrid, "the planner ran \(planned.count) of \(fullGrid) runs")
        let planCSV = try String(contentsOfFile: out + "/plan.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(planCSV.count - 1, (answers[0]["tried"] as? [Any])?.count)
        XCTAssertTrue(planCSV[0].hasPrefix("step,agents,point,runs,decision,decided_on_mean,apps_below_target_at_end_mean,"))

        // Planning again finds every run finished and writes the same evidence.
        let again = try CLI.run(["plan", experiment, "--out", out, "-j", "2", "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try json(out + "/plan.json") as NSDictionary, planJSON as NSDictionary)

        // The full grid, swept into the same folder: the planner's runs are reused, not rerun.
        let sweep = try CLI.run(["sweep", experiment, "--out", out, "--plots", out + "/plots", "-j", "2", "--quiet"])
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        let swept = runSummaries(out)
        XCTAssertEqual(swept.count, fullGrid)
        for (run, date) in planned { XCTAssertEqual(swept[run], date, "\(run) was run again") }

        // The grid's answer from points.csv: the smallest agents at which every requirement holds
        // in every replication (and on the mean), and holds at every larger value too.
        let rows = try String(contentsOfFile: out + "/points.csv", encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let header = rows[0]
        func column(_ name: String) throws -> Int { try XCTUnwrap(header.firstIndex(of: name), name) }
        let agents = try column("agents")
        let belowMax = try column("apps_below_target_at_end_max"), belowMean = try column("apps_below_target_at_end_mean")
        let degradedMax = try column("apps_degraded_s_max"), degradedMean = try column("apps_degraded_s_mean")
        let passing: [(Int, Bool, Bool)] = rows.dropFirst().map { r in
            (Int(r[agents]) ?? -1,
             Double(r[belowMax]) == 0 && (Double(r[degradedMax]) ?? .infinity) <= 900,
             Double(r[belowMean]) == 0 && (Double(r[degradedMean]) ?? .infinity) <= 900)
        }
        XCTAssertEqual(passing.count, 16)
        let everyRun = passing.first { $0.1 }?.0, onMean = passing.first { $0.2 }?.0
        XCTAssertEqual(everyRun, answer)
        XCTAssertEqual(onMean, answer)
        XCTAssertTrue(passing.filter { $0.0 >= answer }.allSatisfy { $0.1 }, "monotone above the answer: \(passing)")
        XCTAssertTrue(passing.filter { $0.0 < answer }.allSatisfy { !$0.1 && !$0.2 }, "fails below the answer: \(passing)")

        // The shipped results are these, byte for byte (golden files).
        for file in ["plan.csv", "plan.json", "points.csv"] {
            let golden = CLI.root.appendingPathComponent("results/capacity-rack-loss/" + file).path
            XCTAssertEqual(FileManager.default.contents(atPath: out + "/" + file), FileManager.default.contents(atPath: golden),
                           "\(file) differs from results/capacity-rack-loss/\(file)")
        }
    }

    /// A bad plan is refused before any run: exit 2, the JSON path named, nothing written.
    func testBadPlansExitWithStatus2AndThePath() throws {
        let dir = CLI.tempDir("plan-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = CLI.root.appendingPathComponent("scenarios/experiments/capacity-rack-loss-base.json").path
        func experiment(axes: String = #"{"name": "agents", "path": "hostGroups[1].count", "values": [10, 12]}"#,
                        plan: String) -> String {
            #"{"base": "\#(base)", "replications": 2, "axes": [\#(axes)], "figures": ["apps_degraded_s"], "plan": \#(plan)}"#
        }
        let cases: [(String, String, String)] = [
            (experiment(plan: #"{"minimise": "agents", "require": ["apps_degrade_s <= 900"]}"#),
             "plan.require[0]", "unknown headline figure \"apps_degrade_s\""),
            (experiment(plan: #"{"minimise": "slaves", "require": ["apps_degraded_s <= 900"]}"#),
             "plan.minimise", "no axis is named \"slaves\""),
            (experiment(axes: #"{"name": "agents", "path": "hostGroups[1].count", "values": [10, 12]}, {"path": "marathon.version", "values": ["1.4", "1.10"]}"#,
                        plan: #"{"minimise": "marathon.version", "require": ["apps_degraded_s <= 900"]}"#),
             "plan.minimise", "must take integers"),
            (experiment(plan: #"{"minimise": "agents", "require": ["apps_degraded_s <= 900"], "confidence": 0.3}"#),
             "plan.confidence", "> 0.5"),
        ]
        for (i, (text, path, fragment)) in cases.enumerated() {
            let file = dir + "/e\(i).json"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let r = try CLI.run(["plan", file, "--out", dir + "/out\(i)"])
            XCTAssertEqual(r.status, 2, "case \(i): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(path + ": ") && r.stderr.contains(fragment), "case \(i): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("nothing was run or written"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out\(i)"), "case \(i) wrote its folder")
            XCTAssertEqual(r.stdout, "")
        }
    }
}
