import XCTest
@testable import ClusterModel
import SimKernel

/// Per-request and fluid traffic agree where both run.
final class TrafficAgreementTests: XCTestCase {
    /// M/M/4 at rho = 0.75 (30 requests/s, mean work 100 ms, FIFO with 4 workers, one instance,
    /// direct clients): the fluid mean response time is Erlang C's Wq + 1/mu, and it lies in the
    /// 95 % Student-t interval of the per-request means over 8 seeds of 30 simulated minutes.
    func testFluidMeanResponseTimeIsErlangCAndInsideThePerRequestInterval() {
        let lambda = 30.0, mean = 0.1, c = 4
        func spec(_ mode: TrafficSpec.Mode, seed: UInt64) -> ClusterSpec {
            let svc = TrafficHarness.service(.poisson(lambda), work: .exponential(mean: mean), entry: .direct, discipline: .fifo(concurrency: c))
            return TrafficHarness.spec(instances: 1, agents: 1, seed: seed, duration: .minutes(30), traffic: TrafficSpec(mode: mode, services: [svc]))
        }
        // Erlang C by its textbook formula (independent of the model's recursion)
        let a = lambda * mean, rho = a / Double(c)
        var sum = 0.0, term = 1.0
        for k in 0..<c { if k > 0 { term *= a / Double(k) }; sum += term }
        let top = term * a / Double(c) / (1 - rho)
        let erlangC = top / (sum + top)
        let analyticMs = (erlangC / (Double(c) / mean - lambda) + mean) * 1000
        let (_, fluid, _) = TrafficHarness.run(spec(.fluid, seed: 1))
        let f = fluid.runTotals()
        let fluidMs = f.latencySumMs / f.served
        XCTAssertEqual(fluidMs, analyticMs, accuracy: analyticMs * 1e-6)
        var means: [Double] = []
        for seed in 1...8 {
            let (_, t, _) = TrafficHarness.run(spec(.request, seed: UInt64(seed)))
            let r = t.runTotals()
            XCTAssertGreaterThan(r.served, 40_000)
            means.append(r.latencySumMs / r.served)
        }
        let ci = ConfidenceInterval.ofMean(means, level: 0.95)
        XCTAssertTrue(ci.contains(fluidMs), "fluid \(fluidMs) ms outside the per-request interval \(ci.lower)...\(ci.upper) ms")
        XCTAssertLessThan(ci.halfWidth, 0.05 * analyticMs, "the interval is tight enough to mean something")
    }

    /// A host loss under direct clients (no retries): each request sent to the dead instance
    /// times out after 60 s until Marathon reports the task lost and the client drops it. Both
    /// modes count the same errors within 10 %: the per-request count is Poisson-noisy (about
    /// 1,000 errors: 3 % standard deviation) and the fluid mode sees the dead instance at tick
    /// boundaries (1 s of a ~80 s window: ~1.5 %), so 10 % is above three standard deviations.
    func testHostLossErrorsAgreeBetweenFluidAndPerRequest() {
        func errors(_ mode: TrafficSpec.Mode) -> (Double, Double) {
            let crash = FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("slave-01"))
            let svc = TrafficHarness.service(.poisson(60), entry: .direct)
            let spec = TrafficHarness.spec(instances: 4, agents: 4, duration: .minutes(20), faults: [crash], traffic: TrafficSpec(mode: mode, services: [svc]))
            let (m, t, _) = TrafficHarness.run(spec)
            let r = t.runTotals()
            let rows = withExtendedLifetime(m) { t.faultRows() }
            XCTAssertEqual(rows.count, 1)
            return (r.errorsTimeout, rows.first?.deadRouting ?? 0)
        }
        let (req, reqDead) = errors(.request), (flu, fluDead) = errors(.fluid)
        XCTAssertGreaterThan(req, 300, "requests to the dead instance failed")
        XCTAssertEqual(flu, req, accuracy: 0.10 * req, "fluid \(flu) vs per-request \(req)")
        XCTAssertEqual(fluDead, reqDead, accuracy: 3, "dead routing: fluid \(fluDead) s vs per-request \(reqDead) s")
    }

    /// Through nginx (the stand-in control plane, no reload after the crash): both modes serve
    /// every request, the ones sent to the dead host during its first proxy_connect_timeout come
    /// back 60 s late (about 2.5 % of them: above p99, below p95), and nginx probes the dead peer
    /// once per fail_timeout until the end (dead routing within one probe period).
    func testNginxHostLossAgreesBetweenModes() {
        func run(_ mode: TrafficSpec.Mode) -> (TrafficCounters, Double) {
            let crash = FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("slave-01"))
            let svc = TrafficHarness.service(TrafficModelTests.fromMinute)
            let spec = TrafficHarness.spec(instances: 4, agents: 4, duration: .minutes(10), faults: [crash], traffic: TrafficSpec(mode: mode, services: [svc]))
            let (m, t, _) = TrafficHarness.run(spec) { f in f.autoReloadAt = [SimTime.zero + .seconds(60)] }
            return withExtendedLifetime(m) { (t.runTotals(), t.faultRows().first?.deadRouting ?? -1) }
        }
        let (req, reqDead) = run(.request), (flu, fluDead) = run(.fluid)
        for (name, c) in [("per-request", req), ("fluid", flu)] {
            XCTAssertEqual(c.failed, 0, accuracy: 1e-6, name)
            XCTAssertGreaterThanOrEqual(c.latency.quantile(0.99) ?? 0, 60_000, name)
            XCTAssertLessThan(c.latency.quantile(0.95) ?? .infinity, 1_000, name)
        }
        XCTAssertEqual(flu.served, req.served, accuracy: 0.03 * req.served)
        XCTAssertEqual(fluDead, reqDead, accuracy: 12, "dead routing: fluid \(fluDead) s, per-request \(reqDead) s")
    }

    /// The placeholder upstream in fluid mode: every request is a 502 without a live upstream.
    func testFluidPlaceholderGives502() {
        let spec = TrafficHarness.spec(instances: 2, duration: .minutes(3),
                                       traffic: TrafficSpec(mode: .fluid, services: [TrafficHarness.service(TrafficModelTests.fromMinute)]))
        let (_, t, _) = TrafficHarness.run(spec) { f in
            f.scripted = [(SimTime.zero + .seconds(60), { _ in [UpstreamServer(address: "127.0.0.1", port: 65535, instance: nil)] })]
        }
        let c = t.runTotals()
        XCTAssertGreaterThan(c.offered, 2000)
        XCTAssertEqual(c.served, 0)
        XCTAssertEqual(c.errorsNoUpstream, c.offered, accuracy: 1e-6 * c.offered)
    }
}
