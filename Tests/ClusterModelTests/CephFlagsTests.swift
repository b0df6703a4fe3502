import XCTest
@testable import ClusterModel
import SimKernel

/// The cluster flags an SRE sets around maintenance or during an incident (nodown, noup,
/// nobackfill, norebalance, norecover; noout is in CephRecoveryFlowTests), client writes filling
/// the OSDs (nearfull / backfillfull / full), and the osd_recovery_max_active bound.
final class CephFlagsTests: XCTestCase {
    typealias Setup = CephRecoveryFlowTests.Setup
    typealias Run = CephRecoveryFlowTests.Run

    func at(_ d: SimDuration) -> SimTime { SimTime.zero + d }

    /// `norecover` pauses every OSD's recovery queue: the running backfills stop moving data but
    /// keep their reservations (the slots stay taken, nothing else starts), and when the flag is
    /// unset they go on from where they were: the recovery ends later by the time it was paused.
    func testNorecoverPausesBackfillsKeepingTheirReservations() {
        var s = Setup()
        s.duration = .hours(4)
        let base = Run(s)
        base.run()
        guard let tBase = base.recoverySeconds else { return XCTFail("no recovery") }
        XCTAssertGreaterThan(tBase, 400)   // the recovery (out at 20m20s) runs past 25 min
        // mid-pause: reservations held, no flow, no rate
        var mid = s
        mid.duration = .minutes(40)
        mid.configure = { $0.flagSetAt[.norecover] = .minutes(25); $0.flagUnsetAt[.norecover] = .minutes(60) }
        let m = Run(mid)
        m.run()
        let f = m.ceph.flowRecovery!
        XCTAssertGreaterThan(f.activeBackfills, 0)
        XCTAssertEqual(f.pausedBackfills, f.activeBackfills)
        XCTAssertEqual(m.model.network!.activeFlows, 0)
        XCTAssertEqual(m.ceph.metrics().recoveryBytesPerSecond, 0)
        XCTAssertTrue(m.ceph.isSet(.norecover))
        XCTAssertEqual(m.all("norecoverSet").first?.detail.hasSuffix("HEALTH_WARN OSDMAP_FLAGS: norecover flag(s) set"), true)
        XCTAssertEqual(m.all("backfillsDeferred").first?.time, at(.minutes(25)))
        // whole run: resumed at 60 min, ends 35 min later than without the flag
        var full = s
        full.configure = mid.configure
        let r = Run(full)
        r.run()
        guard let t = r.recoverySeconds else { return XCTFail("no recovery after unset") }
        XCTAssertEqual(t, tBase + 35 * 60, accuracy: 0.02 * tBase)
        XCTAssertEqual(r.all("backfillsResumed").first?.time, at(.minutes(60)))
        XCTAssertEqual(r.ceph.metrics().degradedRatio, 0)
        XCTAssertEqual(r.ceph.flowRecovery!.pausedBackfills, 0)
    }

    /// Without a network section the throttled transfer stops under norecover / nobackfill too
    /// (and not under norebalance: it re-creates a marked-out host's degraded copies).
    func testWithoutNetworkNorecoverStopsTheThrottledRecovery() {
        var s = Setup()
        s.network = false
        s.duration = .hours(4)
        let base = Run(s)
        base.run()
        guard let tBase = base.recoverySeconds else { return XCTFail("no recovery") }
        for (flag, delay) in [(CephFlag.norecover, 35.0 * 60), (.nobackfill, 35 * 60), (.norebalance, 0)] {
            var f = s
            f.configure = { $0.flagSetAt[flag] = .minutes(21); $0.flagUnsetAt[flag] = .minutes(56) }
            let r = Run(f)
            r.run()
            guard let t = r.recoverySeconds else { XCTFail("no recovery under \(flag)"); continue }
            XCTAssertEqual(t, tBase + delay, accuracy: 1e-3, "\(flag)")
        }
    }

    /// `norebalance` defers the backfills of PGs that are not degraded only: the recovery of a host
    /// marked out runs as usual (its PGs are degraded), the backfill back to it when it returns
    /// (its PGs have their 3 copies) waits for the unset. `nobackfill` defers both.
    func testNorebalanceDefersOnlyUndegradedPGsAndNobackfillAll() {
        var s = Setup()
        s.duration = .hours(8)
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"), recoverAfter: .hours(2))]
        let base = Run(s)
        base.run()
        XCTAssertEqual(base.ceph.recoveries.count, 2)
        guard let first = base.ceph.recoveries.first?.end, let second = base.ceph.recoveries.last?.end else { return XCTFail("recoveries not done") }
        XCTAssertLessThan(second, at(.hours(5)))
        var nr = s
        nr.configure = { $0.flagSetAt[.norebalance] = .minutes(5); $0.flagUnsetAt[.norebalance] = .hours(5) }
        let r = Run(nr)
        r.run()
        XCTAssertEqual(r.ceph.recoveries.first?.end, first, "the degraded PGs' recovery is not deferred")
        XCTAssertEqual(r.all("osdRebalance").first?.time, base.all("osdRebalance").first?.time)
        guard let e = r.ceph.recoveries.last?.end else { return XCTFail("rebalance not done after unset") }
        XCTAssertGreaterThan(e, at(.hours(5)))
        XCTAssertEqual(r.all("recoveryDone").last?.detail, "full redundancy restored (size 3)")
        var nb = s
        nb.configure = { $0.flagSetAt[.nobackfill] = .minutes(5); $0.flagUnsetAt[.nobackfill] = .hours(5) }
        let b = Run(nb)
        b.run()
        guard let bFirst = b.ceph.recoveries.first?.end else { return XCTFail("no recovery") }
        XCTAssertGreaterThan(bFirst, at(.hours(5)), "nobackfill defers the degraded PGs too")
    }

    /// `nodown`: the monitors ignore failure reports (OSDMonitor::can_mark_down), so a crashed
    /// host stays up and every PG with a copy there keeps its writes waiting; unset, it is marked
    /// down at once and out mon_osd_down_out_interval later. An orderly reboot's MOSDMarkMeDown is
    /// refused too.
    func testNodownKeepsADeadHostUpUntilUnset() {
        var s = Setup()
        s.duration = .minutes(29)
        s.configure = { $0.flagSetAt[.nodown] = .minutes(5); $0.flagUnsetAt[.nodown] = .minutes(30) }
        let r = Run(s)
        r.run()
        XCTAssertTrue(r.all("osdDown").isEmpty)
        XCTAssertEqual(r.all("osdDownRefused").map(\.subject), ["ceph-02"])
        let f = r.ceph.flowRecovery!
        var waiting = 0
        for p in 0..<f.pgNum where f.holders[p].contains(where: { f.hostOf($0) == 1 }) {
            XCTAssertTrue(f.writeWaitsOf[p], "PG \(p)")
            waiting += 1
        }
        XCTAssertGreaterThan(waiting, f.pgNum / 2)
        var full = s
        full.duration = .hours(3)
        let u = Run(full)
        u.run()
        XCTAssertEqual(u.all("osdDown").first?.time, at(.minutes(30)))
        XCTAssertEqual(u.all("osdOut").first?.time, at(.minutes(40)))
        XCTAssertFalse(u.ceph.flowRecovery!.writeWaitsOf.contains(true))
        // an orderly reboot under nodown: MOSDMarkMeDown refused, the dead OSDs stay up
        var rb = Setup()
        rb.duration = .minutes(11)
        rb.faults = [FaultSpec(at: .minutes(10), kind: .hostReboot, target: .host("ceph-02"), downFor: .minutes(5))]
        rb.configure = { $0.flagSetAt[.nodown] = .minutes(5) }
        let o = Run(rb)
        o.run()
        XCTAssertTrue(o.all("osdDown").isEmpty)
        XCTAssertTrue(o.all("osdHostStopping").first?.detail.contains("refused") ?? false)
        XCTAssertTrue(o.ceph.flowRecovery!.writeWaitsOf.contains(true))
    }

    /// `noup`: a host that reboots under the flag boots but the monitors ignore it
    /// (OSDMonitor::can_mark_up), so it stays down, is marked out after mon_osd_down_out_interval
    /// (recovery starts), and is marked up and in only when the flag is unset (then backfilled
    /// back). Without the flag it is up after its 2 minutes and never out.
    func testNoupKeepsABootedHostDownUntilUnset() {
        var s = Setup()
        s.duration = .hours(3)
        s.faults = [FaultSpec(at: .minutes(10), kind: .hostReboot, target: .host("ceph-02"), downFor: .minutes(2))]
        let base = Run(s)
        base.run()
        XCTAssertEqual(base.all("osdUp").first?.time, at(.minutes(12)))
        XCTAssertTrue(base.all("osdOut").isEmpty)
        var n = s
        n.configure = { $0.flagSetAt[.noup] = .minutes(5); $0.flagUnsetAt[.noup] = .minutes(30) }
        let r = Run(n)
        r.run()
        XCTAssertEqual(r.all("osdBootIgnored").first?.time, at(.minutes(12)))
        XCTAssertEqual(r.all("osdOut").first?.time, at(.minutes(20)))
        XCTAssertEqual(r.all("osdUp").first?.time, at(.minutes(30)))
        XCTAssertEqual(r.all("osdRebalance").first?.time, at(.minutes(30)))
        XCTAssertEqual(r.all("recoveryDone").last?.detail, "full redundancy restored (size 3)")
    }

    /// Client writes grow every PG on every OSD holding it; the OSD holding the most PGs passes
    /// mon_osd_nearfull_ratio, then backfillfull, then mon_osd_full_ratio at the instants the rate
    /// gives; at full the pool is flagged full and the clients pause their writes, so the pool
    /// stops growing.
    func testClientWritesFillTheFullestOSDUntilThePoolIsFull() {
        var s = Setup()
        s.faults = []
        s.duration = .hours(6)
        let cap: Int64 = 100_000_000_000
        let rate = 10_000_000.0
        s.configure = { $0.osdCapacityBytes = cap; $0.clientWriteBytesPerSecond = rate }
        let r = Run(s)
        r.run()
        let f = r.ceph.flowRecovery!
        let maxHeld = Double(f.heldPGs.max()!)
        func when(_ ratio: Double) -> Double { (ratio * Double(cap) * Double(f.pgNum) / maxHeld - 200e9) / rate }
        let fullest = f.heldPGs.indices.filter { Double(f.heldPGs[$0]) == maxHeld }.map { "osd.\($0)" }
        let filling = r.all("osdFilling").filter { fullest.contains($0.subject) }
        XCTAssertEqual(filling.count, 3 * fullest.count)
        XCTAssertEqual(filling.first?.time.seconds ?? 0, when(0.85), accuracy: 1e-6)
        guard let full = r.all("poolFull").first else { return XCTFail("pool never full") }
        XCTAssertEqual(full.time.seconds, when(0.95), accuracy: 1e-6)
        XCTAssertTrue(full.detail.contains("HEALTH_ERR OSD_FULL: \(fullest.count) full osd(s)"), full.detail)
        XCTAssertTrue(full.detail.hasSuffix("POOL_FULL: 1 pool(s) full"), full.detail)
        XCTAssertTrue(f.poolFull)
        // writes stopped at full: the pool holds what it held then (at the end of the run)
        let m = r.ceph.metrics()
        XCTAssertTrue(m.poolFull)
        XCTAssertEqual(m.maxOSDUsedRatio, 0.95, accuracy: 1e-9)   // ceph.csv osd_max_used_ratio
        XCTAssertEqual(f.storedBytes, 200e9 + rate * when(0.95), accuracy: 1e3)
        XCTAssertLessThan(full.time, at(.hours(6)))
        // without writes nothing fills
        var none = s
        none.configure = { $0.osdCapacityBytes = cap }
        let n = Run(none)
        n.run()
        XCTAssertTrue(n.all("osdFilling").isEmpty)
        XCTAssertEqual(n.ceph.flowRecovery!.storedBytes, 200e9)
        XCTAssertEqual(n.ceph.metrics().maxOSDUsedRatio, maxHeld * 200e9 / 256 / 1e11, accuracy: 1e-12)
        XCTAssertFalse(n.ceph.metrics().poolFull)
    }

    /// osd_recovery_max_active bounds the objects in flight per OSD; each stays in flight for the
    /// source's read and the target's write, so an OSD recovers at most max_active × disk / 2:
    /// with max_active 1 half the disk on SSDs (no sleep); HDDs stay bound by their sleep.
    func testRecoveryMaxActiveBoundsTheObjectsInFlight() {
        var c = CephSpec(osdHostGroup: "ceph")
        c.deviceClass = .ssd
        XCTAssertEqual(c.recoveryBudgetPerOSD, 150e6, accuracy: 1e-6)   // max_active 3: the disk
        c.recoveryMaxActive = 1
        XCTAssertEqual(c.recoveryBudgetPerOSD, 75e6, accuracy: 1e-6)
        c.recoveryMaxActive = 2
        XCTAssertEqual(c.recoveryBudgetPerOSD, 150e6, accuracy: 1e-6)
        c.recoveryMaxActive = 1
        c.deviceClass = .hdd                                               // 41.9 MB/s of starts
        XCTAssertEqual(c.recoveryBudgetPerOSD, Double(4 * MiB) / 0.1, accuracy: 1e-6)
        c.deviceClass = .hybrid                                            // 168 MB/s of starts
        XCTAssertEqual(c.recoveryBudgetPerOSD, 75e6, accuracy: 1e-6)
    }
}
