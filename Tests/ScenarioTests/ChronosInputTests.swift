import ClusterModel
import Foundation
@testable import Scenario
import XCTest

/// The `chronos` section and Chronos' job JSON: what Chronos refuses is an error with its path
/// and reason; fields it ignores are warnings; our own keys are strict and range-checked.
final class ChronosInputTests: XCTestCase {
    static func scenario(_ chronos: String) -> String {
        """
        {"name": "c", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": \(chronos)}
        """
    }
    static func jobs(_ jobs: String) -> String { scenario(#"{"jobs": "# + jobs + "}") }

    func testAJobLoadsWithChronosDefaults() {
        guard let s = loadOK(Self.jobs(#"[{"name": "nightly", "schedule": "R/2017-01-01T02:00:00Z/P1D", "command": "etl"}]"#))?.spec.chronos else { return }
        XCTAssertEqual(s.version, .v2)
        XCTAssertEqual(s.hosts, ["master-01"], "one instance per Mesos master host")
        let j = s.jobs[0]
        XCTAssertEqual(j.retries, 2)
        XCTAssertNil(j.epsilon, "--task_epsilon applies")
        XCTAssertEqual(j.schedule?.recurrences, -1)
        XCTAssertEqual(j.schedule?.startMs, ChronosSpec.defaultStartMs + 2 * 3_600_000)
        XCTAssertEqual(j.schedule?.period.days, 1)
        XCTAssertEqual(s.flags.failureRetry, .seconds(60))
        XCTAssertEqual(s.flags.scheduleHorizon, .seconds(60))
    }

    func testScheduleParsing() {
        func parse(_ s: String, _ z: String? = nil) -> ChronosSchedule? { try? ChronosSchedule.parse(s, timeZone: z).get() }
        let base = ChronosSpec.defaultStartMs
        XCTAssertEqual(parse("R5/2017-01-01T00:00:00Z/PT1H")?.recurrences, 5)
        XCTAssertEqual(parse("R/2017-01-01T08:00:00+08:00/PT1H")?.startMs, base)
        XCTAssertEqual(parse("R/2017-01-01T00:00:00.250Z/PT1.5S")?.period.millis, 1500)
        XCTAssertEqual(parse("R/2017-01-01T08:00:00/P1D", "Asia/Shanghai")?.startMs, base, "fields read in scheduleTimeZone")
        XCTAssertNil(parse("R//PT1H")?.startMs, "empty start: now")
        // calendar months: Jan 31 + 1 month is Feb 28 (Joda and Foundation clamp to the month's end)
        if let m = parse("R/2017-01-31T00:00:00Z/P1M") {
            XCTAssertEqual(m.occurrence(1, origin: m.startMs!), base + (30 + 28) * 86_400_000)
        } else { XCTFail("P1M") }
        // a day in a zone with daylight saving is 23 h across the spring change
        if let d = parse("R/2017-03-11T12:00:00/P1D", "America/New_York") {
            XCTAssertEqual(d.occurrence(1, origin: d.startMs!) - d.startMs!, 23 * 3_600_000)
        } else { XCTFail("P1D New York") }
        for bad in ["every hour", "R/2017-01-01T00:00:00Z", "X/2017-01-01T00:00:00Z/PT1H", "R/2017-13-01T00:00:00Z/PT1H",
                    "R/2017-01-01T00:00:00Z/PT", "R/2017-01-01T00:00:00Z/PT1M1H", "Rx/2017-01-01T00:00:00Z/PT1H",
                    "R/2017-01-01T00:00:00Z/PT0S", "R/2017-01-01T00:00:00Z/P1000Y", "R99999999999/2017-01-01T00:00:00Z/PT1H"] {
            XCTAssertNil(parse(bad), bad)
        }
    }

    func testNotISO8601IsAnErrorWithItsPath() {
        assertSingleError(Self.jobs(#"[{"name": "a", "schedule": "0 2 * * *"}]"#), path: "chronos.jobs[0].schedule",
                          ["not an ISO 8601 repeating interval", "400 Bad Request"])
    }

    func testScheduleAndParentsTogetherIsAnError() {
        assertSingleError(Self.jobs(#"[{"name": "a", "schedule": "R/2017-01-01T00:00:00Z/PT1H"}, {"name": "b", "schedule": "R/2017-01-01T00:00:00Z/PT1H", "parents": ["a"]}]"#),
                          path: "chronos.jobs[1].parents", ["either \"schedule\"", "not both"])
    }

    func testUnknownParentIsAnError() {
        assertSingleError(Self.jobs(#"[{"name": "extract", "schedule": "R/2017-01-01T00:00:00Z/PT1H"}, {"name": "load", "parents": ["extact"]}]"#),
                          path: "chronos.jobs[1].parents[0]", ["parent \"extact\" does not exist", "did you mean \"extract\""])
    }

    func testDependencyCycleIsAnError() {
        assertSingleError(Self.jobs(#"[{"name": "a", "schedule": "R/2017-01-01T00:00:00Z/PT1H"}, {"name": "b", "parents": ["a", "c"]}, {"name": "c", "parents": ["b"]}]"#),
                          path: "chronos.jobs[1].parents", ["dependency cycle: b -> c -> b"])
    }

    func testNumbersOutOfRangeAreErrors() {
        assertSingleError(Self.jobs(#"[{"name": "a", "retries": 1e308}]"#), path: "chronos.jobs[0].retries", ["0 to 1000000"])
        assertSingleError(Self.jobs(#"[{"name": "a", "cpus": -1}]"#), path: "chronos.jobs[0].cpus", [">= 0"])
        assertSingleError(Self.jobs(#"[{"name": "a", "epsilon": "P1M"}]"#), path: "chronos.jobs[0].epsilon", ["fixed length"])
        assertSingleError(Self.jobs(#"[{"name": "a", "schedule": "R/2017-01-01T00:00:00Z/PT0S"}]"#), path: "chronos.jobs[0].schedule", ["at least 1 second"])
        assertSingleError(Self.scenario(#"{"flags": {"failure_retry": 1e308}}"#), path: "chronos.flags.failure_retry", ["whole number of milliseconds"])
        assertSingleError(Self.scenario(#"{"flags": {"schedule_horizon": 0}}"#), path: "chronos.flags.schedule_horizon", ["from 1"])
        assertSingleError(Self.scenario(#"{"jobs": [{"name": "a"}], "behaviour": {"a": {"failureProbability": 2}}}"#), path: "chronos.behaviour.a.failureProbability", ["<= 1"])
    }

    /// Chronos' own API docs write resources as strings ("cpus": "0.5"); its JobDeserializer reads them
    /// with Jackson's asDouble, so they load; a string that is no number is 0, i.e. the flag's default.
    func testResourcesAsChronosReadsThem() {
        guard let l = loadOK(Self.jobs(#"[{"name": "a", "cpus": "0.5", "mem": "512", "disk": " 256 "}, {"name": "b", "cpus": "lots", "mem": null}]"#)),
              let jobs = l.spec.chronos?.jobs else { return }
        XCTAssertEqual(jobs[0].cpus, 0.5)
        XCTAssertEqual(jobs[0].mem, 512)
        XCTAssertEqual(jobs[0].disk, 256)
        XCTAssertEqual(jobs[1].cpus, 0, "0: --mesos_task_cpu applies")
        XCTAssertEqual(l.warnings.count, 1, "\(l.warnings)")
        XCTAssertTrue(l.warnings.first?.contains("chronos.jobs[1].cpus") ?? false, "\(l.warnings)")
        assertSingleError(Self.jobs(#"[{"name": "a", "mem": "-5"}]"#), path: "chronos.jobs[0].mem", [">= 0"])
        assertSingleError(Self.jobs(#"[{"name": "a", "disk": [1]}]"#), path: "chronos.jobs[0].disk", ["numeric string"])
    }

    func testBadNamesFlagsHostsAndDuplicatesAreErrors() {
        assertSingleError(Self.jobs(#"[{"name": "a/b"}]"#), path: "chronos.jobs[0].name", ["the job's name is invalid"])
        assertSingleError(Self.jobs(#"[{"name": "a"}, {"name": "a"}]"#), path: "chronos.jobs[1].name", ["already defined at chronos.jobs[0]"])
        assertSingleError(Self.scenario(#"{"flags": {"failure_retyr": 1}}"#), path: "chronos.flags.failure_retyr", ["Unknown option 'failure_retyr'", "did you mean"])
        assertSingleError(Self.scenario(#"{"hosts": ["slave-09"]}"#), path: "chronos.hosts[0]", ["slave-09"])
        assertSingleError(Self.scenario(#"{"jobs": [], "behaviour": {"nightly": {}}}"#), path: "chronos.behaviour.nightly", ["no such job"])
        assertSingleError(Self.jobs(#"[{"name": "a", "constraints": [["rack", "GROUP_BY", "x"]]}]"#), path: "chronos.jobs[0].constraints[0][1]", ["EQUALS, LIKE, UNLIKE"])
        assertSingleError(Self.scenario(#"{"versoin": "3.x"}"#), path: "chronos.versoin", ["unknown key"])
        let noMesos = #"{"name": "c", "duration": "1h", "hostGroups": [{"name": "a", "count": 1, "cpus": 1, "memory": 1, "disk": 1}], "chronos": {"hosts": ["a-01"]}}"#
        assertSingleError(noMesos, path: "chronos", ["needs a \"mesos\""])
    }

    func testFieldsChronosIgnoresAreWarnings() {
        guard let l = loadOK(Self.jobs(#"[{"name": "a", "schedule": "R//PT1H", "owner": "ops@example.com", "cpu": 2, "successCount": 3}]"#)) else { return }
        XCTAssertEqual(l.warnings.count, 1, "\(l.warnings)")
        XCTAssertTrue(l.warnings.first?.contains("chronos.jobs[0].cpu: unknown field \"cpu\" ignored") ?? false, "\(l.warnings)")
        XCTAssertTrue(l.warnings.first?.contains("did you mean \"cpus\"") ?? false)
        guard let v3 = loadOK(Self.scenario(#"{"version": "3.x", "jobs": [{"name": "a", "epsilon": "PT5M"}]}"#)) else { return }
        XCTAssertEqual(v3.warnings.count, 1)
        XCTAssertTrue(v3.warnings.first?.contains("chronos.jobs[0].epsilon: Chronos 3.x has no epsilon") ?? false, "\(v3.warnings)")
        XCTAssertNil(v3.spec.chronos?.jobs[0].epsilon)
    }

    /// `maxCompletionTime` (seconds) exists from 3.0 (c1348ddfd80e); 2.5.1 ignores it. 0 or less: none.
    /// `--reconciliation_interval` in seconds, 600 by default.
    func testMaxCompletionTimeAndReconciliationInterval() {
        guard let v3 = loadOK(Self.scenario(#"{"version": "3.x", "flags": {"reconciliation_interval": 60}, "jobs": [{"name": "a", "maxCompletionTime": 90}, {"name": "b", "maxCompletionTime": -5}]}"#)) else { return }
        XCTAssertEqual(v3.spec.chronos?.jobs[0].maxCompletionTime, .seconds(90))
        XCTAssertNil(v3.spec.chronos?.jobs[1].maxCompletionTime)
        XCTAssertEqual(v3.spec.chronos?.flags.reconciliationInterval, .seconds(60))
        // the default Mesos 1.4 has no TaskInfo.max_completion_time (from 1.6: docs/mesos.md)
        XCTAssertEqual(v3.warnings.count, 1, "\(v3.warnings)")
        XCTAssertTrue(v3.warnings.first?.contains("chronos.jobs[0].maxCompletionTime: Mesos 1.4.0 has no TaskInfo.max_completion_time") ?? false, "\(v3.warnings)")
        let on16 = Self.scenario(#"{"version": "3.x", "jobs": [{"name": "a", "maxCompletionTime": 90}]}"#)
            .replacingOccurrences(of: #""mesos": {"#, with: #""mesos": {"version": "1.6", "#)
        XCTAssertEqual(loadOK(on16)?.warnings, [])
        guard let v2 = loadOK(Self.scenario(#"{"jobs": [{"name": "a", "maxCompletionTime": 90}]}"#)) else { return }
        XCTAssertNil(v2.spec.chronos?.jobs[0].maxCompletionTime)
        XCTAssertEqual(v2.spec.chronos?.flags.reconciliationInterval, .seconds(600))
        XCTAssertTrue(v2.warnings.first?.contains("chronos.jobs[0].maxCompletionTime: Chronos 2.x does not read") ?? false, "\(v2.warnings)")
        assertSingleError(Self.scenario(#"{"version": "3.x", "jobs": [{"name": "a", "maxCompletionTime": 1e308}]}"#), path: "chronos.jobs[0].maxCompletionTime", ["2147483647"])
        assertSingleError(Self.scenario(#"{"flags": {"reconciliation_interval": -1}}"#), path: "chronos.flags.reconciliation_interval", ["whole number of seconds"])
    }

    func testJobsFileExportedFromChronos() {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(#"[{"name": "x", "schedule": "R/2017-01-01T00:00:00Z/PT1H", "lastSuccess": "2016-12-31T23:00:01.123Z", "errorCount": 0}, {"name": "y", "parents": ["x"]}]"#, to: dir + "/jobs.json")
        write(Self.scenario(#"{"jobsFile": "jobs.json"}"#), to: dir + "/s.json")
        do {
            let l = try ScenarioLoader.load(path: dir + "/s.json")
            XCTAssertEqual(l.spec.chronos?.jobs.map(\.name), ["x", "y"])
            XCTAssertEqual(l.spec.chronos?.jobs[1].parents, ["x"])
            XCTAssertTrue(l.warnings.isEmpty)
        } catch { XCTFail("\(error)") }
        write(#"{"name": "x"}"#, to: dir + "/jobs.json")
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/s.json")) { e in
            XCTAssertTrue("\(e)".contains("expected a JSON array of jobs"), "\(e)")
        }
    }
}
