import Foundation
import XCTest

/// `clustersim sweep` and `clustersim validate` on experiments, run as the built binary: a 2×2
/// grid of a shortened quickstart with 2 replications.
final class SweepEndToEndTests: XCTestCase {
    /// Writes the experiment into a fresh folder; returns its path.
    func experiment(axes: String = #"[{"path": "hostGroups[1].count", "values": [4, 6]}, {"path": "duration", "values": ["45m", "1h"]}]"#) -> String {
        let dir = CLI.tempDir("sweep")
        let base = CLI.root.appendingPathComponent("scenarios/quickstart.json").path
        let text = #"{"name": "tiny-sweep", "base": "\#(base)", "seed": 11, "replications": 2, "axes": \#(axes), "figures": ["apps_degraded_s", "max_recovery_s"]}"#
        try? text.write(toFile: dir + "/exp.json", atomically: true, encoding: .utf8)
        return dir
    }

    func sweep(_ dir: String, _ extra: [String], environment: [String: String]? = nil) throws -> CLI.Result {
        try CLI.run(["sweep", dir + "/exp.json", "--out", dir + "/out", "--plots", dir + "/plots", "--quiet"] + extra, environment: environment)
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func testPointsCSVIsTheSameWhateverJobs() throws {
        let a = experiment(), b = experiment()
        let r1 = try sweep(a, ["-j", "1"]), r2 = try sweep(b, ["-j", "2"])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let csv = try XCTUnwrap(read(a + "/out/points.csv"))
        XCTAssertEqual(csv, read(b + "/out/points.csv"), "points.csv differs between -j 1 and -j 2")
        XCTAssertEqual(csv.split(separator: "\n").count, 5, csv)
        XCTAssertTrue(csv.hasPrefix("point,hostGroups[1].count,duration,runs,apps_degraded_s_mean,"), csv)
        XCTAssertEqual(CLI.files(in: a + "/out/runs").count, 4)
        // every figure against every axis, PNG and SVG
        let images = CLI.files(in: a + "/plots").filter { $0.hasSuffix(".png") || $0.hasSuffix(".svg") }
        XCTAssertEqual(images.count, 8, "\(images)")
        XCTAssertTrue(images.contains("apps_degraded_s-by-hostGroups_1_.count.png"))
    }

    func testResumeNeverRunsAFinishedRunAgainAndChunksAggregate() throws {
        let d = experiment()
        // chunk 1 of 2: half the runs, no aggregate
        var r = try sweep(d, ["--runs", "1/2", "-j", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNil(read(d + "/out/points.csv"))
        let finished = CLI.files(in: d + "/out/runs").flatMap { p in CLI.files(in: d + "/out/runs/" + p).map { p + "/" + $0 } }
        XCTAssertEqual(finished.count, 4, "\(finished)")
        // aggregating now names the missing runs
        r = try sweep(d, ["--aggregate-only"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("4 of 8 runs have not finished"), r.stderr)
        XCTAssertTrue(r.stderr.contains("hostGroups_1_.count=6,duration=45m/0"), r.stderr)
        XCTAssertNil(read(d + "/out/points.csv"))
        // a marker in a finished run, and its summary's modification time
        let kept = d + "/out/runs/" + finished[0]
        try "marker".write(toFile: kept + "/marker", atomically: true, encoding: .utf8)
        let mtime = try FileManager.default.attributesOfItem(atPath: kept + "/summary.json")[.modificationDate] as? Date
        r = try sweep(d, ["-j", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(read(kept + "/marker"), "marker", "a finished run was run again")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: kept + "/summary.json")[.modificationDate] as? Date, mtime)
        let csv = try XCTUnwrap(read(d + "/out/points.csv"))
        // the same as one sweep from scratch
        let fresh = experiment()
        XCTAssertEqual(try sweep(fresh, []).status, 0)
        XCTAssertEqual(csv, read(fresh + "/out/points.csv"))
        // --aggregate-only with every run finished rewrites the same aggregate
        try FileManager.default.removeItem(atPath: d + "/out/points.csv")
        XCTAssertEqual(try sweep(d, ["--aggregate-only"]).status, 0)
        XCTAssertEqual(read(d + "/out/points.csv"), csv)
    }

    func testInterruptLeavesFinishedRunsAndNoPartialOne() throws {
        let d = experiment()
        let running = try CLI.start(["sweep", d + "/exp.json", "--out", d + "/out", "--plots", d + "/plots", "--quiet", "-j", "1"])
        // wait until the first run has finished, then ^C the sweep
        var waited = 0
        while CLI.files(in: d + "/out/runs").isEmpty || !FileManager.default.fileExists(atPath: d + "/out/runs/" + CLI.files(in: d + "/out/runs")[0] + "/0/summary.json") {
            usleep(10_000); waited += 1
            if waited > 6000 { break }
        }
        running.process.interrupt()
        let r = running.wait()
        XCTAssertEqual(r.status, 130, r.stderr)
        XCTAssertTrue(r.stderr.contains("interrupted"), r.stderr)
        XCTAssertNil(read(d + "/out/points.csv"))
        var finished = 0
        for p in CLI.files(in: d + "/out/runs") {
            for e in CLI.files(in: d + "/out/runs/" + p) {
                XCTAssertFalse(e.hasPrefix("."), "a partial run was left: \(p)/\(e)")
                XCTAssertTrue(FileManager.default.fileExists(atPath: d + "/out/runs/\(p)/\(e)/summary.json"), "\(p)/\(e)")
                finished += 1
            }
        }
        XCTAssertGreaterThanOrEqual(finished, 1)
        XCTAssertLessThan(finished, 8, "the sweep was not interrupted")
        // the next sweep continues and ends as one sweep from scratch would
        XCTAssertEqual(try sweep(d, ["-j", "2"]).status, 0)
        let fresh = experiment()
        XCTAssertEqual(try sweep(fresh, []).status, 0)
        XCTAssertEqual(read(d + "/out/points.csv"), read(fresh + "/out/points.csv"))
    }

    func testFailedRunIsReportedWithItsStderrAndCommand() throws {
        let d = experiment()
        var env = ProcessInfo.processInfo.environment
        env["CLUSTERSIM_TEST_TRAP_AT_EVENT"] = "100"
        let r = try sweep(d, ["-j", "2"], environment: env)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("failed (signal") || r.stderr.contains("failed (exit status"), r.stderr)
        XCTAssertTrue(r.stderr.contains("CLUSTERSIM_TEST_TRAP_AT_EVENT=100: test trap"), r.stderr)
        XCTAssertTrue(r.stderr.contains("reproduce it with:"), r.stderr)
        XCTAssertTrue(r.stderr.contains(" run ") && r.stderr.contains("--seed "), r.stderr)
        XCTAssertNil(read(d + "/out/points.csv"))
    }

    func testValidateChecksExperiments() throws {
        let good = experiment()
        var r = try CLI.run(["validate", good + "/exp.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("valid experiment (tiny-sweep: 2 axes, 4 points × 2 replications = 8 runs"), r.stdout)
        let bad = experiment(axes: #"[{"path": "hostGroups[1].cont", "values": [4, 6]}]"#)
        r = try CLI.run(["validate", bad + "/exp.json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("axes[0].values[0]: hostGroups[1].cont: unknown key \"cont\""), r.stderr)
        r = try sweep(bad, [])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("nothing was run or written"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad + "/out"))
    }
}
