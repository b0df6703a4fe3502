@testable import ClusterModel
import SimKernel
import XCTest

/// The server's life: its host going down and coming back, Consul SD following catalog changes,
/// and the notifier posting each evaluation's alerts to the Alertmanagers that accept.
final class PromFakeCatalog: Subsystem, ServiceCatalog {
    var name: String { "fakeCatalog" }
    var instances: [ServiceInstance] = []
    var serviceNames: [String] { ["web", "db"] }
    func register(in sim: Simulation) {}
    func start() {}
    func healthIndex(service: Int) -> UInt64 { 1 }
    func health(service: Int, filter: ServiceHealthFilter, from host: Int) -> [ServiceInstance]? { service == 0 ? instances : [] }
}

final class FakeAlertmanager: Subsystem, AlertReceiver {
    var name: String { "fakeAlertmanager" }
    var posts: [(host: Int, at: SimTime, alerts: [AlertPayload])] = []
    func register(in sim: Simulation) {}
    func start() {}
    func alertmanagerEndpoints() -> [(host: Int, port: Int)] { [(1, 9093), (2, 9093)] }
    func accepts(host: Int) -> Bool { true }
    func receive(_ alerts: [AlertPayload], on host: Int, now: SimTime) { posts.append((host, now, alerts)) }
}

/// `FakeUpRule` that also sends its firing alerts at every evaluation.
final class SendingUpRule: PrometheusRuleRunner {
    let inner: FakeUpRule
    init(forMs: Int64) { inner = FakeUpRule(forMs: forMs, group: "node") }
    var selectors: [PromQLSelector] { inner.selectors }
    func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        inner.evaluate(at: t, store: store, lookbackMs: lookbackMs, append: append)
    }
    func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] {
        inner.active.keys.sorted().filter { inner.active[$0]!.firing }.map {
            AlertPayload(labels: $0, annotations: LabelSet(), startsAt: inner.active[$0]!.since, endsAt: t + 4 * max(evaluationIntervalMs, resendDelayMs))
        }
    }
}

final class PrometheusServerTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    func testServerDownStopsScrapesAndARestartKeepsThePhase() {
        let crash = FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("mon-01"), recoverAfter: .minutes(2))
        let (m, p) = Rig.model(rules: false, faults: [crash], duration: .minutes(12))
        m.run()
        XCTAssertEqual(p.restarts, 1)
        let base = PromTime.defaultBaseMs
        for s in Rig.series(p, "up") {
            let ts = s.samples.map(\.t)
            XCTAssertFalse(ts.contains { $0 > base + 300_000 && $0 <= base + 420_000 }, "nothing scraped while the server is down")
            XCTAssertTrue(ts.contains { $0 > base + 420_000 }, "scraping resumes")
            XCTAssertEqual(Set(ts.map { $0 % 15_000 }).count, 1, "the same phase before and after the restart")
            XCTAssertFalse(s.samples.contains { $0.isStale }, "a stopped process writes no markers")
        }
    }

    func testConsulSDFollowsTheCatalogFiveSecondsAfterAChange() {
        let catalogEntry = SubsystemEntry(name: "fakeCatalog", section: nil) { _ in PromFakeCatalog() }
        let (m, p) = Rig.model(slaves: 2, rules: false, duration: .minutes(5), configure: { c in
            var j = ScrapeConfig(jobName: "web", interval: .seconds(15), timeout: .seconds(10))
            j.consulSD = [ConsulSDConfig()]
            var svc = RelabelConfig(); svc.sourceLabels = ["__meta_consul_service"]; svc.targetLabel = "service"
            j.relabel = [svc]
            c.scrapeConfigs.append(j)
        }, extra: [catalogEntry])
        let cat = m.subsystems.first { $0 is PromFakeCatalog } as! PromFakeCatalog
        cat.instances = [ServiceInstance(task: 1, host: 1, port: 31000)]
        Rig.run(m, until: .minutes(1))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        XCTAssertEqual(p.loops[p.jobLoops[1][0]].target.labels["service"], "web")
        XCTAssertEqual(p.loops[p.jobLoops[1][0]].target.labels["instance"], "10.0.0.2:31000", "the service address and port")
        cat.instances.append(ServiceInstance(task: 2, host: 2, port: 31001))
        m.signals.publish(.catalogChanged(service: 0))
        Rig.run(m, until: .seconds(64))
        XCTAssertEqual(p.jobLoops[1].count, 1, "not yet: updates reach the pools every 5 s")
        Rig.run(m, until: .seconds(66))
        XCTAssertEqual(p.jobLoops[1].count, 2)
    }

    func testNotifierPostsEachEvaluationToTheAlertmanagersThatAccept() {
        let crash = FaultSpec(at: .minutes(3), kind: .hostCrash, target: .host("slave-01"))
        let amCrash = FaultSpec(at: .minutes(8), kind: .hostCrash, target: .host("slave-02"))
        var spec = ClusterSpec(name: "t", seed: 1, duration: .minutes(10), sampleInterval: .minutes(1),
                               hostGroups: [Rig.group("mon", 1), Rig.group("slave", 3)], faults: [crash, amCrash])
        var c = PrometheusConfig()
        c.evaluationInterval = .seconds(15)
        var job = ScrapeConfig(jobName: "node", interval: .seconds(15), timeout: .seconds(10))
        job.staticGroups = [TargetGroup(targets: ["slave-01:9100", "slave-03:9100"])]
        c.scrapeConfigs = [job]
        c.alertmanagers = [AlertmanagerTargets(targets: ["slave-01:9093", "slave-02:9093", "slave-03:9093"])]
        spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "node", file: "n.json", interval: .seconds(15))], host: "mon-01", config: c)
        let list = [SubsystemEntry(name: "fakeAlertmanager", section: nil) { _ in FakeAlertmanager() },
                    PrometheusServer.entry(runners: { _, _ in SendingUpRule(forMs: 30_000) })]
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver(), subsystems: list)
        let am = m.subsystems.first { $0 is FakeAlertmanager } as! FakeAlertmanager
        m.run()
        let p = m.subsystem(PrometheusServer.self)!
        XCTAssertEqual(p.alertManagers.map(\.host), [1, 2], "slave-03:9093 is not an instance of the cluster")
        XCTAssertFalse(am.posts.isEmpty)
        XCTAssertTrue(am.posts.allSatisfy { $0.alerts.first?.labels["instance"] == "slave-01:9100" })
        XCTAssertTrue(am.posts.allSatisfy { $0.host == 2 }, "slave-01 (the first instance) is down from the start of the alert")
        XCTAssertFalse(am.posts.contains { $0.at >= SimTime.zero + .minutes(8) }, "nothing reaches a down instance")
        let times = am.posts.map(\.at)
        XCTAssertEqual(Set(times).count, times.count, "one post per evaluation per instance")
        XCTAssertEqual(p.notificationsPosted, am.posts.count)
    }
}
