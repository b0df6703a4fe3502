import XCTest
@testable import ClusterModel
import SimKernel

/// Requests through marathon-lb's HAProxy (a stand-in control plane, `FakeHAProxy`): balance,
/// retries and redispatch, health checks, maxconn and the backend queue, the reload gap.
final class HAProxyFrontTests: XCTestCase {
    static let at60 = SimTime.zero + .seconds(60)
    /// `rate` requests/s, evenly spaced, from 61 s on (the first configuration comes at 60 s).
    static func fromMinute(_ rate: Double, poisson: Bool = false) -> ArrivalProcess {
        ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(61), rate: 0), .init(at: .seconds(61), rate: rate)]), poisson: poisson)
    }
    static func spec(instances: Int, duration: SimDuration = .minutes(4), faults: [FaultSpec] = [], _ s: TrafficService) -> ClusterSpec {
        TrafficHarness.spec(instances: instances, agents: 4, duration: duration, faults: faults, traffic: TrafficSpec(services: [s]))
    }
    static func backend(_ t: TrafficModel, _ k: Int = 0) -> HAProxyBackendState { t.haproxy!.backends[k] }

    /// `balance roundrobin` gives each server its weight's share; `leastconn` the idle one.
    func testRoundRobinIsWeightedAndLeastConnPicksTheIdleServer() {
        let s = HAProxyHarness.service(Self.fromMinute(1), work: .constant(2))
        let (_, rr, _) = HAProxyHarness.run(Self.spec(instances: 3, s)) { f in f.reloadAt = [Self.at60]; f.weights = [3, 1, 1] }
        let p = Self.backend(rr).servers.map(\.picks)
        XCTAssertEqual(p.reduce(0, +), 180)
        XCTAssertTrue(abs(p[0] - 108) <= 1 && abs(p[1] - 36) <= 1 && abs(p[2] - 36) <= 1, "3:1:1, got \(p)")
        let (_, lc, _) = HAProxyHarness.run(Self.spec(instances: 3, s)) { f in f.reloadAt = [Self.at60]; f.weights = [3, 1, 1]; f.balance = .leastConn }
        let q = Self.backend(lc).servers.map(\.picks)
        XCTAssertTrue(q.allSatisfy { abs($0 - 60) <= 1 }, "2 s requests every second: the idle server each time, got \(q)")
        XCTAssertEqual(lc.runTotals().failed, 0)
    }

    /// A stale server (nothing listens): each connection is refused; HAProxy retries it after the
    /// turn-around (min(timeout connect, 1 s)) twice more, then redispatches the last retry.
    func testRefusedServerRetriedThenRedispatched() {
        let s = HAProxyHarness.service(Self.fromMinute(4), work: .constant(0.01))
        let (_, t, _) = HAProxyHarness.run(Self.spec(instances: 3, s)) { f in
            f.reloadAt = [Self.at60]; f.check = nil
            f.extra = [HAProxyServer(name: "stale", address: "10.0.0.99", port: 31999, instance: nil)]
        }
        let c = t.runTotals()
        XCTAssertEqual(c.failed, 0, "redispatched")
        XCTAssertEqual(c.served + Double(t.requests.filter(\.live).count), c.offered)
        let b = Self.backend(t)
        XCTAssertEqual(Double(b.servers[3].picks), c.offered / 4 * 3, accuracy: 9, "a quarter of the requests, three connections each")
        XCTAssertEqual(c.latency.quantile(0.9) ?? 0, 3010, accuracy: 40, "three turn-arounds of 1 s, then served")
        XCTAssertLessThan(c.latency.quantile(0.5) ?? 1e9, 100)
    }

    /// A crashed host: connections time out (timeout connect 3 s) until HAProxy's checks mark the
    /// server DOWN, after `fall` failed checks at `inter` (3 x 2 s); the requests that met it are
    /// retried and redispatched (3 x 3 s), none fails, and later ones skip it.
    func testCrashedServerTimesOutUntilChecksMarkItDown() {
        let crash = FaultSpec(at: .minutes(2), kind: .hostCrash, target: .host("slave-01"))
        let s = HAProxyHarness.service(Self.fromMinute(20), work: .constant(0.01))
        let (m, t, _) = HAProxyHarness.run(Self.spec(instances: 4, faults: [crash], s)) { f in f.reloadAt = [Self.at60] }
        let c = t.runTotals()
        XCTAssertEqual(c.failed, 0)
        let b = Self.backend(t)
        guard let dead = b.servers.indices.first(where: { !b.isUp($0, now: m.sim.now) }) else { return XCTFail("the crashed host's server is DOWN") }
        let d = b.servers[dead]
        let tick = HAProxyBackendState.firstTick(phase: d.phase, inter: .seconds(2), atOrAfter: d.since)
        XCTAssertEqual(d.since, SimTime.zero + .minutes(2))
        XCTAssertLessThanOrEqual(tick + .seconds(4) - d.since, .seconds(6), "DOWN within fall x inter")
        // 5 requests/s reach the dead server until it is DOWN (< 6 s): at most ~30, each 9 s late
        let late = Double(c.latency.count) * (1 - 0.99)
        XCTAssertLessThan(late, 40)
        XCTAssertGreaterThan(c.latency.quantile(0.9999) ?? 0, 9000, "three connect timeouts, then the redispatch")
        XCTAssertLessThan(c.latency.quantile(0.99) ?? 1e9, 100, "fewer than 1 % met the dead server")
    }

    /// marathon-lb saves `show servers state` before a reload and the new process loads it: a
    /// server DOWN stays DOWN across reloads (no new round of timeouts after each).
    func testCheckStateSurvivesReloads() {
        let crash = FaultSpec(at: .minutes(2), kind: .hostCrash, target: .host("slave-01"))
        let s = HAProxyHarness.service(Self.fromMinute(20), work: .constant(0.01))
        let (_, t, f) = HAProxyHarness.run(Self.spec(instances: 4, faults: [crash], s)) { f in
            f.reloadAt = (0..<18).map { Self.at60 + .seconds(10 * $0) }
        }
        XCTAssertGreaterThan(f.configs.count, 15)
        let c = t.runTotals()
        XCTAssertEqual(c.failed, 0)
        XCTAssertLessThan(c.latency.quantile(0.99) ?? 1e9, 100, "only the requests before the first DOWN met the dead server")
    }

    /// Servers listed before their tasks listen fail their checks and go DOWN; once the tasks
    /// listen (no signal says so) the checks pass again and the servers come back UP.
    func testServersListedEarlyComeUpWhenTheyListen() {
        let s = HAProxyHarness.service(.constant(10), work: .constant(0.01))
        let (m, t, _) = HAProxyHarness.run(Self.spec(instances: 3, s)) { f in f.reloadAt = (1...30).map { SimTime.zero + .seconds($0) } }
        let b = t.haproxy!.backends.last { !$0.servers.isEmpty }!   // slots of released states have none
        XCTAssertEqual(b.servers.count, 3)
        XCTAssertTrue(b.servers.indices.allSatisfy { b.isUp($0, now: m.sim.now) }, "all UP again")
        XCTAssertEqual(b.failing, 0)
        XCTAssertEqual(t.total[0].failed + t.window[0].failed, t.runTotals().failed)
        XCTAssertLessThan(t.runTotals().failed, 1200, "only while the tasks started")
        XCTAssertGreaterThan(t.runTotals().served, 1200)
    }

    /// Checks are computed: DOWN at the first check tick at or after the failure plus (fall-1)·inter,
    /// UP again (rise-1)·inter after the first passing tick.
    func testCheckStateIsComputedFromTicks() {
        var srv = HAProxyServer(name: "a", address: "x", port: 1, instance: nil, check: HAProxyCheck(inter: .seconds(2), rise: 2, fall: 3))
        srv.weight = 1
        let b = HAProxyBackendState(HAProxyBackend(name: "b", app: 0, portIndex: 0, servers: [srv]), defaults: HAProxyDefaults(), stream: RandomStream(seed: 7, name: "checks"))
        b.servers[0].phase = .milliseconds(500)
        let t0 = SimTime.zero + .seconds(10)
        b.observe(0, bad: true, at: t0 + .milliseconds(100))     // first failing tick 10.5, DOWN at 14.5
        XCTAssertTrue(b.isUp(0, now: t0 + .milliseconds(4499)))
        XCTAssertFalse(b.isUp(0, now: t0 + .milliseconds(4500)))
        b.observe(0, bad: false, at: t0 + .seconds(20))           // first passing tick 30.5, UP at 32.5
        XCTAssertFalse(b.isUp(0, now: t0 + .milliseconds(22499)))
        XCTAssertTrue(b.isUp(0, now: t0 + .milliseconds(22500)))
    }

    /// HAProxy's health counter (src/check.c): a server new to HAProxy starts at `rise`, "up, but
    /// will fall down at first failure"; a failure run shorter than `fall` leaves a server UP and
    /// one pass makes it full again; a DOWN server short of `rise` passes falls back to 0 at a
    /// failure. Before, every failure run needed `fall` ticks and every recovery `rise`.
    func testCheckHealthIsHAProxysCounter() {
        var srv = HAProxyServer(name: "a", address: "x", port: 1, instance: nil, check: HAProxyCheck(inter: .seconds(2), rise: 2, fall: 3))
        srv.weight = 1
        func fresh(at created: SimTime) -> HAProxyBackendState {
            let b = HAProxyBackendState(HAProxyBackend(name: "b", app: 0, portIndex: 0, servers: [srv]), defaults: HAProxyDefaults(),
                                        stream: RandomStream(seed: 7, name: "checks"), createdAt: created)
            b.servers[0].phase = .milliseconds(500)
            return b
        }
        let t0 = SimTime.zero + .seconds(100)
        // new at 100.0 (ticks 100.5, 102.5 ...), failing from 100.2: DOWN at its first failed check
        let new = fresh(at: t0)
        XCTAssertTrue(new.isUp(0, now: t0 + .milliseconds(100)))
        new.observe(0, bad: true, at: t0 + .milliseconds(200))
        XCTAssertTrue(new.isUp(0, now: t0 + .milliseconds(499)))
        XCTAssertFalse(new.isUp(0, now: t0 + .milliseconds(500)))
        XCTAssertEqual(new.downAt(0), t0 + .milliseconds(500))
        // once it passed a check it is at full health: `fall` failures (DOWN at 104.5 + 4 = 108.5)
        let passed = fresh(at: t0)
        passed.observe(0, bad: true, at: t0 + .seconds(4))
        XCTAssertTrue(passed.isUp(0, now: t0 + .milliseconds(8499)))
        XCTAssertFalse(passed.isUp(0, now: t0 + .milliseconds(8500)))
        // a blip of two failed checks (104.5, 106.5) at full health: UP throughout, and after
        let blip = fresh(at: t0)
        blip.observe(0, bad: true, at: t0 + .seconds(4))
        blip.observe(0, bad: false, at: t0 + .seconds(7))
        for ms: Int64 in [6999, 7000, 8499, 8500, 20000] { XCTAssertTrue(blip.isUp(0, now: t0 + .milliseconds(ms)), "\(ms)") }
        XCTAssertEqual(blip.upAt(0), t0 + .seconds(7))
        // its pass at 108.5 made it full again ("OK now"): failing from 109, DOWN at the third failure
        blip.observe(0, bad: true, at: t0 + .seconds(9))
        XCTAssertTrue(blip.isUp(0, now: t0 + .milliseconds(14499)))
        XCTAssertEqual(blip.downAt(0), t0 + .milliseconds(14500))
        // DOWN at 108.5, one pass (114.5) short of rise 2, then a failure (116.5): still DOWN, and
        // two passes from 120.5 bring it UP at 122.5
        let flap = fresh(at: t0)
        flap.observe(0, bad: true, at: t0 + .seconds(4))
        flap.observe(0, bad: false, at: t0 + .seconds(14))
        flap.observe(0, bad: true, at: t0 + .seconds(16))
        for ms: Int64 in [14500, 16000, 16500, 19000] { XCTAssertFalse(flap.isUp(0, now: t0 + .milliseconds(ms)), "\(ms)") }
        XCTAssertEqual(flap.downAt(0), t0 + .seconds(16))
        flap.observe(0, bad: false, at: t0 + .seconds(20))
        XCTAssertFalse(flap.isUp(0, now: t0 + .milliseconds(22499)))
        XCTAssertTrue(flap.isUp(0, now: t0 + .milliseconds(22500)))
    }

    /// Per-server maxconn 1 and 2 s requests every second: half wait in the backend queue and,
    /// the queue growing, are answered 503 after timeout queue (30 s).
    func testMaxconnQueuesThen503AfterTimeoutQueue() {
        let s = HAProxyHarness.service(Self.fromMinute(1), work: .constant(2))
        let (_, t, _) = HAProxyHarness.run(Self.spec(instances: 1, s)) { f in f.reloadAt = [Self.at60]; f.serverMaxconn = 1 }
        let c = t.runTotals()
        XCTAssertEqual(c.offered, 180)
        XCTAssertEqual(c.served, 90, accuracy: 2, "one at a time, 2 s each")
        XCTAssertEqual(Double(t.haproxyQueueTimeouts), c.errorsNoUpstream)
        XCTAssertGreaterThan(c.errorsNoUpstream, 55)
        XCTAssertEqual(c.failed, c.errorsNoUpstream, "only queue timeouts")
        XCTAssertGreaterThan(c.latency.quantile(0.99) ?? 0, 25_000, "the served waited in the queue up to 30 s")
        let (_, free, _) = HAProxyHarness.run(Self.spec(instances: 1, s)) { f in f.reloadAt = [Self.at60] }
        XCTAssertEqual(free.haproxyQueueTimeouts, 0, "without maxconn nothing queues (the overloaded instance times out instead)")
        XCTAssertEqual(free.runTotals().failed, free.runTotals().errorsTimeout)
    }

    /// A reload gap of 1.1 s every 10 s: the SYNs that hit it are retransmitted 1 s later (or
    /// 3 s for those that hit it early); none is lost. Without the gap none is delayed.
    func testReloadGapDelaysRequestsByTheRetransmitNoneLost() {
        let s = HAProxyHarness.service(Self.fromMinute(10), work: .constant(0.01))
        let reloads = (0..<18).map { Self.at60 + .seconds(10 * $0) }
        let (_, gap, _) = HAProxyHarness.run(Self.spec(instances: 2, s)) { f in f.reloadAt = reloads; f.gap = .milliseconds(1100) }
        let c = gap.runTotals()
        XCTAssertEqual(c.failed, 0)
        XCTAssertEqual(c.served + Double(gap.requests.filter(\.live).count), c.offered, "none lost")
        XCTAssertEqual(c.offered, 1791)
        // 17 gaps after traffic starts (at 70 s, 80 s ...), 11 arrivals in each 1.1 s gap
        let delayedShare = 1 - 0.9
        XCTAssertGreaterThan(c.latency.quantile(1 - delayedShare / 2) ?? 0, 990)
        XCTAssertLessThan(c.latency.quantile(0.85) ?? 1e9, 100)
        let (_, none, _) = HAProxyHarness.run(Self.spec(instances: 2, s)) { f in f.reloadAt = reloads }
        XCTAssertLessThan(none.runTotals().latency.quantile(1) ?? 1e9, 100, "no gap: no request delayed")
    }

    /// A full maxconn queue through reloads with gaps: requests are lost only by queue timeout.
    func testFullQueueThroughReloadsLosesOnlyByQueueTimeout() {
        let s = HAProxyHarness.service(Self.fromMinute(2), work: .constant(1))
        let reloads = (0..<18).map { Self.at60 + .seconds(10 * $0) }
        let (_, t, _) = HAProxyHarness.run(Self.spec(instances: 1, s)) { f in
            f.reloadAt = reloads; f.gap = .milliseconds(1100); f.serverMaxconn = 1
        }
        let c = t.runTotals()
        XCTAssertGreaterThan(c.failed, 0)
        XCTAssertEqual(c.failed, Double(t.haproxyQueueTimeouts), "every loss is a queue timeout")
        XCTAssertEqual(c.served + c.failed, c.offered - Double(t.requests.filter(\.live).count), accuracy: 0.5)
    }
}
