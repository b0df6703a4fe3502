import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14: node_exporter and cAdvisor targets whose scrapes keep only `up` take their ticks
/// without events (PrometheusQuietLoops.swift). The run must be the same as with an event per
/// tick: every sample the store appends (samples.csv: series, timestamp, value, visibility), every
/// alert transition, every scrape count and the targets up, minute by minute, while apps crash
/// and relaunch (status updates on the hosts), a host crashes and comes back (its targets time
/// out, HostDown fires and resolves), an agent process crashes (its containers go without a host
/// signal) and Prometheus' own host restarts.
final class PrometheusQuietLoopsTests: XCTestCase {
    struct Outcome {
        var samples: [String] = []
        var transitions: [String] = []
        var minutes: [String] = []
        var quietTicks = 0, quietTies = 0, scrapes = 0, failed = 0, fired = 0, events: UInt64 = 0
    }

    static func spec(seed: UInt64, timeout: SimDuration, big: Int, record: PrometheusSpec.RecordMode = .rules) -> ClusterSpec {
        var apps: [AppDefinition] = []
        for (id, n) in [("/web", 12), ("/crash", 8)] { apps.append(MarathonRuntimeTests.app(id, instances: n, cpus: 0.25)) }
        // scaled at 65 min to `big` instances (PUT /v2/apps/big {"instances": n})
        apps.append(MarathonRuntimeTests.app("/big", instances: 0, cpus: 0.0625, mem: 32))
        let beh = [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1),
                   AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1),
                   AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .exponential(mean: 900)), imageSizeBytes: 1)]
        let faults = [FaultSpec(at: .seconds(1800), kind: .hostCrash, target: .host("slave-02"), recoverAfter: .seconds(300)),
                      FaultSpec(at: .seconds(3000), kind: .agentCrash, target: .host("slave-03"), restartAfter: .seconds(90)),
                      FaultSpec(at: .seconds(4200), kind: .hostCrash, target: .host("master-01"), recoverAfter: .seconds(120)),
                      // a partition between Prometheus (master-01) and a target's host: its scrapes time out
                      FaultSpec(at: .seconds(2400), kind: .networkPartition, target: .host("slave-04"), healAfter: .seconds(300)),
                      // Prometheus' own host cut off from the control hosts (its targets are on agents)
                      FaultSpec(at: .seconds(5400), kind: .networkPartition, target: .host("master-01"), healAfter: .seconds(180))]
        let scale = ActionSpec(at: .minutes(65), kind: .scale(app: "/big", instances: big))
        var spec = ClusterSpec(name: "t", seed: seed, duration: .hours(2), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: 6), faults: faults,
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                               marathon: MarathonSpec(apps: apps, behaviour: beh))
        if big > 0 { spec.actions = [scale] }
        var c = PrometheusConfig()
        c.evaluationInterval = .seconds(15)
        let slaves = (1...6).map { String(format: "slave-%02d", $0) }
        func job(_ name: String, _ port: Int) -> ScrapeConfig {
            var j = ScrapeConfig(jobName: name, interval: .seconds(15), timeout: timeout)
            j.staticGroups = [TargetGroup(targets: slaves.map { "\($0):\(port)" })]
            return j
        }
        c.scrapeConfigs = [job("node", 9100), job("cadvisor", 8080), job("mesos-agent", 9105)]
        func alert(_ name: String, _ expr: String, _ hold: SimDuration) -> RuleSpec {
            RuleSpec(kind: .alerting(alert: name, forDuration: hold, keepFiringFor: .zero, annotations: []), expr: expr)
        }
        let rules = [alert("HostDown", #"up{job="node"} == 0"#, .minutes(1)),
                     alert("CadvisorDown", #"up{job="cadvisor"} == 0"#, .seconds(30)),
                     RuleSpec(kind: .recording(record: "job:up:sum"), expr: "sum by (job) (up)"),
                     alert("AgentTasksLow", "sum(mesos_slave_task_states_current{state=\"running\"}) < 20", .minutes(2))]
        spec.prometheus = PrometheusSpec(ruleGroups: [RuleGroupSpec(name: "node", file: "rules/node.json", rules: rules)],
                                         host: "master-01", config: c, record: record)
        return spec
    }

    func run(seed: UInt64, lazy: Bool, timeout: SimDuration = .seconds(10), big: Int = 0, record: PrometheusSpec.RecordMode = .rules,
             implicit: Bool = true) -> Outcome {
        let m = ClusterSimulation(spec: PrometheusQuietLoopsTests.spec(seed: seed, timeout: timeout, big: big, record: record),
                                  observer: MemoryObserver())
        let p = m.subsystem(PrometheusServer.self)!
        p.lazyScrapes = lazy
        p.implicitUp = implicit
        var o = Outcome()
        let up = [try! LabelMatcher("__name__", .equal, "up")]
        func drain() {
            for s in p.store.takePending() { o.samples.append("\(s.labels) \(s.t) \(s.v.bitPattern) \(s.appended)") }
            if record == .none {
                // without samples.csv, what the store answers: every `up` sample it holds (a window
                // longer than its retention) and the newest one at or before a few instants
                let now = p.promTime.ms(m.sim.now)
                let all = p.store.select(up, mint: now - 3_600_000, maxt: now)
                for s in all {
                    o.samples.append("\(s.labels) " + s.samples.map { "\($0.t)=\($0.v.bitPattern)" }.joined(separator: ","))
                }
                // windows ending now, in the past, and at (and just before) each series' last two samples
                var ends = [now, now - 7_000, now - 301_000, now - 330_000]
                for s in all { for x in s.samples.suffix(2) { ends += [x.t, x.t - 1] } }
                for end in ends {
                    for s in p.store.selectLatest(up, mint: end - 300_000, maxt: end) {
                        o.samples.append("latest \(end) \(s.labels) \(s.sample.t) \(s.sample.v.bitPattern)")
                    }
                }
            }
            for c in p.pendingTransitions { o.transitions.append("\(c.at) \(c.group) \(c.rule) \(c.labels) \(c.from) \(c.to) \(c.value.bitPattern)") }
            p.pendingTransitions.removeAll()
            let up = p.jobLoops.map { $0.filter { p.loops[$0].lastUp == true }.count }
            o.minutes.append("\(m.sim.now) scrapes \(p.scrapesStarted) failed \(p.scrapesFailed) jobs \(p.jobStats.map { "\($0.scrapes)/\($0.failed)/\($0.staleMarkers)" }) up \(up) held \(p.store.samplesHeld) appended \(p.store.appended)")
        }
        for minute in 1...120 {
            let until = SimTime.zero + .minutes(Int64(minute))
            _ = m.run(shouldStop: { m.sim.nextEventTime.map { $0 > until } ?? true })
            drain()
        }
        m.run()
        drain()
        o.quietTicks = p.quietTicks; o.quietTies = p.quietTies; o.scrapes = p.scrapesStarted; o.failed = p.scrapesFailed
        o.fired = p.alertsFired; o.events = m.sim.eventsProcessed
        return o
    }

    func assertSame(_ a: [String], _ b: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        if let k = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("\(what): first difference at \(k): \(a[k]) vs \(b[k])", file: file, line: line)
        }
    }

    func testQuietLoopsGiveTheSameSamplesAlertsAndCountsAsATickPerEvent() {
        for seed: UInt64 in [1, 2] {
            let eager = run(seed: seed, lazy: false), lazy = run(seed: seed, lazy: true)
            assertSame(eager.samples, lazy.samples, "seed \(seed): samples")
            assertSame(eager.transitions, lazy.transitions, "seed \(seed): alert transitions")
            assertSame(eager.minutes, lazy.minutes, "seed \(seed): counts per minute")
            XCTAssertEqual(eager.quietTicks, 0)
            XCTAssertEqual(lazy.quietTies, 0, "seed \(seed): no tick at the instant of a catch-up")
            // what is compared happened: failed scrapes, alerts firing, most ticks without events
            XCTAssertGreaterThan(eager.failed, 20, "seed \(seed)")
            XCTAssertGreaterThan(eager.fired, 1, "seed \(seed)")
            XCTAssertTrue(eager.transitions.contains { $0.contains("HostDown") && $0.contains("firing") }, "seed \(seed): HostDown to compare")
            // slave-04 is only partitioned from Prometheus' host: its node_exporter stops answering
            XCTAssertTrue(eager.transitions.contains { $0.contains("HostDown") && $0.contains("slave-04") && $0.contains("firing") },
                          "seed \(seed): HostDown of the partitioned host")
            XCTAssertGreaterThan(Double(lazy.quietTicks), 0.5 * Double(lazy.scrapes), "seed \(seed): ticks without events")
            XCTAssertLessThan(lazy.events + UInt64(lazy.quietTicks) / 2, eager.events, "seed \(seed): fewer events")
        }
    }

    /// The quiet loops' `up` samples are not appended but answered by the store from the loop's
    /// phase (`PrometheusStore.beginTail`) when the series is not recorded: every read gives what
    /// the appended samples give (the windows, the newest sample, retention, counts), with and
    /// without quiet loops, while hosts crash (tails end and restart) and Prometheus restarts.
    func testImplicitUpSamplesAnswerAsAppendedOnes() {
        for seed: UInt64 in [1, 5] {
            let eager = run(seed: seed, lazy: false, record: .none)
            let appended = run(seed: seed, lazy: true, record: .none, implicit: false)
            let implicit = run(seed: seed, lazy: true, record: .none)
            for (name, o) in [("appended", appended), ("implicit", implicit)] {
                assertSame(eager.samples, o.samples, "seed \(seed) \(name): samples read")
                assertSame(eager.transitions, o.transitions, "seed \(seed) \(name): alert transitions")
                assertSame(eager.minutes, o.minutes, "seed \(seed) \(name): counts per minute")
            }
            XCTAssertGreaterThan(eager.samples.count, 120 * 18, "seed \(seed): the reads compared")
            XCTAssertGreaterThan(eager.fired, 1, "seed \(seed)")
            XCTAssertGreaterThan(Double(implicit.quietTicks), 0.5 * Double(implicit.scrapes), "seed \(seed): ticks without events")
        }
    }

    /// With a timeout the exposition can reach, a cAdvisor loop is quiet only while its agent's
    /// containers cannot make it time out: a scrape costs 0.5 ms + 2 µs per sample on an idle host,
    /// 40 µs at full CPU saturation, and cAdvisor serves 7 samples per container and 8 more, so with
    /// a timeout of 2 ms a loop goes quiet on an agent with up to 4 tasks, and a scrape of 106
    /// containers or more times out. At 65 min `/big` is scaled from 0 to 700 instances of 0.0625
    /// cpus: 117 on each agent. Their TASK_STAGING status updates must wake the loops, or the
    /// quiet ticks would report `up` 1 where the scrapes time out.
    func testATaskLaunchedOnTheAgentWakesItsCAdvisorLoop() {
        let timeout = SimDuration.milliseconds(2)
        for seed: UInt64 in [3, 4] {
            let eager = run(seed: seed, lazy: false, timeout: timeout, big: 700)
            let lazy = run(seed: seed, lazy: true, timeout: timeout, big: 700)
            assertSame(eager.samples, lazy.samples, "seed \(seed): samples")
            assertSame(eager.transitions, lazy.transitions, "seed \(seed): alert transitions")
            assertSame(eager.minutes, lazy.minutes, "seed \(seed): counts per minute")
            // 60: the three jobs' 20 ticks each while slave-02 is down
            XCTAssertGreaterThan(eager.failed, 60 + 10, "seed \(seed): cAdvisor's scrapes of full agents time out")
            XCTAssertGreaterThan(lazy.quietTicks, 0, "seed \(seed)")
        }
    }
}
