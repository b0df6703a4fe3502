import SimKernel

/// The Mesos layer: masters contending for leadership through the ZooKeeper ensemble (a subsystem
/// of its own), agents on hosts with their containerizers, the hierarchical DRF allocator and the
/// frameworks' scheduler drivers. One event handler; see docs/mesos.md for the mechanisms and what
/// is simplified. Its subsystem wiring (signals, containerizer plugins) is in MesosSubsystem.swift.
public final class MesosCluster: EventHandler, ZooKeeperWatcher, ZooKeeperClient {
    public let spec: MesosSpec
    /// unowned(unsafe): the model owns this subsystem for its whole life; a plain `unowned`
    /// reference costs a strong retain and release at every use (`now`, `schedule`, `log` ...).
    unowned(unsafe) let model: ClusterSimulation
    var target: Int32 = -1
    public let zooKeeper: ZooKeeperEnsemble
    public let masters: [MesosMaster]
    public let agents: [MesosAgent]
    /// Agent index by host index (nil: no agent on that host).
    let agentOfHost: [Int?]
    /// Hosts of masters and ZooKeeper servers (a partitioned host is cut off from these), by host
    /// index: an array read where a Set<Int> lookup hashed.
    let isControlHost: [Bool]
    var partitionDepth: [Int]
    var frameworks: [FrameworkState] = []
    /// Tasks by id: only those not yet forgotten (`forgetIfDone`), so the table follows the live
    /// tasks, not every task ever launched. Ids are given in launch order (`nextTaskID`) and never
    /// reused: frameworks, logs and orders (reconciliation, health ticks) read them.
    var tasks = SlotTable<MesosTask>()
    var nextTaskID: TaskID = 0
    /// Container plugins attached through the `Containerizer` contract (MesosSubsystem.swift).
    var containerStorage: ContainerStorage = NoContainerStorage.shared
    var containerNetwork: ContainerNetworking?
    /// Harbor, when the scenario has registries: asked first on every pull.
    var imageSource: ContainerImageSource?
    /// Plain registry pulls in flight (MesosPulls.swift).
    var downloads: ImageDownloads
    /// Launches so far per task name (the k of each task's stream "task:<name>#<k>"); names
    /// launched with `TaskLaunch.nameNeverRepeats` are not entered.
    var taskLaunchCounts: [String: Int] = [:]
    /// `docker run`'s answer to a Docker app's `log-driver` / `log-opt` parameters on a host
    /// group's daemon, by app id and host group (`dockerRunRefusal`), computed once.
    var dockerRunRefusals: [String: String?] = [:]
    /// The Docker-containerizer apps that give `log-driver` / `log-opt`, their options (lazily).
    var dockerLogApps: [String: DockerLogOptions]?
    /// Grows when a probe's regime may change for many tasks at once (host state, partitions):
    /// fidelity.healthChecks `fast` trusts a routine probe while it is unchanged (`RoutineProbe`).
    public internal(set) var probeEpoch = 0

    // leadership
    public internal(set) var leader: Int?
    var leaderEpoch: Int32 = 0
    /// The znode the detectors take for the leader's (the first child of the group): a leader is a
    /// master process, so a restarted master whose new znode comes first is a new leader, and the
    /// znode of a dead process leads nobody until its session expires.
    var leaderZNode: ZNode?
    public internal(set) var leaderReady = false
    public var quorum: Int { spec.masterFlags.quorum ?? (masters.count / 2 + 1) }
    static let zkPath = "/mesos"

    // allocator
    let allocatorStream: RandomStream
    var candidates: [Int] = []
    /// fidelity.offers `fast` with one framework: the allocator state of every agent not touched since
    /// the last revive, as one record (MesosAllocator.swift "the offer layer"); nil: every agent explicit.
    var offerLayer: OfferLayer? = nil
    /// `offerLayer?.stamp ?? 0`: an agent whose `touch` is below it is described by the layer.
    var layerStamp: UInt64 = 0
    /// `MesosAgent.touch` by agent index, in one array: the layer's draws (`drawLayerAgent`, by
    /// rejection) and `dissolveLayer` read it for agents they mostly do not change, so they need not
    /// load each agent (a cache miss per agent at thousands of agents; clustersim-bench crashloop).
    var touchStamps: [UInt64] = []
    var layerClock: UInt64 = 0
    /// fidelity.offers `fast`: revives make an offer layer (false: a candidate slot and a filter per
    /// agent, the fast path before the layer; FidelityEquivalenceTests compares the two).
    var offerLayers = true
    /// Revives that made a layer (instead of a candidate slot and a filter drop per agent).
    var layerRevives = 0
    /// Work of the allocation passes, counted for tests and clustersim-bench (never read by the model).
    public internal(set) var allocatorWork = AllocatorWork()
    /// Quiet ping loops (`nextPing`): an agent that answers every ping costs no events. false: one
    /// `pingTimeout` event per agent per agent_ping_timeout, the loop before (tests compare the two;
    /// the event log is the same).
    var quietPings = true
    /// An explicit reconciliation is answered with one message (`reconcile`). false: one status
    /// update message per task, as before (tests compare the two).
    var bulkReconciliation = true
    /// `reconcileChanges` answers only what may have changed (false: every task, as `reconcile`;
    /// tests and clustersim-bench's CLUSTERSIM_BENCH_RECONCILIATION=walk only: the outputs are the same).
    public var deltaReconciliation = true
    /// Bumped by every change of an agent's masterState, oldIdState or agentIdEpoch, of the leader's
    /// readiness and of a framework's registration: what a reconciliation answer reads beyond the
    /// task's own reported state. A framework's next `reconcileChanges` then answers all.
    var reconciliationEpoch = 0
    /// Answers made to explicit reconciliations (ReconciliationDeltaTests).
    var reconciliationAnswersMade = 0
    /// Agents active with allocatable free resources of the framework's data center (kept only
    /// once a layer was made: `offerableValid`), in no particular order; `MesosAgent.offerableSlot`.
    var offerableList: [Int] = []
    var offerableValid = false
    /// The agents of the running fast pass over the candidates (drawn up to `fastPassPos`); a layer agent
    /// made explicit during the pass joins it (`inFastPass`).
    var fastPass: [Int] = []
    var inFastPass = false
    /// Offers not yet accepted, declined or rescinded (their records are on their agents).
    var offersOutstanding = 0
    /// Sequence number of the next offer (its id adds the agent: `offerID`).
    var nextOfferID: Int64 = 1
    var filterGen: Int32 = 0
    /// Decline filters that expire together, one `filterExpire` event per batch (MesosAllocator.swift).
    var filterBatches: [FilterBatch] = []
    var freeFilterBatches: [Int] = []
    /// The batch still taking filters (made at this instant, same framework and expiry), or -1.
    var openFilterBatch = -1
    var totalActive = Resources.empty
    var allocatedActive = Resources.empty
    /// Agents disconnected by `disconnectAgent` (some may have re-registered or gone since).
    var disconnectedAgents: [Int] = []

    /// The master's totals and allocation over its registered agents, the disconnected (inactive)
    /// ones included (master.cpp `_resources_total`/`_resources_used` iterate `slaves.registered`).
    func registeredTotals() -> (total: Resources, allocated: Resources) {
        disconnectedAgents.removeAll { agents[$0].masterState != .registered || agents[$0].active }
        var total = totalActive, allocated = allocatedActive
        for i in disconnectedAgents { add(&total, agents[i].total); add(&allocated, agents[i].allocated) }
        return (total, allocated)
    }
    var nextRemovalToken = SimTime.zero

    // counters
    public internal(set) var offersMade = 0
    public internal(set) var offersAccepted = 0
    public internal(set) var offersDeclined = 0
    public internal(set) var offersRescinded = 0
    public internal(set) var filtersActive = 0
    public internal(set) var agentsRegistered = 0
    public internal(set) var agentsUnreachable = 0
    public internal(set) var tasksRunning = 0
    public internal(set) var detections: [AgentDetection] = []
    public internal(set) var failovers: [MasterFailover] = []
    /// Prometheus exporters (MesosMetrics.swift): what they read beyond Mesos, and the leading
    /// master's terminal-state counts (master/tasks_failed ...).
    public internal(set) var exporterHooks = MesosExporterHooks()
    var exitCounters = MesosExitCounters()

    enum Kind: Int32 {
        case masterStart = 1, registryRecovered, registryTimeout, reregisterTimeout
        case pingTimeout, agentRegister, agentStart, executorsExpire, markUnreachableDone
        case allocateBatch, allocateAgent, allocateAll, filterExpire, offerTimeout
        case frameworkRegister, flush
        case pullDone, containerStarted, taskExit, hcStart, hcPass, hcFail, killDone, execRegTimeout
        case partitionHeal, zkServerStart
        case pullResume
        case downloadDone, extractDone, levelDone
        case workDirFull, sandboxGC, diskWatch, diskQuota
        case statusUpdateRetry
    }

    /// The host group of the masters: `masterHostGroup`, else "master" when there is one, else the first group.
    static func masterGroup(_ spec: MesosSpec, groups: [String]) -> String {
        spec.masterHostGroup ?? (groups.contains("master") ? "master" : groups[0])
    }

    init(spec: MesosSpec, zooKeeper: ZooKeeperEnsemble, model: ClusterSimulation) {
        self.spec = spec
        self.model = model
        let infra = model.infrastructure
        let groups = infra.groupNames
        let masterGroup = Self.masterGroup(spec, groups: groups)
        let masterHosts = Array((infra.hostsByGroup[masterGroup] ?? []).prefix(spec.masters))
        precondition(masterHosts.count == spec.masters, "mesos: host group \(masterGroup) has fewer than \(spec.masters) hosts")
        masters = masterHosts.enumerated().map { i, h in
            MesosMaster(index: i, host: h, name: "master-\(i + 1 < 10 ? "0" : "")\(i + 1)")
        }
        self.zooKeeper = zooKeeper
        var control = [Bool](repeating: false, count: infra.hosts.count)
        for h in masterHosts { control[h] = true }
        for h in zooKeeper.serverHosts { control[h] = true }
        isControlHost = control

        let agentGroups = spec.agentHostGroups ?? groups.filter { $0 != masterGroup }
        var list: [MesosAgent] = []
        var byHost = [Int?](repeating: nil, count: infra.hosts.count)
        for g in groups where agentGroups.contains(g) {
            for h in infra.hostsByGroup[g] ?? [] {
                let host = infra.hosts[h]
                let a = MesosAgent(index: list.count, host: host, total: MesosAgent.detectResources(host: host, flags: spec.agentFlags),
                                   stream: model.stream(StreamName.of("agent", host.name)))
                byHost[h] = a.index
                if let w = spec.workDir { a.workDir = WorkDir(spec: w) }
                list.append(a)
            }
        }
        agents = list
        touchStamps = [UInt64](repeating: 0, count: list.count)
        agentOfHost = byHost
        downloads = ImageDownloads(agents: list.count, registryCapacity: spec.registryCapacity)
        partitionDepth = [Int](repeating: 0, count: infra.hosts.count)
        allocatorStream = model.stream(StreamName.of("mesos", "allocator"))
        zooKeeper.cut = { [unowned self] a, b in self.cut(a, b) }
    }

    var now: SimTime { model.sim.now }
    var flags: MesosMasterFlags { spec.masterFlags }

    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log("mesos", event, subject, detail) }

    func pack(_ i: Int, _ g: Int32) -> Int64 { IndexGeneration.pack(i, g) }
    func unpack(_ a: Int64) -> (Int, Int32) { IndexGeneration.unpack(a) }
    func schedule(_ k: Kind, after d: SimDuration, _ arg: Int64 = 0) {
        model.sim.schedule(after: d, target: target, kind: k.rawValue, arg: arg)
    }
    func uniform(_ r: RandomStream, _ max: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: Int64(r.uniform() * Double(max.nanoseconds)))
    }

    // MARK: start

    public func start() {
        zooKeeper.watchChildren(Self.zkPath, self)
        for m in masters where model.infrastructure.hosts[m.host].state.isUp { startMaster(m) }
        for a in agents where a.host.state.isUp { startAgent(a, afterReboot: false) }
    }

    // MARK: network partitions

    /// Hosts a and b cannot exchange messages: one is partitioned and the other runs a master or a
    /// ZooKeeper server.
    func cut(_ a: Int, _ b: Int) -> Bool {
        guard a != b else { return false }
        return (partitionDepth[a] > 0 && isControlHost[b]) || (partitionDepth[b] > 0 && isControlHost[a])
    }

    /// Can the agent and the leading master exchange messages now?
    func agentReachesLeader(_ a: MesosAgent) -> Bool {
        guard a.processRunning, let l = leader, masters[l].running else { return false }
        return !cut(a.host.index, masters[l].host)
    }

    /// The only writer of what `answered` reads (`available`, `availableSince`, `unavailableSince`):
    /// a change wakes a quiet observer loop.
    func updateAvailability(_ a: MesosAgent) {
        let av = a.processRunning && partitionDepth[a.host.index] == 0
        guard av != a.available else { return }
        a.available = av
        if av { a.availableSince = now } else { a.unavailableSince = now }
        if a.quietGen == a.observerGen { wakeObserver(a) }
    }

    /// Would the agent have answered a ping sent at `t`?
    func answered(_ a: MesosAgent, pingAt t: SimTime) -> Bool {
        if a.available { return a.availableSince <= t }
        return a.availableSince <= t && t < a.unavailableSince
    }

    // MARK: masters

    func startMaster(_ m: MesosMaster) {
        guard !m.running, model.infrastructure.hosts[m.host].state.isUp else { return }
        m.running = true
        m.incarnation &+= 1
        m.leading = false; m.recovered = false; m.znode = nil
        log("masterStarted", m.name, model.infrastructure.hosts[m.host].name)
        m.session = zooKeeper.openSession(self, host: m.host, requestedTimeout: flags.zkSessionTimeout)
    }

    func masterOfSession(_ s: Int) -> MesosMaster? { masters.first { $0.session == s } }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, connected session: Int, reconnected: Bool) {
        guard let m = masterOfSession(session), m.running else { return }
        if !reconnected || m.znode == nil {
            m.znode = zk.createEphemeralSequential(session: session, path: Self.zkPath, prefix: "json.info_", owner: m.index)
        }
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, disconnected session: Int) {
        guard let m = masterOfSession(session), m.running else { return }
        log("masterZkDisconnected", m.name, m.leading ? "leading" : "follower")
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, expired session: Int) {
        guard let m = masterOfSession(session), m.running else { return }
        if m.leading {
            stopMaster(m, cause: "lost candidacy as a leader (ZooKeeper session expired); committing suicide", restart: spec.masterRestartDelay)
        } else {
            log("masterRecontends", m.name, "lost candidacy as a follower")
            m.znode = nil
            m.session = zooKeeper.openSession(self, host: m.host, requestedTimeout: flags.zkSessionTimeout)
        }
    }

    /// The master process exits (crash, abort, host down). Restarted after `restart` if given.
    func stopMaster(_ m: MesosMaster, cause: String, restart: SimDuration?) {
        guard m.running else { return }
        m.running = false
        m.incarnation &+= 1
        m.crashes += 1
        if let s = m.session { zooKeeper.clientDied(s) }
        m.session = nil
        let wasLeader = leader == m.index
        log("masterStopped", m.name, cause)
        m.leading = false; m.recovered = false
        if wasLeader { leaderUnusable(cause: "\(m.name) stopped") }
        if let r = restart { schedule(.masterStart, after: r, pack(m.index, m.incarnation)) }
    }

    /// The detected leader can no longer act (dead process, lost leadership): no offers, no
    /// registrations, until a new leader is ready.
    func leaderUnusable(cause: String) {
        if leaderReady {
            failovers.append(MasterFailover(lostAt: now, from: leader.map { masters[$0].name } ?? "-", readyAt: nil, to: nil))
            log("leaderLost", leader.map { masters[$0].name } ?? "-", cause)
        }
        leaderReady = false
        reconciliationEpoch &+= 1
        resetAllocator()
    }

    public func zooKeeper(_ zk: ZooKeeperEnsemble, childrenChanged path: String) { detectLeader() }

    /// The masters' and agents' detectors see the group: lowest sequence leads.
    func detectLeader() {
        let first = zooKeeper.children(Self.zkPath).first
        guard first != leaderZNode else { return }
        leaderZNode = first
        let newLeader = first?.owner
        if let old = leader {
            let m = masters[old]
            if m.running && m.leading, let s = m.session, zooKeeper.isConnected(s) {
                stopMaster(m, cause: "conceded leadership to another master; committing suicide", restart: spec.masterRestartDelay)
            } else if leaderReady {
                leaderUnusable(cause: "leader znode gone")
            }
        }
        leaderUnusable(cause: "new leader detected")
        leader = newLeader
        leaderEpoch &+= 1
        // the new leader knows the admitted agents from the registry
        for a in agents {
            if a.masterState == .registered { a.masterState = .recovered; reconciliationEpoch &+= 1; agentsRegistered -= 1 }
            a.observerGen &+= 1
            a.markingUnreachable = false
        }
        for f in frameworks where f.registered || f.everRegistered {
            if f.registered { f.registered = false; reconciliationEpoch &+= 1; enqueue(f, .disconnected) }
        }
        guard let l = newLeader else {
            log("noLeader", "-", "no master in ZooKeeper")
            return
        }
        let m = masters[l]
        // the znode of a dead process (also of an earlier process of a restarted master): nobody leads
        // until its session expires and the next child comes first
        guard m.running, m.session == first?.session else { return }
        m.leading = true
        log("masterElected", m.name, "epoch \(leaderEpoch)")
        // Registry recovery from the replicated log needs a quorum of masters (log replicas).
        var replicas = 0
        for x in masters where x.running && (x.host == m.host || !cut(x.host, m.host)) { replicas += 1 }
        if replicas >= quorum {
            schedule(.registryRecovered, after: spec.registryFetchTime, pack(m.index, m.incarnation))
        } else {
            log("registryWaiting", m.name, "\(replicas) of \(masters.count) log replicas reachable, quorum \(quorum)")
            schedule(.registryTimeout, after: flags.registryFetchTimeout, pack(m.index, m.incarnation))
        }
        // Agents and schedulers re-detect and (re)register with back-off.
        for a in agents where a.processRunning && partitionDepth[a.host.index] == 0 { beginRegistration(a, initialDelay: .zero) }
        for f in frameworks { beginFrameworkRegistration(f) }
    }

    func registryRecovered(_ m: MesosMaster) {
        guard m.running, leader == m.index, m.leading else { return }
        m.recovered = true
        leaderReady = true
        reconciliationEpoch &+= 1
        log("masterRecovered", m.name, "registry recovered")
        if let i = failovers.indices.last, failovers[i].readyAt == nil {
            failovers[i].readyAt = now; failovers[i].to = m.name
        }
        log("masterReady", m.name, "")
        schedule(.reregisterTimeout, after: flags.agentReregisterTimeout, Int64(leaderEpoch))
        schedule(.allocateBatch, after: flags.allocationInterval, Int64(leaderEpoch))
        // any agent whose registration attempt is already waiting keeps its back-off; none is sent now
    }

    func reregisterTimeout() {
        var missing: [MesosAgent] = []
        var recovered = 0
        for a in agents {
            if a.masterState == .recovered { missing.append(a) }
            if a.masterState == .recovered || a.masterState == .registered { recovered += 1 }
        }
        guard !missing.isEmpty else { return }
        let fraction = Double(missing.count) / Double(max(1, recovered))
        if fraction > flags.recoveryAgentRemovalLimit, let l = leader {
            stopMaster(masters[l], cause: "post-recovery agent removal limit exceeded (\(missing.count) of \(recovered))", restart: spec.masterRestartDelay)
            return
        }
        for a in missing {
            a.masterState = .unreachable
            reconciliationEpoch &+= 1
            agentsUnreachable += 1
            log("agentUnreachable", a.name, "did not re-register within agent_reregister_timeout \(flags.agentReregisterTimeout)")
            model.signals.publish(.agentUnreachable(agent: a.index, host: a.host.index))
        }
    }

    // MARK: agents: process, registration, health checking

    func startAgent(_ a: MesosAgent, afterReboot: Bool) {
        guard !a.processRunning, a.host.state.isUp else { return }
        a.processRunning = true
        a.incarnation &+= 1
        updateAvailability(a)
        log("agentStarted", a.name, afterReboot ? "new agent id \(a.agentID) (host rebooted)" : a.agentID)
        // Recovery: running executors re-register within executor_reregistration_timeout. A launch
        // whose executor had not been forked (still pulling) has no pid checkpointed: the
        // containerizer skips it and the agent's wait on it finds an unknown container
        // (containerizer/docker.cpp and mesos/containerizer.cpp@1.4.0 `recover`: "We need the pid so
        // the reaper can monitor the executor"; slave.cpp `_recover` -> `executorTerminated` ->
        // `sendExecutorTerminatedStatusUpdate`): TASK_FAILED, REASON_EXECUTOR_TERMINATED.
        var lost: [MesosTask] = []
        for id in a.tasks {
            guard let t = tasks[id] else { continue }
            if t.state == .staging && t.atAgent { lost.append(t) }
        }
        for t in lost {
            finishOnAgent(t, .failed, .executorTerminated, message: "Abnormal executor termination: unknown container", agentKillsPull: false)
        }
        workDirAgentStarted(a, afterReboot: afterReboot)
        if leader != nil && partitionDepth[a.host.index] == 0 {
            beginRegistration(a, initialDelay: spec.agentFlags.executorReregistrationTimeout)
        }
    }

    /// An agent process that exits while its host's network works closes its socket: the leading
    /// master learns it at once (libprocess `exited`), unless a partition cuts them apart. A host
    /// that loses power closes nothing; the master then has only its pings.
    func socketCloseReachesMaster(_ a: MesosAgent) -> Bool {
        a.masterState == .registered && a.active && leaderReady && agentReachesLeader(a)
    }

    /// master.cpp@1.4.0 `exited(UPID)` -> `disconnect(Slave*)` -> `deactivate(Slave*)`: the agent is
    /// deactivated (no offers; its outstanding offers are rescinded) and stays registered with its
    /// tasks until it re-registers (`reregisterSlave` reactivates it) or its pings time out
    /// (the observer goes on pinging). A non-checkpointing framework's tasks are removed from it:
    /// TASK_LOST, REASON_SLAVE_DISCONNECTED (`removeFramework(Slave*, Framework*)`).
    func disconnectAgent(_ a: MesosAgent) {
        log("agentDisconnected", a.name, "socket closed: agent deactivated, its offers rescinded")
        deactivate(a, keepingTasks: true)
        if !disconnectedAgents.contains(a.index) { disconnectedAgents.append(a.index) }
        for id in a.tasks {
            guard let t = tasks[id], !frameworks[t.framework].checkpoint, !t.reported.isTerminal else { continue }
            t.gen &+= 1; t.containerAlive = false; t.state = .lost
            masterUpdate(t, .lost, .agentDisconnected, message: "Agent \(a.name) disconnected")
            releaseTask(t)
        }
    }

    func stopAgentProcess(_ a: MesosAgent, cause: String) {
        guard a.processRunning else { return }
        a.processRunning = false
        a.incarnation &+= 1
        a.registrationGen &+= 1
        updateAvailability(a)
        log("agentStopped", a.name, cause)
        replanWorkDir(a)   // no GC timer nor disk check without the agent process
    }

    /// Agent (re)registration with back-off: first attempt after U[0, factor] (+ initialDelay),
    /// then U[0, min(factor * 2^n, 1 min)] (slave.cpp detected / doReliableRegistration).
    func beginRegistration(_ a: MesosAgent, initialDelay: SimDuration) {
        a.registrationGen &+= 1
        let b = spec.agentFlags.registrationBackoffFactor
        a.registrationBackoff = b * 2
        schedule(.agentRegister, after: initialDelay + uniform(a.stream, b), pack(a.index, a.registrationGen))
    }

    func registrationAttempt(_ a: MesosAgent) {
        guard a.processRunning, leader != nil else { return }
        if leaderReady && agentReachesLeader(a) {
            admit(a)
            return
        }
        let cap = MesosAgentFlags.registerRetryIntervalMax
        // Never a zero back-off: it would retry at the same instant forever (decoding refuses 0s).
        let maxB = a.registrationBackoff < cap ? max(a.registrationBackoff, .nanosecond) : cap
        a.registrationBackoff = maxB * 2
        schedule(.agentRegister, after: uniform(a.stream, maxB), pack(a.index, a.registrationGen))
    }

    /// The leader admits a (re-)registering agent.
    func admit(_ a: MesosAgent) {
        let previous = a.masterState
        // a new agent id on a host whose old agent the master still holds as registered: removed
        if previous == .none && (a.oldIdState == .registered || a.oldIdState == .recovered) {
            log("agentRemoved", a.name, "old agent id replaced: a new agent registered at the same address")
            for id in a.oldIdTasks {
                guard let t = tasks[id], !t.reported.isTerminal else { continue }
                masterUpdate(t, .lost, .agentRemoved, message: "Agent \(a.name) removed: a new agent registered at the same address")
            }
            a.oldIdTasks = []
            a.oldIdState = .none
            reconciliationEpoch &+= 1
        }
        if previous == .unreachable { agentsUnreachable -= 1 }
        if previous != .registered { agentsRegistered += 1 }
        a.masterState = .registered
        reconciliationEpoch &+= 1
        a.registrationGen &+= 1
        switch previous {
        case .none: log("agentRegistered", a.name, "\(a.agentID) cpus \(a.total.cpus) mem \(a.total.memMB) MB disk \(a.total.diskMB) MB")
        case .unreachable: log("agentReregistered", a.name, "was unreachable")
        default: log("agentReregistered", a.name, "")
        }
        model.signals.publish(.agentRegistered(agent: a.index, host: a.host.index, reregistered: previous != .none))
        // the agent's tasks enter the master's books
        var reports: [MesosTask] = []
        var dropped: [MesosTask] = []
        for id in a.tasks {
            guard let t = tasks[id] else { continue }
            if !t.atAgent && !t.state.isTerminal { dropped.append(t); continue }
            if !t.state.isTerminal { charge(t) }
            if previous == .unreachable && !t.state.isTerminal { reports.append(t) }
        }
        activate(a)
        startObserver(a)
        for t in reports { masterUpdate(t, agentReported(t), .agentReregistered, message: "Unreachable agent re-reregistered") }
        for t in dropped {
            t.state = .dropped
            // the agent's answer to the master's reconciliation (slave.cpp `reregistered`): TASK_DROPPED
            // to a partition-aware framework from Mesos 1.2, TASK_LOST before (MesosVersion.swift)
            masterUpdate(t, t.frameworkPartitionAware(self) && spec.version.sendsTaskDropped ? .dropped : .lost, .reconciliation,
                         message: "Reconciliation: task unknown to the agent")
            releaseTask(t)
        }
        // the status update manager resumes: every stream's first update is sent again
        resumeStatusUpdates(a)
        schedule(.allocateAgent, after: .zero, pack(a.index, leaderEpoch))
    }

    func startObserver(_ a: MesosAgent) {
        a.observerGen &+= 1
        a.pingTimeouts = 0
        a.markingUnreachable = false
        a.pingSentAt = now
        nextPing(a)
    }

    /// The observer's next `timeout()`, one period after the ping sent at `pingSentAt` (now). Quiet
    /// pings (docs/mesos.md "Agent failure detection"): when that timeout could only find the ping
    /// answered and change nothing (no timeouts counted, no removal under way, the agent reachable
    /// since before the ping) and nothing changes the agent's reachability meanwhile, it and all the
    /// timeouts after it are no-ops: no event is scheduled and the loop keeps its phase (`quietGen`);
    /// a reachability change (`updateAvailability`) schedules the timeout where the old loop had it.
    func nextPing(_ a: MesosAgent) {
        if quietPings && a.pingTimeouts == 0 && !a.markingUnreachable && a.available && a.availableSince <= a.pingSentAt {
            a.quietGen = a.observerGen
            return
        }
        schedule(.pingTimeout, after: flags.agentPingTimeout, pack(a.index, a.observerGen))
    }

    /// A quiet loop becomes a loop of events again: the pings it skipped were sent at `pingSentAt` + k
    /// periods; the last one at or before now stands for the last timeout the old loop ran (a
    /// timeout at exactly now reads the ping of one period earlier, answered whatever happens now),
    /// and the next timeout, one period after it, reads the ping of that instant.
    func wakeObserver(_ a: MesosAgent) {
        a.quietGen = nil
        let p = flags.agentPingTimeout.nanoseconds
        let k = (now - a.pingSentAt).nanoseconds / p
        a.pingSentAt = a.pingSentAt + SimDuration(nanoseconds: k * p)
        model.sim.schedule(at: a.pingSentAt + flags.agentPingTimeout, target: target, kind: Kind.pingTimeout.rawValue,
                           arg: pack(a.index, a.observerGen))
    }

    /// SlaveObserver::timeout, with the ping and its pong folded in: the ping sent at `pingSentAt`
    /// was answered iff the agent was reachable then.
    func pingTimeout(_ a: MesosAgent) {
        // the observer is a process of the leading master: it dies with it (a new leader observes an
        // agent once it re-registers, and one that does not within agent_reregister_timeout is removed)
        guard a.masterState == .registered, leaderReady else { return }
        if answered(a, pingAt: a.pingSentAt) {
            a.pingTimeouts = 0
            if a.markingUnreachable { a.markingUnreachable = false; a.observerGen &+= 1; log("agentUnreachableCanceled", a.name, "pong received") }
        } else {
            a.pingTimeouts += 1
            if a.pingTimeouts >= flags.maxAgentPingTimeouts && !a.markingUnreachable {
                a.markingUnreachable = true
                var at = now
                if let n = flags.agentRemovalRateCount, n > 0 {
                    at = max(now, nextRemovalToken)
                    nextRemovalToken = at + SimDuration(nanoseconds: flags.agentRemovalRatePer.nanoseconds / Int64(n))
                }
                model.sim.schedule(at: at + spec.registryStoreTime, target: target, kind: Kind.markUnreachableDone.rawValue,
                                   arg: pack(a.index, a.observerGen))
            }
        }
        a.pingSentAt = now
        nextPing(a)
    }

    func markUnreachable(_ a: MesosAgent) {
        guard a.masterState == .registered, leaderReady else { return }
        a.masterState = .unreachable
        reconciliationEpoch &+= 1
        a.observerGen &+= 1
        a.markingUnreachable = false
        agentsRegistered -= 1
        agentsUnreachable += 1
        let downAt = a.available ? now : a.unavailableSince
        detections.append(AgentDetection(agent: a.name, downAt: downAt, unreachableAt: now))
        log("agentUnreachable", a.name, "health check timed out; \(flags.maxAgentPingTimeouts) pings of \(flags.agentPingTimeout) unanswered; silent for \(now - downAt)")
        model.signals.publish(.agentUnreachable(agent: a.index, host: a.host.index))
        deactivate(a)
        for id in a.tasks {
            guard let t = tasks[id], !t.reported.isTerminal else { continue }
            uncharge(t)
            let pa = frameworks[t.framework].partitionAware
            masterUpdate(t, pa ? .unreachable : .lost, .agentRemoved, message: "agent \(a.name) unreachable")
        }
    }

    // MARK: frameworks

    /// Adds a framework; it registers with the leading master once one is ready.
    public func addFramework(_ f: MesosFramework) -> SchedulerDriver {
        let st = FrameworkState(index: frameworks.count, framework: f, stream: model.stream(StreamName.of("framework", f.frameworkName)))
        st.driver = MesosSchedulerDriver(cluster: self, framework: st.index)
        dissolveLayer()   // the layer is for one framework only
        frameworks.append(st)
        if leader != nil { beginFrameworkRegistration(st) }
        return st.driver
    }

    func beginFrameworkRegistration(_ f: FrameworkState) {
        f.registrationGen &+= 1
        let b = spec.frameworkRegistrationBackoffFactor
        f.registrationBackoff = b * 2
        schedule(.frameworkRegister, after: uniform(f.stream, b), pack(f.index, f.registrationGen))
    }

    func frameworkRegistrationAttempt(_ f: FrameworkState) {
        guard !f.registered, leader != nil else { return }
        if leaderReady {
            f.registered = true
            reconciliationEpoch &+= 1
            let re = f.everRegistered
            f.everRegistered = true
            log(re ? "frameworkReregistered" : "frameworkRegistered", f.name, leader.map { masters[$0].name } ?? "")
            model.signals.publish(.frameworkRegistered(framework: f.index, reregistered: re))
            enqueue(f, .registered(re))
            if !f.suppressed { refillCandidates(); schedule(.allocateAll, after: .zero, Int64(leaderEpoch)) }
            return
        }
        let cap = SimDuration.minutes(1)
        let maxB = f.registrationBackoff < cap ? max(f.registrationBackoff, .nanosecond) : cap  // never zero (see the agents')
        f.registrationBackoff = maxB * 2
        schedule(.frameworkRegister, after: uniform(f.stream, maxB), pack(f.index, f.registrationGen))
    }

    func enqueue(_ f: FrameworkState, _ m: FrameworkState.Message) {
        f.outbox.append(m)
        if !f.flushScheduled {
            f.flushScheduled = true
            schedule(.flush, after: .zero, Int64(f.index))
        }
    }

    func flush(_ f: FrameworkState) {
        f.flushScheduled = false
        let box = f.outbox
        f.outbox = []
        for m in box {
            switch m {
            case .registered(let re): f.framework.registered(reregistered: re)
            case .disconnected: f.framework.disconnected()
            case .offers(let o):
                let valid = o.allSatisfy { offerRecord($0.id) != nil } ? o : o.filter { offerRecord($0.id) != nil }
                if !valid.isEmpty { f.framework.resourceOffers(valid) }
            case .rescind(let id): f.framework.offerRescinded(id)
            case .status(var u):
                // a scheduler without a leading process loses it: the master does not send it again
                // (the framework learns the state by reconciliation)
                guard f.framework.receivesUpdates else { continue }
                // A framework that is not PARTITION_AWARE never sees TASK_UNREACHABLE: the master
                // answers its reconciliation with TASK_LOST (master.cpp `_reconcileTasks`).
                if u.state == .unreachable && !f.partitionAware { u.state = .lost }
                f.framework.statusUpdate(u)
                if u.state.isTerminal { sandboxUpdateAcknowledged(task: u.task, host: u.agent) }
            case .agentStatus(var u, let agent, let serial):
                // lost unacknowledged: the agent resends it after its back-off
                guard f.framework.receivesUpdates else { armStatusRetry(agents[agent], task: u.task, serial: serial); continue }
                if u.state == .unreachable && !f.partitionAware { u.state = .lost }
                f.framework.statusUpdate(u)
                if u.state.isTerminal { sandboxUpdateAcknowledged(task: u.task, host: u.agent) }
                statusUpdateAcknowledged(agent: agent, task: u.task, serial: serial)
            case .reconciliation(var answers):
                guard f.framework.receivesUpdates else { continue }
                if !f.partitionAware { for i in answers.indices where answers[i].state == .unreachable { answers[i].state = .lost } }
                f.framework.reconciliationAnswers(answers)
            case .reconciliationDelta(var d):
                guard f.framework.receivesUpdates else { continue }
                if !f.partitionAware { for i in d.answers.indices where d.answers[i].state == .unreachable { d.answers[i].state = .lost } }
                f.framework.reconciliationDelta(d)
            }
        }
    }

    // MARK: status updates

    /// The task's state as its agent reports it: a container starting is still TASK_STAGING to a
    /// Mesos before 1.5, whose executors send no TASK_STARTING (`MesosVersion.executorsSendStarting`).
    func agentReported(_ t: MesosTask) -> TaskState {
        t.state == .starting && !spec.version.executorsSendStarting ? .staging : t.state
    }

    /// A status update produced on the agent: sent to the leader when possible, else kept.
    func agentUpdate(_ t: MesosTask, _ state: TaskState, _ reason: TaskReason, message: String = "", healthy: Bool? = nil) {
        if state != .running || t.state != .running { t.state = state }
        let u = TaskStatusUpdate(task: t.id, state: state, reason: reason, agent: agents[t.agent].host.index, message: message, healthy: healthy)
        deliverFromAgent(agents[t.agent], u)
    }

    /// An update the master makes itself: recorded and forwarded to the framework if connected
    /// (lost otherwise: nothing sends it again).
    func masterUpdate(_ t: MesosTask, _ state: TaskState, _ reason: TaskReason, message: String = "", healthy: Bool? = nil) {
        let u = masterRecord(t, state, reason, message: message, healthy: healthy)
        _ = forwardToFramework(u, framework: t.framework, agent: nil)
        forgetIfDone(t)
    }

    /// `Master::forward`: to a connected framework only (master.cpp@1.4.0 `statusUpdate`). false:
    /// dropped.
    func forwardToFramework(_ u: TaskStatusUpdate, framework fi: Int, agent: (index: Int, serial: Int)?) -> Bool {
        let f = frameworks[fi]
        guard f.registered else { return false }
        enqueue(f, agent.map { .agentStatus(u, agent: $0.index, serial: $0.serial) } ?? .status(u))
        return true
    }

    /// The master records a task state (`updateTask`).
    @discardableResult
    func masterRecord(_ t: MesosTask, _ state: TaskState, _ reason: TaskReason, message: String = "", healthy: Bool? = nil) -> TaskStatusUpdate {
        let wasRunning = t.reported == .running
        t.reported = state
        noteReconciliationChange(t)
        if wasRunning != (state == .running) { tasksRunning += wasRunning ? -1 : 1 }
        let host = agents[t.agent].name
        var detail = host
        if reason != .none { detail += " " + reason.rawValue }
        if let h = healthy { detail += " healthy=\(h)" }
        model.log("mesos", state.rawValue, t.name, detail)
        model.signals.publish(.statusUpdate(task: t.id, state: state, reason: reason, host: agents[t.agent].host.index, healthy: healthy))
        if state.isTerminal { exitCounters.count(state, epoch: Int64(leaderEpoch)); uncharge(t); removeFromFramework(t) }
        return TaskStatusUpdate(task: t.id, state: state, reason: reason, agent: agents[t.agent].host.index, message: message, healthy: healthy)
    }

    /// Drops a task that is over everywhere (terminal on the agent, reported terminal by the
    /// master, off the agent's and the framework's lists), so the task table does not grow with
    /// simulated time: the object, its random stream and its GSL state are freed, and so is its
    /// entry (`SlotTable`). Ids stay unique (`nextTaskID`); every lookup treats a missing task as gone.
    func forgetIfDone(_ t: MesosTask) {
        guard t.state.isTerminal, t.reported.isTerminal, t.agentSlot < 0, t.frameworkSlot < 0 else { return }
        noteReconciliationChange(t)
        tasks[t.id] = nil
    }

    /// O(1) removal of `t` from a list of task ids that each task knows its position in (its
    /// `frameworkSlot` or `agentSlot`, by `agentList`): the last id takes its place. A Bool, not a
    /// key path: applying a ReferenceWritableKeyPath goes through the runtime at every call.
    func swapRemove(_ t: MesosTask, from list: inout [TaskID], agentList: Bool) {
        let i = agentList ? t.agentSlot : t.frameworkSlot
        guard i >= 0 else { return }
        let last = list.removeLast()
        if last != t.id {
            list[i] = last
            if let moved = tasks[last] { if agentList { moved.agentSlot = i } else { moved.frameworkSlot = i } }
        }
        if agentList { t.agentSlot = -1 } else { t.frameworkSlot = -1 }
    }

    func removeFromFramework(_ t: MesosTask) {
        swapRemove(t, from: &frameworks[t.framework].liveTasks, agentList: false)
    }

    /// The task is over on the agent: its container is gone.
    /// `agentKillsPull`: a launch still waiting for its image ends its `docker pull` (leavePull); not
    /// when a restarted agent fails the launches the old process had under way (the pull outlived it).
    func finishOnAgent(_ t: MesosTask, _ state: TaskState, _ reason: TaskReason, message: String = "", healthy: Bool? = nil,
                       agentKillsPull: Bool = true) {
        guard !t.state.isTerminal else { return }
        if agentKillsPull, t.atAgent, !t.containerAlive { leavePull(t) }
        t.gen &+= 1
        t.containerAlive = false
        model.signals.publish(.containerExited(task: t.id))
        containerStorage.containerExited(task: t.id)
        sandboxExecutorTerminated(t.id, agent: t.agent)
        agents[t.agent].exitCounters.count(state, epoch: Int64(agents[t.agent].incarnation))
        agentUpdate(t, state, reason, message: message, healthy: healthy)
        releaseTask(t)
    }

    /// Takes a terminal task off its agent.
    func releaseTask(_ t: MesosTask) {
        guard t.agentSlot >= 0 else { return }
        swapRemove(t, from: &agents[t.agent].tasks, agentList: true)
        forgetIfDone(t)
    }

    // MARK: hosts

    /// `orderly` (a reboot): the agent process is stopped first and its socket closes, so the master
    /// disconnects it at once (`disconnectAgent`); at a power loss it learns from its pings.
    func hostWentDown(_ host: Host, orderly: Bool = false) {
        probeEpoch += 1
        let agent = agentOfHost[host.index].map { agents[$0] }
        // (a leading master on the same host goes down with it and notices nothing)
        let noticed = orderly && agent.map(socketCloseReachesMaster) == true && leader.map { masters[$0].host != host.index } == true
        for m in masters where m.host == host.index { stopMaster(m, cause: "host \(host.name) down", restart: nil) }
        guard let a = agent else { return }
        stopAgentProcess(a, cause: "host down")
        if noticed { disconnectAgent(a) }
        a.pulls = [:]
        dropDownloads(agent: a.index)
        // every container is gone with the host
        for id in a.tasks {
            guard let t = tasks[id] else { continue }
            t.gen &+= 1
            t.containerAlive = false
        }
        workDirHostDown(a)
    }

    func hostCameUp(_ host: Host) {
        probeEpoch += 1
        for m in masters where m.host == host.index { startMaster(m) }
        guard let ai = agentOfHost[host.index] else { return }
        let a = agents[ai]
        // New boot id: the agent does not recover; it registers as a new agent. The master keeps
        // the old agent (and its tasks) until it is marked unreachable or replaced.
        if a.masterState == .registered {
            agentsRegistered -= 1
            deactivate(a)
        }
        var old: [TaskID] = []
        for id in a.tasks {
            guard let t = tasks[id] else { continue }
            t.state = .lost
            t.agentSlot = -1
            if !t.reported.isTerminal { old.append(id) }
        }
        a.tasks = []
        a.streams = []
        if a.masterState != .none {
            // the old id stays in the registry (unreachable ones stay counted as unreachable)
            a.oldIdState = a.masterState
            reconciliationEpoch &+= 1
            a.oldIdTasks = old
            a.observerGen &+= 1
        }
        a.masterState = .none
        reconciliationEpoch &+= 1
        a.agentIdEpoch += 1
        reconciliationEpoch &+= 1
        startAgent(a, afterReboot: true)
    }
}

extension MesosTask {
    func frameworkPartitionAware(_ c: MesosCluster) -> Bool { c.frameworks[framework].partitionAware }
}
