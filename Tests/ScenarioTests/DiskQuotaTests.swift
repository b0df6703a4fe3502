import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `enforce_container_disk_quota` with the disk/du isolator: the agent's `du` rounds, one sandbox
/// every container_disk_watch_interval in turn, kill a Mesos-containerizer task whose sandbox is
/// over its `disk` (docs/mesos.md "Disk quota"; apache/mesos 1.4.0 isolators/posix/disk.cpp).
final class DiskQuotaTests: XCTestCase {
    static let quotaFlags = #""enforce_container_disk_quota": true, "isolation": "posix/cpu,posix/mem,disk/du""#
    static let chatty = #"{"id": "/chatty", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64, "disk": 10}"#
    static let chattyDocker = #"{"id": "/chatty", "instances": 1, "cpus": 0.1, "mem": 64, "disk": 10, "container": {"type": "DOCKER", "docker": {"image": "chatty:1"}}}"#
    static let writes = #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "100kB/s", "to": "sandbox"}}}"#

    func run(flags: String = quotaFlags, apps: String = chatty, behaviour: String = writes, duration: String = "30m") throws
        -> (MemoryObserver, MesosCluster) {
        let text = SandboxGCTests.scenario(workDir: #"{"capacity": "100GB"}"#, flags: flags, behaviour: behaviour, apps: apps, duration: duration)
        let spec = try XCTUnwrap(loadOK(text)).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (o, try XCTUnwrap(m.subsystem(MesosCluster.self)))
    }

    /// The first task's container start and the instant its sandbox (4 KiB, then 100 kB/s) goes
    /// over 10 MiB.
    func crossing(_ o: MemoryObserver) throws -> (start: Double, over: Double) {
        let start = try XCTUnwrap(o.events.first { $0.event == "TASK_RUNNING" && $0.subject.contains("chatty") }).time.seconds
        return (start, start + (10 * 1048576 - 4096) / 1e5)
    }

    /// One watched container: a `du` of it at every tick (agent start + k * 15s); the task is
    /// killed at the first tick at or after its sandbox passes 10 MiB, TASK_FAILED with
    /// REASON_CONTAINER_LIMITATION_DISK, and Marathon launches a replacement after its back-off.
    func testMesosTaskKilledAtTheFirstDuRoundAfterItsSandboxPassesItsDisk() throws {
        let (o, mesos) = try run()
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        let (_, over) = try crossing(o)
        let origin = w.watchOrigin.seconds
        let expected = origin + ((over - origin) / 15).rounded(.up) * 15
        let failed = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject.contains("chatty") })
        XCTAssertEqual(failed.time.seconds, expected, accuracy: 1e-6)
        XCTAssertGreaterThan(failed.time.seconds, over)
        XCTAssertTrue(failed.detail.contains("REASON_CONTAINER_LIMITATION_DISK"), failed.detail)
        let limited = try XCTUnwrap(o.events.first { $0.event == "containerLimitationDisk" })
        XCTAssertEqual(limited.time, failed.time)
        // Marathon handles it as a failure: a new instance, launched after the back-off
        let next = try XCTUnwrap(o.events.first { $0.event == "TASK_STAGING" && $0.time > failed.time })
        XCTAssertGreaterThanOrEqual(next.time.seconds - failed.time.seconds, 1, "backoffSeconds 1")
        XCTAssertGreaterThan(w.diskLimitations, 1, "the replacement fills its sandbox and is killed too")
    }

    /// The message is the isolator's, the sizes as stout prints Bytes: du -k's 1 KiB blocks of the
    /// sandbox at the round, the quota in MB.
    func testLimitationMessageAndReason() throws {
        let (o, mesos) = try run()
        let (start, _) = try crossing(o)
        let limited = try XCTUnwrap(o.events.first { $0.event == "containerLimitationDisk" })
        let kb = Int(((4096 + (limited.time.seconds - start) * 1e5) / 1024).rounded(.up))
        XCTAssertTrue(limited.detail.hasSuffix("Disk usage (\(kb)KB) exceeds quota (10MB)"), limited.detail)
        XCTAssertGreaterThan(kb, 10240)
        _ = mesos
    }

    /// Two watched containers on one agent take turns: each `du` is one tick, so the chatty task
    /// is measured every other tick. Checked against the collector run tick by tick (a FIFO queue,
    /// a container queued when it starts and again after each of its `du`s).
    func testContainersTakeTurnsInTheDuQueue() throws {
        let quiet = #"{"id": "/quiet", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64, "disk": 10}"#
        let (o, mesos) = try run(apps: quiet + ", " + Self.chatty)
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        let (chattyStart, over) = try crossing(o)
        let quietStart = try XCTUnwrap(o.events.first { $0.event == "TASK_RUNNING" && $0.subject.contains("quiet") }).time.seconds
        var joins = [(quietStart, "quiet"), (chattyStart, "chatty")].sorted { $0.0 < $1.0 }
        var queue: [String] = []
        var expected: Double? = nil
        for k in 0... {
            let tick = w.watchOrigin.seconds + Double(k) * 15
            while let j = joins.first, j.0 < tick { queue.append(j.1); joins.removeFirst() }
            guard !queue.isEmpty else { continue }
            let front = queue.removeFirst()
            if front == "chatty" && tick > over { expected = tick; break }
            queue.append(front)
        }
        let failed = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject.contains("chatty") })
        XCTAssertEqual(failed.time.seconds, try XCTUnwrap(expected), accuracy: 1e-6)
        // the test has power: a du of every container at every tick would kill one tick earlier
        let origin = w.watchOrigin.seconds
        XCTAssertEqual(try XCTUnwrap(expected) - (origin + ((over - origin) / 15).rounded(.up) * 15), 15, accuracy: 1e-6)
        XCTAssertFalse(o.events.contains { $0.event == "TASK_FAILED" && $0.subject.contains("quiet") })
    }

    /// The Docker containerizer has no isolators: the same app as DOCKER is never measured.
    func testDockerAppIsNotChecked() throws {
        let (o, mesos) = try run(apps: Self.chattyDocker)
        XCTAssertFalse(o.events.contains { $0.event == "TASK_FAILED" || $0.event == "containerLimitationDisk" })
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        w.advance(to: SimTime(nanoseconds: 1800 * 1_000_000_000))   // the sizes are fluid: brought to the end
        XCTAssertGreaterThan(try XCTUnwrap(w.sandboxes.first).bytes, 100 * 1048576.0, "its sandbox is far over its disk")
    }

    /// Without the flag, or without disk/du in `isolation` (no isolator to enforce it), nothing is killed.
    func testNoKillWithoutTheFlagOrTheIsolator() throws {
        for flags in [#""isolation": "posix/cpu,posix/mem,disk/du""#, #""enforce_container_disk_quota": true"#] {
            let (o, _) = try run(flags: flags)
            XCTAssertFalse(o.events.contains { $0.event == "TASK_FAILED" || $0.event == "containerLimitationDisk" }, flags)
        }
        // the isolator's old name works as Mesos 1.4 still accepts it
        let (o, _) = try run(flags: #""enforce_container_disk_quota": true, "isolation": "posix/disk""#)
        XCTAssertTrue(o.events.contains { $0.event == "containerLimitationDisk" })
    }

    /// Mesos refuses both names of the isolator at once.
    func testBothIsolatorNamesAreAnError() {
        let text = SandboxGCTests.scenario(flags: #""isolation": "disk/du,posix/disk""#, behaviour: Self.writes)
        assertSingleError(text, path: "mesos.agents.flags.isolation", ["Using 'posix/disk' and 'disk/du' simultaneously is disallowed"])
    }
}
