@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Chronos as a second Mesos framework: the issue's numbers (issue 16) and the rules of
/// mesos/chronos@2.5.1 and @c1348ddfd80e each test names.
final class ChronosTests: XCTestCase {
    /// Three masters (Mesos, ZooKeeper), two Chronos hosts, three agents; `chronos` and extra
    /// top-level members are spliced in.
    static func scenario(chronos: String, duration: String = "24h", extra: String = "", mesosVersion: String = "1.4") -> String {
        """
        {"name": "c", "duration": "\(duration)", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "chronos", "count": 2, "cpus": 2, "memory": "8GiB", "disk": "50GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"version": "\(mesosVersion)", "masters": {"count": 3, "hostGroup": "master"}, "agents": {"hostGroups": ["slave"]}},
         "chronos": \(chronos)\(extra)}
        """
    }

    struct Run {
        let model: ClusterSimulation
        let events: [LoggedEvent]
        var chronos: ChronosScheduler { model.subsystem(ChronosScheduler.self)! }
        func job(_ name: String) -> ChronosJobState { chronos.jobs.first { $0.name == name }! }
        /// Times of events.csv rows of `component` and `event` whose subject contains `subject`.
        func times(_ component: String, _ event: String, _ subject: String) -> [SimTime] {
            events.filter { $0.component == component && $0.event == event && $0.subject.contains(subject) }.map(\.time)
        }
        /// When each task of `job` was launched (TASK_STAGING) and when it was due (from its task id `ct:<due ms>:<attempt>:<job>`).
        func launches(_ job: String, startMs: Int64 = ChronosSpec.defaultStartMs) -> [(launched: SimTime, due: SimTime, attempt: Int)] {
            events.filter { $0.component == "mesos" && $0.event == "TASK_STAGING" && $0.subject.hasSuffix(":" + job) }.map { e in
                let parts = e.subject.split(separator: ":")
                return (e.time, SimTime(nanoseconds: (Int64(parts[1])! - startMs) * 1_000_000), Int(parts[2])!)
            }
        }
    }

    func run(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Run? {
        guard let loaded = loadOK(text, file: file, line: line) else { return nil }
        let obs = MemoryObserver()
        let model = ClusterSimulation(spec: loaded.spec, observer: obs)
        model.run()
        return Run(model: model, events: obs.events)
    }

    /// Task ids carry the due time in whole milliseconds (TaskUtils.getTaskId).
    func assertSameMillisecond(_ a: SimTime, _ b: SimTime, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.nanoseconds / 1_000_000, b.nanoseconds / 1_000_000, what, file: file, line: line)
    }

    /// Mesos' offer delay for a framework that declines: the 5 s refuse filter plus one allocation interval (1 s).
    static let offerDelay = SimDuration.seconds(6)

    // MARK: - the issue's numbers

    /// A start before 1970 is a start in the past like any other (Joda reads any year; Chronos'
    /// JobUtils.skipForward / calculateSkips move it by whole periods): the job runs at the times a
    /// start one period before the run's start gives, in both versions (2.x skips to the first
    /// occurrence after now; 3.x runs the overdue occurrence once, then skips). The loader refused it.
    func testAStartBefore1970SkipsForwardAsARecentPastStartDoes() {
        for version in ["2.x", "3.x"] {
            func launched(_ schedule: String) -> ([SimTime], Int)? {
                let text = Self.scenario(chronos: #"{"version": "\#(version)", "hosts": ["chronos-01", "chronos-02"], "jobs": [{"name": "hourly", "schedule": "\#(schedule)", "command": "report.sh"}], "behaviour": {"hourly": {"runTime": "5m"}}}"#,
                                         duration: "6h")
                guard let r = run(text) else { return nil }
                return (r.launches("hourly").map(\.launched), r.job("hourly").skippedForward)
            }
            guard let old = launched("R/1960-01-01T00:30:00Z/PT1H"), let recent = launched("R/2016-12-31T23:30:00Z/PT1H") else { return }
            XCTAssertEqual(old.0, recent.0, version)
            XCTAssertEqual(old.0.count, version == "2.x" ? 6 : 7, "\(version): \(old.0)")
            // 20820 days from 1960-01-01 to 2017-01-01: 499680 hours, skipped (2.x) or all but the overdue one run (3.x)
            XCTAssertEqual(old.1, version == "2.x" ? 499_680 : 499_679, "\(version): the hours since 1960 are skipped forward")
        }
    }

    func testHourlyJobRuns24TimesInADayEachWithinTheOfferDelay() {
        for version in ["2.x", "3.x"] {
            let text = Self.scenario(chronos: """
                {"version": "\(version)", "hosts": ["chronos-01", "chronos-02"],
                 "jobs": [{"name": "hourly", "schedule": "R/2017-01-01T00:00:00Z/PT1H", "command": "report.sh"}],
                 "behaviour": {"hourly": {"runTime": "5m"}}}
                """)
            guard let r = run(text) else { return }
            let l = r.launches("hourly")
            XCTAssertEqual(l.count, 24, version)
            for (k, x) in l.enumerated() {
                assertSameMillisecond(x.due, SimTime.zero + .hours(Int64(k)), "\(version) run \(k) due")
                XCTAssertGreaterThanOrEqual(x.launched, x.due, version)
                XCTAssertLessThanOrEqual(x.launched - x.due, Self.offerDelay, "\(version) run \(k) launched \(x.launched - x.due) after its time")
            }
            XCTAssertEqual(r.job("hourly").succeeded, 24, version)
            XCTAssertLessThanOrEqual(r.job("hourly").latenessMax, Self.offerDelay, version)
        }
    }

    func testDependentJobStartsAfterItsLastParentSucceeds() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"],
             "jobs": [{"name": "extract-a", "schedule": "R/2017-01-01T01:00:00Z/P1D"},
                      {"name": "extract-b", "schedule": "R/2017-01-01T01:00:00Z/P1D"},
                      {"name": "load", "parents": ["extract-a", "extract-b"]}],
             "behaviour": {"extract-a": {"runTime": "10m"}, "extract-b": {"runTime": "40m"}, "load": {"runTime": "5m"}}}
            """)
        guard let r = run(text) else { return }
        let aDone = r.times("chronos", "jobFinished", "extract-a"), bDone = r.times("chronos", "jobFinished", "extract-b")
        let load = r.launches("load")
        XCTAssertEqual(aDone.count, 1); XCTAssertEqual(bDone.count, 1)
        XCTAssertEqual(load.count, 1, "one run of the dependent per run of both parents")
        guard let a = aDone.first, let b = bDone.first, let l = load.first else { return }
        XCTAssertLessThan(a, b, "extract-a (10 min) finishes before extract-b (40 min)")
        XCTAssertGreaterThanOrEqual(l.launched, b, "load waits for its last parent")
        XCTAssertLessThanOrEqual(l.launched - b, Self.offerDelay)
        assertSameMillisecond(l.due, b, "the dependent is due when its last parent succeeded")
        XCTAssertEqual(r.job("load").succeeded, 1)
    }

    func testDependentOfAFailedParentDoesNotRun() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"], "flags": {"failure_retry": 1000},
             "jobs": [{"name": "a", "schedule": "R1/2017-01-01T01:00:00Z/P1D", "retries": 0},
                      {"name": "b", "parents": ["a"]}, {"name": "c", "parents": ["a"]}],
             "behaviour": {"a": {"failureProbability": 1}}}
            """)
        guard let r = run(text) else { return }
        XCTAssertEqual(r.job("a").failed, 1)
        XCTAssertEqual(r.launches("b").count, 0)
        XCTAssertEqual(r.launches("c").count, 0)
    }

    /// Chronos' hosts down 00:50-03:10: three hourly runs (01:00, 02:00, 03:00) pass while no leader
    /// scans. 2.x: at the new leader's load the stream is older than epsilon and moves to 04:00
    /// (JobUtils.makeScheduleStream -> skipForward): 3 runs skipped forward, none run late. 3.x: the
    /// overdue 01:00 runs at once and skipForward passes 02:00 and 03:00.
    func testOutageLongerThanEpsilonSkipsIn2xAndRunsOverdueIn3x() {
        for version in ["2.x", "3.x"] {
            let text = Self.scenario(chronos: """
                {"version": "\(version)", "hosts": ["chronos-01", "chronos-02"],
                 "jobs": [{"name": "hourly", "schedule": "R/2017-01-01T00:00:00Z/PT1H"\(version == "2.x" ? ", \"epsilon\": \"PT10M\"" : "")}],
                 "behaviour": {"hourly": {"runTime": "1m"}}}
                """, extra: """
                , "faults": [{"at": "50m", "kind": "hostCrash", "host": "chronos-01", "recoverAfter": "140m"},
                             {"at": "50m", "kind": "hostCrash", "host": "chronos-02", "recoverAfter": "140m"}]
                """)
            guard let r = run(text) else { return }
            let j = r.job("hourly")
            let l = r.launches("hourly")
            XCTAssertEqual(j.skipped, 0, "\(version): no JobSkipped: the scan never saw the missed runs")
            if version == "2.x" {
                XCTAssertEqual(j.skippedForward, 3, version)
                XCTAssertEqual(l.count, 21, version)
                XCTAssertFalse(l.contains { $0.due == SimTime.zero + .hours(1) }, "2.x never runs 01:00")
                XCTAssertLessThanOrEqual(j.latenessMax, Self.offerDelay, "2.x runs nothing late")
            } else {
                XCTAssertEqual(j.skippedForward, 2, version)
                XCTAssertEqual(l.count, 22, version)
                guard let late = l.first(where: { $0.due == SimTime.zero + .hours(1) }) else { return XCTFail("3.x runs the overdue 01:00") }
                XCTAssertGreaterThan(late.launched, SimTime.zero + .minutes(190), "run after the hosts are back at 03:10")
                XCTAssertLessThan(late.launched, SimTime.zero + .minutes(192))
                XCTAssertFalse(l.contains { $0.due == SimTime.zero + .hours(2) || $0.due == SimTime.zero + .hours(3) })
            }
            XCTAssertEqual(r.chronos.failovers.count, 1, version)
        }
    }

    /// 2.x `next`: with epsilon 0, a run due exactly when a scan looks is neither after now - 0 nor
    /// before now: it waits, and the next scan finds it before now - epsilon and skips it (JobSkipped).
    /// A job due every minute at the scans' own instants is skipped at every scan.
    func testEpsilonZeroSkipsRunsDueAtAScanAs2xCountsThem() {
        // The leader is ready (and scans) at a fixed offset from the start; find it, then schedule on it.
        let probe = Self.scenario(chronos: #"{"hosts": ["chronos-01"]}"#, duration: "2m")
        guard let p = run(probe), let ready = p.times("chronos", "leaderReady", "chronos1").first else { return XCTFail("no leader") }
        let ms = ready.nanoseconds / 1_000_000
        let start = String(format: "2017-01-01T00:00:%02d.%03dZ", ms / 1000, ms % 1000)
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"],
             "jobs": [{"name": "tick", "schedule": "R/\(start)/PT1M", "epsilon": "PT0S"},
                      {"name": "tock", "schedule": "R/\(start)/PT1M", "epsilon": "PT1S"}],
             "behaviour": {"default": {"runTime": "1s"}}}
            """, duration: "10m")
        guard let r = run(text) else { return }
        // scans at ready + k min, k = 0..9: the runs due at scans 0..8 are skipped at scans 1..9
        XCTAssertEqual(r.job("tick").skipped, 9)
        XCTAssertEqual(r.launches("tick").count, 0)
        // with epsilon 1 s the same runs are inside the window and run
        XCTAssertEqual(r.job("tock").skipped, 0)
        XCTAssertEqual(r.launches("tock").count, 10)
    }

    /// JobScheduler.handleFailedTask: attempts 0, 1, 2 (retries 2) `failure_retry` apart; then the
    /// error is counted. The next run fails with an error newer than the last success: no retry;
    /// its second error reaches disable_after_failures 2 and the job is disabled.
    func testRetriesAndDisableAfterFailures() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"], "flags": {"--failure_retry": 120000, "disable_after_failures": 2},
             "jobs": [{"name": "flaky", "schedule": "R/2017-01-01T00:00:00Z/PT1H", "retries": 2}],
             "behaviour": {"flaky": {"runTime": "1m", "failureProbability": 1}}}
            """, duration: "4h")
        guard let r = run(text) else { return }
        let j = r.job("flaky")
        let l = r.launches("flaky")
        XCTAssertEqual(l.map(\.attempt), [0, 1, 2, 0])
        XCTAssertEqual(j.failed, 4)
        XCTAssertEqual(j.retried, 2)
        XCTAssertTrue(j.disabled)
        guard l.count == 4 else { return }
        let fails = r.events.filter { $0.component == "mesos" && $0.event == "TASK_FAILED" }.map(\.time)
        XCTAssertEqual(fails.count, 4)
        // each retry is due failure_retry after the failure before it, and launched within the offer delay
        for k in 1...2 {
            assertSameMillisecond(l[k].due, fails[k - 1] + .seconds(120), "retry \(k) due")
            XCTAssertLessThanOrEqual(l[k].launched - l[k].due, Self.offerDelay)
        }
        assertSameMillisecond(l[3].due, SimTime.zero + .hours(1), "second run due")
        XCTAssertEqual(r.times("chronos", "jobDisabled", "flaky").count, 1)
        XCTAssertEqual(j.disabledAt, fails[3])
    }

    /// 2.x has no `concurrent`: a run due while the previous one still runs is dropped at the offer.
    /// 3.x with `concurrent: true` runs it beside the first.
    func testConcurrentRunsIn3xAndDroppedIn2x() {
        // 3.x without `concurrent`: the overdue run is queued again after every batch of offers and
        // dropped while the previous one runs; it launches when that one ends (at 50 min, then at 100 min).
        for (version, concurrent, expected) in [("2.x", false, 2), ("3.x", true, 4), ("3.x", false, 3)] {
            let text = Self.scenario(chronos: """
                {"version": "\(version)", "hosts": ["chronos-01"],
                 "jobs": [{"name": "long", "schedule": "R/2017-01-01T00:00:00Z/PT30M"\(version == "3.x" ? ", \"concurrent\": \(concurrent)" : "")}],
                 "behaviour": {"long": {"runTime": "50m"}}}
                """, duration: "119m")
            guard let r = run(text) else { return }
            XCTAssertEqual(r.launches("long").count, expected, "\(version) concurrent \(concurrent)")
            if !concurrent { XCTAssertGreaterThanOrEqual(r.job("long").dropped, 1, version) }
        }
    }

    /// Both frameworks in role "*": the allocator offers each agent to the one with the lower
    /// dominant share first. While Marathon deploys 20 instances Chronos' jobs still get offers.
    func testChronosSharesOffersWithMarathonUnderDRF() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"],
             "jobs": [{"name": "j1", "schedule": "R/2017-01-01T00:00:10Z/PT2M", "cpus": 1, "mem": 512},
                      {"name": "j2", "schedule": "R/2017-01-01T00:00:10Z/PT2M", "cpus": 1, "mem": 512}],
             "behaviour": {"default": {"runTime": "30s"}}}
            """, duration: "10m", extra: """
            , "marathon": {"apps": [{"id": "/web", "cmd": "serve", "cpus": 1, "mem": 1024, "instances": 20}]}
            """)
        guard let r = run(text) else { return }
        let marathonLaunched = r.events.filter { $0.component == "mesos" && $0.event == "TASK_STAGING" && $0.subject.hasPrefix("web") }.count
        XCTAssertEqual(marathonLaunched, 20, "Marathon places all 20 of its instances (24 cpus on the agents)")
        for j in ["j1", "j2"] {
            let l = r.launches(j)
            XCTAssertEqual(l.count, 5, j)
            for x in l { XCTAssertLessThanOrEqual(x.launched - x.due, Self.offerDelay, "\(j) due \(x.due)") }
        }
        let mesos = r.model.mesos!
        XCTAssertEqual(mesos.frameworkOrder().count, 2, "both frameworks are active in the allocator")
    }

    /// The leader's host crashes: the other instance's latch leads once the ensemble expires the
    /// leader's session (--zk_timeout 10 s, clamped by the ensemble), and the next runs are on time.
    func testLeaderFailover() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01", "chronos-02"],
             "jobs": [{"name": "hourly", "schedule": "R/2017-01-01T00:00:00Z/PT1H"}],
             "behaviour": {"default": {"runTime": "1m"}}}
            """, duration: "3h", extra: """
            , "faults": [{"at": "30m", "kind": "hostCrash", "host": "chronos-01"}]
            """)
        guard let r = run(text) else { return }
        XCTAssertEqual(r.times("chronos", "leaderReady", "chronos1@chronos-01").count, 1)
        let second = r.times("chronos", "leaderReady", "chronos2@chronos-02")
        XCTAssertEqual(second.count, 1)
        if let t = second.first {
            XCTAssertGreaterThan(t, SimTime.zero + .minutes(30) + .seconds(10), "not before the session expires")
            XCTAssertLessThan(t, SimTime.zero + .minutes(31))
        }
        XCTAssertEqual(r.chronos.failovers.count, 1)
        XCTAssertEqual(r.chronos.leaderName, "chronos2@chronos-02")
        let l = r.launches("hourly")
        XCTAssertEqual(l.count, 3)
        for x in l { XCTAssertLessThanOrEqual(x.launched - x.due, Self.offerDelay) }
    }

    func testSameScenarioAndSeedGiveTheSameRuns() {
        let text = Self.scenario(chronos: """
            {"hosts": ["chronos-01"], "jobs": [{"name": "j", "schedule": "R/2017-01-01T00:00:00Z/PT10M"}],
             "behaviour": {"j": {"runTime": {"exponential": {"mean": "3m"}}, "failureProbability": 0.3}}}
            """, duration: "6h")
        guard let a = run(text), let b = run(text) else { return }
        XCTAssertEqual(a.events.map { "\($0.time) \($0.event) \($0.subject)" }, b.events.map { "\($0.time) \($0.event) \($0.subject)" })
        XCTAssertGreaterThan(a.job("j").failed, 0)
    }

    /// marathon-lb follows Marathon's event stream, which carries Marathon's tasks only: Chronos'
    /// task updates do not make it regenerate (the Mesos signal carries every framework's tasks).
    func testChronosTasksDoNotTriggerMarathonLB() {
        func regenerations(_ jobs: String) -> Int? {
            let text = MarathonLBTests.scenario(duration: "12m").replacingOccurrences(of: "\"marathonLB\": ", with: """
                "chronos": {"hosts": ["master-01"], "jobs": \(jobs), "behaviour": {"default": {"runTime": "20s"}}}, "marathonLB": 
                """)
            guard let r = run(text) else { return nil }
            return r.model.subsystem(MarathonLB.self)?.totalRegenerations
        }
        let none = regenerations("[]")
        let busy = regenerations(#"[{"name": "tick", "schedule": "R/2017-01-01T00:07:00Z/PT30S", "cpus": 0.1, "mem": 32}]"#)
        XCTAssertNotNil(none)
        XCTAssertEqual(busy, none, "10 Chronos runs from 7 min on change nothing marathon-lb sees")
    }
    // MARK: - 3.x loop, maxCompletionTime, reconciliation, offers while idle

    /// Times of Mesos status rows (`TASK_RUNNING`, `TASK_FINISHED` ...) of `job`'s tasks.
    func statusTimes(_ r: Run, _ state: String, _ job: String) -> [SimTime] {
        r.events.filter { $0.component == "mesos" && $0.event == state && $0.subject.hasSuffix(":" + job) }.map(\.time)
    }

    /// 3.x @c1348ddfd80e: the loop wakes after every batch of offers (launchTasks ->
    /// notifyCondition) and queues the overdue job again; TaskManager.enqueue ignores it while it
    /// waits. So a run due while the previous one still runs launches at the first batch after
    /// that one ends (within the offer delay), and each late occurrence is dropped (counted) once.
    func testOverdueRunLaunchesAtTheFirstOfferAfterThePreviousRunEnds3x() {
        let text = Self.scenario(chronos: """
            {"version": "3.x", "hosts": ["chronos-01"],
             "jobs": [{"name": "long", "schedule": "R/2017-01-01T00:00:00Z/PT30M"}],
             "behaviour": {"long": {"runTime": "50m"}}}
            """, duration: "119m")
        guard let r = run(text) else { return }
        let l = r.launches("long")
        let ends = statusTimes(r, "TASK_FINISHED", "long")
        XCTAssertEqual(l.count, 3)
        XCTAssertEqual(ends.count, 2)
        for (k, end) in ends.enumerated() where k + 1 < l.count {
            XCTAssertGreaterThanOrEqual(l[k + 1].launched, end)
            XCTAssertLessThanOrEqual(l[k + 1].launched - end, Self.offerDelay, "run \(k + 1) launches at the first batch after run \(k) ended at \(end)")
        }
        XCTAssertEqual(l.map { $0.due }, [SimTime.zero, .zero + .minutes(30), .zero + .minutes(60)], "the late occurrences keep their due time")
        XCTAssertEqual(r.job("long").dropped, 2, "00:30 and 01:00, each dropped while the previous run ran, counted once")
        XCTAssertEqual(r.job("long").due, 3)
        XCTAssertEqual(r.job("long").skippedForward, 1, "the launch at ~01:40 moves the schedule past 01:30 to 02:00")
    }

    /// 3.x: a retry waiting for `--failure_retry` does not hold back the job's next occurrence
    /// (only the queue counts, TaskManager.queuedJobs), and the retry that comes due while that
    /// run runs is dropped at the offer.
    func testNextOccurrenceRunsWhileARetryWaits3x() {
        let text = Self.scenario(chronos: """
            {"version": "3.x", "hosts": ["chronos-01"],
             "jobs": [{"name": "flaky", "schedule": "R/2017-01-01T00:00:00Z/PT5M"}],
             "behaviour": {"flaky": {"runTime": "4m30s", "failureProbability": 1}}}
            """, duration: "9m")
        guard let r = run(text) else { return }
        let l = r.launches("flaky")
        XCTAssertEqual(l.map { $0.attempt }, [0, 0], "the 00:00 run and the 00:05 run; the 00:00 run's retry is dropped")
        if l.count == 2 {
            XCTAssertEqual(l[1].due, .zero + .minutes(5))
            XCTAssertLessThanOrEqual(l[1].launched - l[1].due, Self.offerDelay, "the 00:05 run is on time")
        }
        XCTAssertEqual(r.job("flaky").retried, 1)
        XCTAssertEqual(r.job("flaky").dropped, 1, "the retry, due at ~00:05:36 while the 00:05 run runs")
    }

    /// `maxCompletionTime` (3.x, seconds): MesosTaskBuilder@c1348ddfd80e sets
    /// TaskInfo.max_completion_time; the executor kills a run still going then (TASK_FAILED), and
    /// Chronos retries it as any failure. A run that ends sooner succeeds.
    func testMaxCompletionTimeKillsALongRunAndChronosRetriesIt() {
        let text = Self.scenario(chronos: """
            {"version": "3.x", "hosts": ["chronos-01"],
             "jobs": [{"name": "slow", "schedule": "R1/2017-01-01T00:00:00Z/PT24H", "maxCompletionTime": 300, "retries": 1},
                      {"name": "quick", "schedule": "R1/2017-01-01T00:00:00Z/PT24H", "maxCompletionTime": 300}],
             "behaviour": {"slow": {"runTime": "10m"}, "quick": {"runTime": "4m"}}}
            """, duration: "30m", mesosVersion: "1.6")
        guard let r = run(text) else { return }
        let running = statusTimes(r, "TASK_RUNNING", "slow"), failed = statusTimes(r, "TASK_FAILED", "slow")
        XCTAssertEqual(running.count, 2, "the run and its retry")
        XCTAssertEqual(failed.count, 2)
        for (a, b) in zip(running, failed) { XCTAssertEqual(b - a, .seconds(300), "killed 300 s after its container started") }
        let slow = r.job("slow"), quick = r.job("quick")
        XCTAssertEqual([slow.retried, slow.failed, slow.succeeded], [1, 2, 0], "slow: retried once, both attempts killed")
        XCTAssertEqual([quick.succeeded, quick.failed], [1, 0], "quick ends before the limit")
    }

    /// MesosJobFramework.reconcile (--reconciliation_interval 600 s, first 1200 s after the process
    /// started): after a master failover, the agent of a running task never re-registers; the new
    /// master sends nothing about the task. Chronos learns it at the first reconciliation after
    /// the master marked the agent unreachable (TASK_LOST for a framework that is not
    /// PARTITION_AWARE) and retries the run. Without reconciliation the job would run forever.
    func testReconciliationTurnsATaskOfAVanishedAgentIntoAFailure() {
        let text = Self.scenario(chronos: """
            {"version": "3.x", "hosts": ["chronos-01"],
             "jobs": [{"name": "batch", "schedule": "R1/2017-01-01T00:00:00Z/PT24H", "constraints": [["hostname", "EQUALS", "slave-01"]]}],
             "behaviour": {"batch": {"runTime": "2h"}}}
            """, duration: "45m", extra: """
            , "faults": [{"at": "10m", "kind": "hostCrash", "host": "slave-01"},
                         {"at": "10m", "kind": "masterCrash", "master": "leader"}]
            """)
        guard let r = run(text) else { return }
        let unreachable = r.times("mesos", "agentUnreachable", "slave-01")
        XCTAssertEqual(unreachable.count, 1)
        let retries = r.times("chronos", "jobRetry", "batch")
        XCTAssertEqual(retries.count, 1, "the lost task is retried once")
        XCTAssertEqual(r.job("batch").failed, 1)
        if let u = unreachable.first, let t = retries.first {
            XCTAssertGreaterThan(u, .zero + .minutes(20), "agent_reregister_timeout after the new master")
            XCTAssertGreaterThan(t, .zero + .minutes(30), "the reconciliation at ~20 min finds the agent still expected; the next, after 30 min, finds it gone")
            XCTAssertLessThan(t, .zero + .minutes(30) + Self.offerDelay + .seconds(2), "the first batch of offers after 30 min, then the answer")
        }
        XCTAssertEqual(r.chronos.reconciliations, 3, "after 20, 30 and 40 min")
    }

    /// Reconciliation rides on the offer and status callbacks (no timer), and with no task running
    /// its implicit request has nothing to answer: an idle Chronos that reconciles every minute
    /// processes exactly as many events as one that never does.
    func testIdleReconciliationCostsNoEvents() {
        func run(interval: String) -> (events: UInt64, reconciliations: Int)? {
            let text = Self.scenario(chronos: """
                {"version": "3.x", "hosts": ["chronos-01"], "flags": {"reconciliation_interval": \(interval)},
                 "jobs": [{"name": "later", "schedule": "R/2017-01-01T05:00:00Z/PT1H"}]}
                """, duration: "2h")
            guard let r = self.run(text) else { return nil }
            return (r.model.sim.eventsProcessed, r.chronos.reconciliations)
        }
        guard let often = run(interval: "60"), let never = run(interval: "1000000") else { return }
        XCTAssertGreaterThan(often.reconciliations, 100, "every minute from 2 min on")
        XCTAssertEqual(never.reconciliations, 0)
        XCTAssertEqual(often.events, never.events, "reconciling with no task running costs no event")
    }

    /// Chronos (2.5.1 and 3.0) declines every offer with the same filter while nothing is queued
    /// and never suppresses: fidelity.offers `fast` may decline for it without making the offer.
    func testIdleChronosTellsTheAllocatorItDeclinesEveryOffer() {
        for (flags, refuse) in [("{}", 5.0), (#"{"decline_offer_duration": 120000}"#, 120.0)] {
            let text = Self.scenario(chronos: """
                {"version": "3.x", "hosts": ["chronos-01"], "flags": \(flags),
                 "jobs": [{"name": "later", "schedule": "R/2017-01-01T05:00:00Z/PT1H"}]}
                """, duration: "2m")
            guard let r = run(text) else { return }
            let free = Resources(cpus: Scalar(8.0), memMB: Scalar(32768.0), diskMB: Scalar(500_000.0))
            XCTAssertEqual(r.chronos.offerOutlook(host: 0, resources: free), .allDeclined(refuseSeconds: refuse))
            r.chronos.enqueue(.init(job: 0, due: r.model.sim.now, attempt: 0))
            XCTAssertEqual(r.chronos.offerOutlook(host: 0, resources: free), .wantedInBatch, "with a task queued the offer is made")
        }
    }
}
