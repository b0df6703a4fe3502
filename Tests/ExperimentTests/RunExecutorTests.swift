@testable import Experiment
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

/// A sweep reuses a finished run by its folder. A folder made by an earlier version of the
/// experiment (another `seed`, or a base value moved at an axis' path) holds runs of other seeds:
/// they are refused with the folders named, never aggregated as this experiment's.
final class StaleRunTests: XCTestCase {
    func testFinishedRunsOfAnotherSeedAreRefusedBeforeAnythingRuns() throws {
        let root = NSTemporaryDirectory() + "/stale-runs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = ExperimentSpec(
            name: "t", file: "t.json", base: "b.json", seed: 7, replications: 2,
            axes: [ExperimentAxis(name: "agents", paths: ["hostGroups[1].count"], values: [["4"], ["5"]], labels: ["4", "5"])],
            figures: ["tasks_launched"], plan: nil)
        // the binary does not exist: a run that is started fails, which the test would see
        let x = RunExecutor(binary: "/nonexistent/clustersim", spec: spec, layout: ExperimentLayout(root: root))
        func finish(_ p: Int, _ r: Int, seed: UInt64) throws {
            let dir = x.layout.runDirectory(x.points[p], replication: r)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "{\"headline\": {\"seed\": \(seed), \"tasks_launched\": 12}}\n".write(toFile: dir + "/summary.json", atomically: true, encoding: .utf8)
        }
        let good = spec.seed(point: x.points[0], replication: 0)
        let old = ExperimentSpec(name: "t", file: "t.json", base: "b.json", seed: 6, replications: 2, axes: spec.axes,
                                 figures: spec.figures, plan: nil).seed(point: x.points[1], replication: 1)
        try finish(0, 0, seed: good)
        try finish(1, 1, seed: old)  // made when the experiment's seed was 6

        XCTAssertEqual(try x.figures(point: x.points[0], replication: 0)?["tasks_launched"], 12)
        XCTAssertThrowsError(try x.figures(point: x.points[1], replication: 1)) { XCTAssertTrue($0 is StaleRuns, "\($0)") }
        let stale = try XCTUnwrap(try x.staleRuns(x.allRuns()))
        XCTAssertEqual(stale.runs, [StaleRuns.Run(folder: root + "/runs/agents=5/1", recorded: old, expected: spec.seed(point: x.points[1], replication: 1))])
        XCTAssertEqual(stale.checked, 2)
        // run: refused before any run starts (a started run would be a RunFailure of the missing binary)
        XCTAssertThrowsError(try x.run(x.allRuns(), jobs: 1, progress: nil)) { e in
            XCTAssertTrue(e is StaleRuns, "\(e)")
            XCTAssertTrue("\(e)".contains(root + "/runs/agents=5/1: seed \(old), the experiment now gives "), "\(e)")
        }
        XCTAssertThrowsError(try ExperimentAggregate.collect(x)) { XCTAssertTrue($0 is StaleRuns, "\($0)") }
        // the seed is compared exactly, beyond a Double's 53 bits
        let big: UInt64 = 18_446_744_073_709_551_557
        XCTAssertEqual(try RunExecutor.headlineAndSeed(summaryJSON: "{\"headline\": {\"seed\": \(big)}}", file: "s.json").seed, big)
    }
}

/// `--out` and `--plots` must be folders or creatable ones; a file there is refused before anything
/// runs (the CLI exits with 2), naming the option and the file in the way.
final class OutputFolderTests: XCTestCase {
    func testAFileWhereAFolderMustBeIsNamed() throws {
        let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("out-folder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        XCTAssertNil(ExperimentLayout.outputFolderProblem(dir + "/folder", option: "--out"))
        XCTAssertNil(ExperimentLayout.outputFolderProblem(dir + "/folder/new/deeper", option: "--out"))
        XCTAssertNil(ExperimentLayout.outputFolderProblem("results/not-there-\(getpid())", option: "--out"))
        XCTAssertEqual(ExperimentLayout.outputFolderProblem(dir + "/file", option: "--out"), "--out \(dir)/file: exists and is not a folder")
        XCTAssertEqual(ExperimentLayout.outputFolderProblem(dir + "/file/sub", option: "--plots"),
                       "--plots \(dir)/file/sub: \(dir)/file exists and is not a folder, so no folder can be made under it")
    }
}
