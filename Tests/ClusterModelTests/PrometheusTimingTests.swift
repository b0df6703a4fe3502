@testable import ClusterModel
import SimKernel
import XCTest

/// The hashes and phases of Prometheus 2.42 (docs/monitoring.md, "Scrape and evaluation phases"),
/// relabeling, the fault-to-firing latency formula and determinism.
final class PrometheusTimingTests: XCTestCase {
    typealias Rig = PrometheusTestRig

    func testHashesMatchTheirReferenceVectors() {
        // xxHash64 seed 0 (the reference implementation's test vectors)
        XCTAssertEqual(PromHash.xxhash64([]), 0xef46_db37_51d8_e999)
        XCTAssertEqual(PromHash.xxhash64(Array("a".utf8)), 0xd24e_c4f1_a98c_6e5b)
        XCTAssertEqual(PromHash.xxhash64(Array("abc".utf8)), 0x44bc_2cf5_ad77_0999)
        XCTAssertEqual(PromHash.xxhash64(Array("Nobody inspects the spammish repetition".utf8)), 0xfbce_a83c_8a37_8bf1, "> 32 bytes: the striped path")
        // FNV-1a 64 (hash/fnv)
        XCTAssertEqual(PromHash.fnv64a([]), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(PromHash.fnv64a(Array("a".utf8)), 0xaf63_dc4c_8601_ec8c)
        // MD5 (RFC 1321 appendix A.5) and relabel's sum64 of its last 8 bytes
        XCTAssertEqual(PromHash.md5(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(PromHash.md5([]).map { String(format: "%02x", $0) }.joined(), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(PromHash.md5Sum64("foo"), 17_145_033_699_835_028_696)
        // labels.Hash is xxhash64 over name 0xff value 0xff ...
        let ls = LabelSet(["job": "node"])
        XCTAssertEqual(PromHash.labelsHash(ls), PromHash.xxhash64(Array("job".utf8) + [0xff] + Array("node".utf8) + [0xff]))
        XCTAssertEqual(PromHash.goLabelsString(LabelSet()), "{}")
        XCTAssertEqual(PromHash.goLabelsString(LabelSet(["dc": "dc01", "a": "x\"y"])), "{a=\"x\\\"y\", dc=\"dc01\"}")
    }

    func testScrapeOffsetAndEvalTimestampAsTheGoCodeComputesThem() {
        // target.go offset: interval 15 s, now = :07 past a 15 s boundary, hash^seed = 40e9+3 ns
        // offset = (40e9+3) mod 15e9 = 10e9+3; base = 15e9 − 7e9 = 8e9; next = 18e9+3 > 15e9 → 3e9+3
        let now: Int64 = 1_496_275_207_000_000_000
        XCTAssertEqual(PromHash.scrapeOffset(intervalNs: 15_000_000_000, hash: 40_000_000_003, seed: 0, nowUnixNs: now), 3_000_000_003)
        // the seed is xored in: same result for hash^seed
        XCTAssertEqual(PromHash.scrapeOffset(intervalNs: 15_000_000_000, hash: 40_000_000_003 ^ 0xABCD, seed: 0xABCD, nowUnixNs: now), 3_000_000_003)
        // exactly on the phase: a whole interval later (next is in (0, interval])
        XCTAssertEqual(PromHash.scrapeOffset(intervalNs: 15_000_000_000, hash: 7_000_000_000, seed: 0, nowUnixNs: now), 15_000_000_000)
        // group.go EvalTimestamp: interval 60 s, hash = 125e9+5 → offset 5e9+5; start 30 s past the minute
        // adjNow = start − offset; base = adjNow − adjNow mod 60e9 (the minute); slot = base + offset
        let start: Int64 = 1_496_275_230_000_000_000
        XCTAssertEqual(PromHash.evalTimestamp(intervalNs: 60_000_000_000, hash: 125_000_000_005, startUnixNs: start), 1_496_275_205_000_000_005)
        let first = PrometheusServer.firstEvaluation(name: "g", file: "f.json", interval: .minutes(1), promTime: PromTime(baseMs: PromTime.defaultBaseMs), now: .zero)
        let phase = Int64(PromHash.groupHash(name: "g", file: "f.json") % 60_000_000_000)
        XCTAssertEqual(first.nanoseconds % 60_000_000_000, phase, "2017-06-01 is on a minute: the slot is the phase")
        XCTAssertGreaterThan(first, .zero)
        XCTAssertEqual(PromHash.groupHash(name: "g", file: "f.json"), PromHash.labelsHash(LabelSet([MetricLabel("file", "f.json"), MetricLabel("name", "g")])))
    }

    func testPrometheusDurationsParseAndPrintAsPrometheusDoes() {
        XCTAssertEqual(PromHash.parseDuration("1m30s"), .seconds(90))
        XCTAssertEqual(PromHash.parseDuration("1d"), .hours(24))
        XCTAssertEqual(PromHash.parseDuration("0"), .zero)
        XCTAssertNil(PromHash.parseDuration("1.5m"))
        XCTAssertNil(PromHash.parseDuration("30s1m"), "units in order")
        XCTAssertNil(PromHash.parseDuration(""))
        XCTAssertNil(PromHash.parseDuration("99999999999999999999y"), "overflow is an error, not a trap")
        XCTAssertEqual(PromHash.durationString(.seconds(90)), "1m30s")
        XCTAssertEqual(PromHash.durationString(.hours(24 * 14)), "2w")
        XCTAssertEqual(PromHash.durationString(.zero), "0s")
    }

    func testRelabelActionsFollowRelabelGo() throws {
        let base = [MetricLabel("__address__", "slave-01:9100"), MetricLabel("__meta_marathon_app_label_team", "ops"), MetricLabel("job", "node")]
        var replace = RelabelConfig(); replace.sourceLabels = ["__address__"]; replace.targetLabel = "host"; try replace.setRegex("([^:]+):(\\d+)")
        XCTAssertEqual(RelabelConfig.process(base, [replace])?.first { $0.name == "host" }?.value, "slave-01")
        var templ = replace; templ.replacement = "$1x"
        XCTAssertNil(RelabelConfig.process(base, [templ])?.first { $0.name == "host" }, "$1x is the group named 1x: empty, so the label is deleted")
        var keep = RelabelConfig(); keep.sourceLabels = ["job"]; keep.action = .keep; try keep.setRegex("node")
        XCTAssertNotNil(RelabelConfig.process(base, [keep]))
        try keep.setRegex("nod")
        XCTAssertNil(RelabelConfig.process(base, [keep]), "regexes are anchored")
        var drop = RelabelConfig(); drop.sourceLabels = ["job"]; drop.action = .drop; try drop.setRegex("node")
        XCTAssertNil(RelabelConfig.process(base, [drop]))
        var map = RelabelConfig(); map.action = .labelmap; try map.setRegex("__meta_marathon_app_label_(.+)")
        XCTAssertEqual(RelabelConfig.process(base, [map])?.first { $0.name == "team" }?.value, "ops")
        var ldrop = RelabelConfig(); ldrop.action = .labeldrop; try ldrop.setRegex("__meta_.*")
        XCTAssertEqual(RelabelConfig.process(base, [ldrop])?.count, 2)
        var lkeep = RelabelConfig(); lkeep.action = .labelkeep; try lkeep.setRegex("job")
        XCTAssertEqual(RelabelConfig.process(base, [lkeep])?.map(\.name), ["job"])
        var hm = RelabelConfig(); hm.sourceLabels = ["__address__"]; hm.action = .hashmod; hm.modulus = 4; hm.targetLabel = "shard"
        XCTAssertEqual(RelabelConfig.process([MetricLabel("__address__", "10.0.0.1:9100")], [hm])?.first { $0.name == "shard" }?.value, "1",
                       "md5 sum64 mod 4, worked out with Python's hashlib")
    }

    func testHonorLabelsConflictsAsScrapeGo() {
        let (_, p) = Rig.model(rules: false)
        let scraped = [MetricLabel("__name__", "x"), MetricLabel("job", "inner"), MetricLabel("exported_job", "taken")]
        let target = [MetricLabel("job", "node"), MetricLabel("instance", "a:1")]
        let out = LabelSet(p.mutate(scraped, target, honor: false))
        XCTAssertEqual(out["job"], "node")
        XCTAssertEqual(out["exported_exported_job"], "inner", "exported_job is taken: prefixed again")
        XCTAssertEqual(LabelSet(p.mutate(scraped, target, honor: true))["job"], "inner")
    }

    /// Fault to firing for `up == 0` with `for: F`, scrape S, timeout T, evaluation E: within
    /// [ceil(F/E)·E, S + T + E + ceil(F/E)·E] wherever the crash falls in the phases.
    func testAlertLatencyLiesWithinTheReferenceFormula() {
        for (s, t, e, f) in [(15, 10, 15, 60), (60, 10, 60, 300), (30, 10, 20, 50)] as [(Int64, Int64, Int64, Int64)] {
            let lo = Double((f + e - 1) / e * e), hi = Double(s + t + e) + lo
            var seen: [Double] = []
            for k in 0..<24 {
                let at = SimDuration.seconds(600) + SimDuration.milliseconds(Int64(k) * 2_537)
                let crash = FaultSpec(at: at, kind: .hostCrash, target: .host("slave-02"))
                let (m, p) = Rig.model(interval: .seconds(s), timeout: .seconds(t), evaluation: .seconds(e), forDuration: .seconds(f),
                                       record: .none, faults: [crash], duration: at + .seconds(Int64(hi.rounded(.up)) + 120))
                m.run()
                guard let firing = p.firstFiringAfter[0] else { XCTFail("S=\(s) E=\(e) F=\(f) crash at \(at): never fired"); continue }
                let latency = (firing - (SimTime.zero + at)).seconds
                XCTAssertGreaterThanOrEqual(latency, lo, "S=\(s) T=\(t) E=\(e) F=\(f) crash at \(at)")
                XCTAssertLessThanOrEqual(latency, hi, "S=\(s) T=\(t) E=\(e) F=\(f) crash at \(at)")
                seen.append(latency)
            }
            XCTAssertGreaterThan((seen.max() ?? 0) - (seen.min() ?? 0), Double(e) / 2, "the phases spread the latency")
        }
    }

    /// The same bound with the real rules engine (RuleGroupRunner, PromQL) evaluating `up == 0`.
    func testAlertLatencyWithTheRealRulesEngine() {
        for k in 0..<12 {
            let at = SimDuration.seconds(600) + SimDuration.milliseconds(Int64(k) * 3_119)
            var spec = ClusterSpec(name: "t", seed: 1, duration: at + .minutes(4), sampleInterval: .minutes(1),
                                   hostGroups: [Rig.group("mon", 1), Rig.group("slave", 2)],
                                   faults: [FaultSpec(at: at, kind: .hostCrash, target: .host("slave-02"))])
            var c = PrometheusConfig()
            c.evaluationInterval = .seconds(15)
            var job = ScrapeConfig(jobName: "node", interval: .seconds(15), timeout: .seconds(10))
            job.staticGroups = [TargetGroup(targets: ["slave-01:9100", "slave-02:9100"])]
            c.scrapeConfigs = [job]
            let rule = RuleSpec(kind: .alerting(alert: "InstanceDown", forDuration: .minutes(1), keepFiringFor: .zero, annotations: []), expr: "up == 0")
            spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "node", file: "rules/node.json", interval: .seconds(15), rules: [rule])],
                                             host: "mon-01", config: c)
            let m = ClusterSimulation(spec: spec, observer: MemoryObserver(), subsystems: [PrometheusServer.entry])
            m.run()
            let p = m.subsystem(PrometheusServer.self)!
            guard let firing = p.firstFiringAfter[0] else { XCTFail("crash at \(at): InstanceDown never fired"); continue }
            let latency = (firing - (SimTime.zero + at)).seconds
            XCTAssertGreaterThanOrEqual(latency, 60, "crash at \(at)")
            XCTAssertLessThanOrEqual(latency, 15 + 10 + 15 + 60, "crash at \(at)")
            XCTAssertEqual(p.firstFiringAlert[0], "InstanceDown")
        }
    }

    func testSameScenarioSameSamples() {
        func run() -> [String] {
            let crash = FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("slave-01"), recoverAfter: .minutes(3))
            let (m, p) = Rig.model(faults: [crash], duration: .minutes(15), extra: [Rig.fakeNodeEntry])
            m.run()
            return p.store.takePending().map { "\($0.labels) \($0.t) \($0.v.bitPattern)" } + p.pendingTransitions.map { "\($0.labels) \($0.at) \($0.to)" }
        }
        let a = run(), b = run()
        XCTAssertGreaterThan(a.count, 1000)
        XCTAssertEqual(a, b)
    }
}
