import XCTest
@testable import ClusterModel
import SimKernel

/// Ceph recovery as PG backfills over the network model's bulk flows (a `network` section), and
/// the throttled transfer kept without one.
final class CephRecoveryFlowTests: XCTestCase {
    struct Setup {
        var hosts = 5
        var osdsPerHost = 2
        var nic: Int64 = 10_000_000_000
        var network = true
        var clientHost = false
        var faults: [FaultSpec] = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"))]
        var duration: SimDuration = .hours(10)
        var configure: (inout CephSpec) -> Void = { _ in }
    }

    final class Run {
        let model: ClusterSimulation
        let observer = MemoryObserver()
        var ceph: CephCluster { model.storage!.ceph! }
        init(_ s: Setup) {
            var groups = [HostGroupSpec(name: "ceph", count: s.hosts, datacenter: "dc01", racks: ["r1"], cpus: 16,
                                        memoryBytes: 64 << 30, diskBytes: 16_000_000_000_000, nicBitsPerSecond: s.nic)]
            if s.clientHost {
                groups.append(HostGroupSpec(name: "client", count: 1, datacenter: "dc01", racks: ["r1"], cpus: 16,
                                            memoryBytes: 64 << 30, diskBytes: 1_000_000_000_000, nicBitsPerSecond: s.nic))
            }
            var spec = ClusterSpec(name: "t", duration: s.duration, sampleInterval: .minutes(10), hostGroups: groups, faults: s.faults)
            var c = CephSpec(osdHostGroup: "ceph")
            c.osdsPerHost = s.osdsPerHost
            c.storedBytes = 200_000_000_000
            s.configure(&c)
            spec.storage = StorageSpec(ceph: c)
            if s.network { spec.network = NetworkSpec(environment: .bareMetal) }
            model = ClusterSimulation(spec: spec, observer: observer)
        }
        func host(_ name: String) -> Int { model.infrastructure.host(named: name)!.index }
        func run() { model.run() }
        func all(_ event: String) -> [LoggedEvent] { observer.events.filter { $0.event == event } }
        var recoverySeconds: Double? {
            guard let r = ceph.recoveries.first, let e = r.end else { return nil }
            return (e - r.start).seconds
        }
    }

    /// One host out: every PG it held is backfilled over flows and full redundancy is restored
    /// when the last flow completes; the throughput is the flows' and stays under the budgets.
    func testFlowRecoveryRestoresFullRedundancy() {
        let r = Run(Setup())
        r.run()
        let ceph = r.ceph
        guard let f = ceph.flowRecovery else { return XCTFail("no flow recovery with a network section") }
        XCTAssertEqual(f.pgNum, 256)                       // 10 OSDs × 100 / 3 = 333 -> nearest power of two
        guard let t = r.recoverySeconds else { return XCTFail("no recovery") }
        XCTAssertEqual(r.all("recoveryDone").count, 1)
        XCTAssertEqual(r.all("recoveryDone").first?.detail, "full redundancy restored (size 3)")
        // every PG has `size` copies on distinct hosts that are in, none on the out host
        let out = 1   // ceph-02
        for p in 0..<f.pgNum {
            let hosts = f.holders[p].map { Int($0) / 2 }
            XCTAssertEqual(hosts.count, 3)
            XCTAssertEqual(Set(hosts).count, 3)
            XCTAssertFalse(hosts.contains(out))
        }
        XCTAssertEqual(ceph.metrics().degradedRatio, 0)
        XCTAssertEqual(ceph.metrics().recoveryBytesPerSecond, 0)
        XCTAssertEqual(f.liveBackfills, 0)
        XCTAssertEqual(r.model.network!.activeFlows, 0)
        // bytes moved = the replicas the out host held
        let moved = Double(f.backfillsCompleted) * f.pgBytes
        XCTAssertGreaterThan(moved, 0.25 * 600e9 / 5)
        // no faster than every surviving OSD's recovery budget allows
        XCTAssertGreaterThanOrEqual(t, moved / (8 * f.budgetPerOSD))
        // one 4 MiB object started per osd_recovery_sleep_hdd (0.1 s) per OSD: 41.9 MB/s
        XCTAssertEqual(f.budgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)
    }

    /// Degraded ratio and throughput follow the flows: mid-recovery the rate is the sum of the
    /// flows' rates and the degraded bytes fall by what they delivered.
    func testMetricsFollowTheFlows() {
        let r = Run(Setup())
        let outAt = SimTime.zero + .minutes(10) + .seconds(20) + .seconds(600)
        r.model.run(shouldStop: { r.model.sim.now > outAt + .seconds(30) })
        let ceph = r.ceph, f = ceph.flowRecovery!
        let m1 = ceph.metrics()
        XCTAssertGreaterThan(f.activeBackfills, 0)
        XCTAssertEqual(m1.recoveryBytesPerSecond, f.rate, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(m1.recoveryBytesPerSecond, Double(f.activeBackfills) * f.budgetPerOSD + 1e-6)
        let t1 = r.model.sim.now
        r.model.run(shouldStop: { r.model.sim.now > t1 + .seconds(60) })
        let m2 = ceph.metrics()
        XCTAssertLessThan(m2.degradedRatio, m1.degradedRatio)
    }

    /// Max-min fairness: a recovery whose source shares its NIC with a second recovery-sized bulk
    /// transfer from the same host runs at half the rate and takes twice as long.
    func testRecoverySharingANICTakesLonger() {
        func setup(client: Bool) -> Setup {
            var s = Setup()
            s.hosts = 3; s.osdsPerHost = 1; s.nic = 1_000_000_000; s.clientHost = client
            s.configure = { c in
                c.size = 2; c.minSize = 1; c.pgNum = 1; c.storedBytes = 10_000_000_000
                c.deviceClass = .ssd; c.osdBandwidthBytesPerSecond = 1e9    // budget 1 GB/s: the NIC binds
            }
            return s
        }
        // which hosts hold the PG (placement is by hashing): crash one, the other is the source
        let probe = Run(setup(client: false))
        probe.model.storage!.start()
        let holders = probe.ceph.flowRecovery!.holders[0].map { Int($0) }
        XCTAssertEqual(holders.count, 2)
        let crashed = "ceph-0\(holders[0] + 1)", source = "ceph-0\(holders[1] + 1)"

        var alone = setup(client: false)
        alone.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host(crashed))]
        let a = Run(alone)
        a.run()
        guard let t1 = a.recoverySeconds else { return XCTFail("no recovery") }
        // 10 GB at the 1 Gbit NIC's payload rate (117.7 MB/s): 85.0 s
        XCTAssertEqual(t1, 10e9 / (125e6 / Datapath.wireBytesPerPayloadByte(.host, mtu: 1500)), accuracy: 0.5)

        var shared = setup(client: true)
        shared.faults = alone.faults
        let b = Run(shared)
        b.model.network!.startFlow(from: NetworkEndpoint(host: b.host(source)), to: NetworkEndpoint(host: b.host("client-01")))
        b.run()
        guard let t2 = b.recoverySeconds else { return XCTFail("no recovery") }
        XCTAssertEqual(t2 / t1, 2, accuracy: 0.01)
    }

    /// osd_max_backfills: at most that many concurrent backfills per OSD as source and as target.
    func testMaxBackfillsLimitsConcurrentFlowsPerOSD() {
        var peaks: [Int: (src: Int, tgt: Int, active: Int, t: Double)] = [:]
        for mb in [1, 2] {
            var s = Setup()
            s.hosts = 6; s.osdsPerHost = 4
            s.configure = { $0.maxBackfills = mb }
            let r = Run(s)
            var maxFlows = 0
            let outAt = SimTime.zero + .minutes(10) + .seconds(620)
            // watch the network's flow count through the recovery
            var t = outAt
            while t < SimTime.zero + .hours(2) {
                let stop = t
                r.model.run(shouldStop: { r.model.sim.now > stop })
                maxFlows = max(maxFlows, r.model.network!.activeFlows)
                let f = r.ceph.flowRecovery!
                XCTAssertLessThanOrEqual(f.sourceBusy.max()!, mb)
                XCTAssertLessThanOrEqual(f.targetBusy.max()!, mb)
                t = t + .seconds(5)
            }
            let f = r.ceph.flowRecovery!
            XCTAssertLessThanOrEqual(maxFlows, 20 * mb)    // 20 surviving OSDs
            XCTAssertGreaterThan(maxFlows, 0)
            peaks[mb] = (f.peakSource, f.peakTarget, f.peakActive, r.recoverySeconds ?? .infinity)
        }
        XCTAssertEqual(peaks[1]!.src, 1); XCTAssertEqual(peaks[1]!.tgt, 1)
        XCTAssertEqual(peaks[2]!.src, 2); XCTAssertEqual(peaks[2]!.tgt, 2)
        XCTAssertGreaterThan(peaks[2]!.active, peaks[1]!.active)
        XCTAssertTrue(peaks[1]!.t.isFinite && peaks[2]!.t.isFinite)
    }

    /// A second host crashing mid-recovery: its flows stop at once, its PGs re-plan when it is
    /// down and again when it is out; every PG ends with `size` copies on the 4 remaining hosts.
    func testSecondFailureDuringRecovery() {
        var s = Setup()
        s.hosts = 6
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01")),
                    FaultSpec(at: .minutes(21), kind: .hostCrash, target: .host("ceph-02"))]
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        XCTAssertEqual(r.all("osdOut").count, 2)
        XCTAssertEqual(f.liveBackfills, 0)
        XCTAssertEqual(r.ceph.metrics().degradedRatio, 0)
        XCTAssertEqual(r.model.network!.activeFlows, 0)
        for p in 0..<f.pgNum {
            let hosts = f.holders[p].map { Int($0) / 2 }
            XCTAssertEqual(Set(hosts).count, 3)
            XCTAssertFalse(hosts.contains(0) || hosts.contains(1))
        }
        XCTAssertEqual(r.all("recoveryDone").last?.detail, "full redundancy restored (size 3)")
    }

    /// A host that was marked out and boots again is marked in (mon_osd_auto_mark_auto_out_in):
    /// the PGs whose up set names it again backfill a copy to it, the copies made during the
    /// first recovery on other hosts are removed, and every PG ends on its up set of all 5 hosts.
    func testAnOutHostThatComesBackIsBackfilledAgain() {
        var s = Setup()
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"), recoverAfter: .hours(2))]
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        XCTAssertEqual(r.all("osdOut").count, 1)
        guard let reb = r.all("osdRebalance").first else { return XCTFail("no rebalance when the out host came back") }
        XCTAssertEqual(reb.subject, "ceph-02")
        XCTAssertEqual(r.ceph.recoveries.count, 2)
        XCTAssertNotNil(r.ceph.recoveries.last?.end)
        XCTAssertEqual(r.all("recoveryDone").count, 2)
        XCTAssertEqual(r.all("recoveryDone").last?.detail, "full redundancy restored (size 3)")
        XCTAssertEqual(f.liveBackfills, 0)
        XCTAssertEqual(r.model.network!.activeFlows, 0)
        var onReturned = 0
        for p in 0..<f.pgNum {
            let hosts = f.holders[p].map { Int($0) / 2 }
            XCTAssertEqual(hosts.count, 3)
            XCTAssertEqual(Set(hosts), Set(f.upSet(p)))
            if hosts.contains(1) { onReturned += 1 }
        }
        // straw2 with equal weights: the returned host holds about 3/5 of the PGs again
        XCTAssertGreaterThan(onReturned, f.pgNum * 2 / 5)
        // the rebalance moved one PG replica per PG that maps back to it
        XCTAssertTrue(reb.detail.hasPrefix("marked in again (mon_osd_auto_mark_auto_out_in): \(onReturned) PGs map back to it"))
    }

    /// Between a crash and the monitors marking the host down (osd_heartbeat_grace), the PGs keep
    /// the dead OSDs in their acting sets: every PG with a copy there has its writes waiting (the
    /// primary waits for every replica's commit), and those whose primary is there their reads;
    /// none is inactive (the monitors still count every copy). The run ends 5 s after the crash,
    /// before the grace can pass.
    func testWritesWaitOnEveryPGWithACopyOnACrashedHostUntilItIsMarkedDown() {
        var s = Setup()
        s.duration = .minutes(10) + .seconds(5)
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        XCTAssertTrue(r.all("osdDown").isEmpty)
        XCTAssertEqual(f.blockedPGs, 0)
        var writes = 0, reads = 0
        for p in 0..<f.pgNum {
            let hosts = f.holders[p].map { f.hostOf($0) }
            let primary = hosts.max { f.rank(p, $0) < f.rank(p, $1) }!
            XCTAssertEqual(f.writeWaitsOf[p], hosts.contains(1), "PG \(p)")
            XCTAssertEqual(f.readWaitsOf[p], primary == 1, "PG \(p)")
            writes += f.writeWaitsOf[p] ? 1 : 0; reads += f.readWaitsOf[p] ? 1 : 0
        }
        // 3 of 5 hosts hold each PG: about 3/5 of the PGs wait for writes, 1/5 for reads
        XCTAssertGreaterThan(writes, f.pgNum / 2)
        XCTAssertLessThan(reads, writes / 2)
        XCTAssertGreaterThan(reads, 0)
        // once marked down the PGs re-peer without it: nothing waits (2 copies of 3 are up)
        var s2 = Setup()
        s2.duration = .minutes(11)
        let r2 = Run(s2)
        r2.run()
        XCTAssertEqual(r2.all("osdDown").count, 1)
        let f2 = r2.ceph.flowRecovery!
        XCTAssertFalse(f2.writeWaitsOf.contains(true))
        XCTAssertFalse(f2.readWaitsOf.contains(true))
    }

    /// An orderly reboot stops the OSDs with SIGTERM: each sends MOSDMarkMeDown and the monitors
    /// mark it down at once (OSDService::prepare_to_stop), not after the heartbeat grace; no PG's
    /// I/O waits on a dead OSD meanwhile. A crash of the same host waits for the grace.
    func testAnOrderlyRebootMarksTheOSDsDownAtOnce() {
        var s = Setup()
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostReboot, target: .host("ceph-02"), downFor: .minutes(2))]
        s.duration = .minutes(30)
        let r = Run(s)
        r.run()
        guard let down = r.all("osdDown").first else { return XCTFail("not marked down") }
        XCTAssertEqual(down.time, SimTime.zero + .minutes(10))
        XCTAssertTrue(down.detail.hasPrefix("stopping (MOSDMarkMeDown)"), down.detail)
        XCTAssertEqual(r.all("osdHostStopping").map(\.subject), ["ceph-02"])
        XCTAssertTrue(r.all("osdHostFailed").isEmpty)
        XCTAssertEqual(r.all("osdUp").first?.time, SimTime.zero + .minutes(12))
        XCTAssertTrue(r.all("osdOut").isEmpty)
        var sc = Setup()
        sc.duration = .minutes(11)
        let crash = Run(sc)
        crash.run()
        guard let cdown = crash.all("osdDown").first else { return XCTFail("crash not marked down") }
        XCTAssertGreaterThanOrEqual(cdown.time, SimTime.zero + .minutes(10) + .seconds(14))
        XCTAssertTrue(cdown.detail.hasPrefix("no heartbeat within osd_heartbeat_grace 20s"))
    }

    /// The recovery budget is Ceph's per-OSD sleep timer: one object started per
    /// `osd_recovery_sleep` (osd_recovery_max_single_start 1), however many objects
    /// `osd_recovery_max_active` lets fly and however many backfills the OSD runs, at most the
    /// disk's rate. Before session 50 it was max_active × object / (object / disk + sleep), 98.4
    /// MB/s for an HDD, which let max_active triple recovery on HDDs; Ceph's HDD recovery does not
    /// speed up with it (only a shorter sleep does).
    func testRecoveryBudgetIsOneObjectPerSleepPerOSD() {
        var c = CephSpec(osdHostGroup: "ceph")
        XCTAssertEqual(c.recoveryBudgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)   // hdd, 0.1 s
        c.recoveryMaxActive = 16
        XCTAssertEqual(c.recoveryBudgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)
        c.maxBackfills = 8
        XCTAssertEqual(c.recoveryBudgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)
        c.recoverySleep = .milliseconds(200)
        XCTAssertEqual(c.recoveryBudgetPerOSD, Double(4 * MiB) / 0.2, accuracy: 1e-6)
        c.recoverySleep = nil
        c.deviceClass = .hybrid   // 0.025 s: 168 MB/s of starts, above the disk's 150 MB/s
        XCTAssertEqual(c.recoveryBudgetPerOSD, 150e6, accuracy: 1e-6)
        c.deviceClass = .ssd      // no sleep: the disk
        XCTAssertEqual(c.recoveryBudgetPerOSD, 150e6, accuracy: 1e-6)
        // a recovery over flows takes at least the bytes over the sources' budgets
        var s = Setup()
        s.configure = { $0.recoveryMaxActive = 16 }
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        XCTAssertEqual(f.budgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)
        guard let t = r.recoverySeconds else { return XCTFail("no recovery") }
        XCTAssertGreaterThanOrEqual(t, Double(f.backfillsCompleted) * f.pgBytes / (8 * Double(4 * MiB) / 0.1))
    }

    /// The monitors mark an OSD down on failure reports from mon_osd_min_down_reporters (2)
    /// different hosts only. Two of three OSD hosts crashing leaves one host to report each: their
    /// OSDs stay up, and every PG's writes wait, until the beacons time out (mon_osd_report_timeout
    /// 900 s after the last beacon, sent every osd_beacon_report_interval 300 s); one crash of three
    /// has two reporters and is marked down after the grace. A peer that boots reports the dead
    /// host once its own grace passes.
    func testTooFewReportersLeaveTheOSDsUpUntilTheirBeaconsTimeOut() {
        var s = Setup()
        s.hosts = 3
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01")),
                    FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"))]
        s.duration = .minutes(40)
        let r = Run(s)
        r.run()
        let crash = SimTime.zero + .minutes(10)
        XCTAssertEqual(r.all("osdDownUnreported").map(\.subject).sorted(), ["ceph-01", "ceph-02"])
        let downs = r.all("osdDown")
        XCTAssertEqual(downs.count, 2)
        for d in downs {
            XCTAssertTrue(d.detail.hasPrefix("no beacon for mon_osd_report_timeout 15m0s"), d.detail)
            XCTAssertGreaterThanOrEqual(d.time, crash + .seconds(600))
            XCTAssertLessThanOrEqual(d.time, crash + .seconds(900))
        }
        // the run stopped mid-way: before the beacons time out every PG's writes wait, none is inactive
        var early = s
        early.duration = .minutes(10) + .seconds(590)
        let e = Run(early)
        e.run()
        XCTAssertTrue(e.all("osdDown").isEmpty)
        XCTAssertEqual(e.ceph.flowRecovery!.blockedPGs, 0)
        XCTAssertFalse(e.ceph.flowRecovery!.writeWaitsOf.contains(false))
        // one crash of three: two hosts report it after the grace
        var one = s
        one.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01"))]
        let o = Run(one)
        o.run()
        XCTAssertTrue(o.all("osdDownUnreported").isEmpty)
        guard let d1 = o.all("osdDown").first else { return XCTFail("not marked down") }
        XCTAssertLessThanOrEqual(d1.time, crash + .seconds(20))
        // the second host boots after 2 minutes: it and ceph-03 report ceph-01 after the grace
        var boot = s
        boot.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01")),
                       FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"), recoverAfter: .minutes(2))]
        let b = Run(boot)
        b.run()
        guard let d01 = b.all("osdDown").first(where: { $0.subject == "ceph-01" }) else { return XCTFail("ceph-01 not down") }
        XCTAssertEqual(d01.time, crash + .minutes(2) + .seconds(20))
        XCTAssertTrue(d01.detail.hasPrefix("no heartbeat within osd_heartbeat_grace"), d01.detail)
    }

    /// A second host down during the recovery leaves some PGs with one copy up, below min_size:
    /// their I/O is blocked, and Ceph backfills them first (PG::get_backfill_priority: inactive
    /// 220+, undersized 140+; an OSD's AsyncReserver grants its highest-priority queue first), ahead
    /// of the undersized PGs queued earlier. Shortly after the second host is marked down every
    /// OSD's waiting backfills are in priority order with inactive PGs among them; a waiting
    /// inactive PG preempts a running lower-priority backfill (AsyncReserver::preempt_one), and the
    /// PGs are all active again long before the recovery ends (177 s against 1103 s here; 237 s
    /// without preemption, 312 s when the queues were FIFO, before session 50).
    func testInactivePGsAreBackfilledFirst() {
        var s = Setup()
        s.hosts = 6
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-01")),
                    FaultSpec(at: .minutes(20) + .seconds(25), kind: .hostCrash, target: .host("ceph-02"))]
        var mid = s
        mid.duration = .minutes(21)
        let m = Run(mid)
        m.run()
        let fm = m.ceph.flowRecovery!
        XCTAssertTrue(m.all("osdDown").last?.detail.contains("some PGs below min_size") ?? false)
        var inactiveWaiting = 0
        for (o, q) in fm.bySource.enumerated() {
            let pr = q.filter { fm.backfills[Int($0)].state == .pending }.map { fm.backfillPriority(Int(fm.backfills[Int($0)].pg)) }
            inactiveWaiting += pr.filter { $0 >= 220 }.count
            XCTAssertEqual(pr, pr.sorted(by: >), "osd.\(o)'s waiting backfills are not in priority order")
        }
        XCTAssertGreaterThan(inactiveWaiting, 0)
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        guard let down2 = r.all("osdDown").first(where: { $0.subject == "ceph-02" }),
              let active = f.allActiveAt, let end = r.ceph.recoveries.last?.end else { return XCTFail("no second failure or no recovery") }
        // a waiting inactive PG preempts a running undersized backfill on a full OSD, which waits
        // again keeping what it copied; every PG still ends with its copies
        XCTAssertGreaterThan(f.preemptions, 0)
        XCTAssertEqual(r.all("backfillPreempted").count, f.preemptions)
        XCTAssertLessThan((active - down2.time).seconds, 0.2 * (end - down2.time).seconds)
        XCTAssertEqual(f.liveBackfills, 0)
        XCTAssertEqual(r.ceph.metrics().degradedRatio, 0)
    }

    /// `ceph osd set noout` before a host dies: the monitors mark it down but not out after
    /// mon_osd_down_out_interval (can_mark_out refuses while the flag is set), so no recovery
    /// starts; they keep its down time, and `unset noout` marks it out at once (the next tick), the
    /// recovery starting then. Unset before the interval has passed, it is marked out on time.
    func testNooutKeepsADownHostInUntilItIsUnset() {
        var s = Setup()
        s.duration = .hours(2)
        s.configure = { $0.nooutSet = .minutes(5); $0.nooutUnset = .minutes(40) }
        let r = Run(s)
        r.run()
        guard let down = r.all("osdDown").first, let out = r.all("osdOut").first else { return XCTFail("not down or not out") }
        XCTAssertEqual(r.all("osdOutDeferred").first?.time, down.time + .seconds(600))
        XCTAssertEqual(out.time, SimTime.zero + .minutes(40))
        XCTAssertEqual(r.ceph.recoveries.first?.start, SimTime.zero + .minutes(40))
        XCTAssertEqual(r.ceph.metrics().degradedRatio, 0)
        var never = s
        never.configure = { $0.nooutSet = .minutes(5) }
        let n = Run(never)
        n.run()
        XCTAssertTrue(n.all("osdOut").isEmpty)
        XCTAssertGreaterThan(n.ceph.metrics().degradedRatio, 0)
        var early = s
        early.configure = { $0.nooutSet = .minutes(5); $0.nooutUnset = .minutes(15) }
        let e = Run(early)
        e.run()
        guard let d2 = e.all("osdDown").first else { return XCTFail("not down") }
        XCTAssertEqual(e.all("osdOut").first?.time, d2.time + .seconds(600))
        XCTAssertTrue(e.all("osdOutDeferred").isEmpty)
    }

    /// Same scenario twice: the same events at the same times.
    func testFlowRecoveryIsDeterministic() {
        let a = Run(Setup()), b = Run(Setup())
        a.run(); b.run()
        XCTAssertEqual(a.observer.events.map { "\($0.time) \($0.event) \($0.subject) \($0.detail)" },
                       b.observer.events.map { "\($0.time) \($0.event) \($0.subject) \($0.detail)" })
    }

    /// Without a network section: the throttled transfer of before (clusterRecoveryRate).
    func testWithoutNetworkTheThrottledTransferIsKept() {
        var s = Setup()
        s.network = false
        let r = Run(s)
        r.run()
        XCTAssertNil(r.ceph.flowRecovery)
        let bytes = 200e9 * 3 / 5
        let expected = bytes / (4 * 2 * r.ceph.perOSDRecoveryRate)
        XCTAssertEqual(r.recoverySeconds ?? 0, expected, accuracy: 1)
        XCTAssertTrue(r.all("osdOut").first!.detail.hasSuffix("recovery of 120 GB starts"))
    }
}
