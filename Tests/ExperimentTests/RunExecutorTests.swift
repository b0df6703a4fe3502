import Experiment
import Scenario
import XCTest

/// The runs' command lines and the chunks of `--runs K/N` (what a Slurm array task runs).
final class RunExecutorTests: XCTestCase {
    let spec = ExperimentSpec(
        name: "t", file: "e/t.json", base: "e/../b.json", seed: 9, replications: 3,
        axes: [ExperimentAxis(name: "mode", paths: ["network.mode"], values: [["\"host\""], ["\"calico\""]], labels: ["host", "calico"])],
        figures: ["tasks_launched"], plan: nil)

    func testArgumentsAreTheRunOfThePointWithItsSeed() {
        let x = RunExecutor(binary: "/opt/clustersim", spec: spec, layout: ExperimentLayout(root: "results/t"))
        let p = x.points[1]
        XCTAssertEqual(x.arguments(point: p, replication: 2),
                       ["run", "e/../b.json", "--set", "network.mode=\"calico\"", "--seed", String(spec.seed(point: p, replication: 2)),
                        "--out", "results/t/runs/mode=calico/2", "--quiet"])
        XCTAssertTrue(x.command(point: p, replication: 2).hasPrefix("/opt/clustersim run e/../b.json --set 'network.mode=\"calico\"' --seed "))
        XCTAssertEqual(x.allRuns().count, 6)
        XCTAssertEqual(x.allRuns(replications: 5).count, 10)
    }

    func testChunksCoverEveryRunOnceAndDifferByAtMostOne() {
        let runs = (0..<7).flatMap { p in (0..<3).map { RunID(point: p, replication: $0) } }.reversed()
        for n in [1, 2, 4, 5, 21, 30] {
            let chunks = (1...n).map { RunExecutor.chunk(Array(runs), $0, of: n) }
            XCTAssertEqual(chunks.flatMap { $0 }, runs.sorted(), "n = \(n)")
            let sizes = chunks.map(\.count)
            XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1, "n = \(n)")
        }
        XCTAssertEqual(RunExecutor.chunk(Array(runs), 0, of: 2), [])
    }
}
