@testable import ClusterModel
import SimKernel
import XCTest

/// Consul's timing chains with default settings (docs/consul.md): member failure detection by
/// N, Raft elections, quorum loss, check hysteresis, and the cost of a healthy platform.
final class ConsulTests: XCTestCase {
    static func group(_ name: String, _ count: Int, cpus: Double = 8, mem: Int64 = 32 << 30) -> HostGroupSpec {
        MesosTestHelpersGroup.group(name, count, cpus: cpus, mem: mem)
    }

    /// Consul alone: 3 servers on "master", agents on `agents` "slave" hosts; `faults` on them.
    func pool(agents: Int, seed: UInt64, duration: SimDuration = .minutes(5), faults: [FaultSpec] = [],
              config: ConsulAgentConfig = ConsulAgentConfig(), gossip: FidelitySpec.Mode = .fast) -> (ClusterSimulation, MemoryObserver, ConsulCluster) {
        var spec = ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(1),
                               hostGroups: [Self.group("master", 3, cpus: 4, mem: 8 << 30), Self.group("slave", agents)], faults: faults)
        spec.fidelity.gossip = gossip
        spec.consul = ConsulSpec(servers: 3, hostGroup: "master", agentHostGroups: ["slave"], config: config)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        return (m, o, m.subsystem(ConsulCluster.self)!)
    }

    func events(_ o: MemoryObserver, _ name: String) -> [LoggedEvent] { o.events.filter { $0.event == name } }

    /// Whether two samples have the same mean: |difference of means| within the 99 % half-widths
    /// of their Student-t intervals combined (Welch's approximation).
    func agree(_ a: [Double], _ b: [Double]) -> Bool {
        let ca = ConfidenceInterval.ofMean(a, level: 0.99), cb = ConfidenceInterval.ofMean(b, level: 0.99)
        return abs(ca.mean - cb.mean) <= (ca.halfWidth * ca.halfWidth + cb.halfWidth * cb.halfWidth).squareRoot()
    }

    // MARK: gossip

    func testSuspicionTimeoutsFollowMemberlist() {
        let pi = SimDuration.seconds(1)
        XCTAssertEqual(Memberlist.suspicionMin(mult: 4, members: 10, probeInterval: pi), .seconds(4))
        XCTAssertEqual(Memberlist.suspicionMin(mult: 4, members: 100, probeInterval: pi), .seconds(8))
        XCTAssertEqual(Memberlist.suspicionMin(mult: 4, members: 1000, probeInterval: pi), .seconds(12))
        XCTAssertEqual(Memberlist.expectedConfirmations(mult: 4, members: 3), 0, "N − 2 < k: none expected")
        XCTAssertEqual(Memberlist.expectedConfirmations(mult: 4, members: 10), 2)
        let one = Memberlist.suspicionTimeout(confirmations: 1, k: 2, min: .seconds(4), max: .seconds(24))
        XCTAssertEqual(one.seconds, 24 - 20 * log(2) / log(3), accuracy: 0.001, "≈11.4 s after one confirmation, floored to the ms")
        XCTAssertEqual(Memberlist.suspicionTimeout(confirmations: 2, k: 2, min: .seconds(4), max: .seconds(24)), .seconds(4))
        XCTAssertEqual(ConsulCheckDefinition(kind: .tcp, interval: .seconds(5), timeout: .seconds(8)).timeout, .seconds(5), "timeout >= interval: the interval")
        XCTAssertEqual(ConsulCheckDefinition(kind: .http, interval: .seconds(30), timeout: .seconds(40)).timeout, .seconds(10))
        XCTAssertEqual(ConsulCheckDefinition(kind: .script, interval: .seconds(5), timeout: .seconds(8)).timeout, .seconds(8))
        XCTAssertEqual(Memberlist.aeScaleFactor(nodes: 128), 1)
        XCTAssertEqual(Memberlist.aeScaleFactor(nodes: 1000), 4)
    }

    /// Detection (host down → member-failed) over many seeds, with the bounds derived from the
    /// mechanism: no earlier than one probe interval (the failed probe) + the suspicion minimum;
    /// for N ≤ 10 within the reference's 27 s; for 100 and 1,000 members within the minimum + the
    /// time the first three probers need (at most 20 probe ticks here) + the gossip spread.
    func testDeadNodeDetectionWindowGrowsWithClusterSize() {
        for (agents, lower, upper) in [(7, 5.0, 27.0), (97, 9.0, 31.0), (997, 13.0, 35.0)] {
            var secs: [Double] = []
            for seed in UInt64(1)...(agents > 500 ? 60 : 200) {
                let (m, o, c) = pool(agents: agents, seed: seed,
                                     faults: [FaultSpec(at: .seconds(60), kind: .hostCrash, target: .host(agents > 99 ? "slave-002" : "slave-02"))])
                m.run()
                XCTAssertEqual(c.detections.count, 1, "seed \(seed)")
                XCTAssertEqual(events(o, "consulMemberSuspect").count, 1)
                guard let d = c.detections.first else { continue }
                secs.append(d.seconds)
                XCTAssertGreaterThanOrEqual(d.seconds, lower, "N=\(agents + 3) seed \(seed)")
                XCTAssertLessThanOrEqual(d.seconds, upper, "N=\(agents + 3) seed \(seed)")
            }
            let mean = secs.reduce(0, +) / Double(max(1, secs.count))
            print("consul detection N=\(agents + 3): runs \(secs.count) min \(secs.min() ?? 0) mean \(mean) max \(secs.max() ?? 0)")
        }
    }

    /// `fidelity.gossip: "exact"` probes member by member (memberlist's shuffled round robin,
    /// indirect probes, suspicion timers confirmed by each prober); the computed detection must
    /// give the same suspect and dead times in distribution. Over 120 seeds per mode and two pool
    /// sizes, the means of the two agree within the 99 % interval of their difference; the same
    /// comparison rejects the computed times shifted by half a probe interval (the test can fail).
    func testExactAndComputedGossipDetectAlikeOverManySeeds() {
        func times(agents: Int, _ mode: FidelitySpec.Mode, seeds: ClosedRange<UInt64>) -> (suspect: [Double], dead: [Double]) {
            var suspect: [Double] = [], dead: [Double] = []
            for seed in seeds {
                let (m, o, c) = pool(agents: agents, seed: seed, duration: .seconds(150),
                                     faults: [FaultSpec(at: .seconds(60), kind: .hostCrash, target: .host("slave-02"))], gossip: mode)
                m.run()
                XCTAssertEqual(events(o, "consulMemberSuspect").map(\.subject), ["slave-02"], "\(mode) seed \(seed)")
                XCTAssertEqual(c.detections.count, 1, "\(mode) seed \(seed)")
                guard let s = events(o, "consulMemberSuspect").first, let d = c.detections.first else { continue }
                suspect.append(s.time.seconds - 60)
                dead.append(d.seconds)
                if mode == .exact { XCTAssertGreaterThan(c.probeCounts?.probes ?? 0, agents * 100, "every member probes every second") }
            }
            return (suspect, dead)
        }
        for agents in [20, 60] {
            let exact = times(agents: agents, .exact, seeds: 1...120)
            let fast = times(agents: agents, .fast, seeds: 1001...1120)
            let e = (ConfidenceInterval.ofMean(exact.suspect), ConfidenceInterval.ofMean(exact.dead))
            let f = (ConfidenceInterval.ofMean(fast.suspect), ConfidenceInterval.ofMean(fast.dead))
            print("gossip N=\(agents + 3): suspect exact \(e.0.mean) ± \(e.0.halfWidth) fast \(f.0.mean) ± \(f.0.halfWidth);"
                  + " dead exact \(e.1.mean) ± \(e.1.halfWidth) fast \(f.1.mean) ± \(f.1.halfWidth)")
            XCTAssertTrue(agree(exact.suspect, fast.suspect), "suspect times, N=\(agents + 3)")
            XCTAssertTrue(agree(exact.dead, fast.dead), "dead times, N=\(agents + 3)")
            XCTAssertFalse(agree(exact.suspect, fast.suspect.map { $0 + 0.5 }), "a computed path half a probe late is caught")
            XCTAssertFalse(agree(exact.dead, fast.dead.map { $0 + 1 }), "a computed path one probe late is caught")
        }
    }

    func testHealthyPoolCostsNoEventsAndAHostBackRejoins() {
        let (m, o, c) = pool(agents: 20, seed: 3, duration: .hours(2),
                             faults: [FaultSpec(at: .minutes(30), kind: .hostCrash, target: .host("slave-05"), recoverAfter: .minutes(10))])
        m.run()
        // one election, one suspect + one dead + (reap far after the run: scheduled, not run)
        XCTAssertEqual(c.elections, 1)
        XCTAssertEqual(c.eventsHandled, 3, "election, suspect, dead; nothing else in two hours")
        XCTAssertEqual(events(o, "consulMemberAlive").map(\.subject), ["slave-05"])
        XCTAssertEqual(c.membersAlive, 23)
        XCTAssertEqual(c.membersFailed, 0)
    }

    // MARK: Raft

    /// hashicorp/raft: a follower that still knows the leader refuses a vote ("rejecting vote
    /// request since we have a leader"), so with 3 servers the first candidate (term 2) is always
    /// refused by the other follower; the election is won by a later timer in term 3 or more.
    /// Bounds from the mechanism: a follower's contact is < HT/5 = 1 s old at the crash, so its
    /// candidacy comes >= HT − 1 s = 4 s after it; the winner's timer is an election timer (>= ET
    /// = 5 s) started at a candidacy, or a fresh follower timer (>= HT), so >= 9 s; both followers
    /// are candidates before 15 s (contact + HT + one timer < 2·HT), and the next two timers
    /// (< 2·ET = 10 s each) settle the term, so < 35 s.
    /// Mutation: the first candidate wins (the old model) gives term 2 and elections from 5 s.
    func testLeaderCrashElectsANewLeaderWithinTheRaftWindow() {
        var afters: [Double] = [], terms: [Int] = []
        for seed in UInt64(1)...40 {
            let (m0, _, c0) = pool(agents: 3, seed: seed, duration: .seconds(30))
            m0.run()
            guard let leader = c0.leaderHost else { XCTFail("no leader at 30 s"); continue }
            let (m, o, c) = pool(agents: 3, seed: seed, duration: .minutes(2),
                                 faults: [FaultSpec(at: .seconds(60), kind: .hostCrash, target: .host(leader))])
            m.run()
            let lost = events(o, "consulLeaderLost"), elected = events(o, "consulLeaderElected")
            XCTAssertEqual(lost.map(\.subject), [leader])
            XCTAssertEqual(elected.count, 2)
            XCTAssertGreaterThanOrEqual(c.term, 3, "seed \(seed): the first candidacy (term 2) is refused")
            terms.append(c.term)
            guard elected.count == 2 else { continue }
            XCTAssertNotEqual(elected[1].subject, leader)
            XCTAssertEqual(elected[1].detail, "term \(c.term)")
            // first start: one heartbeat timeout in [5 s, 10 s), term 1
            XCTAssertGreaterThanOrEqual(elected[0].time.seconds, 5); XCTAssertLessThan(elected[0].time.seconds, 10)
            XCTAssertEqual(elected[0].detail, "term 1")
            let after = elected[1].time.seconds - 60
            afters.append(after)
            XCTAssertGreaterThanOrEqual(after, 9, "seed \(seed)"); XCTAssertLessThan(after, 35, "seed \(seed)")
        }
        let mean = afters.reduce(0, +) / Double(max(1, afters.count))
        print("consul election after a leader crash: min \(afters.min() ?? 0) mean \(mean) max \(afters.max() ?? 0) terms \(terms)")
    }

    /// Two followers lost at different times: the leader keeps counting the second one until a
    /// lease (2.5 s) after its last answered heartbeat (every U[0.5 s, 1 s)), then steps down
    /// (raft.go checkLeaderLease, re-armed at `LeaderLeaseTimeout - maxDiff`): in (t + 1.5 s,
    /// t + 2.5 s] after the second loss, spread by the heartbeat's age. Mutation: stepping down
    /// a lease to two leases after the loss (the old model) fails every seed.
    func testLeaseStepDownComesALeaseAfterTheLastHeartbeat() {
        var secs: [Double] = []
        for seed in UInt64(1)...30 {
            let (m0, _, c0) = pool(agents: 1, seed: seed, duration: .seconds(30))
            m0.run()
            let followers = ["master-01", "master-02", "master-03"].filter { $0 != c0.leaderHost }
            let (m, o, _) = pool(agents: 1, seed: seed, duration: .minutes(2), faults: [
                FaultSpec(at: .seconds(60), kind: .hostCrash, target: .host(followers[0]!)),
                FaultSpec(at: .seconds(90), kind: .hostCrash, target: .host(followers[1]!))])
            m.run()
            let lost = events(o, "consulLeaderLost")
            XCTAssertEqual(lost.count, 1, "seed \(seed)")
            guard let t = lost.first?.time.seconds else { continue }
            secs.append(t - 90)
            XCTAssertGreaterThan(t, 91.5, "seed \(seed)"); XCTAssertLessThanOrEqual(t, 92.5, "seed \(seed)")
        }
        let mean = secs.reduce(0, +) / Double(max(1, secs.count))
        // the age of the last heartbeat: mean E[X²]/(2E[X]) = (7/3·a²)/(3a) ≈ 0.39 s (a = 0.5 s)
        XCTAssertEqual(mean, 2.5 - 0.39, accuracy: 0.15, "step-down a lease after the last heartbeat, on average")
    }

    func testQuorumLossStepsDownAfterTheLeaseAndStaleReadsStayAnswered() {
        let (m0, _, c0) = pool(agents: 3, seed: 5, duration: .seconds(30))
        m0.run()
        let leader = c0.leaderHost
        let followers: [String] = ["master-01", "master-02", "master-03"].filter { $0 != leader }
        var cfg = ConsulAgentConfig()
        cfg.maxStale = .seconds(30)
        let (m, o, c) = pool(agents: 3, seed: 5, duration: .minutes(5), faults: followers.map {
            FaultSpec(at: .seconds(60), kind: .hostCrash, target: .host($0), recoverAfter: .minutes(2))
        }, config: cfg)
        var readable: [(Double, Bool)] = []
        m.run { readable.append((m.sim.now.seconds, c.canRead())); return false }
        let lost = events(o, "consulLeaderLost")
        XCTAssertEqual(lost.count, 1)
        // checkLeaderLease: a lease (2.5 s) after the leader's last answered heartbeat to the
        // follower lost last; heartbeats go every [0.5 s, 1 s), so in (61.5 s, 62.5 s]
        if let t = lost.first?.time.seconds { XCTAssertGreaterThan(t, 61.5); XCTAssertLessThanOrEqual(t, 62.5) }
        XCTAssertEqual(events(o, "consulLeaderElected").count, 2, "a leader again once a follower is back")
        if let back = events(o, "consulLeaderElected").last?.time.seconds { XCTAssertGreaterThanOrEqual(back, 180) }
        // the live server answers stale reads all along (HTTP ?stale); dns_config's max_stale is the
        // DNS interface's and changes nothing; the answer's age is the time since the leader was lost
        XCTAssertTrue(readable.allSatisfy { $0.0 < 30 || $0.1 }, "a stale read is answered while a server is up")
        if let t = lost.first?.time.seconds, let back = events(o, "consulLeaderElected").last?.time.seconds {
            XCTAssertEqual(c.lastContact(from: 0), .zero, "a leader again: its answers are fresh")
            XCTAssertGreaterThan(back, t)
        }
    }

    // MARK: checks (with Mesos and Marathon)

    /// A platform of `agents` hosts; app /web with `instances` tasks, checked by `checks`.
    func platform(agents: Int, instances: Int, checks: [ConsulCheckDefinition], behaviour: HealthBehaviour,
                  seed: UInt64 = 1, duration: SimDuration, faults: [FaultSpec] = [], exact: Bool = false,
                  fidelity: FidelitySpec.Mode = .fast, crash: Distribution? = nil) -> (ClusterSimulation, MemoryObserver, ConsulCluster) {
        var spec = ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(10),
                               hostGroups: [Self.group("master", 3, cpus: 4, mem: 8 << 30), Self.group("consul", 3, cpus: 4, mem: 8 << 30),
                                            Self.group("slave", agents, cpus: 64, mem: 256 << 30)],
                               faults: faults, zookeeper: ZooKeeperSpec(servers: 3, hostGroup: "master"),
                               mesos: MesosSpec(masters: 3, masterHostGroup: "master", agentHostGroups: ["slave"]))
        let app = AppDefinition(id: "/web", instances: instances, cpus: 0.01, mem: 16)
        spec.marathon = MarathonSpec(hostGroup: "master", apps: [app],
                                     behaviour: [AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: crash, health: behaviour))])
        spec.consul = ConsulSpec(servers: 3, hostGroup: "consul", services: [("/web", [ConsulServiceDefinition(name: "web", checks: checks)])])
        spec.consul?.exactChecks = exact
        spec.fidelity.consulChecks = fidelity
        // The fault targets of these tests (slave-02 holds instances) were chosen with exact offers.
        spec.fidelity.offers = .exact
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        return (m, o, m.subsystem(ConsulCluster.self)!)
    }

    func testFailingHTTPCheckGoesCriticalWithinTheChainAndNotEarlier() {
        let hangAt = 600.0
        let http = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), timeout: .seconds(2), failuresBeforeCritical: 3)
        let tcp = ConsulCheckDefinition(kind: .tcp, name: "tcp", interval: .seconds(10))
        for seed in UInt64(1)...8 {
            let (m, o, c) = platform(agents: 3, instances: 3, checks: [http, tcp], behaviour: .hangsAfter(.constant(hangAt), responseTime: .constant(0.005)),
                                     seed: seed, duration: .minutes(15))
            m.run()
            let regs = events(o, "consulServiceRegistered")
            XCTAssertEqual(regs.count, 3)
            for r in regs {
                guard let task = c.instances.first(where: { $0.id == r.subject }).flatMap({ m.mesos?.task($0.task) }),
                      let serving = task.servingAt else { XCTFail("no task for \(r.subject)"); continue }
                let hang = serving.seconds + hangAt
                let flips = events(o, "consulCheck").filter { $0.subject == r.subject }
                XCTAssertEqual(Set(flips.map(\.detail)), ["http critical->passing", "tcp critical->passing", "http passing->critical"])
                guard let crit = flips.first(where: { $0.detail == "http passing->critical" }) else { XCTFail("never critical"); continue }
                // the result of the 3rd consecutive failed run, known one timeout after it started;
                // each failed run blocks for the timeout, the next starts 10 s after it returns;
                // the first failed run is the first to start at or after the hang
                let firstFailedRun = crit.time.seconds - 2 - 2 * (10 + 2)
                XCTAssertGreaterThanOrEqual(firstFailedRun, hang - 1e-6, "not earlier than hang + 2 intervals + timeout")
                XCTAssertLessThan(firstFailedRun, hang + 10, "within one interval (the stagger) of the hang")
                XCTAssertFalse(flips.contains { $0.detail == "tcp passing->critical" }, "TCP passes while the process listens")
            }
            XCTAssertEqual(c.serviceCounts().critical, 3)
            XCTAssertEqual(c.health(service: 0, filter: .passing, from: 0)?.count, 0)
            XCTAssertEqual(c.health(service: 0, filter: .any, from: 0)?.count, 3)
        }
    }

    /// Without a leader a check's new status stays with the agent; once a leader is back the
    /// agent's anti-entropy retry (15 s + stagger) writes it.
    func testNoCatalogWritesWithoutQuorumUntilALeaderIsBack() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10))
        let faults = ["consul-01", "consul-02", "consul-03"].map {
            FaultSpec(at: .seconds(300), kind: .hostCrash, target: .host($0), recoverAfter: .minutes(5))
        }
        let (m, o, c) = platform(agents: 2, instances: 2, checks: [http], behaviour: .hangsAfter(.constant(400), responseTime: .constant(0.005)),
                                 duration: .minutes(15), faults: faults)
        var indexDuringOutage: Set<UInt64> = []
        m.run {
            let t = m.sim.now.seconds
            if t > 301 && t < 600 { indexDuringOutage.insert(c.healthIndex(service: 0)) }
            return false
        }
        XCTAssertEqual(indexDuringOutage.count, 1, "the catalog does not move without a leader")
        let crit = events(o, "consulCheck").filter { $0.detail.hasSuffix("passing->critical") }
        XCTAssertEqual(crit.count, 2)
        XCTAssertTrue(crit.allSatisfy { $0.time.seconds < 600 }, "the agents saw it locally during the outage")
        guard let elected = events(o, "consulLeaderElected").last?.time else { return XCTFail("no leader again") }
        XCTAssertGreaterThan(elected.seconds, 600)
        XCTAssertEqual(c.serviceCounts().critical, 2, "written after the leader came back")
        XCTAssertEqual(c.health(service: 0, filter: .passing, from: 0)?.count, 0)
    }

    /// 100 agents, 1,000 checked services, a quiet hour after start-up: Consul handles no event.
    func testSteadyStateCostsNoEvents() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10))
        let ttl = ConsulCheckDefinition(kind: .ttl, ttl: .seconds(30))
        let (m, _, c) = platform(agents: 100, instances: 1000, checks: [http, ttl],
                                 behaviour: .healthy(responseTime: .lognormal(mu: log(0.005), sigma: 0.3)), duration: .minutes(75))
        var atQuiet = -1
        m.run {
            if atQuiet < 0 && m.sim.now >= SimTime.zero + .minutes(15) { atQuiet = c.eventsHandled }
            return false
        }
        XCTAssertEqual(c.serviceCounts().passing, 1000)
        XCTAssertEqual(c.eventsHandled - atQuiet, 0, "no Consul event in the quiet hour")
        XCTAssertLessThan(atQuiet, 5000, "start-up: about two events per check")
    }

    /// Response times with a tail past the timeout: slow runs are drawn geometrically; the number
    /// of critical flips matches runs × P(rt > timeout) × P(next fast), in the computed mode and in
    /// the exact mode (every run an event drawing its response time), which costs one event per run.
    func testSlowResponsesFlipAtTheTailRateAsInExactMode() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10), timeout: .seconds(1))
        // lognormal median 0.5 s, sigma 0.5: P(rt > 1 s) = Q(ln 2 / 0.5) ≈ 0.0829
        let p = 0.5 * erfc(log(2) / 0.5 / 2.0.squareRoot())
        let expected = 5.0 * 6 * 360 * p * (1 - p)      // a slow run after a fast one
        var flips: [Double] = [], costs: [Int] = []
        for exact in [false, true] {
            let (m, o, c) = platform(agents: 5, instances: 5, checks: [http], behaviour: .healthy(responseTime: .lognormal(mu: log(0.5), sigma: 0.5)),
                                     duration: .hours(6), exact: exact)
            m.run()
            flips.append(Double(events(o, "consulCheck").filter { $0.detail == "passing->critical" }.count))
            costs.append(c.eventsHandled)
            XCTAssertEqual(flips.last!, expected, accuracy: 4 * expected.squareRoot() + 5, "exact \(exact): expected ≈\(expected)")
        }
        XCTAssertLessThan(costs[0] * 3, costs[1], "the computed mode only runs the flips")
    }

    /// `fidelity.consulChecks: "exact"` selects the exact checks as `consul.exactChecks` does (one
    /// event per run); over 40 seeds per mode, the number of passing->critical flips per hour and
    /// the time of the first one have the same means in both modes (99 % intervals), and the same
    /// comparison rejects the computed counts 20 % high (the test can fail).
    func testExactAndComputedChecksFlipAlikeOverManySeeds() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10), timeout: .seconds(1))
        var flips: [[Double]] = [[], []], first: [[Double]] = [[], []], costs = [0, 0]
        for (k, mode) in [FidelitySpec.Mode.fast, .exact].enumerated() {
            for seed in UInt64(1)...40 {
                let (m, o, c) = platform(agents: 2, instances: 2, checks: [http], behaviour: .healthy(responseTime: .lognormal(mu: log(0.5), sigma: 0.5)),
                                         seed: seed + UInt64(1000 * k), duration: .hours(1), fidelity: mode)
                m.run()
                let crit = events(o, "consulCheck").filter { $0.detail == "passing->critical" }
                flips[k].append(Double(crit.count))
                if let t = crit.first?.time.seconds { first[k].append(t) }
                costs[k] += c.eventsHandled
            }
        }
        print("consul checks: flips fast \(ConfidenceInterval.ofMean(flips[0])) exact \(ConfidenceInterval.ofMean(flips[1]));"
              + " first fast \(ConfidenceInterval.ofMean(first[0]).mean) exact \(ConfidenceInterval.ofMean(first[1]).mean); events \(costs)")
        XCTAssertTrue(agree(flips[0], flips[1]), "flips per hour")
        XCTAssertTrue(agree(first[0], first[1]), "time of the first flip")
        XCTAssertFalse(agree(flips[0].map { $0 * 1.2 }, flips[1]), "a computed path 20 % off is caught")
        XCTAssertGreaterThan(costs[1], 40 * 2 * 300, "exact: an event per run (360 runs per check-hour)")
        XCTAssertLessThan(costs[0] * 3, costs[1], "the computed mode only runs the flips")
    }

    /// Memory flat in simulated time (issue 14): tasks that crash and are relaunched register new
    /// service instances with new checks; a deregistered instance's slots are reused, so the
    /// slots held after 6 hours are those held after 2 (bounded by the instances alive at once)
    /// while the registrations triple.
    func testChurnKeepsConsulSlotsFlatInSimulatedTime() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10))
        var slots: [Int] = [], registrations: [Int] = []
        for hours: Int64 in [2, 6] {
            let (m, o, c) = platform(agents: 3, instances: 6, checks: [http], behaviour: .healthy(responseTime: .constant(0.01)),
                                     duration: .hours(hours), crash: .exponential(mean: 600))
            m.run()
            slots.append(c.retainedSlots.instances + c.retainedSlots.checks)
            registrations.append(events(o, "consulServiceRegistered").count)
        }
        XCTAssertGreaterThan(registrations[1], 2 * registrations[0], "churn: \(registrations)")
        XCTAssertGreaterThan(registrations[0], 30)
        XCTAssertLessThanOrEqual(slots[1], slots[0] + 4, "slots \(slots) for registrations \(registrations)")
        XCTAssertLessThanOrEqual(slots[1], 2 * 2 * 6, "an instance and a check per live task, twice over at most")
    }

    final class CatalogRecorder: SignalSubscriber {
        let sim: Simulation
        var changes: [(SimTime, Int)] = []
        init(_ sim: Simulation) { self.sim = sim }
        func receive(_ signal: PlatformSignal) {
            if case .catalogChanged(let s) = signal { changes.append((sim.now, s)) }
        }
    }

    /// A dead agent host: at its member-failed the leader marks serfHealth critical, its services
    /// leave the passing answer and `.catalogChanged` is published at that instant.
    func testDeadHostsServicesLeavePassingQueriesAtMemberFailed() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10))
        let (m, o, c) = platform(agents: 4, instances: 8, checks: [http], behaviour: .healthy(responseTime: .constant(0.01)),
                                 duration: .minutes(10), faults: [FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("slave-02"))])
        let rec = CatalogRecorder(m.sim)
        m.signals.subscribe(rec, to: .catalog)
        var passingBefore = -1, onHost = 0
        m.run {
            if passingBefore < 0 && m.sim.now >= SimTime.zero + .seconds(299) {
                passingBefore = c.health(service: 0, filter: .passing, from: 0)?.count ?? 0
                onHost = c.health(service: 0, filter: .passing, from: 0)?.filter { $0.host == m.infrastructure.host(named: "slave-02")!.index }.count ?? 0
            }
            return false
        }
        XCTAssertEqual(passingBefore, 8)
        XCTAssertGreaterThan(onHost, 0)
        guard let failed = events(o, "consulMemberFailed").first else { return XCTFail("not detected") }
        XCTAssertEqual(failed.subject, "slave-02")
        let d = failed.time.seconds - 300
        XCTAssertGreaterThanOrEqual(d, 5); XCTAssertLessThanOrEqual(d, 27)
        XCTAssertTrue(rec.changes.contains { $0.0 == failed.time && $0.1 == 0 }, "catalogChanged at member-failed")
        XCTAssertFalse(rec.changes.contains { $0.0.seconds > 300 && $0.0 < failed.time }, "nothing changes before")
        // Marathon replaces the lost tasks later; the dead host's instances stay critical
        let any = c.health(service: 0, filter: .any, from: 0) ?? []
        let passing = c.health(service: 0, filter: .passing, from: 0) ?? []
        XCTAssertFalse(passing.contains { $0.host == m.infrastructure.host(named: "slave-02")!.index })
        XCTAssertEqual(any.filter { $0.host == m.infrastructure.host(named: "slave-02")!.index }.count, onHost)
    }

    /// A service whose check never passes: registered critical (the initial status), it never
    /// *changes* status, but the agent's UpdateCheck starts the critical clock at the first
    /// critical result (agent/local/state.go: CriticalTime set whenever a critical result finds it
    /// unset; with failures_before_critical F, the F-th failing run's), so
    /// deregister_critical_service_after (1 m) removes it at the reaper's first run (every 30 s)
    /// past the deadline: [first run + (F−1)·interval + 1 m, + 30 s). Mutation: starting the clock
    /// only on a change of status (the old model) never reaps it.
    func testAServiceThatNeverPassesIsReapedAfterDeregisterCriticalServiceAfter() {
        for f in [1, 3] {
            let http = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), failuresBeforeCritical: f,
                                             deregisterCriticalServiceAfter: .minutes(1))
            let (m, o, c) = platform(agents: 2, instances: 2, checks: [http], behaviour: .unhealthy, duration: .minutes(6))
            m.run()
            let regs = events(o, "consulServiceRegistered")
            XCTAssertEqual(regs.count, 2)
            XCTAssertTrue(events(o, "consulCheck").isEmpty, "the status never changes")
            for r in regs {
                guard let reaped = o.events.first(where: { $0.event == "consulCheckReaped" && $0.subject == r.subject }) else {
                    XCTFail("F=\(f): \(r.subject) not reaped"); continue
                }
                let after = (reaped.time - r.time).seconds
                let first = Double(f - 1) * 10
                XCTAssertGreaterThanOrEqual(after, first + 60, "F=\(f)"); XCTAssertLessThan(after, first + 10 + 90, "F=\(f)")
                XCTAssertTrue(o.events.contains { $0.event == "consulServiceDeregistered" && $0.subject == r.subject && $0.time == reaped.time })
            }
            XCTAssertEqual(c.health(service: 0, filter: .any, from: 0)?.count, 0, "F=\(f)")
        }
    }

    /// TTL: critical `ttl` after the process stops updating (the hang); the HTTP check's
    /// deregister_critical_service_after removes the service at the agent's next 30 s reaper run
    /// past the deadline.
    func testTTLExpiresAfterTheHangAndCriticalServicesAreReaped() {
        let http = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), deregisterCriticalServiceAfter: .minutes(1))
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(45))
        let (m, o, c) = platform(agents: 2, instances: 2, checks: [http, ttl], behaviour: .hangsAfter(.constant(300), responseTime: .constant(0.01)),
                                 duration: .minutes(15))
        m.run()
        let regs = events(o, "consulServiceRegistered")
        XCTAssertEqual(regs.count, 2)
        for r in regs {
            guard let inst = c.instances.first(where: { $0.id == r.subject }), let task = m.mesos?.task(inst.task),
                  let serving = task.servingAt, let hang = task.hangAt else { XCTFail("no task"); continue }
            let flips = events(o, "consulCheck").filter { $0.subject == r.subject }
            let ttlUp = flips.first { $0.detail == "ttl critical->passing" }
            let ttlDown = flips.first { $0.detail == "ttl passing->critical" }
            XCTAssertEqual(ttlUp?.time, serving, "passing at the first update")
            XCTAssertEqual(ttlDown?.time, hang + .seconds(45), "critical ttl after the last update")
            guard let crit = flips.first(where: { $0.detail == "http passing->critical" }),
                  let reaped = o.events.first(where: { $0.event == "consulCheckReaped" && $0.subject == r.subject }) else { XCTFail("not reaped"); continue }
            let after = (reaped.time - crit.time).seconds
            XCTAssertGreaterThanOrEqual(after, 60); XCTAssertLessThan(after, 90)
            XCTAssertTrue(o.events.contains { $0.event == "consulServiceDeregistered" && $0.subject == r.subject && $0.time == reaped.time })
        }
        XCTAssertEqual(c.health(service: 0, filter: .any, from: 0)?.count, 0)
    }

    /// `leave_on_terminate: false` on the client agents: SIGTERM stops the agent without a leave
    /// (command/agent handleSignals), so the pool detects it as a crash (suspect, then dead after
    /// at least a probe interval + the suspicion minimum, 4 s at N = 6) and the leader keeps the
    /// node with serfHealth critical; after the reboot it rejoins. The default (true for clients)
    /// leaves at once. Mutation: ignoring the key (always leave) fails the first half.
    func testRebootWithoutLeaveOnTerminateIsDetectedAsAFailure() {
        var cfg = ConsulAgentConfig()
        cfg.leaveOnTerminate = false
        let reboot = [FaultSpec(at: .seconds(60), kind: .hostReboot, target: .host("slave-02"))]
        let (m, o, c) = pool(agents: 3, seed: 4, duration: .minutes(2), faults: reboot, config: cfg)
        m.run()
        XCTAssertTrue(events(o, "consulMemberLeft").isEmpty, "no leave without leave_on_terminate")
        XCTAssertEqual(events(o, "consulMemberSuspect").map(\.subject), ["slave-02"])
        XCTAssertEqual(c.detections.count, 1)
        if let d = c.detections.first { XCTAssertGreaterThanOrEqual(d.seconds, 5) }
        XCTAssertEqual(c.membersFailed, 1, "failed (not left) while the host reboots (back after 2 m, past the run's end)")
        let (m2, o2, _) = pool(agents: 3, seed: 4, duration: .minutes(2), faults: reboot)
        m2.run()
        XCTAssertEqual(events(o2, "consulMemberLeft").map(\.subject), ["slave-02"], "clients leave by default")
        XCTAssertTrue(events(o2, "consulMemberSuspect").isEmpty)
    }

    /// An orderly reboot: the client agent leaves on SIGTERM, the leader deregisters the node at
    /// once (no detection delay); after the reboot it rejoins.
    func testRebootedHostLeavesGracefullyAndRejoins() {
        let http = ConsulCheckDefinition(kind: .http, interval: .seconds(10))
        let (m, o, c) = platform(agents: 3, instances: 6, checks: [http], behaviour: .healthy(responseTime: .constant(0.01)),
                                 duration: .minutes(10), faults: [FaultSpec(at: .minutes(5), kind: .hostReboot, target: .host("slave-02"))])
        let rec = CatalogRecorder(m.sim)
        m.signals.subscribe(rec, to: .catalog)
        m.run()
        let left = events(o, "consulMemberLeft")
        XCTAssertEqual(left.map(\.subject), ["slave-02"])
        XCTAssertEqual(left.first?.time, SimTime.zero + .minutes(5))
        XCTAssertTrue(events(o, "consulMemberFailed").isEmpty, "no failure detection for a graceful leave")
        XCTAssertTrue(rec.changes.contains { $0.0 == SimTime.zero + .minutes(5) }, "catalogChanged at the leave")
        XCTAssertTrue(o.events.contains { $0.event == "consulServiceDeregistered" && $0.subject.hasPrefix("slave-02:") && $0.time == SimTime.zero + .minutes(5) })
        XCTAssertEqual(events(o, "consulMemberAlive").map(\.subject), ["slave-02"])
        XCTAssertEqual(c.membersAlive, 6, "3 servers and 3 agents")
    }
}
