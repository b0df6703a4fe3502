@testable import ClusterModel
import SimKernel
import XCTest

/// An exporter whose exposition changes while it runs: `shape` picks which series it serves and in
/// what order, with a histogram, a label that collides with the target's (`job`) and one that
/// metric relabeling drops (`n="2"`).
final class ShiftingExporter: Subsystem, MetricsContributor {
    var name: String { "shifting" }
    var shape = 0
    static let gauge = MetricFamily("shift_gauge", .gauge, "a gauge whose series change")
    static let histogram = MetricFamily("shift_latency_seconds", .histogram, "a histogram")
    func register(in sim: Simulation) {}
    func start() {}
    func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .node ? [ShiftingExporter.gauge, ShiftingExporter.histogram] : [] }
    func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        var order = [0, 1, 2, 3]
        if shape == 1 { order.reverse() }
        if shape == 2 { order = [0, 3, 4] }
        if w.begin(ShiftingExporter.gauge, exposing: order.count) {
            for n in order {
                let labels = n == 3 ? [("job", "inner"), ("n", "3")] : [("n", String(n)), ("empty", "")]
                w.add("shift_gauge", labels, Double(e.host * 10 + n) + now.seconds)
            }
        }
        if w.begin(ShiftingExporter.histogram, exposing: 6) {
            let le = shape == 2 ? [0.1, 0.5, 1] : [0.1, 1]
            w.addHistogram("shift_latency_seconds", [("path", "/")], le: le, cumulative: le.map { $0 * now.seconds }, sum: now.seconds, count: now.seconds)
        }
    }
}

/// The scrape cache: a sample equal to the one at its position in the last scrape reuses its series
/// instead of building its label set, and the writer remembers what `wants` answered.
final class PrometheusScrapeCacheTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    /// A run where the exposition changes shape, a host crashes and metric relabeling drops a series.
    func run(reuse: Bool) -> (samples: [String], built: Int, scrapes: Int) {
        let crash = FaultSpec(at: .minutes(7), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .minutes(2))
        let (m, p) = Rig.model(slaves: 3, rules: false, record: .all, faults: [crash], duration: .minutes(20), configure: { c in
            var drop = RelabelConfig(); drop.sourceLabels = ["n"]; drop.action = .drop; try! drop.setRegex("2")
            c.scrapeConfigs[0].metricRelabel = [drop]
        }, extra: [SubsystemEntry(name: "shifting", section: nil) { _ in ShiftingExporter() }])
        p.reuseSeries = reuse
        let x = m.subsystems.first { $0 is ShiftingExporter } as! ShiftingExporter
        var out: [String] = []
        func drain() {
            for s in p.store.takePending() { out.append("\(s.labels) \(s.t) \(s.v.bitPattern) \(s.appended)") }
        }
        for (until, shape) in [(Int64(4), 1), (10, 2), (14, 0), (20, 0)] {
            Rig.run(m, until: .minutes(until)); drain()
            x.shape = shape
        }
        return (out, p.labelSetsBuilt, p.scrapesStarted)
    }

    func testReusingSeriesStoresExactlyWhatBuildingEveryLabelSetStores() {
        let fast = run(reuse: true), reference = run(reuse: false)
        XCTAssertGreaterThan(fast.samples.count, 1000)
        XCTAssertEqual(fast.samples, reference.samples, "same series, samples, staleness markers and scrape_series_added")
        XCTAssertTrue(fast.samples.contains { $0.hasPrefix("scrape_series_added") && !$0.contains(" 0 ") })
        XCTAssertTrue(fast.samples.contains { $0.contains("exported_job=\"inner\"") }, "the target's job wins, the exporter's is kept as exported_job")
        XCTAssertFalse(fast.samples.contains { $0.contains("n=\"2\"") }, "metric relabeling dropped n=2")
        // every scrape builds its 9 samples' label sets without reuse; with reuse only when the shape changed
        XCTAssertGreaterThan(reference.built, 9 * (reference.scrapes - 60))
        XCTAssertLessThan(fast.built, reference.built / 10)
    }

    func testSteadyExporterBuildsEachLabelSetOnce() {
        let (m, p) = Rig.model(slaves: 3, rules: false, record: .none, duration: .minutes(30), extra: [Rig.fakeNodeEntry])
        XCTAssertFalse(p.wants("fake_series"))
        m.run()
        // record none and no rules: nothing is wanted, nothing built
        XCTAssertEqual(p.labelSetsBuilt, 0)
        let (m2, p2) = Rig.model(slaves: 3, rules: false, record: .all, duration: .minutes(30), extra: [Rig.fakeNodeEntry])
        m2.run()
        XCTAssertGreaterThan(p2.scrapesStarted, 3 * 100)
        // node_exporter's 68 series (8 cpus × 8 modes + 4 gauges) and the fake's 3 on each of three
        // targets, each built at its target's first scrape only; the store also holds up, scrape_*
        XCTAssertEqual(p2.labelSetsBuilt, 3 * (68 + 3))
        XCTAssertEqual(p2.store.seriesCount, 3 * (68 + 3 + PrometheusServer.reportNames.count))
    }

    func testWriterAsksWantsOncePerNameWhileTheExpositionIsTheSame() {
        var asked = 0
        let w = MetricWriter(wants: { n in asked += 1; return n != "shift_latency_seconds_sum" })
        let x = ShiftingExporter()
        let e = MetricEndpoint(kind: .node, host: 1, port: 9100)
        x.collect(e, now: .zero + .seconds(15), into: w)
        let first = asked
        let series = w.samples.map { $0.labels.description }
        XCTAssertTrue(series.contains("shift_latency_seconds_bucket{le=\"+Inf\", path=\"/\"}"))
        XCTAssertFalse(series.contains { $0.hasPrefix("shift_latency_seconds_sum") })
        for k in 2...5 {
            w.reset()
            x.collect(e, now: .zero + .seconds(15 * Int64(k)), into: w)
            XCTAssertEqual(w.samples.map { $0.labels.description }, series)
        }
        XCTAssertEqual(asked, first, "the same names in the same order: answered from the memo")
        x.shape = 2
        w.reset()
        x.collect(e, now: .zero + .seconds(90), into: w)
        XCTAssertGreaterThan(asked, first, "a different exposition asks again where it differs")
        XCTAssertTrue(w.samples.contains { $0.labels.description == "shift_latency_seconds_bucket{le=\"0.5\", path=\"/\"}" })
    }

    /// A selection's matching series are kept until a series is created: a series created after a
    /// select is found by the next one, in label order, as matching every series finds it.
    func testCachedSelectionsFindSeriesCreatedSinceTheLastSelect() {
        let cached = PrometheusStore(retentionMs: 60_000), reference = PrometheusStore(retentionMs: 60_000)
        reference.cacheMatching = false
        let name = try! LabelMatcher("__name__", .equal, "up"), notB = try! LabelMatcher("job", .regexNoMatch, "b.*")
        var t: Int64 = 0
        for job in ["c", "a", "bx", "d", "b", "aa"] {
            t += 1_000
            for s in [cached, reference] { s.append(LabelSet(name: "up", [("job", job)]), t: t, v: 1); s.append(LabelSet(name: "other", [("job", job)]), t: t, v: 2) }
            for matchers in [[name], [notB], [name, notB]] {
                let a = cached.selectLatest(matchers, mint: 0, maxt: t), b = reference.selectLatest(matchers, mint: 0, maxt: t)
                XCTAssertEqual(a.map(\.labels), b.map(\.labels), "after \(job): \(matchers)")
                XCTAssertEqual(cached.select(matchers, mint: 0, maxt: t).map(\.labels), b.map(\.labels))
            }
        }
        XCTAssertEqual(cached.selectLatest([name, notB], mint: 0, maxt: t).map { $0.labels["job"] }, ["a", "aa", "c", "d"])
    }

    func testSelectLatestIsTheNewestSampleOfSelect() {
        let store = PrometheusStore(retentionMs: 60_000)
        for k in 0..<5 {
            let ls = LabelSet(name: "m", [("k", String(k))])
            for t in stride(from: Int64(1_000 * k), to: 200_000, by: 7_000) {
                store.append(ls, t: t, v: t % 21_000 == 0 ? Sample.staleNaN : Double(t))
            }
        }
        let name = try! LabelMatcher("__name__", .equal, "m"), notOne = try! LabelMatcher("k", .notEqual, "1")
        for matchers in [[name], [notOne], [name, notOne]] {
            for (mint, maxt) in [(Int64(150_000), Int64(190_000)), (180_000, 181_000), (0, 300_000), (196_500, 196_900)] {
                let all = store.select(matchers, mint: mint, maxt: maxt)
                let latest = store.selectLatest(matchers, mint: mint, maxt: maxt)
                XCTAssertEqual(latest.map(\.labels), all.map(\.labels))
                XCTAssertEqual(latest.map { $0.sample.t }, all.map { $0.samples.last!.t })
                XCTAssertEqual(latest.map { $0.sample.v.bitPattern }, all.map { $0.samples.last!.v.bitPattern })
            }
        }
    }
}
