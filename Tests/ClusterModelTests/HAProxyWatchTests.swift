import XCTest
@testable import ClusterModel
import SimKernel

/// Traffic's observation walk reads each checked server through its task and host objects
/// (`HAProxyWatch`) and observes only the servers whose answer changed: it must see every change
/// at the same walk as observing every server through `reach` does.
final class HAProxyWatchTests: XCTestCase {
    /// A run with servers listed before they listen (reloads every second while the tasks start:
    /// they begin to answer with no signal), processes that hang, a crashed host and the
    /// relaunches: the check states of every backend, the requests' outcomes and response times
    /// are the same with the watch and with a `reach` per server and walk.
    func testWatchedWalkSeesWhatTheFullWalkSees() {
        let crash = FaultSpec(at: .minutes(3), kind: .hostCrash, target: .host("slave-01"), recoverAfter: .minutes(2))
        let s = HAProxyHarness.service(.constant(20), work: .exponential(mean: 0.02))
        var spec = TrafficHarness.spec(instances: 4, agents: 6, seed: 7, duration: .minutes(10), faults: [crash],
                                       traffic: TrafficSpec(mode: .request, services: [s]))
        spec.marathon?.behaviour = [AppBehaviour(task: TaskBehaviour(startup: .exponential(mean: 8),
                                                                    health: .hangsAfter(.exponential(mean: 150), responseTime: .constant(0.005))),
                                                 imageSizeBytes: 100_000_000)]
        // Marathon kills the hung instances (3 failed checks) and relaunches them
        spec.marathon?.apps[0].healthChecks = [HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                                           interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)]
        let reloads = (1...40).map { SimTime.zero + .seconds($0) } + (1...40).map { SimTime.zero + .seconds(40 + 15 * $0) }
        func run(watch: Bool) -> (TrafficModel, ClusterSimulation) {
            let (m, t, _) = HAProxyHarness.run(spec) { f in
                f.reloadAt = reloads
                f.onStart = { m in m.subsystem(TrafficModel.self)?.watchServers = watch }
            }
            return (t, m)
        }
        let (fast, mf) = run(watch: true), (full, mr) = run(watch: false)
        XCTAssertGreaterThan(fast.watchSkips, 1000, "the walk passed servers over through their watch")
        XCTAssertEqual(full.watchSkips, 0)
        XCTAssertEqual(mf.sim.eventsProcessed, mr.sim.eventsProcessed)
        let a = fast.runTotals(), b = full.runTotals()
        XCTAssertGreaterThan(a.failed, 0, "the hangs and the crash cost requests")
        XCTAssertEqual(a.offered, b.offered)
        XCTAssertEqual(a.served, b.served)
        XCTAssertEqual(a.errorsDeadUpstream, b.errorsDeadUpstream)
        XCTAssertEqual(a.errorsTimeout, b.errorsTimeout)
        XCTAssertEqual(a.errorsNoUpstream, b.errorsNoUpstream)
        XCTAssertEqual(a.latencySumMs, b.latencySumMs)
        let tf = fast.haproxy!, tr = full.haproxy!
        XCTAssertEqual(tf.backends.count, tr.backends.count)
        var bad = 0
        for (x, y) in zip(tf.backends, tr.backends) {
            XCTAssertEqual(x.servers.map(\.bad), y.servers.map(\.bad))
            XCTAssertEqual(x.servers.map(\.since), y.servers.map(\.since))
            bad += x.servers.filter(\.bad).count
        }
        XCTAssertGreaterThan(bad + fast.haproxy!.backends.reduce(0) { $0 + $1.servers.filter { $0.since > .zero }.count }, 0,
                             "servers changed state during the run")
    }
}
