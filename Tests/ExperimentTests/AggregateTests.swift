import Experiment
import Scenario
import XCTest

/// points.csv: mean, sd, the Student-t 95% interval against values worked out by hand (t from
/// tables: t(0.975, 2) = 4.302653, t(0.975, 3) = 3.182446), nulls counted.
final class AggregateTests: XCTestCase {
    func testIntervalAgainstHandComputedValues() throws {
        // 1, 2, 3, 4: mean 2.5, sd sqrt(5/3) = 1.290994, half-width 3.182446 * 1.290994 / 2 = 2.054260
        let a = FigureSummary([1, 2, 3, 4])
        XCTAssertEqual(a.n, 4)
        XCTAssertEqual(a.mean!, 2.5, accuracy: 1e-12)
        XCTAssertEqual(a.sd!, 1.290994449, accuracy: 1e-9)
        XCTAssertEqual(a.ciLow!, 0.445739743, accuracy: 1e-6)
        XCTAssertEqual(a.ciHigh!, 4.554260257, accuracy: 1e-6)
        // 10, 12, 17: mean 13, sd sqrt(13) = 3.605551, half-width 4.302653 * 3.605551 / sqrt(3) = 8.956686
        let b = FigureSummary([10, 12, 17])
        XCTAssertEqual(b.ciLow!, 4.043314105, accuracy: 1e-6)
        XCTAssertEqual(b.ciHigh!, 21.956685895, accuracy: 1e-6)
        XCTAssertEqual(b.min, 10)
        XCTAssertEqual(b.max, 17)
        // one value: no spread, no interval
        let c = FigureSummary([7])
        XCTAssertEqual(c.mean, 7)
        XCTAssertNil(c.sd)
        XCTAssertNil(c.ciLow)
    }

    func testCSVRowsAndNulls() {
        let axis = ExperimentAxis(name: "hostGroups[1].count", paths: ["hostGroups[1].count"], values: [["3"], ["4"]], labels: ["3", "4"])
        let spec = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 3, axes: [axis],
                                  figures: ["tasks_launched", "max_recovery_s"], plan: nil)
        let points = spec.points
        let runs: [[RunFigures]] = [
            [["tasks_launched": 10, "max_recovery_s": nil], ["tasks_launched": 12, "max_recovery_s": 5], ["tasks_launched": 17, "max_recovery_s": nil]],
            [["tasks_launched": 1, "max_recovery_s": nil], ["tasks_launched": 1, "max_recovery_s": nil], ["tasks_launched": 1, "max_recovery_s": nil]],
        ]
        let csv = ExperimentAggregate(spec: spec, points: points, figures: runs).csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(csv[0], "point,hostGroups[1].count,runs,"
                       + "tasks_launched_mean,tasks_launched_sd,tasks_launched_ci95_low,tasks_launched_ci95_high,tasks_launched_min,tasks_launched_max,tasks_launched_n,"
                       + "max_recovery_s_mean,max_recovery_s_sd,max_recovery_s_ci95_low,max_recovery_s_ci95_high,max_recovery_s_min,max_recovery_s_max,max_recovery_s_n")
        XCTAssertEqual(csv[1], "hostGroups_1_.count=3,3,3,13,3.605551275,4.043314105,21.956685895,10,17,3,5,,,,5,5,1")
        XCTAssertEqual(csv[2], "hostGroups_1_.count=4,4,3,1,0,1,1,1,1,3,,,,,,,0")
    }

    /// With a plan, points.csv ends with plan_met_ratio: the share of a point's runs in which every
    /// requirement held (a null figure does not hold), what an SRE reads as "the platform recovered
    /// in 4 of 6 runs"; min/max/mean of each figure cannot give it.
    func testPlanMetRatioCountsTheRunsThatMeetEveryRequirement() {
        let axis = ExperimentAxis(name: "agents", paths: ["hostGroups[1].count"], values: [["3"], ["4"]], labels: ["3", "4"])
        let plan = ExperimentPlan(minimise: "agents", requirements: [
            ExperimentRequirement(figure: "apps_below_target_at_end", comparison: .eq, value: 0),
            ExperimentRequirement(figure: "max_recovery_s", comparison: .le, value: 900),
        ], confidence: 0.95, maxReplications: 4)
        let spec = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 4, axes: [axis],
                                  figures: ["apps_below_target_at_end"], plan: plan)
        let runs: [[RunFigures]] = [
            // met, below target, too slow, recovery null: 1 of 4
            [["apps_below_target_at_end": 0, "max_recovery_s": 600], ["apps_below_target_at_end": 1, "max_recovery_s": 600],
             ["apps_below_target_at_end": 0, "max_recovery_s": 901], ["apps_below_target_at_end": 0, "max_recovery_s": Double?.none]],
            [["apps_below_target_at_end": 0, "max_recovery_s": 700], ["apps_below_target_at_end": 0, "max_recovery_s": 900],
             ["apps_below_target_at_end": 0, "max_recovery_s": 10], ["apps_below_target_at_end": 0, "max_recovery_s": 899]],
        ]
        let csv = ExperimentAggregate(spec: spec, points: spec.points, figures: runs).csv.split(separator: "\n").map(String.init)
        XCTAssertTrue(csv[0].hasSuffix(",apps_below_target_at_end_n,plan_met_ratio"), csv[0])
        XCTAssertTrue(csv[1].hasSuffix(",4,0.25"), csv[1])
        XCTAssertTrue(csv[2].hasSuffix(",4,1"), csv[2])
    }

    /// No nan or inf reaches points.csv: a spread that overflows a Double leaves its cells empty.
    func testNonFiniteStatisticsLeaveTheCellEmpty() {
        let axis = ExperimentAxis(name: "agents", paths: ["hostGroups[1].count"], values: [["3"]], labels: ["3"])
        let spec = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 2, axes: [axis],
                                  figures: ["requests_total"], plan: nil)
        let csv = ExperimentAggregate(spec: spec, points: spec.points, figures: [[["requests_total": 1.5e308], ["requests_total": -1.5e308]]]).csv
        XCTAssertFalse(csv.contains("inf") || csv.contains("nan"), csv)
        XCTAssertTrue(csv.hasSuffix(",2\n"), csv)
    }
}
