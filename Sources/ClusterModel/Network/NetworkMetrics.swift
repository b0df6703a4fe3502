import SimKernel

// The network model's share of the host exporters (docs/metrics.md): bytes each host sent and
// received (node_exporter's netdev collector, `node_network_*_bytes_total{device="eth0"}`;
// cAdvisor's root cgroup `container_network_*_bytes_total{id="/",interface="eth0"}`), and the
// datapath's CPU as node_cpu_seconds_total{mode="system"} (HostMetrics). Counters run from the
// host's boot: kept per host as a rate (the sum of its flows' rates, updated where the model
// re-shares) and bytes settled at each rate change; a scrape adds rate x elapsed.

/// Bytes per host since boot and the datapath CPU at boot. Sized on first use.
struct NetworkExporterCounters {
    var txRate: [Double] = [], rxRate: [Double] = []
    var tx: [Double] = [], rx: [Double] = []
    var updated: [SimTime] = []
    /// The host's `generation` when the counters were last settled (a change: it rebooted).
    var boot: [Int32] = []
    /// cpuSeconds(host:) when the host booted.
    var cpuAtBoot: [Double] = []

    mutating func ensure(_ n: Int) {
        guard tx.count < n else { return }
        let k = n - tx.count
        txRate += Array(repeating: 0, count: k); rxRate += Array(repeating: 0, count: k)
        tx += Array(repeating: 0, count: k); rx += Array(repeating: 0, count: k)
        updated += Array(repeating: .zero, count: k); boot += Array(repeating: 0, count: k)
        cpuAtBoot += Array(repeating: 0, count: k)
    }
}

extension ClusterNetwork: MetricsContributor {
    static let nodeFamilies = [
        MetricFamily("node_network_receive_bytes_total", .counter, "Network device statistic receive_bytes."),
        MetricFamily("node_network_transmit_bytes_total", .counter, "Network device statistic transmit_bytes."),
    ]
    static let cadvisorFamilies = [
        MetricFamily("container_network_receive_bytes_total", .counter, "Cumulative count of bytes received"),
        MetricFamily("container_network_transmit_bytes_total", .counter, "Cumulative count of bytes transmitted"),
    ]

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        switch kind {
        case .node: return ClusterNetwork.nodeFamilies
        case .cadvisor: return ClusterNetwork.cadvisorFamilies
        default: return []
        }
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        let fams: [MetricFamily]
        let labels: [(String, String)]
        switch e.kind {
        case .node: fams = ClusterNetwork.nodeFamilies; labels = [("device", "eth0")]
        case .cadvisor: fams = ClusterNetwork.cadvisorFamilies; labels = [("id", "/"), ("interface", "eth0")]
        default: return
        }
        guard e.host >= 0, e.host < model.infrastructure.hosts.count else { return }
        let rx = w.begin(fams[0], exposing: 1), tx = w.begin(fams[1], exposing: 1)
        guard rx || tx else { return }
        let b = exporterBytes(host: e.host, now: now)
        if rx { w.add(fams[0].name, labels, b.rx) }
        if tx { w.add(fams[1].name, labels, b.tx) }
    }

    /// Bytes the host received and sent since it booted, as of `now` (nothing changes).
    public func exporterBytes(host h: Int, now: SimTime) -> (rx: Double, tx: Double) {
        let c = exporterCounters
        guard h < c.tx.count, c.boot[h] == model.infrastructure.hosts[h].generation else { return (0, 0) }
        let dt = max(0, (now - c.updated[h]).seconds)
        return (c.rx[h] + c.rxRate[h] * dt, c.tx[h] + c.txRate[h] * dt)
    }

    /// Datapath CPU seconds on the host since it booted.
    public func exporterCPUSecondsSinceBoot(host: Host) -> Double {
        let total = cpuSeconds(host: host.index)
        let c = exporterCounters
        guard host.index < c.boot.count, c.boot[host.index] == host.generation else { return 0 }
        return max(0, total - c.cpuAtBoot[host.index])
    }

    /// Brings a host's counters to now; restarts them when the host booted since (called before
    /// its CPU or a flow rate changes; a host's flows carry nothing while it is down).
    func exporterSettle(_ h: Int) {
        exporterCounters.ensure(model.infrastructure.hosts.count)
        let gen = model.infrastructure.hosts[h].generation
        let t = now
        if exporterCounters.boot[h] != gen {
            exporterCounters.boot[h] = gen
            exporterCounters.tx[h] = 0; exporterCounters.rx[h] = 0
            exporterCounters.cpuAtBoot[h] = cpuSeconds[h]
        } else {
            let dt = (t - exporterCounters.updated[h]).seconds
            if dt > 0 {
                exporterCounters.tx[h] += exporterCounters.txRate[h] * dt
                exporterCounters.rx[h] += exporterCounters.rxRate[h] * dt
            }
        }
        exporterCounters.updated[h] = t
    }

    /// A flow from `a` to `b` changed its rate by `delta` bytes per second (loopback not counted).
    func exporterFlowRate(from a: Int, to b: Int, delta: Double) {
        guard a != b, delta != 0 else { return }
        exporterSettle(a); exporterSettle(b)
        exporterCounters.txRate[a] = max(0, exporterCounters.txRate[a] + delta)
        exporterCounters.rxRate[b] = max(0, exporterCounters.rxRate[b] + delta)
    }
}
