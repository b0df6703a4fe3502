import SimKernel

// Mesos' metrics as Prometheus scrapes them: mesos_exporter next to each master and agent
// (:9105; mesosphere/mesos_exporter master.go, slave.go, which rename /metrics/snapshot keys),
// and cAdvisor's per-container families for the containers Mesos' Docker containerizer runs on
// a host (google/cadvisor metrics/prometheus.go). Values are read from the model when a scrape
// asks; the only state kept for them is the terminal-state counts below. See docs/metrics.md.

/// What the exporters need that Mesos does not own: the containers' work (traffic) and
/// Prometheus' clock. Set by `HostMetrics` when the Prometheus subsystem builds it.
public struct MesosExporterHooks {
    public weak var work: ContainerWorkSource?
    public var promTime: PromTime
    public init(work: ContainerWorkSource? = nil, promTime: PromTime = PromTime(baseMs: PromTime.defaultBaseMs)) {
        self.work = work; self.promTime = promTime
    }
}

/// Tasks that reached a terminal state, counted by a master (`master/tasks_failed` ...) or an
/// agent (`slave/tasks_failed` ...) since its process started: `epoch` is the process'
/// incarnation (a leader's election epoch, an agent's incarnation), and the counts restart from
/// 0 when it changes.
public struct MesosExitCounters {
    /// errored, failed, finished, killed, lost (mesos_exporter's `state` values, in that order).
    public static let states = ["errored", "failed", "finished", "killed", "lost"]
    var counts = [Double](repeating: 0, count: 5)
    var epoch = Int64.min
    public init() {}

    static func index(_ s: TaskState) -> Int? {
        switch s {
        case .error: return 0
        case .failed: return 1
        case .finished: return 2
        case .killed: return 3
        case .lost: return 4
        default: return nil
        }
    }

    mutating func count(_ s: TaskState, epoch e: Int64) {
        guard let i = MesosExitCounters.index(s) else { return }
        if epoch != e { counts = [0, 0, 0, 0, 0]; epoch = e }
        counts[i] += 1
    }

    func values(epoch e: Int64) -> [Double] { epoch == e ? counts : [0, 0, 0, 0, 0] }
}

extension MesosCluster: MetricsContributor {
    static let masterFamilies = [
        MetricFamily("mesos_master_elected", .gauge, "1 if master is elected leader, 0 if not"),
        MetricFamily("mesos_master_cpus", .gauge, "Current CPU resources in cluster."),
        MetricFamily("mesos_master_mem", .gauge, "Current memory resources in cluster."),
        MetricFamily("mesos_master_disk", .gauge, "Current disk resources in cluster."),
        MetricFamily("mesos_master_slaves_state", .gauge, "Current number of slaves known to the master per connection and registration state."),
        MetricFamily("mesos_master_frameworks_state", .gauge, "Current number of frames known to the master per connection and registration state."),
        MetricFamily("mesos_master_offers_pending", .gauge, "Current number of offers made by the master which aren't yet accepted or declined by frameworks."),
        MetricFamily("mesos_master_task_states_current", .counter, "Current number of tasks by state."),
        MetricFamily("mesos_master_task_states_exit_total", .counter, "Total number of tasks processed by exit state."),
    ]
    static let agentFamilies = [
        MetricFamily("mesos_slave_registered", .gauge, "1 if slave is registered with master, 0 if not."),
        MetricFamily("mesos_slave_cpus", .gauge, "Current CPU resources in cluster."),
        MetricFamily("mesos_slave_mem", .gauge, "Current memory resources in cluster."),
        MetricFamily("mesos_slave_disk", .gauge, "Current disk resources in cluster."),
        MetricFamily("mesos_slave_task_states_current", .counter, "Current number of tasks by state."),
        MetricFamily("mesos_slave_task_states_exit_total", .counter, "Total number of tasks processed by exit state."),
    ]
    static let containerFamilies = [
        MetricFamily("container_cpu_usage_seconds_total", .counter, "Cumulative cpu time consumed in seconds."),
        MetricFamily("container_memory_usage_bytes", .gauge, "Current memory usage in bytes, including all memory regardless of when it was accessed"),
        MetricFamily("container_memory_working_set_bytes", .gauge, "Current working set in bytes."),
        MetricFamily("container_spec_memory_limit_bytes", .gauge, "Memory limit for the container."),
        MetricFamily("container_spec_cpu_shares", .gauge, "CPU share of the container."),
        MetricFamily("container_fs_usage_bytes", .gauge, "Number of bytes that are consumed by the container on this filesystem."),
        MetricFamily("container_fs_limit_bytes", .gauge, "Number of bytes that can be consumed by the container on this filesystem."),
        MetricFamily("container_start_time_seconds", .gauge, "Start time of the container since unix epoch in seconds."),
        MetricFamily("container_last_seen", .gauge, "Last time a container was seen by the exporter"),
    ]

    public func metricEndpoints() -> [MetricEndpoint] {
        var out = masters.map { MetricEndpoint(kind: .mesosMaster, host: $0.host, port: ExporterKind.mesosMaster.defaultPort) }
        let masterHosts = Set(masters.map(\.host))
        for a in agents where !masterHosts.contains(a.host.index) {
            out.append(MetricEndpoint(kind: .mesosAgent, host: a.host.index, port: ExporterKind.mesosAgent.defaultPort))
        }
        return out
    }

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        switch kind {
        case .mesosMaster: return MesosCluster.masterFamilies
        case .mesosAgent: return MesosCluster.agentFamilies
        case .cadvisor: return MesosCluster.containerFamilies
        default: return []
        }
    }

    /// App endpoints answer while their task runs (its container alive); the others follow their host.
    public func endpointUp(_ e: MetricEndpoint, now: SimTime) -> Bool? {
        guard e.kind == .app, let id = e.task else { return nil }
        guard let t = task(id) else { return false }
        return t.state == .running && t.containerAlive
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        switch e.kind {
        case .mesosMaster:
            if let m = masters.first(where: { $0.host == e.host }) { collectMaster(m, into: w) }
        case .mesosAgent:
            if let a = agent(onHost: e.host) { collectAgent(a, into: w) }
        case .cadvisor:
            if let a = agent(onHost: e.host) { collectContainers(a, now: now, into: w) }
        default: break
        }
    }

    /// free/used pairs of mesos_exporter's resource gauges (`type` label).
    private func freeUsed(_ w: MetricWriter, _ f: MetricFamily, total: Scalar, used: Scalar) {
        guard w.begin(f, exposing: 2) else { return }
        w.add(f.name, [("type", "free")], (total - used).value)
        w.add(f.name, [("type", "used")], used.value)
    }

    /// A standby master answers /metrics/snapshot with `master/elected` 0 and its master/* gauges
    /// at 0 (it holds no agents, frameworks or tasks until elected).
    private func collectMaster(_ m: MesosMaster, into w: MetricWriter) {
        let f = MesosCluster.masterFamilies
        let elected = m.running && m.leading && leader == m.index
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, [], elected ? 1 : 0) }
        let registered = registeredTotals()
        let total = elected ? registered.total : .empty, used = elected ? registered.allocated : .empty
        freeUsed(w, f[1], total: total.cpus, used: used.cpus)
        freeUsed(w, f[2], total: total.memMB, used: used.memMB)
        freeUsed(w, f[3], total: total.diskMB, used: used.diskMB)
        if w.begin(f[4], exposing: 3) {
            var active = 0.0, disconnected = 0.0
            if elected {
                for a in agents {
                    switch a.masterState {
                    case .registered: if a.active { active += 1 } else { disconnected += 1 }   // disconnectAgent
                    case .recovered: disconnected += 1
                    default: break
                    }
                }
            }
            w.add(f[4].name, [("connection_state", "connected"), ("live_state", "active")], active)
            w.add(f[4].name, [("connection_state", "connected"), ("live_state", "inactive")], 0)
            w.add(f[4].name, [("connection_state", "disconnected"), ("live_state", "inactive")], disconnected)
        }
        if w.begin(f[5], exposing: 3) {
            let registered = elected ? Double(frameworks.filter(\.registered).count) : 0
            let gone = elected ? Double(frameworks.filter { !$0.registered && $0.everRegistered }.count) : 0
            w.add(f[5].name, [("connection_state", "connected"), ("live_state", "active")], registered)
            w.add(f[5].name, [("connection_state", "connected"), ("live_state", "inactive")], 0)
            w.add(f[5].name, [("connection_state", "disconnected"), ("live_state", "inactive")], gone)
        }
        if w.begin(f[6], exposing: 1) { w.add(f[6].name, [], elected ? Double(offersOutstanding) : 0) }
        if w.begin(f[7], exposing: 3) {
            var counts = [0.0, 0.0, 0.0]
            if elected {
                for fw in frameworks { for id in fw.liveTasks { if let t = tasks[id] { MesosCluster.tally(t.reported, &counts) } } }
            }
            MesosCluster.writeCurrent(w, f[7].name, counts)
        }
        if w.begin(f[8], exposing: 5) {
            let v = exitCounters.values(epoch: elected ? Int64(leaderEpoch) : Int64.min + 1)
            for (s, x) in zip(MesosExitCounters.states, v) { w.add(f[8].name, [("state", s)], x) }
        }
    }

    private func collectAgent(_ a: MesosAgent, into w: MetricWriter) {
        let f = MesosCluster.agentFamilies
        let on = a.processRunning
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, [], on && a.masterState == .registered ? 1 : 0) }
        let used = on ? a.allocated : .empty
        freeUsed(w, f[1], total: a.total.cpus, used: used.cpus)
        freeUsed(w, f[2], total: a.total.memMB, used: used.memMB)
        freeUsed(w, f[3], total: a.total.diskMB, used: used.diskMB)
        if w.begin(f[4], exposing: 3) {
            var counts = [0.0, 0.0, 0.0]
            if on { for id in a.tasks { if let t = tasks[id] { MesosCluster.tally(t.state, &counts) } } }
            MesosCluster.writeCurrent(w, f[4].name, counts)
        }
        if w.begin(f[5], exposing: 5) {
            let v = a.exitCounters.values(epoch: on ? Int64(a.incarnation) : Int64.min + 1)
            for (s, x) in zip(MesosExitCounters.states, v) { w.add(f[5].name, [("state", s)], x) }
        }
    }

    private static func tally(_ s: TaskState, _ c: inout [Double]) {
        switch s {
        case .running: c[0] += 1
        case .staging: c[1] += 1
        case .starting: c[2] += 1
        default: break
        }
    }

    private static func writeCurrent(_ w: MetricWriter, _ name: String, _ c: [Double]) {
        w.add(name, [("state", "running")], c[0])
        w.add(name, [("state", "staging")], c[1])
        w.add(name, [("state", "starting")], c[2])
    }

    /// cAdvisor's root cgroup's labels.
    static let rootContainerLabels: [(String, String)] = [("id", "/")]

    /// cAdvisor's view of the host: the root cgroup `/` and every live container Mesos started.
    private func collectContainers(_ a: MesosAgent, now: SimTime, into w: MetricWriter) {
        // the count first, without collecting: a scrape that keeps no container family (the
        // rules read none) needs only the exposition's size, so nothing is allocated for it
        var n = 0
        for id in a.tasks { if let t = tasks[id], t.containerAlive, !t.state.isTerminal { n += 1 } }
        let f = MesosCluster.containerFamilies
        let hooks = exporterHooks
        // the containers and their labels are listed once per scrape, and only when a family is wanted
        var listed: [MesosTask]? = nil
        func live() -> [MesosTask] {
            if let l = listed { return l }
            let l = a.tasks.compactMap { id -> MesosTask? in
                guard let t = tasks[id], t.containerAlive, !t.state.isTerminal else { return nil }
                return t
            }
            listed = l
            return l
        }
        var made: [[(String, String)]]? = nil
        func labels() -> [[(String, String)]] {
            if let l = made { return l }
            let l = live().map { t -> [(String, String)] in
                if let l = t.cadvisorLabels { return l }
                let l = CadvisorContainer.labels(task: t.id, agentID: a.agentID, image: t.image?.name)
                t.cadvisorLabels = l
                return l
            }
            made = l
            return l
        }
        let root = MesosCluster.rootContainerLabels
        let mib = 1024.0 * 1024.0
        if w.begin(f[0], exposing: n + 1) {
            let hostUser = hooks.work?.hostContainerCPUSeconds(host: a.host.index, now: now) ?? 0
            w.add(f[0].name, root + [("cpu", "total")], hostUser)
            for (t, l) in zip(live(), labels()) {
                w.add(f[0].name, l + [("cpu", "total")], hooks.work?.containerCPUSeconds(task: t.id, now: now) ?? 0)
            }
        }
        // no memory-demand model: a container's usage is its reservation (the limit Docker enforces)
        for k in 1...2 where w.begin(f[k], exposing: n + 1) {
            w.add(f[k].name, root, Double(a.host.allocatedMemoryBytes))
            for (t, l) in zip(live(), labels()) { w.add(f[k].name, l, t.resources.memMB.value * mib) }
        }
        if w.begin(f[3], exposing: n) { for (t, l) in zip(live(), labels()) { w.add(f[3].name, l, t.resources.memMB.value * mib) } }
        // Mesos' Docker containerizer: --cpu-shares = cpus * 1024 (CPU_SHARES_PER_CPU)
        if w.begin(f[4], exposing: n) { for (t, l) in zip(live(), labels()) { w.add(f[4].name, l, (t.resources.cpus.value * 1024).rounded(.down)) } }
        // the writable layer Storage knows (none without a storage section)
        let withLayer = containerStorage is NoContainerStorage ? 0 : n
        let fsUsage = w.begin(f[5], exposing: withLayer), fsLimit = w.begin(f[6], exposing: withLayer)
        if withLayer > 0 && (fsUsage || fsLimit) {
            for (t, l) in zip(live(), labels()) {
                guard let x = containerStorage.writableLayer(task: t.id, now: now) else { continue }
                if fsUsage { w.add(f[5].name, l + [("device", x.device)], x.usage) }
                if fsLimit { w.add(f[6].name, l + [("device", x.device)], x.limit) }
            }
        }
        if w.begin(f[7], exposing: n) {
            for (t, l) in zip(live(), labels()) { w.add(f[7].name, l, hooks.promTime.seconds(t.runningAt ?? t.launchedAt)) }
        }
        if w.begin(f[8], exposing: n + 1) {
            let seen = hooks.promTime.seconds(now)
            w.add(f[8].name, root, seen)
            for l in labels() { w.add(f[8].name, l, seen) }
        }
        // a task on the agent whose container has not started (or has stopped) may start one
        // with no signal at that instant; a task joins the agent only with its TASK_STAGING
        // status update (`.statusUpdate` with this host): 7 samples per container above, 2 more
        // with a writable layer
        w.mayExpose((a.tasks.count - n) * (containerStorage is NoContainerStorage ? 7 : 9))
    }
}
