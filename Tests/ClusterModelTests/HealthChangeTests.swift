import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14, sixth step. Two exact changes of Marathon's health-check path:
///
/// - A status update that changes an instance's state brings only that instance up to date in its
///   app's health-check streams (`healthInstanceChanged`) instead of making the next tick unpark
///   and visit every instance of the app. A run must log the same events at the same instants,
///   in the same order, as with the full visit, while visiting fewer instances: an instance the
///   incremental path forgot (a new or returning running instance not visited, a parked one that
///   stopped running still credited with passes) would move a transition, a kill or a deployment.
/// - `MarathonInstance.health` no longer bumps the app's change count on every write: only a
///   result that changes `alive` does. A steady app is then not counted again by
///   `refreshSatisfied` at each reconciliation answer after a tick.
final class HealthChangeTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    /// Three apps with Marathon-level checks: 20 instances failing a probe with p = 5.4 % (killed
    /// at the 2nd failure in a row), 10 that hang after exponential(20 min) serving, 16 that crash
    /// after exponential(15 min) (status updates in the middle of parked streams); a scale-up and
    /// a host crash (unreachable instances, then back).
    func run(seed: UInt64, incremental: Bool) -> (log: [String], visits: Int, unhealthy: Int, kills: Int, crashes: Int) {
        let (apps, beh) = HealthCheckIndexTests.checkedApps(crashing: 16, crashMean: 900)
        let faults = [FaultSpec(at: .seconds(2000), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .seconds(200))]
        let r = Run(apps: apps, behaviour: beh, agents: 6, faults: faults, duration: .hours(3), seed: seed,
                    fidelity: FidelitySpec(healthChecks: .fast, offers: .exact))
        r.marathon.healthIncremental = incremental
        var scaled = false
        r.run { m in
            if !scaled, m.sim.now >= SimTime.zero + .minutes(50) { scaled = true; _ = m.marathon!.scale(app: "/web", instances: 26, force: true) }
        }
        let log = r.observer.events.map { "\($0.time.nanoseconds) \($0.component) \($0.event) \($0.subject) \($0.detail)" }
        let unhealthy = r.events("healthStatusChanged", component: "marathon").filter { $0.detail.hasPrefix("unhealthy") }.count
        let crashes = r.app("/crash").failedTotal
        return (log, r.marathon.healthVisits, unhealthy, r.events("killUnhealthy").count, crashes)
    }

    func testUnparkingOnlyTheChangedInstanceGivesTheSameRun() {
        for seed: UInt64 in [1, 2, 3] {
            let full = run(seed: seed, incremental: false), incremental = run(seed: seed, incremental: true)
            XCTAssertGreaterThan(full.unhealthy, 10, "seed \(seed): failing probes to compare")
            XCTAssertGreaterThan(full.kills, 2, "seed \(seed): kills to compare")
            XCTAssertGreaterThan(full.crashes, 20, "seed \(seed): status updates inside parked streams")
            XCTAssertEqual(full.log.count, incremental.log.count, "seed \(seed)")
            if let k = zip(full.log, incremental.log).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                XCTFail("seed \(seed): first difference at event \(k): \(full.log[k]) vs \(incremental.log[k])")
            }
            // a crash no longer makes the next tick visit every instance of its app
            XCTAssertLessThan(Double(incremental.visits), 0.8 * Double(full.visits), "seed \(seed): visits")
        }
    }

    /// One app of 20 healthy instances probed exactly (fidelity.healthChecks `exact`: every probe
    /// a result event), 3 h, reconciliation every 600 s. Before, every result bumped the app's
    /// change count, so the first reconciliation answer after a tick counted the instances again
    /// (about 17 counts after the deployment); now only a change of `alive` does.
    func testPassingResultsDoNotMakeReconciliationCountAgain() {
        let check = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60),
                                interval: .seconds(30), timeout: .seconds(1), maxConsecutiveFailures: 3)
        var def = MarathonRuntimeTests.app("/web", instances: 20, cpus: 0.25, healthChecks: [check])
        def.ports = [AppPort(hostPort: 0)]
        let beh = AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .healthy(responseTime: .constant(0.01))),
                               imageSizeBytes: 1)
        let r = Run(apps: [def], behaviour: [beh], agents: 4, duration: .hours(3), seed: 7,
                    fidelity: FidelitySpec(healthChecks: .exact, offers: .exact))
        var countsAtDeploy: Int?
        r.run { m in
            if countsAtDeploy == nil, m.marathon!.apps[0].firstDeployFinished != nil { countsAtDeploy = m.marathon!.satisfiedCounts }
        }
        let reconciliations = r.events("reconcileTasks").count
        XCTAssertGreaterThanOrEqual(reconciliations, 15)
        XCTAssertEqual(r.app("/web").instances.filter { $0.isHealthy(checks: [check]) }.count, 20)
        XCTAssertTrue(r.events("appBelowTarget").isEmpty)
        let after = r.marathon.satisfiedCounts - (countsAtDeploy ?? 0)
        XCTAssertLessThanOrEqual(after, 2, "counts after the deployment (\(reconciliations) reconciliations)")
    }
}

/// `HealthCheckStream.instanceChanged` on its own: a parked instance is brought up to date (the
/// passes of the ticks it skipped) and unparked; the instance is listed once for the next tick.
final class HealthCheckStreamChangeTests: XCTestCase {
    func testChangedInstanceIsBroughtUpToDateAndVisitedOnce() {
        let t0 = SimTime.zero + .seconds(100), interval = SimDuration.seconds(30)
        let s = HealthCheckStream(generation: 1)
        let changes = ChangeCount(app: 0)
        func instance(_ task: Int) -> MarathonInstance {
            let i = MarathonInstance(task: task, name: "a.\(task)", app: 0, version: 1, host: 0, launchedAt: .zero, checks: 1,
                                     hasReadiness: false, changes: changes)
            i.health[0].update(passed: true, at: t0)
            i.routineProbes[0].passesLeft = 5
            i.routineProbes[0].epoch = 0; i.routineProbes[0].from = 0; i.routineProbes[0].until = .distantFuture
            return i
        }
        let a = instance(3), b = instance(7), c = instance(5)
        s.active = [a, b]
        s.park(c, check: 0, tick: 1, now: t0, interval: interval)
        XCTAssertNotNil(s.parked[5])
        // two more ticks ran (c skipped them)
        s.ticks = 3
        s.lastTickTime = t0 + interval * 2
        s.instanceChanged(c, check: 0)
        XCTAssertNil(s.parked[5], "unparked")
        XCTAssertEqual(c.routineProbes[0].passesLeft, 3, "the passes of the two skipped ticks")
        XCTAssertEqual(c.health[0].lastSuccess, t0 + interval * 2)
        XCTAssertEqual(s.active.map(\.task), [3, 5, 7], "in task-id order")
        s.instanceChanged(c, check: 0)
        s.instanceChanged(a, check: 0)
        XCTAssertEqual(s.active.map(\.task), [3, 5, 7], "listed once")
        // its old heap entry is stale: nothing is due for it
        XCTAssertTrue(s.due(at: 7, check: 0).isEmpty)
    }
}
