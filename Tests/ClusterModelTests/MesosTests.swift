import XCTest
@testable import ClusterModel
import SimKernel

/// Runs closures at given simulated times (test scaffolding).
final class Script: EventHandler {
    var actions: [() -> Void] = []
    var target: Int32 = -1
    let sim: Simulation
    init(_ sim: Simulation) { self.sim = sim; target = sim.register(self) }
    func at(_ t: SimDuration, _ f: @escaping () -> Void) {
        actions.append(f)
        sim.schedule(at: SimTime.zero + t, target: target, kind: 0, arg: Int64(actions.count - 1), priority: -50)
    }
    func handle(_ event: Event, in sim: Simulation) { actions[Int(event.arg)]() }
}

/// A framework for tests: records what it gets; declines or launches by policy.
final class TestFramework: MesosFramework {
    let frameworkName: String
    let role: String
    var driver: SchedulerDriver!
    var offers: [(time: SimTime, offer: Offer)] = []
    var updates: [(time: SimTime, update: TaskStatusUpdate)] = []
    var registrations: [(SimTime, Bool)] = []
    var disconnections: [SimTime] = []
    var rescinded: [Int64] = []
    /// What to do with an offer: return tasks to launch (empty: decline).
    var policy: (Offer) -> [TaskLaunch] = { _ in [] }
    var refuseSeconds: Double = 5
    var hold = false   // keep offers outstanding
    var suppressOnRegister = false
    var suppressAfterBatch = false
    unowned var sim: Simulation
    var launched: [TaskID] = []
    /// FrameworkInfo.checkpoint; set before `addFramework`.
    var checkpoint = true
    /// FrameworkInfo.capabilities TASK_KILLING_STATE (set before `addFramework`): on here, so the
    /// kill tests see TASK_KILLING.
    var taskKillingState = true
    /// Whether a scheduler process is there to take messages (a framework between leaders: false).
    var receivesUpdates = true
    init(_ name: String, role: String = "*", sim: Simulation) { frameworkName = name; self.role = role; self.sim = sim }
    func registered(reregistered: Bool) {
        registrations.append((sim.now, reregistered))
        if suppressOnRegister && !reregistered { driver.suppressOffers() }
    }
    func disconnected() { disconnections.append(sim.now) }
    func resourceOffers(_ os: [Offer]) {
        for o in os {
            offers.append((sim.now, o))
            if hold { continue }
            let ts = policy(o)
            if ts.isEmpty { driver.decline(offer: o.id, refuseSeconds: refuseSeconds) }
            else if let ids = driver.launch(offer: o.id, tasks: ts, refuseSeconds: refuseSeconds) { launched += ids }
        }
        if suppressAfterBatch { suppressAfterBatch = false; driver.suppressOffers() }
    }
    func offerRescinded(_ offer: Int64) { rescinded.append(offer) }
    func statusUpdate(_ u: TaskStatusUpdate) { updates.append((sim.now, u)) }
    func states(_ id: TaskID) -> [TaskState] { updates.filter { $0.update.task == id }.map(\.update.state) }
    func time(_ id: TaskID, _ s: TaskState) -> SimTime? { updates.first { $0.update.task == id && $0.update.state == s }?.time }
}

protocol MesosTestHelpers {}

extension MesosTestHelpers {

    func cluster(agents: Int = 3, seed: UInt64 = 1, duration: SimDuration = .hours(1), faults: [FaultSpec] = [],
                 mesos: MesosSpec = MesosSpec(), zk: ZooKeeperSpec = ZooKeeperSpec()) -> (ClusterSimulation, MemoryObserver, Script) {
        let spec = ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(10),
                               hostGroups: [MesosTestHelpersGroup.group("master", 3, cpus: 4, mem: 8 << 30), MesosTestHelpersGroup.group("slave", agents)],
                               faults: faults, zookeeper: zk, mesos: mesos)
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        return (m, o, Script(m.sim))
    }

    func events(_ o: MemoryObserver, _ name: String, _ subject: String? = nil) -> [LoggedEvent] {
        o.events.filter { $0.event == name && (subject == nil || $0.subject == subject) }
    }

    func task(_ name: String, cpus: Double = 1, mem: Double = 128, image: ImageRef? = nil,
              behaviour: TaskBehaviour = TaskBehaviour(), hc: MesosHealthCheck? = nil) -> TaskLaunch {
        TaskLaunch(name: name, framework: "f", resources: Resources(cpus: Scalar(cpus), memMB: Scalar(mem)), image: image,
                   behaviour: behaviour, mesosHealthCheck: hc)
    }

    func hostIndex(_ m: ClusterSimulation, _ name: String) -> Int { m.infrastructure.host(named: name)!.index }

    func addFramework(_ m: ClusterSimulation, _ name: String, role: String = "*", checkpoint: Bool = true,
                      taskKillingState: Bool = true) -> TestFramework {
        let f = TestFramework(name, role: role, sim: m.sim)
        f.checkpoint = checkpoint
        f.taskKillingState = taskKillingState
        f.driver = m.mesos!.addFramework(f)
        return f
    }

}

final class MesosTests: XCTestCase, MesosTestHelpers {
    // MARK: startup

    func testStartupElectsALeaderAndRegistersAgents() {
        let (m, o, _) = cluster(duration: .minutes(1))
        m.run()
        let mc = m.mesos!
        XCTAssertEqual(events(o, "leaderElected").count, 1)
        XCTAssertEqual(events(o, "masterElected").count, 1)
        XCTAssertEqual(events(o, "masterReady").count, 1)
        XCTAssertEqual(events(o, "agentRegistered").count, 3)
        let met = mc.metrics()
        XCTAssertEqual(met.agentsRegistered, 3)
        XCTAssertTrue(met.leaderReady)
        // 8 cpus, 32 GiB - 1 GiB, 500 GB - 5 GiB
        XCTAssertEqual(met.cpusTotal, 24)
        XCTAssertEqual(met.memTotalMB, 3 * 31 * 1024)
        XCTAssertEqual(mc.agents[0].total.diskMB, Scalar(Double((500_000_000_000 - (5 << 30)) >> 20)))
    }

    // MARK: failure detection

    func testDeadAgentHostIsMarkedUnreachableAfter75To90Seconds() {
        var delays: [Double] = []
        for seed in UInt64(1)...8 {
            let crashAt = SimDuration.fromSeconds(300 + Double(seed) * 1.37)
            let (m, o, _) = cluster(seed: seed, duration: .minutes(10),
                                    faults: [FaultSpec(at: crashAt, kind: .hostCrash, target: .host("slave-02"))])
            m.run()
            let un = events(o, "agentUnreachable", "slave-02")
            XCTAssertEqual(un.count, 1, "seed \(seed)")
            guard let t = un.first?.time else { continue }
            let d = (t - (SimTime.zero + crashAt)).seconds - 0.05   // minus the registry write
            XCTAssertGreaterThanOrEqual(d, 75, "seed \(seed)")
            XCTAssertLessThanOrEqual(d, 90, "seed \(seed)")
            XCTAssertEqual(m.mesos!.detections.first?.delay.seconds ?? 0, d + 0.05, accuracy: 1e-9)
            XCTAssertEqual(events(o, "agentUnreachable").count, 1)
            delays.append(d)
        }
        XCTAssertGreaterThan(Set(delays.map { Int($0 * 10) }).count, 3, "the detection delay should depend on the ping phase: \(delays)")
    }

    func testPartitionedAgentIsMarkedUnreachableAndComesBack() {
        var delays: [Double] = []
        for seed in UInt64(1)...5 {
            let (m, o, script) = cluster(seed: seed, duration: .minutes(10))
            let at = SimDuration.fromSeconds(200 + Double(seed) * 2.9)
            let h = hostIndex(m, "slave-01")
            script.at(at) { m.mesos!.partition(host: h, healAfter: .minutes(3)) }
            m.run()
            let un = events(o, "agentUnreachable", "slave-01")
            XCTAssertEqual(un.count, 1)
            guard let t = un.first?.time else { continue }
            let d = (t - (SimTime.zero + at)).seconds - 0.05
            XCTAssertTrue(d >= 75 && d <= 90, "seed \(seed): \(d)")
            delays.append(d)
            // healed at +3 min: the agent re-registers (same agent id) within its back-off
            let re = events(o, "agentReregistered", "slave-01")
            XCTAssertEqual(re.count, 1)
            if let r = re.first { XCTAssertLessThanOrEqual((r.time - (SimTime.zero + at + .minutes(3))).seconds, 1.0) }
            XCTAssertEqual(m.mesos!.metrics().agentsUnreachable, 0)
        }
        XCTAssertGreaterThan(Set(delays.map { Int($0 * 10) }).count, 2)
    }

    func testAgentBackBeforeFiveMissedPingsIsNotMarked() {
        let (m, o, script) = cluster(duration: .minutes(10))
        let h = hostIndex(m, "slave-01")
        script.at(.seconds(200)) { m.mesos!.partition(host: h, healAfter: .seconds(60)) }
        script.at(.seconds(400)) { m.mesos!.crashAgent(host: h, restartAfter: .seconds(50)) }
        m.run()
        XCTAssertTrue(events(o, "agentUnreachable").isEmpty)
        XCTAssertEqual(m.mesos!.metrics().agentsRegistered, 3)
    }

    // MARK: allocator

    func testDRFOffersTheNextAgentToTheLowerDominantShare() {
        let (m, _, script) = cluster(agents: 4, duration: .seconds(60))
        var a: TestFramework!, b: TestFramework!
        script.at(.zero) {
            a = self.addFramework(m, "a"); a.hold = true; a.suppressOnRegister = true
            b = self.addFramework(m, "b"); b.hold = true; b.suppressOnRegister = true
        }
        script.at(.seconds(30)) { a.driver.reviveOffers(); b.driver.reviveOffers() }
        m.run()
        // four agents in one cycle: a, b, a, b (equal shares: the earlier framework first)
        XCTAssertEqual(a.offers.count, 2)
        XCTAssertEqual(b.offers.count, 2)
        XCTAssertEqual(a.offers.first?.time, SimTime.zero + .seconds(30))
        XCTAssertEqual(b.offers.first?.time, SimTime.zero + .seconds(30))
    }

    func testDRFAfterALaunch() {
        let (m, _, script) = cluster(agents: 4, duration: .seconds(60))
        var a: TestFramework!, b: TestFramework!
        script.at(.zero) {
            a = self.addFramework(m, "a"); a.suppressOnRegister = true; a.refuseSeconds = 0
            b = self.addFramework(m, "b"); b.suppressOnRegister = true; b.hold = true
            var first = true
            a.policy = { o in if first { first = false; return [self.task("a.1", cpus: 8, mem: o.resources.memMB.value)] }; return [] }
            a.suppressAfterBatch = true
        }
        // a alone: takes one whole agent, declines the others, suppresses
        script.at(.seconds(30)) { a.driver.reviveOffers() }
        // both revive (a first); a's dominant share is 1/4, b's 0: b gets the first of the three
        // free agents, then a (tie at 1/4, a registered first), then b
        script.at(.seconds(40)) { a.hold = true; a.driver.reviveOffers(); b.driver.reviveOffers() }
        m.run()
        XCTAssertEqual(a.offers.filter { $0.time == SimTime.zero + .seconds(30) }.count, 4)
        let later = a.offers.filter { $0.time > SimTime.zero + .seconds(30) }
        XCTAssertEqual(later.count, 1)
        XCTAssertEqual(b.offers.count, 2)
        XCTAssertEqual(b.offers.first?.time, SimTime.zero + .seconds(40))
    }

    func testDeclineFilterLastsMaxOfRefuseSecondsAndAllocationInterval() {
        // refuse_seconds 0 installs no filter (hierarchical.cpp recoverResources): offered again at
        // the next batch allocation, within one allocation_interval.
        for (refuse, lo, hi) in [(3.0, 3.0, 4.0), (0.2, 1.0, 2.0), (0.0, 0.0, 1.000001), (-1.0, 5.0, 6.0)] {
            let (m, _, script) = cluster(agents: 1, duration: .seconds(60))
            var f: TestFramework!
            script.at(.zero) { f = self.addFramework(m, "f"); f.refuseSeconds = refuse }
            m.run()
            XCTAssertGreaterThan(f.offers.count, 5)
            for i in 1..<f.offers.count {
                let gap = (f.offers[i].time - f.offers[i - 1].time).seconds
                XCTAssertTrue(gap >= lo && gap < hi, "refuse \(refuse): gap \(gap)")
            }
            XCTAssertEqual(m.mesos!.metrics().filtersActive, refuse == 0 ? 0 : 1)
        }
    }

    func testSuppressStopsOffersAndReviveClearsFilters() {
        let (m, _, script) = cluster(agents: 2, duration: .minutes(5))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.refuseSeconds = 3600 }
        script.at(.seconds(60)) { f.driver.suppressOffers() }
        script.at(.seconds(120)) { f.driver.reviveOffers() }
        m.run()
        // two offers (one per agent) at start, declined for an hour; nothing while suppressed;
        // revive clears the filters: two offers at once at 120 s, declined for another hour
        XCTAssertEqual(f.offers.count, 4)
        XCTAssertTrue(f.offers.prefix(2).allSatisfy { $0.time < SimTime.zero + .seconds(20) })
        XCTAssertTrue(f.offers.suffix(2).allSatisfy { $0.time == SimTime.zero + .seconds(120) })
    }

    func testSuppressedIdleClusterCostsNothingPerCycle() {
        let (m, _, script) = cluster(agents: 50, duration: .hours(2))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.hold = true }
        script.at(.seconds(30)) { f.driver.suppressOffers() }
        m.run()
        XCTAssertEqual(f.offers.count, 50)
        // the batch timer ticks (1/s), the pings (50 agents / 15 s): nothing scales with agents x cycles
        XCTAssertLessThan(m.sim.eventsProcessed, 7200 + 50 * 480 + 2000)
    }

    func testMinAllocatableResources() {
        for (memLeft, offered) in [(16.0, false), (32.0, true)] {
            let (m, _, script) = cluster(agents: 1, duration: .seconds(30))
            var f: TestFramework!
            script.at(.zero) {
                f = self.addFramework(m, "f"); f.refuseSeconds = 0
                var first = true
                f.policy = { o in
                    if first { first = false; return [self.task("t", cpus: 7.995, mem: o.resources.memMB.value - memLeft)] }
                    return []
                }
            }
            m.run()
            XCTAssertEqual(f.offers.count > 1, offered, "mem left \(memLeft)")
        }
    }

    func testOfferTimeoutRescinds() {
        var ms = MesosSpec()
        ms.masterFlags.offerTimeout = .seconds(10)
        let (m, _, script) = cluster(agents: 1, duration: .seconds(40), mesos: ms)
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.hold = true }
        m.run()
        XCTAssertGreaterThanOrEqual(f.rescinded.count, 2)
        XCTAssertEqual(f.offers.count, f.rescinded.count + 1)
    }
}

final class MesosLifecycleTests: XCTestCase, MesosTestHelpers {

    func runningTasks(_ m: ClusterSimulation, _ f: TestFramework, perAgent: Int = 1, image: ImageRef? = nil,
                      behaviour: TaskBehaviour = TaskBehaviour(), hc: MesosHealthCheck? = nil) {
        var launchedOn: [Int: Int] = [:]
        f.refuseSeconds = 0
        f.policy = { o in
            let n = launchedOn[o.agent, default: 0]
            guard n < perAgent else { return [] }
            launchedOn[o.agent] = n + 1
            return [self.task("app.\(m.infrastructure.hosts[o.agent].name).\(n)", image: image, behaviour: behaviour, hc: hc)]
        }
    }

    // MARK: master failover

    func testMasterFailoverKeepsTasksAndAgentsReregisterAndMissingAgentGoesUnreachable() {
        let (m, o, script) = cluster(agents: 3, duration: .minutes(20))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f) }
        let s3 = hostIndex(m, "slave-03")
        script.at(.seconds(60)) { m.mesos!.crashMaster(); m.mesos!.crashAgent(host: s3, keepDown: true) }
        m.run()
        let mc = m.mesos!
        XCTAssertEqual(f.launched.count, 3)
        let failover = mc.failovers.first!
        XCTAssertEqual(failover.lostAt, SimTime.zero + .seconds(60))
        let ready = failover.readyAt!
        // the old leader's session expires 10-12 s after its last ping, +1 s registry recovery
        XCTAssertGreaterThan((ready - failover.lostAt).seconds, 8)
        XCTAssertLessThan((ready - failover.lostAt).seconds, 15)
        // no offers while no master leads
        XCTAssertFalse(f.offers.contains { $0.time > failover.lostAt && $0.time < ready })
        XCTAssertEqual(f.disconnections.count, 1)
        XCTAssertEqual(f.registrations.map(\.1), [false, true])
        // agents re-register within the back-off window
        for name in ["slave-01", "slave-02"] {
            let re = events(o, "agentReregistered", name)
            XCTAssertEqual(re.count, 1, name)
            if let r = re.first { XCTAssertLessThanOrEqual((r.time - ready).seconds, 60) }
        }
        // the agent that never came back: unreachable after agent_reregister_timeout
        let un = events(o, "agentUnreachable", "slave-03")
        XCTAssertEqual(un.map(\.time), [ready + .minutes(10)])
        // tasks kept running: no update other than STAGING/RUNNING (1.4: no TASK_STARTING) for slave-01/02 tasks
        for id in f.launched {
            let task = mc.task(id)!
            if mc.agents[task.agent].name != "slave-03" {
                XCTAssertEqual(task.state, .running)
                XCTAssertEqual(f.states(id), [.staging, .running])
            } else {
                // its executor gave up after recovery_timeout (15 min) without the agent
                XCTAssertEqual(task.state, .failed)
            }
        }
    }

    /// The agents' health checks (SlaveObserver) run in the leading master's process: when it dies, nobody
    /// pings. With ZooKeeper's quorum lost at the same moment no new leader is detected for minutes; an
    /// agent that died with the leader must not be marked unreachable by the dead master's observers, only
    /// by the next leader (here: at its agent_reregister_timeout, as in the failover test above).
    func testAgentsAreNotMarkedUnreachableWhileNoMasterLeads() {
        let (m, o, script) = cluster(agents: 3, duration: .minutes(30))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f) }
        let s3 = hostIndex(m, "slave-03")
        script.at(.seconds(60)) {
            m.mesos!.crashMaster()
            m.mesos!.crashAgent(host: s3, keepDown: true)
            m.mesos!.crashZooKeeperServer(index: 0, restartAfter: .minutes(5))
            m.mesos!.crashZooKeeperServer(index: 1, restartAfter: .minutes(5))
        }
        m.run()
        let mc = m.mesos!
        XCTAssertEqual(f.launched.count, 3)
        guard let ready = mc.failovers.first?.readyAt else {
            let log = o.events.filter { ["mesos", "zookeeper"].contains($0.component) && !$0.event.hasPrefix("TASK") }
            return XCTFail("no new leader: \(log.map { "\($0.time.seconds) \($0.event) \($0.subject) \($0.detail)" }.joined(separator: "\n"))")
        }
        XCTAssertGreaterThan(ready, SimTime.zero + .minutes(6))   // ZooKeeper's quorum is back at 6 min
        let un = events(o, "agentUnreachable")
        XCTAssertEqual(un.map(\.subject), ["slave-03"])
        XCTAssertEqual(un.map(\.time), [ready + .minutes(10)])
    }

    /// A power loss of every master host (the ZooKeeper servers run there too): when they are back, the
    /// masters contend again, and the first new znode leads even when it belongs to the master that led
    /// before (a new process: the detectors see a new leader), once the dead process's znode has expired.
    func testMastersElectALeaderAfterAllMasterHostsLosePower() {
        let crashes = (1...3).map { FaultSpec(at: .minutes(5), kind: .hostCrash, target: .host("master-0\($0)"), recoverAfter: .minutes(5)) }
        let (m, o, script) = cluster(agents: 2, duration: .minutes(30), faults: crashes)
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f") }
        m.run()
        let elected = events(o, "masterElected")
        XCTAssertEqual(elected.count, 2)
        XCTAssertGreaterThan(elected.last?.time ?? .zero, SimTime.zero + .minutes(10))
        XCTAssertEqual(events(o, "masterReady").count, 2)
        XCTAssertTrue(m.mesos!.leaderReady)
        XCTAssertEqual(f.registrations.map(\.1), [false, true])
        XCTAssertEqual(events(o, "agentReregistered").count, 2)
        XCTAssertTrue(events(o, "agentUnreachable").isEmpty)
    }

    /// The leader dies; the next znode in line belongs to a master that crashed and restarted meanwhile (a
    /// new process with a new znode further back). That stale znode leads nobody: the next master leads
    /// once it has expired (without the check, master-02 would lead on it, then concede and abort).
    func testTheZNodeOfARestartedMastersDeadProcessLeadsNobody() {
        let (m, o, script) = cluster(agents: 2, duration: .minutes(5))
        script.at(.seconds(60)) { m.mesos!.crashMaster(index: 0) }
        script.at(.seconds(65)) { m.mesos!.crashMaster(index: 1, restartAfter: .seconds(1)) }
        m.run()
        XCTAssertEqual(events(o, "masterElected").map(\.subject), ["master-01", "master-03"])
        XCTAssertEqual(events(o, "masterStopped").count, 2)
        XCTAssertTrue(m.mesos!.leaderReady)
    }

    func testLosingZooKeeperQuorumAbortsTheLeaderUntilQuorumIsBack() {
        let (m, o, script) = cluster(agents: 2, duration: .minutes(10))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.refuseSeconds = 0 }
        script.at(.seconds(60)) { m.mesos!.crashZooKeeperServer(index: 0, restartAfter: .seconds(120)); m.mesos!.crashZooKeeperServer(index: 1, restartAfter: .seconds(120)) }
        m.run()
        XCTAssertEqual(events(o, "quorumLost").map(\.time), [SimTime.zero + .seconds(60)])
        let stopped = events(o, "masterStopped")
        XCTAssertEqual(stopped.count, 1)
        XCTAssertEqual(stopped.first?.time, SimTime.zero + .seconds(70))   // disconnected for the 10 s session timeout
        XCTAssertTrue(stopped.first?.detail.contains("lost candidacy") ?? false)
        let regained = events(o, "leaderElected").map(\.time)
        XCTAssertEqual(regained.count, 2)
        XCTAssertEqual(regained.last, SimTime.zero + .seconds(180) + .milliseconds(2200))
        let ready = events(o, "masterReady").map(\.time)
        XCTAssertEqual(ready.count, 2)
        XCTAssertGreaterThan(ready[1], regained[1])
        XCTAssertFalse(f.offers.contains { $0.time > SimTime.zero + .seconds(70) && $0.time < ready[1] })
        XCTAssertTrue(f.offers.contains { $0.time > ready[1] })
    }

    // MARK: agent restart vs host reboot

    func testAgentProcessRestartRecoversRunningTasks() {
        let (m, o, script) = cluster(agents: 1, duration: .minutes(10))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f) }
        let h = hostIndex(m, "slave-01")
        script.at(.seconds(60)) { m.mesos!.crashAgent(host: h, restartAfter: .seconds(30)) }
        m.run()
        XCTAssertEqual(f.launched.count, 1)
        XCTAssertEqual(f.states(f.launched[0]), [.staging, .running])
        XCTAssertEqual(m.mesos!.task(f.launched[0])?.state, .running)
        XCTAssertEqual(events(o, "agentReregistered", "slave-01").count, 1)
        XCTAssertTrue(events(o, "agentUnreachable").isEmpty)
    }

    func testHostRebootLosesTasks() {
        for (downFor, expected) in [(SimDuration.seconds(30), TaskState.lost), (.minutes(3), .unreachable)] {
            let (m, o, script) = cluster(agents: 1, duration: .minutes(10),
                                          faults: [FaultSpec(at: .seconds(60), kind: .hostReboot, target: .host("slave-01"), downFor: downFor)])
            var f: TestFramework!
            script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f) }
            m.run()
            let first = f.launched[0]
            XCTAssertEqual(f.states(first).last, expected, "reboot \(downFor)")
            // the agent comes back with a new id and the task is relaunched there
            XCTAssertEqual(events(o, "agentRegistered", "slave-01").count, 2)
            XCTAssertNotEqual(m.mesos!.task(first)?.state, .running)
            if expected == .lost {
                XCTAssertEqual(f.updates.last { $0.update.task == first }?.update.reason, .agentRemoved)
            }
        }
    }

    // MARK: task lifecycle

    /// Mesos 1.5+: the executor's TASK_STARTING marks the end of the pull (1.4 sends none:
    /// MesosVersionModelTests.testTaskStartingIsSentFrom15).
    func testImagePullThenCachedAndContainerStart() {
        var ms = MesosSpec()
        ms.version = MesosVersion(1, 5, 0)
        ms.containerStartTime = .constant(0.5)
        let (m, _, script) = cluster(agents: 1, duration: .minutes(2), mesos: ms)
        var f: TestFramework!
        let img = ImageRef(name: "app:1", sizeBytes: 200_000_000)   // 1.6 Gbit at 800 Mbit/s: 2 s
        script.at(.zero) {
            f = self.addFramework(m, "f"); f.refuseSeconds = 0
            f.policy = { o in
                if f.launched.isEmpty { return [self.task("a", image: img)] }
                if f.launched.count == 1 && f.time(f.launched[0], .running) != nil { return [self.task("b", image: img)] }
                return []
            }
        }
        m.run()
        XCTAssertEqual(f.launched.count, 2)
        let (a, b) = (f.launched[0], f.launched[1])
        XCTAssertEqual(f.states(a), [.staging, .starting, .running])
        XCTAssertEqual(f.time(a, .starting)! - f.time(a, .staging)!, .seconds(2))
        XCTAssertEqual(f.time(a, .running)! - f.time(a, .starting)!, .milliseconds(500))
        // second launch on the same host (a later offer): no pull
        XCTAssertGreaterThan(f.time(b, .staging)!, f.time(a, .running)!)
        XCTAssertEqual(f.time(b, .starting)!, f.time(b, .staging)!)
        XCTAssertEqual(f.time(b, .running)! - f.time(b, .starting)!, .milliseconds(500))
    }

    func testExecutorRegistrationTimeoutFailsASlowPull() {
        let (m, _, script) = cluster(agents: 1, duration: .minutes(5))
        var f: TestFramework!
        let img = ImageRef(name: "huge:1", sizeBytes: 10_000_000_000)   // 100 s at 100 MB/s
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f, image: img) }
        m.run()
        let a = f.launched[0]
        XCTAssertEqual(f.states(a), [.staging, .failed])
        XCTAssertEqual(f.time(a, .failed)! - f.time(a, .staging)!, .minutes(1))
    }

    func testMesosHealthCheckKillsAtConsecutiveFailures() {
        let (m, _, script) = cluster(agents: 1, duration: .minutes(5))
        var f: TestFramework!
        let hc = MesosHealthCheck(delay: .seconds(15), interval: .seconds(10), timeout: .seconds(20), gracePeriod: .seconds(10), consecutiveFailures: 3)
        script.at(.zero) {
            f = self.addFramework(m, "f")
            self.runningTasks(m, f, behaviour: TaskBehaviour(health: .unhealthy), hc: hc)
        }
        m.run()
        let a = f.launched[0]
        // a healthy=false update per failure (health_checker.cpp `failure`), then the executor's kill
        XCTAssertEqual(f.states(a), [.staging, .running, .running, .running, .running, .killing, .killed])
        let running = f.time(a, .running)!
        let unhealthy = f.updates.filter { $0.update.task == a && $0.update.healthy == false && $0.update.state == .running }
        XCTAssertEqual(unhealthy.count, 3)
        XCTAssertEqual(unhealthy.first?.time, running + .seconds(15) + .milliseconds(1))
        // checks at +15, +25.001, +35.002 s (interval counted after each result); the third sets
        // kill_task: TASK_KILLING, then TASK_KILLED after executor_shutdown_grace_period (5 s: the
        // process ignores SIGTERM)
        XCTAssertEqual(f.time(a, .killing)!, running + .seconds(35) + .milliseconds(3))
        XCTAssertEqual(f.time(a, .killed)!, running + .seconds(40) + .milliseconds(3))
        XCTAssertEqual(f.updates.last?.update.reason, .healthCheckFailed)
        XCTAssertEqual(f.updates.last?.update.healthy, false)
    }

    func testKillGoesThroughKillingWithinTheGracePeriod() {
        let (m, _, script) = cluster(agents: 1, duration: .minutes(2))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f) }
        script.at(.seconds(60)) { f.driver.kill(task: f.launched[0]) }
        m.run()
        let a = f.launched[0]
        XCTAssertEqual(f.states(a), [.staging, .running, .killing, .killed])
        XCTAssertEqual(f.time(a, .killed)! - f.time(a, .killing)!, .seconds(5))
    }

    func testProbeFollowsTheBehaviour() {
        let (m, _, script) = cluster(agents: 1, duration: .minutes(5))
        var f: TestFramework!
        let beh = TaskBehaviour(startup: .constant(20), health: .hangsAfter(.constant(60), responseTime: .constant(0.01)))
        var seen: [ProbeOutcome] = []
        script.at(.zero) { f = self.addFramework(m, "f"); self.runningTasks(m, f, behaviour: beh) }
        let master = hostIndex(m, "master-01")
        for s in [10, 40, 120] as [Int64] {
            script.at(.seconds(s)) { seen.append(f.driver.probe(task: f.launched[0], from: master, timeout: .seconds(2))) }
        }
        m.run()
        XCTAssertEqual(seen, [.refused, .passed(after: .milliseconds(10)), .timedOut])
    }
}

enum MesosTestHelpersGroup {
    static func group(_ name: String, _ count: Int, cpus: Double = 8, mem: Int64 = 32 << 30) -> HostGroupSpec {
        HostGroupSpec(name: name, count: count, datacenter: "dc01", racks: ["r1"], cpus: cpus,
                      memoryBytes: mem, diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)
    }
}
