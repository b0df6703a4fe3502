import SimKernel

// What marathon-lb (issue 12), the request path through HAProxy and marathon-lb-autoscale see of
// each other, so that each lives in its own folder behind the subsystem contract:
//
//   Marathon's event stream (statusUpdate / healthStatusChanged / deployments) --> marathon-lb
//   (regenerates haproxy.cfg from app labels, reloads HAProxy; implements `HAProxyControl`)
//   --haproxyReloaded--> traffic's HAProxy front (frontends, backends, maxconn queues, retries,
//   redispatch, HAProxy's own health checks; implements `HAProxyStatsSource`) --/haproxy?stats;csv-->
//   marathon-lb-autoscale (moving average, thresholds, cooldown) --scale--> Marathon.

/// How a backend balances (HAProxy `balance`).
public enum HAProxyBalance: String, Hashable, Sendable {
    case roundRobin = "roundrobin", leastConn = "leastconn", source = "source", first = "first"
}

/// HAProxy's active health check of a backend's servers, as marathon-lb writes it from the app's
/// first Marathon health check (`check inter {intervalSeconds}s fall {maxConsecutiveFailures+1}`,
/// `timeout check {timeoutSeconds}s`, `option httpchk GET {path}`); HAProxy's defaults otherwise
/// (inter 2 s, rise 2, fall 3).
public struct HAProxyCheck: Hashable, Sendable {
    public var inter: SimDuration
    public var rise: Int
    public var fall: Int
    public var timeout: SimDuration?
    /// `option httpchk GET <path>`; nil: a TCP connect check.
    public var httpPath: String?
    public init(inter: SimDuration = .seconds(2), rise: Int = 2, fall: Int = 3, timeout: SimDuration? = nil, httpPath: String? = nil) {
        self.inter = inter; self.rise = rise; self.fall = fall; self.timeout = timeout; self.httpPath = httpPath
    }
}

/// A `server` line of a backend: a task's host and port.
public struct HAProxyServer: Hashable, Sendable {
    public var name: String
    public var address: String
    public var port: Int
    /// The instance behind it (nil: nothing listens there).
    public var instance: ServiceInstance?
    public var weight: Int
    /// Per-server `maxconn` (0: none).
    public var maxconn: Int
    public var check: HAProxyCheck?
    public init(name: String, address: String, port: Int, instance: ServiceInstance?, weight: Int = 1, maxconn: Int = 0, check: HAProxyCheck? = nil) {
        self.name = name; self.address = address; self.port = port; self.instance = instance; self.weight = weight; self.maxconn = maxconn; self.check = check
    }
}

/// A backend: one per app and service port (`<app id with / as _>_<servicePort>`).
public struct HAProxyBackend: Hashable, Sendable {
    public var name: String
    /// The Marathon app's index in Marathon's spec and its port index.
    public var app: Int
    public var portIndex: Int
    public var mode: String
    public var balance: HAProxyBalance
    public var servers: [HAProxyServer]
    public init(name: String, app: Int, portIndex: Int, mode: String = "http", balance: HAProxyBalance = .roundRobin, servers: [HAProxyServer] = []) {
        self.name = name; self.app = app; self.portIndex = portIndex; self.mode = mode; self.balance = balance; self.servers = servers
    }
}

/// A frontend: a bind port (the service port, or 80 with vhost ACLs) and its backend.
public struct HAProxyFrontend: Hashable, Sendable {
    /// The name the stats CSV and the autoscaler's `--apps` use (`nginx_10000`).
    public var name: String
    public var bindPort: Int
    public var mode: String
    public var backend: Int
    public var vhosts: [String]
    public init(name: String, bindPort: Int, mode: String = "http", backend: Int, vhosts: [String] = []) {
        self.name = name; self.bindPort = bindPort; self.mode = mode; self.backend = backend; self.vhosts = vhosts
    }
}

/// The `global`/`defaults` settings of marathon-lb's HAPROXY_HEAD template that the request path uses.
public struct HAProxyDefaults: Hashable, Sendable {
    /// `global` maxconn: the sessions of all the process's frontends together (marathon-lb's HAPROXY_HEAD).
    public var globalMaxconn = 50_000
    /// `defaults` maxconn: each frontend's own limit of concurrent sessions (per process). A frontend
    /// that reaches it (or the process its `global` maxconn) stops accepting: new connections wait
    /// in the kernel's accept queue of its listening socket, not in a backend queue (HAProxy
    /// configuration manual 4.2 `maxconn`, 3.2 global `maxconn`).
    public var maxconn = 10_000
    /// `defaults` backlog: the listen() backlog HAProxy asks for (10000 in marathon-lb's head;
    /// HAProxy's own default is the frontend's maxconn: 4.2 `backlog`).
    public var backlog = 10_000
    /// The LB host's `net.core.somaxconn`: Linux caps the accept queue of every listen() at it
    /// (net/socket.c `__sys_listen`: `if ((unsigned int)backlog > somaxconn) backlog = somaxconn`);
    /// 128 (`SOMAXCONN`, include/linux/socket.h) before Linux 5.4, 4096 after. marathon-lb runs
    /// with the host's network namespace, so the host's value applies.
    public var somaxconn = 128
    /// Connections a full frontend's listening socket holds before the kernel drops SYNs.
    public var acceptQueue: Int { max(0, min(backlog, somaxconn)) }
    public var retries = 3
    public var redispatch = true
    public var timeoutConnect = SimDuration.seconds(3)
    public var timeoutClient = SimDuration.seconds(30)
    public var timeoutServer = SimDuration.seconds(30)
    public var timeoutQueue = SimDuration.seconds(30)
    public init() {}
}

/// One generated configuration: what the data plane reads and the text `haproxy -c` judges.
public struct HAProxyConfiguration: Sendable {
    public var defaults: HAProxyDefaults
    public var frontends: [HAProxyFrontend]
    public var backends: [HAProxyBackend]
    /// The haproxy.cfg text marathon-lb wrote.
    public var text: String
    public init(defaults: HAProxyDefaults = HAProxyDefaults(), frontends: [HAProxyFrontend] = [], backends: [HAProxyBackend] = [], text: String = "") {
        self.defaults = defaults; self.frontends = frontends; self.backends = backends; self.text = text
    }
}

/// marathon-lb's control plane as the data plane sees it: its instances (one HAProxy each) and
/// the configuration generations each has activated.
public protocol HAProxyControl: AnyObject {
    /// The marathon-lb instances: host index and HAPROXY_GROUP.
    var haproxyInstances: [(host: Int, group: String)] { get }
    /// The generation instance `i` runs now (0 before the first reload: no frontends).
    func haproxyGeneration(_ i: Int) -> Int
    func haproxyConfiguration(_ i: Int, generation: Int) -> HAProxyConfiguration
    /// Whether instance `i` accepts new connections at `now` (false while its host is down, and in
    /// the reload gap of HAProxy ≤ 1.x reloads: SYNs dropped, clients retransmit about 1 s later).
    func haproxyAccepts(_ i: Int, now: SimTime) -> Bool
    /// The generations activated so far by all the instances together (it moves whenever an
    /// instance's generation does), or nil when not counted: the data plane then cannot tell that
    /// no generation moved since it last looked (HAProxyTable's live list).
    var haproxyGenerationsActivated: Int? { get }
    /// Whether instance `i`'s reloads hand the listening sockets to the new process (HAProxy 1.8+
    /// master-worker with `-x`: marathon-lb from 1.12.0): connections waiting in the accept queue
    /// survive a reload. Otherwise the old process closes its listeners and the kernel resets the
    /// connections still in their accept queues.
    func haproxySeamless(_ i: Int) -> Bool
}

extension HAProxyControl {
    public var haproxyGenerationsActivated: Int? { nil }
    public func haproxySeamless(_ i: Int) -> Bool { false }
}

/// One FRONTEND row of `/haproxy?stats;csv` (haproxy doc/management.txt): `rate` (field 33:
/// sessions over the last elapsed second), `scur` (current sessions), `qcur` (queued; always 0
/// for a frontend row), `stot`.
public struct HAProxyFrontendStats: Hashable, Sendable {
    public var name: String
    public var rate: Int
    public var scur: Int
    public var qcur: Int
    public var stot: Int64
    public init(name: String, rate: Int, scur: Int, qcur: Int = 0, stot: Int64 = 0) {
        self.name = name; self.rate = rate; self.scur = scur; self.qcur = qcur; self.stot = stot
    }
}

/// The stats page of each HAProxy instance as the autoscaler polls it.
public protocol HAProxyStatsSource: AnyObject {
    /// The FRONTEND rows of instance `i` at `now` (nil: the instance does not answer).
    func haproxyFrontendStats(_ i: Int, now: SimTime) -> [HAProxyFrontendStats]?
}
