import XCTest
@testable import ClusterModel
import SimKernel

/// Traffic's observation walk reads each checked server through its task and host objects
/// (`HAProxyWatch`) and observes only the servers whose answer changed (`.watched`), or looks only
/// at the servers whose answer can have changed since the last walk (`.signalled`): both must see
/// every change at the same walk as observing every server through `reach` does.
final class HAProxyWatchTests: XCTestCase {
    /// The run of `testWatchedWalkSeesWhatTheFullWalkSees`: servers listed before they listen
    /// (reloads every second while the tasks start: they begin to answer with no signal),
    /// processes that hang, a crashed host and the relaunches.
    func hangsAndHostCrash() -> (ClusterSpec, [SimTime]) {
        let crash = FaultSpec(at: .minutes(3), kind: .hostCrash, target: .host("slave-01"), recoverAfter: .minutes(2))
        let s = HAProxyHarness.service(.constant(20), work: .exponential(mean: 0.02))
        var spec = TrafficHarness.spec(instances: 4, agents: 6, seed: 7, duration: .minutes(10), faults: [crash],
                                       traffic: TrafficSpec(mode: .request, services: [s]))
        // Mesos 1.5: its executors' TASK_STARTING updates are signals too (the run the walk counts
        // below were sized on; 1.4 sends none)
        spec.mesos?.version = MesosVersion(1, 5, 0)
        spec.marathon?.behaviour = [AppBehaviour(task: TaskBehaviour(startup: .exponential(mean: 8),
                                                                    health: .hangsAfter(.exponential(mean: 150), responseTime: .constant(0.005))),
                                                 imageSizeBytes: 100_000_000)]
        // Marathon kills the hung instances (3 failed checks) and relaunches them
        spec.marathon?.apps[0].healthChecks = [HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                                           interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)]
        let reloads = (1...40).map { SimTime.zero + .seconds($0) } + (1...40).map { SimTime.zero + .seconds(40 + 15 * $0) }
        return (spec, reloads)
    }

    /// Runs `spec` with HAProxy reloading at `reloads` and the walk in `walk`.
    /// Every change of how a server is seen: when, which, failing or not, since when.
    final class Trace { var lines: [String] = [] }

    func run(_ spec: ClusterSpec, reloads: [SimTime], walk: ObservationWalk) -> (TrafficModel, ClusterSimulation, Trace) {
        let trace = Trace()
        let (m, t, _) = HAProxyHarness.run(spec) { f in
            f.reloadAt = reloads
            f.onStart = { m in
                guard let t = m.subsystem(TrafficModel.self) else { return }
                t.observationWalk = walk
                t.onObserve = { name, bad, at in trace.lines.append("\(t.now) \(name) \(bad) \(at)") }
            }
        }
        return (t, m, trace)
    }

    /// Every backend's check states, the requests' outcomes and response times are the same.
    func assertSameObservations(_ fast: (TrafficModel, ClusterSimulation, Trace), _ full: (TrafficModel, ClusterSimulation, Trace),
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(full.2.lines.count, 10, "servers changed state", file: file, line: line)
        XCTAssertEqual(fast.2.lines.count, full.2.lines.count, file: file, line: line)
        if let k = fast.2.lines.indices.first(where: { $0 < full.2.lines.count && fast.2.lines[$0] != full.2.lines[$0] }) {
            XCTFail("observation \(k) differs: \(fast.2.lines[k]) vs \(full.2.lines[k])", file: file, line: line)
        }
        XCTAssertEqual(fast.1.sim.eventsProcessed, full.1.sim.eventsProcessed, file: file, line: line)
        let a = fast.0.runTotals(), b = full.0.runTotals()
        XCTAssertGreaterThan(a.failed, 0, "the faults cost requests", file: file, line: line)
        XCTAssertEqual(a.offered, b.offered, file: file, line: line)
        XCTAssertEqual(a.served, b.served, file: file, line: line)
        XCTAssertEqual(a.errorsDeadUpstream, b.errorsDeadUpstream, file: file, line: line)
        XCTAssertEqual(a.errorsTimeout, b.errorsTimeout, file: file, line: line)
        XCTAssertEqual(a.errorsNoUpstream, b.errorsNoUpstream, file: file, line: line)
        XCTAssertEqual(a.latencySumMs, b.latencySumMs, file: file, line: line)
        let tf = fast.0.haproxy!, tr = full.0.haproxy!
        XCTAssertEqual(tf.backends.count, tr.backends.count, file: file, line: line)
        for (x, y) in zip(tf.backends, tr.backends) {
            XCTAssertEqual(x.servers.map(\.bad), y.servers.map(\.bad), file: file, line: line)
            XCTAssertEqual(x.servers.map(\.since), y.servers.map(\.since), file: file, line: line)
        }
    }

    func testWatchedWalkSeesWhatTheFullWalkSees() {
        let (spec, reloads) = hangsAndHostCrash()
        let fast = run(spec, reloads: reloads, walk: .watched), full = run(spec, reloads: reloads, walk: .reach)
        XCTAssertGreaterThan(fast.0.watchSkips, 500, "the walk passed servers over through their watch")
        XCTAssertEqual(full.0.watchSkips, 0)
        assertSameObservations(fast, full)
    }

    /// The signalled walk on the same run: hangs come from its per-backend list, listening servers
    /// from the servers seen failing.
    func testSignalledWalkSeesWhatTheFullWalkSeesHangsAndHostCrash() {
        let (spec, reloads) = hangsAndHostCrash()
        let fast = run(spec, reloads: reloads, walk: .signalled), full = run(spec, reloads: reloads, walk: .reach)
        XCTAssertGreaterThan(fast.0.walkPassed, 200, "the signalled walk did not look at most servers")
        assertSameObservations(fast, full)
    }

    /// Deaths with no status update at that instant: tasks crashing on a host cut off from the
    /// masters (the agent keeps their updates until the partition heals) and the executors of a
    /// crashed agent giving up after `recovery_timeout` (1 min here: at 247.5 s). Only Mesos'
    /// `containerExited` tells the signalled walk. Few requests and reloads, and another app's
    /// status updates every few seconds, so that a walk, not a request or a new backend, is the
    /// first to see such a death: the test fails when traffic ignores `containerExited` (the
    /// walk then sees the executors' victim 42 s late, at a request).
    func testSignalledWalkSeesDeathsWithoutStatusUpdates() {
        let faults = [FaultSpec(at: .minutes(2), kind: .networkPartition, target: .host("slave-02"), healAfter: .minutes(4)),
                      FaultSpec(at: .milliseconds(187_500), kind: .agentCrash, target: .host("slave-03"), restartAfter: .minutes(5))]
        // few requests and reloads: a death is seen by a walk, not first by a request or a new backend
        let s = HAProxyHarness.service(.constant(0.1), work: .exponential(mean: 0.02))
        var spec = TrafficHarness.spec(instances: 12, agents: 6, seed: 11, duration: .minutes(12), faults: faults,
                                       traffic: TrafficSpec(mode: .request, services: [s]))
        spec.marathon?.apps[0].constraints = []   // several instances per host
        spec.mesos?.agentFlags.recoveryTimeout = .minutes(1)
        // an app without traffic whose tasks crash every few seconds: its status updates make the
        // walks that should see the deaths of the served app's tasks
        spec.marathon?.apps.append(MarathonRuntimeTests.app("/churn", instances: 6, cpus: 0.1, mem: 64))
        spec.marathon?.behaviour = [AppBehaviour(task: TaskBehaviour(startup: .exponential(mean: 5), timeToCrash: .exponential(mean: 300)),
                                                 imageSizeBytes: 100_000_000),
                                    AppBehaviour(task: TaskBehaviour(startup: .constant(1), timeToCrash: .exponential(mean: 20)),
                                                 imageSizeBytes: 100_000_000)]
        let reloads = (1...30).map { SimTime.zero + .seconds($0) } + (1...7).map { SimTime.zero + .seconds(100 * $0) }
        let fast = run(spec, reloads: reloads, walk: .signalled), full = run(spec, reloads: reloads, walk: .reach)
        let exits = fast.1.signals.published[SignalTopic.containerExits.rawValue]
        let updates = fast.1.signals.published[SignalTopic.taskStatus.rawValue]
        XCTAssertGreaterThan(exits, 10, "containers exited")
        XCTAssertGreaterThan(fast.0.walkPassed, 200, "the signalled walk did not look at most servers")
        XCTAssertGreaterThan(updates, 0)
        assertSameObservations(fast, full)
    }
}
