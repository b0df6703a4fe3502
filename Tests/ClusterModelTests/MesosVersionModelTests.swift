import XCTest
@testable import ClusterModel
import SimKernel

/// What `mesos.version` switches in the model (MesosVersion.swift; docs/mesos.md "What the version
/// switches"), each at the versions either side of the change.
final class MesosVersionModelTests: XCTestCase, MesosTestHelpers {

    func spec(_ v: MesosVersion, workDir: WorkDirSpec? = nil) -> MesosSpec {
        var s = MesosSpec()
        s.version = v
        s.workDir = workDir
        return s
    }

    /// One framework launching, at its first offer, `tasks` once on one agent; the run's updates.
    func launchOnce(_ version: MesosVersion, workDir: WorkDirSpec? = nil, duration: SimDuration = .minutes(3),
                    _ tasks: @escaping () -> [TaskLaunch]) -> (TestFramework, MemoryObserver) {
        let (m, o, script) = cluster(agents: 1, duration: duration, mesos: spec(version, workDir: workDir))
        var f: TestFramework!
        script.at(.zero) {
            f = self.addFramework(m, "f")
            f.refuseSeconds = 3600
            var launchedOnce = false
            f.policy = { _ in
                guard !launchedOnce else { return [] }
                launchedOnce = true
                return tasks()
            }
        }
        m.run()
        return (f, o)
    }

    func versions() {
        XCTAssertEqual(MesosVersion(parsing: "1.4"), MesosVersion(1, 4, 0))
        XCTAssertEqual(MesosVersion(parsing: "1.11.0"), MesosVersion(1, 11, 0))
        XCTAssertNil(MesosVersion(parsing: "1"))
        XCTAssertNil(MesosVersion(parsing: "1.4.x"))
    }

    func testVersionParsingAndRange() {
        versions()
        XCTAssertEqual(MesosVersion.baseline, MesosVersion(1, 4, 0))
        XCTAssertTrue(MesosVersion(1, 1, 0).isSupported)
        XCTAssertTrue(MesosVersion(1, 11, 9).isSupported)
        XCTAssertFalse(MesosVersion(1, 0, 4).isSupported)
        XCTAssertFalse(MesosVersion(1, 12, 0).isSupported)
        XCTAssertFalse(MesosVersion(2, 0, 0).isSupported)
    }

    // MARK: TASK_STARTING

    /// The built-in executors send TASK_STARTING from 1.5.0 (de11f0ffe), once they have the task:
    /// after the pull, before the container runs. A 1.4 task goes from TASK_STAGING to TASK_RUNNING;
    /// the pull and the container start are the same either way.
    func testTaskStartingIsSentFrom15() {
        var running: [SimTime] = []
        for (v, expected) in [(MesosVersion(1, 4, 0), [TaskState.staging, .running]),
                              (MesosVersion(1, 5, 0), [.staging, .starting, .running]),
                              (MesosVersion(1, 11, 0), [.staging, .starting, .running])] {
            let (f, o) = launchOnce(v) { [self.task("a", image: ImageRef(name: "app:1", sizeBytes: 200_000_000))] }
            XCTAssertEqual(f.states(f.launched[0]), expected, "\(v)")
            XCTAssertEqual(events(o, "TASK_STARTING").count, expected.count - 2, "\(v)")
            let pulled = try? XCTUnwrap(events(o, "imagePulled").first).time
            if v.executorsSendStarting { XCTAssertEqual(f.time(f.launched[0], .starting), pulled, "\(v)") }
            running.append(f.time(f.launched[0], .running) ?? .zero)
        }
        XCTAssertEqual(Set(running).count, 1, "the same launch times in every version: \(running)")
    }

    /// An agent that was unreachable reports its tasks when it re-registers (REASON_SLAVE_REREGISTERED);
    /// a container still starting is TASK_STAGING to a 1.4 agent (no TASK_STARTING before 1.5).
    func testAReregisteringAgentReportsAStartingTaskAsStagingBefore15() {
        for (v, reported) in [(MesosVersion(1, 4, 0), TaskState.staging), (MesosVersion(1, 5, 0), .starting)] {
            var s = spec(v)
            s.containerStartTime = .constant(300)
            let (m, _, script) = cluster(agents: 1, duration: .minutes(8), mesos: s)
            var f: TestFramework!
            script.at(.zero) {
                f = self.addFramework(m, "f")
                f.refuseSeconds = 3600
                var once = false
                f.policy = { _ in defer { once = true }; return once ? [] : [self.task("t")] }
            }
            script.at(.seconds(20)) { m.mesos!.partition(host: self.hostIndex(m, "slave-01"), healAfter: .seconds(120)) }
            m.run()
            let back = f.updates.filter { $0.update.reason == .agentReregistered }
            XCTAssertEqual(back.map(\.update.state), [reported], "\(v)")
            XCTAssertEqual(f.states(f.launched[0]).last, .running, "\(v)")
        }
    }

    // MARK: task ids

    /// Before 1.2.1 the master takes an id of 256 characters; the agent's mkdir of the sandbox fails
    /// (ENAMETOOLONG) and the agent aborts. The task was not checkpointed: the restarted agent does
    /// not know it, and the master's reconciliation at its re-registration ends it (TASK_LOST in
    /// 1.1.x, TASK_DROPPED to a partition-aware framework from 1.2.0), REASON_RECONCILIATION. A
    /// task behind it in the same ACCEPT never reached the agent: reconciled away the same way.
    /// From 1.2.1 the master refuses the id: TASK_ERROR, and the agent lives.
    func testALongIdAbortsTheAgentBefore121AndIsRefusedFrom121() throws {
        func run(_ v: MesosVersion) -> (TestFramework, MemoryObserver) {
            launchOnce(v) {
                var long = self.task("long", cpus: 1); long.idLength = 256
                var next = self.task("next", cpus: 1); next.idLength = 10
                return [long, next]
            }
        }
        for (v, lost) in [(MesosVersion(1, 1, 3), TaskState.lost), (MesosVersion(1, 2, 0), TaskState.dropped)] {
            let (f, o) = run(v)
            XCTAssertEqual(f.launched.count, 2, "\(v)")
            guard f.launched.count == 2 else { continue }
            let (long, next) = (f.launched[0], f.launched[1])
            XCTAssertEqual(f.states(long), [.staging, lost], "\(v)")
            XCTAssertEqual(f.states(next), [.staging, lost], "\(v)")
            let u = try XCTUnwrap(f.updates.first { $0.update.task == long && $0.update.state == lost }, "\(v)")
            XCTAssertEqual(u.update.reason, .reconciliation, "\(v)")
            XCTAssertEqual(u.update.message, "Reconciliation: task unknown to the agent", "\(v)")
            XCTAssertEqual(f.updates.first { $0.update.task == next && $0.update.state == lost }?.update.reason, .reconciliation,
                           "\(v): the launch behind the abort was lost with the agent, not refused as to a disconnected agent")
            let aborted = events(o, "agentAborted", "slave-01")
            XCTAssertEqual(aborted.count, 1, "\(v)")
            guard aborted.count == 1 else { continue }
            XCTAssertTrue(aborted[0].detail.hasPrefix("long: CHECK_SOME(mkdir): File name too long Failed to create executor directory '/var/lib/mesos/slaves/"), aborted[0].detail)
            let stopped = events(o, "agentStopped", "slave-01")
            XCTAssertEqual(stopped.map(\.time), [aborted[0].time], "\(v): the agent process exits")
            XCTAssertTrue(stopped.first?.detail.hasPrefix("agent aborted: CHECK_SOME(mkdir)") ?? false, "\(stopped)")
            // the supervisor restarts it after mesos.agents.restartDelay (10 s), and it re-registers
            let started = events(o, "agentStarted", "slave-01")
            XCTAssertEqual(started.last?.time, aborted[0].time + .seconds(10), "\(v)")
            XCTAssertGreaterThan(u.time, try XCTUnwrap(started.last).time, "\(v): ended when the agent re-registers")
            XCTAssertTrue(events(o, "TASK_ERROR").isEmpty, "\(v)")
        }
        let (f, o) = run(MesosVersion(1, 2, 1))
        XCTAssertEqual(f.states(f.launched[0]), [.error])
        XCTAssertEqual(f.states(f.launched[1]), [.staging, .running])
        XCTAssertTrue(events(o, "agentAborted").isEmpty)
        XCTAssertTrue(events(o, "agentStopped").isEmpty)
    }

    // MARK: sandbox creation on a full work_dir

    /// Up to 1.5.x a sandbox that cannot be created aborts the agent (CHECK_SOME(mkdir) in
    /// paths::createExecutorDirectory): its running tasks survive (checkpointed, recovered), the
    /// launch ends TASK_DROPPED, REASON_RECONCILIATION after the restart. From 1.6.0 the task is
    /// dropped at once, REASON_EXECUTOR_TERMINATED, and the agent keeps running.
    func testAFullWorkDirAbortsTheAgentIn15AndDropsTheTaskIn16() throws {
        let full = WorkDirSpec(capacityBytes: 1 << 30, usedBytes: (1 << 30) - 1000)
        let (f15, o15) = launchOnce(MesosVersion(1, 5, 3), workDir: full) { [self.task("t")] }
        let t15 = f15.launched[0]
        XCTAssertEqual(f15.states(t15), [.staging, .dropped])
        let u15 = try XCTUnwrap(f15.updates.first { $0.update.task == t15 && $0.update.state == .dropped })
        XCTAssertEqual(u15.update.reason, .reconciliation)
        let aborted = events(o15, "agentAborted", "slave-01")
        XCTAssertEqual(aborted.count, 1)
        guard let abort = aborted.first else { return }
        XCTAssertTrue(abort.detail.hasPrefix("t: CHECK_SOME(mkdir): No space left on device Failed to create executor directory '"), abort.detail)
        XCTAssertEqual(events(o15, "agentStopped", "slave-01").count, 1)
        XCTAssertGreaterThan(u15.time, abort.time + .seconds(10))

        let (f16, o16) = launchOnce(MesosVersion(1, 6, 0), workDir: full) { [self.task("t")] }
        let t16 = f16.launched[0]
        XCTAssertEqual(f16.states(t16), [.staging, .dropped])
        let u16 = try XCTUnwrap(f16.updates.first { $0.update.task == t16 && $0.update.state == .dropped })
        XCTAssertEqual(u16.update.reason, .executorTerminated)
        XCTAssertTrue(u16.update.message.hasPrefix("Failed to create executor directory '"), u16.update.message)
        XCTAssertTrue(events(o16, "agentAborted").isEmpty)
        XCTAssertTrue(events(o16, "agentStopped").isEmpty)
    }

    /// A task already running on the agent when it aborts keeps running (the framework
    /// checkpoints; the restarted agent recovers it), as in any agent process crash.
    func testTheAbortKeepsTheAgentsRunningTasks() {
        let (m, o, script) = cluster(agents: 1, duration: .minutes(5),
                                     mesos: spec(MesosVersion(1, 4, 0), workDir: WorkDirSpec(capacityBytes: 1 << 30, usedBytes: 0)))
        var f: TestFramework!
        var n = 0
        script.at(.zero) {
            f = self.addFramework(m, "f")
            f.refuseSeconds = 1
            f.policy = { _ in
                n += 1
                if n == 1 { return [self.task("first")] }
                if n == 2 { var l = self.task("long"); l.idLength = 300; return [l] }
                return []
            }
        }
        m.run()
        // 1.4 refuses the long id at the master: no abort
        XCTAssertTrue(events(o, "agentAborted").isEmpty)
        XCTAssertEqual(f.states(f.launched[1]), [.error])

        let (m2, o2, script2) = cluster(agents: 1, duration: .minutes(5),
                                        mesos: spec(MesosVersion(1, 2, 0), workDir: WorkDirSpec(capacityBytes: 1 << 30, usedBytes: 0)))
        var g: TestFramework!
        var k = 0
        var armed = false
        script2.at(.zero) {
            g = self.addFramework(m2, "f")
            g.refuseSeconds = 1
            g.policy = { _ in
                if k == 0 { k = 1; return [self.task("first")] }
                if k == 1 && armed { k = 2; var l = self.task("long"); l.idLength = 300; return [l] }
                return []
            }
        }
        script2.at(.seconds(30)) { armed = true }   // "first" runs by then
        m2.run()
        XCTAssertEqual(events(o2, "agentAborted").count, 1)
        let first = g.launched[0]
        XCTAssertEqual(g.states(first).filter { $0.isTerminal }, [], "the running task survives the abort")
        XCTAssertEqual(m2.mesos!.task(first)?.state, .running)
        XCTAssertEqual(g.states(g.launched[1]), [.staging, .dropped])
    }

    // MARK: TASK_DROPPED vs TASK_LOST

    /// An agent process that dies closes its socket: the master disconnects it and rescinds its
    /// offers (master.cpp `exited` -> `disconnect` -> `deactivate`), so a launch on the offer the
    /// framework still holds is refused as an invalid offer (nil: TASK_DROPPED at the framework) in
    /// every version; the `_accept` "agent disconnected" answer (TASK_LOST in 1.1.x, TASK_DROPPED to a
    /// partition-aware framework from 1.2.0) needs an authorization gap the model does not have.
    func testALaunchOnTheOfferOfACrashedAgentIsRefused() {
        for v in [MesosVersion(1, 1, 0), MesosVersion(1, 2, 0)] {
            let (m, _, script) = cluster(agents: 1, duration: .minutes(2), mesos: spec(v))
            var f: TestFramework!
            var answer: [TaskID]? = [-1]
            script.at(.zero) { f = self.addFramework(m, "f"); f.hold = true }
            script.at(.seconds(30)) {
                m.mesos!.crashAgent(host: self.hostIndex(m, "slave-01"), restartAfter: .minutes(10))
                answer = f.driver.launch(offer: f.offers.last!.offer.id, tasks: [self.task("t")], refuseSeconds: 5)
            }
            m.run()
            XCTAssertNil(answer, "\(v)")
            XCTAssertEqual(f.rescinded, [f.offers[0].offer.id], "\(v): rescinded at the crash (the notice comes after)")
            XCTAssertTrue(f.updates.isEmpty, "\(v)")
        }
    }
}
