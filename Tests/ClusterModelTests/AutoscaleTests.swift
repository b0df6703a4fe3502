import XCTest
@testable import ClusterModel
import SimKernel

/// A marathon-lb stand-in: one HAProxy instance per listed host, whose FRONTEND rows come from a
/// recorded rate series (`rates(now)`: frontend name → rate).
final class RecordedHAProxyStats: Subsystem, HAProxyControl, HAProxyStatsSource {
    let hosts: [Int]
    let rates: (SimTime) -> [(String, Int)]?
    init(hosts: [Int], rates: @escaping (SimTime) -> [(String, Int)]?) { self.hosts = hosts; self.rates = rates }
    var name: String { "fakehaproxy" }
    func register(in sim: Simulation) {}
    func start() {}
    var haproxyInstances: [(host: Int, group: String)] { hosts.map { ($0, "external") } }
    func haproxyGeneration(_ i: Int) -> Int { 1 }
    func haproxyConfiguration(_ i: Int, generation: Int) -> HAProxyConfiguration { HAProxyConfiguration() }
    func haproxyAccepts(_ i: Int, now: SimTime) -> Bool { true }
    func haproxyFrontendStats(_ i: Int, now: SimTime) -> [HAProxyFrontendStats]? {
        rates(now)?.map { HAProxyFrontendStats(name: $0.0, rate: $0.1, scur: 0) }
    }
}

/// marathon-lb-autoscale against a recorded rate series and a small real Marathon: the expected
/// decisions are worked by hand from autoscale.rb (line numbers in docs/autoscale.md).
final class AutoscaleTests: XCTestCase {
    final class Run {
        let model: ClusterSimulation
        let observer = MemoryObserver()
        var scaler: Autoscaler { model.subsystem(Autoscaler.self)! }
        var rows: [[String]] = []
        init(flags: AutoscaleSpec, apps: [AppDefinition], startup: Double = 5, duration: SimDuration = .hours(1), faults: [FaultSpec] = [],
             rates: @escaping (SimTime) -> [(String, Int)]?) {
            let beh = apps.map { _ in AppBehaviour(task: TaskBehaviour(startup: .constant(startup)), imageSizeBytes: 100_000_000) }
            var spec = ClusterSpec(name: "t", seed: 1, duration: duration, sampleInterval: .minutes(1),
                                   hostGroups: MarathonRuntimeTests.hostGroups(agents: 6),
                                   faults: faults, zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                                   marathon: MarathonSpec(version: MarathonVersion(1, 4, 9), apps: apps, behaviour: beh))
            var f = flags
            f.haproxyHosts = ["master-01"]
            spec.autoscale = f
            let fake = SubsystemEntry(name: "fakehaproxy", section: nil) { _ in RecordedHAProxyStats(hosts: [0], rates: rates) }
            var list = ClusterSimulation.standardSubsystems
            list.insert(fake, at: list.firstIndex { $0.name == "autoscale" }!)
            model = ClusterSimulation(spec: spec, observer: observer, subsystems: list)
        }
        func run() {
            XCTAssertTrue(model.run {
                let sink = RowSink()
                self.scaler.writeRows(sink)
                self.rows += sink.rows
                return false
            })
        }
        /// (time_s, decision, target, current, counter) of one frontend.
        func decisions(_ app: String) -> [(t: Int, d: String, target: Int, current: Int, counter: Int)] {
            rows.filter { $0[1] == app }.map { (Int(Double($0[0])!), $0[9], Int($0[5])!, Int($0[6])!, Int($0[8])!) }
        }
        var puts: [LoggedEvent] { observer.events.filter { $0.event == "autoscalePut" } }
    }

    final class RowSink: TableSink {
        var rows: [[String]] = []
        var row: [String] = []
        func field(_ s: String) { row.append(s) }
        func field(_ i: Int) { row.append(String(i)) }
        func field(_ x: Double, decimals: Int) { row.append(NumberFormat.decimal(x, decimals)) }
        func field(_ t: SimTime) { row.append(NumberFormat.decimal(t.seconds, 3)) }
        func endRow() { rows.append(row); row = [] }
    }

    static func web(_ instances: Int = 1) -> AppDefinition {
        MarathonRuntimeTests.app("/web", instances: instances, cpus: 0.1, mem: 64)
    }

    static func flags(_ body: (inout AutoscaleSpec) -> Void = { _ in }) -> AutoscaleSpec {
        var f = AutoscaleSpec()
        f.targetRPS = 100
        f.apps = ["web_10000"]
        f.marathon = "http://marathon:8080"
        body(&f)
        return f
    }

    /// 100 rps until 1200 s, then 1000 rps; defaults but --target-rps 100. By hand (interval 60,
    /// samples 10): the iteration at 0 s may find no Marathon leader (its sample counts, line 172,
    /// total_samples does not, line 187). 660 s is the 11th counted one (line 178); 100 rps is
    /// target 1 = current: `equal`. From 1200 s the window holds 1..10 samples of 1000:
    /// avg 190 → target 2, rps/instance 190 (off 0.9 ≥ 0.5): counter 1; 1260: 280 → 3, counter 2;
    /// 1320: 370 → 4, counter 3 → PUT 4. 1380: 460 → 5, 460/4 = 115 (off 0.15) and |5−4| < 3:
    /// within, counter 0. 1440: 550 → 6, 137.5 (0.375), 2 < 3: within. 1500: 640 → 7, 160 (0.6):
    /// counter 1; 1560: 2; 1620: 3, but 1320 + 5·60 + 10·60 = 2220 > 1620: cooling down, and
    /// so on with the counter rising (not reset by cooling down) until 2220: PUT 10 (avg 1000).
    /// 2280: target 10 = current 10: equal.
    func testStepScalesAsAutoscaleRbDecides() {
        let r = Run(flags: Self.flags(), apps: [Self.web()]) { now in [("web_10000", now.seconds < 1200 ? 100 : 1000)] }
        r.run()
        let d = r.decisions("web_10000")
        let failed = d.filter { $0.d == "failed" }.map(\.t)
        XCTAssertTrue(failed == [] || failed == [0], "only the first iteration may miss Marathon's leader: \(failed)")
        let firstCounted = failed.isEmpty ? 0 : 60
        let byTime = Dictionary(uniqueKeysWithValues: d.map { ($0.t, $0) })
        for t in stride(from: firstCounted, to: firstCounted + 600, by: 60) { XCTAssertEqual(byTime[t]?.d, "sampling", "t=\(t)") }
        for t in stride(from: firstCounted + 600, to: 1200, by: 60) { XCTAssertEqual(byTime[t]?.d, "equal", "t=\(t)") }
        let expected: [(Int, String, Int, Int, Int)] = [
            (1200, "past_threshold", 2, 1, 1), (1260, "past_threshold", 3, 1, 2), (1320, "scale", 4, 1, 3),
            (1380, "within_threshold", 5, 4, 0), (1440, "within_threshold", 6, 4, 0),
            (1500, "past_threshold", 7, 4, 1), (1560, "past_threshold", 8, 4, 2), (1620, "cooling_down", 9, 4, 3),
            (1680, "cooling_down", 10, 4, 4), (2160, "cooling_down", 10, 4, 12), (2220, "scale", 10, 4, 13),
            (2280, "equal", 10, 10, 0),
        ]
        for (t, dec, target, current, counter) in expected {
            let x = byTime[t]
            XCTAssertEqual(x?.d, dec, "t=\(t)"); XCTAssertEqual(x?.target, target, "t=\(t)")
            XCTAssertEqual(x?.current, current, "t=\(t)"); XCTAssertEqual(x?.counter, counter, "t=\(t)")
        }
        XCTAssertEqual(r.puts.map { Int($0.time.seconds) }, [1320, 2220], "15 minutes (900 s) between scales")
        XCTAssertEqual(r.puts.map(\.subject), ["/web", "/web"])
        // scaling went through Marathon's deployment path: 10 instances run by the end
        XCTAssertEqual(r.model.marathon!.apps[0].instances.filter { $0.state == .running }.count, 10)
        let h = Dictionary(uniqueKeysWithValues: r.scaler.headline().map { ($0.key, $0.value) })
        XCTAssertEqual(h["autoscale_scales"], .int(2))
        XCTAssertEqual(h["autoscale_first_scale_s"], .number(1320, decimals: 0))
    }

    /// Constant 1000 rps with the defaults' timing: counted iterations 0..9 sample, 10..12 count
    /// 1, 2, 3: the first PUT is at the 13th counted iteration, never before the 11th.
    func testFirstScaleNotBeforeEleventhIntervalAndAfterThreePastThreshold() {
        let r = Run(flags: Self.flags(), apps: [Self.web()]) { _ in [("web_10000", 1000)] }
        r.run()
        let d = r.decisions("web_10000")
        let firstCounted = d.first { $0.d != "failed" }!.t
        XCTAssertEqual(r.puts.first.map { Int($0.time.seconds) }, firstCounted + 12 * 60)
        XCTAssertEqual(d.filter { $0.d == "past_threshold" }.map(\.counter), [1, 2])
    }

    /// Two frontends of one app: the larger target is PUT once. In `--apps` order the larger
    /// second one replaces the first's value (both set last_scaled, line 347); the smaller second
    /// one is outscaled (line 339) and does not set last_scaled.
    func testTwoFrontendsOfOneAppTakeTheLargerTarget() {
        for order in [["web_10000", "web_10001"], ["web_10001", "web_10000"]] {
            let r = Run(flags: Self.flags { $0.apps = order; $0.samples = 1; $0.interval = 10 }, apps: [Self.web()], duration: .minutes(3)) { _ in
                [("web_10000", 1000), ("web_10001", 2000)]
            }
            r.run()
            let first = r.puts.first
            XCTAssertEqual(first?.detail.hasPrefix("instances 20"), true, "\(order): \(String(describing: first?.detail))")
            XCTAssertEqual(r.puts.filter { $0.time == first?.time }.count, 1)
            let t = Int(first!.time.seconds)
            let at = { (app: String) in r.decisions(app).first { $0.t == t }?.d }
            if order[0] == "web_10000" {
                XCTAssertEqual(at("web_10000"), "scale"); XCTAssertEqual(at("web_10001"), "scale")
            } else {
                XCTAssertEqual(at("web_10001"), "scale"); XCTAssertEqual(at("web_10000"), "outscaled")
                // web_10000 never set last_scaled: at the next interval it is not cooling down
                XCTAssertEqual(r.decisions("web_10000").first { $0.t == t + 10 }?.d, "scale")
            }
        }
    }

    /// --min-instances and --max-instances clamp the target (line 299).
    func testMinMaxClamp() {
        let r = Run(flags: Self.flags { $0.minInstances = 2; $0.maxInstances = 5; $0.samples = 1; $0.interval = 10 },
                    apps: [Self.web()], duration: .minutes(2)) { now in [("web_10000", now.seconds < 60 ? 0 : 100_000)] }
        r.run()
        let d = r.decisions("web_10000")
        XCTAssertEqual(d.first { $0.t == 30 }?.target, 2, "0 rps: min 2")
        XCTAssertEqual(d.first { $0.t == 100 }?.target, 5, "100000 rps: max 5")
    }

    /// A PUT while the app's deployment runs is refused (409) and ignored, but last_scaled is
    /// already set (line 347 before 353) and the counter is not reset. The first PUT (10
    /// instances of 7 cpus on six 8-cpu agents) leaves a deployment that cannot finish; from
    /// 120 s the target is 20, counter 1, 2, 3 at 120, 130, 140 → PUT → 409; the next PUT waits
    /// (cooldown 5 + samples 1) × 10 s = 60 s, with the counter rising meanwhile.
    func testConflictDuringDeploymentStillSetsLastScaled() {
        let app = MarathonRuntimeTests.app("/web", instances: 1, cpus: 7, mem: 64)
        let r = Run(flags: Self.flags { $0.samples = 1; $0.interval = 10 }, apps: [app], duration: .minutes(5)) { now in
            [("web_10000", now.seconds < 120 ? 1000 : 2000)]
        }
        r.run()
        let p = r.puts
        XCTAssertGreaterThanOrEqual(p.count, 3)
        guard p.count >= 3 else { return }
        XCTAssertTrue(p[0].detail.hasPrefix("instances 10: deployment-"), p[0].detail)
        XCTAssertEqual(p[1].time, SimTime.zero + .seconds(140))
        XCTAssertTrue(p[1].detail.contains("409"), p[1].detail)
        XCTAssertEqual(p[2].time - p[1].time, .seconds(60))
        XCTAssertTrue(p[2].detail.contains("409"), p[2].detail)
        let next = r.decisions("web_10000").first { $0.t == 150 }
        XCTAssertEqual(next?.d, "cooling_down")
        XCTAssertEqual(next?.counter, 4, "not reset after scaling")
        XCTAssertEqual(next?.current, 10, "the refused PUT changed nothing")
    }
}

extension AutoscaleTests {
    /// `--haproxy` hosts resolve to the marathon-lb instances on them; a scenario host without one
    /// refuses the connection, so the whole iteration fails (autoscale.rb:188) rather than
    /// sampling 0; a name that is no host resolves to nothing (line 166).
    func testHAProxyHostsResolve() {
        let names = ["lb-01", "lb-02", "master-01"]
        XCTAssertEqual(Autoscaler.resolve(["lb-02", "lb-01"], instances: [0, 0, 1], hostNames: names), [2, 0, 1])
        XCTAssertEqual(Autoscaler.resolve(["master-01"], instances: [0, 1], hostNames: names), [-1])
        XCTAssertEqual(Autoscaler.resolve(["elsewhere"], instances: [0, 1], hostNames: names), [])
    }
}

extension AutoscaleTests {
    /// instance_hours integrates Marathon's instance changes exactly (two instances from their
    /// launch, seconds after the start, to the end of the hour), not per autoscale interval
    /// (which would lose the first minute: 1.967); the oracle holds 2 (150 rps at 100) from the
    /// first counted iteration (0 s, or 60 s when Marathon had no leader yet).
    func testInstanceHoursIntegrateInstanceChanges() {
        let r = Run(flags: Self.flags(), apps: [Self.web(2)]) { _ in [("web_10000", 150)] }
        r.run()
        XCTAssertTrue(r.puts.isEmpty)
        let h = Dictionary(uniqueKeysWithValues: r.scaler.headline().map { ($0.key, $0.value) })
        guard case .number(let used, _)? = h["instance_hours"], case .number(let oracle, _)? = h["oracle_instance_hours"] else { return XCTFail("\(h)") }
        let since = r.model.marathon!.apps[0].instances.compactMap(\.runningSince)
        XCTAssertEqual(since.count, 2)
        XCTAssertEqual(used, since.reduce(0) { $0 + (3600 - $1.seconds) } / 3600, accuracy: 1e-6)
        XCTAssertGreaterThan(used, 1.97)
        let counted = r.decisions("web_10000").first { $0.d != "failed" }!.t
        XCTAssertEqual(oracle, 2 * Double(3600 - counted) / 3600, accuracy: 1e-9)
    }
}

extension AutoscaleTests {
    /// An HAProxy that does not answer fails the whole iteration (rescued at line 188): no sample,
    /// total_samples not incremented, so the first decision moves by as many intervals. Stats
    /// down at 300 and 360 s: the counted iterations are 0 (or 60), ..., 240, 420, ...; the 11th
    /// is two intervals later than without the outage.
    func testUnansweredPollSkipsTheIteration() {
        let r = Run(flags: Self.flags(), apps: [Self.web()]) { now in
            (300...360).contains(now.seconds) ? nil : [("web_10000", 100)]
        }
        r.run()
        let d = r.decisions("web_10000")
        XCTAssertEqual(d.first { $0.t == 300 }?.d, "failed")
        XCTAssertEqual(d.first { $0.t == 360 }?.d, "failed")
        let counted = d.filter { $0.d != "failed" }.map(\.t)
        let firstDecision = d.first { $0.d != "failed" && $0.d != "sampling" }?.t
        XCTAssertEqual(firstDecision, counted[10])
        XCTAssertEqual(firstDecision, counted[0] + 12 * 60)
    }
}

extension AutoscaleTests {
    /// The autoscaler runs on master-03, which crashes at 1200 s and is back at 1500 s; the load
    /// triples (1000 → 3000 rps) at 1300 s. While the host is down nothing is polled or PUT. The
    /// process starts again with autoscale.rb's `run` from its first line: samples, counters,
    /// last_scaled and total_samples live in its memory, so iterations 1500 ... 2040 only sample,
    /// the 11th (2100 s) decides for the first time, and the third past threshold (2220 s) PUTs 30.
    /// A process that kept its state would have scaled at 1680 s.
    func testAutoscalerOnACrashedHostStartsFromScratchWhenBack() {
        let crash = FaultSpec(at: .seconds(1200), kind: .hostCrash, target: .host("master-03"), recoverAfter: .seconds(300))
        let r = Run(flags: Self.flags { $0.host = "master-03" }, apps: [Self.web()], faults: [crash]) { now in
            [("web_10000", now.seconds < 1300 ? 1000 : 3000)]
        }
        r.run()
        let d = r.decisions("web_10000")
        XCTAssertTrue(d.filter { $0.t > 1200 && $0.t < 1500 }.isEmpty, "no iteration while its host is down: \(d.map(\.t))")
        XCTAssertTrue(r.puts.allSatisfy { $0.time.seconds < 1200 || $0.time.seconds >= 1500 })
        let after = d.filter { $0.t >= 1500 }
        XCTAssertEqual(after.prefix(10).map(\.t), Array(stride(from: 1500, to: 2100, by: 60)))
        XCTAssertEqual(Set(after.prefix(10).map(\.d)), ["sampling"], "total_samples starts from 0: \(after.prefix(11).map(\.d))")
        XCTAssertEqual(after.dropFirst(10).first?.t, 2100)
        XCTAssertEqual(after.dropFirst(10).first?.counter, 1, "the first decision after the restart: past threshold 1")
        let late = r.puts.filter { $0.time.seconds >= 1500 }
        XCTAssertEqual(late.first.map { Int($0.time.seconds) }, 2220, "\(r.puts.map(\.time))")
        XCTAssertTrue(late.first?.detail.hasPrefix("instances 30") == true, "\(late.map(\.detail))")
        XCTAssertEqual(r.observer.events.filter { $0.event == "autoscaleStopped" }.map { Int($0.time.seconds) }, [1200])
        XCTAssertEqual(r.observer.events.filter { $0.event == "autoscaleStarted" }.map { Int($0.time.seconds) }, [1500])
    }
}
