// The traffic benchmark (issue 10): SERVICES Marathon apps of 10 instances each on the benchmark
// platform (`platformSpec`, 100 agents at least), each called by users at RPS requests per second
// (Poisson) through direct clients, for HOURS simulated hours, in MODE "fluid" or "request".
// The same platform without traffic runs first in the same process: the result line gives both
// wall times and their ratio.
//
//   clustersim-bench traffic SERVICES RPS HOURS MODE SEED

import Glibc
import SimKernel
import ClusterModel

func trafficSpec(services: Int, rps: Int, hours: Int, mode: TrafficSpec.Mode, seed: UInt64) -> ClusterSpec {
    var spec = platformSpec(agents: max(100, services), apps: services, perApp: 10, hours: hours, seed: seed)
    spec.traffic = TrafficSpec(mode: mode, tick: .seconds(1), services: spec.marathon!.apps.map { app in
        TrafficService(name: String(app.id.split(separator: "/").last!), app: app.id, entry: .direct,
                       arrivals: .poisson(Double(rps)), serviceTime: .exponential(mean: 0.005),
                       discipline: .fifo(concurrency: 64), timeout: .seconds(10))
    })
    return spec
}

func runTraffic(services: Int, rps: Int, hours: Int, mode: String, seed: UInt64) {
    guard services >= 1, hours >= 1, let m = TrafficSpec.Mode(rawValue: mode) else { fail("traffic: SERVICES and HOURS >= 1, MODE fluid or request") }
    let withTraffic = trafficSpec(services: services, rps: rps, hours: hours, mode: m, seed: seed)
    var baseline = withTraffic
    baseline.traffic = nil
    func timed(_ spec: ClusterSpec) -> (seconds: Double, events: UInt64, model: ClusterSimulation) {
        let model = ClusterSimulation(spec: spec, observer: CountingObserver(hash: false))
        let t0 = monotonicSeconds()
        model.run()
        return (monotonicSeconds() - t0, model.sim.eventsProcessed, model)
    }
    let base = timed(baseline)
    let run = timed(withTraffic)
    let figures = run.model.subsystems.first { $0.name == "traffic" }?.headline() ?? []
    func figure(_ k: String) -> String {
        switch figures.first(where: { $0.key == k })?.value {
        case .int(let i)?: return String(i)
        case .number(let x, let d)?: return NumberFormat.fixed(x, decimals: d)
        default: return "none"
        }
    }
    print("name=traffic_\(mode)_s\(services)_r\(rps)_h\(hours) impl=swift_clustersim"
          + " seconds=\(NumberFormat.fixed(run.seconds, decimals: 3)) baseline_seconds=\(NumberFormat.fixed(base.seconds, decimals: 3))"
          + " ratio=\(NumberFormat.fixed(run.seconds / max(base.seconds, 1e-9), decimals: 2))"
          + " events=\(run.events) events_per_s=\(rate(Int(run.events), run.seconds)) baseline_events=\(base.events)"
          + " requests=\(figure("requests_total")) failed=\(figure("requests_failed")) p99_ms=\(figure("latency_p99_ms"))"
          + " signals=\(run.model.signals.published.reduce(0, +) - run.model.signals.published[SignalTopic.containerExits.rawValue])"
          + " peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1))")
}
