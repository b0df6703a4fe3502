import XCTest
@testable import ClusterModel
import SimKernel

/// Docker storage (devicemapper, host volumes) and Ceph, driven directly through the
/// ContainerStorage API the Mesos agents use.
final class StorageTests: XCTestCase {
    final class Run {
        let model: ClusterSimulation
        let observer = MemoryObserver()
        var storage: StorageModel { model.storage! }
        var host: DockerHost { storage.hosts[0] }
        init(host: HostStorageSpec, ceph: CephSpec? = nil, cephHosts: Int = 0, duration: SimDuration = .hours(10), faults: [FaultSpec] = []) {
            var groups = [HostGroupSpec(name: "slave", count: 1, datacenter: "dc01", racks: ["r1"], cpus: 8,
                                        memoryBytes: 32 << 30, diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)]
            if cephHosts > 0 {
                groups.append(HostGroupSpec(name: "ceph", count: cephHosts, datacenter: "dc01", racks: ["r1"], cpus: 8,
                                            memoryBytes: 32 << 30, diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000))
            }
            var spec = ClusterSpec(name: "t", duration: duration, sampleInterval: .minutes(10), hostGroups: groups, faults: faults)
            spec.storage = StorageSpec(hostGroups: [host], ceph: ceph)
            model = ClusterSimulation(spec: spec, observer: observer)
            storage.start()
        }
        /// Starts a container writing `rate` bytes/s (task id = `task`).
        @discardableResult
        func container(_ task: TaskID, rate: Double, volume: String? = nil, logrotate: LogrotateSpec = LogrotateSpec()) -> String? {
            let w = ContainerWrites(rate: .constant(rate), hostVolume: volume, logrotate: logrotate)
            if let e = storage.createContainer(host: 0, task: task, name: "app.\(task)", image: nil, writes: w) { return e }
            storage.containerStarted(task: task)
            return nil
        }
        func run(until t: SimTime) { model.sim.run(until: t) }
        func first(_ event: String) -> LoggedEvent? { observer.events.first { $0.event == event } }
        func all(_ event: String) -> [LoggedEvent] { observer.events.filter { $0.event == event } }
    }

    static func loop(_ configure: (inout DeviceMapperOptions) -> Void = { _ in }) -> HostStorageSpec {
        var o = DeviceMapperOptions()
        configure(&o)
        return HostStorageSpec(hostGroup: "slave", mode: .loopLVM, rootFilesystemBytes: 400_000_000_000, options: o)
    }

    func testLoopDefaultsAreDockers() {
        let r = Run(host: Self.loop())
        XCTAssertEqual(r.host.dataTotalBlocks, 1_638_400)           // 100 GiB / 64 KiB
        XCTAssertEqual(r.host.minFreeDataBlocks, 163_840)            // the number in Docker's error messages
        XCTAssertEqual(r.host.metadataTotalBytes, 2 * GiB)
    }

    /// One writer at 10 MB/s in an empty 100 GiB pool (basesize raised out of the way): the pool
    /// is full when the last free block is allocated, at (free - 1) blocks / rate.
    func testPoolFullAtTheComputedTimeToTheBlock() {
        let r = Run(host: Self.loop { $0.baseSize = 200 * GiB })
        let rate = 10_000_000.0
        XCTAssertNil(r.container(1, rate: rate))
        r.run(until: SimTime.zero + .hours(4))
        let free = Double(r.host.dataTotalBlocks)
        let expected = (free - 1) * 65536 / rate        // 10737.35 s = 178.96 min
        guard let full = r.first("poolFull") else { return XCTFail("pool never full") }
        XCTAssertEqual(full.time.seconds, expected, accuracy: 65536 / rate)
        XCTAssertEqual(r.host.dataUsedBlocks, r.host.dataTotalBlocks)
        XCTAssertEqual(r.host.condition, .failing)       // 60 s later the queued I/O failed
        XCTAssertEqual(r.first("poolIOFailed")!.time.seconds, full.time.seconds + 60, accuracy: 1e-6)
        XCTAssertEqual(r.host.daemon, .hung)
        XCTAssertTrue(r.storage.container(task: 1)!.hung)
        XCTAssertEqual(r.storage.probeOutcome(task: 1), .timedOut)
        XCTAssertTrue(r.storage.stopBlocked(task: 1))
    }

    /// poolHasFreeSpace: refused as soon as free data blocks < 10% of total, not before.
    func testRefusalStartsExactlyAtTenPercentFree() {
        let r = Run(host: Self.loop { $0.baseSize = 200 * GiB })
        let rate = 20_000_000.0
        r.container(1, rate: rate)
        let total = Double(r.host.dataTotalBlocks)
        // the block that leaves fewer than 163840 free is block total - 163840 + 1
        let crossing = (total - 163_840) * 65536 / rate
        r.run(until: SimTime.zero + .fromSeconds(crossing - 0.01))
        XCTAssertFalse(r.host.belowMinFree)
        XCTAssertNil(r.container(2, rate: 0), "still 10% free: create allowed")
        r.run(until: SimTime.zero + .fromSeconds(crossing + 0.01))
        XCTAssertTrue(r.host.belowMinFree)
        XCTAssertEqual(r.first("poolBelowMinFree")!.time.seconds, crossing, accuracy: 65536 / rate)
        let e = r.container(3, rate: 0)
        XCTAssertNotNil(e)
        XCTAssertTrue(e!.contains("less than minimum required 163840 free data blocks"), e!)
        XCTAssertNotNil(r.storage.firstRefusal)
    }

    /// direct-lvm: autoextend by 20% each time usage reaches 80%, while the volume group has room.
    func testAutoextendAddsTwentyPercentAtEightyUntilTheVolumeGroupIsExhausted() {
        var o = DeviceMapperOptions()
        o.thinpPercent = 40; o.baseSize = 500 * GiB
        let vg: Int64 = 100 * GiB
        let r = Run(host: HostStorageSpec(hostGroup: "slave", mode: .directLVM, rootFilesystemBytes: 300_000_000_000, volumeGroupBytes: vg, options: o))
        let initial = r.host.dataTotalBlocks
        XCTAssertEqual(initial, (vg / 100 * 40) / (64 * KiB))
        var totals = [initial]
        r.container(1, rate: 50_000_000)
        r.model.sim.run(until: SimTime.zero + .hours(3))
        XCTAssertGreaterThanOrEqual(r.host.extensions, 3)
        var total = initial
        var vgFree = vg - initial * 64 * KiB - vg / 100
        while vgFree >= 64 * KiB {
            let add = min(total * 20 / 100, vgFree / (64 * KiB))
            total += add; vgFree -= add * 64 * KiB
            totals.append(total)
        }
        XCTAssertEqual(r.host.extensions, totals.count - 1)
        XCTAssertEqual(r.all("poolExtended").count, totals.count - 1)
        XCTAssertEqual(r.host.dataTotalBlocks, total)
        XCTAssertLessThan(r.host.vgFreeBytes, 64 * KiB, "the volume group is exhausted")
        // the first extension came when 80% of the initial pool was in use
        let firstExt = r.first("poolExtended")!.time.seconds
        XCTAssertEqual(firstExt, Double(initial * 80 / 100 - 1) * 65536 / 50_000_000, accuracy: 65536 / 50_000_000)
        // afterwards the pool fills as without autoextend
        XCTAssertNotNil(r.first("poolFull"))
    }

    /// A container's device holds at most dm.basesize: its writes stop there (ENOSPC), but it is
    /// not hung: docker stop works (issue 18: only hung I/O or a hung daemon block a stop).
    func testContainerStopsWritingAtBaseSize() {
        let r = Run(host: Self.loop())
        r.container(1, rate: 10_000_000)
        r.run(until: SimTime.zero + .hours(1))
        let c = r.storage.container(task: 1)!
        XCTAssertTrue(c.atBaseSize)
        XCTAssertEqual(c.layerBytes, Double(10 * GiB), accuracy: 1)
        XCTAssertEqual(c.layerBlocks, 10 * GiB / (64 * KiB))
        XCTAssertEqual(r.first("containerDeviceFull")!.time.seconds, Double(10 * GiB) / 10_000_000, accuracy: 1e-3)
        XCTAssertFalse(r.storage.stopBlocked(task: 1))
        XCTAssertNil(r.first("poolFull"))
    }

    /// Logs on a host volume: the writable layer stays empty, logrotate bounds the files.
    func testLogrotateKeepsTheHostVolumeBounded() {
        let r = Run(host: Self.loop())
        let rate = 5_000_000.0
        let lr = LogrotateSpec(interval: .minutes(10), size: 500_000_000, rotate: 3)
        r.container(1, rate: rate, volume: "/var/log/apps/web", logrotate: lr)
        let bound = Double(lr.rotate + 1) * rate * lr.interval.seconds
        var maxSeen = 0.0
        for m in stride(from: 1, through: 600, by: 1) {
            r.run(until: SimTime.zero + .minutes(Int64(m)))
            r.storage.sync()
            maxSeen = max(maxSeen, r.host.volumesBytes)
        }
        XCTAssertLessThanOrEqual(maxSeen, bound + 1)
        XCTAssertGreaterThan(maxSeen, bound * 0.7)
        XCTAssertEqual(r.storage.container(task: 1)!.layerBytes, 0)
        XCTAssertEqual(r.host.logFiles[0].rotated.count, 3)
    }

    /// Removing a container frees its blocks; in loop-lvm the sparse file shrinks only with blkdiscard.
    func testRemovalFreesBlocksAndDiscardShrinksTheLoopFile() {
        for discard in [true, false] {
            let r = Run(host: Self.loop { $0.blkdiscard = discard })
            r.container(1, rate: 10_000_000)
            r.run(until: SimTime.zero + .minutes(5))
            r.storage.sync()
            let file = r.host.loopFileBytes
            XCTAssertGreaterThan(r.host.containerBlocks, 0)
            r.storage.containerExited(task: 1)
            r.storage.replan(r.host) { r.storage.remove(r.storage.container(task: 1)!, r.host) }
            XCTAssertEqual(r.host.containerBlocks, 0)
            if discard { XCTAssertLessThan(r.host.loopFileBytes, file / 10) } else { XCTAssertEqual(r.host.loopFileBytes, file) }
        }
    }

    /// Ceph: down after the heartbeat grace, out after mon_osd_down_out_interval, recovery at the
    /// throttled rate restores full redundancy.
    func testCephOSDFailureDetectionOutAndThrottledRecovery() {
        var c = CephSpec(osdHostGroup: "ceph")
        c.storedBytes = 1_000_000_000_000
        let r = Run(host: Self.loop(), ceph: c, cephHosts: 5,
                    faults: [FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("ceph-02"))])
        r.model.faultInjector.start()
        r.run(until: SimTime.zero + .hours(10))
        let ceph = r.storage.ceph!
        let down = ceph.markedDown[0]
        let afterFailure = (down.downAt - (SimTime.zero + .minutes(10))).seconds
        XCTAssertGreaterThanOrEqual(afterFailure, 20 - 6)
        XCTAssertLessThanOrEqual(afterFailure, 20)
        XCTAssertEqual((ceph.markedOut[0].outAt - down.downAt).seconds, 600, accuracy: 1e-9)
        // per OSD: one 4 MiB object started per osd_recovery_sleep_hdd (0.1 s)
        let perOSD = Double(4 * MiB) / 0.1
        XCTAssertEqual(ceph.perOSDRecoveryRate, perOSD, accuracy: 1)
        let bytes = 1e12 * 3 / 5
        let expected = bytes / (4 * perOSD)
        guard let rec = ceph.recoveries.first, let end = rec.end else { return XCTFail("no recovery") }
        XCTAssertEqual((end - rec.start).seconds, expected, accuracy: 1)
        XCTAssertEqual(ceph.metrics().degradedRatio, 0)
        XCTAssertEqual(ceph.metrics().osdsIn, 4)
    }

    /// PGs block when fewer than min_size replicas are up: with size 3 / min_size 2 one host down
    /// blocks nothing, two hosts down block the PGs with two replicas on them.
    func testCephBlockedPlacementGroups() {
        let r = Run(host: Self.loop(), ceph: CephSpec(osdHostGroup: "ceph"), cephHosts: 5,
                    faults: [FaultSpec(at: .minutes(1), kind: .hostCrash, target: .host("ceph-01")),
                             FaultSpec(at: .minutes(2), kind: .hostCrash, target: .host("ceph-02"))])
        r.model.faultInjector.start()
        r.run(until: SimTime.zero + .seconds(100))
        XCTAssertEqual(r.storage.ceph!.blockedRatio(), 0)
        r.run(until: SimTime.zero + .minutes(4))
        // P(both failed hosts among a PG's 3 of 5) = C(2,2) C(3,1) / C(5,3) = 3/10
        XCTAssertEqual(r.storage.ceph!.blockedRatio(), 0.3, accuracy: 1e-9)
    }
}
