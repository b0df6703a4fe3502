import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14: `refreshSatisfied` (whether an app has its target of healthy, ready instances: the
/// appAtTarget / appBelowTarget rows behind apps_degraded_s) counts again only when something it
/// reads changed since its last count (`MarathonAppState.changes`), and a deployment step
/// evaluates again only the scale actions of apps whose count moved. That is exact only if every
/// change of an instance's state, goal, reachability, replacement, readiness, Mesos- or
/// Marathon-level health, of the app's instances, launch queue, definition or first deployment
/// bumps the count: a missed one would log a transition or a step's end later (at the next
/// change) or not at all, and fail the comparison of whole logs.
final class ChangeCountTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    /// Four apps: Marathon-level HTTP checks with failing probes (kills), a Mesos-level check,
    /// readiness checks, crashing instances; a scale-up, a restart and a scale-down during the run;
    /// a host crash (unreachable, then back) and an agent crash.
    func run(seed: UInt64, cache: Bool) -> (log: [String], counts: Int, transitions: Int, evaluations: Int, steps: Int) {
        let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                               interval: .seconds(30), timeout: .seconds(1), maxConsecutiveFailures: 1)
        let mesosLevel = HealthCheck(protocol: .mesosHTTP, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                     interval: .seconds(20), timeout: .seconds(2), maxConsecutiveFailures: 2)
        var apps: [AppDefinition] = []
        for (id, n, checks) in [("/web", 12, [http]), ("/mesos", 8, [mesosLevel]), ("/ready", 6, []), ("/crash", 8, [http])] {
            var def = MarathonRuntimeTests.app(id, instances: n, cpus: 0.25, healthChecks: checks)
            def.ports = [AppPort(name: "http-api", hostPort: 0)]
            if id == "/ready" { def.readinessChecks = [ReadinessCheck(interval: .seconds(10))] }
            apps.append(def)
        }
        let rt = Distribution.lognormal(mu: log(0.2), sigma: 1)
        let beh = [
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .healthy(responseTime: rt)), imageSizeBytes: 1),
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .hangsAfter(.exponential(mean: 1800), responseTime: rt)),
                         imageSizeBytes: 1),
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .exponential(mean: 3000)), imageSizeBytes: 1),
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .exponential(mean: 1500),
                                             health: .healthy(responseTime: rt)), imageSizeBytes: 1),
        ]
        let faults = [FaultSpec(at: .seconds(1800), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .seconds(400)),
                      FaultSpec(at: .seconds(5000), kind: .agentCrash, target: .host("slave-03"), restartAfter: .seconds(60))]
        let r = Run(apps: apps, behaviour: beh, agents: 6, faults: faults, duration: .hours(3), seed: seed)
        r.marathon.satisfiedCache = cache
        r.marathon.deployments.evaluateChangedOnly = cache
        var acted = 0
        r.run { m in
            let s = m.marathon!, t = m.sim.now
            if acted == 0, t >= SimTime.zero + .minutes(40) { acted = 1; _ = s.scale(app: "/web", instances: 16, force: true) }
            if acted == 1, t >= SimTime.zero + .minutes(70) { acted = 2; _ = s.restart(app: "/ready", force: true) }
            if acted == 2, t >= SimTime.zero + .minutes(100) { acted = 3; _ = s.scale(app: "/crash", instances: 4, force: true) }
        }
        let log = r.observer.events.map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" }
        let transitions = r.events("appBelowTarget").count + r.events("appAtTarget").count
        return (log, r.marathon.satisfiedCounts, transitions, r.marathon.deployments.evaluations, r.events("deploymentStep").count)
    }

    func testCountingOnlyAfterChangesGivesTheSameRun() {
        for seed: UInt64 in [1, 2, 3] {
            let every = run(seed: seed, cache: false), cached = run(seed: seed, cache: true)
            XCTAssertGreaterThan(every.transitions, 10, "seed \(seed): transitions to compare")
            XCTAssertEqual(every.log.count, cached.log.count, "seed \(seed)")
            if let k = zip(every.log, cached.log).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("seed \(seed): first difference at event \(k): \(every.log[k]) vs \(cached.log[k])")
            }
            XCTAssertGreaterThanOrEqual(every.steps, 4, "seed \(seed): deployment steps to compare")
            // reconciliation answers and repeated states do not count again; a step's actions are
            // not evaluated again at another app's change
            XCTAssertLessThan(Double(cached.counts), 0.9 * Double(every.counts), "seed \(seed): counts")
            XCTAssertLessThan(Double(cached.evaluations), 0.7 * Double(every.evaluations), "seed \(seed): evaluations")
        }
    }
}
