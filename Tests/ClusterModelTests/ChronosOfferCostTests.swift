import CGSL
import Glibc
import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 14, seventh step: what an idle Chronos costs the allocator's fast pass with Marathon registered
/// (fidelity.offers `fast`, `MesosCluster.allocateFastShared`). Chronos declines every agent with its
/// 5 s filter (Mesos' default: it passes no Filters) and never suppresses; Marathon 1.10 suppresses
/// while it has nothing to launch and revives for each relaunch. An agent that every active framework
/// filters has nothing to be offered to: a pass should leave it out until a filter on it expires or
/// its resources change (both make it a candidate again). Before this step each of Chronos' declines
/// made the agent a candidate again, and the next pass visited it only to drop it: two visits per
/// agent every 5 s, and Chronos was asked about each agent.
final class ChronosOfferCostTests: XCTestCase {
    /// 12 agents of 4 cpus for `hours`: Marathon 1.10 runs 20 instances of 1 cpu and 6 crashing ones
    /// (mean life 10 min: a revive per relaunch), Chronos 2.x one job due only after the run (idle:
    /// it declines every offer).
    func model(hours: Int64, seed: UInt64) -> ClusterSimulation {
        let web = MarathonRuntimeTests.app("/web", instances: 20, cpus: 1)
        let crashy = MarathonRuntimeTests.app("/crashy", instances: 6, cpus: 0.5)
        let behaviour = [AppBehaviour(task: TaskBehaviour(startup: .constant(5)), imageSizeBytes: 1),
                         AppBehaviour(task: TaskBehaviour(startup: .constant(5), timeToCrash: .exponential(mean: 600)), imageSizeBytes: 1)]
        var spec = ClusterSpec(name: "t", seed: seed, duration: .hours(hours), sampleInterval: .minutes(1),
                               hostGroups: MarathonRuntimeTests.hostGroups(agents: 12, agentCpus: 4),
                               zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                               marathon: MarathonSpec(version: MarathonVersion(1, 10, 5), apps: [web, crashy], behaviour: behaviour))
        spec.fidelity = FidelitySpec(healthChecks: .exact, offers: .fast)
        var c = ChronosSpec()
        c.hosts = ["master-01", "master-02"]
        var period = ChronosSchedule.Period()
        period.days = 1
        c.jobs = [ChronosJob(name: "later", schedule: ChronosSchedule(recurrences: -1, startMs: ChronosSpec.defaultStartMs + 20 * 3_600_000,
                                                                      period: period))]
        spec.chronos = c
        return ClusterSimulation(spec: spec, observer: MemoryObserver())
    }

    /// Whether `f` has an unexpired filter on `a` refusing at least its free resources (`MesosCluster
    /// .filtered` without its side effect of dropping an expired filter, which would change the run).
    func parks(_ m: MesosCluster, _ f: FrameworkState, _ a: MesosAgent) -> Bool {
        guard f.filters.isSet(a.index), let flt = f.filters[a.index], flt.expires > m.model.sim.now else { return false }
        let free = a.free
        guard free.cpus <= flt.refused.cpus, free.memMB <= flt.refused.memMB, free.diskMB <= flt.refused.diskMB else { return false }
        return free.ports.ranges.allSatisfy { r in flt.refused.ports.contains(r.lowerBound) && flt.refused.ports.contains(r.upperBound) }
    }

    /// How many draws take `from` (a copy of the generator taken earlier) to `to`'s state, if at most `atMost`.
    func draws(_ from: UnsafeMutablePointer<gsl_rng>, until to: UnsafeMutablePointer<gsl_rng>, atMost: Int) -> Int? {
        for n in 0...atMost {
            if memcmp(gsl_rng_state(from), gsl_rng_state(to), gsl_rng_size(to)) == 0 { return n }
            _ = gsl_rng_get(from)
        }
        return nil
    }

    /// Every 5th event of the run an extra allocation pass is made (as `allocateAll` makes one after a
    /// revive); right after it hardly any candidate agent is filtered by every active framework (with
    /// Marathon suppressed, by Chronos alone: the pass dropped them and Chronos' decline did not bring
    /// them back), and idle Chronos was asked at most once per pass (`ChronosScheduler.offersDeclined`
    /// counts its answers), however many agents it declined; with Chronos the only active framework the
    /// pass is the one-framework pass (a draw or two, not one per agent). The run exercises both passes: the
    /// agents were declined all along, Marathon was active beside Chronos at some passes and
    /// relaunched its crashing instances.
    func testAPassLeavesNoCandidateThatEveryActiveFrameworkFilters() {
        for seed: UInt64 in [1, 2, 3] {
            let sim = model(hours: 1, seed: seed)
            let m = sim.mesos!
            var parked = 0, asked = 0, passes = 0, sharedPasses = 0, chronosOnly = 0, drawnPerAgent = 0
            _ = sim.run {
                guard m.leaderReady, sim.sim.eventsProcessed % 5 == 0 else { return false }
                let active = m.frameworks.filter { $0.registered && !$0.suppressed }
                guard !active.isEmpty, let chronos = sim.subsystem(ChronosScheduler.self), chronos.leaderReady else { return false }
                let before = chronos.offersDeclined, declinedBefore = m.offersDeclined
                let rng = gsl_rng_clone(m.allocatorStream.gsl)!
                defer { gsl_rng_free(rng) }
                m.allocate(m.candidates, withLayer: true)
                if active.count == 1 && m.offersDeclined - declinedBefore >= 3 {
                    // Chronos alone declined: one draw, then the rest in list order (a shuffle would draw per agent).
                    chronosOnly += 1
                    if self.draws(rng, until: m.allocatorStream.gsl, atMost: 2) == nil { drawnPerAgent += 1 }
                }
                passes += 1
                if active.count > 1 { sharedPasses += 1 }
                asked = max(asked, chronos.offersDeclined - before)
                for ai in m.candidates where active.allSatisfy({ self.parks(m, $0, m.agents[ai]) }) { parked += 1 }
                return false
            }
            // Not always 0: what a framework handles during the pass (Marathon's messages flushed before the
            // offer it is handed) may make an agent a candidate by another path (about once in 1,500 passes).
            XCTAssertLessThanOrEqual(parked, passes / 200, "seed \(seed): candidates every active framework filters, summed over \(passes) passes")
            // (more than two when the first agents drawn are skipped: filtered, made candidates by another path)
            XCTAssertLessThanOrEqual(drawnPerAgent, chronosOnly / 20, "seed \(seed): passes of Chronos alone that drew more than twice, of \(chronosOnly)")
            XCTAssertGreaterThan(chronosOnly, 20, "seed \(seed): passes in which Chronos alone declined agents")
            XCTAssertLessThanOrEqual(asked, 1, "seed \(seed): idle Chronos asked more than once in a pass")
            XCTAssertGreaterThan(m.metrics().offersDeclined, 12 * 3600 / 6, "seed \(seed): the agents were declined about every 5 s")
            XCTAssertGreaterThan(sharedPasses, 20, "seed \(seed): Marathon was active beside Chronos at some passes")
            XCTAssertGreaterThan(sim.marathon!.apps[sim.marathon!.appIndex["/crashy"]!].launchedTotal, 6 + 3, "seed \(seed): relaunches")
        }
    }
}
