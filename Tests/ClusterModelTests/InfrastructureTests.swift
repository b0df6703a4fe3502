import XCTest
@testable import ClusterModel
import SimKernel

final class InfrastructureTests: XCTestCase {
    func group(_ name: String, _ count: Int, cpus: Double = 8, racks: [String] = ["rack-01"]) -> HostGroupSpec {
        HostGroupSpec(name: name, count: count, datacenter: "dc01", racks: racks, cpus: cpus,
                      memoryBytes: 32 << 30, diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)
    }

    func spec(_ faults: [FaultSpec], groups: [HostGroupSpec]? = nil, seed: UInt64 = 1,
              duration: SimDuration = .hours(2), interval: SimDuration = .minutes(1)) -> ClusterSpec {
        ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: interval,
                    hostGroups: groups ?? [group("slave", 4)], faults: faults)
    }

    func run(_ s: ClusterSpec) -> (ClusterSimulation, MemoryObserver) {
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s, observer: o)
        XCTAssertTrue(m.run())
        return (m, o)
    }

    func events(_ o: MemoryObserver, _ name: String) -> [LoggedEvent] { o.events.filter { $0.event == name } }

    func testHostNamesAndRackSpread() {
        let s = spec([], groups: [group("slave", 12, racks: ["a", "b", "c"])])
        let m = ClusterSimulation(spec: s, observer: MemoryObserver())
        let hosts = m.infrastructure.hosts
        XCTAssertEqual(hosts.map(\.name).prefix(3), ["slave-01", "slave-02", "slave-03"])
        XCTAssertEqual(hosts.last!.name, "slave-12")
        XCTAssertEqual(hosts.map(\.rack).prefix(4), ["a", "b", "c", "a"])
        XCTAssertEqual(HostGroupSpec(name: "x", count: 150, datacenter: "d", racks: [], cpus: 1, memoryBytes: 1,
                                     diskBytes: 1, nicBitsPerSecond: 1).hostName(4), "x-005")
    }

    func testCrashRemovesCapacityUntilRecovery() {
        let s = spec([FaultSpec(at: .minutes(30), kind: .hostCrash, target: .host("slave-03"), recoverAfter: .minutes(20))])
        let (m, o) = run(s)
        // one sample per minute from 0 to 120 inclusive
        XCTAssertEqual(o.samples.count, 121)
        for (t, up, cpus) in o.samples {
            let down = t >= SimTime.zero + .minutes(30) && t < SimTime.zero + .minutes(50)
            XCTAssertEqual(up, down ? 3 : 4, "at \(t)")
            XCTAssertEqual(cpus, down ? 24 : 32, "at \(t)")
        }
        XCTAssertEqual(events(o, "crashed").map(\.time), [SimTime.zero + .minutes(30)])
        XCTAssertEqual(events(o, "recovered").map(\.time), [SimTime.zero + .minutes(50)])
        let sum = m.summary()
        XCTAssertEqual(sum.hostDowntime, .minutes(20))
        XCTAssertEqual(sum.degraded, .minutes(20))
        XCTAssertEqual(sum.minHostsUp, 3)
        XCTAssertEqual(sum.cpuAvailability, 1 - (8.0 * 1200) / (32.0 * 7200), accuracy: 1e-12)
    }

    func testRebootAndCrashOfRebootingHostIsIgnored() {
        let s = spec([
            FaultSpec(at: .minutes(10), kind: .hostReboot, target: .host("slave-01"), downFor: .minutes(3)),
            FaultSpec(at: .minutes(11), kind: .hostCrash, target: .host("slave-01")),
        ])
        let (m, o) = run(s)
        XCTAssertEqual(events(o, "rebootStarted").map(\.time), [SimTime.zero + .minutes(10)])
        XCTAssertEqual(events(o, "crashIgnored").map(\.time), [SimTime.zero + .minutes(11)])
        XCTAssertEqual(events(o, "rebootCompleted").map(\.time), [SimTime.zero + .minutes(13)])
        XCTAssertEqual(m.infrastructure.hostsUp, 4)
        XCTAssertEqual(m.summary().hostReboots, 1)
        XCTAssertEqual(m.summary().hostCrashes, 0)
    }

    func testStaleRecoveryIsIgnoredAfterAnotherCrash() {
        // crash (recover after 20m) at 0:10, explicit recover at 0:15, crash again (no auto-recovery) at 0:20:
        // the recovery scheduled for 0:30 belongs to the first outage and must not revive the host.
        let s = spec([
            FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .minutes(20)),
            FaultSpec(at: .minutes(15), kind: .hostRecover, target: .host("slave-02")),
            FaultSpec(at: .minutes(20), kind: .hostCrash, target: .host("slave-02")),
        ])
        let (m, o) = run(s)
        XCTAssertEqual(events(o, "recovered").map(\.time), [SimTime.zero + .minutes(15)])
        XCTAssertEqual(m.infrastructure.host(named: "slave-02")!.state, .down)
        XCTAssertEqual(m.summary().hostDowntime, .minutes(5) + .minutes(100))
    }

    func testSampleAtFaultInstantShowsTheFault() {
        let s = spec([FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("slave-01"))])
        let (_, o) = run(s)
        let at5 = o.samples.first { $0.time == SimTime.zero + .minutes(5) }!
        XCTAssertEqual(at5.hostsUp, 3)
    }

    func testGroupFaultPicksDistinctEligibleHostsDeterministically() {
        func picked(seed: UInt64, extraGroup: Bool) -> [String] {
            var groups = [group("slave", 10)]
            if extraGroup { groups.append(group("edge", 5)) }
            let s = spec([
                FaultSpec(at: .minutes(1), kind: .hostCrash, target: .host("slave-04")),
                FaultSpec(at: .minutes(2), kind: .hostCrash, target: .group("slave", count: 3)),
            ], groups: groups, seed: seed)
            let (_, o) = run(s)
            let crashed = events(o, "crashed").map(\.subject)
            XCTAssertEqual(crashed.first, "slave-04")
            return Array(crashed.dropFirst())
        }
        let a = picked(seed: 11, extraGroup: false)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(Set(a).count, 3)                   // distinct hosts
        XCTAssertFalse(a.contains("slave-04"))            // slave-04 was already down: not eligible
        XCTAssertEqual(a, picked(seed: 11, extraGroup: false))   // same seed, same picks
        XCTAssertEqual(a, picked(seed: 11, extraGroup: true))    // another group does not change the draws
        let others = (1...20).map { picked(seed: $0, extraGroup: false) }
        XCTAssertGreaterThan(Set(others.map { $0.joined(separator: ",") }).count, 5)  // seeds matter
    }

    func testGroupRecoverPicksOnlyDownHostsAndReportsShortfall() {
        let s = spec([
            FaultSpec(at: .minutes(1), kind: .hostCrash, target: .host("slave-02")),
            FaultSpec(at: .minutes(2), kind: .hostRecover, target: .group("slave", count: 2)),
        ])
        let (m, o) = run(s)
        XCTAssertEqual(events(o, "recovered").map(\.subject), ["slave-02"])
        XCTAssertEqual(events(o, "fewerTargets").count, 1)
        XCTAssertEqual(m.infrastructure.hostsUp, 4)
    }

    func testAllocationFollowsHostState() {
        let m = ClusterSimulation(spec: spec([]), observer: MemoryObserver())
        let infra = m.infrastructure
        let h = infra.hosts[0]
        XCTAssertTrue(infra.allocate(h, cpus: 6, memoryBytes: 1 << 30, diskBytes: 0))
        XCTAssertFalse(infra.allocate(h, cpus: 3, memoryBytes: 0, diskBytes: 0))
        XCTAssertEqual(infra.freeCpus, 26)
        infra.crash(h, recoverAfter: nil, cause: "test")
        XCTAssertEqual(infra.freeCpus, 24)
        XCTAssertEqual(infra.allocatedCpus, 0)
        XCTAssertFalse(infra.allocate(h, cpus: 1, memoryBytes: 0, diskBytes: 0))
    }
}

final class HostAttributeTests: XCTestCase {
    func testRackAndDatacenterAttributesAreAddedUnlessGiven() {
        var g = HostGroupSpec(name: "slave", count: 2, datacenter: "dc02", racks: ["r1", "r2"], cpus: 1, memoryBytes: 1,
                              diskBytes: 1, nicBitsPerSecond: 1, attributes: [Attribute(name: "disk", value: "ssd")])
        var m = ClusterSimulation(spec: ClusterSpec(name: "a", duration: .minutes(1), hostGroups: [g]), observer: NullObserver())
        XCTAssertEqual(m.infrastructure.hosts[1].attributes.map { "\($0.name):\($0.value)" }, ["disk:ssd", "rack_id:r2", "datacenter:dc02"])
        g.attributes = [Attribute(name: "rack_id", value: "custom")]
        m = ClusterSimulation(spec: ClusterSpec(name: "a", duration: .minutes(1), hostGroups: [g]), observer: NullObserver())
        XCTAssertEqual(m.infrastructure.hosts[0].attributes.map { "\($0.name):\($0.value)" }, ["rack_id:custom", "datacenter:dc02"])
    }
}
