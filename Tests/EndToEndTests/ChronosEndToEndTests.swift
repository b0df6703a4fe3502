import Foundation
import XCTest

/// The CLI with a `chronos` section: bad Chronos input exits 2 with one error naming its JSON path
/// and writes nothing; a warning for a field Chronos ignores does not stop the run; chronos.csv is
/// written with its declared columns.
final class ChronosEndToEndTests: XCTestCase {
    static func scenario(_ jobs: String) -> String {
        """
        {"name": "chronos-cli", "duration": "2h", "sampleInterval": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": {"jobs": \(jobs)}}
        """
    }

    func testBadChronosInputExitsTwoAndWritesNothing() throws {
        let cases: [(String, String)] = [
            (#"[{"name": "a", "schedule": "0 2 * * *"}]"#, "chronos.jobs[0].schedule: schedule \"0 2 * * *\" is not an ISO 8601 repeating interval"),
            (#"[{"name": "a", "schedule": "R//PT1H"}, {"name": "b", "schedule": "R//PT1H", "parents": ["a"]}]"#, "chronos.jobs[1].parents: a job has either"),
            (#"[{"name": "a", "parents": ["nope"]}]"#, "chronos.jobs[0].parents[0]: parent \"nope\" does not exist"),
            (#"[{"name": "a", "parents": ["b"]}, {"name": "b", "parents": ["a"]}]"#, "chronos.jobs[0].parents: dependency cycle: a -> b -> a"),
            (#"[{"name": "a", "mem": 1e308}]"#, "chronos.jobs[0].mem: expected a number"),
        ]
        for (jobs, needle) in cases {
            let dir = CLI.tempDir("chronos-bad")
            try Self.scenario(jobs).write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", dir + "/s.json", "--out", dir + "/out", "--quiet"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(needle), "expected «\(needle)» in:\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("1 error") || r.stderr.split(separator: "\n").count <= 2, r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"), "nothing written for \(jobs)")
        }
    }

    func testAWarnedFieldRunsAndWritesChronosCSV() throws {
        let dir = CLI.tempDir("chronos-ok")
        try Self.scenario(#"[{"name": "half-hourly", "schedule": "R/2017-01-01T00:00:00Z/PT30M", "colour": "blue"}]"#)
            .write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/s.json", "--out", dir + "/out"])   // warnings are not printed with --quiet
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("chronos.jobs[0].colour: unknown field \"colour\" ignored"), r.stderr)
        let csv = try String(contentsOfFile: dir + "/out/chronos.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "time_s,job,due,launched,succeeded,failed,retries,skipped,skipped_forward,dropped,running,max_lateness_s,mean_lateness_s,disabled")
        // runs due at 0, 30, 60, 90 min (and the one at 120 min queued at the end): 4 launched
        XCTAssertTrue(csv.last?.hasPrefix("7200,half-hourly,5,4,") ?? false, "\(csv.last ?? "")")
        let summary = try String(contentsOfFile: dir + "/out/summary.json", encoding: .utf8)
        XCTAssertTrue(summary.contains("\"chronos_runs\": 4"), summary)
    }
}
