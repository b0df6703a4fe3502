import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14: apps.csv and Marathon's exporter read each app's instance counts from a cache that the
/// scheduler drops where the counts can change (`MarathonScheduler.instanceCounts`). After every
/// event of runs that go through every such change (launches, status updates, failing and passing
/// Marathon-level checks, Mesos-level checks, a host crash making instances unreachable and one
/// expunged, an agent crash, crashing and hanging processes, a deploy that changes the health
/// checks), the cached counts of every app must equal a fresh count of its instances. A missed
/// invalidation leaves a stale count that the next event's comparison finds.
final class InstanceCountsTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    func run(seed: UInt64) -> (compared: Int, changes: Int) {
        let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                               interval: .seconds(30), timeout: .seconds(1), maxConsecutiveFailures: 1)
        let mesosHTTP = HealthCheck(protocol: .mesosHTTP, path: "/health", portIndex: 0, gracePeriod: .seconds(0),
                                    interval: .seconds(10), timeout: .seconds(1), maxConsecutiveFailures: 2)
        var apps: [AppDefinition] = []
        for (id, n, checks) in [("/web", 12, [http]), ("/hang", 8, [http]), ("/crash", 8, [http]), ("/mesos", 8, [mesosHTTP]),
                                ("/plain", 6, [])] {
            var def = MarathonRuntimeTests.app(id, instances: n, cpus: 0.25, healthChecks: checks)
            def.ports = [AppPort(hostPort: 0)]
            // replaced after 60 s unreachable, expunged after 120 s (the host stays down 10 min)
            def.unreachableStrategy = .enabled(inactiveAfter: .seconds(60), expungeAfter: .seconds(120))
            apps.append(def)
        }
        let rt = Distribution.lognormal(mu: log(0.2), sigma: 1)
        func tasks(_ health: HealthBehaviour, crash: Distribution? = nil) -> AppBehaviour {
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: crash, health: health), imageSizeBytes: 1)
        }
        // /web healthy, /hang and /mesos hang after a while, /crash and /plain crash
        let beh = [tasks(.healthy(responseTime: rt)), tasks(.hangsAfter(.exponential(mean: 1200), responseTime: rt)),
                   tasks(.healthy(responseTime: .lognormal(mu: log(0.05), sigma: 0.5)), crash: .exponential(mean: 2400)),
                   tasks(.hangsAfter(.exponential(mean: 1800), responseTime: rt)), tasks(.healthy(responseTime: rt), crash: .exponential(mean: 3000))]
        let faults = [FaultSpec(at: .seconds(1800), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .seconds(600)),
                      FaultSpec(at: .seconds(4000), kind: .agentCrash, target: .host("slave-03"), restartAfter: .seconds(60))]
        let r = Run(apps: apps, behaviour: beh, agents: 6, faults: faults, duration: .hours(3), seed: seed,
                    fidelity: FidelitySpec(healthChecks: .fast, offers: .exact))
        var compared = 0, changes = 0, deployed = false
        var last: [InstanceCounts] = []
        r.run { model in
            let m = r.marathon
            if !deployed && model.sim.now >= .zero + .hours(2) {
                // a new definition whose health check is Mesos-level: the same instances count differently
                deployed = true
                var def = r.app("/plain").definition
                def.healthChecks = [mesosHTTP]
                m.deploy(def)
            }
            let counts = m.apps.map { m.instanceCounts($0) }
            for (a, c) in zip(m.apps, counts) {
                let fresh = a.countInstances()
                if c != fresh { XCTFail("\(a.id) at \(model.sim.now): cached \(c), counted \(fresh)"); return }
                compared += 1
            }
            if counts != last { changes += 1; last = counts }
        }
        XCTAssertTrue(deployed)
        XCTAssertGreaterThan(r.events("expungeUnreachable").count, 0, "seed \(seed): an expunged instance")
        XCTAssertGreaterThan(r.events("killUnhealthy").count, 0, "seed \(seed): health-check kills")
        return (compared, changes)
    }

    func testCachedCountsEqualAFreshCountAfterEveryEvent() {
        for seed: UInt64 in [1, 2] {
            let r = run(seed: seed)
            XCTAssertGreaterThan(r.changes, 200, "seed \(seed): the counts changed often")
            XCTAssertGreaterThan(r.compared, 10_000, "seed \(seed)")
        }
    }
}
