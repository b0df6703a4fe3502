// The exporters' cost (issue 11): one agent running CONTAINERS instances of one app (loop-lvm
// storage, each writing its log into its writable layer; direct traffic at 50 requests/s), run for
// 10 simulated minutes; then every endpoint of that host (cAdvisor, node, mesos-agent and each
// app's /metrics) is collected ITERATIONS times with every family wanted, and again with nothing
// wanted (the baseline: what a scrape costs when no rule or export reads it). Prints the wall time
// per collect, per endpoint kind, and the samples it wrote.
//
//   clustersim-bench metrics CONTAINERS ITERATIONS SEED

import Glibc
import SimKernel
import ClusterModel

func metricsSpec(containers: Int, seed: UInt64) -> ClusterSpec {
    let gib: Int64 = 1 << 30
    let groups = [
        HostGroupSpec(name: "master", count: 3, datacenter: "dc01", racks: ["r1"], cpus: 8, memoryBytes: 32 * gib,
                      diskBytes: 500 * gib, nicBitsPerSecond: 10_000_000_000),
        HostGroupSpec(name: "slave", count: 1, datacenter: "dc01", racks: ["r1"], cpus: 32, memoryBytes: 128 * gib,
                      diskBytes: 2000 * gib, nicBitsPerSecond: 10_000_000_000),
    ]
    let version = MarathonVersion(1, 4, 9)
    let app = AppDefinition(id: "/bench/web", instances: containers, cpus: 0.25, mem: 256, version: version)
    var beh = AppBehaviour()
    beh.storage = AppStorage(writes: ContainerWrites(rate: .constant(100_000)))
    var spec = ClusterSpec(name: "metrics", seed: seed, duration: .minutes(10), sampleInterval: .seconds(60), hostGroups: groups,
                           zookeeper: ZooKeeperSpec(servers: 3), mesos: MesosSpec(),
                           marathon: MarathonSpec(version: version, apps: [app], behaviour: [beh]))
    spec.storage = StorageSpec(hostGroups: [HostStorageSpec(hostGroup: "slave", mode: .loopLVM, rootFilesystemBytes: 1_000_000_000_000)])
    spec.traffic = TrafficSpec(services: [TrafficService(name: "web", app: "/bench/web", entry: .direct, arrivals: .poisson(50),
                                                         serviceTime: .exponential(mean: 0.005), discipline: .processorSharing)])
    return spec
}

func runMetrics(containers: Int, iterations: Int, seed: UInt64) {
    guard containers >= 1, iterations >= 1 else { fail("metrics: CONTAINERS and ITERATIONS must be >= 1") }
    let model = ClusterSimulation(spec: metricsSpec(containers: containers, seed: seed), observer: CountingObserver(hash: false))
    model.run()
    let contributors = model.subsystems.compactMap { $0 as? MetricsContributor } + [HostMetrics(model: model)]
    guard let agent = model.mesos?.agents.first, let marathon = model.marathon else { fail("metrics: no agent") }
    let host = agent.host.index
    var endpoints: [MetricEndpoint] = [.cadvisor, .node, .mesosAgent].map { MetricEndpoint(kind: $0, host: host, port: $0.defaultPort) }
    endpoints += marathon.marathonSDTasks().filter(\.running).map { MetricEndpoint(kind: .app, host: $0.host, port: $0.ports.first ?? 0, task: $0.task) }
    let now = model.sim.now
    func timed(_ e: MetricEndpoint, wants: @escaping (String) -> Bool) -> (seconds: Double, samples: Int, exposed: Int) {
        var samples = 0, exposed = 0
        let t0 = monotonicSeconds()
        // one writer reset before each collect, as a scrape loop uses it (label sets are built by the
        // scrape cache on a miss, not by the writer)
        let w = MetricWriter(wants: wants)
        for _ in 0..<iterations {
            w.reset()
            for c in contributors { c.collect(e, now: now, into: w) }
            samples = w.values.count; exposed = w.exposed
        }
        return ((monotonicSeconds() - t0) / Double(iterations), samples, exposed)
    }
    for kind in [ExporterKind.cadvisor, .node, .mesosAgent, .app] {
        let es = endpoints.filter { $0.kind == kind }
        guard !es.isEmpty else { continue }
        var all = 0.0, none = 0.0, samples = 0, exposed = 0
        for e in es {
            let a = timed(e, wants: { _ in true }), n = timed(e, wants: { _ in false })
            all += a.seconds; none += n.seconds; samples += a.samples; exposed = max(exposed, a.exposed)
        }
        let k = Double(es.count)
        print("name=metrics_\(kind.rawValue) impl=swift_clustersim containers=\(containers) endpoints=\(es.count)"
              + " us_per_collect=\(NumberFormat.fixed(all / k * 1e6, decimals: 2))"
              + " baseline_us_per_collect=\(NumberFormat.fixed(none / k * 1e6, decimals: 2))"
              + " ratio=\(NumberFormat.fixed(all / max(none, 1e-12), decimals: 1))"
              + " samples_per_endpoint=\(samples / es.count) exposed_per_endpoint=\(exposed) iterations=\(iterations)")
    }
}
