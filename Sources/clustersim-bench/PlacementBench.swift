// `clustersim-bench placement AGENTS SEED`: Marathon's constraint placement at scale. Three apps of
// AGENTS instances each are deployed on AGENTS agents in 8 racks: one UNIQUE per hostname, one
// GROUP_BY rack_id, one MAX_PER rack_id (AGENTS/8 per rack, so the app just fits), 1 CPU a task on
// 32-CPU agents. Each size runs three times in this process: without constraints (`none`, the
// baseline), with them matched by the counts kept per app (`counts`, PlacementIndex.swift) and by
// Marathon's walk over the app's placed instances per offer (`list`, `placementIndexed` false: the
// model before the counts; the same simulation, checked by its event count and digest); `cpu_s` is
// the least of three runs (one for `list`). Both sizes,
// AGENTS/4 and AGENTS: `cpu_ratio_to_none` is what the constraints cost over the same deployment
// without them, `per_agent_ratio` the CPU per agent at AGENTS over that at AGENTS/4 (1: linear, 4:
// quadratic) (docs/benchmarks.md "Constraint placement").

import ClusterModel
import Foundation
import Scenario
import SimKernel

func placementBenchText(agents: Int, seed: UInt64, constraints: Bool) -> String {
    let racks = 8
    let perRack = (agents + racks - 1) / racks
    let sets = [#"[["hostname", "UNIQUE"]]"#, #"[["rack_id", "GROUP_BY"]]"#, #"[["rack_id", "MAX_PER", "\#(perRack)"]]"#]
    let apps = ["unique", "groupby", "maxper"].enumerated().map { i, name in
        #"{"id": "/\#(name)", "instances": \#(agents), "cpus": 1, "mem": 64, "container": {"type": "DOCKER", "docker": {"image": "r.test/\#(name):1", "network": "HOST"}}\#(constraints ? #", "constraints": \#(sets[i])"# : "")}"#
    }.joined(separator: ", ")
    let rackNames = (1...racks).map { "\"r\($0)\"" }.joined(separator: ", ")
    return #"""
    {"name": "placement-bench", "seed": \#(seed), "duration": "1h",
     "datacenters": [{"name": "dc01", "racks": [\#(rackNames)]}],
     "hostGroups": [{"name": "master", "count": 3, "racks": ["r1"], "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": \#(agents), "racks": [\#(rackNames)], "cpus": 32, "memory": "64GiB", "disk": "2TB"}],
     "zookeeper": {"servers": 3},
     "mesos": {"masters": {"count": 3}},
     "marathon": {"apps": [\#(apps)], "behaviour": {"default": {"startupTime": "1s", "image": {"size": "10MB"}}}}}
    """#
}

func runPlacementBench(agents: Int, seed: UInt64) {
    guard agents >= 32 else { fail("placement: AGENTS must be >= 32") }
    var perAgent: [String: [Double]] = [:]
    for n in [agents / 4, agents] {
        var noneCPU = 0.0
        var listed: (events: Int, digest: UInt64)?
        // CLUSTERSIM_BENCH_PLACEMENT=counts (or none, list; comma-separated): only those runs (profiling)
        let only = getenv("CLUSTERSIM_BENCH_PLACEMENT").map { String(cString: $0).split(separator: ",").map(String.init) }
        for variant in ["none", "list", "counts"] where only?.contains(variant) ?? true {
            // the least CPU of three runs (of one for the list's, whose cost is far above the noise): the
            // runs at AGENTS/4 take a few hundredths of a second, where a shared machine's noise is large
            var best: (secs: Double, cpu: Double, model: ClusterSimulation, digest: UInt64)?
            for _ in 0..<(variant == "list" ? 1 : 3) {
                let loaded: LoadedScenario
                do { loaded = try ScenarioLoader.load(text: placementBenchText(agents: n, seed: seed, constraints: variant != "none"), baseDirectory: NSTemporaryDirectory()) }
                catch { fail("placement: \(error)") }
                let observer = CountingObserver(hash: true)
                let model = ClusterSimulation(spec: loaded.spec, observer: observer)
                for m in model.marathon?.all ?? [] { m.placementIndexed = variant != "list" }
                let t0 = monotonicSeconds(), c0 = processCPUSeconds()
                model.run()
                let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
                if best == nil || cpu < best!.cpu { best = (secs, cpu, model, observer.digest) }
            }
            let (secs, cpu, model, digest) = best!
            let events = Int(model.sim.eventsProcessed)
            let running = model.mesos?.tasksRunning ?? 0
            if variant == "none" { noneCPU = cpu }
            if variant == "list" { listed = (events, digest) }
            if variant == "counts", let l = listed, l.events != events || l.digest != digest {
                fail("placement: the counts' run differs from the list's (\(events) vs \(l.events) events)")
            }
            perAgent[variant, default: []].append(cpu / Double(n))
            var line = "name=placement_a\(n)_\(variant) impl=swift_clustersim events=\(events)"
            line += " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs))"
            line += " checksum=\(running) agents=\(n) tasks=\(3 * n) offers=\(model.mesos?.offersMade ?? 0)"
            if variant != "none" { line += " cpu_ratio_to_none=\(NumberFormat.fixed(cpu / max(noneCPU, 1e-9), decimals: 3))" }
            if let p = perAgent[variant], p.count == 2 {
                line += " per_agent_ratio=\(NumberFormat.fixed(p[1] / max(p[0], 1e-12), decimals: 3))"
            }
            print(line)
        }
    }
}
