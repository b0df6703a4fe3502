@testable import ClusterModel
import SimKernel
import XCTest

/// Posts hand-made alerts to one Alertmanager instance only (a Prometheus that reaches only it).
final class HostPoster: EventHandler {
    let am: AlertmanagerCluster
    let host: Int
    var posts: [[AlertPayload]] = []
    var target: Int32 = -1
    init(_ am: AlertmanagerCluster, host: Int) { self.am = am; self.host = host }
    func handle(_ event: Event, in sim: Simulation) { am.receive(posts[Int(event.arg)], on: host, now: sim.now) }
    func post(_ model: ClusterSimulation, at t: SimDuration, _ alerts: [AlertPayload]) {
        if target < 0 { target = model.sim.register(self) }
        posts.append(alerts)
        _ = model.sim.schedule(at: SimTime.zero + t, target: target, kind: 1, arg: Int64(posts.count - 1))
    }
}

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
        // the real instances these timelines were measured on had settled their gossip before the
        // first post (a 2 s group_wait notified at 2 s); the simulated process starts at 0 s
        spec.alertmanager?.settleWait = nil
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
    /// X fires at 0 s, resolves at `resolved` and fires again (a new StartsAt) at `again`: the
    /// notifications, as `rows` lists them.
    func fireResolveFire(route: AlertmanagerRoute? = nil, resolved: Int64, again: Int64) -> [String] {
        let (m, am, post) = route.map { makeAM(route: $0) } ?? makeAM()
        post.post(m, at: .zero, [T.alert("X")])
        post.post(m, at: .seconds(resolved), [T.alert("X", endsAt: .seconds(resolved))])
        post.post(m, at: .seconds(again), [T.alert("X", startsAt: .seconds(again))])
        m.run()
        return rows(am)
    }

    func testGroupEmptiedByAFlushIsRemovedAtTheNextCleanupTick() {
        // 30 s firing; 330 s resolved (the flush empties the group, removed at 360 s); 430 s: the
        // new group's group_wait (the old group's next tick would have been 630 s)
        XCTAssertEqual(fireResolveFire(resolved: 100, again: 400), ["30.0 1/0", "330.0 0/1", "430.0 1/0"])
    }

    /// The two timelines run on the real Alertmanager 0.25.0 (docs/alertmanager.md): group_wait 2s,
    /// group_interval 40s; X fires at 0 s, resolves at 5 s and fires again at 100 s (or at 45 s).
    func testTimelinesOfTheRealAlertmanager() {
        for (again, expected) in [(Int64(100), "102.0 1/0"), (45, "82.0 1/0")] {
            let route = AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], groupWait: .seconds(2), groupInterval: .seconds(40))
            XCTAssertEqual(fireResolveFire(route: route, resolved: 5, again: again), ["2.0 1/0", "42.0 0/1", expected])
        }
    }

    func testAlertArrivingBeforeTheCleanupTickJoinsTheEmptiedGroup() {
        // 340 s: after the flush that emptied the group (330 s), before the cleanup tick (360 s)
        XCTAssertEqual(fireResolveFire(resolved: 100, again: 340), ["30.0 1/0", "330.0 0/1", "630.0 1/0"])
    }
}

extension MonitoringReplayTests {
    /// 30 minutes on two agents, slave-01 cut off from the control hosts from 5 to 15 minutes.
    static func partitionedSpec() -> ClusterSpec {
        ClusterSpec(name: "t", seed: 1, duration: .minutes(30), sampleInterval: .minutes(1),
                    hostGroups: MarathonRuntimeTests.hostGroups(agents: 2),
                    faults: [FaultSpec(at: .minutes(5), kind: .networkPartition, target: .host("slave-01"), healAfter: .minutes(10))],
                    zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec())
    }

    /// Prometheus on master-01 (a control host), Alertmanager on slave-01, an alert that is always
    /// true (`vector(1)`, no `for`), slave-01 partitioned (`partitionedSpec`).
    func partitionedAlertmanagerRun() -> AlertmanagerCluster {
        var spec = Self.partitionedSpec()
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

extension MonitoringReplayTests {
    /// Two Alertmanager peers, master-02 (a control host) and slave-01, which a partition cuts off
    /// from the control hosts from 5 to 15 minutes; alerts posted to both (as a Prometheus that
    /// reaches both does).
    func partitionedPeersRun() -> AlertmanagerCluster {
        var spec = Self.partitionedSpec()
        spec.alertmanager = AlertmanagerSpec(hosts: ["master-02", "slave-01"], config: AlertmanagerConfig(
            route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"]), receivers: [T.webhook]))
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        let am = m.subsystem(AlertmanagerCluster.self)!
        am.keepsAll = true
        let post = AlertPoster(am), toMaster = HostPoster(am, host: m.infrastructure.host(named: "master-02")!.index)
        // A before the partition, B during it, C after it heals
        post.post(m, at: .minutes(1), [T.alert("A", startsAt: .minutes(1))])
        post.post(m, at: .minutes(6), [T.alert("B", startsAt: .minutes(6))])
        post.post(m, at: .minutes(20), [T.alert("C", startsAt: .minutes(20))])
        // D during the partition from a Prometheus on the control side (only master-02 gets it),
        // then to both once it has healed
        toMaster.post(m, at: .minutes(7), [T.alert("D", startsAt: .minutes(7))])
        post.post(m, at: .minutes(16), [T.alert("D", startsAt: .minutes(7))])
        m.run()
        return am
    }

    /// cluster.go Position and the gossiped notification log: peers a partition keeps apart do not
    /// see each other, so each side's first peer sends (Alertmanager's known duplicates under a
    /// partition); once it heals they sync their logs and dedup again.
    func testAlertmanagerPeersCutApartByAPartitionBothNotify() {
        let am = partitionedPeersRun()
        let rows = am.all.map { n in "\(n.time.seconds) \(n.instance) " + ["A", "B", "C", "D"].filter { n.groupKey.contains("\"\($0)\"") }.joined() }
        // A: master-02 at once (position 0), slave-01 waited 15 s and found it in the log; B: both,
        // each first on its side; D: master-02 at 450 s; at 960 s slave-01 makes D's group, which
        // flushes at once (its group_wait is over) and finds master-02's entry, synced when the
        // partition healed; C: master-02 only
        XCTAssertEqual(rows, ["90.0 master-02 A", "390.0 master-02 B", "390.0 slave-01 B", "450.0 master-02 D", "1230.0 master-02 C"])
    }
}

extension MonitoringReplayTests {
    /// The restart run on the real Prometheus 2.42.0 (docs/monitoring.md): `vector(1)`, `for` 40s,
    /// evaluations every 5s, `--rules.alert.for-grace-period` 10s; the server stops 25 s after it
    /// started and is back 10 s later. Prometheus restores ActiveAt at time.Now() after the second
    /// evaluation of the new process, so the restored ActiveAt + `for` falls just after a slot and
    /// the alert fires at the next one: 65 s after the first evaluation (60 s with the restore at
    /// the evaluation's own timestamp).
    func testRestoredAlertFiresAtTheSlotAfterItsRestoredForRunsOut() throws {
        var spec = ClusterSpec(name: "t", seed: 1, duration: .minutes(3), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: 1),
                               faults: [FaultSpec(at: .seconds(25), kind: .hostReboot, target: .host("slave-01"), downFor: .seconds(10))])
        var c = PrometheusConfig()
        c.evaluationInterval = .seconds(5)
        let rule = RuleSpec(kind: .alerting(alert: "A", forDuration: .seconds(40), keepFiringFor: .zero, annotations: []), expr: "vector(1)")
        spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "g", file: "rules/g.json", rules: [rule])],
                                         host: "slave-01", config: c, record: .none)
        spec.prometheus?.flags.forGracePeriod = .seconds(10)
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        m.run()
        let p = try XCTUnwrap(m.subsystem(PrometheusServer.self))
        let first = PrometheusServer.firstEvaluation(name: "g", file: "rules/g.json", interval: .seconds(5), promTime: p.promTime, now: .zero)
        XCTAssertEqual(p.restarts, 1)
        XCTAssertEqual(try XCTUnwrap(p.firings.first?.time).seconds - first.seconds, 65, accuracy: 1e-6)
    }
}

extension MonitoringReplayTests {
    /// Run on the real Alertmanager 0.25.0 (docs/alertmanager.md): S inhibits T (equal dc); both
    /// fire at 0 s, S resolves at 10 s; group_wait 2s, group_interval 20s. T is muted at its first
    /// flush (2 s) and notified at its next one (22 s), S no longer firing (inhibit.go hasEqual
    /// skips resolved sources); S's resolved notification goes out at 22 s too.
    func testInhibitionEndsWhenTheSourceResolves() throws {
        let rule = AlertmanagerInhibitRule(source: [try LabelMatcher("alertname", .equal, "S")],
                                           target: [try LabelMatcher("severity", .equal, "warning")], equal: ["dc"])
        let (m, am, post) = makeAM(route: AlertmanagerRoute(receiver: "hook", groupBy: ["alertname"], groupWait: .seconds(2), groupInterval: .seconds(20)),
                                   inhibit: [rule])
        post.post(m, at: .zero, [T.alert("S", [("dc", "dc01")]), T.alert("T", [("dc", "dc01"), ("severity", "warning")])])
        post.post(m, at: .seconds(10), [T.alert("S", [("dc", "dc01")], endsAt: .seconds(10))])
        m.run()
        XCTAssertEqual(am.all.map { "\($0.time.seconds) \(AlertmanagerCluster.describe($0))" },
                       [#"2.0 S{dc="dc01"}"#, #"22.0 S{dc="dc01"} (resolved)"#, #"22.0 T{dc="dc01",severity="warning"}"#])
    }
}
