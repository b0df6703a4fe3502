// `clustersim-bench consul AGENTS SERVICES HOURS SEED`: the benchmark platform (main.swift
// `platformSpec`) with SERVICES Marathon instances (100 per app), once without Consul (the
// baseline) and once with Consul: 3 servers on the masters, an agent on every agent host, and
// every instance registered with an HTTP check every 10 s and a TTL check (docs/consul.md). The
// same pair runs again at a tenth of the agents and services, so the line shows how Consul's cost
// grows with agents. Prints, per run: engine events, events per simulated hour, Consul's own
// events per simulated hour, wall seconds, and the ratio of the Consul run to its baseline.

import ClusterModel
import Glibc
import SimKernel

func consulSpec(agents: Int, services: Int, hours: Int, seed: UInt64, withConsul: Bool) -> ClusterSpec {
    let perApp = min(100, max(1, services))
    let apps = max(1, services / perApp)
    var spec = platformSpec(agents: agents, apps: apps, perApp: perApp, hours: hours, seed: seed)
    spec.sampleInterval = .minutes(1)
    guard withConsul else { return spec }
    let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(30))
    addConsul(to: &spec, checks: [benchHTTPCheck, ttl])
    return spec
}

/// The HTTP check of every benchmark service: every 10 s, timeout 2 s.
let benchHTTPCheck = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), timeout: .seconds(2))

/// Consul on the benchmark platform: 3 servers on the masters, an agent on every Mesos agent host
/// (and on `extraAgentGroups`), every Marathon app registered as a service named after its id
/// with `checks` (as registrator does for a Marathon task).
func addConsul(to spec: inout ClusterSpec, checks: [ConsulCheckDefinition], extraAgentGroups: [String] = []) {
    guard let m = spec.marathon else { return }
    let defs = m.apps.map { a in (appId: a.id, definitions: [ConsulServiceDefinition(name: ConsulCluster.serviceName(ofApp: a.id), checks: checks)]) }
    spec.consul = ConsulSpec(servers: 3, hostGroup: "master", agentHostGroups: extraAgentGroups.isEmpty ? nil : ["slave"] + extraAgentGroups,
                             services: defs)
}

struct ConsulBenchRun {
    var events: Int
    var consulEvents: Int
    var seconds: Double
}

func runConsulOnce(agents: Int, services: Int, hours: Int, seed: UInt64, withConsul: Bool) -> ConsulBenchRun {
    let model = ClusterSimulation(spec: consulSpec(agents: agents, services: services, hours: hours, seed: seed, withConsul: withConsul),
                                  observer: CountingObserver(hash: false))
    let t0 = monotonicSeconds()
    model.run()
    let secs = monotonicSeconds() - t0
    let consul = model.subsystem(ConsulCluster.self)
    return ConsulBenchRun(events: Int(model.sim.eventsProcessed), consulEvents: consul?.eventsHandled ?? 0, seconds: secs)
}

func runConsul(agents: Int, services: Int, hours: Int, seed: UInt64) {
    guard agents >= 10, services >= 10, hours >= 1 else { fail("consul: AGENTS and SERVICES must be >= 10, HOURS >= 1") }
    for scale in [10, 1] {
        let a = agents / scale, s = services / scale
        let base = runConsulOnce(agents: a, services: s, hours: hours, seed: seed, withConsul: false)
        let with = runConsulOnce(agents: a, services: s, hours: hours, seed: seed, withConsul: true)
        let h = Double(hours)
        print("name=consul_a\(a)_s\(s) impl=swift_clustersim sim_hours=\(hours)"
              + " events=\(with.events) events_per_sim_hour=\(Int64((Double(with.events) / h).rounded()))"
              + " consul_events=\(with.consulEvents) consul_events_per_sim_hour=\(Int64((Double(with.consulEvents) / h).rounded()))"
              + " seconds=\(NumberFormat.fixed(with.seconds, decimals: 3))"
              + " baseline_events=\(base.events) baseline_seconds=\(NumberFormat.fixed(base.seconds, decimals: 3))"
              + " ratio_events=\(NumberFormat.fixed(Double(with.events) / Double(max(1, base.events)), decimals: 4))"
              + " ratio_seconds=\(NumberFormat.fixed(with.seconds / max(1e-9, base.seconds), decimals: 3))"
              + " peak_rss_mb=\(NumberFormat.fixed(peakRSSMiB(), decimals: 1))")
    }
}
