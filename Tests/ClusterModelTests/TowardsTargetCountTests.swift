import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14, seventh step: the instances an app counts towards its target (`countedTowardsTarget`,
/// read by every scale check) are kept per app (`ChangeCount.towardsTarget`) by every change of an
/// instance's state, goal or replacement and by entering and leaving the app's instances, not
/// walked. After every event of a run that takes each of those paths (launches, crashes, kills for
/// failed health checks, scale-down, instances replaced while unreachable and coming back, expunged),
/// the kept count must equal the walk for every app.
final class TowardsTargetCountTests: XCTestCase {
    func run(seed: UInt64) -> (mismatches: [String], checks: Int, log: [LoggedEvent]) {
        let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                               interval: .seconds(20), timeout: .seconds(1), maxConsecutiveFailures: 1)
        var web = MarathonRuntimeTests.app("/web", instances: 10, cpus: 0.25)
        var hang = MarathonRuntimeTests.app("/hang", instances: 6, cpus: 0.25, healthChecks: [http])
        hang.ports = [AppPort(name: "http", hostPort: 0)]
        var crashy = MarathonRuntimeTests.app("/crashy", instances: 6, cpus: 0.25)
        // unreachable instances replaced (inactive after 30 s) and, when they stay away, expunged
        web.unreachableStrategy = .enabled(inactiveAfter: .seconds(30), expungeAfter: .minutes(6))
        hang.unreachableStrategy = .enabled(inactiveAfter: .seconds(30), expungeAfter: .minutes(6))
        crashy.unreachableStrategy = .enabled(inactiveAfter: .seconds(30), expungeAfter: .minutes(6))
        let rt = Distribution.lognormal(mu: log(0.2), sigma: 1)
        let beh = [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1),
                   AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .hangsAfter(.exponential(mean: 600), responseTime: rt)),
                                imageSizeBytes: 1),
                   AppBehaviour(task: TaskBehaviour(startup: .constant(3), timeToCrash: .exponential(mean: 300)), imageSizeBytes: 1)]
        let spec = ReconciliationBulkTests.reconcilingSpec(seed: seed, duration: .minutes(60), apps: [web, hang, crashy], behaviour: beh)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        let mar = m.marathon!
        let calls = TimedCalls(m.sim)
        func host(_ n: String) -> ClusterModel.Host { m.infrastructure.hosts.first { $0.name == n }! }
        let s = Double(seed)
        // back after being replaced: its instances count again, and the excess is scaled down
        calls.at(.zero + .fromSeconds(600 + s), priority: 0) { m.mesos!.partition(host: host("slave-02").index, healAfter: .minutes(4)) }
        // down for good: replaced, then expunged
        calls.at(.zero + .fromSeconds(1500 + s), priority: 0) { _ = m.infrastructure.crash(host("slave-04"), recoverAfter: nil, cause: "test") }
        // scale-down and scale-up by the API
        calls.at(.zero + .fromSeconds(2400 + s), priority: 0) { _ = mar.scale(app: "/web", instances: 5, force: true) }
        calls.at(.zero + .fromSeconds(2700 + s), priority: 0) { _ = mar.scale(app: "/crashy", instances: 9, force: true) }
        var mismatches: [String] = [], checks = 0
        XCTAssertTrue(m.run {
            for a in mar.apps {
                checks += 1
                let walked = a.countTowardsTarget
                if a.changes.towardsTarget != walked, mismatches.count < 5 {
                    mismatches.append("\(m.sim.now) \(a.id): kept \(a.changes.towardsTarget), walked \(walked)")
                }
            }
            return false
        })
        return (mismatches, checks, o.events)
    }

    func testKeptCountEqualsTheWalkAfterEveryEvent() {
        for seed: UInt64 in [1, 2] {
            let r = run(seed: seed)
            XCTAssertEqual(r.mismatches, [], "seed \(seed)")
            XCTAssertGreaterThan(r.checks, 10_000, "seed \(seed)")
            func count(_ event: String, _ detail: String = "") -> Int {
                r.log.filter { $0.event == event && (detail.isEmpty || $0.detail.contains(detail)) }.count
            }
            // every path that moves the count was taken
            XCTAssertGreaterThan(count("replaceUnreachable"), 0, "seed \(seed)")
            XCTAssertGreaterThan(count("instanceReachable"), 0, "seed \(seed)")
            XCTAssertGreaterThan(count("expungeUnreachable"), 0, "seed \(seed)")
            XCTAssertGreaterThan(count("killInstance", "scale down"), 0, "seed \(seed)")
            XCTAssertGreaterThan(count("killInstance", "health"), 0, "seed \(seed)")
        }
    }
}
