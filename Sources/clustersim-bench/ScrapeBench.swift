// `clustersim-bench scrape HOSTS SERIES_PER_HOST HOURS SEED`: the benchmark platform (main.swift
// `platformSpec`, HOSTS agents, one app of 100 instances) once without Prometheus (the baseline)
// and once with a Prometheus on master-01 scraping a node exporter on every agent every 15 s
// (SERIES_PER_HOST series per host in 20 gauge families) and one rule group every 15 s reading
// one family (a twentieth of the series: what the store keeps). The pair runs again at a tenth of
// the hosts, so the lines show how the cost grows with targets. Prints per run: wall seconds,
// events, scrapes, samples appended, label sets built (scrape cache misses), series and samples
// held at half time and at the end (memory flat in simulated time), the ratio to the baseline and
// the peak RSS (docs/monitoring.md).

import ClusterModel
import SimKernel

/// A node exporter serving `perHost` series in 20 families on every host.
final class BenchNodeExporter: Subsystem, MetricsContributor {
    let families: [MetricFamily]
    let perFamily: Int
    var name: String { "benchNode" }
    init(perHost: Int) {
        families = (0..<20).map { MetricFamily("bench_metric_\($0)", .gauge, "a benchmark gauge") }
        perFamily = max(1, perHost / 20)
    }
    func register(in sim: Simulation) {}
    func start() {}
    func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .node ? families : [] }
    func collect(_ endpoint: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        for f in families where w.begin(f, exposing: perFamily) {
            for i in 0..<perFamily { w.add(f.name, [("cpu", String(i))], Double(endpoint.host + i) + now.seconds) }
        }
    }
}

/// Reads `bench_metric_0` at every evaluation (a `sum(bench_metric_0)`: the store's newest-sample
/// path, as PromQL's instant selector reads it).
final class BenchRule: PrometheusRuleRunner {
    let matcher = try! LabelMatcher("__name__", .equal, "bench_metric_0")
    var selectors: [PromQLSelector] { [PromQLSelector(metricName: "bench_metric_0", matchers: [matcher], rangeMs: 0, offsetMs: 0)] }
    var lastSum = 0.0
    func evaluate(at t: Int64, store: SeriesStore, lookbackMs: Int64, append: (LabelSet, Sample) -> Void) -> [AlertTransition] {
        lastSum = store.selectLatest([matcher], mint: t - lookbackMs, maxt: t).reduce(0) { $0 + $1.sample.v }
        return []
    }
    func alertsToSend(at t: Int64, resendDelayMs: Int64, evaluationIntervalMs: Int64) -> [AlertPayload] { [] }
}

struct ScrapeBenchRun {
    var seconds: Double
    var events: Int
    var scrapes = 0
    var appended = 0
    var built = 0
    var seriesHalf = 0, heldHalf = 0, series = 0, held = 0
}

func runScrapeOnce(hosts: Int, perHost: Int, hours: Int, seed: UInt64, withPrometheus: Bool) -> ScrapeBenchRun {
    var spec = platformSpec(agents: hosts, apps: 1, perApp: 100, hours: hours, seed: seed)
    spec.sampleInterval = .minutes(1)
    var list = ClusterSimulation.standardSubsystems.filter { $0.name != "prometheus" }
    if withPrometheus {
        var c = PrometheusConfig()
        c.scrapeInterval = .seconds(15); c.evaluationInterval = .seconds(15)
        var job = ScrapeConfig(jobName: "node", interval: .seconds(15), timeout: .seconds(10))
        job.staticGroups = [TargetGroup(targets: (0..<hosts).map { spec.hostGroups[2].hostName($0) + ":9100" })]
        c.scrapeConfigs = [job]
        spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "bench", file: "bench.json", interval: .seconds(15))],
                                         host: "master-01", config: c)
        list += [SubsystemEntry(name: "benchNode", section: nil) { _ in BenchNodeExporter(perHost: perHost) },
                 PrometheusServer.entry(runners: { _, _ in BenchRule() })]
    }
    let model = ClusterSimulation(spec: spec, observer: CountingObserver(hash: false), subsystems: list)
    let half = SimTime.zero + SimDuration(nanoseconds: spec.duration.nanoseconds / 2)
    let t0 = monotonicSeconds()
    _ = model.run(shouldStop: { model.sim.now >= half })
    var r = ScrapeBenchRun(seconds: 0, events: 0)
    let p = model.subsystem(PrometheusServer.self)
    r.seriesHalf = p?.store.seriesCount ?? 0; r.heldHalf = p?.store.samplesHeld ?? 0
    model.run()
    r.seconds = monotonicSeconds() - t0
    r.events = Int(model.sim.eventsProcessed)
    r.appended = p?.store.appended ?? 0
    r.series = p?.store.seriesCount ?? 0; r.held = p?.store.samplesHeld ?? 0
    r.scrapes = p.map { $0.scrapesStarted } ?? 0
    r.built = p?.labelSetsBuilt ?? 0
    return r
}

func runScrape(hosts: Int, perHost: Int, hours: Int, seed: UInt64) {
    guard hosts >= 10, perHost >= 20, hours >= 1 else { fail("scrape: HOSTS must be >= 10, SERIES_PER_HOST >= 20, HOURS >= 1") }
    for scale in [10, 1] {
        let h = hosts / scale
        let base = runScrapeOnce(hosts: h, perHost: perHost, hours: hours, seed: seed, withPrometheus: false)
        let with = runScrapeOnce(hosts: h, perHost: perHost, hours: hours, seed: seed, withPrometheus: true)
        print("name=scrape_h\(h)_s\(perHost) impl=swift_clustersim sim_hours=\(hours)"
              + " seconds=\(NumberFormat.fixed(with.seconds, decimals: 3)) events=\(with.events) scrapes=\(with.scrapes)"
              + " samples_appended=\(with.appended) label_sets_built=\(with.built) series_half=\(with.seriesHalf) samples_held_half=\(with.heldHalf)"
              + " series_end=\(with.series) samples_held_end=\(with.held)"
              + " baseline_events=\(base.events) baseline_seconds=\(NumberFormat.fixed(base.seconds, decimals: 3))"
              + " ratio_seconds=\(NumberFormat.fixed(with.seconds / max(1e-9, base.seconds), decimals: 3))"
              + " extra_seconds_per_scrape_us=\(NumberFormat.fixed((with.seconds - base.seconds) / Double(max(1, with.scrapes)) * 1e6, decimals: 2))"
              + " peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1))")
    }
}
