// `clustersim-bench pulls AGENTS SEED`: a mass deploy. Four apps with distinct 500 MB images and
// AGENTS instances each (7.5 CPUs: four tasks fill an agent) are launched on AGENTS agents with
// 1 Gbit/s NICs, so about as many downloads as agents run at once as Marathon launches
// (MesosPulls.swift). Baseline: the downloads share each host's NIC only (one small component per
// host). Measured: the same with `mesos.registry.capacity` 10 Gbit/s, which binds from about a
// dozen downloads at once, so the downloads of every host share one level and each start or end
// moves it. Both run at AGENTS/4 and AGENTS: `per_agent_ratio` is the CPU per agent at AGENTS over
// that at AGENTS/4 (1: linear, 4: quadratic); `cpu_ratio_to_baseline` what the shared registry
// costs at that size (the runs differ in more than the sharing: pulls take longer, so the platform
// works longer with tasks staging).

import ClusterModel
import Foundation
import Scenario
import SimKernel

func pullsBenchText(agents: Int, seed: UInt64, capacity: Bool) -> String {
    let apps = (1...4).map { i in
        #"{"id": "/a\#(i)", "instances": \#(agents), "cpus": 7.5, "mem": 32, "container": {"type": "DOCKER", "docker": {"image": "r.test/a\#(i):1", "network": "HOST"}}}"#
    }.joined(separator: ", ")
    return #"""
    {"name": "pulls-bench", "seed": \#(seed), "duration": "2h",
     "datacenters": [{"name": "dc01", "racks": ["r1"]}],
     "hostGroups": [{"name": "master", "count": 3, "racks": ["r1"], "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": \#(agents), "racks": ["r1"], "cpus": 32, "memory": "64GiB", "disk": "2TB", "nic": "1Gbit"}],
     "zookeeper": {"servers": 3},
     "mesos": {"masters": {"count": 3}, "agents": {"flags": {"executor_registration_timeout": "2h"}},
               "registry": {"bandwidth": "100MB/s"\#(capacity ? #", "capacity": "10Gbit/s""# : "")}},
     "marathon": {"flags": {"max_instances_per_offer": 10}, "apps": [\#(apps)],
                  "behaviour": {"default": {"startupTime": "1s", "image": {"size": "500MB"}}}}}
    """#
}

func runPullsBench(agents: Int, seed: UInt64) {
    guard agents >= 8 else { fail("pulls: AGENTS must be >= 8") }
    var perAgent: [Double] = []
    for n in [agents / 4, agents] {
        var baseCPU = 0.0
        for capacity in [false, true] {
            let loaded: LoadedScenario
            do { loaded = try ScenarioLoader.load(text: pullsBenchText(agents: n, seed: seed, capacity: capacity), baseDirectory: NSTemporaryDirectory()) }
            catch { fail("pulls: \(error)") }
            let observer = CountingObserver(hash: false)
            let model = ClusterSimulation(spec: loaded.spec, observer: observer)
            let t0 = monotonicSeconds(), c0 = processCPUSeconds()
            model.run()
            let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
            let events = Int(model.sim.eventsProcessed)
            let running = model.mesos?.tasksRunning ?? 0
            if !capacity { baseCPU = cpu } else { perAgent.append(cpu / Double(n)) }
            var line = "name=pulls_a\(n)_\(capacity ? "registrycapacity" : "niconly") impl=swift_clustersim events=\(events)"
            line += " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs))"
            line += " checksum=\(running) agents=\(n) tasks=\(4 * n)"
            if capacity { line += " cpu_ratio_to_baseline=\(NumberFormat.fixed(cpu / max(baseCPU, 1e-9), decimals: 3))" }
            if capacity && perAgent.count == 2 {
                line += " per_agent_ratio=\(NumberFormat.fixed(perAgent[1] / max(perAgent[0], 1e-12), decimals: 3))"
            }
            print(line)
        }
    }
}
