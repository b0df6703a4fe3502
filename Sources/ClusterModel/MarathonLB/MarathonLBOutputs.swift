import SimKernel

// What marathon-lb writes into a results folder: marathonlb.csv and its headline figures.

extension MarathonLB {
    public static let outputs = SubsystemOutputs(
        tables: [table],
        headline: [
            ("haproxy_reloads", "HAProxy reloads by marathon-lb over all instances (a regeneration whose haproxy.cfg differs from the running one)"),
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
                w.endRow()
            }
        }
}
