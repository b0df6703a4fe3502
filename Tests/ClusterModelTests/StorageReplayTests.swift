import XCTest
@testable import ClusterModel
import SimKernel

/// What replaying the storage incidents with other parameters showed to differ from the real
/// systems (session 47), each checked against their code.
final class StorageReplayTests: XCTestCase {
    typealias Setup = CephRecoveryFlowTests.Setup
    typealias Run = CephRecoveryFlowTests.Run

    /// `mon_osd_down_out_interval = 0`: Ceph's monitors mark a down OSD out only while the interval
    /// is > 0 (OSDMonitor::tick), so a down host is never marked out: its PGs stay degraded, no
    /// backfill starts, and its copies count again when it boots. It was "out at once" here.
    func testDownOutIntervalZeroNeverMarksOut() {
        for network in [true, false] {
            var s = Setup()
            s.network = network
            s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"), recoverAfter: .hours(2))]
            s.configure = { $0.downOutInterval = .zero }
            s.duration = .minutes(90)
            let r = Run(s)
            r.run()
            XCTAssertEqual(r.all("osdDown").count, 1, "network \(network)")
            XCTAssertTrue(r.all("osdDown").first?.detail.contains("never marked out") == true, "\(r.all("osdDown"))")
            XCTAssertEqual(r.all("osdOut").count, 0, "never marked out (network \(network))")
            XCTAssertTrue(r.ceph.recoveries.isEmpty)
            XCTAssertEqual(r.ceph.metrics().osdsIn, 10, "the down OSDs stay in")
            XCTAssertEqual(r.ceph.metrics().degradedRatio, 0.2, accuracy: 0.03, "one host of five: a fifth of the copies missing")
            XCTAssertEqual(r.ceph.recoveryThroughput, 0)
            s.duration = .hours(3)
            let r2 = Run(s)
            r2.run()
            XCTAssertEqual(r2.all("osdUp").count, 1)
            XCTAssertEqual(r2.ceph.metrics().degradedRatio, 0, "its copies count again when it is back")
            XCTAssertEqual(r2.all("osdOut").count, 0)
        }
    }
}

extension StorageReplayTests {
    /// A host rebooted while its loop-lvm pool is full: the pool and the containers' devices
    /// survive the reboot, dockerd cannot activate the full pool (moby/moby#20272, as for
    /// `restartDocker`), and the orphans Mesos removes through `docker rm` stay. The reboot
    /// emptied the pool before the daemon started, so the host came back healthy by itself.
    func testRebootWithAFullPoolDoesNotEmptyIt() {
        let r = StorageTests.Run(host: StorageTests.loop { $0.loopDataSize = 2 * GiB; $0.baseSize = 200 * GiB },
                                 duration: .hours(1),
                                 faults: [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("slave-01"), recoverAfter: .minutes(5))])
        r.model.faultInjector.start()
        XCTAssertNil(r.container(1, rate: 10_000_000))
        r.run(until: SimTime.zero + .minutes(9))
        XCTAssertNotNil(r.first("poolFull"))
        XCTAssertEqual(r.host.daemon, .hung)
        r.run(until: SimTime.zero + .minutes(20))
        XCTAssertNotNil(r.first("dockerStartFailed"), "\(r.observer.events.suffix(5).map { "\($0.event) \($0.detail)" })")
        XCTAssertNil(r.all("dockerRunning").first { $0.time > SimTime.zero + .minutes(10) })
        XCTAssertNotEqual(r.host.daemon, .running)
        XCTAssertEqual(r.host.dataUsedBlocks, r.host.dataTotalBlocks, "the container's device keeps its blocks")
        XCTAssertNotNil(r.storage.container(task: 1), "no daemon: Mesos could not remove the orphan")
    }
}

extension StorageReplayTests {
    /// overlay2 has no device per container: the writable layer is the root filesystem, so an app
    /// whose disk check fails on a full disk (`unhealthyWhenDiskFull`) fails it when that
    /// filesystem is full, and passes again once space is freed. It never failed on overlay2.
    func testOverlay2FullFilesystemFailsTheDiskCheck() {
        let spec = HostStorageSpec(hostGroup: "slave", driver: .overlay2, rootFilesystemBytes: 10 * GiB)
        let r = StorageTests.Run(host: spec, duration: .hours(1))
        var w = ContainerWrites(rate: .constant(10_000_000))
        w.unhealthyWhenDiskFull = true
        XCTAssertNil(r.storage.createContainer(host: 0, task: 1, name: "app.1", image: nil, writes: w))
        r.storage.containerStarted(task: 1)
        r.run(until: SimTime.zero + .minutes(5))
        XCTAssertNil(r.storage.probeOutcome(task: 1), "300 s x 10 MB/s: 3 GB of 10 GiB")
        r.run(until: SimTime.zero + .minutes(30))
        XCTAssertNotNil(r.first("hostFilesystemFull"))
        XCTAssertEqual(r.storage.probeOutcome(task: 1), .failed(after: .milliseconds(5)))
        XCTAssertEqual(r.storage.summary().tasksLost, 1)
        XCTAssertEqual(r.all("containerDeviceFull").count, 1)
        r.storage.containerExited(task: 1)
        r.storage.replan(r.host) { r.storage.remove(r.storage.container(task: 1)!, r.host) }
        XCTAssertFalse(r.host.fsFull)
        // a second one: the filesystem has room again, its check passes
        XCTAssertNil(r.storage.createContainer(host: 0, task: 2, name: "app.2", image: nil, writes: w))
        r.storage.containerStarted(task: 2)
        r.run(until: SimTime.zero + .minutes(31))
        XCTAssertNil(r.storage.probeOutcome(task: 2))
    }
}

extension StorageReplayTests {
    /// Recovery onto OSDs that fill up: an OSD refuses a backfill that would take it above
    /// mon_osd_backfillfull_ratio (0.90) of its capacity (OSDService::tentative_backfill_full), so
    /// the PG stays degraded in backfill_toofull and full redundancy is not restored. The model
    /// ignored `osdCapacity` and backfilled the survivors past 100%.
    func testBackfillStopsAtTheBackfillFullRatio() {
        var s = Setup()
        // 200 GB at size 3 on 10 OSDs: 60 GB each, 86% of 70 GB; one host out needs 75 GB each
        s.configure = { $0.osdCapacityBytes = 70_000_000_000 }
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        XCTAssertEqual(r.all("osdOut").count, 1)
        XCTAssertFalse(r.all("backfillToofull").isEmpty)
        XCTAssertGreaterThan(f.toofullRefusals, 0)
        XCTAssertTrue(r.all("recoveryDone").isEmpty, "never fully recovered")
        XCTAssertGreaterThan(r.ceph.metrics().degradedRatio, 0)
        XCTAssertGreaterThan(f.backfillsCompleted, 0, "the OSDs take what fits under 90%")
        // no OSD received a copy that took it above 90% (some start above it: placement is uneven)
        var before = s
        before.duration = .minutes(1)
        let initial = Run(before)
        initial.run()
        let start = initial.ceph.flowRecovery!.heldBytes
        for o in f.heldBytes.indices where f.heldBytes[o] > start[o] {
            XCTAssertLessThanOrEqual(f.heldBytes[o], 0.9 * 70e9, "osd.\(o)")
        }
        // with room enough (the default 4 TB) the same failure recovers fully
        let roomy = Run(Setup())
        roomy.run()
        XCTAssertEqual(roomy.all("recoveryDone").last?.detail, "full redundancy restored (size 3)")
        XCTAssertTrue(roomy.all("backfillToofull").isEmpty)
    }
}

extension StorageReplayTests {
    /// A second host down while a first is out: the monitors mark OSDs out only while at least
    /// mon_osd_min_in_ratio (0.75) of all OSDs stay in (OSDMonitor::can_mark_out, checked per OSD
    /// in the tick). With 6 hosts of 4 OSDs the second host gets 3 of its 4 OSDs out (18 of 24 in
    /// is 0.75, 17 is below); the fourth stays down and in, its PGs degraded. When the first host
    /// comes back in, the fourth is marked out after the interval. The model marked whole hosts
    /// out whatever the ratio.
    func testMinInRatioKeepsTheLastOSDsIn() {
        var s = Setup()
        s.hosts = 6
        s.osdsPerHost = 4
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01"), recoverAfter: .hours(3)),
                    FaultSpec(at: .minutes(21), kind: .hostCrash, target: .host("ceph-02"))]
        s.duration = .hours(3)
        let r = Run(s)
        r.run()
        XCTAssertEqual(r.all("osdOut").count, 2)
        XCTAssertTrue(r.all("osdOut").last?.detail.contains("3 of 4 OSDs marked out") == true, "\(r.all("osdOut").last?.detail ?? "")")
        XCTAssertEqual(r.ceph.metrics().osdsIn, 17)
        XCTAssertEqual(r.ceph.osdHosts[1].osdsOut, 3)
        let f = r.ceph.flowRecovery!
        XCTAssertEqual(f.liveBackfills, 0)
        XCTAssertGreaterThan(r.ceph.metrics().degradedRatio, 0, "the PGs of the OSD kept in stay degraded")
        XCTAssertTrue(r.all("recoveryDone").last?.detail.contains("still degraded") == true)
        for p in 0..<f.pgNum {
            XCTAssertFalse(f.holders[p].contains { $0 >= 4 && $0 < 7 }, "no copy on an out OSD")
        }
        // ceph-01 back at 3h10m and marked in: 21 of 24 in, the last OSD of ceph-02 goes out 10 min later
        s.duration = .hours(5)
        let r2 = Run(s)
        r2.run()
        XCTAssertEqual(r2.all("osdOut").count, 3)
        XCTAssertEqual(r2.ceph.osdHosts[1].osdsOut, 4)
        XCTAssertEqual(r2.ceph.metrics().osdsIn, 20)
        let back = r2.all("osdUp").first!.time
        XCTAssertEqual((r2.all("osdOut").last!.time - back).seconds, 600, accuracy: 1e-6)
        XCTAssertEqual(r2.ceph.metrics().degradedRatio, 0)
        // the same without a network (the throttled transfer): 3 of 4 OSDs out, their share re-created
        var t = s
        t.network = false
        t.duration = .hours(3)
        let r3 = Run(t)
        r3.run()
        XCTAssertEqual(r3.ceph.metrics().osdsIn, 17)
        XCTAssertTrue(r3.all("osdOut").last?.detail.contains("3 of 4 OSDs marked out, recovery of 75 GB starts") == true, "\(r3.all("osdOut").last?.detail ?? "")")
        XCTAssertEqual(r3.ceph.metrics().degradedRatio, 1.0 / 24, accuracy: 1e-9, "one OSD's share still missing")
    }
}
