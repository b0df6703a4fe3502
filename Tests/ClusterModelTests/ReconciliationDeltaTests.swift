import XCTest
@testable import ClusterModel
import SimKernel

/// Reconciliation in O(changes) (MesosCluster `reconcileChanges`, MarathonScheduler
/// `reconciliationDelta`) against steady's walk over every answer (`deltaReconciliation = false`):
/// the same event log, Marathon's counters and revisions, instance states and Mesos' metrics, over
/// seeds and fault kinds, with health checks whose results move apps' counts between reconciliations;
/// and far fewer answers made.
final class ReconciliationDeltaTests: XCTestCase {
    enum Fault: CaseIterable { case none, hostDown, partitions, reboot, masterCrash, marathonCrash }

    /// The run's outcome (as ReconciliationBulkTests compares them) and the answers Mesos made.
    func run(seed: UInt64, fault: Fault, delta: Bool) -> (ReconciliationBulkTests.Outcome, answersMade: Int) {
        var (apps, beh) = ReconciliationBulkTests.webAndCrashy()
        var hung = MarathonRuntimeTests.app("/hung", instances: 5)
        // health results move the app's count between reconciliations; hung instances are killed
        hung.healthChecks = [HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                         interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)]
        apps.append(hung)
        beh.append(AppBehaviour(task: TaskBehaviour(startup: .exponential(mean: 8),
                                                    health: .hangsAfter(.exponential(mean: 300), responseTime: .constant(0.005))),
                                imageSizeBytes: 100_000_000))
        let spec = ReconciliationBulkTests.reconcilingSpec(seed: seed, duration: .minutes(50), apps: apps, behaviour: beh)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        let mc = m.mesos!
        mc.deltaReconciliation = delta
        let calls = TimedCalls(m.sim)
        func host(_ n: String) -> Int { m.infrastructure.hosts.first { $0.name == n }!.index }
        let s = Double(seed)
        let busyHost = ReconciliationBulkTests.busyHosts(m, skipping: [])
        switch fault {
        case .none: break
        case .hostDown:
            calls.at(.zero + .fromSeconds(400 + s), priority: 0) { _ = m.infrastructure.crash(m.infrastructure.hosts[busyHost()], recoverAfter: nil, cause: "test") }
        case .partitions:
            calls.at(.zero + .fromSeconds(500 + 3 * s), priority: 0) { mc.partition(host: busyHost(), healAfter: .seconds(40)) }
            calls.at(.zero + .fromSeconds(560 + 5 * s), priority: 0) { mc.partition(host: busyHost(), healAfter: .minutes(4)) }
        case .reboot:
            calls.at(.zero + .fromSeconds(900 + s), priority: 0) { _ = m.infrastructure.crash(m.infrastructure.hosts[busyHost()], recoverAfter: .minutes(5), cause: "test") }
        case .masterCrash:
            calls.at(.zero + .fromSeconds(1800 + 7 * s), priority: 0) { mc.crashMaster() }
        case .marathonCrash:
            // a reconciliation instant (15 s + k x 40 s after the leader's start) with an answer on its way
            calls.at(.zero + .fromSeconds(1200 + 11 * s), priority: 0) { _ = m.infrastructure.crash(m.infrastructure.hosts.first { $0.name.hasPrefix("master") }!, recoverAfter: .minutes(3), cause: "test") }
        }
        m.run()
        let r = ReconciliationBulkTests.outcome(m, o)
        return (ReconciliationBulkTests.Outcome(log: r.log, counters: r.counters, instances: r.instances), mc.reconciliationAnswersMade)
    }

    func testAnswersToWhatChangedHaveTheEffectOfTheWalkOverEveryAnswer() {
        var news = ["reconcileTasks": 0, "instanceUnreachable": 0, "expungeUnreachable": 0, "instanceReachable": 0,
                    "agentReregistered": 0, "appBelowTarget": 0, "appAtTarget": 0, "leaderLost": 0]
        var made = (walk: 0, delta: 0)
        for fault in Fault.allCases {
            for seed in UInt64(1)...3 {
                let (walk, walkMade) = run(seed: seed, fault: fault, delta: false)
                let (delta, deltaMade) = run(seed: seed, fault: fault, delta: true)
                XCTAssertEqual(delta.counters, walk.counters, "\(fault) seed \(seed)")
                XCTAssertEqual(delta.instances, walk.instances, "\(fault) seed \(seed)")
                XCTAssertEqual(delta.log.count, walk.log.count, "\(fault) seed \(seed)")
                if let i = delta.log.indices.first(where: { $0 < walk.log.count && delta.log[$0] != walk.log[$0] }) {
                    XCTFail("\(fault) seed \(seed): first difference at line \(i):\n delta \(delta.log[i])\n walk  \(walk.log[i])")
                }
                for e in news.keys { news[e]! += walk.log.filter { $0.contains(" \(e) ") }.count }
                made.walk += walkMade
                made.delta += deltaMade
            }
        }
        XCTAssertGreaterThan(news["reconcileTasks"]!, 6 * 3 * 60)
        for (e, n) in news.sorted(by: { $0.key < $1.key }) { XCTAssertGreaterThan(n, 1, e) }
        // the delta answers a small part of the tasks asked about
        XCTAssertLessThan(made.delta * 3, made.walk, "answers made: delta \(made.delta), walk \(made.walk)")
    }
}
