import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The agents' work_dir: sandboxes fill it (`logs` `"to": "sandbox"`), the agent's GC removes them
/// after gc_delay minus their age and prunes them earlier as the disk fills (slave.cpp
/// `checkDiskUsage`, gc.cpp), a full work_dir drops launches (docs/mesos.md "Sandboxes").
final class SandboxGCTests: XCTestCase {
    static func scenario(workDir: String = #"{"capacity": "1GB", "used": "900MB"}"#, flags: String = "", behaviour: String,
                         apps: String = #"{"id": "/chatty", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64}"#,
                         duration: String = "2h", mesosVersion: String? = nil) -> String {
        """
        {"name": "t", "duration": "\(duration)", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {\(mesosVersion.map { "\"version\": \"\($0)\", " } ?? "")"masters": {"count": 1}, "agents": {\(workDir.isEmpty ? "" : "\"workDir\": " + workDir + ", ")"flags": {\(flags)}}},
         "marathon": {"apps": [\(apps)], "behaviour": \(behaviour)}}
        """
    }

    func run(_ text: String) throws -> (ClusterSimulation, MemoryObserver, MesosCluster) {
        let spec = try XCTUnwrap(loadOK(text)).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        return (m, o, try XCTUnwrap(m.subsystem(MesosCluster.self)))
    }

    // MARK: step 1: sandboxes occupy the work_dir

    /// One task writing 1 MB/s to stdout: its sandbox grows from 4 KiB at that rate from its
    /// container's start; the work_dir (1 GB, 900 MB used by the rest) is full when the last byte
    /// is written; the task keeps running (its writes fail with ENOSPC), the sandbox stays full.
    func testSandboxFillsTheWorkDirAtTheComputedInstant() throws {
        let (_, o, mesos) = try run(Self.scenario(behaviour: #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s", "to": "sandbox"}}}"#))
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        XCTAssertEqual(w.sandboxes.count, 1)
        let s = w.sandboxes[0]
        let t = try XCTUnwrap(mesos.task(s.task))
        XCTAssertEqual(t.state, .running, "ENOSPC on stdout does not stop the process")
        let started = try XCTUnwrap(t.runningAt).seconds
        let full = try XCTUnwrap(o.events.first { $0.event == "workDirFull" })
        XCTAssertEqual(full.time.seconds, started + (1e9 - 9e8 - 4096) / 1e6, accuracy: 1e-6)
        XCTAssertEqual(s.bytes, 1e9 - 9e8, accuracy: 1)
        XCTAssertTrue(w.full)
        XCTAssertNil(s.removalAt, "a running executor's sandbox is not scheduled")
        XCTAssertFalse(o.events.contains { $0.event == "sandboxPruned" || $0.event == "sandboxScheduledForGC" })
    }

    /// Without `"to": "sandbox"` the logs go to the container (storage): the sandbox holds only
    /// its directory block, and no timer runs for it.
    func testLogsToTheContainerLeaveTheSandboxEmpty() throws {
        let beh = #"{"/chatty": {"startupTime": "0s", "logs": {"rate": "1MB/s"}}}"#
        let (m, o, mesos) = try run(Self.scenario(behaviour: beh))
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        XCTAssertEqual(w.sandboxes.map(\.bytes), [4096])
        XCTAssertFalse(o.events.contains { $0.event == "workDirFull" })
        // a running task's sandbox costs no event: the run has the events of a run without work_dir
        let (plain, _, _) = try run(Self.scenario(workDir: "", behaviour: beh))
        XCTAssertEqual(m.sim.eventsProcessed, plain.sim.eventsProcessed)
    }

    // MARK: step 2: GC

    /// A task that crashes after 10 min: its sandbox is touched and scheduled for gc_delay minus its
    /// age (0: `removeExecutor` runs os::utime first) and removed then (gc.cpp timer). Without headroom and with a nearly empty disk the disk check's
    /// max allowed age, gc_delay * (1 - 0 - usage), is a hair below gc_delay: the checks, a minute
    /// apart, do not come first. (With the default headroom 0.1 they prune at 0.9 gc_delay.)
    func testSandboxRemovedAtGcDelayAfterItsExecutorEnded() throws {
        let (_, o, _) = try run(Self.scenario(workDir: #"{"capacity": "100GB"}"#, flags: #""gc_delay": "1h", "gc_disk_headroom": 0"#,
                                              behaviour: #"{"/chatty": {"startupTime": "0s", "timeToCrash": "10m", "logs": {"rate": "10kB/s", "to": "sandbox"}}}"#,
                                              duration: "3h"))
        let scheduled = o.events.filter { $0.event == "sandboxScheduledForGC" }
        let removed = o.events.filter { $0.event == "sandboxRemoved" }
        XCTAssertGreaterThanOrEqual(scheduled.count, 3)
        XCTAssertFalse(o.events.contains { $0.event == "sandboxPruned" })
        let first = try XCTUnwrap(scheduled.first)
        let gone = try XCTUnwrap(removed.first { $0.subject == first.subject })
        // removed exactly gc_delay after its executor's end (TASK_FAILED: no agent latency)
        let ended = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject == first.subject })
        XCTAssertEqual(first.time, ended.time)
        XCTAssertEqual(gone.time.seconds - ended.time.seconds, 3600, accuracy: 1e-6)
        XCTAssertTrue(first.detail.contains("removal in 1h0m0s (gc_delay 1h0m0s minus its age 0s"), first.detail)
    }

    /// A sandbox is scheduled only once the framework has acknowledged its task's terminal update
    /// (slave.cpp@1.4.0 `_statusUpdateAcknowledgement` -> `removeExecutor` when the executor is
    /// terminated and has no incomplete task). The only master crashes just before the task does:
    /// the update waits on the agent until a master leads again; the agent re-registers before
    /// Marathon does, so the update it sends then is not forwarded, and Marathon gets it (and
    /// acknowledges it) at the agent's resend 10 s later: the sandbox's gc_delay starts then, not at
    /// the executor's end.
    func testASandboxWaitsForTheAcknowledgementOfItsTerminalUpdate() throws {
        var text = Self.scenario(workDir: #"{"capacity": "100GB"}"#, flags: #""gc_delay": "1h", "gc_disk_headroom": 0"#,
                                 behaviour: #"{"/chatty": {"startupTime": "0s", "timeToCrash": "10m", "logs": {"rate": "10kB/s", "to": "sandbox"}}}"#,
                                 duration: "3h")
        text = String(text.dropLast()) + #", "faults": [{"at": "10m", "kind": "masterCrash"}]}"#
        let (_, o, mesos) = try run(text)
        let first = try XCTUnwrap(o.events.first { $0.event == "sandboxScheduledForGC" })
        let failed = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject == first.subject })
        let registered = try XCTUnwrap(o.events.first { $0.event == "frameworkReregistered" && $0.subject == "marathon" })
        // the new master has TASK_FAILED when the agent re-registers; Marathon gets it (and
        // acknowledges it) at the agent's resend, and only then is the sandbox scheduled
        XCTAssertLessThan(failed.time, registered.time)
        let reregistered = try XCTUnwrap(o.events.first { $0.event == "agentReregistered" })
        XCTAssertLessThan(reregistered.time, registered.time)
        let resent = try XCTUnwrap(o.events.first { $0.event == "statusUpdateResent" && $0.subject == first.subject })
        XCTAssertEqual(resent.time.seconds - reregistered.time.seconds, 10, accuracy: 1e-6)
        XCTAssertEqual(first.time, resent.time, "scheduled at the acknowledgement")
        let launched = try XCTUnwrap(o.events.first { $0.event == "TASK_RUNNING" && $0.subject == first.subject })
        XCTAssertLessThan(launched.time.seconds + 600, registered.time.seconds, "the executor ended during the outage")
        XCTAssertTrue(first.detail.contains("minus its age 0s"), first.detail)
        let gone = try XCTUnwrap(o.events.first { $0.event == "sandboxRemoved" && $0.subject == first.subject })
        XCTAssertEqual(gone.time.seconds - resent.time.seconds, 3600, accuracy: 1e-6)
        XCTAssertNotNil(mesos.agents[0].workDir)
    }

    /// The disk check prunes a scheduled sandbox at the first check (every disk_watch_interval from
    /// the agent's start) at which its age reaches gc_delay * max(0, 1 - headroom - usage), usage
    /// growing with a chatty task next to it: the simulated check is the one a check at every
    /// interval finds (computed here tick by tick).
    func testPruneAtTheFirstCheckThatFindsTheSandboxOldEnough() throws {
        let apps = #"{"id": "/crash", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64}, {"id": "/chatty", "cmd": "run", "instances": 1, "cpus": 0.1, "mem": 64}"#
        let beh = #"{"/crash": {"startupTime": "0s", "timeToCrash": "5m"}, "/chatty": {"startupTime": "0s", "logs": {"rate": "50kB/s", "to": "sandbox"}}}"#
        let text = Self.scenario(workDir: #"{"capacity": "1GB", "used": "300MB"}"#, flags: #""gc_delay": "24h", "disk_watch_interval": "1m""#,
                                 behaviour: beh, apps: apps, duration: "6h")
        let (_, o, mesos) = try run(text)
        let w = try XCTUnwrap(mesos.agents[0].workDir)
        let chatty = try XCTUnwrap(w.sandboxes.first { $0.name.hasPrefix("/chatty") || $0.name.hasPrefix("chatty") })
        let t = try XCTUnwrap(mesos.task(chatty.task))
        let writeStart = try XCTUnwrap(t.runningAt).seconds
        let pruned = o.events.filter { $0.event == "sandboxPruned" }
        let firstPruned = try XCTUnwrap(pruned.first)
        let ended = try XCTUnwrap(o.events.first { $0.event == "TASK_FAILED" && $0.subject == firstPruned.subject }).time.seconds
        let scheduledAt = try XCTUnwrap(o.events.first { $0.event == "sandboxScheduledForGC" && $0.subject == firstPruned.subject }).time.seconds
        // tick by tick: used = 300 MB + the chatty sandbox + 4 KiB for each other sandbox on disk
        // at the check (the crash loop's before the first prune: those staged before it)
        var expected: Double? = nil
        for k in 1...(6 * 60) {
            let tick = Double(k) * 60
            guard tick > scheduledAt else { continue }
            let others = o.events.filter { $0.event == "TASK_STAGING" && $0.subject.contains("crash") && $0.time.seconds <= tick }.count
            let used = 300e6 + 4096 + max(0, tick - writeStart) * 50e3 + 4096 * Double(others)
            let age = 86400 * max(0, 1 - 0.1 - used / 1e9)
            if tick - ended >= age { expected = tick; break }
        }
        XCTAssertEqual(firstPruned.time.seconds, try XCTUnwrap(expected), accuracy: 1e-6)
        XCTAssertEqual(scheduledAt, ended)
        XCTAssertLessThan(firstPruned.time.seconds, ended + 86400, "pruned before gc_delay")
    }

    // MARK: step 3: a full work_dir

    /// A chatty crash loop on a small work_dir without headroom, on Mesos 1.6 (up to 1.5 the agent
    /// aborts instead: MesosVersionModelTests): when it is full, the next launch
    /// cannot create its sandbox: TASK_DROPPED (Marathon is partition-aware),
    /// REASON_EXECUTOR_TERMINATED, and Marathon backs off; the next disk check (usage 100%: max
    /// allowed age 0) prunes every scheduled sandbox, the work_dir is writable again and launches
    /// go through.
    func testFullWorkDirDropsLaunchesUntilTheCheckPrunes() throws {
        let beh = #"{"/chatty": {"startupTime": "0s", "timeToCrash": "2m", "logs": {"rate": "5MB/s", "to": "sandbox"}}}"#
        let (_, o, mesos) = try run(Self.scenario(workDir: #"{"capacity": "1GB", "used": "500MB"}"#,
                                                  flags: #""gc_disk_headroom": 0, "disk_watch_interval": "5m""#, behaviour: beh, duration: "1h",
                                                  mesosVersion: "1.6"))
        let full = try XCTUnwrap(o.events.first { $0.event == "workDirFull" })
        let dropped = try XCTUnwrap(o.events.first { $0.event == "TASK_DROPPED" })
        XCTAssertGreaterThanOrEqual(dropped.time, full.time)
        XCTAssertTrue(dropped.detail.contains("REASON_EXECUTOR_TERMINATED"), dropped.detail)
        let failed = try XCTUnwrap(o.events.first { $0.event == "sandboxCreateFailed" })
        XCTAssertTrue(failed.detail.contains("Failed to create executor directory '/var/lib/mesos/slaves/"), failed.detail)
        XCTAssertTrue(failed.detail.hasSuffix("': No space left on device"), failed.detail)
        XCTAssertTrue(o.events.contains { $0.event == "launchDelayed" && $0.detail.contains("TASK_DROPPED") }, "Marathon's back-off counts the drop")
        let pruned = try XCTUnwrap(o.events.first { $0.event == "sandboxPruned" && $0.time > dropped.time })
        XCTAssertTrue(pruned.detail.contains("max allowed age 0s"), pruned.detail)
        let writable = try XCTUnwrap(o.events.first { $0.event == "workDirWritable" })
        XCTAssertEqual(writable.time, pruned.time)
        XCTAssertTrue(o.events.contains { $0.event == "TASK_RUNNING" && $0.time > writable.time }, "launches go through again")
        XCTAssertGreaterThan(mesos.agents[0].workDir!.createFailures, 0)
    }

    /// scenarios/sandbox-gc.json, from the repository root (three folders above this file).
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios/sandbox-gc.json").path

    /// The shipped incident (scenarios/sandbox-gc.json): a chatty crash loop on a
    /// 4 GB work_dir. Mesos' default headroom keeps the disk below full (every dead sandbox is
    /// pruned once usage passes 90 %, more than a minute of writes below full); without headroom
    /// and with checks 10 min apart the disk fills and launches fail until a check prunes: on the
    /// scenario's Mesos 1.4 each such launch aborts the agent (restarted, the launch reconciled
    /// away: TASK_DROPPED, REASON_RECONCILIATION), on 1.6 the task is dropped and the agent lives.
    func testCrashLoopSandboxGCKeepsUpOnlyWithHeadroom() throws {
        let path = Self.shipped
        func run(_ overrides: [String]) throws -> MemoryObserver {
            let o = MemoryObserver()
            let m = ClusterSimulation(spec: try ScenarioLoader.load(path: path, overrides: overrides).spec, observer: o)
            XCTAssertTrue(m.run())
            return o
        }
        let keeps = try run([])
        XCTAssertGreaterThan(keeps.events.filter { $0.event == "sandboxPruned" }.count, 10)
        XCTAssertFalse(keeps.events.contains { $0.event == "workDirFull" || $0.event == "TASK_DROPPED" })
        let early = keeps.events.filter { $0.event == "sandboxPruned" && !($0.detail.contains("disk usage 89.") || $0.detail.contains("disk usage 9")) }
        XCTAssertEqual(early.map(\.detail), [], "pruned as usage passed 90 %")
        let fills = try run(["mesos.agents.flags.gc_disk_headroom=0", "mesos.agents.flags.disk_watch_interval=10m"])
        XCTAssertTrue(fills.events.contains { $0.event == "workDirFull" })
        XCTAssertGreaterThan(fills.events.filter { $0.event == "TASK_DROPPED" }.count, 3)
        XCTAssertTrue(fills.events.contains { $0.event == "launchDelayed" && $0.detail.contains("after TASK_DROPPED") })
        XCTAssertTrue(fills.events.contains { $0.event == "sandboxPruned" && $0.detail.contains("disk usage 100%, max allowed age 0s") })
        let aborts = fills.events.filter { $0.event == "agentAborted" }
        XCTAssertGreaterThan(aborts.count, 3)
        XCTAssertTrue(aborts.allSatisfy { $0.detail.contains("CHECK_SOME(mkdir): No space left on device") })
        XCTAssertTrue(fills.events.filter { $0.event == "TASK_DROPPED" }.allSatisfy { $0.detail.hasSuffix("REASON_RECONCILIATION") })
        let drops16 = try run(["mesos.agents.flags.gc_disk_headroom=0", "mesos.agents.flags.disk_watch_interval=10m", #"mesos.version="1.6""#])
        XCTAssertFalse(drops16.events.contains { $0.event == "agentAborted" || $0.event == "agentStopped" })
        let dropped16 = drops16.events.filter { $0.event == "TASK_DROPPED" }
        XCTAssertGreaterThan(dropped16.count, 3)
        XCTAssertTrue(dropped16.allSatisfy { $0.detail.hasSuffix("REASON_EXECUTOR_TERMINATED") })
    }

    /// The disk checks cost events only when they prune, whatever their interval: at 1 ns the run
    /// has about the events of the run at 1 min (the checks that find nothing are not simulated,
    /// and the closed form lands on the pruning check instead of creeping towards it).
    func testDiskChecksCostNoEventsWhenTheyFindNothing() throws {
        let path = Self.shipped
        func events(_ interval: String) throws -> UInt64 {
            let spec = try ScenarioLoader.load(path: path, overrides: ["duration=40m", "mesos.agents.flags.disk_watch_interval=" + interval]).spec
            let m = ClusterSimulation(spec: spec, observer: MemoryObserver())
            XCTAssertTrue(m.run())
            return m.sim.eventsProcessed
        }
        let minute = try events("1m"), nano = try events("1ns")
        XCTAssertLessThan(nano, minute + 200, "1 ns: \(nano) events, 1 min: \(minute)")
    }

    // MARK: decoding

    func testDecodingErrorsNameTheirPath() {
        let bad1 = loadErrors(Self.scenario(behaviour: #"{"/chatty": {"logs": {"rate": "1MB/s", "to": "sandbox", "hostVolume": "/var/log/x"}}}"#))
        XCTAssertTrue(bad1.contains { $0.path == "marathon.behaviour./chatty.logs.hostVolume" || $0.path.hasSuffix("logs.hostVolume") }, "\(bad1)")
        let bad2 = loadErrors(Self.scenario(behaviour: #"{"/chatty": {"logs": {"rate": "1MB/s", "to": "sandbx"}}}"#))
        XCTAssertTrue(bad2.contains { $0.path.hasSuffix("logs.to") && $0.message.contains("did you mean") || $0.message.contains("sandbox") }, "\(bad2)")
        let bad3 = loadErrors(Self.scenario(workDir: #"{"capacity": "1GB", "used": "1GB"}"#, behaviour: "{}"))
        XCTAssertTrue(bad3.contains { $0.path == "mesos.agents.workDir.used" }, "\(bad3)")
        let bad4 = loadErrors(Self.scenario(workDir: #"{"used": "1GB"}"#, behaviour: "{}"))
        XCTAssertTrue(bad4.contains { $0.path == "mesos.agents.workDir.capacity" }, "\(bad4)")
        let bad5 = loadErrors(Self.scenario(workDir: "", behaviour: #"{"/chatty": {"logs": {"rate": "1MB/s", "to": "sandbox"}}}"#))
        XCTAssertTrue(bad5.contains { $0.path.hasSuffix("logs.to") && $0.message.contains("workDir") }, "\(bad5)")
        let ok = loadOK(Self.scenario(behaviour: #"{"/chatty": {"logs": {"rate": "1MB/s", "to": "sandbox"}}}"#))
        let b = ok?.spec.marathon?.behaviour(of: "/chatty")
        XCTAssertEqual(b?.task.sandboxWriteRate, .constant(1e6))
        XCTAssertNil(b?.storage.writes, "the container's storage sees no writes")
        XCTAssertEqual(ok?.spec.mesos?.workDir, WorkDirSpec(capacityBytes: 1_000_000_000, usedBytes: 900_000_000))
    }
}
