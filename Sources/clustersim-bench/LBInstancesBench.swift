// `clustersim-bench lb-instances SMALL LARGE HOURS SEED`: the lb benchmark's platform (`lbSpec`,
// 10 apps behind marathon-lb, fluid diurnal traffic, marathon-lb-autoscale) with SMALL and then
// LARGE marathon-lb instances (one per host of the "lb" group, all of HAPROXY_GROUP external), in
// the same process. Every instance reloads at each change of the apps' tasks, so a round of
// reloads is one per instance; the last line is the cost per instance (CPU seconds / instances)
// at LARGE as a ratio to SMALL: about 1 (or less: the platform's fixed part is shared) when a
// round costs linearly in the instances, LARGE / SMALL when it costs their square
// (docs/benchmarks.md, "marathon-lb instances").

import ClusterModel
import Glibc
import SimKernel

func lbInstancesSpec(instances n: Int, hours: Int, seed: UInt64) -> ClusterSpec {
    var spec = lbSpec(apps: 10, hours: hours, seed: seed)
    guard let g = spec.hostGroups.lastIndex(where: { $0.name == "lb" }) else { return spec }
    spec.hostGroups[g].count = n
    let names = (0..<n).map { spec.hostGroups[g].hostName($0) }
    spec.marathonLB?.instances = [MarathonLBInstanceSpec(hosts: names, hostGroup: "lb", group: "external")]
    return spec
}

func runLBInstances(small: Int, large: Int, hours: Int, seed: UInt64) {
    guard small >= 1, large > small, hours >= 1 else { fail("lb-instances: 1 <= SMALL < LARGE and HOURS >= 1") }
    var perInstance: [Double] = [], lastRate = ""
    for n in [small, large] {
        let model = ClusterSimulation(spec: lbInstancesSpec(instances: n, hours: hours, seed: seed), observer: TableFormattingObserver())
        model.subsystem(MarathonLB.self)?.keepHistory(textsAt: [])
        let t0 = monotonicSeconds(), c0 = processCPUSeconds()
        model.run()
        let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
        let events = Int(model.sim.eventsProcessed)
        let reloads = model.subsystem(MarathonLB.self)?.totalReloads ?? 0
        perInstance.append(cpu / Double(n)); lastRate = rate(events, secs)
        print("name=lb_instances_n\(n)_h\(hours) impl=swift_clustersim instances=\(n) sim_hours=\(hours)"
              + " seconds=\(NumberFormat.fixed(secs, decimals: 3)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events=\(events)"
              + " events_per_s=\(rate(events, secs)) reloads=\(reloads) peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1))")
        fflush(stdout)
    }
    print("name=lb_instances_ratio_h\(hours) impl=swift_clustersim instances=\(small),\(large) events_per_s=\(lastRate)"
          + " cpu_per_instance_ratio=\(NumberFormat.fixed(perInstance[1] / max(perInstance[0], 1e-9), decimals: 2))"
          + " linear=1 quadratic=\(NumberFormat.fixed(Double(large) / Double(small), decimals: 1))")
}
