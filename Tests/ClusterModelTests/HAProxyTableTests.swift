import XCTest
@testable import ClusterModel
import SimKernel

/// The data plane's HAProxy backend states over many reloads: what nothing can reach any more is
/// released and its slot reused, task and host changes go to the live backends only, and an old
/// generation still draining keeps its state until its last connection ends.
final class HAProxyTableTests: XCTestCase {
    static let at60 = SimTime.zero + .seconds(60)
    static func reloads(_ n: Int, every s: Int64) -> [SimTime] { (0..<n).map { at60 + .seconds(s * Int64($0)) } }

    /// 150 reloads, one every 2 s, under 10 requests/s (10 ms each): the table holds a handful
    /// of backend states, not one per reload; every request is served.
    func testReloadsDoNotGrowTheTable() {
        let s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(10), work: .constant(0.01))
        let (_, t, f) = HAProxyHarness.run(HAProxyFrontTests.spec(instances: 3, duration: .minutes(6), s)) { f in
            f.reloadAt = Self.reloads(150, every: 2)
        }
        let tab = t.haproxy!
        XCTAssertEqual(f.configs.count, 151)
        XCTAssertLessThanOrEqual(tab.backends.count, 4, "slots reused: a state per reload would be 150")
        XCTAssertLessThanOrEqual(tab.live.count, 3, "the current generation and what still drains")
        XCTAssertEqual(t.runTotals().failed, 0)
        XCTAssertGreaterThanOrEqual(t.runTotals().served, t.runTotals().offered - 1, "all but one in flight at the end")
    }

    /// Requests of about 2 s (0.2 s of work at the tasks' 0.1 CPU) across reloads every second:
    /// each old generation keeps its backend state (connections, picks, check state) while
    /// requests hold it, then it goes.
    func testDrainingGenerationsStayUntilTheirLastConnection() {
        let s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(1), work: .constant(0.2))
        let seen = TableSampler()
        let (_, t, _) = HAProxyHarness.run(HAProxyFrontTests.spec(instances: 3, duration: .minutes(4), s), observer: seen) { f in
            f.reloadAt = Self.reloads(120, every: 1)
        }
        let tab = t.haproxy!
        let mid = seen.samples.filter { $0.time > Self.at60 && $0.time < Self.at60 + .seconds(120) }
        XCTAssertFalse(mid.isEmpty)
        XCTAssertTrue(mid.allSatisfy { $0.inUse >= 2 && $0.inUse <= 8 }, "the current generation and those still holding a request: \(mid)")
        XCTAssertTrue(mid.allSatisfy { $0.active >= 1 })
        XCTAssertEqual(t.runTotals().failed, 0, "no request lost its backend while draining")
        XCTAssertGreaterThanOrEqual(t.runTotals().served, t.runTotals().offered - 3, "all but those in flight at the end")
        XCTAssertLessThanOrEqual(tab.backends.count, 8, "drained generations released, slots reused")
    }

    /// Fluid mode: the same reloads leave the table at the current generation's backend plus the
    /// newest of each name (the next generation's check state comes from it).
    func testFluidReloadsDoNotGrowTheTable() {
        var s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(50), work: .constant(0.01))
        s.arrivals.poisson = false
        let spec = TrafficHarness.spec(instances: 3, agents: 4, duration: .minutes(6),
                                       traffic: TrafficSpec(mode: .fluid, services: [s]))
        let (_, t, f) = HAProxyHarness.run(spec) { f in f.reloadAt = Self.reloads(150, every: 2) }
        XCTAssertEqual(f.configs.count, 151)
        XCTAssertLessThanOrEqual(t.haproxy!.backends.count, 3)
        XCTAssertEqual(t.runTotals().failed, 0)
    }

    /// The latency sketches of a window are found by (sketch, shift) as `==` compares shifts:
    /// -0 and 0 are one entry, NaN never matches, and the order of first appearance is kept.
    func testSketchesMergeByIdAndShift() {
        var c = TrafficCounters()
        c.addSketch(id: 1, points: [1], shiftMs: 0, count: 1)
        c.addSketch(id: 2, points: [2], shiftMs: 5, count: 1)
        c.addSketch(id: 1, points: [1], shiftMs: -0.0, count: 2)
        c.addSketch(id: 1, points: [1], shiftMs: .nan, count: 1)
        c.addSketch(id: 1, points: [1], shiftMs: .nan, count: 1)
        c.addSketch(id: 2, points: [2], shiftMs: 5, count: 3)
        XCTAssertEqual(c.sketches.map(\.id), [1, 2, 1, 1])
        XCTAssertEqual(c.sketches.map(\.count), [3, 4, 1, 1])
        c.clear()
        c.addSketch(id: 2, points: [2], shiftMs: 5, count: 1)
        XCTAssertEqual(c.sketches.map(\.count), [1], "the index is emptied with the list")
    }
}

/// Backend states in use and connections open in the table at each sample.
final class TableSampler: RunObserver {
    var samples: [(time: SimTime, inUse: Int, active: Int)] = []
    func record(_ event: LoggedEvent) {}
    func sample(_ model: ClusterSimulation, at time: SimTime) {
        guard let tab = model.subsystem(TrafficModel.self)?.haproxy else { return }
        samples.append((time, tab.backendsInUse, tab.backends.reduce(0) { $0 + $1.active }))
    }
}
