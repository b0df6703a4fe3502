@testable import ClusterModel
import SimKernel
import XCTest

/// Behaviours found by replaying the shipped monitoring scenarios with changed rules, routes and
/// faults (session 47), each checked against Prometheus 2.42 / Alertmanager 0.25's code.
final class MonitoringReplayTests: XCTestCase {
    typealias T = AlertmanagerTests

    func makeAM(route: AlertmanagerRoute = AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"]),
                inhibit: [AlertmanagerInhibitRule] = [], faults: [FaultSpec] = [], instances: Int = 1) -> (ClusterSimulation, AlertmanagerCluster, AlertPoster) {
        let group = MesosTestHelpersGroup.group("mon", 3)
        var spec = ClusterSpec(name: "t", seed: 1, duration: .hours(1), sampleInterval: .minutes(1), hostGroups: [group], faults: faults)
        spec.alertmanager = AlertmanagerSpec(hosts: (0..<instances).map(group.hostName),
                                             config: AlertmanagerConfig(route: route, receivers: [T.webhook], inhibitRules: inhibit))
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = m.subsystem(AlertmanagerCluster.self)!
        am.keepsAll = true
        return (m, am, AlertPoster(am))
    }

    func rows(_ am: AlertmanagerCluster) -> [String] {
        am.all.map { "\($0.time.seconds) \($0.firing.count)/\($0.resolved.count)" }
    }

    /// dispatch.go (v0.25) run: the 30 s cleanup ticker removes every group that is empty when it
    /// ticks. A flush that notified a resolved alert deletes it, so the group is gone at the next
    /// tick: the alert firing again later makes a new group that waits group_wait, not the old
    /// group's group_interval. One that comes back before the tick joins the old group.
    func testGroupEmptiedByAFlushIsRemovedAtTheNextCleanupTick() {
        let (m, am, post) = makeAM()
        post.post(m, at: .zero, [T.alert("X")])
        post.post(m, at: .seconds(100), [T.alert("X", endsAt: .seconds(100))])
        // fires again at 400 s (a new alert for Prometheus: new StartsAt)
        post.post(m, at: .seconds(400), [T.alert("X", startsAt: .seconds(400))])
        m.run()
        // 30 s firing; 330 s resolved (the flush empties the group, removed at 360 s); 430 s: the
        // new group's group_wait (the old group's next tick would have been 630 s)
        XCTAssertEqual(rows(am), ["30.0 1/0", "330.0 0/1", "430.0 1/0"])
    }

    func testAlertArrivingBeforeTheCleanupTickJoinsTheEmptiedGroup() {
        let (m, am, post) = makeAM()
        post.post(m, at: .zero, [T.alert("X")])
        post.post(m, at: .seconds(100), [T.alert("X", endsAt: .seconds(100))])
        // 340 s: after the flush that emptied the group (330 s), before the cleanup tick (360 s)
        post.post(m, at: .seconds(340), [T.alert("X", startsAt: .seconds(340))])
        m.run()
        XCTAssertEqual(rows(am), ["30.0 1/0", "330.0 0/1", "630.0 1/0"])
    }
}

extension MonitoringReplayTests {
    /// Prometheus on master-01 (a control host), Alertmanager on slave-01, an alert that is always
    /// true (`vector(1)`, no `for`), slave-01 cut off from the control hosts from 5 to 15 minutes.
    func partitionedAlertmanagerRun() -> AlertmanagerCluster {
        var spec = ClusterSpec(name: "t", seed: 1, duration: .minutes(30), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: 2),
                               faults: [FaultSpec(at: .minutes(5), kind: .networkPartition, target: .host("slave-01"), healAfter: .minutes(10))],
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec())
        var c = PrometheusConfig()
        c.evaluationInterval = .seconds(15)
        c.alertmanagers = [AlertmanagerTargets(targets: ["slave-01:9093"])]
        let rule = RuleSpec(kind: .alerting(alert: "Always", forDuration: .zero, keepFiringFor: .zero, annotations: []), expr: "vector(1)")
        spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "g", file: "rules/g.json", rules: [rule])],
                                         host: "master-01", config: c, record: .none)
        spec.alertmanager = AlertmanagerSpec(hosts: ["slave-01"], config: AlertmanagerConfig(
            route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], groupInterval: .minutes(1)), receivers: [T.webhook]))
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = m.subsystem(AlertmanagerCluster.self)!
        am.keepsAll = true
        m.run()
        return am
    }

    /// notifier.go: a post to an Alertmanager the partition cuts off from Prometheus fails; the
    /// alert's EndsAt (4 × the resend delay after its last delivered send) passes during the
    /// partition, so Alertmanager notifies it resolved, and again firing once posts get through.
    func testPostsToAnAlertmanagerCutOffByAPartitionAreLost() {
        let am = partitionedAlertmanagerRun()
        let rows = am.all.map { ($0.time.seconds, $0.firing.count, $0.resolved.count) }
        XCTAssertEqual(rows.map { "\($0.1)/\($0.2)" }, ["1/0", "0/1", "1/0"], "\(rows)")
        guard rows.count == 3 else { return }
        // resolved within 4 min + one group_interval of the partition's start; firing again after it heals
        XCTAssertGreaterThan(rows[1].0, 300 + 180)
        XCTAssertLessThanOrEqual(rows[1].0, 300 + 240 + 60)
        XCTAssertGreaterThan(rows[2].0, 900)
        XCTAssertLessThanOrEqual(rows[2].0, 900 + 75 + 30)
    }
}
