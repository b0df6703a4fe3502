import XCTest
@testable import ClusterModel
import SimKernel

/// Explicit reconciliation answered in one message (MesosCluster `reconcile`, MarathonScheduler
/// `reconciliationAnswers`) against one status update message per task (`bulkReconciliation = false`):
/// the same event log, Marathon's counters, instance states and Mesos' metrics, with answers that
/// carry news (tasks that changed state, an unreachable agent's TASK_UNREACHABLE and its strategy's
/// deadlines, tasks of an agent that came back, agents awaited after a master failover).
final class ReconciliationBulkTests: XCTestCase {
    struct Outcome: Equatable {
        var log: [String]
        var counters: [String]
        var instances: [String]
    }

    func run(seed: UInt64, bulk: Bool) -> Outcome {
        let (apps, beh) = Self.webAndCrashy()
        let spec = Self.reconcilingSpec(seed: seed, duration: .minutes(50), apps: apps, behaviour: beh)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        let mc = m.mesos!
        mc.bulkReconciliation = bulk
        let calls = TimedCalls(m.sim)
        func host(_ n: String) -> Int { m.infrastructure.hosts.first { $0.name == n }!.index }
        let s = Double(seed)
        // an agent host down for good: TASK_UNREACHABLE answers until the strategy replaces and expunges
        calls.at(.zero + .fromSeconds(400 + s), priority: 0) { _ = m.infrastructure.crash(m.infrastructure.hosts[host("slave-03")], recoverAfter: nil, cause: "test") }
        // the hosts below are agents that run a Marathon task at the time
        let busyHost = Self.busyHosts(m, skipping: [host("slave-03")])
        // a short partition (not detected) and a long one (unreachable, then back with its tasks)
        calls.at(.zero + .fromSeconds(500 + 3 * s), priority: 0) { mc.partition(host: busyHost(), healAfter: .seconds(40)) }
        calls.at(.zero + .fromSeconds(560 + 5 * s), priority: 0) { mc.partition(host: busyHost(), healAfter: .minutes(4)) }
        // a host that reboots after being marked unreachable: its old tasks are lost when it registers again
        calls.at(.zero + .fromSeconds(900 + s), priority: 0) { _ = m.infrastructure.crash(m.infrastructure.hosts[busyHost()], recoverAfter: .minutes(5), cause: "test") }
        // a leader failover: agents are awaited (`recovered`) and their tasks not answered until they re-register
        calls.at(.zero + .fromSeconds(1800 + 7 * s), priority: 0) { mc.crashMaster() }
        m.run()
        let r = Self.outcome(m, o)
        return Outcome(log: r.log, counters: r.counters, instances: r.instances)
    }

    /// A picker of agent hosts that run a Marathon task now, each host once (the first agent when none is left).
    static func busyHosts(_ m: ClusterSimulation, skipping: [Int]) -> () -> Int {
        let mc = m.mesos!
        var used = skipping
        return {
            for a in m.marathon!.apps {
                for i in a.instances where i.state == .running {
                    if let t = mc.task(i.task), !used.contains(mc.agents[t.agent].host.index) {
                        used.append(mc.agents[t.agent].host.index)
                        return mc.agents[t.agent].host.index
                    }
                }
            }
            return m.infrastructure.hosts.first { $0.name == "slave-01" }!.index
        }
    }

    /// What the reconciliation comparisons read after a run: the model's log (without the line that counts
    /// engine events), Marathon's counters and revisions per app, Mesos' metrics, and every instance's state.
    static func outcome(_ m: ClusterSimulation, _ o: MemoryObserver) -> (log: [String], counters: [String], instances: [String]) {
        let mar = m.marathon!, mc = m.mesos!
        var counters = ["launchTokens \(mar.launchTokens)", "satisfiedCounts \(mar.satisfiedCounts)"]
        for a in mar.apps {
            counters.append("\(a.id) launched \(a.launchedTotal) failed \(a.failedTotal) killed \(a.killedTotal) lost \(a.lostTotal) revision \(a.revision) satisfied \(a.satisfied)")
        }
        let met = mc.metrics()
        counters.append("mesos offers \(met.offersMade) \(met.offersAccepted) \(met.offersDeclined) running \(met.tasksRunning) registered \(met.agentsRegistered) unreachable \(met.agentsUnreachable)")
        let instances = mar.apps.flatMap { a in
            a.instances.map { "\($0.name) \($0.state.rawValue) \($0.unreachableSince.map { "\($0.nanoseconds)" } ?? "-") \($0.replaced)" }
        }
        let log = o.events.filter { !($0.component == "run" && $0.event == "finished") }
            .map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" }
        return (log, counters, instances)
    }

    func testOneMessageOfAnswersHasTheEffectOfOneUpdatePerTask() {
        var news = ["reconcileTasks": 0, "instanceUnreachable": 0, "replaceUnreachable": 0, "expungeUnreachable": 0,
                    "instanceReachable": 0, "agentReregistered": 0]
        for seed in UInt64(1)...4 {
            let single = run(seed: seed, bulk: false)
            let bulk = run(seed: seed, bulk: true)
            XCTAssertEqual(bulk.counters, single.counters, "seed \(seed)")
            XCTAssertEqual(bulk.instances, single.instances, "seed \(seed)")
            XCTAssertEqual(bulk.log.count, single.log.count, "seed \(seed)")
            if let i = bulk.log.indices.first(where: { $0 < single.log.count && bulk.log[$0] != single.log[$0] }) {
                XCTFail("seed \(seed): first difference at line \(i):\n bulk   \(bulk.log[i])\n single \(single.log[i])")
            }
            // the runs have the answers that carry news
            for e in news.keys { news[e]! += single.log.filter { $0.contains(" \(e) ") }.count }
        }
        XCTAssertGreaterThan(news["reconcileTasks"]!, 4 * 60)
        for (e, n) in news.sorted(by: { $0.key < $1.key }) { XCTAssertGreaterThan(n, 1, e) }
    }

    /// "/web" (10 instances) and "/crashy" (4, crashing every 240 s on average), with unreachable
    /// strategies whose deadlines reconciliation answers (TASK_UNREACHABLE repeated) decide.
    static func webAndCrashy() -> (apps: [AppDefinition], behaviour: [AppBehaviour]) {
        var web = MarathonRuntimeTests.app("/web", instances: 10)
        var crashy = MarathonRuntimeTests.app("/crashy", instances: 4)
        web.unreachableStrategy = .enabled(inactiveAfter: .seconds(90), expungeAfter: .minutes(8))
        crashy.unreachableStrategy = .enabled(inactiveAfter: .seconds(30), expungeAfter: .minutes(3))
        return ([web, crashy],
                [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000),
                 AppBehaviour(task: TaskBehaviour(startup: .constant(2), timeToCrash: .exponential(mean: 240)), imageSizeBytes: 100_000_000)])
    }

    /// Six agents, Marathon 1.4.9 reconciling every 40 s (many reconciliations in a run; TASK_UNREACHABLE
    /// answers check the unreachable strategy's deadlines), the given apps.
    static func reconcilingSpec(seed: UInt64, duration: SimDuration, apps: [AppDefinition], behaviour: [AppBehaviour]) -> ClusterSpec {
        let version = MarathonVersion(1, 4, 9)
        var flags = MarathonFlags(version: version)
        flags.reconciliationInterval = .seconds(40)
        return ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(1),
                           hostGroups: MarathonRuntimeTests.hostGroups(agents: 6),
                           faults: [], zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                           marathon: MarathonSpec(version: version, flags: flags, apps: apps, behaviour: behaviour))
    }
}
