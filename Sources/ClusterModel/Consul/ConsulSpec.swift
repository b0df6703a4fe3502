import SimKernel

/// The `consul` section: servers on a host group, agents on the Mesos agents' hosts, the part of
/// Consul's agent configuration the model uses (Consul's own names), and per Marathon app the
/// Consul service definitions its tasks are registered with. Defaults and sources: docs/consul.md.
public struct ConsulSpec: Equatable, Sendable {
    /// Raft servers: 3, 5 or 7, on the first hosts of `hostGroup`.
    public var servers: Int
    public var hostGroup: String
    /// Host groups whose hosts run a Consul agent; nil: every Mesos agent host group (and the
    /// servers' hosts, which always run one).
    public var agentHostGroups: [String]?
    public var config: ConsulAgentConfig
    /// Service definitions by Marathon app id, in scenario order.
    public var services: [(appId: String, definitions: [ConsulServiceDefinition])]
    /// Apps without a definition are registered without checks (true) or not at all (false).
    public var registerAll: Bool
    /// Exact mode: every check run is an event and draws its response time (the computed mode's
    /// reference; docs/consul.md).
    public var exactChecks = false
    /// The KV store's contents (`consul.kv`: key → value), read by consul-template's `key`, `ls`,
    /// `tree`; it does not change during a run.
    public var kv: [String: String] = [:]
    /// How apps without a definition are named and registered (`consul.serviceNaming`,
    /// Registrator.swift): the app id (default), or registrator's image base name.
    public var serviceNaming: ConsulServiceNaming = .appId
    /// Registrator's command line (`consul.registrator`, RegistratorFlags.swift); nil: not given,
    /// registrator with its default flags, as before the section had the key.
    public var registrator: RegistratorFlags?

    public init(servers: Int = 3, hostGroup: String, agentHostGroups: [String]? = nil, config: ConsulAgentConfig = ConsulAgentConfig(),
                services: [(appId: String, definitions: [ConsulServiceDefinition])] = [], registerAll: Bool = true) {
        self.servers = servers; self.hostGroup = hostGroup; self.agentHostGroups = agentHostGroups; self.config = config
        self.services = services; self.registerAll = registerAll
    }

    /// Registrator's registrations for the apps without a definition (registerAll), in app order;
    /// apps it leaves to the app-id registration are not listed (Registrator.swift `plan`).
    public func registratorPlans(apps: [AppDefinition]) -> [(appId: String, plan: RegistratorPlan)] {
        guard registerAll else { return [] }
        var out: [(appId: String, plan: RegistratorPlan)] = []
        let defined = Set(services.map(\.appId))
        for a in apps where !defined.contains(a.id) {
            if let p = Registrator.plan(a, naming: serviceNaming, scriptChecksEnabled: config.enableScriptChecks, flags: registrator) { out.append((a.id, p)) }
        }
        return out
    }

    /// Per service name, the tags of the definitions and registrator registrations that register
    /// it, in first appearance order: what `/v1/catalog/services` lists (definitions first).
    public func tagsByServiceName(apps: [AppDefinition]) -> (names: [String], tags: [[String]]) {
        var names: [String] = []
        var tags: [[String]] = []
        var index: [String: Int] = [:]   // by name (linear in definitions, not definitions × names)
        func add(_ d: ConsulServiceDefinition) {
            let i: Int
            if let k = index[d.name] { i = k } else { names.append(d.name); tags.append([]); i = names.count - 1; index[d.name] = i }
            for t in d.tags where !tags[i].contains(t) { tags[i].append(t) }
        }
        for (_, defs) in services { for d in defs { add(d) } }
        for (_, p) in registratorPlans(apps: apps) { for s in p.services { add(s.definition) } }
        return (names, tags)
    }

    public static func == (a: ConsulSpec, b: ConsulSpec) -> Bool {
        a.servers == b.servers && a.hostGroup == b.hostGroup && a.agentHostGroups == b.agentHostGroups && a.config == b.config
            && a.registerAll == b.registerAll && a.exactChecks == b.exactChecks && a.kv == b.kv && a.serviceNaming == b.serviceNaming && a.registrator == b.registrator && a.services.map(\.appId) == b.services.map(\.appId)
            && a.services.map(\.definitions) == b.services.map(\.definitions)
    }
}

/// Consul agent configuration the model reads (names as in Consul's agent config JSON).
public struct ConsulAgentConfig: Equatable, Sendable {
    /// `performance.raft_multiplier` (Consul default 5 since 0.7: agent/consul/config.go DefaultRaftMultiplier).
    public var raftMultiplier: Int = 5
    /// `performance.rpc_hold_timeout`: how long a server holds a request it must forward while
    /// there is no leader (agent/config/default.go `rpc_hold_timeout = "7s"`; agent/consul/rpc.go `forward`).
    public var rpcHoldTimeout: SimDuration = .seconds(7)
    /// `gossip_lan` (memberlist DefaultLANConfig, exposed in agent/config/default.go).
    public var probeInterval: SimDuration = .seconds(1)
    public var probeTimeout: SimDuration = .milliseconds(500)
    public var suspicionMult: Int = 4
    public var retransmitMult: Int = 4
    public var gossipInterval: SimDuration = .milliseconds(200)
    public var gossipNodes: Int = 3
    /// `reconnect_timeout` (72h in Consul, agent/consul/config.go; Consul refuses less than 8h).
    public var reconnectTimeout: SimDuration = .hours(72)
    /// `leave_on_terminate`: whether an agent leaves the pool on SIGTERM (an orderly reboot).
    /// nil: Consul's default by role, true for client agents and false for servers
    /// (agent/config/builder.go `leaveOnTerm := !b.boolVal(c.ServerMode)`). The model applies a
    /// given value to the client agents; servers never leave (the Raft configuration change of a
    /// leaving server is not modelled).
    public var leaveOnTerminate: Bool? = nil
    /// `check_update_interval` (5m): output-only changes; status changes sync at once.
    public var checkUpdateInterval: SimDuration = .minutes(5)
    /// `dns_config.allow_stale` / `max_stale` (true / 87600h, agent/config/default.go).
    public var allowStale: Bool = true
    public var maxStale: SimDuration = .hours(87600)
    /// `enable_script_checks` (false, agent/config/default.go): script checks registered through
    /// the HTTP API (registrator's SERVICE_CHECK_SCRIPT / _CMD) are refused unless true.
    public var enableScriptChecks = false
    /// `datacenter` ("dc1": agent/config/default.go), lower-cased as the builder does.
    public var datacenter = "dc1"
    public init() {}

    // hashicorp/raft config.go DefaultConfig, scaled by Consul's ScaleRaft (agent/consul/config.go).
    public var heartbeatTimeout: SimDuration { .milliseconds(1000) * Int64(raftMultiplier) }
    public var electionTimeout: SimDuration { .milliseconds(1000) * Int64(raftMultiplier) }
    public var leaderLeaseTimeout: SimDuration { .milliseconds(500) * Int64(raftMultiplier) }
}

/// One service of a Consul service definition file (`{"service": {...}}` or an element of
/// `{"services": [...]}`), as Consul's agent config loader reads it.
public struct ConsulServiceDefinition: Equatable, Sendable {
    public var name: String
    public var id: String?
    public var tags: [String]
    public var port: Int?
    public var checks: [ConsulCheckDefinition]
    public init(name: String, id: String? = nil, tags: [String] = [], port: Int? = nil, checks: [ConsulCheckDefinition] = []) {
        self.name = name; self.id = id; self.tags = tags; self.port = port; self.checks = checks
    }
}

/// The health of a check (api/health.go: passing, warning, critical).
public enum ConsulHealth: String, Equatable, Sendable, CaseIterable {
    case passing, warning, critical
}

/// A check of a service definition (agent/structs/check_type.go CheckType).
public struct ConsulCheckDefinition: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case http, tcp, script, ttl }
    public var kind: Kind
    public var name: String
    public var id: String?
    public var interval: SimDuration
    /// Probe timeout (agent/checks/check.go): script 30s unless given; HTTP/TCP the given timeout
    /// when it is shorter than the interval, else the interval when under 10s, else 10s ("a check
    /// *should* return before the next check begins").
    public var timeout: SimDuration
    public var ttl: SimDuration
    public var successBeforePassing: Int
    public var failuresBeforeCritical: Int
    /// nil: never; else at least 1m (agent/agent.go raises shorter values to the 1m minimum).
    public var deregisterCriticalServiceAfter: SimDuration?
    /// Initial status (`status`, default critical).
    public var initialStatus: ConsulHealth
    public init(kind: Kind, name: String = "", id: String? = nil, interval: SimDuration = .zero, timeout: SimDuration? = nil,
                ttl: SimDuration = .zero, successBeforePassing: Int = 0, failuresBeforeCritical: Int = 0,
                deregisterCriticalServiceAfter: SimDuration? = nil, initialStatus: ConsulHealth = .critical) {
        self.kind = kind; self.name = name; self.id = id; self.interval = interval
        switch kind {
        case .script: self.timeout = timeout ?? .seconds(30)
        case .ttl: self.timeout = .zero
        case .http, .tcp:
            if let t = timeout, t > .zero, t < interval { self.timeout = t } else { self.timeout = min(.seconds(10), interval) }
        }
        self.ttl = ttl; self.successBeforePassing = successBeforePassing; self.failuresBeforeCritical = failuresBeforeCritical
        self.deregisterCriticalServiceAfter = deregisterCriticalServiceAfter; self.initialStatus = initialStatus
    }
}
