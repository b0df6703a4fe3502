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
}
