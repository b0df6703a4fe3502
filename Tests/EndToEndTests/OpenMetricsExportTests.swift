import Foundation
import TestSupport
import XCTest

/// `clustersim export openmetrics`: a run's recorded series as OpenMetrics text that the real
/// `promtool tsdb create-blocks-from openmetrics` turns into TSDB blocks holding the same series;
/// bad results folders are refused (exit 2, one error, nothing written).
final class OpenMetricsExportTests: XCTestCase {
    /// Runs promtool in `dir`, which holds an empty `data/`: promtool 2.53's `tsdb dump` sets up its
    /// sandbox under `--sandbox-dir-root`, `data/` by default, and stops when that is missing (2.42 has
    /// no such flag and ignores the folder).
    static func promtool(_ args: [String], in dir: String) throws -> (Int32, String) {
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let r = try ToolRun.run("/usr/bin/promtool", args, in: dir)
        return (r.status, r.output)
    }

    /// A small platform scraped every 15 s, one agent crashing for 5 minutes, everything recorded.
    func runScenario(_ dir: String) throws -> String {
        try #"{"scrape_configs": [{"job_name": "node", "scrape_interval": "15s", "static_configs": [{"targets": ["slave-01:9100", "slave-02:9100", "slave-03:9999"]}]}]}"#
            .write(toFile: dir + "/prom.json", atomically: true, encoding: .utf8)
        let scenario = """
            {"name": "om", "description": "export", "duration": "20m", "sampleInterval": "1m",
             "hostGroups": [{"name": "mon", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                            {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
             "faults": [{"at": "5m", "kind": "hostCrash", "host": "slave-02", "recoverAfter": "5m"}],
             "prometheus": {"host": "mon-01", "config": "prom.json", "record": "all"}}
            """
        try scenario.write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/s.json", "--out", dir + "/results", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir + "/results"
    }

    func testPromtoolBuildsBlocksFromTheExport() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else { throw XCTSkip("promtool is not installed (Debian package prometheus)") }
        let dir = CLI.tempDir("om")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let results = try runScenario(dir)
        let samples = try String(contentsOfFile: results + "/samples.csv", encoding: .utf8)
        XCTAssertTrue(samples.hasPrefix("series,timestamp_ms,value,appended_ms\n"))
        let r = try CLI.run(["export", "openmetrics", results, "--out", dir + "/om.txt"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: dir + "/om.txt", encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("# EOF\n"))
        XCTAssertTrue(text.contains("# TYPE up unknown\n"))
        XCTAssertTrue(text.contains("up{instance=\"slave-02:9100\",job=\"node\"} 0.0 "))
        XCTAssertFalse(text.contains("stale"), "staleness markers are left out")
        let (rc, out) = try Self.promtool(["tsdb", "create-blocks-from", "openmetrics", dir + "/om.txt", dir + "/tsdb"], in: dir)
        XCTAssertEqual(rc, 0, out)
        let (lrc, list) = try Self.promtool(["tsdb", "list", dir + "/tsdb"], in: dir)
        XCTAssertEqual(lrc, 0, list)
        XCTAssertTrue(list.split(separator: "\n").count >= 2, "a block: \(list)")
        // dump opens the folder as a TSDB, which needs a (here empty) write-ahead log
        try FileManager.default.createDirectory(atPath: dir + "/tsdb/wal", withIntermediateDirectories: true)
        let (drc, dump) = try Self.promtool(["tsdb", "dump", dir + "/tsdb"], in: dir)
        XCTAssertEqual(drc, 0, String(dump.prefix(400)))
        // every exported sample is in the blocks, with its series
        let exported = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        XCTAssertEqual(dump.split(separator: "\n").count, exported, "promtool tsdb dump lists one line per sample")
        XCTAssertTrue(dump.contains("{__name__=\"up\", instance=\"slave-02:9100\", job=\"node\"} 0 "), String(dump.prefix(400)))
        XCTAssertTrue(dump.contains("{__name__=\"up\", instance=\"slave-03:9999\", job=\"node\"} 0 "))
    }

    func testOutputsAreByteIdenticalAcrossRunsAndAlertsCSVHasItsColumns() throws {
        let dir = CLI.tempDir("om-det")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try runScenario(dir)
        try FileManager.default.moveItem(atPath: first, toPath: dir + "/first")
        let second = try runScenario(dir)
        for f in ["scrapes.csv", "alerts.csv", "prometheus.csv", "samples.csv", "metrics.csv", "summary.csv", "events.csv"] {
            let a = try String(contentsOfFile: dir + "/first/" + f, encoding: .utf8), b = try String(contentsOfFile: second + "/" + f, encoding: .utf8)
            XCTAssertEqual(a, b, f)
        }
        let alerts = try String(contentsOfFile: second + "/alerts.csv", encoding: .utf8)
        XCTAssertEqual(alerts.split(separator: "\n").first, "time_s,timestamp_ms,group,alertname,labels,from,to,value")
        let scrapes = try String(contentsOfFile: second + "/scrapes.csv", encoding: .utf8)
        XCTAssertEqual(scrapes.split(separator: "\n").first, "time_s,job,targets,up,scrapes,failed,stale_markers")
        XCTAssertTrue(scrapes.contains("\n360,node,3,1,12,8,"), "slave-02 down and slave-03:9999 refused: \(scrapes.prefix(600))")
    }

    func testBadResultsAreRefusedWithNothingWritten() throws {
        let dir = CLI.tempDir("om-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var r = try CLI.run(["export", "openmetrics", dir, "--out", dir + "/om.txt"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("samples.csv"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/om.txt"))
        for bad in ["series,timestamp_ms,value,appended_ms\nup,12x,1,1\n", "series,timestamp_ms,value,appended_ms\n\"up{a=\"\"b}\",1,1,1\n", "wrong,header\n",
                    "series,timestamp_ms,value,appended_ms\nup,1,one,1\n", "series,timestamp_ms,value\nup,1,1\n", "series,timestamp_ms,value,appended_ms\nup,1,1\n"] {
            try bad.write(toFile: dir + "/samples.csv", atomically: true, encoding: .utf8)
            r = try CLI.run(["export", "openmetrics", dir, "--out", dir + "/om.txt"])
            XCTAssertEqual(r.status, 2, bad)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("samples.csv:"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/om.txt"))
        }
    }
}
