import SimKernel

// What nginx writes into a results folder: nginx.csv (one row per proxy and sample) and the
// headline figures of the discovery chain (reloads, and consul-template's renders).

extension NginxProxies {
    public static let outputs = SubsystemOutputs(
        tables: [nginxTable],
        headline: [
            ("nginx_reloads", "reloads that activated a new configuration, summed over the nginx proxies (events.csv nginxReload rows)"),
            ("nginx_reloads_failed", "reload commands or signals whose configuration nginx rejected (events.csv nginxReloadFailed rows)"),
        ],
        headlineIntro: "With an `nginx` section the headline gains nginx's reload counts (see docs/discovery.md).")

    static let nginxTable = SubsystemTable(
        of: NginxProxies.self, file: "nginx.csv", when: "when the scenario has an `nginx` section (long format: one row per nginx and sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("proxy", "host nginx runs on"),
            ("generation", "configuration generation new requests get (0: the one nginx started with)"),
            ("upstreams", "upstream blocks in that generation"),
            ("servers", "server lines over those upstreams (the 127.0.0.1:65535 placeholder counts)"),
            ("servers_known", "server lines whose address:port is a service instance the catalog knew when the configuration loaded"),
            ("reloads", "reloads so far (nginxReload rows)"),
        ]) { n, time, w in
            for p in n.proxies.indices {
                let g = n.proxies[p].generations[n.proxies[p].active]
                w.field(time); w.field(n.proxies[p].name); w.field(n.proxies[p].active)
                w.field(g.upstreams.count)
                w.field(g.upstreams.reduce(0) { $0 + $1.servers.count })
                w.field(g.upstreams.reduce(0) { $0 + $1.servers.filter { $0.instance != nil }.count })
                w.field(n.proxies[p].reloads)
                w.endRow()
            }
        }

    public func headline() -> [HeadlineFigure] {
        [HeadlineFigure("nginx_reloads", .int(Int64(totalReloads))),
         HeadlineFigure("nginx_reloads_failed", .int(Int64(proxies.reduce(0) { $0 + $1.failedReloads })))]
    }
}
