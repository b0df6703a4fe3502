@testable import ClusterModel
import SimKernel
import XCTest

/// Serves on cAdvisor endpoints, per container n: `container_last_seen` (cAdvisor ≥ 0.33 writes it
/// with an explicit timestamp) and `container_start_time_seconds` (written without one).
final class FakeCadvisor: Subsystem, MetricsContributor {
    var name: String { "fakeCadvisor" }
    var containers = [0, 1, 2]
    /// Serve only the stamped family.
    var stampedOnly = false
    init(stampedOnly: Bool = false) { self.stampedOnly = stampedOnly }
    static let lastSeen = MetricFamily("container_last_seen", .gauge, "Last time a container was seen by the exporter")
    static let start = MetricFamily("container_start_time_seconds", .gauge, "Start time of the container since unix epoch in seconds.")
    func register(in sim: Simulation) {}
    func start() {}
    func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .cadvisor ? (stampedOnly ? [FakeCadvisor.lastSeen] : [FakeCadvisor.lastSeen, FakeCadvisor.start]) : [] }
    func collect(_ endpoint: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard endpoint.kind == .cadvisor else { return }
        if w.begin(FakeCadvisor.lastSeen, exposing: containers.count) {
            for c in containers { w.add(FakeCadvisor.lastSeen.name, [("name", "c\(c)")], now.seconds.rounded(.down)) }
        }
        if !stampedOnly, w.begin(FakeCadvisor.start, exposing: containers.count) {
            for c in containers { w.add(FakeCadvisor.start.name, [("name", "c\(c)")], Double(c)) }
        }
    }
}

/// At each evaluation, the age of the newest sample of `metric` (ms; -1: none).
final class NewestAgeRule: PrometheusRuleRunner {
    let metric: String
    var ages: [Int64] = []
    init(metric: String) { self.metric = metric }
    var selectors: [PromQLSelector] {
        [PromQLSelector(metricName: metric, matchers: [try! LabelMatcher("__name__", .equal, metric)], rangeMs: 0, offsetMs: 0)]
    }
    func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        let newest = store.select(selectors[0].matchers, mint: t - lookbackMs, maxt: t).compactMap { $0.samples.last?.t }.max()
        ages.append(newest.map { t - $0 } ?? -1)
        return []
    }
    func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] { [] }
}

/// `sample_limit`, and series an exporter writes with their own timestamps (`honor_timestamps`).
final class PrometheusScrapeLimitTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    /// Drops the host's own node_exporter families (written after the fake's), so that the samples
    /// left after metric relabeling are the fake's, in exposition order.
    static var dropHostFamilies: RelabelConfig {
        var drop = RelabelConfig(); drop.sourceLabels = ["__name__"]; drop.action = .drop; try! drop.setRegex("node_.*")
        return drop
    }

    static func report(_ p: PrometheusServer, _ name: String, at t: Int64) -> Double? {
        Rig.series(p, name).first?.samples.first { $0.t == t }?.v
    }

    /// scrape.go 2.42 with `sample_limit: 6`: a scrape that returns 10 samples fails as a whole
    /// (`up` 0, nothing of it stored; scrape_samples_scraped and _post_metric_relabeling count all
    /// 10, scrape_series_added the new series within the limit). The series of the last successful
    /// scrape within the limit keep no marker (the failed append tracked them), the ones past it
    /// would be marked; series new at the failed scrape and past the limit are marked at the next
    /// failed scrape. Back under the limit, the scrape succeeds again.
    func testAScrapeOverItsSampleLimitFailsWhole() {
        let (m, p) = Rig.model(slaves: 1, rules: false, duration: .minutes(8), configure: { c in
            c.scrapeConfigs[0].sampleLimit = 6
            c.scrapeConfigs[0].metricRelabel = [Self.dropHostFamilies]
        }, extra: [Rig.fakeNodeEntry])
        let fake = m.subsystems.first { $0 is FakeNodeExporter } as! FakeNodeExporter
        fake.count = 4
        Rig.run(m, until: .minutes(2))
        fake.count = 10
        Rig.run(m, until: .minutes(4))
        fake.count = 4
        Rig.run(m, until: .minutes(8))
        let up = Rig.series(p, "up")[0].samples
        let failed = up.filter { $0.v == 0 }
        XCTAssertEqual(failed.count, 8, "every scrape between 2 and 4 minutes fails (15 s interval)")
        XCTAssertEqual(p.sampleLimitFailures, 8)
        XCTAssertEqual(p.scrapesFailed, 8)
        guard failed.count >= 2 else { return XCTFail("no scrape failed") }
        let first = failed[0].t, second = failed[1].t
        XCTAssertGreaterThan(first, PromTime.defaultBaseMs + 120_000)
        XCTAssertLessThanOrEqual(first, PromTime.defaultBaseMs + 135_000)
        let hostSamples = Self.report(p, "scrape_samples_scraped", at: up[0].t)! - 4
        XCTAssertEqual(Self.report(p, "scrape_samples_scraped", at: first), 10 + hostSamples, "everything exposed")
        XCTAssertEqual(Self.report(p, "scrape_samples_post_metric_relabeling", at: first), 10, "everything kept, past the limit too")
        XCTAssertEqual(Self.report(p, "scrape_series_added", at: first), 2, "n=4 and n=5 are new and within the limit of 6")
        XCTAssertEqual(Self.report(p, "scrape_series_added", at: second), 0)
        XCTAssertEqual(up.last?.v, 1, "back under the limit")
        let fakes = Rig.series(p, "fake_series")
        for s in fakes {
            let n = Int(s.labels["n"]!)!
            let during = s.samples.filter { $0.t >= first && $0.t <= failed.last!.t }
            XCTAssertFalse(during.contains { !$0.isStale }, "n=\(n): nothing of a failed scrape is stored")
            switch n {
            case 0..<4:
                XCTAssertTrue(during.isEmpty, "n=\(n): within the limit, tracked by the failed append: no marker")
            case 4..<6:
                XCTAssertTrue(during.isEmpty, "n=\(n): new within the limit: no sample, no marker")
            default:
                XCTAssertEqual(during.map(\.t), [second], "n=\(n): new past the limit, marked at the next failed scrape")
                XCTAssertTrue(during.allSatisfy(\.isStale))
            }
        }
        XCTAssertEqual(fakes.count, 10)
    }

    /// The limit counts the samples left after metric relabeling (scrape.go appends through the
    /// limitAppender only what `metric_relabel_configs` kept): 10 exposed, 5 dropped, limit 6: up.
    func testTheLimitCountsSamplesAfterMetricRelabeling() {
        let (m, p) = Rig.model(slaves: 1, rules: false, duration: .minutes(3), configure: { c in
            c.scrapeConfigs[0].sampleLimit = 6
            var drop = RelabelConfig()
            drop.sourceLabels = ["n"]; drop.action = .drop; try! drop.setRegex("[0-4]")
            c.scrapeConfigs[0].metricRelabel = [Self.dropHostFamilies, drop]
        }, extra: [Rig.fakeNodeEntry])
        (m.subsystems.first { $0 is FakeNodeExporter } as! FakeNodeExporter).count = 10
        m.run()
        let up = Rig.series(p, "up")[0].samples
        XCTAssertTrue(up.allSatisfy { $0.v == 1 }, "5 samples left after relabeling: under the limit")
        XCTAssertEqual(Self.report(p, "scrape_samples_post_metric_relabeling", at: up[0].t), 5)
        XCTAssertEqual(p.sampleLimitFailures, 0)
    }

    /// cAdvisor (≥ 0.33) writes its containers' stats with explicit timestamps, and Prometheus 2.42
    /// (`honor_timestamps` true) does not track those series for staleness: a container that goes
    /// away leaves `container_last_seen` visible for the lookback delta, with no marker, while
    /// `container_start_time_seconds` (no timestamp) is marked at the next scrape. With
    /// `honor_timestamps: false` both are marked.
    func testCadvisorStampedSeriesGetNoStalenessMarkers() {
        for honor in [true, false] {
            let (m, p) = Rig.model(slaves: 1, rules: false, duration: .minutes(5), configure: { c in
                c.scrapeConfigs[0].staticGroups = [TargetGroup(targets: ["slave-01:8080"])]
                c.scrapeConfigs[0].honorTimestamps = honor
            }, extra: [SubsystemEntry(name: "fakeCadvisor", section: nil) { _ in FakeCadvisor() }])
            let fake = m.subsystems.first { $0 is FakeCadvisor } as! FakeCadvisor
            Rig.run(m, until: .minutes(2))
            fake.containers = [0, 2]
            Rig.run(m, until: .minutes(5))
            let seen = Rig.series(p, "container_last_seen").first { $0.labels["name"] == "c1" }!
            let started = Rig.series(p, "container_start_time_seconds").first { $0.labels["name"] == "c1" }!
            XCTAssertEqual(started.samples.filter(\.isStale).count, 1, "honor \(honor): no timestamp, marked when it goes")
            XCTAssertEqual(seen.samples.filter(\.isStale).count, honor ? 0 : 1,
                           "honor \(honor): a stamped series is \(honor ? "not " : "")tracked for staleness")
            let other = Rig.series(p, "container_last_seen").first { $0.labels["name"] == "c0" }!
            XCTAssertFalse(other.samples.contains(where: \.isStale))
        }
    }

    /// A cAdvisor host that crashes: its `up` goes to 0 and the unstamped series are marked at the
    /// failed scrape; the stamped ones are not (they fade after the lookback delta).
    func testAFailedScrapeLeavesStampedSeriesUnmarked() {
        let crash = FaultSpec(at: .minutes(3), kind: .hostCrash, target: .host("slave-01"))
        let (m, p) = Rig.model(slaves: 1, rules: false, faults: [crash], duration: .minutes(6), configure: { c in
            c.scrapeConfigs[0].staticGroups = [TargetGroup(targets: ["slave-01:8080"])]
        }, extra: [SubsystemEntry(name: "fakeCadvisor", section: nil) { _ in FakeCadvisor() }])
        m.run()
        XCTAssertEqual(Rig.series(p, "up")[0].samples.last?.v, 0)
        for s in Rig.series(p, "container_start_time_seconds") { XCTAssertEqual(s.samples.filter(\.isStale).count, 1) }
        for s in Rig.series(p, "container_last_seen") { XCTAssertFalse(s.samples.contains(where: \.isStale), "\(s.labels)") }
        for s in Rig.series(p, "machine_cpu_cores") { XCTAssertFalse(s.samples.contains(where: \.isStale), "\(s.labels)") }
    }

    /// A cAdvisor target whose scrapes keep only stamped series (untracked: the loop's staleness
    /// set stays empty) still takes every tick as a scrape: quiet loops are for scrapes that keep
    /// nothing but `up`. Before, the check read the writer after its series had been swapped out,
    /// and such a loop went quiet after its first scrape (no sample for minutes).
    func testAScrapeKeepingOnlyStampedSeriesIsNotQuiet() {
        var ages: [[Int64]] = []
        for lazy in [true, false] {
            let reader = NewestAgeRule(metric: "container_last_seen")
            let (m, p) = Rig.model(slaves: 1, record: .none, duration: .minutes(5), configure: { c in
                c.scrapeConfigs[0].staticGroups = [TargetGroup(targets: ["slave-01:8080"])]
            }, extra: [SubsystemEntry(name: "fakeCadvisor", section: nil) { _ in FakeCadvisor(stampedOnly: true) }], runner: { _ in reader })
            p.lazyScrapes = lazy
            m.run()
            XCTAssertGreaterThan(reader.ages.count, 15)
            XCTAssertTrue(reader.ages.dropFirst().allSatisfy { $0 < 15_000 }, "lazy \(lazy): a sample every 15 s: \(reader.ages)")
            ages.append(reader.ages)
        }
        XCTAssertEqual(ages[0], ages[1])
    }

    /// Every family cAdvisor stamps is one the model's cAdvisor serves.
    func testStampedFamiliesAreCadvisorFamilies() {
        let served = Set(ExporterCatalog.families(for: .cadvisor).map(\.family.name))
        XCTAssertTrue(CadvisorTimestamps.stampedFamilies.isSubset(of: served), "\(CadvisorTimestamps.stampedFamilies.subtracting(served))")
        XCTAssertFalse(CadvisorTimestamps.stampedFamilies.contains("container_start_time_seconds"))
        XCTAssertFalse(CadvisorTimestamps.stampedFamilies.contains("container_spec_memory_limit_bytes"))
    }
}

/// `target_limit` (scrape/scrape.go@v2.42.0 `sync`, `refreshTargetLimitErr`, `scrapeAndReport`).
final class PrometheusTargetLimitTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    /// Two Marathon tasks under `target_limit: 2` are scraped (`up` 1); a third one (refreshed at
    /// 90 s, sent at 95 s) puts the pool over its limit: every scrape of the pool fails before
    /// any request, the two old targets too (`up` 0 and their series marked stale), until a task
    /// goes (refreshed at 150 s, sent at 155 s) and the scrapes succeed again. Before, the key
    /// loaded with a warning and did nothing. Mutation tried: `scrape` ignoring `overTargetLimit`:
    /// fails (every `up` 1).
    func testAPoolOverItsTargetLimitFailsEveryScrapeUntilItIsBackUnder() throws {
        let (m, p) = Rig.model(slaves: 3, rules: false, duration: .minutes(5), configure: { c in
            var j = ScrapeConfig(jobName: "apps", interval: .seconds(15), timeout: .seconds(10))
            j.marathonSD = [MarathonSDConfig(servers: ["http://mon-01:8080"])]
            j.targetLimit = 2
            c.scrapeConfigs.append(j)
        }, extra: [Rig.fakeMarathonEntry])
        let src = m.subsystems.first { $0 is FakeMarathonSource } as! FakeMarathonSource
        let web = (1...3).map { MarathonSDTask(appId: "/shop/web", task: TaskID($0), taskId: "web.\($0)", host: $0, ports: [31000]) }
        src.tasks = Array(web.prefix(2))
        let at = AtHandler()
        at.at(m, .seconds(61)) { src.tasks = web }
        at.at(m, .seconds(121)) { src.tasks = Array(web.suffix(2)) }
        m.run()
        let base = PromTime.defaultBaseMs
        let ups = Rig.series(p, "up").filter { $0.labels["job"] == "apps" }
        XCTAssertEqual(ups.count, 3)
        for s in ups {
            let real = s.samples.filter { !$0.isStale }
            for x in real {
                let t = Double(x.t - base) / 1000
                if t > 95 && t < 155 { XCTAssertEqual(x.v, 0, "\(s.labels) at \(t) s: the pool is over its limit") }
                else if t < 95 || t > 155 { XCTAssertEqual(x.v, 1, "\(s.labels) at \(t) s") }
            }
            XCTAssertTrue(real.contains { Double($0.t - base) / 1000 > 95 && Double($0.t - base) / 1000 < 155 }, "\(s.labels) scraped while over")
        }
        XCTAssertEqual(p.targetLimitExceeded, 2, "the syncs at 95 and 125 s (every refresh is sent) found the pool over its limit")
        let events = (m.observer as! MemoryObserver).events.filter { $0.component == "prometheus" }.map { "\($0.event) \($0.subject) \($0.time.seconds)" }
        XCTAssertEqual(events, ["targetLimitExceeded apps 95.0", "targetLimitCleared apps 155.0"])
    }
}
