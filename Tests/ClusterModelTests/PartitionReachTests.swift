import XCTest
@testable import ClusterModel
import SimKernel

/// One meaning of a `networkPartition` fault for every subsystem (docs/scenarios.md, `faults`):
/// the partitioned host cannot exchange packets with the masters' and ZooKeeper's hosts
/// (`MesosCluster.cut`); every other path works. Traffic's connections and HAProxy's checks take
/// the path from the load balancer's host to the task's host.
final class PartitionReachTests: XCTestCase {
    /// slave-02 is cut off from 2 min to 6 min; 6 instances on 6 agents (one per agent), 20
    /// requests/s from 61 s on through marathon-lb's HAProxy (the fake control plane) reloading every 30 s.
    func run(lbHost: String, mode: TrafficSpec.Mode = .request, walk: ObservationWalk = .signalled, reloads: Int = 15, heal: SimDuration = .minutes(4))
        -> (ClusterSimulation, TrafficModel, [(name: String, bad: Bool, at: SimTime)]) {
        let cut = FaultSpec(at: .minutes(2), kind: .networkPartition, target: .host("slave-02"), healAfter: heal)
        let s = HAProxyHarness.service(HAProxyFrontTests.fromMinute(20), work: .exponential(mean: 0.02))
        let spec = TrafficHarness.spec(instances: 6, agents: 6, seed: 3, duration: .minutes(8), faults: [cut],
                                       traffic: TrafficSpec(mode: mode, services: [s]))
        final class Seen { var list: [(name: String, bad: Bool, at: SimTime)] = [] }
        let seen = Seen()
        let (m, t, _) = HAProxyHarness.run(spec) { f in
            f.reloadAt = (1...reloads).map { SimTime.zero + .seconds(Int64(30 * $0)) }
            f.onStart = { m in
                f.instanceHosts = [m.infrastructure.hosts.first { $0.name == lbHost }!.index]
                guard let t = m.subsystem(TrafficModel.self) else { return }
                t.observationWalk = walk
                t.onObserve = { name, bad, at in seen.list.append((name, bad, at)) }
            }
        }
        return (m, t, seen.list)
    }

    /// The HAProxy server names of the tasks on `host` (the fake names a server "s<task id>").
    func servers(on host: String, _ m: ClusterSimulation) -> Set<String> {
        let mesos = m.mesos!
        return Set(mesos.tasks.indices.compactMap { id in
            guard let t = mesos.task(id), mesos.agents[t.agent].host.name == host else { return nil }
            return "s\(id)"
        })
    }

    /// HAProxy on an agent (no master or ZooKeeper server there) still reaches the partitioned
    /// agent's task: its checks pass and no request waits for a connect timeout. Fails when a
    /// partition cuts its host off from every host.
    func testLoadBalancerOffTheControlPlaneReachesThePartitionedAgent() {
        let (m, t, seen) = run(lbHost: "slave-01")
        XCTAssertFalse(servers(on: "slave-02", m).isEmpty, "a task ran on the partitioned agent")
        XCTAssertTrue(seen.filter { $0.bad }.isEmpty, "no server failed its checks: \(seen.filter { $0.bad }.map(\.name))")
        let c = t.runTotals()
        XCTAssertEqual(c.offered, 8380, accuracy: 1)
        XCTAssertEqual(c.errorsTimeout, 0, "no connection to the partitioned agent went unanswered")
        XCTAssertEqual(c.failed, 0)
    }

    /// HAProxy on a master's host: the checks go the way the requests go, so the partitioned
    /// agent's server fails them from the partition on (DOWN after `fall` checks) and passes them
    /// again from the heal. Fails when the checks are judged from the task's own host.
    func testChecksTakeThePathFromTheLoadBalancer() {
        let (m, t, seen) = run(lbHost: "master-01")
        let cutOff = servers(on: "slave-02", m)
        XCTAssertFalse(cutOff.isEmpty)
        let mine = seen.filter { cutOff.contains($0.name) }
        XCTAssertTrue(mine.contains { $0.bad && $0.at == SimTime.zero + .minutes(2) },
                      "seen failing at the partition: \(mine.map { "\($0.name) \($0.bad) \($0.at)" })")
        XCTAssertTrue(mine.contains { !$0.bad && $0.at == SimTime.zero + .minutes(6) }, "seen answering at the heal \(mine.map { "\($0.name) \($0.bad) \($0.at)" })")
        XCTAssertTrue(seen.filter { !cutOff.contains($0.name) }.allSatisfy { !$0.bad }, "only the partitioned agent's servers failed")
        // HAProxy stops sending to it once DOWN: the connections that wait for `timeout connect`
        // are those of the first seconds (fall 3 × inter 2 s), not of the 4 minutes (1/6 of them
        // would be 8 % of all requests)
        let c = t.runTotals()
        XCTAssertEqual(c.failed, 0, "redispatched after the connect timeout")
        XCTAssertLessThan(c.latency.quantile(0.99) ?? 1e9, 1000, "under 1 % waited for a connect timeout")
    }

    /// The same run looked at by each observation walk: the signalled and watched walks see the
    /// partition and its heal when the full walk does (a partition moves Mesos' `probeEpoch`).
    func testEveryWalkSeesThePartitionOfTheLoadBalancersPath() {
        let full = run(lbHost: "master-01", walk: .reach).2.map { "\($0.name) \($0.bad) \($0.at)" }
        XCTAssertTrue(full.contains { $0.contains(" true ") }, "a server was seen failing")
        for walk in [ObservationWalk.watched, .signalled] {
            XCTAssertEqual(run(lbHost: "master-01", walk: walk).2.map { "\($0.name) \($0.bad) \($0.at)" }, full, "\(walk)")
        }
    }

    /// Fluid mode, no reload after 90 s: when the partition heals (no fault fires then), the
    /// steady state computed without the DOWN server ends, and it gets its share again.
    func testFluidSteadyStateEndsAtTheHeal() {
        let (m, t, seen) = run(lbHost: "master-01", mode: .fluid, reloads: 3)
        let cutOff = servers(on: "slave-02", m)
        XCTAssertTrue(seen.contains { cutOff.contains($0.name) && $0.bad }, "DOWN during the partition")
        // the last step's balancing: a steady state's tasks, or else computed at that step
        let tasks = Set((t.fluid!.steady[0]?.tasks ?? m.mesos!.tasks.indices.map { $0 }).map { "s\($0)" })
        XCTAssertFalse(cutOff.isDisjoint(with: tasks), "the healed server is balanced to again: \(tasks)")
    }

    /// The same with a 40 s partition: it heals before the master gives up on the agent (75 s
    /// without pongs), so no status update or instance change comes at the heal; only the heal
    /// (Mesos' `probeEpoch`) ends the steady state.
    func testFluidSteadyStateEndsAtAShortPartitionsHeal() {
        let (m, t, seen) = run(lbHost: "master-01", mode: .fluid, reloads: 3, heal: .seconds(40))
        let cutOff = servers(on: "slave-02", m)
        XCTAssertTrue(seen.contains { cutOff.contains($0.name) && $0.bad }, "DOWN during the partition")
        let tasks = Set((t.fluid!.steady[0]?.tasks ?? m.mesos!.tasks.indices.map { $0 }).map { "s\($0)" })
        XCTAssertFalse(cutOff.isDisjoint(with: tasks), "the healed server is balanced to again: \(tasks)")
    }
}
