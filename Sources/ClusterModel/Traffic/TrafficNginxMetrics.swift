import SimKernel

// stub_status counters of each nginx as nginx-prometheus-exporter serves them, from the
// requests the traffic model sends through the proxies. Each request is a connection of its own
// (clients without keep-alive): accepted = handled = requests. Per-request mode counts each
// request when the proxy accepts it and reads the connections open now from the balancers;
// fluid mode integrates each service's per-proxy request rate between its full steps (active
// connections: the rate times the mean response time, Little's law). See docs/metrics.md.

/// Per proxy: requests (settled), their rate (fluid), when settled; per service, what its last
/// full step added to each proxy's rate (and to its open connections).
struct TrafficProxyCounters {
    var requests: [Double] = [], rate: [Double] = [], since: [SimTime] = [], inside: [Double] = []
    var fluid: [[(proxy: Int, rate: Double, inside: Double)]] = []

    mutating func ensure(_ n: Int) {
        requests.grow(to: n, with: 0); rate.grow(to: n, with: 0); since.grow(to: n, with: .zero); inside.grow(to: n, with: 0)
    }
}

extension TrafficModel {
    static let nginxFamilies = [
        MetricFamily("nginx_connections_active", .gauge, "Active client connections"),
        MetricFamily("nginx_connections_accepted", .counter, "Accepted client connections"),
        MetricFamily("nginx_connections_handled", .counter, "Handled client connections"),
        MetricFamily("nginx_http_requests_total", .counter, "Total http requests"),
    ]

    /// Writes the stub_status families of the proxy on the endpoint's host.
    func collectNginx(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard let t = table, let p = (0..<t.config.proxyCount).first(where: { t.config.host(ofProxy: $0) == e.host }) else { return }
        let f = TrafficModel.nginxFamilies
        if w.begin(f[0], exposing: 1) {
            var open = p < proxyCounters.inside.count ? proxyCounters.inside[p] : 0
            t.addInFlight(proxy: p, to: &open)
            w.add(f[0].name, [], open)
        }
        let total = exporterProxyRequests(p, now: now)
        for fam in f[1...] where w.begin(fam, exposing: 1) { w.add(fam.name, [], total) }
    }

    func exporterProxyRequests(_ p: Int, now: SimTime) -> Double {
        let c = proxyCounters
        guard p < c.requests.count else { return 0 }
        return c.requests[p] + c.rate[p] * max(0, (now - c.since[p]).seconds)
    }

    private func settleProxy(_ p: Int) {
        proxyCounters.ensure(p + 1)
        proxyCounters.requests[p] = exporterProxyRequests(p, now: now)
        proxyCounters.since[p] = now
    }

    /// Per-request mode: the proxy accepted a request.
    func exporterProxyAccepted(_ proxy: Int32) {
        guard proxy >= 0 else { return }
        proxyCounters.ensure(Int(proxy) + 1)
        proxyCounters.requests[Int(proxy)] += 1
    }

    /// Fluid mode, at a service's full step: what its last step added to the proxies ends now.
    func exporterFluidProxyStep(_ s: Int) {
        while proxyCounters.fluid.count <= s { proxyCounters.fluid.append([]) }
        for x in proxyCounters.fluid[s] {
            settleProxy(x.proxy)
            proxyCounters.rate[x.proxy] = max(0, proxyCounters.rate[x.proxy] - x.rate)
            proxyCounters.inside[x.proxy] = max(0, proxyCounters.inside[x.proxy] - x.inside)
        }
        proxyCounters.fluid[s].removeAll(keepingCapacity: true)
    }

    /// Fluid mode: the service sends `perSecond` requests through this balancer's proxy, each
    /// open for `meanSeconds`, until its next full step.
    func exporterFluidProxy(_ s: Int, balancer: Int32, perSecond: Double, meanSeconds: Double) {
        guard balancer >= 0, perSecond > 0, let t = table else { return }
        let p = t.key(of: balancer).proxy
        settleProxy(p)
        proxyCounters.rate[p] += perSecond
        proxyCounters.inside[p] += perSecond * meanSeconds
        proxyCounters.fluid[s].append((p, perSecond, perSecond * meanSeconds))
    }
}
