import ClusterModel
import SimKernel
@testable import Scenario
import XCTest

/// `mesos.version`: how it is written, the supported range, the flags that only some versions
/// have and the defaults that changed (docs/mesos.md "What the version switches"); and the Mesos id
/// length checks of Chronos' task ids and of a deploy's new version.
final class MesosVersionTests: XCTestCase {
    static func scenario(_ mesos: String) -> String {
        """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": \(mesos)}
        """
    }
    static func withVersion(_ v: String, masterFlags: String = "", agentFlags: String = "") -> String {
        scenario(#"{"version": \#(v), "masters": {"count": 1, "hostGroup": "master", "flags": {\#(masterFlags)}}, "agents": {"hostGroups": ["slave"], "flags": {\#(agentFlags)}}}"#)
    }

    func version(_ v: String) -> MesosVersion? { loadOK(Self.withVersion(v))?.spec.mesos?.version }

    func testVersionIsAStringInTheSupportedRangeAndDefaultsTo140() {
        XCTAssertEqual(loadOK(Self.scenario(#"{"masters": {"count": 1}}"#))?.spec.mesos?.version, MesosVersion(1, 4, 0))
        XCTAssertEqual(version(#""1.6""#), MesosVersion(1, 6, 0))
        XCTAssertEqual(version(#""1.1.0""#), MesosVersion(1, 1, 0))
        XCTAssertEqual(version(#""1.11.2""#), MesosVersion(1, 11, 2))
        assertSingleError(Self.withVersion("1.6"), path: "mesos.version", ["write the version as a string, like \"1.6\"", "1.10 would read as 1.1"])
        assertSingleError(Self.withVersion(#""1.0.4""#), path: "mesos.version", ["Mesos \"1.0.4\" is not supported; supported versions: 1.1.0 to 1.11.x"])
        assertSingleError(Self.withVersion(#""1.12""#), path: "mesos.version", ["not supported", "1.1.0 to 1.11.x"])
        assertSingleError(Self.withVersion(#""1.x""#), path: "mesos.version", ["expected a Mesos version like \"1.4\"", "1.1.0 to 1.11.x"])
        assertSingleError(Self.withVersion("true"), path: "mesos.version", ["a version string like \"1.4\""])
    }

    /// A flag the version does not have is an error naming the versions that have it.
    func testFlagsOnlySomeVersionsHave() {
        // role_sorter and min_allocatable_resources came with the sorter change of 1.7.0, backported
        // to 1.4.2, 1.5.2 and 1.6.1 (src/master/flags.cpp at the tags)
        let backported = "exists in Mesos 1.4.2 to 1.4.x, 1.5.2 to 1.5.x and 1.6.1 to 1.11.x"
        let cases: [(flag: String, value: String, before: String, from: String, master: Bool, says: String)] = [
            ("max_unreachable_tasks_per_framework", "10", "1.1.3", "1.2.0", true, "exists from Mesos 1.2"),
            ("role_sorter", #""drf""#, "1.6.0", "1.6.1", true, backported),
            ("role_sorter", #""drf""#, "1.5.1", "1.5.2", true, backported),
            ("min_allocatable_resources", #""cpus:0.1""#, "1.4.1", "1.4.2", true, backported),
            ("min_allocatable_resources", #""cpus:0.1""#, "1.6.0", "1.7", true, backported),
        ]
        for c in cases {
            let flag = #""\#(c.flag)": \#(c.value)"#
            func text(_ v: String) -> String {
                c.master ? Self.withVersion(#""\#(v)""#, masterFlags: flag) : Self.withVersion(#""\#(v)""#, agentFlags: flag)
            }
            let path = (c.master ? "mesos.masters.flags." : "mesos.agents.flags.") + c.flag
            assertSingleError(text(c.before), path: path, ["--\(c.flag) \(c.says)", "mesos.version is \(c.before)"])
            XCTAssertNotNil(loadOK(text(c.from)), c.flag)
        }
        for v in ["1.7", "1.4.2", "1.6.1"] {
            let m = loadOK(Self.withVersion(#""\#(v)""#, masterFlags: #""min_allocatable_resources": "cpus:0.1""#))?.spec.mesos
            XCTAssertEqual(m?.masterFlags.minAllocatableResources, [Resources(cpus: Scalar(0.1))], v)
        }
        let a = loadOK(Self.withVersion(#""1.4""#, agentFlags: #""executor_reregistration_timeout": "5s""#))?.spec.mesos
        XCTAssertEqual(a?.agentFlags.executorReregistrationTimeout, .seconds(5))
        // backported to 1.1.3, 1.2.2 and 1.3.1 (src/slave/flags.cpp at the tags)
        assertSingleError(Self.withVersion(#""1.3.0""#, agentFlags: #""executor_reregistration_timeout": "5s""#), path: "mesos.agents.flags.executor_reregistration_timeout",
                          ["--executor_reregistration_timeout exists in Mesos 1.1.3 to 1.1.x, 1.2.2 to 1.2.x and 1.3.1 to 1.11.x; without it the agent waits the fixed 2s", "mesos.version is 1.3.0"])
        let b = loadOK(Self.withVersion(#""1.3.1""#, agentFlags: #""executor_reregistration_timeout": "5s""#))?.spec.mesos
        XCTAssertEqual(b?.agentFlags.executorReregistrationTimeout, .seconds(5))
    }

    /// `--allocator`: "HierarchicalDRF" up to 1.6, "hierarchical" from 1.7 (which still takes the old
    /// name) and from the patch releases the sorter change was backported to (1.4.2, 1.5.2, 1.6.1).
    func testAllocatorDefaultAndNamesPerVersion() {
        for (v, name) in [("1.4.1", "HierarchicalDRF"), ("1.4.2", "hierarchical"), ("1.5.0", "HierarchicalDRF"), ("1.5.3", "hierarchical"),
                          ("1.6.0", "HierarchicalDRF"), ("1.6.1", "hierarchical"), ("1.6.2", "hierarchical")] {
            XCTAssertEqual(loadOK(Self.withVersion(#""\#(v)""#))?.spec.mesos?.masterFlags.allocator, name, v)
        }
        XCTAssertEqual(loadOK(Self.withVersion(#""1.7""#))?.spec.mesos?.masterFlags.allocator, "hierarchical")
        XCTAssertEqual(loadOK(Self.scenario(#"{"version": "1.7", "masters": {"count": 1}}"#))?.spec.mesos?.masterFlags.allocator, "hierarchical")
        XCTAssertNotNil(loadOK(Self.withVersion(#""1.7""#, masterFlags: #""allocator": "HierarchicalDRF""#)))
        assertSingleError(Self.withVersion(#""1.6""#, masterFlags: #""allocator": "hierarchical""#), path: "mesos.masters.flags.allocator", ["HierarchicalDRF"])
        XCTAssertNotNil(loadOK(Self.withVersion(#""1.6.1""#, masterFlags: #""allocator": "hierarchical""#)))
    }

    /// Before 1.7 (and its backport to 1.4.2, 1.5.2, 1.6.1) the sorter flags are parsed and read by
    /// nothing (DRF always): another value is a warning and the run uses DRF. From then on they
    /// choose the sorters and must be equal.
    func testSortersPerVersion() throws {
        let old = try XCTUnwrap(loadOK(Self.withVersion(#""1.4""#, masterFlags: #""user_sorter": "random", "framework_sorter": "random""#)))
        XCTAssertEqual(old.spec.mesos?.masterFlags.roleSorter, "drf")
        XCTAssertEqual(old.spec.mesos?.masterFlags.frameworkSorter, "drf")
        XCTAssertTrue(old.warnings.contains { $0.contains("nothing reads them") && $0.contains("sorts roles and frameworks by DRF") }, "\(old.warnings)")
        let new = try XCTUnwrap(loadOK(Self.withVersion(#""1.7""#, masterFlags: #""role_sorter": "random", "framework_sorter": "random""#)))
        XCTAssertEqual(new.spec.mesos?.masterFlags.roleSorter, "random")
        XCTAssertEqual(new.spec.mesos?.masterFlags.frameworkSorter, "random")
        XCTAssertEqual(loadOK(Self.withVersion(#""1.8""#, masterFlags: #""user_sorter": "random", "framework_sorter": "random""#))?.spec.mesos?.masterFlags.roleSorter, "random")
        // the backport: 1.4.2, 1.5.2 and 1.6.1 choose the sorters as 1.7 does; 1.6.0 does not
        for v in ["1.4.2", "1.5.2", "1.6.1"] {
            let b = try XCTUnwrap(loadOK(Self.withVersion(#""\#(v)""#, masterFlags: #""role_sorter": "random", "framework_sorter": "random""#)), v)
            XCTAssertEqual(b.spec.mesos?.masterFlags.roleSorter, "random", v)
            XCTAssertEqual(b.spec.mesos?.masterFlags.frameworkSorter, "random", v)
            XCTAssertFalse(b.warnings.contains { $0.contains("nothing reads them") }, v)
            assertSingleError(Self.withVersion(#""\#(v)""#, masterFlags: #""role_sorter": "random""#), path: "mesos.masters.flags.role_sorter", ["must be equal"])
        }
        let sixZero = try XCTUnwrap(loadOK(Self.withVersion(#""1.6.0""#, masterFlags: #""user_sorter": "random", "framework_sorter": "random""#)))
        XCTAssertEqual(sixZero.spec.mesos?.masterFlags.roleSorter, "drf")
        assertSingleError(Self.withVersion(#""1.7""#, masterFlags: #""role_sorter": "random""#), path: "mesos.masters.flags.role_sorter",
                          ["Unsupported combination of 'role_sorter' and 'framework_sorter': must be equal"])
        assertSingleError(Self.withVersion(#""1.7""#, masterFlags: #""role_sorter": "drf", "user_sorter": "drf""#), path: "mesos.masters.flags.user_sorter",
                          ["old name; give only one"])
    }

    // MARK: Chronos' task ids

    static func chronos(mesosVersion: String, arguments: Int) -> String {
        let args = #"["--input", "\#(String(repeating: "x", count: arguments))"]"#
        return """
        {"name": "c", "duration": "10m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"version": "\(mesosVersion)", "masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": {"jobs": [{"name": "etl", "schedule": "R1//PT1H", "command": "etl.sh", "arguments": \(args)}]}}
        """
    }

    /// ct:<13 digits>:0:etl:--input <x...>: 3 + 13 + 1 + 1 + 1 + 3 + 1 + 8 + n = 31 + n characters.
    func testChronosIdLengthIsCheckedAtLoad() throws {
        let job = ChronosJob(name: "etl", schedule: nil)
        var j = job; j.arguments = ["--input", "a;b"]
        XCTAssertEqual(j.mesosTaskIDLength(dueMs: 1_500_000_000_000, attempt: 0), "ct:1500000000000:0:etl:--input ab".count)
        let fits = try XCTUnwrap(loadOK(Self.chronos(mesosVersion: "1.4", arguments: 224)))
        XCTAssertFalse(fits.warnings.contains { $0.contains("Mesos ids of") }, "\(fits.warnings)")
        let long = try XCTUnwrap(loadOK(Self.chronos(mesosVersion: "1.4", arguments: 225)))
        let w = long.warnings.filter { $0.contains("Mesos ids of") }
        XCTAssertEqual(w.count, 1, "\(long.warnings)")
        guard w.count == 1 else { return }
        XCTAssertTrue(w[0].contains("chronos.jobs[0].name: Chronos 2.x gives this job's tasks"), w[0])
        XCTAssertTrue(w[0].contains("Mesos ids of 256 characters (ct:<due ms>:<attempt>:<name>:<arguments>)"), w[0])
        XCTAssertTrue(w[0].contains("Mesos 1.4.0 refuses ids over 255 characters (TASK_ERROR, REASON_TASK_INVALID"), w[0])
        let old = try XCTUnwrap(loadOK(Self.chronos(mesosVersion: "1.2.0", arguments: 225)))
        XCTAssertTrue(old.warnings.contains { $0.contains("Mesos ids of 256") && $0.contains("the agent aborts") }, "\(old.warnings)")
    }

    /// At launch the master refuses the id (1.2.1+): TASK_ERROR, which Chronos only logs; with the
    /// id one character shorter the run goes.
    func testChronosLaunchWithATooLongIdEndsTaskError() throws {
        func run(_ n: Int) throws -> MemoryObserver {
            let l = try XCTUnwrap(loadOK(Self.chronos(mesosVersion: "1.4", arguments: n)))
            let o = MemoryObserver()
            ClusterSimulation(spec: l.spec, observer: o).run()
            return o
        }
        let bad = try run(225)
        let errors = bad.events.filter { $0.event == "TASK_ERROR" && $0.subject.hasPrefix("ct:") }
        XCTAssertEqual(errors.count, 1, "\(bad.events.filter { $0.subject.hasPrefix("ct:") })")
        XCTAssertTrue(errors.first?.detail.contains("REASON_TASK_INVALID") ?? false)
        XCTAssertFalse(bad.events.contains { $0.event == "TASK_RUNNING" && $0.subject.hasPrefix("ct:") })
        let good = try run(224)
        XCTAssertFalse(good.events.contains { $0.event == "TASK_ERROR" })
        XCTAssertTrue(good.events.contains { $0.event == "TASK_RUNNING" && $0.subject.hasPrefix("ct:") })
    }

    // MARK: max_completion_time

    /// Chronos 3.x sets TaskInfo.max_completion_time; Mesos' executors enforce it from 1.6.0 (before,
    /// the field does not exist): a 10-minute run with maxCompletionTime 300 is killed at 5 min on
    /// 1.6, runs to its end on 1.5 (a warning at load says so).
    func testMaxCompletionTimeIsEnforcedFrom16() throws {
        func run(_ v: String) throws -> (LoadedScenario, MemoryObserver) {
            let text = ChronosTests.scenario(chronos: """
                {"version": "3.x", "hosts": ["chronos-01"],
                 "jobs": [{"name": "slow", "schedule": "R1/2017-01-01T00:00:00Z/PT24H", "maxCompletionTime": 300, "retries": 0}],
                 "behaviour": {"slow": {"runTime": "10m"}}}
                """, duration: "30m", mesosVersion: v)
            let l = try XCTUnwrap(loadOK(text))
            let o = MemoryObserver()
            ClusterSimulation(spec: l.spec, observer: o).run()
            return (l, o)
        }
        func span(_ o: MemoryObserver, _ end: String) -> SimDuration? {
            guard let r = o.events.first(where: { $0.event == "TASK_RUNNING" && $0.subject.hasSuffix(":slow") }),
                  let e = o.events.first(where: { $0.event == end && $0.subject == r.subject }) else { return nil }
            return e.time - r.time
        }
        let (l15, o15) = try run("1.5")
        XCTAssertTrue(l15.warnings.contains { $0.contains("chronos.jobs[0].maxCompletionTime: Mesos 1.5.0 has no TaskInfo.max_completion_time") }, "\(l15.warnings)")
        XCTAssertEqual(span(o15, "TASK_FINISHED"), .minutes(10))
        let (l16, o16) = try run("1.6")
        XCTAssertFalse(l16.warnings.contains { $0.contains("max_completion_time") })
        XCTAssertEqual(span(o16, "TASK_FAILED"), .seconds(300))
        // the executor's reason (launcher/executor.cpp, docker/executor.cpp at 1.6.0), not an ordinary failure's
        let failed = try XCTUnwrap(o16.events.first { $0.event == "TASK_FAILED" && $0.subject.hasSuffix(":slow") })
        XCTAssertTrue(failed.detail.hasSuffix(" REASON_MAX_COMPLETION_TIME_REACHED"), failed.detail)
    }

    /// A run that fails on its own before the limit keeps the ordinary failure's reason.
    func testAFailureBeforeMaxCompletionTimeKeepsItsReason() throws {
        let text = ChronosTests.scenario(chronos: """
            {"version": "3.x", "hosts": ["chronos-01"],
             "jobs": [{"name": "crashy", "schedule": "R1/2017-01-01T00:00:00Z/PT24H", "maxCompletionTime": 300, "retries": 0}],
             "behaviour": {"crashy": {"runTime": "2m", "failureProbability": 1}}}
            """, duration: "30m", mesosVersion: "1.6")
        let l = try XCTUnwrap(loadOK(text))
        let o = MemoryObserver()
        ClusterSimulation(spec: l.spec, observer: o).run()
        let failed = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject.hasSuffix(":crashy") })
        XCTAssertFalse(failed.detail.contains("REASON_MAX_COMPLETION_TIME_REACHED"), failed.detail)
    }

    // MARK: a deploy's new version

    /// A pod's ids grow with its longest container name: a deploy that renames a container past
    /// the limit gets the load-time warning, at the deploy's `changes`.
    func testADeployWhoseNewVersionsIdsAreTooLongIsWarned() throws {
        let id = "/team/" + String(repeating: "a", count: 150)
        func text(container: String) -> String {
            """
            {"name": "t", "duration": "10m",
             "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
             "mesos": {"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
             "marathon": {"version": "1.5", "apps": [{"id": "\(id)", "containers": [{"name": "web", "resources": {"cpus": 0.1, "mem": 32}, "exec": {"command": {"shell": "sleep 1000"}}}]}]},
             "actions": [{"at": "5m", "kind": "deploy", "app": "\(id)", "changes": {"containers": [{"name": "\(container)", "resources": {"cpus": 0.1, "mem": 32}, "exec": {"command": {"shell": "sleep 1000"}}}]}}]}
            """
        }
        // <id>.instance-<uuid>.<container> = 155 + 47 + name: 256 with a 54-character name
        let ok = try XCTUnwrap(loadOK(text(container: String(repeating: "c", count: 53))))
        XCTAssertFalse(ok.warnings.contains { $0.contains("Mesos ids of") }, "\(ok.warnings)")
        let long = try XCTUnwrap(loadOK(text(container: String(repeating: "c", count: 54))))
        let w = long.warnings.filter { $0.contains("Mesos ids of") }
        XCTAssertEqual(w.count, 1, "\(long.warnings)")
        XCTAssertTrue(w.first?.contains("actions[0].changes: the deployed version: Marathon 1.5.0 gives this pod's tasks Mesos ids of 256 characters") ?? false, "\(w)")
    }

    /// An app whose ids are too long, at load and in a deploy's new version: the warning says what
    /// the scenario's Mesos release does with them (the master refuses them from 1.2.1; before, the
    /// agent aborts on the sandbox's mkdir).
    func testMarathonIdWarningsNameWhatTheMesosReleaseDoes() throws {
        // Marathon 1.4: <safePath>.<uuid> = n + 36 characters; 220 gives 256
        let id = "/" + String(repeating: "a", count: 219)
        func text(_ mesos: String) -> String {
            """
            {"name": "t", "duration": "10m",
             "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
             "mesos": {\(mesos)"masters": {"count": 1, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [{"id": "\(id)", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32},
                                   {"id": "/b", "cmd": "sleep 1000", "cpus": 0.1, "mem": 32}]},
             "actions": [{"at": "5m", "kind": "deploy", "app": "\(id)", "changes": {"cmd": "sleep 2000"}}]}
            """
        }
        func idWarnings(_ mesos: String) throws -> [String] {
            try XCTUnwrap(loadOK(text(mesos))).warnings.filter { $0.contains("Mesos ids of 256") }
        }
        for (mesos, release) in [("", "1.4.0"), (#""version": "1.2.1", "#, "1.2.1")] {
            let w = try idWarnings(mesos)
            XCTAssertEqual(w.count, 1, "\(w)")   // the deploy keeps the length: said once, at the app
            XCTAssertTrue(w.first?.contains("Mesos \(release) refuses ids over 255 characters (TASK_ERROR, REASON_TASK_INVALID") ?? false, "\(w)")
            XCTAssertTrue(w.first?.contains("so every launch fails and it never runs") ?? false, "\(w)")
        }
        let old = try idWarnings(#""version": "1.2.0", "#)
        XCTAssertEqual(old.count, 1, "\(old)")
        XCTAssertTrue(old.first?.contains("Mesos 1.2.0 lets the id through and the agent aborts") ?? false, "\(old)")
        XCTAssertTrue(old.first?.contains("so every launch takes an agent down") ?? false, "\(old)")
        XCTAssertFalse(old.first?.contains("refuses ids over") ?? true, "\(old)")
    }
}
