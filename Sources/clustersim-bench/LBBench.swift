// `clustersim-bench lb APPS HOURS SEED` (issue 12): APPS Marathon apps behind marathon-lb under
// fluid traffic, scaled by marathon-lb-autoscale, for HOURS simulated hours, on the benchmark
// platform (`platformSpec`, 100 agents) with two lb hosts. Each app (2 instances at first,
// HAPROXY_GROUP external, service port 10001 + i) is called through marathon-lb's frontend with a
// diurnal profile (60 req/s at night, peaks of 900 at 9h and 1200 at 19h, repeating daily, as
// scenarios/autoscale-diurnal.json); the autoscaler on master-01 polls both HAProxy instances and
// watches every frontend at --target-rps 100. The same runs at APPS/10 and 3·APPS/10 apps first;
// the last line fits the exponent of wall time, CPU time and events against apps (1: linear). CPU
// time (the process's, CLOCK_PROCESS_CPUTIME_ID) is printed too: on a shared machine wall time
// measures the neighbours as well.

import ClusterModel
import Glibc
import SimKernel

/// Apps `indices` behind marathon-lb on two "lb" hosts (HAPROXY_GROUP external, service port
/// 10001 + index), called through its frontend with fluid traffic following the daily profile
/// `day` (hour, req/s), processor sharing, 5 ms mean service time. Returns the frontends.
func exposeThroughMarathonLB(_ spec: inout ClusterSpec, apps indices: [Int], day: [(Int64, Double)], timeout: SimDuration) -> [String] {
    spec.hostGroups.append(HostGroupSpec(name: "lb", count: 2, datacenter: "dc01", racks: Array(spec.datacenters[0].racks.prefix(2)), cpus: 8,
                                         memoryBytes: 16 << 30, diskBytes: 200 << 30, nicBitsPerSecond: 10_000_000_000))
    guard var m = spec.marathon else { return [] }
    var frontends: [String] = []
    for i in indices {
        m.apps[i].ports = [AppPort(hostPort: 0, servicePort: 10_001 + i)]
        m.apps[i].labels.append(Label(name: "HAPROXY_GROUP", value: "external"))
        frontends.append(AutoscaleSpec.currentKey(ofMarathonID: m.apps[i].id) + "_\(10_001 + i)")
    }
    spec.marathon = m
    spec.marathonLB = MarathonLBSpec(instances: [MarathonLBInstanceSpec(hosts: ["lb-01", "lb-02"], hostGroup: "lb", group: "external")])
    let profile = RateProfile(points: day.map { .init(at: .hours($0.0), rate: $0.1) }, period: .hours(24))
    spec.traffic = TrafficSpec(mode: .fluid, tick: .seconds(1), services: zip(indices, frontends).map { i, f in
        TrafficService(name: f, app: m.apps[i].id, entry: .marathonLB(frontend: f, instance: nil),
                       arrivals: ArrivalProcess(profile: profile, poisson: true), serviceTime: .exponential(mean: 0.005),
                       discipline: .processorSharing, timeout: timeout)
    })
    return frontends
}

func lbSpec(apps: Int, hours: Int, seed: UInt64) -> ClusterSpec {
    var spec = platformSpec(agents: 100, apps: apps, perApp: 2, hours: hours, seed: seed)
    spec.sampleInterval = .minutes(5)
    let day: [(Int64, Double)] = [(0, 60), (6, 80), (9, 900), (12, 600), (14, 500), (19, 1200), (22, 300)]
    let frontends = exposeThroughMarathonLB(&spec, apps: Array(0..<apps), day: day, timeout: .seconds(10))
    var a = AutoscaleSpec()
    a.targetRPS = 100
    a.apps = frontends
    a.haproxyHosts = ["lb-01", "lb-02"]
    a.marathon = "http://master-01:8080"
    a.host = "master-01"
    spec.autoscale = a
    return spec
}

/// Formats every table row at each sample as `clustersim run` does (into a sink that drops the
/// text instead of writing a file), so the subsystems close their sample windows and drain their
/// rows as in a real run; a counting observer alone would let them grow for the whole week.
final class TableFormattingObserver: RunObserver {
    final class NullSink: TableSink {
        var fields = 0
        func field(_ s: String) { fields += 1 }
        func field(_ i: Int) { fields += 1 }
        func field(_ x: Double, decimals: Int) { fields += 1 }
        func field(_ t: SimTime) { fields += 1 }
        func endRow() {}
    }
    let sink = NullSink()
    var logged = 0
    func record(_ event: LoggedEvent) { logged += 1 }
    func sample(_ model: ClusterSimulation, at time: SimTime) {
        for (s, entry) in zip(model.subsystems, model.subsystemEntries) {
            for t in entry.outputs.tables where t.applies(s) { t.write(s, time, sink) }
        }
    }
}

func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func runLB(apps: Int, hours: Int, seed: UInt64) {
    guard apps >= 10, hours >= 1 else { fail("lb: APPS >= 10 and HOURS >= 1") }
    var points: [(apps: Double, seconds: Double, events: Double, cpu: Double)] = []
    for n in [apps / 10, apps * 3 / 10, apps] {
        let spec = lbSpec(apps: n, hours: hours, seed: seed)
        let model = ClusterSimulation(spec: spec, observer: TableFormattingObserver())
        // as `clustersim run` without --haproxy-config-at: no configuration history kept
        model.subsystem(MarathonLB.self)?.keepHistory(textsAt: [])
        let t0 = monotonicSeconds(), c0 = processCPUSeconds()
        model.run()
        let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
        let events = Double(model.sim.eventsProcessed)
        let lb = model.subsystem(MarathonLB.self)
        let scaler = model.subsystem(Autoscaler.self)
        let running = model.mesos?.tasksRunning ?? 0
        points.append((Double(n), secs, events, cpu))
        let perHour = Int64((events / Double(hours)).rounded())
        let lbPart = "marathonlb_events=\(lb?.eventsHandled ?? 0) regenerations=\(lb?.totalRegenerations ?? 0) reloads=\(lb?.totalReloads ?? 0)"
        let scalePart = "autoscale_puts=\(scaler?.scales ?? 0) tasks_running_at_end=\(running)"
        let head = "name=lb_a\(n)_h\(hours) impl=swift_clustersim apps=\(n) sim_hours=\(hours)"
        let timing = "seconds=\(NumberFormat.fixed(secs, decimals: 3)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events=\(Int(events)) events_per_s=\(rate(Int(events), secs)) events_per_sim_hour=\(perHour)"
        print([head, timing, lbPart, scalePart, "peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1))"].joined(separator: " "))
        fflush(stdout)
    }
    // least-squares slope of log(y) against log(apps)
    func exponent(_ y: (Double, Double, Double, Double) -> Double) -> Double {
        let xs: [Double] = points.map { log($0.apps) }
        let ys: [Double] = points.map { log(y($0.apps, $0.seconds, $0.events, $0.cpu)) }
        let mx: Double = xs.reduce(0, +) / Double(xs.count)
        let my: Double = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, v) in zip(xs, ys) { sxy += (x - mx) * (v - my); sxx += (x - mx) * (x - mx) }
        return sxx > 0 ? sxy / sxx : 0
    }
    let last = points[points.count - 1], first = points[0]
    print("name=lb_scaling_h\(hours) impl=swift_clustersim apps=\(points.map { String(Int($0.apps)) }.joined(separator: ","))"
          + " events_per_s=\(rate(Int(last.events), last.seconds))"
          + " exponent_seconds=\(NumberFormat.fixed(exponent { _, s, _, _ in s }, decimals: 3))"
          + " exponent_cpu=\(NumberFormat.fixed(exponent { _, _, _, c in c }, decimals: 3))"
          + " exponent_events=\(NumberFormat.fixed(exponent { _, _, e, _ in e }, decimals: 3))"
          + " ratio_seconds=\(NumberFormat.fixed(last.seconds / max(first.seconds, 1e-9), decimals: 2))"
          + " ratio_apps=\(NumberFormat.fixed(last.apps / first.apps, decimals: 1))")
}
