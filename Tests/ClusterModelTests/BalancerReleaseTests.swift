import XCTest
@testable import ClusterModel
import SimKernel

/// `BalancerTable` releases a proxy's balancers of older generations once nothing is in flight on
/// them (issue 14 item 4: memory flat in reloads), and the fluid path forgets their peers' state.
/// The run is the same as when every balancer is kept (`releaseRetired = false`), request by
/// request and tick by tick, while what is held stays bounded in the number of reloads.
final class BalancerReleaseTests: XCTestCase {
    struct Outcome {
        var table: String
        var events: [String]
        var offered: Double, served: Double, failed: Double
        /// stub_status' active connections and requests, read just before each reload.
        var stub: [String]
        /// The largest number of balancers held at a reload, and at the end; reloads that found
        /// requests in flight (the generation they leave drains before it is released).
        var maxHeld: Int, held: Int, busy: Int
        /// Balancers of an older generation found held with nothing in flight (at the reloads).
        var idle: Int
        /// Fluid mode: passive-health and last-reach entries at the end.
        var peerEntries: Int
    }

    /// 20 requests/s from 61 s, each about 50 ms of work (an instance at a third to a half of its
    /// capacity: an old generation often still holds requests when the next reload comes); a reload every 10 s from 60 s, cycling
    /// through every running task, all but the first, and every running task plus a stale address
    /// (refused: max_fails takes it out, "upstream server temporarily disabled").
    func run(_ mode: TrafficSpec.Mode, reloads n: Int, release: Bool) -> Outcome {
        let arrivals = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(61), rate: 0),
                                                                    .init(at: .seconds(61), rate: 20)]), poisson: true)
        let svc = TrafficHarness.service(arrivals, work: .exponential(mean: 0.05))
        let spec = TrafficHarness.spec(instances: 3, duration: .seconds(Int64(60 + 10 * n + 60)),
                                       traffic: TrafficSpec(mode: mode, services: [svc]))
        let obs = SubsystemTablesObserver()
        var stub: [String] = [], maxHeld = 0, busy = 0, idle = 0
        let (m, t, _) = TrafficHarness.run(spec, observer: obs, releaseBalancers: release) { f in
            f.scripted = (0..<n).map { k in
                (SimTime.zero + .seconds(Int64(60 + 10 * k)), { f in
                    let t = f.model.subsystems.compactMap { $0 as? TrafficModel }.first!
                    let w = ExporterProbe.scrape([t], MetricEndpoint(kind: .nginx, host: 0, port: 9113), f.model.sim.now).values
                    stub.append("\(w["nginx_connections_active"] ?? -1) \(w["nginx_http_requests_total"] ?? -1)")
                    maxHeld = max(maxHeld, t.table!.balancersInUse)
                    if t.table!.balancers.contains(where: { $0.inFlight > 0 }) { busy += 1 }
                    idle += t.table!.balancers.filter { $0.retired && $0.inFlight == 0 }.count
                    let running = f.runningServers()
                    switch k % 3 {
                    case 0: return running
                    case 1: return Array(running.dropFirst())
                    default:
                        return running + [UpstreamServer(address: "10.0.0.99", port: 31999, instance: ServiceInstance(task: 99_999, host: 98, port: 31999))]
                    }
                })
            }
        }
        let c = t.runTotals()
        XCTAssertEqual(generations(m), n, "a generation per reload")
        return Outcome(table: obs.sinks["traffic.csv"]?.text ?? "",
                       events: obs.memory.events.map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" },
                       offered: c.offered, served: c.served, failed: c.failed, stub: stub,
                       maxHeld: maxHeld, held: t.table!.balancersInUse, busy: busy, idle: idle,
                       peerEntries: (t.fluid?.peerState.count ?? 0) + (t.fluid?.lastReach.count ?? 0))
    }

    /// The fake proxy's generation (one per reload).
    func generations(_ m: ClusterSimulation) -> Int {
        (m.subsystems.compactMap { $0 as? FakeProxies }.first?.generation(ofProxy: 0)) ?? -1
    }

    func check(_ mode: TrafficSpec.Mode) {
        let kept = run(mode, reloads: 24, release: false)
        let released = run(mode, reloads: 24, release: true)
        XCTAssertGreaterThan(released.offered, 5_000)
        XCTAssertTrue(released.events.contains { $0.contains("upstreamDisabled") }, "max_fails takes the stale address out")
        // the same run
        XCTAssertEqual(released.table, kept.table, "traffic.csv")
        XCTAssertEqual(released.events, kept.events, "the event log")
        XCTAssertEqual(released.stub, kept.stub, "stub_status at every reload")
        XCTAssertEqual(released.offered, kept.offered); XCTAssertEqual(released.served, kept.served)
        XCTAssertEqual(released.failed, kept.failed)
        if mode == .request { XCTAssertGreaterThan(released.busy, 5, "reloads that leave requests in flight on the old generation") }
        // held: the running generation's balancer and the older ones still draining
        XCTAssertEqual(kept.held, 24, "kept: a balancer per generation that took requests")
        XCTAssertLessThanOrEqual(released.maxHeld, 3, "released: at most the running generation and a draining one or two")
        XCTAssertLessThanOrEqual(released.held, 3)
        XCTAssertEqual(released.idle, 0, "an older generation goes with its last request")
        // flat: twice the reloads hold no more
        let longer = run(mode, reloads: 48, release: true)
        XCTAssertLessThanOrEqual(longer.maxHeld, 3)
        if mode == .fluid {
            XCTAssertGreaterThan(kept.peerEntries, 24 * 2 * 2, "kept: each generation's peers' state")
            XCTAssertLessThanOrEqual(released.peerEntries, 2 * 4, "released: the running generation's peers only")
            XCTAssertLessThanOrEqual(longer.peerEntries, 2 * 4)
        }
    }

    func testRequestModeReleasesDrainedGenerationsWithTheSameRun() { check(.request) }

    func testFluidModeReleasesRetiredGenerationsAndTheirPeerState() { check(.fluid) }
}
