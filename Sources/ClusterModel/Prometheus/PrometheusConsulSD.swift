import SimKernel

// Consul SD as discovery/consul/consul.go@v2.42.0 runs it: one goroutine per watched service,
// each a loop of blocking queries on /v1/health/service/<name> (`watch`) gated by a ticker of
// `refresh_interval` (30s) started with the goroutine:
//
//   for { srv.watch(...); <-ticker.C }
//
// - The first query (WaitIndex 0) answers at once. A blocking query returns when the service's
//   X-Consul-Index moves (a change: the answer is sent to the discovery manager), or after its
//   wait, `watchTimeout` 2m plus the server's jitter U[0, 2m/16) (agent/consul/rpc.go
//   `RPCQueryTimeout`), unchanged.
// - After each return the loop takes a tick: a Go ticker holds one tick, so when a tick fell
//   since the query was issued it goes on at once, else it waits for the next tick. So the
//   first change after a quiet spell is seen at once, and a change that follows an answer
//   within the same refresh period waits for the next tick (up to `refresh_interval`).
// - An error (no Consul server answers the agent Prometheus asks, `server`, default
//   localhost:8500) is logged and counted (`prometheus_sd_consul_rpc_failures_total`), the loop
//   sleeps `retryInterval` 15s, then takes a tick and asks again: the targets stay as they were
//   (no group is sent).
// - Without `services`, or with `tags`, a catalog watch (`watchServices`, /v1/catalog/services,
//   the same loop) lists the services; each newly listed one that `shouldWatch` (in `services`
//   when given, and carrying every tag of `tags` in the catalog) gets its own watch from then,
//   and one that leaves the list is dropped with an empty group.
//
// The model runs that loop lazily: a watch costs no event while its query blocks; the
// unchanged returns (every ~2 minutes) are replayed from the last issue when a change arrives,
// drawing each one's jitter from the stream `prometheus.consul-sd`. An event is scheduled only
// for a change that waits for a tick and for the retries of a failing watch.

/// One Consul SD watch (a goroutine of discovery/consul/consul.go).
struct ConsulWatch {
    let job: Int
    let sd: Int
    /// Index in `ServiceCatalog.serviceNames`; -1: the catalog watch (`watchServices`).
    let service: Int
    /// When its goroutine (and ticker) started: ticks at `gridStart + n·refresh_interval`, n ≥ 1.
    let gridStart: SimTime
    /// When its current query was issued, or when the next one will be (after now: waiting for a tick).
    var issuedAt: SimTime
    /// When the open query returns unchanged (drawn at its issue), nil: not drawn yet.
    var timeoutAt: SimTime?
    /// The index moved since the last answer (the first query always answers).
    var dirty = true
    var wakeScheduled = false
    var active = true
}

extension PrometheusServer {
    /// consul.go `watchTimeout` and `retryInterval` (v2.42.0).
    static let consulWatchTimeout = SimDuration.minutes(2)
    static let consulRetryInterval = SimDuration.seconds(15)

    /// The process starts its Consul discoverers: per SD, a watch per named service, or the
    /// catalog watch; each first query answers at once.
    func startConsulWatches() {
        consulWatches = []
        consulLast = config.scrapeConfigs.map { sc in sc.consulSD.map { _ in (catalog?.serviceNames ?? []).map { _ in [] } } }
        consulListed = config.scrapeConfigs.map { sc in sc.consulSD.map { _ in (catalog?.serviceNames ?? []).map { _ in false } } }
        guard let c = catalog else { return }
        let now = model.sim.now
        for (j, sc) in config.scrapeConfigs.enumerated() {
            for (k, sd) in sc.consulSD.enumerated() {
                if sd.services.isEmpty || !sd.tags.isEmpty {
                    consulWatches.append(ConsulWatch(job: j, sd: k, service: -1, gridStart: now, issuedAt: now))
                } else {
                    for (s, name) in c.serviceNames.enumerated() where sd.services.contains(name) {
                        consulWatches.append(ConsulWatch(job: j, sd: k, service: s, gridStart: now, issuedAt: now))
                    }
                }
            }
        }
        var w = 0
        while w < consulWatches.count { consulRespond(w, at: now); w += 1 }
    }

    /// `.catalogChanged(service:)`: the watches of that service (and the catalog watches whose
    /// list it changes) return if their query is open, else answer at their next issue.
    func consulCatalogChanged(_ s: Int) {
        guard let c = catalog else { return }
        let now = model.sim.now
        let n = consulWatches.count
        for w in 0..<n where consulWatches[w].active {
            let x = consulWatches[w]
            if x.service == -1 {
                let sd = config.scrapeConfigs[x.job].consulSD[x.sd]
                // /v1/catalog/services changes for this watch only when the service enters or leaves its list
                if let has = c.hasInstances(service: s, from: host), (has && consulShouldWatch(sd, s)) == consulListed[x.job][x.sd][s] { continue }
            } else if x.service != s { continue }
            consulCatchUp(w, now)
            consulWatches[w].dirty = true
            if consulWatches[w].issuedAt <= now { consulRespond(w, at: now) } else { consulScheduleWake(w) }
        }
    }

    /// A watch's wake-up: its next query is issued now and answers at once (its index moved).
    func consulWake(_ w: Int) {
        guard w < consulWatches.count, consulWatches[w].active else { return }
        consulWatches[w].wakeScheduled = false
        let now = model.sim.now
        guard consulWatches[w].issuedAt == now else { return }
        if consulWatches[w].dirty { consulRespond(w, at: now) }
    }

    func consulScheduleWake(_ w: Int) {
        guard !consulWatches[w].wakeScheduled else { return }
        consulWatches[w].wakeScheduled = true
        _ = model.sim.schedule(at: consulWatches[w].issuedAt, target: target, kind: Kind.consulWatch.rawValue,
                               arg: IndexGeneration.pack(w, processGen))
    }

    /// When the loop issues its next query after a return at `ready` (after the retry sleep on an
    /// error): at once when a tick fell since the last issue (the ticker held it), else at the next tick.
    func consulNextIssue(_ w: Int, ready: SimTime) -> SimTime {
        let x = consulWatches[w]
        let r = max(1, config.scrapeConfigs[x.job].consulSD[x.sd].refreshInterval.nanoseconds)
        let since = x.issuedAt.nanoseconds - x.gridStart.nanoseconds
        let firstTickAfterIssue = x.gridStart + SimDuration(nanoseconds: (since / r + 1) * r)
        return firstTickAfterIssue <= ready ? ready : firstTickAfterIssue
    }

    /// Replays the unchanged returns of the watch's blocking queries up to `now`.
    func consulCatchUp(_ w: Int, _ now: SimTime) {
        while consulWatches[w].issuedAt <= now {
            if consulWatches[w].timeoutAt == nil {
                let jitter = SimDuration(nanoseconds: Int64(consulJitter.uniform() * Double(PrometheusServer.consulWatchTimeout.nanoseconds / 16)))
                consulWatches[w].timeoutAt = consulWatches[w].issuedAt + PrometheusServer.consulWatchTimeout + jitter
            }
            guard let t = consulWatches[w].timeoutAt, t <= now else { return }
            let next = consulNextIssue(w, ready: t)
            consulWatches[w].issuedAt = next
            consulWatches[w].timeoutAt = nil
        }
    }

    /// The watch's query answers at `a` (its index moved, or its first query): the targets on
    /// success, else the retry after 15 s and a tick, the targets kept.
    func consulRespond(_ w: Int, at a: SimTime) {
        let ok = consulRead(w)
        if ok { consulWatches[w].dirty = false } else { consulRPCFailures += 1 }
        let next = consulNextIssue(w, ready: ok ? a : a + PrometheusServer.consulRetryInterval)
        consulWatches[w].issuedAt = next
        consulWatches[w].timeoutAt = nil
        if next > a && consulWatches[w].dirty { consulScheduleWake(w) }
    }

    /// One query of the watch now; false when no Consul server answers the agent it asks.
    func consulRead(_ w: Int) -> Bool {
        guard let c = catalog else { return true }
        let x = consulWatches[w]
        let sd = config.scrapeConfigs[x.job].consulSD[x.sd]
        // allow_stale: false reads from the leader (a follower forwards; none: `No cluster leader`)
        if !sd.allowStale, c.lastContact(from: host) != .zero { return false }
        if x.service >= 0 {
            guard let fresh = consulTargets(sd, config.scrapeConfigs[x.job], service: x.service) else { return false }
            consulLast[x.job][x.sd][x.service] = fresh
            markDiscoveryPending(x.job)
            return true
        }
        var listed: [Bool] = []
        for s in c.serviceNames.indices {
            guard let has = c.hasInstances(service: s, from: host) else { return false }
            listed.append(has && consulShouldWatch(sd, s))
        }
        let now = model.sim.now
        for s in listed.indices where listed[s] != consulListed[x.job][x.sd][s] {
            if listed[s] {
                consulWatches.append(ConsulWatch(job: x.job, sd: x.sd, service: s, gridStart: now, issuedAt: now))
                consulRespond(consulWatches.count - 1, at: now)
            } else {
                // the watch is cancelled and an empty group sent for the service
                for v in consulWatches.indices where consulWatches[v].active && consulWatches[v].job == x.job
                    && consulWatches[v].sd == x.sd && consulWatches[v].service == s { consulWatches[v].active = false }
                consulLast[x.job][x.sd][s] = []
                markDiscoveryPending(x.job)
            }
        }
        consulListed[x.job][x.sd] = listed
        return true
    }

    /// consul.go `shouldWatch`: in `services` when given, and every tag of `tags` among the
    /// service's catalog tags.
    func consulShouldWatch(_ sd: ConsulSDConfig, _ s: Int) -> Bool {
        guard let c = catalog else { return false }
        if !sd.services.isEmpty && !sd.services.contains(c.serviceNames[s]) { return false }
        let tags = c.serviceTags(service: s)
        return sd.tags.allSatisfy { tags.contains($0) }
    }

    /// The answer of /v1/health/service/<name> (every status: `passingOnly` false) as targets:
    /// the instances carrying every tag of `tags` (`ServiceMultipleTags`), with consul.go's
    /// labels; nil when no server answers.
    func consulTargets(_ sd: ConsulSDConfig, _ sc: ScrapeConfig, service s: Int) -> [DiscoveredTarget]? {
        guard let c = catalog, let instances = c.health(service: s, filter: .any, from: host) else { return nil }
        let name = c.serviceNames[s]
        let sep = sd.tagSeparator
        var out: [DiscoveredTarget] = []
        for inst in instances {
            let tags = c.tags(service: s, instance: inst)
            guard sd.tags.allSatisfy({ tags.contains($0) }) else { continue }
            let addr = Host.address(ofIndex: inst.host)
            let ls = [MetricLabel("__address__", "\(addr):\(inst.port)"), MetricLabel("__meta_consul_address", addr),
                      MetricLabel("__meta_consul_node", hostName(inst.host)), MetricLabel("__meta_consul_service", name),
                      MetricLabel("__meta_consul_service_address", addr), MetricLabel("__meta_consul_service_port", String(inst.port)),
                      MetricLabel("__meta_consul_service_id", c.serviceID(service: s, instance: inst) ?? name),
                      MetricLabel("__meta_consul_health", PrometheusServer.aggregatedStatus(c.checks(service: s, instance: inst))),
                      MetricLabel("__meta_consul_tags", sep + tags.joined(separator: sep) + sep),
                      MetricLabel("__meta_consul_dc", sd.datacenter.isEmpty ? "dc1" : sd.datacenter)]
            if let x = populate(ls, sc, endpoint: MetricEndpoint(kind: .app, host: inst.host, port: inst.port, task: inst.task)) { out.append(x) }
        }
        return out
    }

    /// api.HealthChecks.AggregatedStatus (the model has no maintenance checks): critical when
    /// any check is, else warning when any is, else passing (also with no checks).
    static func aggregatedStatus(_ checks: [ServiceCheckStatus]) -> String {
        if checks.contains(where: { $0.status == .critical }) { return "critical" }
        if checks.contains(where: { $0.status == .warning }) { return "warning" }
        return "passing"
    }
}
