import SimKernel

/// Consul (issue 10): Raft servers on the first hosts of `consul.hostGroup`, an agent on every
/// Mesos agent host (and on the servers' hosts) in one LAN gossip pool, and the services the
/// agents register for Marathon's tasks with their checks. Nothing is simulated while nothing
/// changes: member failure detection (ConsulGossip.swift), elections (ConsulRaft.swift) and
/// check results (ConsulChecks.swift) are computed at the instant something happens, and an
/// event is scheduled only for the next change. See docs/consul.md.
public final class ConsulCluster: EventHandler {
    public let spec: ConsulSpec
    unowned let model: ClusterSimulation
    let mesos: MesosCluster?
    var target: Int32 = -1
    var config: ConsulAgentConfig { spec.config }
    /// Checks run by run (every run an event drawing its response time): `consul.exactChecks`
    /// or `fidelity.consulChecks: "exact"`, either one (docs/consul.md).
    let exactChecks: Bool
    /// Memberlist's probe loop simulated probe by probe (`fidelity.gossip: "exact"`,
    /// ConsulGossipExact.swift) instead of the detection computed when a host goes down.
    let exactGossip: Bool
    var probeLoop: ExactGossip?

    enum Kind: Int32 {
        case memberSuspect = 1, memberDead, memberReap, election, leaderStepDown
        case checkRun, checkReap, agentSync
        case probeTick, gossipSuspect, suspicionTimer
        case registratorResync
        case newerTerm
    }

    // MARK: pool
    enum MemberState: Int { case alive, suspect, failed, left }
    struct Member {
        let host: Int
        let isServer: Bool
        var state = MemberState.alive
        var gen: Int32 = 0
        var agentUp = true
        var downAt: SimTime?
        /// A server that went down under a leader: the leader's last contact with it (its last
        /// heartbeat answered; ConsulRaft.swift `serverDown`).
        var raftContact: SimTime?
        /// Phase of its probe ticker and of its reaper (drawn from its stream on first use).
        var probePhase: SimDuration?
        var reapPhase: SimDuration?
        /// serfHealth as the servers hold it (true: critical).
        var serfCritical = false
        /// Service instances this agent registered (local state), and those not yet synced.
        var instances: [Int] = []
        var dirty: [Int] = []
        var syncPending = false
        var syncGen: Int32 = 0
        /// The agent's next periodic full sync (advanced lazily; ConsulServices.swift).
        var nextFullSync = SimTime.zero
        /// Until when a server holds the agent's failed sync waiting for a leader (rpc_hold_timeout).
        var heldUntil: SimTime?
        /// The agent's RPCs hang on its server (a member index), whose host crashed, until then (ConsulRouter.swift).
        var rpcStall: (until: SimTime, server: Int)?
    }
    var members: [Member] = []
    var memberOfHost: [Int?]
    var streams: [RandomStream?]
    public internal(set) var membersAlive = 0
    public internal(set) var membersSuspect = 0
    public internal(set) var membersFailed = 0

    /// A detected member failure: host down at `downAt`, member failed at `failedAt`.
    public struct Detection: Sendable {
        public var host: Int
        public var downAt: SimTime
        public var failedAt: SimTime
        public var seconds: Double { (failedAt - downAt).seconds }
    }
    public internal(set) var detections: [Detection] = []

    // MARK: servers (ConsulRaft.swift)
    /// Member indices of the servers.
    var serverMembers: [Int] = []
    /// Index into `serverMembers` of the leader.
    public internal(set) var leader: Int?
    public internal(set) var term = 0
    public internal(set) var elections = 0
    var raftGen: Int32 = 0
    var electionPending = false
    var leaderLostAt: SimTime? = nil
    /// When the current leader was elected (its replication to every follower starts then, with
    /// the follower's last contact set to that instant: raft.go `startStopReplication`).
    var leaderElectedAt = SimTime.zero
    /// Moves whenever a lease step-down is scheduled: only the latest one counts.
    var stepDownGen: Int32 = 0
    /// The term the pending election is won in (ConsulRaft.swift).
    var pendingTerm = 0
    /// The leader is cut off from a quorum (servers down or a partition) and waits for its lease
    /// check: nothing commits (ConsulRaftPartition.swift); when it was cut off by a partition.
    var leaderIsolated = false
    var leaderCutAt: SimTime?
    /// Per server (index into `serverMembers`): cut off from the leader; when it lost a quorum
    /// (a partition), its term then and when it stopped hearing from a leader; the term it came
    /// back with and its next candidacy; when it stepped down as leader.
    var cutFromLeader: [Bool] = []
    var isolatedAt: [SimTime?] = []
    var isolatedTerm: [Int] = []
    var isolatedLostAt: [SimTime?] = []
    var rejoinedTerm: [Int?] = []
    var nextCandidacy: [SimTime?] = []
    var leaderStepDownAt: [SimTime?] = []
    /// The highest term a server back from a partition brought while there was no leader: the
    /// next election is won above it.
    var adoptedTerm = 0

    // MARK: catalog (ConsulServices.swift, ConsulChecks.swift)
    public let serviceNames: [String]
    var nameIndex: [String: Int] = [:]
    /// Definitions by app id (lookup only).
    var definitionsOfApp: [String: [ConsulServiceDefinition]] = [:]
    /// Registrator's registrations by app id, for apps without a definition that carry SERVICE_*
    /// metadata or under `serviceNaming: "registrator"` (Registrator.swift; lookup only).
    var registratorOfApp: [String: [RegistratorService]] = [:]
    /// Per service name, the tags of the definitions that register it (first appearance order):
    /// what `/v1/catalog/services` lists for it.
    var definitionTags: [[String]] = []
    var healthIndexes: [UInt64]
    var raftIndex: UInt64 = 1
    /// Catalog entries per service name, in registration order.
    var catalog: [[Int]]
    /// Per service, `catalog` in memdb's order (nil: to sort again); per host, its name's rank
    /// among the host names (ConsulServices.swift `ordered`).
    var orderedCatalog: [[Int]?]
    let hostNameRank: [Int]
    /// Per service, its catalog entries by status and the health index they were counted at
    /// (consul.csv at every sample: ConsulServices.swift `serviceCounts`); false: counted at every read.
    var statusCounts: [(index: UInt64, passing: Int, warning: Int, critical: Int)]
    public var cacheStatusCounts = true
    var instances: [InstanceState] = []
    var checks: [CheckState] = []
    var instancesOfTask: [TaskID: [Int]] = [:]
    /// Slots of instances and checks that left (ConsulServices.swift `release`), reused first.
    var freeInstances: [Int] = []
    var freeChecks: [Int] = []
    /// Per member, whether its node is in the servers' catalog (empty: all, as at time 0), and the
    /// index that moves when the node list changes (ConsulCatalogNodes.swift).
    var nodeInCatalog: [Bool] = []
    var nodesIndex = 0
    /// Registrator on each member's host (RegistratorProcess.swift): what it holds per container.
    var registrators: [RegistratorState] = []
    var registratorHeld: [TaskID: RegistratorHeld] = [:]

    init(spec: ConsulSpec, model: ClusterSimulation, mesos: MesosCluster?) {
        self.spec = spec
        self.model = model
        self.mesos = mesos
        exactChecks = spec.exactChecks || model.spec.fidelity.consulChecks == .exact
        exactGossip = model.spec.fidelity.gossip == .exact
        let infra = model.infrastructure
        for (app, defs) in spec.services { definitionsOfApp[app] = defs }
        let apps = model.spec.marathon?.apps ?? []
        for (app, plan) in spec.registratorPlans(apps: apps) { registratorOfApp[app] = plan.services }
        var (names, tags) = spec.tagsByServiceName(apps: apps)
        if spec.registerAll {
            // registrator registers Docker containers; a pod's containers are the Mesos
            // containerizer's (nested containers of the default executor): it never sees them, so
            // they get no service name (`register` registers only named services)
            var known = Set(names)
            for a in apps where definitionsOfApp[a.id] == nil && registratorOfApp[a.id] == nil && !a.isPod {
                let n = ConsulCluster.serviceName(ofApp: a.id)
                if known.insert(n).inserted { names.append(n); tags.append([]) }
            }
        }
        serviceNames = names
        definitionTags = tags
        for (i, n) in names.enumerated() { nameIndex[n] = i }
        healthIndexes = [UInt64](repeating: 1, count: names.count)
        catalog = [[Int]](repeating: [], count: names.count)
        orderedCatalog = [[Int]?](repeating: nil, count: names.count)
        statusCounts = Array(repeating: (0, 0, 0, 0), count: names.count)
        var rank = [Int](repeating: 0, count: infra.hosts.count)
        for (r, h) in infra.hosts.indices.sorted(by: { infra.hosts[$0].name < infra.hosts[$1].name }).enumerated() { rank[h] = r }
        hostNameRank = rank
        // members: the servers' hosts and the agent hosts, in host order
        let serverHosts = Array((infra.hostsByGroup[spec.hostGroup] ?? []).prefix(spec.servers))
        precondition(serverHosts.count == spec.servers, "consul: host group \(spec.hostGroup) has fewer than \(spec.servers) hosts")
        var agentHosts: [Int]
        if let groups = spec.agentHostGroups {
            agentHosts = groups.flatMap { infra.hostsByGroup[$0] ?? [] }
        } else if let m = mesos {
            agentHosts = m.agents.map(\.host.index)
        } else {
            agentHosts = Array(0..<infra.hosts.count)
        }
        var isMember = [Bool](repeating: false, count: infra.hosts.count)
        for h in serverHosts + agentHosts { isMember[h] = true }
        var byHost = [Int?](repeating: nil, count: infra.hosts.count)
        var list: [Member] = []
        for h in 0..<infra.hosts.count where isMember[h] {
            byHost[h] = list.count
            list.append(Member(host: h, isServer: serverHosts.contains(h)))
        }
        memberOfHost = byHost
        serverMembers = serverHosts.map { byHost[$0]! }
        let n = serverMembers.count
        cutFromLeader = Array(repeating: false, count: n); isolatedAt = Array(repeating: nil, count: n)
        isolatedTerm = Array(repeating: 0, count: n); isolatedLostAt = Array(repeating: nil, count: n)
        rejoinedTerm = Array(repeating: nil, count: n); nextCandidacy = Array(repeating: nil, count: n)
        leaderStepDownAt = Array(repeating: nil, count: n)
        streams = [RandomStream?](repeating: nil, count: list.count)
        members = list
        registrators = [RegistratorState](repeating: RegistratorState(), count: list.count)
    }

    /// The service name of a Marathon app without a definition: its id without the leading
    /// slash, slashes as dashes ("/shop/web" → "shop-web").
    public static func serviceName(ofApp id: String) -> String {
        String(id.drop { $0 == "/" }.map { $0 == "/" ? "-" : $0 })
    }

    var now: SimTime { model.sim.now }
    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log("consul", event, subject, detail) }
    func hostName(_ h: Int) -> String { model.infrastructure.hosts[h].name }
    func stream(_ m: Int) -> RandomStream {
        if let s = streams[m] { return s }
        let s = model.stream(StreamName.of("consul", hostName(members[m].host)))
        streams[m] = s
        return s
    }
    func uniform(_ m: Int, _ d: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: Int64(stream(m).uniform() * Double(d.nanoseconds)))
    }
    func schedule(_ k: Kind, at t: SimTime, _ arg: Int64) {
        model.sim.schedule(at: t, target: target, kind: k.rawValue, arg: arg)
    }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func start() {
        membersAlive = 0
        for (i, m) in members.enumerated() {
            if model.infrastructure.hosts[m.host].state.isUp { membersAlive += 1 } else {
                members[i].agentUp = false; members[i].state = .failed; membersFailed += 1
            }
        }
        startElection(after: nil)
        if exactGossip { startExactGossip() }
    }

    /// Engine events Consul handled (its cost; a healthy platform adds none).
    public internal(set) var eventsHandled = 0

    public func handle(_ event: Event, in sim: Simulation) {
        eventsHandled += 1
        let (i, g) = IndexGeneration.unpack(event.arg)
        switch Kind(rawValue: event.kind)! {
        case .memberSuspect: if members[i].gen == g { memberSuspected(i) }
        case .memberDead: if members[i].gen == g { memberFailed(i) }
        case .memberReap: if members[i].gen == g { memberReaped(i) }
        case .election: if raftGen == g { electLeader(candidate: i) }
        case .leaderStepDown: if raftGen == g && i == Int(stepDownGen & 0xFFFF) { leaderSteppedDown() }
        case .checkRun: if checks[i].gen == g { checkRan(i) }
        case .checkReap: if checks[i].reapGen == g { reapCritical(i) }
        case .agentSync: if members[i].syncGen == g { fullSync(member: i) }
        case .probeTick: if probeLoop!.tickGen[i] == g { probeTick(i) }
        case .gossipSuspect: suspectArrived(event.arg)
        case .suspicionTimer: if probeLoop!.suspicion[i]?.timerGen == g { suspicionExpired(i) }
        case .registratorResync: if registrators[i].resyncGen == g { registratorResync(i) }
        case .newerTerm: if raftGen == g { peerHasNewerTerm(i) }
        }
    }

    // MARK: hosts

    /// A crash: the member stops answering and the pool detects it. An orderly reboot: client
    /// agents leave on SIGTERM (`leave_on_terminate`, true for clients since Consul 0.7), so the
    /// leader deregisters the node at once; servers (false for them), and clients configured with
    /// `leave_on_terminate: false`, just stop (command/agent `handleSignals`: a graceful leave
    /// only when LeaveOnTerm) and are detected as a crash is.
    func hostDown(_ h: Int, rebooting: Bool) {
        guard let m = memberOfHost[h], members[m].agentUp else { return }
        if spec.registrator != nil { persistRegistrations(m) }     // RegistratorProcess.swift
        members[m].agentUp = false
        members[m].downAt = now
        stopChecks(member: m)
        if members[m].isServer { forgetIsolation(member: m); serverDown(m) }
        if members[m].isServer && !rebooting { clientsLoseServer(m) }
        if rebooting && !members[m].isServer && (config.leaveOnTerminate ?? true) {
            members[m].gen &+= 1
            setState(m, .left)
            log("consulMemberLeft", hostName(h), "leave_on_terminate")
            if leader != nil { deregisterNode(m) }
        } else if exactGossip {
            exactGossipHostDown(m)
        } else {
            detectFailure(of: m)
        }
    }

    func hostUp(_ h: Int) {
        guard let m = memberOfHost[h], !members[m].agentUp else { return }
        members[m].agentUp = true
        members[m].downAt = nil
        members[m].gen &+= 1
        let was = members[m].state
        setState(m, .alive)
        if was != .alive { log("consulMemberAlive", hostName(h), was == .suspect ? "refuted suspicion" : "rejoined") }
        if members[m].isServer { serverUp(m); serverJoined(m); serverBackForClients(m) }
        if exactGossip { exactGossipHostUp(m) }
        if leader != nil { setSerfHealth(m, critical: false); setNodeRegistered(m, true) }
        agentRestarted(m)
    }

    func setState(_ m: Int, _ s: MemberState) {
        switch members[m].state {
        case .alive: membersAlive -= 1
        case .suspect: membersSuspect -= 1
        case .failed: membersFailed -= 1
        case .left: break
        }
        members[m].state = s
        switch s {
        case .alive: membersAlive += 1
        case .suspect: membersSuspect += 1
        case .failed: membersFailed += 1
        case .left: break
        }
    }
}

extension ConsulCluster: Subsystem, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "consul", section: "consul", outputs: ConsulCluster.outputs) { model in
        guard let spec = model.spec.consul else { return nil }
        return ConsulCluster(spec: spec, model: model, mesos: model.subsystem(MesosCluster.self))
    }

    public var name: String { "consul" }

    /// Hosts as an observer (after Mesos stopped the tasks); task status to register and
    /// deregister services.
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: [.hosts, .taskStatus])
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostDown(h, rebooting: rebooting)
        case .hostUp(let h): hostUp(h)
        case .hostPartitioned: raftPartitionChanged()
        case .statusUpdate(let task, let state, let reason, let host, _): taskStatus(task, state, reason: reason, host: host)
        default: break
        }
    }
}

extension ConsulCluster: HostRoleHolder {
    /// `consul-leader`: the host of the Raft leader now.
    public func host(holding role: HostRole) -> Int? {
        guard role == .consulLeader, let l = leader else { return nil }
        return members[serverMembers[l]].host
    }
}
