// `clustersim-bench sandbox AGENTS SEED`: the sandbox GC incident (scenarios/sandbox-gc.json) at
// scale. One crash-looping app with one instance per agent (30 of 32 CPUs) writes 2 MB/s to its
// sandboxes for 3 minutes, then exits (or is killed over its disk quota); Marathon relaunches it for 2 hours (back-off 1 s, factor 1, so
// the loop does not slow down: about 40 launches per agent). Baseline: the
// same crash loop without `mesos.agents.workDir` (no sandbox is modelled). Measured: with a 4 GB
// work_dir, the output to the sandbox and the disk/du quota on (MESOS containerizer, 300 MB disk: the output passes it at 150 s, before the 3 minutes),
// so every agent fills, prunes, and kills over quota (Mesos/MesosSandboxes.swift). Both at
// AGENTS/4 and AGENTS: `cpu_ratio_to_baseline` is what the sandboxes cost at that size,
// `per_agent_ratio` the CPU per agent at AGENTS over that at AGENTS/4 (1: linear, 4: quadratic),
// for the baseline too, so what the sandboxes add to it shows apart from the crash loop's own cost.

import ClusterModel
import Foundation
import Scenario
import SimKernel

func sandboxBenchText(agents: Int, seed: UInt64, sandboxes: Bool) -> String {
    let workDir = sandboxes
        ? #""workDir": {"capacity": "4GB", "used": "1GB"}, "flags": {"enforce_container_disk_quota": true, "isolation": "posix/cpu,posix/mem,disk/du"}"#
        : #""flags": {}"#
    let logs = sandboxes ? #", "logs": {"rate": "2MB/s", "to": "sandbox"}"# : ""
    return #"""
    {"name": "sandbox-bench", "seed": \#(seed), "duration": "2h",
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": \#(agents), "cpus": 32, "memory": "64GiB", "disk": "1TB"}],
     "mesos": {"agents": {\#(workDir)}},
     "marathon": {"apps": [{"id": "/billing/reporter", "instances": \#(agents), "cpus": 30, "mem": 512, "disk": 300,
                            "container": {"type": "MESOS"}, "portDefinitions": [], "backoffSeconds": 1, "backoffFactor": 1}],
                  "behaviour": {"/billing/reporter": {"startupTime": "5s", "timeToCrash": "3m"\#(logs)}}}}
    """#
}

func runSandboxBench(agents: Int, seed: UInt64) {
    guard agents >= 4 else { fail("sandbox: AGENTS must be >= 4") }
    var perAgent: [Double] = [], basePerAgent: [Double] = []
    for n in [agents / 4, agents] {
        var baseCPU = 0.0
        for sandboxes in [false, true] {
            let loaded: LoadedScenario
            do { loaded = try ScenarioLoader.load(text: sandboxBenchText(agents: n, seed: seed, sandboxes: sandboxes), baseDirectory: NSTemporaryDirectory()) }
            catch { fail("sandbox: \(error)") }
            let model = ClusterSimulation(spec: loaded.spec, observer: CountingObserver(hash: false))
            let t0 = monotonicSeconds(), c0 = processCPUSeconds()
            model.run()
            let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
            let events = Int(model.sim.eventsProcessed)
            if !sandboxes { baseCPU = cpu; basePerAgent.append(cpu / Double(n)) } else { perAgent.append(cpu / Double(n)) }
            var line = "name=sandbox_a\(n)_\(sandboxes ? "workdir" : "noworkdir") impl=swift_clustersim events=\(events)"
            line += " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs))"
            line += " agents=\(n)"
            if sandboxes { line += " cpu_ratio_to_baseline=\(NumberFormat.fixed(cpu / max(baseCPU, 1e-9), decimals: 3))" }
            if !sandboxes && basePerAgent.count == 2 {
                line += " per_agent_ratio=\(NumberFormat.fixed(basePerAgent[1] / max(basePerAgent[0], 1e-12), decimals: 3))"
            }
            if sandboxes && perAgent.count == 2 {
                line += " per_agent_ratio=\(NumberFormat.fixed(perAgent[1] / max(perAgent[0], 1e-12), decimals: 3))"
            }
            print(line)
        }
    }
}

// `clustersim-bench crashloop SEED AGENTS...`: the sandbox bench's baseline alone (the crash loop
// without work_dir: one app, one instance per agent, about 40 launches per agent in 2 h) at each
// size in turn, in one process. Prints the CPU per event and per agent, and per_agent_ratio: the
// CPU per agent at that size over that at the first size (1: linear in instances x time).
func runCrashLoopBench(seed: UInt64, sizes: [Int]) {
    guard !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 }) else { fail("crashloop: give one or more AGENTS >= 1") }
    var firstPerAgent: Double?
    for n in sizes {
        let loaded: LoadedScenario
        do { loaded = try ScenarioLoader.load(text: sandboxBenchText(agents: n, seed: seed, sandboxes: false), baseDirectory: NSTemporaryDirectory()) }
        catch { fail("crashloop: \(error)") }
        let model = ClusterSimulation(spec: loaded.spec, observer: CountingObserver(hash: false))
        let t0 = monotonicSeconds(), c0 = processCPUSeconds()
        model.run()
        let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
        let events = Int(model.sim.eventsProcessed)
        let perAgent = cpu / Double(n)
        if firstPerAgent == nil { firstPerAgent = perAgent }
        var line = "name=crashloop_a\(n) impl=swift_clustersim events=\(events)"
        line += " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs))"
        line += " agents=\(n) cpu_us_per_event=\(NumberFormat.fixed(cpu * 1e6 / Double(max(events, 1)), decimals: 3))"
        line += " cpu_ms_per_agent=\(NumberFormat.fixed(perAgent * 1e3, decimals: 3))"
        line += " per_agent_ratio=\(NumberFormat.fixed(perAgent / max(firstPerAgent!, 1e-12), decimals: 3))"
        if let m = model.mesos {
            // the allocator's work per accepted offer (a launch): constant when a pass costs O(1)
            let w = m.allocatorWork, acc = Double(max(m.offersAccepted, 1))
            line += " accepted=\(m.offersAccepted) passes=\(w.passes)"
            for (k, v) in [("draws", w.draws), ("dissolve", w.dissolveVisits), ("decline_rest", w.declineRestVisits), ("refill", w.refillVisits)] {
                line += " \(k)_per_accept=\(NumberFormat.fixed(Double(v) / acc, decimals: 2))"
            }
        }
        print(line)
    }
}
