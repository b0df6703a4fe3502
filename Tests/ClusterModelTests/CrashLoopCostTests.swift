import XCTest
@testable import ClusterModel
import SimKernel

/// One app of many crash-looping instances (clustersim-bench crashloop; docs/benchmarks.md "A crash loop
/// at scale"): the work is counted, never timed. With fidelity.offers `fast` and one framework, a
/// revive makes the offer layer, and the pass after it draws agents until it found the free ones:
/// O(agents) per revive, as Mesos offers every agent after a revive. Revives are throttled
/// (min_revive_offers_interval), so once they come at that rate the allocator's work per agent per
/// simulated hour stops growing with the agents; whatever the allocator did per pass or per launch
/// over every agent would show here as work per agent growing with them.
final class CrashLoopCostTests: XCTestCase {
    /// `agents` agents of 32 cpus, each running one instance of a 30-cpu app (so a free agent is the
    /// only place for a relaunch) that crashes 20 s after it started, back-off 1 s that does not grow.
    static func model(agents: Int, minutes: Int64, seed: UInt64 = 7) -> ClusterSimulation {
        var app = MarathonRuntimeTests.app("/billing/reporter", instances: agents, cpus: 30, mem: 512,
                                           version: MarathonVersion(1, 10, 5))
        app.ports = []
        app.backoff = BackoffStrategy(backoff: .seconds(1), factor: 1, maxLaunchDelay: .seconds(300))
        let behaviour = [AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .constant(20)), imageSizeBytes: 1)]
        var spec = ClusterSpec(name: "crashloop", seed: seed, duration: .minutes(minutes), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: agents, agentCpus: 32),
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                               marathon: MarathonSpec(version: MarathonVersion(1, 10, 5), apps: [app], behaviour: behaviour))
        spec.fidelity = FidelitySpec(healthChecks: .exact, offers: .fast)
        return ClusterSimulation(spec: spec, observer: MemoryObserver())
    }

    static func visits(_ w: AllocatorWork) -> Int { w.draws + w.dissolveVisits + w.declineRestVisits + w.refillVisits }

    /// The allocator's work in a crash loop at 60 and 240 agents (30 minutes, about one launch per agent
    /// every 26 s): the agents its passes visit (drawn, dissolved from a layer, declined in the rest of
    /// a pass, refilled) stay within twice the launches plus the agents once per revive, and the
    /// revives within one per min_revive_offers_interval (5 s): so the work is linear in agents x
    /// time. Work per pass over every agent (passes come with the launches) would break the bound.
    func testAllocatorWorkIsLaunchesPlusAgentsPerRevive() {
        for n in [60, 240] {
            let sim = Self.model(agents: n, minutes: 30)
            sim.run()
            let m = sim.mesos!, w = m.allocatorWork
            XCTAssertGreaterThan(m.layerRevives, 50, "revives made layers at \(n) agents")
            XCTAssertLessThanOrEqual(m.layerRevives, 30 * 60 / 5 + 1, "revives at \(n) agents")
            XCTAssertGreaterThan(w.dissolveVisits, 0, "layers were dissolved at \(n) agents")
            XCTAssertGreaterThan(m.offersAccepted, 40 * n, "launches at \(n) agents")
            let bound = 2 * (m.offersAccepted + m.layerRevives * n)
            XCTAssertLessThanOrEqual(Self.visits(w), bound, "allocator visits at \(n) agents: \(w), \(m.offersAccepted) launches, \(m.layerRevives) revives")
        }
    }

    /// `touchStamps` is `MesosAgent.touch` by agent index (the layer's draws and its dissolution read
    /// it instead of each agent): equal for every agent all through a crash loop that makes, draws
    /// from and dissolves layers.
    func testTouchStampsMirrorEveryAgent() {
        let sim = Self.model(agents: 24, minutes: 20)
        let m = sim.mesos!
        var checked = 0, mismatches: [String] = []
        _ = sim.run {
            guard sim.sim.eventsProcessed % 7 == 0 else { return false }
            checked += 1
            for a in m.agents where m.touchStamps[a.index] != a.touch && mismatches.count < 5 {
                mismatches.append("\(sim.sim.now) \(a.name): touch \(a.touch), stamp \(m.touchStamps[a.index])")
            }
            return false
        }
        XCTAssertGreaterThan(checked, 100)
        XCTAssertGreaterThan(m.layerRevives, 20)
        XCTAssertGreaterThan(m.allocatorWork.dissolveVisits, 0)
        XCTAssertEqual(mismatches, [])
    }

    /// What `offerOutlook` reads per offer (`launchNeeds`, `launchKey`) follows the definition and the
    /// config version: a deployment that changes the app's resources, ports or constraints or bumps its
    /// version changes what the next offer is matched on and which launch delay it waits for.
    func testLaunchNeedsFollowTheDefinition() {
        let demand = DemandTracker()
        let def = MarathonRuntimeTests.app("/web", instances: 2, cpus: 1)
        let a = MarathonAppState(index: 0, definition: def, behaviour: AppBehaviour(), demand: demand)
        XCTAssertEqual(a.launchNeeds.resources, def.resources)
        XCTAssertEqual(a.launchKey, LaunchDelayKey(appID: "/web", configVersion: 1))
        var changed = def
        changed.cpus = 3
        changed.ports = [AppPort(hostPort: 0)]
        changed.constraints = [PlacementConstraint(field: "hostname", operator: .unique, rules: .legacy)]
        a.definition = changed
        XCTAssertEqual(a.launchNeeds.resources, changed.resources)
        XCTAssertEqual(a.launchNeeds.ports, changed.launchPorts)
        XCTAssertTrue(a.launchNeeds.constrained)
        a.configVersion += 1
        XCTAssertEqual(a.launchKey, LaunchDelayKey(appID: "/web", configVersion: 2))
    }
}
