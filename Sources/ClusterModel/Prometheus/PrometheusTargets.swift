import SimKernel

// Targets: where the exporters run, service discovery (static, file, Consul, Marathon), and
// scrape/target.go PopulateLabels (job, __scrape_interval__, __scrape_timeout__,
// __metrics_path__, __scheme__, relabeling, default port, __meta_* removed, instance).

/// A target as a scrape pool holds it.
struct DiscoveredTarget {
    /// Labels after relabeling, internal (`__address__` ...) included: what `Target.hash` reads.
    var labels: LabelSet
    var url: String
    var hash: UInt64
    var interval: SimDuration
    var timeout: SimDuration
    /// The host and port it connects to (nil host: the name does not resolve).
    var host: Int?
    var port: Int
    /// The endpoint discovery knows behind it (a task's port), nil: look up the placed exporters.
    var endpoint: MetricEndpoint?
    /// Its scheme is neither http nor https (any case: Go's url.Parse lowercases it): every scrape
    /// fails before connecting, as Go's http client answers `unsupported protocol scheme "ftp"`.
    var unsupportedScheme = false
}

extension PrometheusServer {
    /// Places the exporters (`prometheus.exporters`, defaults where a kind is not listed).
    func placeExporters() {
        let infra = model.infrastructure
        let all = Array(0..<infra.hosts.count)
        for kind in ExporterKind.allCases where kind != .app && kind != .haproxy {
            let p = spec.exporters.first { $0.kind == kind }
            if let p, !p.enabled { continue }
            var hosts: [Int]
            if let names = p?.hosts {
                hosts = names.compactMap { infra.host(named: $0)?.index }
            } else if let gs = p?.hostGroups {
                hosts = gs.flatMap { infra.hostsByGroup[$0] ?? [] }
            } else {
                hosts = defaultHosts(kind, all: all)
            }
            let port = p?.port ?? kind.defaultPort
            for h in hosts where endpoints[h << 16 | port] == nil { endpoints[h << 16 | port] = MetricEndpoint(kind: kind, host: h, port: port) }
        }
    }

    func defaultHosts(_ kind: ExporterKind, all: [Int]) -> [Int] {
        switch kind {
        case .cadvisor, .node: return all
        case .mesosMaster: return model.subsystem(MesosCluster.self)?.masters.map(\.host) ?? []
        case .mesosAgent:
            let masters = Set(model.subsystem(MesosCluster.self)?.masters.map(\.host) ?? [])
            return (model.subsystem(MesosCluster.self)?.agents.map(\.host.index) ?? []).filter { !masters.contains($0) }
        case .marathon: return model.subsystem(MarathonScheduler.self)?.processes.map(\.host) ?? []
        case .consul:
            guard let c = model.subsystem(ConsulCluster.self) else { return [] }
            return (model.infrastructure.hostsByGroup[c.spec.hostGroup] ?? []).prefix(1).map { $0 }
        case .nginx:
            guard let n = model.subsystem(ProxyConfiguration.self) else { return [] }
            return (0..<n.proxyCount).map { n.host(ofProxy: $0) }
        case .prometheus: return [host]
        case .alertmanager: return model.subsystem(AlertmanagerCluster.self)?.alertmanagerEndpoints().map(\.host) ?? []
        case .haproxy, .app: return []
        }
    }

    /// `host:port` (a host name, an address 10.x.y.z, or localhost: the server itself) to a host
    /// index and port; nil when the port is missing or bad.
    func resolve(_ target: String) -> (Int, Int)? {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        guard let h = hostIndex(String(target[..<colon])) else { return nil }
        return (h, port)
    }

    func hostIndex(_ name: String) -> Int? {
        if name == "localhost" || name == "127.0.0.1" || name == "[::1]" { return host }
        return model.infrastructure.host(named: name)?.index ?? Host.index(ofAddress: name).flatMap { $0 < model.infrastructure.hosts.count ? $0 : nil }
    }

    // MARK: discovery

    /// Marathon SD `k` of job `j` refreshes: the tasks Marathon lists now.
    /// A refresh that gets no answer keeps the last targets (refresh/refresh.go `Run`@v2.42.0 logs
    /// "Unable to refresh target groups" and sends nothing).
    func refreshMarathon(_ j: Int, _ k: Int) {
        guard let src = marathonSource else { return }
        guard marathonAnswers(config.scrapeConfigs[j].marathonSD[k]) else { marathonRefreshFailures += 1; return }
        marathonLast[j][k] = marathonTargets(src, config.scrapeConfigs[j])
    }

    /// Whether GET /v2/apps?embed=apps.tasks answers: marathon.go `randomAppsURL` asks one of
    /// `servers` at random; its host must be up, reachable from Prometheus' host and run a live
    /// Marathon process, and some live instance must lead (a non-leader proxies to the leader:
    /// none is 503, a leader whose process is gone a 504 timeout, LeaderProxyFilter.scala@v1.4.9;
    /// marathon.go takes any non-2xx as an error). A server that is not a Marathon host (a load
    /// balancer, a DNS name the simulator does not know) is taken to reach the leader.
    func marathonAnswers(_ sd: MarathonSDConfig) -> Bool {
        guard let m = model.subsystem(MarathonScheduler.self) else { return true }
        let server = sd.servers.count == 1 ? sd.servers[0] : sd.servers[min(sd.servers.count - 1, Int(marathonServerPick.uniform() * Double(sd.servers.count)))]
        var hostPort = Substring(server)
        if let r = hostPort.range(of: "://") { hostPort = hostPort[r.upperBound...] }
        if let slash = hostPort.firstIndex(of: "/") { hostPort = hostPort[..<slash] }
        var name = String(hostPort)
        if let colon = name.lastIndex(of: ":"), !name.hasSuffix("]") { name = String(name[..<colon]) }
        if let h = hostIndex(name) {
            guard model.infrastructure.hosts[h].state.isUp, !(model.mesos?.cut(host, h) ?? false) else { return false }
            if m.processes.contains(where: { $0.host == h }) {
                guard m.processes.contains(where: { $0.host == h && $0.alive }) else { return false }
            }
        }
        guard let l = m.leader, m.processes[l].alive else { return false }
        return true
    }

    /// The targets of job `j` as its discoverers last answered: static and file groups, then
    /// Consul, then Marathon.
    func discover(_ j: Int) -> [DiscoveredTarget] {
        let sc = config.scrapeConfigs[j]
        var out: [DiscoveredTarget] = []
        for g in sc.staticGroups {
            for t in g.targets {
                var ls = [MetricLabel("__address__", t)] + g.labels
                if !g.file.isEmpty { ls.append(MetricLabel("__meta_filepath", g.file)) }
                if let x = populate(ls, sc, endpoint: nil) { out.append(x) }
            }
        }
        for k in sc.consulSD.indices { for t in consulLast[j][k] { out += t } }
        for k in sc.marathonSD.indices { out += marathonLast[j][k] }
        return out
    }

    /// discovery/marathon: one target per task per port, with the app's and the port's labels.
    func marathonTargets(_ src: MarathonTaskSource, _ sc: ScrapeConfig) -> [DiscoveredTarget] {
        var out: [DiscoveredTarget] = []
        for t in src.marathonSDTasks() {
            for (i, port) in t.ports.enumerated() {
                var ls = [MetricLabel("__address__", "\(hostName(t.host)):\(port)"), MetricLabel("__meta_marathon_app", t.appId),
                          MetricLabel("__meta_marathon_task", t.taskId), MetricLabel("__meta_marathon_port_index", String(i))]
                for (k, v) in t.appLabels { ls.append(MetricLabel("__meta_marathon_app_label_" + sanitize(k), v)) }
                if i < t.portLabels.count {
                    for (k, v) in t.portLabels[i] { ls.append(MetricLabel("__meta_marathon_port_definition_label_" + sanitize(k), v)) }
                }
                if let x = populate(ls, sc, endpoint: MetricEndpoint(kind: .app, host: t.host, port: port, task: t.task)) { out.append(x) }
            }
        }
        return out
    }

    /// strutil.SanitizeLabelName: every character outside [a-zA-Z0-9_] becomes `_`.
    func sanitize(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { u in
            u.isASCII && (u.properties.isAlphabetic || ("0"..."9").contains(u) || u == "_") ? u : "_"
        }))
    }

    /// scrape/target.go PopulateLabels; nil when relabeling drops the target or it is invalid.
    func populate(_ discovered: [MetricLabel], _ sc: ScrapeConfig, endpoint: MetricEndpoint?) -> DiscoveredTarget? {
        var ls = discovered
        let defaults = [("job", sc.jobName), ("__scrape_interval__", PromHash.durationString(sc.interval)),
                        ("__scrape_timeout__", PromHash.durationString(sc.timeout)), ("__metrics_path__", sc.metricsPath),
                        ("__scheme__", sc.scheme)]
        for (n, v) in defaults where !ls.contains(where: { $0.name == n && !$0.value.isEmpty }) { ls.append(MetricLabel(n, v)) }
        guard var out = RelabelConfig.process(LabelSet(ls).labels, sc.relabel) else { return nil }
        func get(_ n: String) -> String { out.first { $0.name == n }?.value ?? "" }
        var addr = get("__address__")
        guard !addr.isEmpty, !addr.contains("/") else { return nil }
        let scheme = get("__scheme__")
        if !addr.contains(":") {
            // scrape/target.go PopulateLabels (v2.42.0): the default port of "http" or "" is 80, of
            // "https" 443; any other scheme (case counts here) is `invalid scheme` and the target dropped
            switch scheme {
            case "http", "": addr += ":80"
            case "https": addr += ":443"
            default: return nil
            }
            out = out.filter { $0.name != "__address__" } + [MetricLabel("__address__", addr)]
        }
        guard let interval = PromHash.parseDuration(get("__scrape_interval__")), interval > .zero,
              let timeout = PromHash.parseDuration(get("__scrape_timeout__")), timeout > .zero, timeout <= interval else { return nil }
        out = out.filter { !$0.name.hasPrefix("__meta_") }
        if get("instance").isEmpty { out.append(MetricLabel("instance", addr)) }
        let labels = LabelSet(out)
        let url = "\(scheme)://\(addr)\(get("__metrics_path__"))"
        let hp = resolve(addr)
        var ep = endpoint
        if let e = ep, hp.map({ $0.0 != e.host || $0.1 != e.port }) ?? true { ep = nil }
        // scrape.go targetScraper.scrape sends http.NewRequest("GET", t.URL().String()) through the http
        // client; Go's url.Parse lowercases the scheme and net/http's Transport.roundTrip refuses any but
        // http and https ("unsupported protocol scheme"): the scrape fails, up 0
        let lower = scheme.lowercased()
        return DiscoveredTarget(labels: labels, url: url, hash: PromHash.targetHash(labels: labels, url: url), interval: interval,
                                timeout: timeout, host: hp?.0, port: hp?.1 ?? 0, endpoint: ep,
                                unsupportedScheme: lower != "http" && lower != "https")
    }

    /// Brings job `j`'s scrape loops in line with discovery: loops of targets still there keep
    /// running, new targets get a loop at their offset, gone targets end with staleness markers.
    func syncJob(_ j: Int) {
        var seen = Set<UInt64>()
        var keep: [Int] = []
        var still = [Bool](repeating: false, count: jobLoops[j].count)
        var existing: [UInt64: Int] = [:]
        for (k, l) in jobLoops[j].enumerated() { existing[loops[l].target.hash] = k }
        for t in discover(j) where !seen.contains(t.hash) {
            seen.insert(t.hash)
            if let k = existing[t.hash], loops[jobLoops[j][k]].target.labels == t.labels {
                still[k] = true
                keep.append(jobLoops[j][k])
            } else {
                keep.append(startLoop(t, job: j))
            }
        }
        for (k, l) in jobLoops[j].enumerated() where !still[k] { stopLoop(l) }
        jobLoops[j] = keep
        // scrape.go `sync`@v2.42.0 then `refreshTargetLimitErr`: more active targets than
        // target_limit set a forced error on every loop of the pool (counted in
        // prometheus_target_scrape_pool_exceeded_target_limit_total), back under it clear it
        let limit = config.scrapeConfigs[j].targetLimit
        let over = limit > 0 && keep.count > limit
        if over { targetLimitExceeded += 1 }
        for l in keep where loops[l].overTargetLimit != over {
            loops[l].overTargetLimit = over
            wake(l)
        }
        if over != jobOverTargetLimit[j] {
            jobOverTargetLimit[j] = over
            model.log("prometheus", over ? "targetLimitExceeded" : "targetLimitCleared", config.scrapeConfigs[j].jobName,
                      over ? "target_limit exceeded (number of targets: \(keep.count), limit: \(limit)): every scrape of the job fails" : "\(keep.count) targets, limit \(limit)")
        }
    }
}
