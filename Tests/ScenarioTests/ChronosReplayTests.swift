@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Chronos incidents replayed to their end (session 48): each test pins a rule of mesos/chronos
/// at 2.5.1 and c1348ddfd80e that a replay found the simulator breaking.
final class ChronosReplayTests: XCTestCase {
    /// Three masters and one 4-core agent, so that one job can fill the cluster.
    static func scenario(chronos: String, duration: String = "30m") -> String {
        """
        {"name": "r", "duration": "\(duration)", "sampleInterval": "1m", "seed": 1,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 3, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": \(chronos)}
        """
    }

    func run(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ChronosTests.Run? {
        guard let loaded = loadOK(text, file: file, line: line) else { return nil }
        let obs = MemoryObserver()
        let model = ClusterSimulation(spec: loaded.spec, observer: obs)
        model.run()
        return ChronosTests.Run(model: model, events: obs.events)
    }

    /// TaskManager.getTask (2.5.1) / getTaskFromQueue (c1348ddfd80e) answers None for a task whose
    /// job is disabled (JobExpired), and generateLaunchableTasks stops there ("No tasks scheduled or
    /// next task has been disabled"): the task behind it waits for the next offers. 3.x: `big`
    /// (concurrent, the whole agent) queues its second run while its first runs; `small` queues
    /// behind it; the first run fails beyond its retries and `disable_after_failures` 1 disables
    /// `big`. The next batch meets big's task first: it expires and `small` is not launched with
    /// that batch but one offer delay later. The simulator went on to `small` in the same batch.
    func testADisabledJobsTaskAtTheHeadEndsTheBatch() {
        let text = Self.scenario(chronos: #"""
            {"version": "3.x", "flags": {"disable_after_failures": 1},
             "jobs": [{"name": "big", "schedule": "R/2017-01-01T00:00:00Z/PT5M", "cpus": 4, "mem": 1024, "retries": 0, "concurrent": true, "command": "x"},
                      {"name": "small", "schedule": "R/2017-01-01T00:06:00Z/PT1H", "cpus": 1, "mem": 128, "command": "y"}],
             "behaviour": {"big": {"runTime": "7m", "failureProbability": 1}, "small": {"runTime": "1m"}}}
            """#)
        guard let r = run(text) else { return }
        let expired = r.times("chronos", "jobExpired", "big")
        XCTAssertEqual(expired.count, 1, "big's second run expires once")
        guard let e = expired.first, let small = r.launches("small").first else { return XCTFail("no expiry or no launch of small") }
        XCTAssertTrue(r.job("big").disabled)
        // the offer of the expiry's batch is declined (5 s filter): small launches with a later batch
        XCTAssertGreaterThanOrEqual(small.launched - e, .seconds(5), "small launched \(small.launched), big expired \(e)")
        XCTAssertLessThanOrEqual(small.launched - e, ChronosTests.offerDelay + .seconds(1))
    }

    /// JobDeserializer (2.5.1 and c1348ddfd80e) reads `lastError`, `lastSuccess` and
    /// `errorsSinceLastSuccess` of a job's JSON (an export from /scheduler/jobs), the endpoints keep
    /// them, and JobScheduler.handleFailedTask retries a failure only when `lastError` is "" or
    /// `lastSuccess` is not earlier (both read by Joda's DateTime.parse; a throw is "no recent
    /// success"), and disables after `errorsSinceLastSuccess + 1 >= --disable_after_failures`. A
    /// job exported after a failure is not retried; the simulator ignored the three fields.
    func testAnExportedLastErrorStopsRetriesAndTheErrorCountCarriesOn() {
        for version in ["2.x", "3.x"] {
            func outcome(_ fields: String, flags: String = "{}") -> (launched: Int, retried: Int, disabled: Bool)? {
                let text = Self.scenario(chronos: #"{"version": "\#(version)", "flags": \#(flags), "jobs": [{"name": "flaky", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "retries": 2, "command": "z"\#(fields)}], "behaviour": {"flaky": {"runTime": "1m", "failureProbability": 1}}}"#)
                guard let r = run(text) else { return nil }
                let j = r.job("flaky")
                return (j.launched, j.retried, j.disabled)
            }
            let older = #", "lastSuccess": "2016-12-30T10:00:00.000Z""#, newer = #", "lastError": "2016-12-31T10:00:00.000Z""#
            XCTAssertEqual(outcome("")?.launched, 3, "\(version): no history: the run and its 2 retries")
            XCTAssertEqual(outcome(older + newer)?.launched, 1, "\(version): an error after the last success: no retry")
            XCTAssertEqual(outcome(older + newer)?.retried, 0, version)
            XCTAssertEqual(outcome(newer)?.launched, 1, "\(version): an error and no success: no retry")
            XCTAssertEqual(outcome(#", "lastSuccess": "2016-12-31T11:00:00Z""# + newer)?.launched, 3, "\(version): a success after the error: retried")
            XCTAssertEqual(outcome(#", "lastSuccess": "2016-12-31T11:00:00Z", "lastError": "yesterday""#)?.launched, 1,
                           "\(version): an error time Joda cannot read: no recent success, no retry")
            let flags = #"{"disable_after_failures": 3}"#
            XCTAssertEqual(outcome(#", "errorsSinceLastSuccess": 2"# + newer, flags: flags)?.disabled, true, "\(version): the 3rd error since the last success disables")
            XCTAssertEqual(outcome(#", "errorsSinceLastSuccess": "1""# + newer, flags: flags)?.disabled, false, "\(version): the 2nd does not")
            XCTAssertEqual(outcome(newer, flags: flags)?.disabled, false, version)
        }
    }

    func testErrorsSinceLastSuccessIsReadAsJacksonAsLongReadsIt() {
        func load(_ value: String) -> (Int64?, [String]) {
            let text = Self.scenario(chronos: #"{"jobs": [{"name": "j", "command": "z", "errorsSinceLastSuccess": \#(value)}]}"#)
            do {
                let l = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json")
                return (l.spec.chronos?.jobs.first?.errorsSinceLastSuccess, l.warnings.map { "\($0)" })
            } catch { return (nil, ["\(error)"]) }
        }
        XCTAssertEqual(load("2.7").0, 2)
        XCTAssertEqual(load(#""3""#).0, 3)
        XCTAssertEqual(load("true").0, 1)
        XCTAssertEqual(load("null").0, 0)
        let (n, w) = load(#""many""#)
        XCTAssertEqual(n, 0)
        XCTAssertTrue(w.contains { $0.contains("errorsSinceLastSuccess") && $0.contains("Jackson asLong") }, "\(w)")
        let (big, e) = load("1e12")
        XCTAssertNil(big)
        XCTAssertTrue(e.contains { $0.contains("chronos.jobs[0].errorsSinceLastSuccess") && $0.contains("2147483647") }, "\(e)")
    }

    /// `async` is a 2.x field (MesosJobFramework.statusUpdate@2.5.1 `isTaskAsync`): Chronos 3.0
    /// removed async jobs (#734; JobDeserializer@c1348ddfd80e does not read the field), so a 3.x
    /// async job's TASK_FINISHED is its success and its dependents run. The simulator applied it to both.
    func testAsyncHoldsBackDependentsIn2xOnly() throws {
        for version in ["2.x", "3.x"] {
            let text = Self.scenario(chronos: #"""
                {"version": "\#(version)", "jobs": [{"name": "p", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "async": true, "command": "p"},
                                                   {"name": "c", "parents": ["p"], "command": "c"}],
                 "behaviour": {"default": {"runTime": "1m"}}}
                """#)
            let loaded = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json")
            let warned = loaded.warnings.contains { $0.contains("chronos.jobs[0].async") }
            XCTAssertEqual(warned, version == "3.x", "\(version): \(loaded.warnings)")
            guard let r = run(text) else { return }
            XCTAssertEqual(r.job("p").succeeded, version == "2.x" ? 0 : 1, version)
            XCTAssertEqual(r.launches("c").count, version == "2.x" ? 0 : 1, version)
        }
    }

    /// Chronos 2.5.1 persists a scan's tasks at once (TaskManager.scheduleDelayedTask, persist =
    /// true) but a retry only when its `--failure_retry` delay is over (the delayed Runnable of
    /// JobScheduler.handleFailedTask calls persistTask, then enqueue) and a dependent's run never
    /// (processDependencies calls enqueue alone). The leader's host dies while `flaky`'s retry waits
    /// and while `child` (whose constraint no agent meets) waits in the queue: the next leader's
    /// TaskUtils.loadTasks finds neither, so neither runs. The simulator handed both to the next leader.
    func testA2xLeaderTakesItsRetriesAndDependentRunsWithIt() {
        let text = ChronosTests.scenario(chronos: #"""
            {"hosts": ["chronos-01", "chronos-02"],
             "jobs": [{"name": "flaky", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "retries": 2, "command": "f"},
                      {"name": "parent", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "command": "p"},
                      {"name": "child", "parents": ["parent"], "constraints": [["hostname", "EQUALS", "nowhere"]], "command": "c"}],
             "behaviour": {"default": {"runTime": "1m"}, "flaky": {"runTime": "1m", "failureProbability": 1}}}
            """#, duration: "20m", extra: #", "faults": [{"at": "2m30s", "kind": "hostCrash", "host": "chronos-01"}]"#)
        guard let r = run(text) else { return }
        XCTAssertEqual(r.chronos.failovers.count, 1)
        XCTAssertEqual(r.times("chronos", "jobRetry", "flaky").count, 1, "the first run failed before the crash")
        XCTAssertEqual(r.launches("flaky").count, 1, "the retry was lost with the leader")
        XCTAssertEqual(r.job("flaky").dropped, 1)
        XCTAssertEqual(r.job("child").due, 1)
        XCTAssertEqual(r.job("child").dropped, 1, "the dependent's run was lost with the leader")
        XCTAssertEqual(r.chronos.queuedCount, 0)
        XCTAssertEqual(r.events.filter { $0.component == "chronos" && $0.event == "runLost" }.count, 2)
    }

    /// A retry whose delay is over before the leader dies was persisted when queued: the next
    /// leader loads it (TaskUtils.loadTasks) and queues it again. Its only agent is gone (it
    /// crashed after the first run failed, before the retry was due), so it waits in the queue.
    func testA2xRetryQueuedBeforeTheFailoverIsLoadedByTheNextLeader() {
        let text = ChronosTests.scenario(chronos: #"""
            {"hosts": ["chronos-01", "chronos-02"], "flags": {"failure_retry": 180000},
             "jobs": [{"name": "flaky", "schedule": "R1/2017-01-01T00:01:00Z/PT1H", "retries": 1, "command": "f", "constraints": [["hostname", "EQUALS", "slave-01"]]}],
             "behaviour": {"flaky": {"runTime": "1m", "failureProbability": 1}}}
            """#, duration: "20m", extra: #", "faults": [{"at": "2m5s", "kind": "hostCrash", "host": "slave-01"}, {"at": "5m30s", "kind": "hostCrash", "host": "chronos-01"}]"#)
        guard let r = run(text) else { return }
        XCTAssertEqual(r.chronos.failovers.count, 1)
        XCTAssertEqual(r.times("chronos", "jobRetry", "flaky").count, 1)
        XCTAssertEqual(r.launches("flaky").count, 1)
        XCTAssertEqual(r.job("flaky").dropped, 0)
        XCTAssertEqual(r.chronos.queuedCount, 1, "the persisted retry waits for its agent")
    }

    /// A reboot stops Chronos through the JVM's shutdown hook (mesosphere chaos `App.run`:
    /// `sys.addShutdownHook(shutdownAndWait())`); `ZookeeperService.shutDown` closes the Curator
    /// client and with it the session, so the standby is elected at once (the watch, 5 ms). A
    /// crash leaves the session to the ensemble, which expires it after `zk_timeout` (10 s).
    func testARebootedChronosLeaderHandsOverAtOnce() {
        for (kind, extra) in [("hostReboot", #""downFor": "2m""#), ("hostCrash", #""recoverAfter": "2m""#)] {
            let text = ChronosTests.scenario(chronos: #"""
                {"hosts": ["chronos-01", "chronos-02"],
                 "jobs": [{"name": "tick", "schedule": "R/2017-01-01T00:01:00Z/PT5M", "command": "t"}]}
                """#, duration: "10m", extra: #", "faults": [{"at": "2m30s", "kind": "\#(kind)", "host": "chronos-01", \#(extra)}]"#)
            guard let r = run(text) else { return }
            let elected = r.events.filter { $0.component == "chronos" && $0.event == "leaderElected" }
            XCTAssertEqual(elected.first?.subject.hasPrefix("chronos1@"), true, kind)
            let next = elected.first { $0.time.seconds > 150 }
            XCTAssertEqual(next?.subject.hasPrefix("chronos2@"), true, kind)
            if kind == "hostReboot" {
                XCTAssertEqual(next?.time.seconds ?? 0, 150.005, accuracy: 1e-9, kind)
            } else {
                XCTAssertEqual(next?.time.seconds ?? 0, 160.005, accuracy: 0.5, kind)
            }
        }
    }
}
