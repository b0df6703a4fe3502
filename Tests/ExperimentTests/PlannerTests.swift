@testable import Experiment
import Scenario
import SimKernel
import XCTest

/// Figures computed from (axis values, replication): no processes. Records the replications each
/// point was asked for, in call order.
final class FakeRunSource: PlanRunSource {
    let figures: (_ coordinates: [Int], _ replication: Int) -> RunFigures
    var calls: [(point: Int, replications: Int)] = []
    init(_ figures: @escaping (_ coordinates: [Int], _ replication: Int) -> RunFigures) { self.figures = figures }
    func figures(point: ExperimentPoint, replications: Int) throws -> [RunFigures] {
        calls.append((point.index, replications))
        return (0..<replications).map { figures(point.coordinates, $0) }
    }
    /// Runs used: the most replications asked of each point, summed.
    var runs: Int {
        var most: [Int: Int] = [:]
        for c in calls { most[c.point] = max(most[c.point] ?? 0, c.replications) }
        return most.values.reduce(0, +)
    }
}

/// A spec with an integer axis `agents` (values 1...n) and optionally a second axis `mode`.
func plannerSpec(values: ClosedRange<Int> = 1...16, modes: [String] = [], require: [ExperimentRequirement],
                 confidence: Double = 0.95, maxReplications: Int = 8) -> ExperimentSpec {
    let ints = Array(values).map(String.init)
    var axes = [ExperimentAxis(name: "agents", paths: ["hostGroups[1].count"], values: ints.map { [$0] }, labels: ints)]
    if !modes.isEmpty {
        axes.append(ExperimentAxis(name: "network.mode", paths: ["network.mode"], values: modes.map { ["\"\($0)\""] }, labels: modes))
    }
    return ExperimentSpec(name: "t", file: "t.json", base: "base.json", seed: 1, replications: maxReplications, axes: axes,
                          figures: require.map(\.figure),
                          plan: ExperimentPlan(minimise: "agents", requirements: require, confidence: confidence,
                                               maxReplications: maxReplications))
}

let belowTargetIsZero = ExperimentRequirement(figure: "apps_below_target_at_end", comparison: .eq, value: 0)
let degradedAtMost60 = ExperimentRequirement(figure: "apps_degraded_s", comparison: .le, value: 60)

/// A small deterministic "noise" in [-1, 1] from the replication.
func jitter(_ r: Int) -> Double { [0.3, -0.8, 0.5, -0.1, 0.9, -0.6, 0.2, -0.4, 0.7, -0.9][r % 10] }

final class PlannerTests: XCTestCase {
    /// A sharp threshold at 9 agents with zero variance: bisection decides each point at the
    /// minimum replications, tries at most 1 + log2(16) points, and finds 9.
    func testBisectionFindsTheThresholdWithZeroVarianceFigures() throws {
        let spec = plannerSpec(require: [belowTargetIsZero])
        let source = FakeRunSource { c, _ in ["apps_below_target_at_end": c[0] + 1 >= 9 ? 0 : 2] }
        let result = try Planner(spec: spec).run(source: source)
        XCTAssertEqual(result.answers.count, 1)
        XCTAssertEqual(result.answers[0].value, 9)
        XCTAssertEqual(result.answers[0].steps.map(\.value), [16, 8, 12, 10, 9])
        XCTAssertEqual(result.answers[0].steps.map(\.decision), [.pass, .fail, .pass, .pass, .pass])
        XCTAssertEqual(result.answers[0].steps.map(\.runs), [3, 3, 3, 3, 3])
        XCTAssertEqual(result.runs, 15)
        XCTAssertEqual(source.runs, 15)
        XCTAssertEqual(result.fullGridRuns, 16 * 8)
        XCTAssertFalse(result.answers[0].decidedOnMean)
        XCTAssertEqual(result.answers[0].nonMonotone, [])
    }

    /// Noise: points far from the bound decide in the first round; a point near it gets rounds
    /// of 2 more replications until its one-sided interval clears the bound.
    func testReplicationsAreAddedOnlyWhileTheIntervalDoesNotDecide() throws {
        let spec = plannerSpec(values: 1...8, require: [degradedAtMost60], maxReplications: 10)
        // mean degraded time 400 - 50 * agents: 1 -> 350 ... 7 -> 50, 8 -> 0 (+ noise of 12 s).
        let source = FakeRunSource { c, r in ["apps_degraded_s": max(0, 400 - 50 * Double(c[0] + 1) + 12 * jitter(r))] }
        let result = try Planner(spec: spec).run(source: source)
        XCTAssertEqual(result.answers[0].value, 7)
        let byValue = Dictionary(uniqueKeysWithValues: result.answers[0].steps.map { ($0.value, $0) })
        XCTAssertEqual(byValue[4]?.runs, 3, "200 s is far above the bound: decided at once")
        // 7 agents: mean about 50 with sd about 8: with 3 values t(0.95,2) = 2.92 and the upper
        // bound is 50.0 + 2.92 * sd / sqrt(3), under 60 only when the interval narrows.
        let seven = try XCTUnwrap(byValue[7])
        XCTAssertEqual(seven.decision, .pass)
        XCTAssertGreaterThan(seven.runs, 3)
        XCTAssertLessThanOrEqual(seven.evidence[0].high, 60)
        // the round before the last did not decide: recompute the bound with one round fewer
        XCTAssertGreaterThanOrEqual(seven.runs, 5)
        guard seven.runs >= 5 else { return }
        let fewer = (0..<(seven.runs - 2)).map { max(0, 400 - 50 * 7 + 12 * jitter($0)) }
        XCTAssertGreaterThan(oneSidedUpper(fewer, 0.95), 60)
        XCTAssertEqual(source.calls.filter { $0.point == 6 }.map(\.replications), Array(stride(from: 3, through: seven.runs, by: 2)))
    }

    func oneSidedUpper(_ xs: [Double], _ c: Double) -> Double {
        var s = StreamingStats()
        xs.forEach { s.record($0) }
        return s.mean + ConfidenceInterval.tQuantile(c, degreesOfFreedom: xs.count - 1) * (s.variance / Double(xs.count)).squareRoot()
    }

    /// The interval written is mean -/+ t(confidence, n-1) sd/sqrt(n): one-sided bounds.
    func testEvidenceHoldsTheOneSidedStudentTBounds() throws {
        let spec = plannerSpec(values: 1...2, require: [degradedAtMost60])
        let source = FakeRunSource { _, r in ["apps_degraded_s": [10.0, 20, 30][r % 3]] }
        let step = try Planner(spec: spec).evaluate(spec.points[1], source: source)
        let e = step.evidence[0]
        XCTAssertEqual(e.mean, 20, accuracy: 1e-12)
        XCTAssertEqual(e.sd, 10, accuracy: 1e-12)
        // t(0.95, 2) = 2.919986 (one-sided 95%)
        XCTAssertEqual(e.high, 20 + 2.919986 * 10 / 3.0.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(e.low, 20 - 2.919986 * 10 / 3.0.squareRoot(), accuracy: 1e-5)
        XCTAssertEqual(e.verdict, .pass)  // 36.86 <= 60
    }

    /// One run has a mean but no spread: the sample standard deviation (n - 1) is undefined, so
    /// plan.csv leaves it empty and plan.json writes null, as points.csv does for F_sd; the bounds
    /// are unbounded and the requirement undecided.
    func testOneValueHasNoStandardDeviation() throws {
        let spec = plannerSpec(values: 1...2, require: [degradedAtMost60], maxReplications: 1)
        let source = FakeRunSource { _, _ in ["apps_degraded_s": 30] }
        let result = try Planner(spec: spec).run(source: source)
        let e = result.answers[0].steps[0].evidence[0]
        XCTAssertEqual(e.values, 1)
        XCTAssertTrue(e.sd.isNaN, "sd \(e.sd)")
        XCTAssertEqual(e.verdict, .undecided)
        let (header, rows) = result.csvRows()
        XCTAssertEqual(rows[0][header.firstIndex(of: "apps_degraded_s_sd")!], "")
        XCTAssertEqual(rows[0][header.firstIndex(of: "apps_degraded_s_mean")!], "30")
        XCTAssertTrue(result.json(experiment: "t").contains("\"sd\": null"))
        XCTAssertEqual(result.summaryLines()[1], "  1 (decided on the mean at 1 replication: the interval did not decide); 2 points tried, 2 runs")
    }

    /// Every value passes: the answer is the grid's bottom, which only bounds the smallest
    /// sufficient value from above; the printed answer says so (and not when a smaller value failed).
    func testAnAnswerAtTheBottomOfTheGridIsNoted() throws {
        let spec = plannerSpec(values: 4...8, require: [belowTargetIsZero])
        let all = try Planner(spec: spec).run(source: FakeRunSource { _, _ in ["apps_below_target_at_end": 0] })
        XCTAssertEqual(all.answers[0].value, 4)
        XCTAssertTrue(all.summaryLines().contains("  note: 4 is the smallest value of agents in the grid, and it passes: fewer may suffice too; "
                                                  + "extend the axis downwards to find the smallest"), "\(all.summaryLines())")
        let some = try Planner(spec: spec).run(source: FakeRunSource { c, _ in ["apps_below_target_at_end": c[0] >= 1 ? 0 : 1] })
        XCTAssertEqual(some.answers[0].value, 5)
        XCTAssertFalse(some.summaryLines().contains { $0.contains("note:") }, "\(some.summaryLines())")
    }

    /// A point whose interval never clears the bound is decided on its mean at maxReplications
    /// and flagged.
    func testUndecidedAtMaxReplicationsIsDecidedOnTheMeanAndFlagged() throws {
        let spec = plannerSpec(values: 1...4, require: [degradedAtMost60], maxReplications: 6)
        // 4 agents: mean 58 +- 20: the mean meets the bound, the interval never does.
        let source = FakeRunSource { c, r in ["apps_degraded_s": c[0] == 3 ? 58 + 20 * jitter(r) : 500] }
        let result = try Planner(spec: spec).run(source: source)
        let top = result.answers[0].steps[0]
        XCTAssertEqual(top.value, 4)
        XCTAssertEqual(top.runs, 6)
        XCTAssertTrue(top.decidedOnMean)
        XCTAssertEqual(top.evidence[0].verdict, .undecided)
        XCTAssertEqual(result.answers[0].value, 4)
        XCTAssertTrue(result.answers[0].decidedOnMean)
        XCTAssertTrue(result.summaryLines().joined().contains("decided on the mean"))
    }

    /// When the largest value fails, nothing is tried below it and there is no answer.
    func testNoAnswerWhenTheLargestValueFails() throws {
        let spec = plannerSpec(require: [belowTargetIsZero, degradedAtMost60])
        let source = FakeRunSource { _, _ in ["apps_below_target_at_end": 0, "apps_degraded_s": 900] }
        let result = try Planner(spec: spec).run(source: source)
        XCTAssertNil(result.answers[0].value)
        XCTAssertEqual(result.answers[0].steps.count, 1)
        XCTAssertEqual(result.answers[0].steps[0].evidence.map(\.verdict), [.pass, .fail])
        XCTAssertTrue(result.summaryLines()[1].contains("none (the largest value, 16, fails)"))
    }

    /// A figure that gets worse with more agents beyond both intervals contradicts the assumed
    /// monotonicity: reported, not hidden.
    func testANonMonotoneObservationIsReported() throws {
        let spec = plannerSpec(values: 1...8, require: [degradedAtMost60])
        // passes at 4..6 (10 s), fails at 1..3 (300 s), but 8 (40 s) is worse than 6 (10 s)
        let source = FakeRunSource { c, _ in ["apps_degraded_s": c[0] >= 6 ? 40 : c[0] >= 3 ? 10 : 300] }
        let result = try Planner(spec: spec).run(source: source)
        XCTAssertEqual(result.answers[0].value, 4)
        XCTAssertEqual(result.answers[0].nonMonotone.count, 1)
        XCTAssertTrue(result.answers[0].nonMonotone[0].contains("worse at agents=8"), result.answers[0].nonMonotone[0])
        XCTAssertTrue(result.summaryLines().contains { $0.hasPrefix("  warning: apps_degraded_s is worse") })
    }

    /// Other axes: one answer per combination, in row-major order, each with its own search.
    func testOneAnswerPerCombinationOfTheOtherAxes() throws {
        let spec = plannerSpec(values: 1...12, modes: ["host", "bridge", "calico"], require: [belowTargetIsZero])
        let need = [4, 7, 12]
        let source = FakeRunSource { c, _ in ["apps_below_target_at_end": c[0] + 1 >= need[c[1]] ? 0 : 1] }
        let result = try Planner(spec: spec).run(source: source)
        XCTAssertEqual(result.answers.map(\.value), [4, 7, 12])
        XCTAssertEqual(result.answers.map { $0.fixed.map(\.label) }, [["host"], ["bridge"], ["calico"]])
        for a in result.answers { XCTAssertLessThanOrEqual(a.steps.count, 5) }
        let csv = result.csvRows()
        XCTAssertEqual(Array(csv.header.prefix(4)), ["network.mode", "step", "agents", "point"])
        XCTAssertEqual(csv.rows.count, result.answers.reduce(0) { $0 + $1.steps.count })
    }

    /// A figure null in some runs is left out; null in every run fails the requirement.
    func testNullFigures() throws {
        let spec = plannerSpec(values: 1...2, require: [degradedAtMost60])
        let some = FakeRunSource { _, r in ["apps_degraded_s": r == 0 ? nil : 5.0] }
        let a = try Planner(spec: spec).evaluate(spec.points[1], source: some)
        XCTAssertEqual(a.evidence[0].values, 2)
        XCTAssertEqual(a.evidence[0].nulls, 1)
        XCTAssertEqual(a.decision, .pass)
        let none = FakeRunSource { _, _ in ["apps_degraded_s": Double?.none] }
        XCTAssertEqual(try Planner(spec: spec).evaluate(spec.points[1], source: none).decision, .fail)
        let missing = FakeRunSource { _, _ in ["other": 1] }
        XCTAssertThrowsError(try Planner(spec: spec).evaluate(spec.points[1], source: missing))
    }

    /// The plan is checked against the experiment, with `plan.*` paths.
    func testPlanErrorsNameTheirPath() {
        func path(_ spec: ExperimentSpec) -> String? {
            do { _ = try Planner(spec: spec); return nil } catch { return error.errors.first?.path }
        }
        var s = plannerSpec(require: [belowTargetIsZero])
        s.plan?.minimise = "hostGroups[0].count"
        XCTAssertEqual(path(s), "plan.minimise")
        s = plannerSpec(modes: ["host"], require: [belowTargetIsZero])
        s.plan?.minimise = "network.mode"
        XCTAssertEqual(path(s), "plan.minimise")
        s = plannerSpec(require: [belowTargetIsZero])
        s.axes[0].labels = s.axes[0].labels.reversed()
        XCTAssertEqual(path(s), "plan.minimise")
        s = plannerSpec(require: [belowTargetIsZero], confidence: 1)
        XCTAssertEqual(path(s), "plan.confidence")
        s = plannerSpec(require: [])
        XCTAssertEqual(path(s), "plan.require")
        s = plannerSpec(require: [belowTargetIsZero]); s.plan = nil
        XCTAssertEqual(path(s), "plan")
    }

    /// plan.json carries the question, the answer and the evidence; the same result gives the
    /// same bytes.
    func testPlanJSONAndCSV() throws {
        let spec = plannerSpec(values: 1...4, require: [belowTargetIsZero, degradedAtMost60,
                                                        ExperimentRequirement(figure: "apps_degraded_s", comparison: .ge, value: 0)])
        let source = FakeRunSource { c, _ in ["apps_below_target_at_end": 0, "apps_degraded_s": Double(40 - c[0])] }
        let result = try Planner(spec: spec).run(source: source)
        let json = result.json(experiment: "t")
        XCTAssertEqual(json, try Planner(spec: spec).run(source: source).json(experiment: "t"))
        for key in ["\"minimise\": \"agents\"", "\"answer\": 1", "\"confidence\": 0.95", "\"fullGridRuns\": 32",
                    "\"require\": [", "\"apps_degraded_s <= 60\"", "\"verdict\": \"pass\""] {
            XCTAssertTrue(json.contains(key), key)
        }
        let header = result.csvRows().header
        XCTAssertTrue(header.contains("apps_degraded_s_mean") && header.contains("apps_degraded_s_r3_mean"), "\(header)")
    }
}
