import SimKernel

// What marathon-lb writes into a results folder: marathonlb.csv and its headline figures.

extension MarathonLB {
    public static let outputs = SubsystemOutputs(
        tables: [table],
        headline: [
            ("haproxy_reloads", "HAProxy reloads by marathon-lb over all instances (a regeneration whose haproxy.cfg differs from the running one)"),
            ("haproxy_reload_failures", "reloads that left HAProxy on an older configuration, over all instances: `haproxy -c` refused the candidate, the reload command failed, or no new HAProxy came up within `--max-reload-retries` (`marathonLB.reloadFailures`)"),
            ("marathonlb_regenerations", "configuration regenerations by marathon-lb over all instances (events, the 300 s reset, polls, start)"),
        ],
        headlineIntro: "With a `marathonLB` section the headline ends with marathon-lb's figures (see docs/marathon-lb.md).")

    static let table = SubsystemTable(
        of: MarathonLB.self, file: "marathonlb.csv", when: "when the scenario has a `marathonLB` section",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("host", "host of the marathon-lb instance (one row per instance and sample)"),
            ("group", "its `--group` (HAPROXY_GROUP)"),
            ("generation", "configuration generation HAProxy runs (0 before the first reload)"),
            ("reloads", "HAProxy reloads so far"),
            ("regenerations", "configuration regenerations so far (a reload only when the text changed)"),
            ("frontends", "frontends of the running configuration (one per app and service port with servers)"),
            ("servers", "server lines of the running configuration"),
            ("accepting", "1 when HAProxy accepts connections (host up, not in a < 1.8 reload gap), else 0"),
            ("reload_retries", "reload commands marathon-lb re-ran so far because no new HAProxy came up within `--reload-interval`"),
            ("reload_failures", "reloads given up so far (after `--max-reload-retries`, or the reload command failed); with `--max-reload-retries 0` the first reload that fails"),
            ("invalid_configs", "candidates `haproxy -c` refused so far (not written, not reloaded)"),
            ("stale", "1 when the configuration marathon-lb last generated is not the one HAProxy runs (a reload failed or is retrying), else 0"),
        ]) { lb, time, w in
            for i in lb.instances.indices {
                let g = lb.haproxyGeneration(i)
                let c = g > 0 ? lb.instances[i].configs[g - 1] : nil
                w.field(time)
                w.field(lb.hostName(ofInstance: i))
                w.field(lb.instances[i].group)
                w.field(g)
                w.field(lb.instances[i].reloads)
                w.field(lb.instances[i].regenerations)
                w.field(c?.frontends.count ?? 0)
                w.field(c?.backends.reduce(0) { $0 + $1.servers.count } ?? 0)
                w.field(lb.haproxyAccepts(i, now: time) ? 1 : 0)
                w.field(lb.instances[i].reloadRetries)
                w.field(lb.instances[i].reloadFailures)
                w.field(lb.instances[i].invalidConfigs)
                w.field(lb.instances[i].stale ? 1 : 0)
                w.endRow()
            }
        }
}
