import XCTest
@testable import ClusterModel
import SimKernel

/// docs/defaults-audit.md: `--task_launch_timeout` and `--task_launch_confirm_timeout` act through
/// Marathon's OverdueTasksActor (OverdueInstancesActor from 1.5.x), which the leader runs every 5 s
/// from 30 s after it starts; it kills a task staged more than its timeout ago (strictly). Up to
/// 1.7 a TASK_STARTING task has the confirm timeout, from 1.8 the launch timeout.
final class MarathonOverdueTests: XCTestCase {
    /// One instance whose image pull (`pull` seconds at 100 MB/s) and container start (`start`
    /// seconds) are fixed; the kill of its first launch and where the overdue grid lies.
    func overdueKill(version: MarathonVersion, pull: Double, start: Double, confirm: SimDuration? = nil, mesosVersion: MesosVersion = .baseline)
        -> (staged: SimTime, killed: SimTime, leaderReady: SimTime, detail: String)? {
        var flags = MarathonFlags(version: version)
        if let confirm { flags.taskLaunchConfirmTimeout = confirm }
        var app = MarathonRuntimeTests.app("/slow", instances: 1, version: version)
        app.container = AppContainer(type: .docker, image: "r.test/slow:1")   // an image to pull (a plain cmd app pulls nothing)
        let beh = AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: Int64(pull * 100_000_000))
        var mesos = MesosSpec()
        mesos.version = mesosVersion
        mesos.containerStartTime = .constant(start)
        mesos.agentFlags.executorRegistrationTimeout = .hours(1)   // the pull must not end it first
        let spec = ClusterSpec(name: "t", seed: 3, duration: .minutes(20), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: 2, agentCpus: 8),
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: mesos,
                               marathon: MarathonSpec(version: version, flags: flags, apps: [app], behaviour: [beh]))
        let observer = MemoryObserver()
        let model = ClusterSimulation(spec: spec, observer: observer)
        XCTAssertTrue(model.run { false })
        let ev = observer.events
        guard let ready = ev.first(where: { $0.component == "marathon" && $0.event == "leaderReady" }),
              let kill = ev.first(where: { $0.event == "launchTimeout" }),
              let staged = ev.last(where: { $0.event == "TASK_STAGING" && $0.subject == kill.subject && $0.time <= kill.time }) else { return nil }
        return (staged.time, kill.time, ready.time, kill.detail)
    }

    func assertOnTheOverdueGrid(_ r: (staged: SimTime, killed: SimTime, leaderReady: SimTime, detail: String), timeout: SimDuration,
                                file: StaticString = #filePath, line: UInt = #line) {
        let age = r.killed - r.staged
        XCTAssertGreaterThan(age, timeout, "killed \(age) after staging", file: file, line: line)
        XCTAssertLessThanOrEqual(age, timeout + .seconds(5), "killed \(age) after staging", file: file, line: line)
        let sinceFirst = (r.killed - (r.leaderReady + .seconds(30))).nanoseconds
        XCTAssertGreaterThanOrEqual(sinceFirst, 0, file: file, line: line)
        XCTAssertEqual(sinceFirst % SimDuration.seconds(5).nanoseconds, 0, "kill at \(r.killed), leader ready at \(r.leaderReady)",
                       file: file, line: line)
    }

    /// A 1,000 s image pull keeps the task in TASK_STAGING: the kill comes at the first check
    /// after 300 s, not at 300 s exactly.
    func testAStagingTaskIsKilledAtTheFirstOverdueCheckAfterTheLaunchTimeout() throws {
        for version in [MarathonVersion(1, 4, 0), MarathonVersion(1, 10, 5)] {
            let r = try XCTUnwrap(overdueKill(version: version, pull: 1000, start: 1), "\(version)")
            assertOnTheOverdueGrid(r, timeout: .seconds(300))
            XCTAssertTrue(r.detail.contains("TASK_STAGING") && r.detail.contains("task_launch_timeout"), r.detail)
        }
    }

    /// A task that stays TASK_STARTING (a 400 s container start under Mesos 1.5, whose executors
    /// send it): with a 60 s confirm timeout 1.4 kills it at the first check after 60 s; 1.10
    /// waits for the 300 s launch timeout. Under Mesos 1.4 no TASK_STARTING comes: the task is
    /// TASK_STAGING to Marathon until it runs, so even Marathon 1.4 waits for the launch timeout.
    func testAStartingTaskHasTheConfirmTimeoutUpTo17AndTheLaunchTimeoutFrom18() throws {
        let mesos15 = MesosVersion(1, 5, 0)
        let old = try XCTUnwrap(overdueKill(version: MarathonVersion(1, 4, 9), pull: 1, start: 400, confirm: .seconds(60), mesosVersion: mesos15))
        assertOnTheOverdueGrid(old, timeout: .seconds(60))
        XCTAssertTrue(old.detail.contains("TASK_STARTING") && old.detail.contains("task_launch_confirm_timeout"), old.detail)
        let new = try XCTUnwrap(overdueKill(version: MarathonVersion(1, 10, 5), pull: 1, start: 400, confirm: .seconds(60), mesosVersion: mesos15))
        assertOnTheOverdueGrid(new, timeout: .seconds(300))
        XCTAssertTrue(new.detail.contains("TASK_STARTING") && new.detail.contains("task_launch_timeout"), new.detail)
        let mesos14 = try XCTUnwrap(overdueKill(version: MarathonVersion(1, 4, 9), pull: 1, start: 400, confirm: .seconds(60)))
        assertOnTheOverdueGrid(mesos14, timeout: .seconds(300))
        XCTAssertTrue(mesos14.detail.contains("TASK_STAGING") && mesos14.detail.contains("task_launch_timeout"), mesos14.detail)
    }
}
