import XCTest
@testable import ClusterModel
import SimKernel

/// The Marathon runtime on top of Mesos, through whole simulations with default settings.
final class MarathonRuntimeTests: XCTestCase {
    static func hostGroups(agents: Int, agentCpus: Double = 8) -> [HostGroupSpec] {
        [
            HostGroupSpec(name: "master", count: 3, datacenter: "dc01", racks: ["r1", "r2", "r3"], cpus: 4,
                          memoryBytes: 16 << 30, diskBytes: 200 << 30, nicBitsPerSecond: 10_000_000_000),
            HostGroupSpec(name: "slave", count: agents, datacenter: "dc01", racks: ["r1", "r2", "r3"], cpus: agentCpus,
                          memoryBytes: 32 << 30, diskBytes: 500 << 30, nicBitsPerSecond: 10_000_000_000),
        ]
    }

    static func app(_ id: String, instances: Int, cpus: Double = 0.5, mem: Double = 256,
                    healthChecks: [HealthCheck] = [], constraints: [PlacementConstraint] = [],
                    upgrade: UpgradeStrategy = .default, version: MarathonVersion = MarathonVersion(1, 4, 9)) -> AppDefinition {
        var a = AppDefinition(id: id, instances: instances, cpus: cpus, mem: mem, version: version)
        a.healthChecks = healthChecks
        a.constraints = constraints
        a.upgradeStrategy = upgrade
        return a
    }

    final class Run {
        let model: ClusterSimulation
        let observer = MemoryObserver()
        var marathon: MarathonScheduler { model.marathon! }
        init(apps: [AppDefinition], behaviour: [AppBehaviour]? = nil, agents: Int = 6, agentCpus: Double = 8,
             faults: [FaultSpec] = [], duration: SimDuration = .hours(1), seed: UInt64 = 1,
             version: MarathonVersion = MarathonVersion(1, 4, 9), fidelity: FidelitySpec = FidelitySpec(), flags: MarathonFlags? = nil) {
            let beh = behaviour ?? apps.map { _ in AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 100_000_000) }
            var spec = ClusterSpec(name: "t", seed: seed, duration: duration, sampleInterval: .minutes(1),
                                   hostGroups: MarathonRuntimeTests.hostGroups(agents: agents, agentCpus: agentCpus),
                                   faults: faults, zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                                   marathon: MarathonSpec(version: version, flags: flags ?? MarathonFlags(version: version), apps: apps, behaviour: beh))
            spec.fidelity = fidelity
            model = ClusterSimulation(spec: spec, observer: observer)
        }
        /// Runs to the end, calling `check` after every event.
        func run(check: ((ClusterSimulation) -> Void)? = nil) {
            XCTAssertTrue(model.run { check?(self.model); return false })
        }
        func events(_ name: String, component: String? = nil) -> [LoggedEvent] {
            observer.events.filter { $0.event == name && (component == nil || $0.component == component) }
        }
        func app(_ id: String) -> MarathonAppState { marathon.apps[marathon.appIndex[id]!] }
    }

    func testInitialDeploymentStartsEveryInstanceAndFinishes() {
        let r = Run(apps: [Self.app("/web", instances: 4)])
        r.run()
        let a = r.app("/web")
        XCTAssertEqual(a.instances.filter { $0.state == .running }.count, 4)
        XCTAssertEqual(r.events("deploymentFinished").count, 1)
        XCTAssertNotNil(a.firstDeployFinished)
        XCTAssertLessThan(a.firstDeployFinished! - a.firstDeployStarted!, .minutes(2))
        XCTAssertEqual(r.events("leaderReady", component: "marathon").count, 1)
    }

    func testUniqueNeverPlacesTwoInstancesOnOneHost() {
        let unique = PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)
        let r = Run(apps: [Self.app("/u", instances: 8, constraints: [unique])], agents: 5)
        var maxOnOneHost = 0
        r.run { _ in
            let a = r.app("/u")
            var count: [Int: Int] = [:]
            for i in a.instances where i.isActive { count[i.host, default: 0] += 1 }
            maxOnOneHost = max(maxOnOneHost, count.values.max() ?? 0)
        }
        XCTAssertEqual(maxOnOneHost, 1)
        XCTAssertEqual(r.app("/u").instances.filter { $0.state == .running }.count, 5)   // 5 hosts, 3 wait
        XCTAssertEqual(r.app("/u").toLaunch, 3)
        XCTAssertFalse(r.events("waitingForOffers").isEmpty)
    }

    func testHangingAppIsKilledAfterMaxPlusOneFailedChecks() {
        let hc = HealthCheck(protocol: .http, path: "/health", portIndex: 0, gracePeriod: .seconds(60), interval: .seconds(10),
                             timeout: .seconds(5), maxConsecutiveFailures: 3)
        var def = Self.app("/hang", instances: 1, healthChecks: [hc])
        def.ports = [AppPort(hostPort: 0)]
        let beh = AppBehaviour(task: TaskBehaviour(startup: .constant(5), health: .hangsAfter(.constant(600), responseTime: .constant(0.01))),
                               imageSizeBytes: 1)
        let r = Run(apps: [def], behaviour: [beh], duration: .minutes(30))
        r.run()
        let running = r.events("TASK_RUNNING").first!.time
        let hangAt = running + .seconds(5) + .seconds(600)
        let kill = r.events("killUnhealthy").first!.time
        // (max+1) failed checks every interval, the last one counted when its timeout expires
        XCTAssertGreaterThanOrEqual(kill - hangAt, .seconds(3 * 10 + 5))
        XCTAssertLessThan(kill - hangAt, .seconds(4 * 10 + 5))
        // and it is replaced (KILLED does not back off)
        XCTAssertGreaterThanOrEqual(r.app("/hang").launchedTotal, 2)
        XCTAssertTrue(r.events("launchDelayed").isEmpty)
    }

    func testCrashLoopBacksOffByFactor() {
        let beh = AppBehaviour(task: TaskBehaviour(startup: .constant(1), failAtStartProbability: 1), imageSizeBytes: 1)
        let r = Run(apps: [Self.app("/loop", instances: 1)], behaviour: [beh], duration: .minutes(20))
        r.run()
        let delays = r.events("launchDelayed").map { $0.detail }
        XCTAssertGreaterThan(delays.count, 5)
        XCTAssertTrue(delays[0].hasPrefix("back-off 1s"), delays[0])
        XCTAssertTrue(delays[1].hasPrefix("back-off 1.15s"), delays[1])
        XCTAssertTrue(delays[2].hasPrefix("back-off 1.3225s"), delays[2])
        // consecutive launches are at least the delay apart
        let launches = r.events("TASK_STAGING").map(\.time)
        for k in 3..<min(8, launches.count) {
            let expected = pow(1.15, Double(k - 2))
            XCTAssertGreaterThanOrEqual((launches[k] - launches[k - 1]).seconds, expected - 1e-6)
        }
    }

    func testAgentLossReplacesTasksRightAfterUnreachable() {
        // 6 agents, 6 instances with UNIQUE: slave-02 dies at 20 min.
        let unique = PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)
        let r = Run(apps: [Self.app("/svc", instances: 5, constraints: [unique])],
                    faults: [FaultSpec(at: .minutes(20), kind: .hostCrash, target: .host("slave-02"))])
        r.run()
        let crash = SimTime.zero + .minutes(20)
        guard let unreachable = r.events("instanceUnreachable").first else {
            // slave-02 may have had no instance: then nothing to replace
            XCTAssertTrue(r.app("/svc").instances.allSatisfy { r.model.infrastructure.hosts[$0.host].name != "slave-02" || $0.launchedAt > crash })
            return
        }
        XCTAssertGreaterThanOrEqual(unreachable.time - crash, .seconds(75))
        XCTAssertLessThanOrEqual(unreachable.time - crash, .seconds(90))
        guard let replacement = r.events("TASK_STAGING").first(where: { $0.time >= unreachable.time }) else {
            XCTFail("no replacement launched:\n" + r.observer.events.filter { $0.time > crash }.map { "\($0.time) \($0.component) \($0.event) \($0.subject) \($0.detail)" }.joined(separator: "\n"))
            return
        }
        XCTAssertLessThan(replacement.time - unreachable.time, .seconds(10))
        XCTAssertEqual(r.app("/svc").instances.filter { $0.state == .running && !$0.isUnreachable }.count, 5)
    }

    func testRollingUpgradeKeepsHealthyMinimumAndCapacityMaximum() {
        let hc = HealthCheck(protocol: .http, path: "/", portIndex: 0, gracePeriod: .seconds(60), interval: .seconds(10),
                             timeout: .seconds(2), maxConsecutiveFailures: 3)
        for (minH, maxO) in [(0.5, 0.2), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            var def = Self.app("/roll", instances: 10, cpus: 0.1, healthChecks: [hc], upgrade: UpgradeStrategy(minimumHealthCapacity: minH, maximumOverCapacity: maxO))
            def.ports = [AppPort(hostPort: 0)]
            let r = Run(apps: [def], agents: 6, duration: .minutes(40))
            var upgraded = false
            var minHealthy = Int.max, maxTasks = 0
            r.run { m in
                let sched = m.marathon!
                if !upgraded, m.sim.now >= SimTime.zero + .minutes(10) {
                    upgraded = true
                    XCTAssertEqual(sched.restart(app: "/roll"), .deployment(2))
                }
                guard upgraded else { return }
                let a = r.app("/roll")
                let healthy = a.instances.filter { $0.isHealthy(a.definition) }.count
                minHealthy = min(minHealthy, healthy)
                maxTasks = max(maxTasks, a.instances.filter { $0.isActive }.count)
            }
            let minAllowed = Int((10 * minH).rounded(.up)), maxAllowed = Int((10 * (1 + maxO)).rounded(.down))
            XCTAssertGreaterThanOrEqual(minHealthy, minAllowed == maxAllowed ? minAllowed - 0 : minAllowed, "\(minH)/\(maxO)")
            XCTAssertLessThanOrEqual(maxTasks, minAllowed == maxAllowed ? maxAllowed + 1 : maxAllowed, "\(minH)/\(maxO)")
            XCTAssertEqual(r.events("deploymentFinished").count, 2, "\(minH)/\(maxO)")
            let a = r.app("/roll")
            XCTAssertEqual(a.instances.filter { $0.version == a.configVersion && $0.state == .running }.count, 10)
        }
    }

    func testScaleDownKillsYoungestFirstAndConflictsAreRefused() {
        let r = Run(apps: [Self.app("/s", instances: 6)], duration: .minutes(20))
        var results: [MarathonScheduler.ActionResult] = []
        var done = false
        r.run { m in
            if !done, m.sim.now >= SimTime.zero + .minutes(5) {
                done = true
                results.append(m.marathon!.scale(app: "/s", instances: 2))
                results.append(m.marathon!.scale(app: "/s", instances: 3))        // refused: in progress
                results.append(m.marathon!.scale(app: "/s", instances: 3, force: true))
            }
        }
        XCTAssertEqual(results[1], .conflict(deployment: 2))
        XCTAssertEqual(results[2], .deployment(3))
        XCTAssertEqual(r.app("/s").instances.filter { $0.state == .running }.count, 3)
    }

    func testAgentProcessCrashKeepsTasksAndMasterCrashFailsOver() {
        let r = Run(apps: [Self.app("/k", instances: 6)], agents: 3,
                    faults: [FaultSpec(at: .minutes(10), kind: .agentCrash, target: .host("slave-01"), restartAfter: .seconds(30)),
                             FaultSpec(at: .minutes(20), kind: .masterCrash, target: .master(nil), restartAfter: .seconds(30))],
                    duration: .minutes(40))
        var runningAlways = true
        r.run { m in
            if m.sim.now > SimTime.zero + .minutes(5) {
                runningAlways = runningAlways && r.app("/k").instances.filter { $0.state == .running }.count == 6
            }
        }
        XCTAssertTrue(runningAlways, "tasks must keep running through an agent restart and a master failover")
        XCTAssertEqual(r.app("/k").launchedTotal, 6)
        XCTAssertTrue(r.events("agentUnreachable").isEmpty)
        let mesos = r.model.mesos!, injector = r.model.faultInjector
        XCTAssertEqual(mesos.failovers.count, 1)
        let k = injector.fired.firstIndex { injector.faults[$0.index].kind == .masterCrash }!
        let masterFault = mesos.faultDetections()[k]
        XCTAssertNotNil(masterFault.detectedAfter)
        XCTAssertLessThan(masterFault.detectedAfter!, .seconds(30))
        XCTAssertFalse(r.model.marathon!.faultRecoveries()[k].degradedApps)
    }

    /// Overlay containers need the KV store (here a Consul cluster) to join: while it has no quorum new
    /// launches fail (Marathon backs off), running containers keep going; HOST-network apps are unaffected.
    func testOverlayLaunchesFailWhileTheKVStoreIsUnreachable() {
        var overlayApp = Self.app("/ov", instances: 2)
        overlayApp.networkMode = .container(name: nil)
        let hostApp = Self.app("/h", instances: 2)
        let beh = AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .constant(600)), imageSizeBytes: 1)
        let consul = HostGroupSpec(name: "consul", count: 3, datacenter: "dc01", racks: ["r1"], cpus: 2, memoryBytes: 4 << 30,
                                   diskBytes: 50 << 30, nicBitsPerSecond: 1_000_000_000)
        var mesos = MesosSpec()
        mesos.agentHostGroups = ["slave"]
        var spec = ClusterSpec(name: "t", seed: 3, duration: .minutes(40), sampleInterval: .minutes(1),
                               hostGroups: Self.hostGroups(agents: 4) + [consul],
                               faults: [FaultSpec(at: .minutes(12), kind: .hostCrash, target: .host("consul-01"), recoverAfter: .minutes(10)),
                                        FaultSpec(at: .minutes(12), kind: .hostCrash, target: .host("consul-02"), recoverAfter: .minutes(10))],
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: mesos,
                               marathon: MarathonSpec(version: MarathonVersion(1, 4, 9), apps: [overlayApp, hostApp], behaviour: [beh, beh]))
        spec.network = NetworkSpec(mode: .overlay, kvStore: .servers(kind: "consul", hosts: ["consul-01", "consul-02", "consul-03"]))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        XCTAssertTrue(m.run())
        let refused = o.events.filter { $0.event == "attachRefused" }
        XCTAssertFalse(refused.isEmpty, "overlay launches during the ZooKeeper outage must be refused")
        XCTAssertTrue(refused.allSatisfy { $0.subject.hasPrefix("ov.") })
        let outage = (SimTime.zero + .minutes(12))...(SimTime.zero + .minutes(22))
        XCTAssertTrue(refused.allSatisfy { outage.contains($0.time) }, refused.map { "\($0.time)" }.joined(separator: " "))
        // overlay tasks launched before the outage kept running into it
        let failedBeforeCrash = o.events.filter { $0.event == "TASK_FAILED" && $0.subject.hasPrefix("ov.") && $0.time < SimTime.zero + .minutes(10) }
        XCTAssertTrue(failedBeforeCrash.isEmpty)
    }
}
