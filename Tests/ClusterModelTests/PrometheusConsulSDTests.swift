@testable import ClusterModel
import SimKernel
import XCTest

/// A Consul catalog with tags and an outage switch: `down` makes every read fail (no server
/// answers the agent Prometheus asks).
final class TaggedFakeCatalog: Subsystem, ServiceCatalog {
    var name: String { "taggedCatalog" }
    var instances: [(ServiceInstance, [String])] = []
    var down = false
    var serviceNames: [String] { ["web", "db"] }
    func register(in sim: Simulation) {}
    func start() {}
    func healthIndex(service: Int) -> UInt64 { 1 }
    func health(service: Int, filter: ServiceHealthFilter, from host: Int) -> [ServiceInstance]? {
        down ? nil : (service == 0 ? instances.map(\.0) : [])
    }
    func tags(service: Int, instance: ServiceInstance) -> [String] { instances.first { $0.0 == instance }?.1 ?? [] }
    func serviceTags(service: Int) -> [String] {
        guard service == 0 else { return [] }
        var out: [String] = []
        for (_, ts) in instances { for t in ts where !out.contains(t) { out.append(t) } }
        return out
    }
}

/// Runs actions at exact simulated instants (a change published between two events).
final class AtHandler: EventHandler {
    var actions: [() -> Void] = []
    var target: Int32 = -1
    func handle(_ event: Event, in sim: Simulation) { actions[Int(event.arg)]() }
    func at(_ m: ClusterSimulation, _ t: SimDuration, _ f: @escaping () -> Void) {
        if target < 0 { target = m.sim.register(self) }
        actions.append(f)
        _ = m.sim.schedule(at: SimTime.zero + t, target: target, kind: 1, arg: Int64(actions.count - 1))
    }
}

/// Consul SD as discovery/consul/consul.go@v2.42.0 runs it: blocking queries gated by the
/// `refresh_interval` ticker, the 15 s retry after an error with the targets kept, tags.
final class PrometheusConsulSDTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    static func model(services: [String] = ["web"], tags: [String] = [], faults: [FaultSpec] = [], duration: SimDuration = .minutes(5),
                      extraJob: ((inout PrometheusConfig) -> Void)? = nil) -> (ClusterSimulation, PrometheusServer, TaggedFakeCatalog) {
        let entry = SubsystemEntry(name: "taggedCatalog", section: nil) { _ in TaggedFakeCatalog() }
        let (m, p) = Rig.model(slaves: 6, rules: false, faults: faults, duration: duration, configure: { c in
            var j = ScrapeConfig(jobName: "web", interval: .seconds(15), timeout: .seconds(10))
            var sd = ConsulSDConfig(); sd.services = services; sd.tags = tags
            j.consulSD = [sd]
            var t = RelabelConfig(); t.sourceLabels = ["__meta_consul_tags"]; t.targetLabel = "tags"
            var h = RelabelConfig(); h.sourceLabels = ["__meta_consul_health"]; h.targetLabel = "health"
            var i = RelabelConfig(); i.sourceLabels = ["__meta_consul_service_id"]; i.targetLabel = "service_id"
            j.relabel = [t, h, i]
            c.scrapeConfigs.append(j)
            extraJob?(&c)
        }, extra: [entry])
        let cat = m.subsystems.first { $0 is TaggedFakeCatalog } as! TaggedFakeCatalog
        cat.instances = [(ServiceInstance(task: 1, host: 1, port: 31000), [])]
        return (m, p, cat)
    }

    static func add(_ m: ClusterSimulation, _ cat: TaggedFakeCatalog, _ n: Int) {
        cat.instances.append((ServiceInstance(task: TaskID(n), host: 1 + n % 6, port: 31000 + n), []))
        m.signals.publish(.catalogChanged(service: 0))
    }

    /// Started at 0, the watch answers at once and issues its next query at the first tick (30 s):
    /// a change at 10 s is answered at 30 s (sent at 35 s), and as that query returned at once the
    /// next one waits for the tick of 60 s. A change at 61 s returns it (sent at 65 s); the next
    /// query waits for 90 s, so a change at 70 s is sent at 95 s. Then the query issued at 120 s
    /// stays open: a change at 201 s returns it, and the ticks of 150 and 180 s fell meanwhile (the
    /// ticker holds one), so the next query is issued at once and a change at 203 s is seen at once
    /// too (both sent at 205 s); no tick since 201 s, so a change at 207 s waits for 210 s (sent at
    /// 215 s). Before, every change was read at once. Mutation tried: `consulCatalogChanged`
    /// answering every watch at once (the old reading): fails at 34, 76 and 214 s.
    func testAChangeWithinARefreshPeriodOfTheLastAnswerWaitsForTheTick() {
        let (m, p, cat) = Self.model()
        let at = AtHandler()
        for (t, n) in [(Int64(10), 2), (61, 3), (70, 4), (201, 5), (203, 6), (207, 7)] { at.at(m, .seconds(t)) { Self.add(m, cat, n) } }
        Rig.run(m, until: .seconds(10))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        Rig.run(m, until: .seconds(34))
        XCTAssertEqual(p.jobLoops[1].count, 1, "the watch waits for its tick at 30 s; sent at 35 s")
        Rig.run(m, until: .seconds(36))
        XCTAssertEqual(p.jobLoops[1].count, 2)
        Rig.run(m, until: .seconds(66))
        XCTAssertEqual(p.jobLoops[1].count, 3, "the query open since 60 s returns with the change")
        Rig.run(m, until: .seconds(76))
        XCTAssertEqual(p.jobLoops[1].count, 3, "no tick since 60 s: the next query waits for 90 s")
        Rig.run(m, until: .seconds(96))
        XCTAssertEqual(p.jobLoops[1].count, 4)
        Rig.run(m, until: .seconds(204))
        XCTAssertEqual(p.jobLoops[1].count, 4)
        Rig.run(m, until: .seconds(206))
        XCTAssertEqual(p.jobLoops[1].count, 6, "a held tick: the query after 201 s is issued at once and returns at 203 s")
        Rig.run(m, until: .seconds(214))
        XCTAssertEqual(p.jobLoops[1].count, 6, "no tick since 201 s: the change at 207 s waits for 210 s")
        Rig.run(m, until: .seconds(216))
        XCTAssertEqual(p.jobLoops[1].count, 7)
        XCTAssertEqual(p.consulRPCFailures, 0)
    }

    /// Consul cannot answer from 50 s to 100 s. The change at 61 s returns the open query with an
    /// error: the targets stay, the watch sleeps 15 s and takes the held tick (76 s), fails again,
    /// sleeps to 91 s (the tick of 90 s held), fails, sleeps to 106 s and waits for the tick of
    /// 120 s, which answers: the change reaches the pool at 125 s. Before, a change Prometheus
    /// could not read was never read again (no retry). Mutation tried: no retry scheduled after a
    /// failed read: fails at 126 s.
    func testAFailedQueryKeepsTheTargetsAndIsRetriedAfter15sAndATick() {
        let (m, p, cat) = Self.model()
        let at = AtHandler()
        at.at(m, .seconds(50)) { cat.down = true }
        at.at(m, .seconds(61)) { Self.add(m, cat, 2) }
        at.at(m, .seconds(100)) { cat.down = false }
        Rig.run(m, until: .seconds(110))
        XCTAssertEqual(p.jobLoops[1].count, 1, "the last targets are kept while Consul does not answer")
        XCTAssertEqual(p.consulRPCFailures, 3, "at 61, 76 and 91 s")
        Rig.run(m, until: .seconds(124))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        Rig.run(m, until: .seconds(126))
        XCTAssertEqual(p.jobLoops[1].count, 2)
        XCTAssertEqual(p.consulRPCFailures, 3)
    }

    /// A Prometheus that restarts while Consul cannot answer starts with no Consul targets (the
    /// old process' targets lived in its memory) and gets them at its first answer. Before, the
    /// new process scraped the old process' targets. Mutation tried: `consulLast` not reset at the
    /// start: fails at 4 min.
    func testARestartWhileConsulIsDownStartsWithoutItsTargets() {
        let reboot = FaultSpec(at: .minutes(3), kind: .hostReboot, target: .host("mon-01"), downFor: .seconds(30))
        let (m, p, cat) = Self.model(faults: [reboot], duration: .minutes(8))
        let at = AtHandler()
        at.at(m, .minutes(2)) { cat.down = true }
        at.at(m, .minutes(4)) { cat.down = false }
        Rig.run(m, until: .seconds(119))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        Rig.run(m, until: .seconds(239))
        XCTAssertEqual(p.restarts, 1)
        XCTAssertEqual(p.jobLoops[1].count, 0, "the new process has no answer yet")
        XCTAssertEqual(p.jobLoops[0].count, 6, "static targets are there")
        Rig.run(m, until: .minutes(5))
        XCTAssertEqual(p.jobLoops[1].count, 1, "the next retry answers (every 30 s at most)")
    }

    /// `tags` keeps the instances carrying every listed tag (health.ServiceMultipleTags; before,
    /// a tag filter matched nothing); `__meta_consul_tags` is the tags joined by `tag_separator`,
    /// with one before and after (`,,` without tags; before, `,`); `__meta_consul_health` the
    /// checks' aggregate; `__meta_consul_service_id` the service ID (the name when the catalog does
    /// not give one). Mutations tried: the tag filter dropping everything, the tags label without
    /// the outer separators: both fail.
    func testTagsFilterInstancesAndTheTagsLabelCarriesTheSeparator() {
        let (m, p, cat) = Self.model(services: [], tags: ["metrics"], extraJob: { c in
            var j = ScrapeConfig(jobName: "all", interval: .seconds(15), timeout: .seconds(10))
            var sd = ConsulSDConfig(); sd.tagSeparator = ";"
            j.consulSD = [sd]
            var t = RelabelConfig(); t.sourceLabels = ["__meta_consul_tags"]; t.targetLabel = "tags"
            j.relabel = [t]
            c.scrapeConfigs.append(j)
        })
        cat.instances = [(ServiceInstance(task: 1, host: 1, port: 31000), ["prod", "metrics"]),
                         (ServiceInstance(task: 2, host: 2, port: 31000), ["canary"]),
                         (ServiceInstance(task: 3, host: 3, port: 31000), [])]
        Rig.run(m, until: .seconds(10))
        let web = p.jobLoops[1].map { p.loops[$0].target.labels }
        XCTAssertEqual(web.map { $0["instance"] }, ["10.0.0.2:31000"], "only the instance tagged metrics")
        XCTAssertEqual(web.first?["tags"], ",prod,metrics,")
        XCTAssertEqual(web.first?["health"], "passing")
        XCTAssertEqual(web.first?["service_id"], "web")
        let all = p.jobLoops[2].map { p.loops[$0].target.labels["tags"] }
        XCTAssertEqual(all, [";prod;metrics;", ";canary;", ";;"])
    }
}

/// Marathon SD's error path (refresh/refresh.go `Run`@v2.42.0): a refresh that gets no answer
/// keeps the last targets.
final class PrometheusMarathonSDErrorTests: XCTestCase {
    /// Prometheus on mon-01 asks Marathon on master-01 (`servers: [http://master-01:8080]`).
    /// master-01 dies at 3 min (for 10 min) and mon-01 reboots at 5 min: the new Prometheus
    /// process' refreshes fail (nothing answers on master-01), so it has no app targets until
    /// master-01 is back; the app's tasks (on the agents) keep running all along. Before, Marathon
    /// SD read Marathon's task list whatever the state of the servers, and the restarted process
    /// scraped the apps at once. Mutation tried: `marathonAnswers` always true: fails at 8 min.
    func testARestartWhileTheMarathonServerIsDownHasNoAppTargetsUntilItAnswers() throws {
        var groups = MarathonRuntimeTests.hostGroups(agents: 3)
        groups.append(PrometheusTestRig.group("mon", 1))
        let app = MarathonRuntimeTests.app("/shop/web", instances: 2)
        let faults = [FaultSpec(at: .minutes(3), kind: .hostCrash, target: .host("master-01"), recoverAfter: .minutes(10)),
                      FaultSpec(at: .minutes(5), kind: .hostReboot, target: .host("mon-01"), downFor: .seconds(30))]
        var spec = ClusterSpec(name: "t", seed: 1, duration: .minutes(20), sampleInterval: .minutes(1), hostGroups: groups,
                               faults: faults, zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                               marathon: MarathonSpec(apps: [app], behaviour: [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1)]))
        var c = PrometheusConfig()
        var j = ScrapeConfig(jobName: "apps", interval: .seconds(15), timeout: .seconds(10))
        j.marathonSD = [MarathonSDConfig(servers: ["http://master-01:8080"])]
        c.scrapeConfigs = [j]
        spec.prometheus = PrometheusSpec(ruleGroups: [], host: "mon-01", config: c, record: .none)
        let m = ClusterSimulation(spec: spec, observer: NullObserver())
        PrometheusTestRig.run(m, until: .minutes(2))
        let p = try XCTUnwrap(m.subsystem(PrometheusServer.self))
        XCTAssertEqual(p.jobLoops[0].count, 2, "both tasks found")
        XCTAssertEqual(p.marathonRefreshFailures, 1, "the refresh at 0 s: no Marathon leader elected yet (503)")
        PrometheusTestRig.run(m, until: .minutes(4))
        XCTAssertEqual(p.jobLoops[0].count, 2, "targets kept while master-01 does not answer")
        PrometheusTestRig.run(m, until: .minutes(8))
        XCTAssertEqual(p.restarts, 1)
        XCTAssertEqual(p.jobLoops[0].count, 0, "the new process has had no answer")
        XCTAssertGreaterThan(p.marathonRefreshFailures, 5)
        PrometheusTestRig.run(m, until: .minutes(16))
        XCTAssertEqual(p.jobLoops[0].count, 2, "master-01's Marathon answers again")
    }
}
