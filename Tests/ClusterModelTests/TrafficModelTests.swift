import XCTest
@testable import ClusterModel
import SimKernel

/// The request path through whole simulations: Mesos tasks as instances, a stand-in nginx
/// control plane (`FakeProxies`), per-request and fluid traffic.
final class TrafficModelTests: XCTestCase {
    /// 20 requests/s from 61 s on (the proxy's first configuration comes at 60 s).
    static let fromMinute = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(61), rate: 0),
                                                                            .init(at: .seconds(61), rate: 20)]), poisson: true)

    func totals(_ t: TrafficModel) -> TrafficCounters { t.runTotals() }

    /// An upstream server that names a task that does not exist (a stale address): every
    /// connection is refused; nginx counts the failure, passes the request on (proxy_next_upstream
    /// error) and keeps the peer out for fail_timeout, so it sees about one request per 10-11 s.
    func testRefusedConnectionGoesToTheNextUpstreamAndMaxFailsKeepsThePeerOut() {
        let spec = TrafficHarness.spec(instances: 3, duration: .minutes(11), traffic: TrafficSpec(services: [TrafficHarness.service(Self.fromMinute)]))
        let log = MemoryObserver()
        let (_, t, _) = TrafficHarness.run(spec, observer: log) { f in
            f.scripted = [(SimTime.zero + .seconds(60), { f in
                var s = f.runningServers()
                s.insert(UpstreamServer(address: "10.0.0.99", port: 31999, instance: ServiceInstance(task: 99_999, host: 98, port: 31999)), at: 1)
                return s
            })]
        }
        let c = totals(t)
        XCTAssertGreaterThan(c.offered, 10_000)
        XCTAssertEqual(c.failed, 0, "every refused request was served by the next peer")
        XCTAssertEqual(c.served, c.offered)
        let b = t.table!.balancers[0]
        XCTAssertEqual(b.count, 4)
        // 600 s with the stale peer: out for fail_timeout (10 s, whole seconds) after each failure
        XCTAssertTrue((50...62).contains(b.picks(1)), "stale peer tried \(b.picks(1)) times")
        XCTAssertGreaterThan(b.disabledCount, 45)
        let disabled = log.events.filter { $0.event == "upstreamDisabled" }
        XCTAssertEqual(disabled.count, b.disabledCount, "each time is logged, as nginx's \"upstream server temporarily disabled\"")
        XCTAssertEqual(disabled.first?.subject, "10.0.0.99:31999")
    }

    /// A crashed host does not answer: requests sent there wait proxy_connect_timeout (60 s),
    /// then go to the next peer and are served late; none fails.
    func testConnectTimeoutThenNextUpstream() {
        let crash = FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("slave-01"))
        let spec = TrafficHarness.spec(instances: 4, agents: 4, duration: .minutes(10), faults: [crash],
                                       traffic: TrafficSpec(services: [TrafficHarness.service(Self.fromMinute)]))
        let (m, t, f) = TrafficHarness.run(spec) { f in f.autoReloadAt = [SimTime.zero + .seconds(60)] }
        let onCrashed = f!.generations[1].filter { $0.instance?.host == m.infrastructure.hosts.firstIndex { $0.name == "slave-01" } }
        XCTAssertFalse(onCrashed.isEmpty, "an instance runs on the crashed host")
        let c = totals(t)
        XCTAssertEqual(c.failed, 0, "retried on the next peer after the connect timeout")
        XCTAssertGreaterThanOrEqual(c.latency.quantile(0.999) ?? 0, 60_000, "the requests sent to the dead host waited 60 s")
        let rows = t.faultRows()
        XCTAssertEqual(rows.count, 1)
        XCTAssertGreaterThan(rows[0].deadRouting, 200, "probes of the dead peer continue until the end (no reload)")
    }

    /// The 127.0.0.1:65535 placeholder (no instance left): every request is a 502 without a live upstream.
    func testPlaceholderUpstreamGives502() {
        let spec = TrafficHarness.spec(instances: 2, duration: .minutes(3), traffic: TrafficSpec(services: [TrafficHarness.service(Self.fromMinute)]))
        let (_, t, _) = TrafficHarness.run(spec) { f in
            f.scripted = [(SimTime.zero + .seconds(60), { _ in [UpstreamServer(address: "127.0.0.1", port: 65535, instance: nil)] })]
        }
        let c = totals(t)
        XCTAssertGreaterThan(c.offered, 1000)
        XCTAssertEqual(c.served, 0)
        XCTAssertEqual(c.errorsNoUpstream, c.offered)
    }

    /// A reload keeps the old generation for the requests that started under it: requests on the
    /// instance the new configuration dropped still complete; new ones never go there.
    func testOldGenerationDrainsAfterAReload() {
        let slow = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(61), rate: 0),
                                                                .init(at: .seconds(61), rate: 0.5)]), poisson: false)
        let spec = TrafficHarness.spec(instances: 3, duration: .minutes(5),
                                       traffic: TrafficSpec(services: [TrafficHarness.service(slow, work: .constant(2))]))
        // every balancer kept, so the drained generation's can be read after the run
        let (_, t, _) = TrafficHarness.run(spec, releaseBalancers: false) { f in
            f.scripted = [(SimTime.zero + .seconds(60), { $0.runningServers() }),
                          (SimTime.zero + .seconds(75), { Array($0.runningServers().dropFirst()) })]
        }
        let old = t.table!.balancers[0], new = t.table!.balancers[1]
        XCTAssertEqual(old.count, 3); XCTAssertEqual(new.count, 2)
        XCTAssertGreaterThan(old.picks(0), 1, "the dropped instance took requests before the reload")
        XCTAssertEqual(old.inFlight, 0, "the old generation drained")
        XCTAssertEqual(old.picks(0) + old.picks(1) + old.picks(2), 7, "the requests of 61-73 s stayed with generation 1")
        let c = totals(t)
        XCTAssertEqual(c.failed, 0)
        XCTAssertGreaterThanOrEqual(c.latency.quantile(0.01) ?? 0, 1_990, "served after their 2 s of work")
        XCTAssertEqual(new.picks(0) + new.picks(1), Int(c.offered) - 7)
    }

    /// Same scenario and seed: the same traffic.csv, byte for byte.
    /// Fluid mode does its work inside one tick event per second, so `fluidWork` (what the fuzzer's
    /// budget adds to engine events) counts it: at least a step per tick, and a FIFO latency sketch
    /// (a 50-step bisection over 100 levels) weighs 5,000 where a processor-sharing one weighs 100.
    func testFluidWorkCountsStepsAndSketches() {
        func work(_ d: QueueDiscipline, rate: ArrivalProcess) -> (work: Int, ticks: Int) {
            let svc = TrafficHarness.service(rate, entry: .direct, discipline: d)
            let (_, t, _) = TrafficHarness.run(TrafficHarness.spec(instances: 2, duration: .minutes(10), traffic: TrafficSpec(mode: .fluid, services: [svc])))
            return (t.fluidWork, 600)
        }
        let ramp = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 10), .init(at: .minutes(10), rate: 40)]), poisson: true)
        let ps = work(.processorSharing, rate: ramp), fifo = work(.fifo(concurrency: 4), rate: ramp)
        XCTAssertGreaterThanOrEqual(ps.work, ps.ticks, "a step per service and tick")
        XCTAssertGreaterThan(fifo.work, 20 * ps.work, "a rising rate recomputes FIFO sketches, each 50 times a PS one: \(fifo.work) vs \(ps.work)")
        let flat = work(.fifo(concurrency: 4), rate: .poisson(20))
        XCTAssertLessThan(flat.work * 5, fifo.work, "a constant rate keeps its sketch: \(flat.work)")
    }

    func testSameSeedSameTrafficTable() {
        func once() -> String {
            let obs = SubsystemTablesObserver()
            let spec = TrafficHarness.spec(instances: 3, duration: .minutes(5), traffic: TrafficSpec(services: [TrafficHarness.service(Self.fromMinute)]))
            _ = TrafficHarness.run(spec, observer: obs) { f in f.autoReloadAt = [SimTime.zero + .seconds(60)] }
            return obs.sinks["traffic.csv"]?.text ?? ""
        }
        let a = once(), b = once()
        XCTAssertTrue(a.contains(",web,"), a)
        XCTAssertEqual(a.split(separator: "\n").count, 7)
        XCTAssertEqual(a, b)
    }
}
