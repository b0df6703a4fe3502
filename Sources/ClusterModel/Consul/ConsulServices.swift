import SimKernel

// Services registered by the agent on a task's host (registrator style) and their way into the
// servers' catalog: every change to an agent's local state syncs at once when there is a leader
// (agent/local/state.go SyncChanges); otherwise it waits for the agent's next full sync
// (anti-entropy, agent/ae/ae.go: every ae_interval + U[0, scale·ae_interval), failed ones retried
// after 15 s + U[0, scale·15 s)).

/// One registered service instance.
struct InstanceState {
    let id: String
    /// Index in `serviceNames`.
    let name: Int
    let task: TaskID
    let host: Int
    let member: Int
    let port: Int
    /// The service definition's tags.
    let tags: [String]
    var checks: [Int]
    /// In the agent's local state / in the servers' catalog.
    var inLocal = true
    var inCatalog = false
    /// Registered by registrator through the agent's HTTP API (persisted in the agent's data_dir).
    var viaRegistrator = false
}

extension ConsulCluster: ServiceCatalog {
    public func healthIndex(service: Int) -> UInt64 { healthIndexes[service] }

    /// Whether a client on `host` gets an answer: its host up, a server that may answer (stale
    /// reads allowed) and that it reaches.
    func answers(from host: Int) -> Bool {
        model.infrastructure.hosts[host].state.isUp && canRead() && reachesAServer(host)
    }

    /// A write goes to the leader (agent/consul/kvs_endpoint.go `Apply`: `ForwardRPC`); without
    /// one the server answers structs.ErrNoLeader after its hold, with no server up the agent has
    /// none to ask (structs.ErrNoServers).
    public func writeRefusal() -> String? {
        // a leader cut off from a quorum takes the write and fails it at its step-down
        // (hashicorp/raft ErrLeadershipLost)
        if leader != nil && leaderIsolated { return "leadership lost while committing log" }
        guard leader == nil else { return nil }
        return liveServers > 0 ? "No cluster leader" : "No known Consul servers"
    }

    public func lastContact(from host: Int) -> SimDuration? {
        answers(from: host) ? staleAge() : nil
    }

    public func health(service: Int, filter: ServiceHealthFilter, from host: Int) -> [ServiceInstance]? {
        guard answers(from: host) else { return nil }
        var out: [ServiceInstance] = []
        for i in ordered(service) {
            let s = status(ofInstance: i)
            switch filter {
            case .passing: if s != .passing { continue }
            case .passingOrWarning: if s == .critical { continue }
            case .any: break
            }
            let x = instances[i]
            out.append(ServiceInstance(task: x.task, host: x.host, port: x.port))
        }
        return out
    }

    public func serviceTags(service: Int) -> [String] { definitionTags[service] }

    public func tags(service: Int, instance: ServiceInstance) -> [String] {
        instanceIndex(service: service, instance: instance).map { instances[$0].tags } ?? []
    }

    public func serviceID(service: Int, instance: ServiceInstance) -> String? {
        instanceIndex(service: service, instance: instance).map { instances[$0].id }
    }

    func instanceIndex(service: Int, instance: ServiceInstance) -> Int? {
        for i in instancesOfTask[instance.task] ?? [] where instances[i].name == service && instances[i].port == instance.port { return i }
        // a task already gone whose entry the catalog still lists (its deregistration not yet synced)
        for i in catalog[service] where instances[i].task == instance.task && instances[i].port == instance.port { return i }
        return nil
    }

    /// The entry's checks as the health endpoint lists them: the node's serfHealth first (node
    /// checks before service checks), then the service's checks in definition order, each with
    /// the status the servers hold (`status(ofInstance:)` is their aggregate).
    public func checks(service: Int, instance: ServiceInstance) -> [ServiceCheckStatus] {
        guard let i = instanceIndex(service: service, instance: instance) else { return [] }
        let x = instances[i]
        var out = [ServiceCheckStatus(serviceCheck: false, name: "Serf Health Status", status: members[x.member].serfCritical ? .critical : .passing)]
        for c in x.checks { out.append(ServiceCheckStatus(serviceCheck: true, name: checks[c].def.name, status: checks[c].catalogStatus)) }
        return out
    }

    /// `health(service:filter: .any, from:)` is non-empty exactly when the service has catalog
    /// entries: answered without listing them (consul-template's `services` reads every service).
    public func hasInstances(service: Int, from host: Int) -> Bool? {
        answers(from: host) ? !catalog[service].isEmpty : nil
    }

    /// A service's catalog entries in memdb's "id" index order: by node name, then service id.
    /// Sorted once per change of the service's entries (a blocking query's answer is read by every
    /// consul-template after each change), with node names compared by their rank.
    func ordered(_ service: Int) -> [Int] {
        if let o = orderedCatalog[service] { return o }
        let o = catalog[service].sorted { a, b in
            let ha = instances[a].host, hb = instances[b].host
            return ha != hb ? hostNameRank[ha] < hostNameRank[hb] : instances[a].id < instances[b].id
        }
        orderedCatalog[service] = o
        return o
    }

    /// The aggregated status the servers hold: the worst of the node's serfHealth and the checks.
    func status(ofInstance i: Int) -> ConsulHealth {
        let x = instances[i]
        if members[x.member].serfCritical { return .critical }
        var worst = ConsulHealth.passing
        for c in x.checks {
            switch checks[c].catalogStatus {
            case .critical: return .critical
            case .warning: worst = .warning
            case .passing: break
            }
        }
        return worst
    }

    /// Registered instances by status, as the servers hold them (passing, warning, critical).
    public func serviceCounts() -> (passing: Int, warning: Int, critical: Int) {
        var p = 0, w = 0, c = 0
        for s in catalog.indices {
            let n = statusCounts(service: s)
            p += n.passing; w += n.warning; c += n.critical
        }
        return (p, w, c)
    }

    /// One service's catalog entries by status, counted again only when its health index moved:
    /// every change of what the servers hold for a service's entries (an entry committed or
    /// removed, a check's status committed, its node's serfHealth) bumps the index (`bump`), as
    /// Consul's blocking queries rely on. `ConsulTests.testStatusCountsFollowTheCatalog`
    /// compares them with `countStatuses` after every event.
    func statusCounts(service s: Int) -> (passing: Int, warning: Int, critical: Int) {
        let cached = statusCounts[s]
        if cacheStatusCounts && cached.index == healthIndexes[s] { return (cached.passing, cached.warning, cached.critical) }
        let n = countStatuses(service: s)
        statusCounts[s] = (healthIndexes[s], n.passing, n.warning, n.critical)
        return n
    }

    /// Counts the service's catalog entries by `status(ofInstance:)`.
    func countStatuses(service s: Int) -> (passing: Int, warning: Int, critical: Int) {
        var p = 0, w = 0, c = 0
        for i in catalog[s] {
            switch status(ofInstance: i) {
            case .passing: p += 1
            case .warning: w += 1
            case .critical: c += 1
            }
        }
        return (p, w, c)
    }

    // MARK: registration

    func taskStatus(_ task: TaskID, _ state: TaskState, reason: TaskReason = .none, host: Int) {
        if state == .running {
            register(task, host: host)
        } else if state.isTerminal, registratorHeld[task] != nil {
            registratorContainerDied(task, state, reason)       // RegistratorProcess.swift
        } else if state.isTerminal, let list = instancesOfTask.removeValue(forKey: task) {
            for i in list { deregisterLocally(i, reason: "task \(state)") }
        }
    }

    func register(_ id: TaskID, host: Int) {
        guard instancesOfTask[id] == nil, let m = memberOfHost[host], members[m].agentUp,
              let t = mesos?.task(id), let app = t.source else { return }
        let defs: [ConsulServiceDefinition]
        if let d = definitionsOfApp[app] {
            defs = d
        } else if let r = registratorOfApp[app] {
            registerAsRegistrator(t, services: r, host: host, member: m)
            return
        } else if spec.registerAll {
            defs = [ConsulServiceDefinition(name: ConsulCluster.serviceName(ofApp: app))]
        } else { return }
        var list: [Int] = []
        for (k, d) in defs.enumerated() {
            guard let name = nameIndex[d.name] else { continue }
            let port = t.resources.ports.lowest(1)?.first ?? d.port ?? 0
            var sid = "\(hostName(host)):\(t.name):\(port)"
            if k > 0 { sid += ":" + d.name }
            let x = InstanceState(id: sid, name: name, task: id, host: host, member: m, port: port, tags: d.tags, checks: [])
            let i: Int
            if let free = freeInstances.popLast() { i = free; instances[i] = x } else { i = instances.count; instances.append(x) }
            for cd in d.checks { instances[i].checks.append(addCheck(cd, instance: i, task: t)) }
            members[m].instances.append(i)
            list.append(i)
            changed(i)
        }
        instancesOfTask[id] = list
    }

    /// Registrator's registrations of a task (Registrator.swift): one per published port, on its
    /// host port, with the id `host:task:exposed-port[:udp]` (bridge.go newService; the Mesos task
    /// name stands for the Docker container name) unless SERVICE_ID gives one. A registration
    /// whose id this agent already holds replaces it, as Consul's agent does with a service
    /// registered again under the same id.
    func registerAsRegistrator(_ t: MesosTask, services: [RegistratorService], host: Int, member m: Int) {
        let count = services.reduce(0) { max($0, $1.hostPortIndex + 1) }
        let hostPorts = t.resources.ports.lowest(count) ?? []
        instancesOfTask[t.id] = []
        var held = RegistratorHeld(member: m, services: [])
        for r in services {
            guard nameIndex[r.definition.name] != nil, r.hostPortIndex < hostPorts.count else { continue }
            // `-internal`: the exposed port; otherwise the host port
            let port: Int
            if r.registersExposedPort, let e = r.exposedPort { port = e }
            else if r.hostPortIndex >= 0 { port = hostPorts[r.hostPortIndex] }
            else { continue }
            let sid = r.definition.id ?? "\(hostName(host)):\(t.name):\(r.exposedPort ?? (r.hostPortIndex >= 0 ? hostPorts[r.hostPortIndex] : port))" + (r.udp ? ":udp" : "")
            addRegistration(t, r, id: sid, port: port, member: m)
            held.services.append((sid, r, port))
        }
        registratorHeld[t.id] = held
        registrators[m].tasks.append(t.id)
    }

    /// One registration through the agent's HTTP API: an entry with the same id on this agent is
    /// replaced, as Consul's agent does (local/state.go AddService); registrator still holds the
    /// id for the container that registered it first (RegistratorProcess.swift).
    func addRegistration(_ t: MesosTask, _ r: RegistratorService, id sid: String, port: Int, member m: Int) {
        guard let name = nameIndex[r.definition.name] else { return }
        for old in members[m].instances where instances[old].inLocal && instances[old].id == sid {
            log("consulServiceReplaced", sid, "registered again by task \(t.name)")
            deregisterLocally(old, reason: "replaced")
            instancesOfTask[t.id]?.removeAll { $0 == old }
        }
        var x = InstanceState(id: sid, name: name, task: t.id, host: members[m].host, member: m, port: port, tags: r.definition.tags, checks: [])
        x.viaRegistrator = true
        let i: Int
        if let free = freeInstances.popLast() { i = free; instances[i] = x } else { i = instances.count; instances.append(x) }
        for cd in r.definition.checks { instances[i].checks.append(addCheck(cd, instance: i, task: t)) }
        members[m].instances.append(i)
        instancesOfTask[t.id, default: []].append(i)
        changed(i)
    }

    func deregisterLocally(_ i: Int, reason: String) {
        guard instances[i].inLocal else { return }
        let m = instances[i].member
        guard members[m].agentUp else { return }     // the agent is down: resolved when it restarts
        instances[i].inLocal = false
        for c in instances[i].checks { checks[c].gen &+= 1 }
        changed(i)
    }

    /// The agent came back (host up): its local state holds no service of a task that died with
    /// the host (registrator's resync); a full sync runs at start.
    func agentRestarted(_ m: Int) {
        // with registrator's command line given: what it registered comes back from the data_dir
        let restored = spec.registrator != nil ? restorePersisted(m) : []
        for i in members[m].instances where instances[i].inLocal && !restored.contains(i) {
            instances[i].inLocal = false
            markDirty(i)
        }
        for i in members[m].instances { instancesOfTask[instances[i].task] = nil }
        // registrator starts with its host: it holds nothing, its resync ticker counts from now
        for t in registrators[m].tasks { registratorHeld[t] = nil }
        registrators[m].tasks = []
        registrators[m].startedAt = now
        registrators[m].resyncPending = false
        registrators[m].resyncGen &+= 1
        fullSync(member: m)
        // registrator's Sync(false) at its start: with -cleanup, the restored services of containers that are gone
        if registratorFlags.cleanup { registratorCleanup(m) }
    }

    // MARK: sync

    /// Local state changed for instance `i`: sync now if possible, else wait for anti-entropy.
    func changed(_ i: Int) {
        let m = instances[i].member
        if reachesLeader(members[m].host) && members[m].agentUp {
            // a partial sync sends everything out of sync (local/state.go SyncChanges)
            flushDirty(m)
            applyToCatalog(i)
        } else {
            holdForLeader(m)
            markDirty(i)
        }
    }

    /// `performance.rpc_hold_timeout` (7 s): a server holds a request it must forward while there
    /// is no leader, waiting for one (agent/consul/rpc.go `forward`), then answers `No cluster leader`.
    public var leaderHold: SimDuration { config.rpcHoldTimeout }

    /// The agent's sync failed because the servers have no leader (a server answers): the server
    /// holds it, so a leader elected within rpc_hold_timeout commits it at once (`leaderElected`).
    func holdForLeader(_ m: Int) {
        if leader == nil && reachesAServer(members[m].host) { members[m].heldUntil = now + leaderHold }
    }

    /// A leader was elected: the agents' syncs the servers were holding go through now.
    func releaseHeldSyncs() {
        for m in members.indices {
            guard let until = members[m].heldUntil else { continue }
            members[m].heldUntil = nil
            guard until >= now, members[m].agentUp, members[m].syncPending, reachesLeader(members[m].host) else { continue }
            members[m].syncPending = false
            members[m].syncGen &+= 1        // the scheduled retry or periodic sync has nothing left to do
            flushDirty(m)
        }
    }

    /// A server joined the LAN pool: every agent's ServerUp callback triggers a full sync after
    /// RandomStagger(scale × 3 s) (agent/consul/client_serf.go `nodeJoin` → agent/agent.go
    /// `ServerUp = a.sync.SyncFull.Trigger`; agent/ae/ae.go `serverUpIntv`, `syncChangesEventFn`,
    /// `retrySyncFullEventFn`). Only agents with a change waiting are simulated: for the others the
    /// sync carries no news (their periodic cycle is not restarted, the model's choice).
    func serverJoined(_ s: Int) {
        let f = Int64(Memberlist.aeScaleFactor(nodes: poolSize))
        for m in members.indices where m != s && members[m].agentUp && members[m].syncPending && !members[m].dirty.isEmpty {
            members[m].syncGen &+= 1
            schedule(.agentSync, at: now + uniform(m, .seconds(3) * f), IndexGeneration.pack(m, members[m].syncGen))
        }
    }

    /// An agent on `host` can reach the server on `server` (a Mesos network partition cuts a host
    /// off from the masters' and ZooKeeper's hosts; Consul's servers there are cut off with them).
    /// Gossip is not affected: the other members' indirect probes still reach a partitioned node,
    /// so it stays alive in the pool while its RPCs to those servers fail.
    func reaches(_ host: Int, server: Int) -> Bool { !(mesos?.cut(host, server) ?? false) }

    /// Is there a leader, and can an agent on `host` reach it (syncs go to the leader)?
    func reachesLeader(_ host: Int) -> Bool {
        guard let l = leader, !leaderIsolated else { return false }
        return reaches(host, server: members[serverMembers[l]].host)
    }

    /// Can a client on `host` reach some server that is up (a stale read), or the leader?
    func reachesAServer(_ host: Int) -> Bool {
        if reachesLeader(host) { return true }
        return serverMembers.contains { members[$0].agentUp && reaches(host, server: members[$0].host) }
    }

    func markDirty(_ i: Int) {
        let m = instances[i].member
        if !members[m].dirty.contains(i) { members[m].dirty.append(i) }
        guard !members[m].syncPending, members[m].agentUp else { return }
        // the failed partial sync waits for the agent's next periodic full sync
        members[m].syncPending = true
        members[m].syncGen &+= 1
        schedule(.agentSync, at: nextPeriodicFullSync(m), IndexGeneration.pack(m, members[m].syncGen))
    }

    /// The agent's full syncs come every ae_interval + RandomStagger(scale × ae_interval) after
    /// the last one (ae.go). They carry no news while everything is in sync, so they are not
    /// events: the cycle is advanced here, drawing its staggers from the agent's stream, only
    /// when a change is waiting for the next one.
    func nextPeriodicFullSync(_ m: Int) -> SimTime {
        let ae = SimDuration.minutes(1)
        let f = Int64(Memberlist.aeScaleFactor(nodes: poolSize))
        var next = members[m].nextFullSync
        while next <= now { next = next + ae + uniform(m, ae * f) }
        members[m].nextFullSync = next
        return next
    }

    /// A full sync of agent `m`: with a leader, every unsynced change reaches the catalog;
    /// without, it fails and is retried after 15 s + stagger.
    func fullSync(member m: Int) {
        guard members[m].agentUp else { members[m].syncPending = false; return }
        members[m].nextFullSync = now         // the periodic cycle restarts from this sync
        guard reachesLeader(members[m].host) else {
            holdForLeader(m)
            members[m].syncPending = true
            members[m].syncGen &+= 1
            let f = Int64(Memberlist.aeScaleFactor(nodes: poolSize))
            let retry = SimDuration.seconds(15)
            schedule(.agentSync, at: now + retry + uniform(m, retry * f), IndexGeneration.pack(m, members[m].syncGen))
            return
        }
        members[m].syncPending = false
        flushDirty(m)
    }

    func flushDirty(_ m: Int) {
        guard !members[m].dirty.isEmpty else { return }
        let list = members[m].dirty
        members[m].dirty.removeAll()
        for i in list { applyToCatalog(i) }
    }

    /// The servers commit the agent's local state of instance `i`.
    func applyToCatalog(_ i: Int) {
        let x = instances[i]
        var moved = false
        if x.inLocal && !x.inCatalog {
            instances[i].inCatalog = true
            catalog[x.name].append(i)
            orderedCatalog[x.name] = nil
            for c in x.checks { checks[c].catalogStatus = checks[c].status }
            log("consulServiceRegistered", x.id, serviceNames[x.name])
            moved = true
        } else if !x.inLocal && x.inCatalog {
            instances[i].inCatalog = false
            catalog[x.name].removeAll { $0 == i }
            orderedCatalog[x.name] = nil
            members[x.member].instances.removeAll { $0 == i }
            log("consulServiceDeregistered", x.id, serviceNames[x.name])
            moved = true
            release(i)
        } else if x.inCatalog {
            for c in x.checks where checks[c].catalogStatus != checks[c].status {
                checks[c].catalogStatus = checks[c].status
                moved = true
            }
        }
        if moved {
            raftIndex += 1
            bump(x.name)
        }
    }

    /// Instance `i` left the catalog and its agent: its slot and its checks' slots are reused by
    /// later registrations (memory flat in simulated time on a platform whose tasks churn). Its
    /// checks' pending events are made stale; a task whose service was reaped keeps its (empty)
    /// entry, so it is not registered again.
    func release(_ i: Int) {
        for c in instances[i].checks {
            checks[c].gen &+= 1; checks[c].reapGen &+= 1
            freeChecks.append(c)
        }
        instancesOfTask[instances[i].task]?.removeAll { $0 == i }
        instances[i].checks = []
        freeInstances.append(i)
    }

    /// Slots held now (registered or free) and free: what a run keeps (ConsulTests).
    public var retainedSlots: (instances: Int, checks: Int, freeInstances: Int, freeChecks: Int) {
        (instances.count, checks.count, freeInstances.count, freeChecks.count)
    }

    /// X-Consul-Index of the service moves; blocking queries return.
    func bump(_ s: Int) {
        healthIndexes[s] = raftIndex
        model.signals.publish(.catalogChanged(service: s))
    }
}
