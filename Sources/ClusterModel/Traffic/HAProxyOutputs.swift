import SimKernel

// lb.csv: what each HAProxy instance's frontends did in each sample (with a service `via:
// marathon-lb` only, so runs without marathon-lb write what they wrote before).

extension TrafficModel {
    static let lbTable = SubsystemTable(
        of: TrafficModel.self, file: "lb.csv",
        when: "when a traffic service goes `via: marathon-lb` (long format: one row per HAProxy instance, frontend and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("instance", "the marathon-lb instance's index (`HAProxyControl.haproxyInstances`)"),
            ("frontend", "the HAProxy frontend (`traffic.services[].frontend`)"),
            ("rate", "the stats page's `rate` at the sample: sessions over the last elapsed second (haproxy src/freq_ctr.c read_freq_ctr); fluid mode: the arrival rate at the last tick"),
            ("scur", "current sessions of the frontend"),
            ("qcur", "requests waiting in the backend's queue (maxconn reached)"),
            ("servers_up", "servers of the backend HAProxy's health checks hold UP"),
            ("requests", "sessions the frontend started since the previous sample (fluid mode: 0; see `rate`)"),
            ("failed", "of those, requests that ended in an error (503 queue timeout or no server, 502, 504)"),
        ],
        applies: { $0.haproxy != nil }) { tr, time, w in
            guard let t = tr.haproxy else { return }
            for i in t.stats.indices {
                let answers = tr.model.infrastructure.hosts[t.control.haproxyInstances[i].host].state.isUp
                for k in t.stats[i].frontends.indices {
                    let f = t.stats[i].frontends[k]
                    let (queued, up) = tr.haproxyBackendFigures(i, frontend: f.name, generation: f.generation, now: time)
                    w.field(time); w.field(Int64(i)); w.field(f.name)
                    w.field(Int64(answers ? tr.haproxyFrontendRate(t.stats[i], k, now: time) : 0)); w.field(Int64(f.scur)); w.field(Int64(queued)); w.field(Int64(up))
                    w.field(f.requests); w.field(f.failed)
                    w.endRow()
                    t.stats[i].frontends[k].requests = 0; t.stats[i].frontends[k].failed = 0
                }
            }
        }

    /// The queue length and UP servers of the backend behind a frontend of instance `i`.
    func haproxyBackendFigures(_ i: Int, frontend: String, generation: Int, now: SimTime) -> (queued: Int, up: Int) {
        guard let t = haproxy else { return (0, 0) }
        guard let fe = t.frontend(frontend, instance: i, generation: generation), let b = t.backend(instance: i, generation: generation, backend: fe.backend, now: now) else { return (0, 0) }
        let be = t[b]
        haproxyRefresh(be)
        return (be.queued + fluidQueued(be), be.servers.indices.filter { be.isUp($0, now: now) }.count)
    }

    /// Fluid mode: the backlog its servers' instances hold beyond their connection limits, spread
    /// evenly over the HAProxy instances whose hosts are up.
    func fluidQueued(_ be: HAProxyBackendState) -> Int {
        guard let t = haproxy, fluid != nil, !t.fluidQueued.isEmpty else { return 0 }
        let q = be.servers.reduce(0.0) { $0 + ($1.server.instance.flatMap { t.fluidQueued[$0.task] } ?? 0) }
        let live = t.control.haproxyInstances.filter { model.infrastructure.hosts[$0.host].state.isUp }.count
        return Int((q / Double(max(1, live))).rounded())
    }

    /// Requests answered 503 after `timeout queue`, over every backend (fluid mode: expected count).
    var haproxyQueueTimeouts: Int { (haproxy.map { t in t.backends.reduce(t.releasedQueueTimeouts) { $0 + $1.queueTimeouts } } ?? 0) + Int(fluidQueueTimeouts.rounded()) }

    /// SYNs dropped at full accept queues (fluid mode: expected count).
    var haproxySynDrops: Int { haproxy.map { $0.listenDrops + Int($0.fluidSynDrops.rounded()) } ?? 0 }
    /// Connections reset in accept queues at reloads (fluid mode: expected count).
    var haproxyListenResets: Int { haproxy.map { $0.listenResets + Int($0.fluidListenResets.rounded()) } ?? 0 }
}
