@testable import Experiment
import Reporting
import Scenario
import XCTest

/// The sweep's charts are for people: y axes carry the figure's unit, categories that would overlap
/// are slanted, every series has its own colour and dash type.
final class SweepPlotsTests: XCTestCase {
    func testUnitsFromTheFigureName() {
        XCTAssertEqual(SweepPlots.unit(of: "latency_p99_ms"), "ms")
        XCTAssertEqual(SweepPlots.unit(of: "apps_degraded_s"), "s")
        XCTAssertEqual(SweepPlots.unit(of: "network_cpu_us_per_request"), "µs per request")
        XCTAssertEqual(SweepPlots.unit(of: "network_added_rtt_us"), "µs")
        XCTAssertEqual(SweepPlots.unit(of: "instance_hours"), "hours")
        XCTAssertEqual(SweepPlots.unit(of: "requests_total"), "requests")
        XCTAssertEqual(SweepPlots.unit(of: "apps_below_target_at_end"), "apps")
        XCTAssertEqual(SweepPlots.unit(of: "tasks_launched"), "tasks")
    }

    func testCategoriesThatWouldOverlapAreSlanted() {
        let modes = ["host", "macvlan", "ipvlan", "calico-bgp", "flannel-host-gw", "bridge", "calico-ipip", "overlay",
                     "flannel-vxlan", "weave-fastdp", "flannel-udp", "weave-sleeve"]
        func script(_ labels: [String]) -> String {
            let axis = ExperimentAxis(name: "network.mode", paths: ["network.mode"], values: labels.map { ["\"\($0)\""] }, labels: labels)
            let spec = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 2, axes: [axis],
                                      figures: ["network_cpu_us_per_request"], plan: nil)
            let runs: [[RunFigures]] = labels.indices.map { k in [["network_cpu_us_per_request": Double(k)], ["network_cpu_us_per_request": Double(k) + 1]] }
            return SweepPlots.charts(ExperimentAggregate(spec: spec, points: spec.points, figures: runs), formats: [.png]).script
        }
        let many = script(modes)
        XCTAssertTrue(many.contains("set xtics rotate by 30 right"), many)
        XCTAssertTrue(many.contains("set ylabel 'network_cpu_us_per_request (µs per request)'"), many)
        XCTAssertFalse(script(["host", "bridge"]).contains("rotate"))
    }

    /// A figure null (or absent) in every run, e.g. `max_recovery_s` of an experiment whose runs
    /// have no fault, has nothing to draw: it gets no chart, and the other figures' charts are
    /// still drawn (gnuplot stops the whole script at an empty plot: "x range is invalid").
    func testAFigureWithoutAnyValueGetsNoChart() throws {
        guard Plotter.gnuplotPath() != nil else { throw XCTSkip("gnuplot is not on PATH") }
        let axis = ExperimentAxis(name: "agents", paths: ["hostGroups[1].count"], values: [["4"], ["5"]], labels: ["4", "5"])
        let spec = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 2, axes: [axis],
                                  figures: ["max_recovery_s", "tasks_launched"], plan: nil)
        let runs: [[RunFigures]] = [[["tasks_launched": 4, "max_recovery_s": Double?.none], ["tasks_launched": 5, "max_recovery_s": Double?.none]],
                                    [["tasks_launched": 6], ["tasks_launched": 7]]]
        let agg = ExperimentAggregate(spec: spec, points: spec.points, figures: runs)
        XCTAssertEqual(SweepPlots.figuresWithoutValues(agg), ["max_recovery_s"])
        let dir = NSTemporaryDirectory() + "/sweep-plots-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let images = try SweepPlots.plot(agg, outDir: dir, formats: [.png])
        XCTAssertEqual(images, [dir + "/tasks_launched-by-agents.png"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: images[0]))
        // nothing to draw at all: no folder, no gnuplot
        let none = ExperimentAggregate(spec: ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 1, replications: 2, axes: [axis],
                                                            figures: ["max_recovery_s"], plan: nil),
                                       points: spec.points, figures: runs)
        XCTAssertEqual(try SweepPlots.plot(none, outDir: dir + "/none", formats: [.png]), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/none"))
    }
}
