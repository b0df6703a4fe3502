@testable import ClusterModel
import SimKernel
import XCTest

// Fakes: an exporter on every host's node port, a Marathon task list, and a rule runner for
// `up == 0` with `for` (the rules engine's stand-in while it is not merged).

/// Serves `fake_series{n="0".."count-1"}` on node exporter endpoints; `hidden` series are left
/// out (they vanish from the exposition).
final class FakeNodeExporter: Subsystem, MetricsContributor {
    static var exposedExtra = 0
    var name: String { "fakeNode" }
    var count = 3
    var hidden: Set<Int> = []
    var extraExposed = 0
    func register(in sim: Simulation) {}
    func start() {}
    func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        kind == .node ? [MetricFamily("fake_series", .gauge, "a test gauge")] : []
    }
    func collect(_ endpoint: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard w.begin(MetricFamily("fake_series", .gauge, "a test gauge"), exposing: count + extraExposed) else { return }
        for i in 0..<count where !hidden.contains(i) { w.add("fake_series", [("n", String(i))], Double(endpoint.host * 100 + i)) }
    }
}

final class FakeMarathonSource: Subsystem, MarathonTaskSource {
    var name: String { "fakeMarathon" }
    var tasks: [MarathonSDTask] = []
    func register(in sim: Simulation) {}
    func start() {}
    func marathonSDTasks() -> [MarathonSDTask] { tasks }
}

/// `up == 0` with `for`: the alert state machine of rules/alerting.go for one selector.
final class FakeUpRule: PrometheusRuleRunner {
    let forMs: Int64
    let group: String
    var active: [LabelSet: (since: Int64, firing: Bool)] = [:]
    init(forMs: Int64, group: String) { self.forMs = forMs; self.group = group }
    var selectors: [PromQLSelector] {
        [PromQLSelector(metricName: "up", matchers: [try! LabelMatcher("__name__", .equal, "up")], rangeMs: 0, offsetMs: 0)]
    }
    func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        var down: [LabelSet: Double] = [:]
        for s in store.select(selectors[0].matchers, mint: t - lookbackMs, maxt: t) {
            guard let last = s.samples.last, !last.isStale, last.v == 0 else { continue }
            down[s.labels.withoutName.setting("alertname", "InstanceDown")] = last.v
        }
        var out: [AlertTransition] = []
        for l in down.keys.sorted() {
            if let a = active[l] {
                if !a.firing && t - a.since >= forMs {
                    active[l] = (a.since, true)
                    out.append(AlertTransition(rule: "InstanceDown", group: group, labels: l, from: .pending, to: .firing, at: t, value: 0))
                }
            } else {
                active[l] = (t, forMs == 0)
                out.append(AlertTransition(rule: "InstanceDown", group: group, labels: l, from: .inactive, to: forMs == 0 ? .firing : .pending, at: t, value: 0))
            }
        }
        for l in active.keys.sorted() where down[l] == nil {
            out.append(AlertTransition(rule: "InstanceDown", group: group, labels: l, from: active[l]!.firing ? .firing : .pending, to: .inactive, at: t, value: .nan))
            active[l] = nil
        }
        return out
    }
    func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] { [] }
}

enum PrometheusTestRig {
    static func group(_ name: String, _ count: Int) -> HostGroupSpec {
        HostGroupSpec(name: name, count: count, datacenter: "dc01", racks: ["r1"], cpus: 8, memoryBytes: 32 << 30,
                      diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)
    }

    /// Prometheus on mon-01 scraping `node` on slave-01..N with the given interval/timeout; rule
    /// groups evaluated by `FakeUpRule`.
    static func model(slaves: Int = 3, interval: SimDuration = .seconds(15), timeout: SimDuration = .seconds(10),
                      evaluation: SimDuration = .seconds(15), forDuration: SimDuration = .minutes(1), rules: Bool = true,
                      record: PrometheusSpec.RecordMode = .all, faults: [FaultSpec] = [], duration: SimDuration = .minutes(30),
                      configure: (inout PrometheusConfig) -> Void = { _ in },
                      extra: [SubsystemEntry] = [], runner: ((RuleGroupSpec) -> PrometheusRuleRunner)? = nil) -> (ClusterSimulation, PrometheusServer) {
        var spec = ClusterSpec(name: "t", seed: 1, duration: duration, sampleInterval: .minutes(1),
                               hostGroups: [group("mon", 1), group("slave", slaves)], faults: faults)
        var c = PrometheusConfig()
        c.evaluationInterval = evaluation
        var job = ScrapeConfig(jobName: "node", interval: interval, timeout: timeout)
        job.staticGroups = [TargetGroup(targets: (1...slaves).map { String(format: "slave-%02d:9100", $0) })]
        c.scrapeConfigs = [job]
        configure(&c)
        let groups = rules ? [RuleGroupSpec(name: "node", file: "rules/node.json", interval: evaluation)] : []
        spec.prometheus = PrometheusSpec(ruleGroups: groups, host: "mon-01", config: c, record: record)
        let fMs = forDuration.nanoseconds / 1_000_000
        let list = extra + [PrometheusServer.entry(runners: { g, _ in runner?(g) ?? FakeUpRule(forMs: fMs, group: g.name) })]
        let m = ClusterSimulation(spec: spec, observer: MemoryObserver(), subsystems: list)
        let p = m.subsystem(PrometheusServer.self)!
        histories[ObjectIdentifier(p)] = nil
        return (m, p)
    }

    /// Runs the model (started as `ClusterSimulation.run` starts it) up to `until`.
    static func run(_ m: ClusterSimulation, until: SimDuration) {
        _ = m.run(shouldStop: { m.sim.nextEventTime.map { $0 > SimTime.zero + until } ?? true })
    }

    static let fakeNodeEntry = SubsystemEntry(name: "fakeNode", section: nil) { _ in FakeNodeExporter() }
    static let fakeMarathonEntry = SubsystemEntry(name: "fakeMarathon", section: nil) { _ in FakeMarathonSource() }

    nonisolated(unsafe) static var histories: [ObjectIdentifier: MemorySeriesStore] = [:]

    /// Every sample recorded so far (the store itself keeps only the lookback): with `record`, the
    /// samples.csv queue, drained into a full history per server.
    static func series(_ p: PrometheusServer, _ name: String) -> [SeriesSamples] {
        guard p.spec.record != .none else { return p.store.select([try! LabelMatcher("__name__", .equal, name)], mint: 0, maxt: .max) }
        let h = histories[ObjectIdentifier(p), default: MemorySeriesStore()]
        histories[ObjectIdentifier(p)] = h
        for s in p.store.takePending() { h.append(s.labels, Sample(t: s.t, v: s.v)) }
        return h.select([try! LabelMatcher("__name__", .equal, name)], mint: 0, maxt: .max)
    }
}

/// Scrape loops, staleness, lookback retention, discovery changes and the alert latency formula.
final class PrometheusScrapeTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    func testScrapesFollowTheTargetOffsetAndInterval() {
        let (m, p) = Rig.model(rules: false)
        m.run()
        let ups = Rig.series(p, "up")
        XCTAssertEqual(ups.count, 3)
        let seed = PromHash.offsetSeed(hostname: "mon-01", externalLabels: LabelSet())
        for s in ups {
            let loop = p.loops.first { $0.publicLabels == s.labels.withoutName.labels }!
            let phase = Int64((loop.target.hash ^ seed) % 15_000_000_000)
            let first = s.samples[0].t
            // the loops start when the discovery manager first sends the targets, 5 s after the start
            // (discovery/manager.go sender's first tick); the first scrape is the first instant after
            // that whose Unix time is ≡ hash^seed (mod 15 s); 2017-06-01T00:00:00Z is a multiple of
            // 15 s, so the ms timestamp's remainder is the phase in ms
            XCTAssertEqual(first % 15_000, phase / 1_000_000)
            XCTAssertGreaterThan(first, PromTime.defaultBaseMs + 5_000)
            XCTAssertLessThanOrEqual(first, PromTime.defaultBaseMs + 20_000)
            for (a, b) in zip(s.samples, s.samples.dropFirst()) { XCTAssertEqual(b.t - a.t, 15_000) }
        }
        XCTAssertEqual(Set(ups.map { $0.samples[0].t }).count, 3, "three targets, three phases")
    }

    func testHostCrashGivesUpZeroAtTimeoutAndMarksSeriesStale() {
        let crash = FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .minutes(5))
        let (m, p) = Rig.model(rules: false, faults: [crash], extra: [Rig.fakeNodeEntry])
        m.run()
        let up = Rig.series(p, "up").first { $0.labels["instance"] == "slave-02:9100" }!
        let crashMs = PromTime.defaultBaseMs + 600_000
        let firstDown = up.samples.first { $0.v == 0 }!
        XCTAssertGreaterThan(firstDown.t, crashMs)
        XCTAssertLessThanOrEqual(firstDown.t, crashMs + 15_000, "the next scrape after the crash")
        let dur = Rig.series(p, "scrape_duration_seconds").first { $0.labels["instance"] == "slave-02:9100" }!
        XCTAssertEqual(dur.samples.first { $0.t == firstDown.t }?.v, 10, "a dead host answers nothing: the scrape times out")
        for s in Rig.series(p, "fake_series") where s.labels["instance"] == "slave-02:9100" {
            let marker = s.samples.first { $0.isStale }
            XCTAssertEqual(marker?.t, firstDown.t, "\(s.labels): marked stale at the failed scrape")
            XCTAssertFalse(s.samples.contains { $0.t > crashMs && $0.t < firstDown.t }, "nothing between crash and marker")
        }
        for s in Rig.series(p, "fake_series") where s.labels["instance"] != "slave-02:9100" {
            XCTAssertFalse(s.samples.contains { $0.isStale })
        }
        XCTAssertGreaterThan(p.scrapesFailed, 15)
    }

    func testRefusedPortFailsAtOnce() {
        let (m, p) = Rig.model(rules: false) { c in c.scrapeConfigs[0].staticGroups = [TargetGroup(targets: ["slave-01:9999"])] }
        m.run()
        let dur = Rig.series(p, "scrape_duration_seconds")[0]
        XCTAssertTrue(dur.samples.allSatisfy { $0.v == PrometheusServer.connectSeconds })
        XCTAssertTrue(Rig.series(p, "up")[0].samples.allSatisfy { $0.v == 0 })
    }

    /// Prometheus 2.42 loads any scrape `scheme`; the scrape's request goes through Go's http client,
    /// whose Transport refuses every scheme but http and https (after url.Parse lowercased it):
    /// `unsupported protocol scheme "ftp"`, at once, `up` 0 on every scrape, while the same job with
    /// `HTTPS` scrapes as https. A port-less target of such a job is dropped (PopulateLabels'
    /// `invalid scheme`), one with `https` gets port 443.
    func testAScrapeSchemeTheHttpClientRefusesFailsEveryScrape() {
        let (m, p) = Rig.model(rules: false, duration: .minutes(3), configure: { c in
            var ftp = c.scrapeConfigs[0]
            ftp.jobName = "ftp"; ftp.scheme = "ftp"
            ftp.staticGroups = [TargetGroup(targets: ["slave-01:9100", "slave-02"])]
            var upper = c.scrapeConfigs[0]
            upper.jobName = "upper"; upper.scheme = "HTTPS"
            upper.staticGroups = [TargetGroup(targets: ["slave-01:9100"])]
            c.scrapeConfigs = [ftp, upper]
        }, extra: [Rig.fakeNodeEntry])
        m.run()
        let ups = Rig.series(p, "up")
        XCTAssertEqual(ups.map { $0.labels["job"] ?? "" }.sorted(), ["ftp", "upper"], "the port-less ftp target is dropped")
        let ftp = ups.first { $0.labels["job"] == "ftp" }!
        XCTAssertGreaterThan(ftp.samples.count, 10)
        XCTAssertTrue(ftp.samples.allSatisfy { $0.v == 0 }, "every scrape of the ftp job fails")
        XCTAssertTrue(Rig.series(p, "scrape_duration_seconds").first { $0.labels["job"] == "ftp" }!.samples.allSatisfy { $0.v == 0 },
                      "refused before connecting")
        XCTAssertTrue(ups.first { $0.labels["job"] == "upper" }!.samples.allSatisfy { $0.v == 1 }, "HTTPS is https")
        XCTAssertFalse(Rig.series(p, "fake_series").contains { $0.labels["job"] == "ftp" })
    }

    func testOverloadedTargetTimesOut() {
        let (m, p) = Rig.model(slaves: 1, rules: false, duration: .minutes(2), extra: [Rig.fakeNodeEntry])
        (m.subsystems.first { $0 is FakeNodeExporter } as! FakeNodeExporter).extraExposed = 6_000_000
        m.run()
        XCTAssertGreaterThan(PrometheusServer.scrapeDuration(exposed: 6_000_003, saturation: 0), 10)
        let up = Rig.series(p, "up")[0]
        XCTAssertTrue(up.samples.allSatisfy { $0.v == 0 }, "6M samples take 12 s > the 10 s timeout")
        XCTAssertTrue(Rig.series(p, "scrape_duration_seconds")[0].samples.allSatisfy { $0.v == 10 })
    }

    func testVanishingSeriesGetMarkersAtTheNextScrape() {
        let (m, p) = Rig.model(slaves: 1, rules: false, duration: .minutes(5), extra: [Rig.fakeNodeEntry])
        let fake = m.subsystems.first { $0 is FakeNodeExporter } as! FakeNodeExporter
        Rig.run(m, until: .minutes(2))
        fake.hidden = [1]
        Rig.run(m, until: .minutes(5))
        let s1 = Rig.series(p, "fake_series").first { $0.labels["n"] == "1" }!
        let marker = s1.samples.last!
        XCTAssertTrue(marker.isStale)
        XCTAssertGreaterThan(marker.t, PromTime.defaultBaseMs + 120_000)
        XCTAssertLessThanOrEqual(marker.t, PromTime.defaultBaseMs + 135_000)
        XCTAssertEqual(s1.samples.filter(\.isStale).count, 1, "one marker, then nothing")
    }

    func testStoreKeepsLookbackOnlyAndStaysFlat() {
        let (m, p) = Rig.model(record: .none, duration: .hours(2), extra: [Rig.fakeNodeEntry])
        XCTAssertEqual(p.store.retentionMs, 15_000 + 300_000, "eval interval margin + 5m lookback")
        Rig.run(m, until: .hours(1))
        let held1 = p.store.samplesHeld
        Rig.run(m, until: .hours(2))
        XCTAssertEqual(p.store.seriesCount, 3, "only `up` is read by the rule: fake_series is not kept")
        XCTAssertLessThanOrEqual(abs(p.store.samplesHeld - held1), 3 * 40, "memory flat in simulated time")
        XCTAssertLessThan(p.store.samplesHeld, 3 * 60)
        for s in Rig.series(p, "up") {
            XCTAssertLessThanOrEqual(s.samples.count, 300 / 15 + 1 + 32, "about lookback / interval samples")
            XCTAssertGreaterThanOrEqual(s.samples.last!.t - s.samples.first!.t, 300_000, "the whole lookback is kept")
        }
    }

    func testMarathonSDFollowsTasksAndMarksRemovedTargetsStale() {
        let (m, p) = Rig.model(slaves: 2, rules: false, duration: .minutes(6), configure: { c in
            var j = ScrapeConfig(jobName: "apps", interval: .seconds(15), timeout: .seconds(10))
            j.marathonSD = [MarathonSDConfig(servers: ["http://mon-01:8080"])]
            var keep = RelabelConfig(); keep.sourceLabels = ["__meta_marathon_app"]; keep.action = .keep; try! keep.setRegex("/shop/.*")
            var app = RelabelConfig(); app.sourceLabels = ["__meta_marathon_app"]; app.targetLabel = "app"
            j.relabel = [keep, app]
            c.scrapeConfigs.append(j)
        }, extra: [Rig.fakeMarathonEntry])
        let src = m.subsystems.first { $0 is FakeMarathonSource } as! FakeMarathonSource
        src.tasks = [MarathonSDTask(appId: "/shop/web", task: TaskID(1), taskId: "web.1", host: 1, ports: [31000]),
                     MarathonSDTask(appId: "/shop/web", task: TaskID(2), taskId: "web.2", host: 2, ports: [31001]),
                     MarathonSDTask(appId: "/infra/db", task: TaskID(3), taskId: "db.1", host: 2, ports: [31002])]
        Rig.run(m, until: .minutes(2))
        XCTAssertEqual(p.jobLoops[1].count, 2, "discovered at the start; the keep rule drops /infra/db")
        src.tasks.removeFirst()
        Rig.run(m, until: .minutes(6))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        let gone = Rig.series(p, "up").first { $0.labels["instance"] == "slave-01:31000" }!
        XCTAssertEqual(gone.labels["app"], "/shop/web")
        XCTAssertTrue(gone.samples.last!.isStale, "a target removed by SD gets a marker")
        XCTAssertEqual(gone.samples.last!.t - gone.samples.dropLast().last!.t, 15_000, "at its next would-be scrape")
    }
}

/// When discovered targets reach the scrape pools: discovery/manager.go `sender`@v2.42.0 sends
/// what the discoverers produced at its ticks, every 5 s from the start (its inner select has a
/// `default`: nothing is sent between ticks), and the scrape manager applies it at once.
final class PrometheusDiscoveryTickTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    static func appsJob(_ c: inout PrometheusConfig) {
        var j = ScrapeConfig(jobName: "apps", interval: .seconds(15), timeout: .seconds(10))
        j.marathonSD = [MarathonSDConfig(servers: ["http://mon-01:8080"])]
        c.scrapeConfigs.append(j)
    }

    /// Static targets: sent at the first tick, 5 s after the start. A Marathon SD refresh (every
    /// 30 s from the start) reaches the pool at the tick after it: 5 s later, not at once.
    func testTargetsReachTheScrapePoolsAtTheNextDiscoveryTick() {
        let (m, p) = Rig.model(rules: false, duration: .minutes(3), configure: Self.appsJob, extra: [Rig.fakeMarathonEntry])
        let src = m.subsystems.first { $0 is FakeMarathonSource } as! FakeMarathonSource
        Rig.run(m, until: .milliseconds(4_999))
        XCTAssertEqual(p.jobLoops[0].count, 0, "nothing sent before the first tick")
        Rig.run(m, until: .seconds(5))
        XCTAssertEqual(p.jobLoops[0].count, 3, "the static targets at the first tick")
        Rig.run(m, until: .seconds(31))
        src.tasks = [MarathonSDTask(appId: "/shop/web", task: TaskID(1), taskId: "web.1", host: 1, ports: [31000])]
        Rig.run(m, until: .seconds(64))
        XCTAssertEqual(p.jobLoops[1].count, 0, "refreshed at 60 s, not sent yet")
        Rig.run(m, until: .seconds(65))
        XCTAssertEqual(p.jobLoops[1].count, 1, "sent at the tick after the refresh")
        Rig.run(m, until: .seconds(70))
        src.tasks = []
        Rig.run(m, until: .seconds(94))
        XCTAssertEqual(p.jobLoops[1].count, 1)
        Rig.run(m, until: .seconds(95))
        XCTAssertEqual(p.jobLoops[1].count, 0)
    }

    /// A restart (the Prometheus host reboots): the new process' ticks count from its own start.
    func testARestartedProcessSendsAtItsOwnFirstTick() {
        let reboot = FaultSpec(at: .seconds(100), kind: .hostReboot, target: .host("mon-01"), downFor: .milliseconds(60_500))
        let (m, p) = Rig.model(rules: false, faults: [reboot], duration: .minutes(4))
        Rig.run(m, until: .milliseconds(160_500))
        XCTAssertEqual(p.restarts, 1)
        XCTAssertEqual(p.jobLoops[0].count, 0, "no targets before the new process' first tick")
        m.run()
        let startMs = PromTime.defaultBaseMs + 160_500, sendMs = startMs + 5_000
        let ups = Rig.series(p, "up")
        XCTAssertEqual(ups.count, 3)
        for s in ups {
            let first = s.samples.first { $0.t > startMs }!.t
            // the loops start at the new process' first send (its ticks count from its own start) and
            // scrape at the first instant of their phase after it
            XCTAssertGreaterThan(first, sendMs, "\(s.labels)")
            XCTAssertLessThanOrEqual(first, sendMs + 15_000, "\(s.labels)")
            XCTAssertEqual(first % 15_000, s.samples[0].t % 15_000, "the same phase as before the restart")
        }
    }
}

/// A job whose `scrape_timeout` equals its `scrape_interval` (what config.go gives a job whose
/// interval is below the global timeout): a scrape of a dead host times out exactly at the next
/// tick. scrape.go's loop is sequential, so the timed-out scrape is appended, at its own start,
/// before the next scrape runs.
final class PrometheusTimeoutAtIntervalTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    func testATimeoutEqualToTheIntervalEndsBeforeTheNextScrape() {
        let crash = FaultSpec(at: .minutes(10), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .minutes(5))
        let (m, p) = Rig.model(interval: .seconds(15), timeout: .seconds(15), rules: false, faults: [crash], extra: [Rig.fakeNodeEntry])
        m.run()
        let crashMs = PromTime.defaultBaseMs + 600_000, backMs = crashMs + 300_000
        let up = Rig.series(p, "up").first { $0.labels["instance"] == "slave-02:9100" }!
        // one sample per tick, none lost: the scrapes that timed out have theirs at their start
        for (a, b) in zip(up.samples, up.samples.dropFirst()) { XCTAssertEqual(b.t - a.t, 15_000, "up at \(a.t) then \(b.t)") }
        let firstDown = up.samples.first { $0.v == 0 }!
        XCTAssertGreaterThan(firstDown.t, crashMs)
        XCTAssertLessThanOrEqual(firstDown.t, crashMs + 15_000, "the first scrape after the crash reports up 0")
        let downs = up.samples.filter { $0.v == 0 }
        XCTAssertEqual(downs.count, 20, "every tick of the 5 minutes down")
        let lastDown = downs.last!
        XCTAssertLessThan(lastDown.t, backMs)
        XCTAssertGreaterThan(lastDown.t, backMs - 15_000)
        let dur = Rig.series(p, "scrape_duration_seconds").first { $0.labels["instance"] == "slave-02:9100" }!
        XCTAssertEqual(dur.samples.first { $0.t == firstDown.t }?.v, 15, "the scrape waited its whole timeout")
        for s in Rig.series(p, "fake_series") where s.labels["instance"] == "slave-02:9100" {
            XCTAssertEqual(s.samples.first { $0.isStale }?.t, firstDown.t, "\(s.labels): marked stale at the first failed scrape")
            XCTAssertTrue(s.samples.contains { $0.t > backMs && !$0.isStale }, "\(s.labels): scraped again once the host is back")
        }
        // the loop after the host came back is an ordinary one: its last scrape's series are what
        // staleness marks (the finished timeout did not wipe them)
        let loop = p.loops.first { $0.publicLabels.contains(MetricLabel("instance", "slave-02:9100")) }!
        XCTAssertFalse(loop.prev.isEmpty)
        XCTAssertFalse(loop.timingOut)
    }
}
