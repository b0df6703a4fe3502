import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14: the index of parked instances of Marathon-level health checks (fidelity `fast`,
/// `HealthCheckStream`) is exact: with it, a run logs the same events at the same instants, in the
/// same order, as the tick that visits every instance, while visiting far fewer instances. A due
/// failing probe that the index missed (or found a tick late or early) would move an unhealthy
/// transition or a kill and fail the comparison.
final class HealthCheckIndexTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    /// Three apps with one Marathon-level HTTP check (30 s, killed at the 2nd failure in a row): 20 healthy
    /// instances failing a probe with p = 5.4 %, 10 that hang after exponential(20 min) serving, and
    /// `crashing` that crash after exponential(`crashMean` s). Shared with HealthChangeTests.
    static func checkedApps(crashing: Int, crashMean: Double) -> ([AppDefinition], [AppBehaviour]) {
        let check = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                interval: .seconds(30), timeout: .seconds(1), maxConsecutiveFailures: 1)
        var apps: [AppDefinition] = []
        for (id, n) in [("/web", 20), ("/hang", 10), ("/crash", crashing)] {
            var def = MarathonRuntimeTests.app(id, instances: n, cpus: 0.25, healthChecks: [check])
            def.ports = [AppPort(hostPort: 0)]
            apps.append(def)
        }
        let rt = Distribution.lognormal(mu: log(0.2), sigma: 1)
        let beh = [
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .healthy(responseTime: rt)), imageSizeBytes: 1),
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .hangsAfter(.exponential(mean: 1200), responseTime: rt)),
                         imageSizeBytes: 1),
            AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .exponential(mean: crashMean),
                                             health: .healthy(responseTime: .lognormal(mu: log(0.05), sigma: 0.5))), imageSizeBytes: 1),
        ]
        return (apps, beh)
    }

    /// Three apps: 20 instances failing a probe with p = 5.4 % (killed at the 2nd failure in a row),
    /// 10 instances that hang after exponential(20 min) serving, 10 instances that crash after
    /// exponential(40 min); a host crash and recovery and an agent crash change the probe epoch.
    func run(seed: UInt64, index: Bool) -> (log: [String], visits: Int, unhealthy: Int, kills: Int) {
        let (apps, beh) = Self.checkedApps(crashing: 10, crashMean: 2400)
        let faults = [FaultSpec(at: .seconds(1800), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .seconds(300)),
                      FaultSpec(at: .seconds(4000), kind: .agentCrash, target: .host("slave-03"), restartAfter: .seconds(60))]
        let r = Run(apps: apps, behaviour: beh, agents: 6, faults: faults, duration: .hours(3), seed: seed,
                    fidelity: FidelitySpec(healthChecks: .fast, offers: .exact))
        r.marathon.healthIndex = index
        r.run()
        let log = r.observer.events.map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" }
        let unhealthy = r.events("healthStatusChanged", component: "marathon").filter { $0.detail.hasPrefix("unhealthy") }.count
        return (log, r.marathon.healthVisits, unhealthy, r.events("killUnhealthy").count)
    }

    func testIndexGivesTheSameRunAsVisitingEveryInstance() {
        for seed: UInt64 in [1, 2, 3] {
            let full = run(seed: seed, index: false), indexed = run(seed: seed, index: true)
            XCTAssertGreaterThan(full.unhealthy, 20, "seed \(seed): failing probes to compare")
            XCTAssertGreaterThan(full.kills, 2, "seed \(seed): kills to compare")
            XCTAssertEqual(full.log.count, indexed.log.count, "seed \(seed)")
            if let k = zip(full.log, indexed.log).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("seed \(seed): first difference at event \(k): \(full.log[k]) vs \(indexed.log[k])")
            }
            // the steady instances are not visited at their passing ticks
            XCTAssertLessThan(Double(indexed.visits), 0.5 * Double(full.visits), "seed \(seed): visits")
        }
    }
}
