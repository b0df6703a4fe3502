import SimKernel

// Fluid mode through marathon-lb: per tick, a service's requests are split evenly over the
// HAProxy instances that accept (a reload gap's SYNs are retransmitted, so the gap delays rather
// than loses: neglected at the tick's scale), and per instance over the backend's servers that
// HAProxy's checks hold UP, in proportion to weight; a server that stopped answering takes its
// share until its checks mark it DOWN, and the retries (`retries` + 1 tries, the last one
// elsewhere) pass requests on as nginx's tries do. The stats page reads the fluid arrival rate
// into each frontend at the last tick as `rate` and rate x mean service time as `scur`.

extension FluidTraffic {
    func haproxyEntries(_ s: Int) -> (entries: [Entry], noProxy: Int, noRoute: Int, count: Int) {
        guard let f = m.fronts[s] as? HAProxyFront else { return ([], 1, 0, 1) }
        var out: [Entry] = [], refused = 0, noRoute = 0, entered = 0
        for _ in f.instances {
            switch f.enter(now: m.now, count: false) {
            case .entered(let h):
                entered += 1
                let b = f.table[h.balancer]
                let peers = b.servers.indices.filter { b.isUp($0, now: m.now) }.map { i in
                    (w: Double(max(0, b.servers[i].server.weight)), inst: b.servers[i].server.instance,
                     key: PeerKey(balancer: -2 - h.proxy, service: Int32(s), peer: Int32(i)))
                }
                out.append(Entry(balancer: -2 - h.proxy, host: Int(h.host), route: f.route(h), tries: f.tries(h), peers: peers))
            case .retransmit: continue
            case .refused(let why): if why == .noProxy { refused += 1 } else { noRoute += 1 }
            }
        }
        return (out, refused, noRoute, max(1, entered + refused + noRoute))
    }

    /// A full step: the instances the service's requests entered.
    func haproxyFluidEntered(_ s: Int, _ es: [Entry]) {
        guard let t = m.haproxy else { return }
        while t.fluidEntered.count <= s { t.fluidEntered.append([]) }
        t.fluidEntered[s] = es.compactMap { $0.balancer <= -2 ? Int(-2 - $0.balancer) : nil }
    }

    /// Every tick (steady or not): the stats page's view, per instance entered, of the
    /// frontend's arrival rate, sessions (rate x mean service time, Little's law) and total.
    func haproxyFluidStats(_ s: Int, offered: Double, dt: Double) {
        guard let t = m.haproxy, let f = m.fronts[s] as? HAProxyFront, s < t.fluidEntered.count, !t.fluidEntered[s].isEmpty, dt > 0 else { return }
        let n = offered / Double(t.fluidEntered[s].count)
        for i in t.fluidEntered[s] {
            let k = t.stats[i].slot(f.frontend, generation: t.control.haproxyGeneration(i))
            t.stats[i].fluidRate[k] = n / dt
            t.stats[i].frontends[k].scur = Int((n / dt * serviceMean[s]).rounded())
            t.stats[i].frontends[k].stotFluid += n
            t.stats[i].frontends[k].stot = Int64(t.stats[i].frontends[k].stotFluid.rounded())
        }
    }
}
