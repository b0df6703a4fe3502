import SimKernel

// Plain values describing a cluster to simulate. The Scenario module decodes JSON into these;
// the model never sees a file format.

/// Everything needed to build and run one simulation.
public struct ClusterSpec: Equatable, Sendable {
    public var name: String
    public var description: String
    public var seed: UInt64
    public var duration: SimDuration
    /// Period of timeline/hosts samples. Default 15s (Prometheus' default scrape interval).
    public var sampleInterval: SimDuration
    public var datacenters: [DatacenterSpec]
    public var hostGroups: [HostGroupSpec]
    public var faults: [FaultSpec]
    /// The ZooKeeper ensemble; nil when the scenario has no `zookeeper` section.
    public var zookeeper: ZooKeeperSpec?
    /// Mesos masters and agents; nil when the scenario has no `mesos` section.
    public var mesos: MesosSpec?
    /// Marathon and its apps; nil when the scenario has no `marathon` section.
    public var marathon: MarathonSpec?
    /// Timed operator actions (deploys, scaling, restarts, task kills), in file order.
    public var actions: [ActionSpec] = []
    /// The cluster's network (topology, container network modes, experiments); nil when the
    /// scenario has no `network` section.
    public var network: NetworkSpec? = nil
    /// Container storage (Docker storage drivers per host group, operator actions, Ceph); nil
    /// when the scenario has no `storage` section.
    public var storage: StorageSpec? = nil
    /// Consul servers and agents, services and checks; nil when the scenario has no `consul` section.
    public var consul: ConsulSpec? = nil
    /// consul-template rendering nginx's configuration; nil without a `consulTemplate` section.
    public var consulTemplate: ConsulTemplateSpec? = nil
    /// nginx proxies; nil without an `nginx` section.
    public var nginx: NginxSpec? = nil
    /// User traffic (arrivals, service times, instance queues); nil without a `traffic` section.
    public var traffic: TrafficSpec? = nil
    /// marathon-lb: HAProxy instances per HAPROXY_GROUP and their settings; nil without a `marathonLB` section.
    public var marathonLB: MarathonLBSpec? = nil
    /// marathon-lb-autoscale: its flags; nil without an `autoscale` section.
    public var autoscale: AutoscaleSpec? = nil
    /// Prometheus: scrape configuration, rule files, the notifier; nil without a `prometheus` section.
    public var prometheus: PrometheusSpec? = nil
    /// Alertmanager: instances, its configuration (routes, receivers, inhibition), silences; nil
    /// without an `alertmanager` section.
    public var alertmanager: AlertmanagerSpec? = nil
    /// Chronos: its version, flags, instances and jobs (Chronos' job JSON); nil without a `chronos` section.
    public var chronos: ChronosSpec? = nil
    /// Harbor registries per data center, images, replication policies; nil without a `harbor` section.
    public var harbor: HarborSpec? = nil
    /// The Jenkins release pipeline (jobs, commits, executors); nil without a `jenkins` section.
    public var jenkins: JenkinsSpec? = nil
    /// Exact or fast (equal in distribution) paths for probes, offers and gossip (FidelitySpec).
    public var fidelity = FidelitySpec()

    public init(name: String, description: String = "", seed: UInt64 = 1, duration: SimDuration,
                sampleInterval: SimDuration = .seconds(15), datacenters: [DatacenterSpec] = [],
                hostGroups: [HostGroupSpec], faults: [FaultSpec] = [], zookeeper: ZooKeeperSpec? = nil,
                mesos: MesosSpec? = nil, marathon: MarathonSpec? = nil) {
        self.name = name; self.description = description; self.seed = seed; self.duration = duration
        self.sampleInterval = sampleInterval; self.datacenters = datacenters
        self.hostGroups = hostGroups; self.faults = faults
        self.zookeeper = zookeeper; self.mesos = mesos; self.marathon = marathon
    }
}

public struct DatacenterSpec: Equatable, Sendable {
    public var name: String
    /// Rack names in this data center; empty means any rack name is accepted.
    public var racks: [String]
    public init(name: String, racks: [String] = []) { self.name = name; self.racks = racks }
}

/// `count` identical hosts named `<name>-<nn>` (two digits at least: slave-01 ... slave-40, slave-100).
public struct HostGroupSpec: Equatable, Sendable {
    public var name: String
    public var count: Int
    public var datacenter: String
    /// Hosts are spread round-robin over these racks (host i goes to racks[i % racks.count]).
    public var racks: [String]
    public var cpus: Double
    public var memoryBytes: Int64
    public var diskBytes: Int64
    public var nicBitsPerSecond: Int64
    /// Mesos agent attributes (for Marathon constraints), in file order.
    public var attributes: [Attribute]

    public init(name: String, count: Int, datacenter: String, racks: [String], cpus: Double,
                memoryBytes: Int64, diskBytes: Int64, nicBitsPerSecond: Int64, attributes: [Attribute] = []) {
        self.name = name; self.count = count; self.datacenter = datacenter; self.racks = racks
        self.cpus = cpus; self.memoryBytes = memoryBytes; self.diskBytes = diskBytes
        self.nicBitsPerSecond = nicBitsPerSecond; self.attributes = attributes
    }

    /// Host name for index i (0-based): `<group>-<nn>`, zero-padded to at least two digits.
    public func hostName(_ i: Int) -> String {
        let n = String(i + 1)
        let width = max(2, String(count).count)
        return name + "-" + String(repeating: "0", count: max(0, width - n.count)) + n
    }
}

public struct Attribute: Equatable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

public enum FaultKind: String, CaseIterable, Sendable {
    /// The host stops at once (power loss, kernel panic); it comes back after `recoverAfter` if given.
    case hostCrash
    /// A crashed host comes back.
    case hostRecover
    /// Orderly reboot: down for `downFor`, then up again.
    case hostReboot
    /// The Mesos agent process dies (the host and its containers stay up); restarted after
    /// `restartAfter` when given.
    case agentCrash
    /// A Mesos master process dies (`master`: the leader or a master number); its supervisor
    /// restarts it after `restartAfter` (default: the Mesos section's master restart delay).
    case masterCrash
    /// A ZooKeeper server dies; restarted after `restartAfter` when given.
    case zookeeperCrash
    /// The host is cut off from the masters and the ZooKeeper servers (both ways); heals after `healAfter`.
    case networkPartition

    /// Kinds aimed at hosts (`host` or `hostGroup` + `count`).
    public var targetsHosts: Bool { self != .masterCrash && self != .zookeeperCrash }
    /// Kinds that need the scenario's `mesos` section.
    public var needsMesos: Bool { self == .agentCrash || self == .masterCrash || self == .zookeeperCrash || self == .networkPartition }
}

public enum FaultTarget: Equatable, Sendable {
    case host(String)
    /// `count` hosts of the group, picked when the fault fires by the fault's own seeded stream
    /// among the hosts it can apply to (up hosts for crash/reboot, down hosts for recover).
    case group(String, count: Int)
    /// Every host of the rack (in any group) the fault can apply to when it fires: a rack loss
    /// (top-of-rack switch or power feed) is a `hostCrash` aimed at a rack.
    case rack(String)
    /// A Mesos master: nil = whichever leads when the fault fires; else its 0-based index.
    case master(Int?)
    /// A ZooKeeper server by 0-based index.
    case zookeeperServer(Int)
    /// The host that holds a role when the fault fires (`HostRole`: the Consul leader's host ...).
    case role(HostRole)
}

/// Roles a fault can aim at: whichever host holds it when the fault fires (a leader moves, so a
/// scenario cannot name its host in advance). The subsystem named by `section` answers.
public enum HostRole: String, CaseIterable, Sendable {
    case consulLeader = "consul-leader"
    case mesosLeader = "mesos-leader"
    case marathonLeader = "marathon-leader"
    case zookeeperLeader = "zookeeper-leader"

    /// The scenario section whose subsystem holds the role.
    public var section: String {
        switch self {
        case .consulLeader: return "consul"
        case .mesosLeader, .zookeeperLeader: return "mesos"
        case .marathonLeader: return "marathon"
        }
    }
}

/// A subsystem that can say which host holds a role now (nil: nobody holds it).
public protocol HostRoleHolder: AnyObject {
    func host(holding role: HostRole) -> Int?
}

public struct FaultSpec: Equatable, Sendable {
    public var at: SimDuration
    public var kind: FaultKind
    public var target: FaultTarget
    /// hostCrash: bring the host back after this long (nil: stays down unless a hostRecover says otherwise).
    public var recoverAfter: SimDuration?
    /// hostReboot: how long the host is down. Default 2m.
    public var downFor: SimDuration
    /// agentCrash, masterCrash, zookeeperCrash: restart the process after this long.
    public var restartAfter: SimDuration?
    /// networkPartition: heal after this long (nil: until the end of the run).
    public var healAfter: SimDuration?

    public static let defaultRebootDownFor = SimDuration.minutes(2)

    public init(at: SimDuration, kind: FaultKind, target: FaultTarget, recoverAfter: SimDuration? = nil,
                downFor: SimDuration = FaultSpec.defaultRebootDownFor, restartAfter: SimDuration? = nil,
                healAfter: SimDuration? = nil) {
        self.at = at; self.kind = kind; self.target = target; self.recoverAfter = recoverAfter; self.downFor = downFor
        self.restartAfter = restartAfter; self.healAfter = healAfter
    }
}

/// An operator action at a given time: what Jenkins or an SRE asks Marathon through its REST API.
public struct ActionSpec: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// PUT /v2/apps/{id} with a changed definition (a new version, or only `instances`); a new
        /// version may behave otherwise than the one before (`behaviour`: the instances it launches).
        case deploy(AppDefinition, behaviour: AppBehaviour? = nil)
        /// PUT /v2/apps/{id} {"instances": n}.
        case scale(app: String, instances: Int)
        /// POST /v2/apps/{id}/restart.
        case restart(app: String)
        /// DELETE /v2/apps/{id}/tasks/{taskId}?scale=...: `count` instances picked at random.
        case killTasks(app: String, count: Int, scale: Bool)
        /// PUT /v1/kv/{key} (`value`), or DELETE (nil): Consul's KV store, as templates read it.
        case consulKV(key: String, value: String?)
        /// `vault write PATH` (the secret's new data as a JSON object text) or `vault delete PATH` (nil).
        case vaultWrite(path: String, dataJSON: String?, fields: VaultLeaseFields)
        /// `vault operator unseal` with the threshold of key shares: a sealed Vault answers again.
        case vaultUnseal
        /// PUT /v1/agent/check/pass|warn|fail/<id> (or /v1/agent/check/update/<id>) on the agents of
        /// the app's running instances (on `host` only), for their TTL checks (named or with the id
        /// `check` only); `heartbeats`: the process's own updates go on with `status`, or stop.
        case consulCheckUpdate(app: String, host: String?, check: String?, status: ConsulHealth, heartbeats: Bool)

        public var isVaultUnseal: Bool { if case .vaultUnseal = self { return true } else { return false } }
    }
    public var at: SimDuration
    public var kind: Kind
    /// ?force=true: cancel a deployment of the app in progress instead of being refused (409).
    public var force: Bool
    public init(at: SimDuration, kind: Kind, force: Bool = false) { self.at = at; self.kind = kind; self.force = force }

    public var name: String {
        switch kind {
        case .deploy: return "deploy"
        case .scale: return "scale"
        case .restart: return "restart"
        case .killTasks: return "killTasks"
        case .consulKV: return "consulKV"
        case .vaultWrite: return "vaultWrite"
        case .vaultUnseal: return "vaultUnseal"
        case .consulCheckUpdate: return "consulCheckUpdate"
        }
    }
    public var app: String {
        switch kind {
        case .deploy(let d, _): return d.id
        case .scale(let a, _), .restart(let a), .killTasks(let a, _, _): return a
        case .consulKV(let key, _): return key
        case .vaultWrite(let path, _, _): return path
        case .vaultUnseal: return ""
        case .consulCheckUpdate(let a, _, _, _, _): return a
        }
    }
}
