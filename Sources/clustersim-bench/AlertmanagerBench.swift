// `clustersim-bench alertmanager ALERTS HOURS SEED`: an Alertmanager HA pair receiving ALERTS firing
// alerts in ALERTS/10 groups, posted to both instances every 15 s as Prometheus' notifier does, for
// HOURS; the second instance reboots every hour and crashes (back after a minute) every three, so
// the notification log's snapshots (every --data.maintenance-interval and at shutdown), their loads
// and the log's garbage collection all run (docs/alertmanager.md). Each size runs twice: with the
// default 15m maintenance interval and, as the baseline, with one of 10,000 h (no tick ever passes:
// no snapshot, no collection), so `cpu_ratio_to_baseline` is what the lazy maintenance costs. The
// pair runs again at a quarter of the alerts: `per_alert_ratio` near 1 is linear.

import ClusterModel
import SimKernel

/// Posts the same alerts to every instance that accepts, every 15 s (no event per alert).
final class BenchAlertPoster: EventHandler {
    let am: AlertmanagerCluster
    let alerts: [AlertPayload]
    var target: Int32 = -1
    init(_ am: AlertmanagerCluster, _ alerts: [AlertPayload]) { self.am = am; self.alerts = alerts }
    func handle(_ event: Event, in sim: Simulation) {
        for e in am.alertmanagerEndpoints() where am.accepts(host: e.host) { am.receive(alerts, on: e.host, now: sim.now) }
        _ = sim.schedule(after: .seconds(15), target: target, kind: 1)
    }
}

func alertmanagerBenchModel(alerts: Int, hours: Int, maintenance: SimDuration, seed: UInt64) -> (ClusterSimulation, AlertmanagerCluster) {
    let group = HostGroupSpec(name: "mon", count: 2, datacenter: "dc01", racks: ["r1"], cpus: 8, memoryBytes: 32 << 30,
                              diskBytes: 500_000_000_000, nicBitsPerSecond: 10_000_000_000)
    var faults: [FaultSpec] = []
    for h in 0..<hours {
        let at = SimDuration.hours(Int64(h)) + .minutes(30)
        faults.append(h % 3 == 2 ? FaultSpec(at: at, kind: .hostCrash, target: .host("mon-02"), recoverAfter: .minutes(1))
                                 : FaultSpec(at: at, kind: .hostReboot, target: .host("mon-02"), downFor: .minutes(1)))
    }
    var spec = ClusterSpec(name: "alertmanager-bench", seed: seed, duration: .hours(Int64(hours)), sampleInterval: .minutes(1),
                           hostGroups: [group], faults: faults)
    let route = AlertmanagerRoute(receiver: "hook", groupBy: ["job"])
    let hook = AlertmanagerReceiver(name: "hook", integrations: [AlertmanagerIntegration(type: "webhook", index: 0, sendResolved: true)])
    var am = AlertmanagerSpec(hosts: ["mon-01", "mon-02"], config: AlertmanagerConfig(route: route, receivers: [hook]))
    am.maintenanceInterval = maintenance
    spec.alertmanager = am
    let model = ClusterSimulation(spec: spec, observer: CountingObserver(hash: false))
    let cluster = model.subsystem(AlertmanagerCluster.self)!
    let clock = PromTime(baseMs: PromTime.defaultBaseMs)
    let payloads = (0..<alerts).map { i in
        AlertPayload(labels: LabelSet(["alertname": "HighLoad", "job": "j\(i % max(1, alerts / 10))", "instance": "i\(i)"]), annotations: LabelSet(),
                     startsAt: clock.ms(.zero), endsAt: clock.ms(SimTime.zero + .hours(Int64(hours) + 1)))
    }
    let poster = BenchAlertPoster(cluster, payloads)
    poster.target = model.sim.register(poster)
    _ = model.sim.schedule(at: .zero, target: poster.target, kind: 1)
    return (model, cluster)
}

func runAlertmanagerBench(alerts: Int, hours: Int, seed: UInt64) {
    guard alerts >= 40, hours >= 1 else { fail("alertmanager: ALERTS must be >= 40, HOURS >= 1") }
    var perAlertCPU: [Double] = []
    for n in [alerts / 4, alerts] {
        var baseCPU = 0.0
        for maintenance in [SimDuration.hours(10_000), .minutes(15)] {
            let (model, am) = alertmanagerBenchModel(alerts: n, hours: hours, maintenance: maintenance, seed: seed)
            let t0 = monotonicSeconds(), c0 = processCPUSeconds()
            model.run()
            let secs = monotonicSeconds() - t0, cpu = processCPUSeconds() - c0
            let events = Int(model.sim.eventsProcessed)
            let baseline = maintenance > .hours(1)
            if baseline { baseCPU = cpu } else { perAlertCPU.append(cpu / Double(n)) }
            print("name=alertmanager_n\(n)_\(baseline ? "nomaintenance" : "maintenance15m") impl=swift_clustersim events=\(events)"
                + " seconds=\(NumberFormat.fixed(secs, decimals: 6)) cpu_s=\(NumberFormat.fixed(cpu, decimals: 3)) events_per_s=\(rate(events, secs))"
                + " checksum=\(am.sent) sim_hours=\(hours) alerts=\(n) notifications=\(am.sent)"
                + (baseline ? "" : " cpu_ratio_to_baseline=\(NumberFormat.fixed(cpu / max(baseCPU, 1e-9), decimals: 3))")
                + (!baseline && perAlertCPU.count == 2 ? " per_alert_ratio=\(NumberFormat.fixed(perAlertCPU[1] / max(perAlertCPU[0], 1e-12), decimals: 3))" : ""))
        }
    }
}
