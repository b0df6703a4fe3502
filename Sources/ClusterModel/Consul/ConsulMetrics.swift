import SimKernel

// prometheus/consul_exporter (:9107) next to each Consul server, asking its local agent
// (consul_exporter.go: status/leader, status/peers, agent/members, catalog/services,
// health/state/any). What it reports is what the servers hold (the catalog), read at scrape time.
// See docs/metrics.md.

extension ConsulCluster: MetricsContributor {
    static let families = [
        MetricFamily("consul_up", .gauge, "Was the last query of Consul successful."),
        MetricFamily("consul_raft_peers", .gauge, "How many peers (servers) are in the Raft cluster."),
        MetricFamily("consul_raft_leader", .gauge, "Does Raft cluster have a leader (according to this node)."),
        MetricFamily("consul_serf_lan_members", .gauge, "How many members are in the cluster."),
        MetricFamily("consul_catalog_services", .gauge, "How many services are in the cluster."),
        MetricFamily("consul_health_node_status", .gauge, "Status of health checks associated with a node."),
        MetricFamily("consul_health_service_status", .gauge, "Status of health checks associated with a service."),
        MetricFamily("consul_catalog_service_node_healthy", .gauge, "Is this service healthy on this node?"),
    ]
    /// The statuses the exporter writes for every check, 1 for the current one (with maintenance).
    static let statuses = ["passing", "warning", "critical", "maintenance"]

    public func metricEndpoints() -> [MetricEndpoint] {
        serverMembers.map { MetricEndpoint(kind: .consul, host: members[$0].host, port: ExporterKind.consul.defaultPort) }
    }

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .consul ? ConsulCluster.families : [] }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.kind == .consul, e.host >= 0, e.host < memberOfHost.count, let m = memberOfHost[e.host] else { return }
        let f = ConsulCluster.families
        // the exporter answers consul_up 0 and nothing else when its agent (or the servers) fail it
        let up = members[m].agentUp && canRead()
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, [], up ? 1 : 0) }
        guard up else { return }
        if w.begin(f[1], exposing: 1) { w.add(f[1].name, [], Double(serverMembers.count)) }
        if w.begin(f[2], exposing: 1) { w.add(f[2].name, [], leader == nil ? 0 : 1) }
        // the members that have not left, by index: the Member structs are not copied (nor their arrays retained)
        let listed = ConsulCluster.listedMembers(members)
        if w.begin(f[3], exposing: 1) { w.add(f[3].name, [], Double(listed.count)) }
        if w.begin(f[4], exposing: 1) {
            // the catalog lists the `consul` service itself besides the registered ones
            w.add(f[4].name, [], Double(1 + catalog.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) }))
        }
        if w.begin(f[5], exposing: listed.count * 4) {
            for k in listed {
                let node = model.infrastructure.hosts[members[k].host].name
                ConsulCluster.writeStatus(w, f[5].name, [("check", "serfHealth"), ("node", node)], members[k].serfCritical ? .critical : .passing)
            }
        }
        let checkCount = catalog.reduce(0) { n, list in n + list.reduce(0) { $0 + instances[$1].checks.count } }
        if w.begin(f[6], exposing: checkCount * 4) {
            for (s, list) in catalog.enumerated() {
                for i in list {
                    let x = instances[i]
                    let node = model.infrastructure.hosts[x.host].name
                    for (k, c) in x.checks.enumerated() {
                        let id = checks[c].def.id ?? ("service:" + x.id + (x.checks.count > 1 ? ":\(k + 1)" : ""))
                        ConsulCluster.writeStatus(w, f[6].name, [("check", id), ("node", node), ("service_id", x.id),
                                                                 ("service_name", serviceNames[s])], checks[c].catalogStatus)
                    }
                }
            }
        }
        collectServiceHealth(w, f[7])
    }

    /// The indices of the members that have not left, read in place.
    static func listedMembers(_ members: [Member]) -> [Int] {
        members.withUnsafeBufferPointer { ms in ms.indices.filter { ms[$0].state != .left } }
    }

    private func collectServiceHealth(_ w: MetricWriter, _ f: MetricFamily) {
        let n = catalog.reduce(0) { $0 + $1.count }
        guard w.begin(f, exposing: n) else { return }
        for (s, list) in catalog.enumerated() {
            for i in list {
                let x = instances[i]
                w.add(f.name, [("node", model.infrastructure.hosts[x.host].name), ("service_id", x.id), ("service_name", serviceNames[s])],
                      status(ofInstance: i) == .passing ? 1 : 0)
            }
        }
    }

    private static func writeStatus(_ w: MetricWriter, _ name: String, _ labels: [(String, String)], _ h: ConsulHealth) {
        for s in statuses { w.add(name, labels + [("status", s)], s == h.rawValue ? 1 : 0) }
    }
}
