import SimKernel

// Typed platform signals: the facts one subsystem states and any other may react to, named after
// Marathon's event stream (/v2/events) and Mesos' master events. Delivery is synchronous, inside
// the event handler that publishes, to the subscribers of the signal's topic in a fixed order
// (see `SignalStage`); payloads are plain values (indices, enums), so publishing allocates
// nothing. A subsystem reacting later than "now" schedules its own event.

/// What happened. Hosts, tasks, agents, apps are indices (`Host.index`, `TaskID`, the agent's
/// index in Mesos, the app's index in Marathon's spec), never strings, so that a signal is a few
/// words copied on the stack.
public enum PlatformSignal: Sendable {
    // MARK: hosts (Infrastructure)
    /// The host stopped (crash, or the start of an orderly reboot): every process on it is gone.
    case hostDown(host: Int, rebooting: Bool)
    /// The host is up again; its processes start afresh.
    case hostUp(host: Int)
    /// A `networkPartition` cut the host off from the control hosts (the masters' and ZooKeeper's), both
    /// ways (true), or healed (false). Which pairs of hosts cannot talk: `MesosCluster.cut`.
    case hostPartitioned(host: Int, partitioned: Bool)

    // MARK: ZooKeeper
    /// The ensemble started (true) or stopped (false) serving: a leader with a quorum.
    case zooKeeperServing(Bool)

    // MARK: Mesos master (agent and framework events, status updates)
    /// An agent (re-)registered with the leading master (`AGENT_ADDED` in the master's event stream).
    case agentRegistered(agent: Int, host: Int, reregistered: Bool)
    /// The master marked an agent unreachable (ping timeouts, or not re-registered after a failover).
    case agentUnreachable(agent: Int, host: Int)
    /// A framework (re-)registered with the leading master (`FRAMEWORK_ADDED`).
    case frameworkRegistered(framework: Int, reregistered: Bool)
    /// A Marathon process stopped leading while it runs (its ZooKeeper session lost or expired, a
    /// newer contender leads): its HttpEventStreamActor goes to standby and closes every event
    /// stream (Marathon v1.4.9 HttpEventStreamActor `handleLeadership`); `exits`: the process
    /// exits too (1.4/1.5 `stop(exit = true)`), its connections reset. Topic `.frameworks`.
    case marathonLeadershipLost(process: Int, host: Int, exits: Bool)
    /// The master recorded a task state (`TASK_UPDATED`; Marathon's `status_update_event` when
    /// Marathon takes the update at once, as it does unless it learns the state later: then its
    /// `instanceChanged` is the event, docs/marathon-lb.md "The event stream").
    case statusUpdate(task: TaskID, state: TaskState, reason: TaskReason, host: Int, healthy: Bool?)
    /// The task's container stopped, or its state turned terminal, on the agent or the master,
    /// whether or not a status update is published at that instant (an exit the master learns
    /// later: agent unregistered or cut off; executors giving up after `recovery_timeout`; a
    /// crashed agent's tasks of a framework that does not checkpoint). For whoever reads a task's
    /// process directly (traffic's HAProxy check walk); delivered to no one else.
    case containerExited(task: TaskID)

    // MARK: Marathon's event stream
    /// `health_status_changed_event`: an instance's Marathon-level health flipped.
    case healthStatusChanged(app: Int, task: TaskID, alive: Bool)
    /// `instance_changed_event`: an instance's condition changed (its Mesos task state as Marathon
    /// sees it: staging, running, failed, killed, unreachable, gone ...).
    case instanceChanged(app: Int, task: TaskID, condition: TaskState)
    /// `deployment_info`: a deployment (`deployment-<id>` in the event log) started its step
    /// `step` (0-based) of `steps`.
    case deploymentInfo(deployment: Int, step: Int, steps: Int)
    /// `deployment_success`: every step done.
    case deploymentSuccess(deployment: Int)
    /// `deployment_failed`: cancelled (a forced change of one of its apps took over).
    case deploymentFailed(deployment: Int)
    /// The app's target instance count changed (scale action, deployment of a new `instances`).
    case appScaled(app: Int, from: Int, to: Int)

    // MARK: discovery and proxies (Consul, nginx)
    /// Consul's servers committed a change to what `/v1/health/service/<name>` returns for the
    /// service with this index in `ServiceCatalog.serviceNames` (registration, deregistration,
    /// a check's status, a node's `serfHealth`): its X-Consul-Index moved, blocking queries return.
    case catalogChanged(service: Int)
    /// Consul's servers registered or deregistered a node (`/v1/catalog/nodes` changed: a member
    /// joined or rejoined, left, or was reaped); topic `.catalogNodes`.
    case nodeCatalogChanged
    /// A proxy (nginx) activated a new configuration: requests from now on see its generation
    /// `generation` (`ProxyConfiguration.generation`); older workers finish in-flight requests.
    case proxyReloaded(proxy: Int, generation: Int)
    /// marathon-lb's HAProxy instance `instance` (`HAProxyControl.haproxyInstances`) runs a new
    /// configuration generation from now; the old process drains its connections.
    case haproxyReloaded(instance: Int, generation: Int)

    /// The topic subscribers choose.
    @inlinable public var topic: SignalTopic {
        switch self {
        case .hostDown, .hostUp, .hostPartitioned: return .hosts
        case .zooKeeperServing: return .zooKeeper
        case .agentRegistered, .agentUnreachable: return .agents
        case .frameworkRegistered, .marathonLeadershipLost: return .frameworks
        case .statusUpdate: return .taskStatus
        case .containerExited: return .containerExits
        case .healthStatusChanged: return .health
        case .instanceChanged: return .instances
        case .deploymentInfo, .deploymentSuccess, .deploymentFailed: return .deployments
        case .appScaled: return .scaling
        case .catalogChanged: return .catalog
        case .nodeCatalogChanged: return .catalogNodes
        case .proxyReloaded, .haproxyReloaded: return .proxy
        }
    }
}

/// Groups of signals a subsystem subscribes to.
public enum SignalTopic: Int, CaseIterable, Sendable {
    case hosts, zooKeeper, agents, frameworks, taskStatus, health, instances, deployments, scaling, catalog, proxy
    /// `containerExited` (a topic apart: it comes beside the status updates, not instead of them).
    case containerExits
    /// `nodeCatalogChanged` (a topic apart, so the `.catalog` subscribers and counts are unchanged).
    case catalogNodes
}

/// Who sees a signal first at the same instant. Subscribers of a topic are called by ascending
/// stage, then in the order of `ClusterSimulation.subsystems` (the list order), then in the order
/// they subscribed. The stages follow the dependencies of the real platform when a host goes
/// down or comes up: the clients of a service act before the service, the service before what it
/// runs on.
public enum SignalStage: Int, Comparable, Sendable {
    /// Schedulers whose processes run on hosts (Marathon, Chronos): they drop (or reopen) their
    /// ZooKeeper sessions before the servers on the same host change state.
    case frameworks = 10
    /// Coordination services (ZooKeeper servers).
    case coordination = 20
    /// Mesos masters and agents (and the tasks they run).
    case resourceManager = 30
    /// What containers live on (Docker's storage, Ceph OSDs, container networks).
    case containers = 40
    /// Everything that only watches: discovery, monitoring, load balancers, reports. The default.
    case observers = 100

    public static func < (a: SignalStage, b: SignalStage) -> Bool { a.rawValue < b.rawValue }
}

/// Receives the signals of the topics it subscribed to.
public protocol SignalSubscriber: AnyObject {
    func receive(_ signal: PlatformSignal)
}

/// The signal bus of one run. Subscriptions happen while the model is built (before `start`);
/// `publish` is then a loop over a plain array per topic.
public final class PlatformSignals {
    struct Subscription {
        let subscriber: SignalSubscriber
        let stage: SignalStage
        let rank: Int
    }
    /// Per topic, sorted by (stage, rank, subscription order).
    private var byTopic: [[Subscription]] = Array(repeating: [], count: SignalTopic.allCases.count)
    /// Position in the subsystem list of whoever subscribes now (set by ClusterSimulation).
    var currentRank = Int.max
    /// Signals published so far, per topic (for tests and the docs' example).
    public private(set) var published: [Int] = Array(repeating: 0, count: SignalTopic.allCases.count)

    init() {}

    /// Subscribes to a topic. Subscribers of a topic are called in (stage, list order,
    /// subscription order).
    public func subscribe(_ s: SignalSubscriber, to topic: SignalTopic, stage: SignalStage = .observers) {
        var list = byTopic[topic.rawValue]
        let sub = Subscription(subscriber: s, stage: stage, rank: currentRank)
        // stable insert: after every subscription that does not come later
        var i = list.count
        while i > 0 && (list[i - 1].stage > stage || (list[i - 1].stage == stage && list[i - 1].rank > currentRank)) { i -= 1 }
        list.insert(sub, at: i)
        byTopic[topic.rawValue] = list
    }

    public func subscribe(_ s: SignalSubscriber, to topics: [SignalTopic], stage: SignalStage = .observers) {
        for t in topics { subscribe(s, to: t, stage: stage) }
    }

    /// Whether anyone listens (lets a publisher skip building a signal).
    public func hasSubscribers(_ topic: SignalTopic) -> Bool { subscriberCount(topic) > 0 }

    public func subscriberCount(_ topic: SignalTopic) -> Int { byTopic[topic.rawValue].count }

    /// Delivers `signal` now to the subscribers of its topic, in order.
    public func publish(_ signal: PlatformSignal) {
        let t = signal.topic.rawValue
        published[t] &+= 1
        let list = byTopic[t]
        for s in list { s.subscriber.receive(signal) }
    }
}
