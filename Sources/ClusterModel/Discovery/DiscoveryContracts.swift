import SimKernel

// What the discovery and traffic subsystems see of each other (issue 10), so that each lives in
// its own folder behind the subsystem contract:
//
//   Marathon tasks --statusUpdate/healthStatusChanged--> Consul (agents register services,
//   checks, gossip, servers) --catalogChanged--> consul-template (blocking query, wait, render)
//   --reload--> nginx (configuration generations) --proxyReloaded--> traffic (the request path)
//
// Consul implements `ServiceCatalog`; nginx implements `ProxyConfiguration` (its control plane:
// which configuration is active, its upstreams and proxy settings, parsed from the rendered text);
// the traffic subsystem owns the data plane (peer choice, passive health, retries, queues).

/// One instance of a service as Consul's catalog and nginx's upstreams name it: the Mesos task
/// behind it, the host it runs on and the port it listens on (the task's host port).
public struct ServiceInstance: Hashable, Sendable {
    public var task: TaskID
    public var host: Int
    public var port: Int
    public init(task: TaskID, host: Int, port: Int) { self.task = task; self.host = host; self.port = port }
}

/// Which instances a health query returns (consul-template's `service "name"` is passing only,
/// `"name|any"` every instance, `"name|passing,warning"` both).
public enum ServiceHealthFilter: Hashable, Sendable {
    case passing, passingOrWarning, any
}

/// Consul's catalog and health endpoints as their clients (consul-template) see them.
public protocol ServiceCatalog: AnyObject {
    /// Every service name the catalog can hold, in a fixed order (the `service` of `.catalogChanged`).
    var serviceNames: [String] { get }
    /// X-Consul-Index of `/v1/health/service/<name>`: moves when its answer may have changed.
    func healthIndex(service: Int) -> UInt64
    /// What `/v1/health/service/<name>` answers now to a client on host `from` reading stale
    /// (`?stale`: any live server answers from its own state): nil when no server can answer
    /// (none reachable, or none has ever had a leader), in which case the client retries.
    func health(service: Int, filter: ServiceHealthFilter, from host: Int) -> [ServiceInstance]?
    /// The X-Consul-LastContact of a stale read by a client on host `from`: zero while there is a
    /// leader, else how long ago the servers lost it; nil when no server answers. A client with a
    /// `max_stale` refuses an older answer and asks the leader (consul-template watch/view.go).
    func lastContact(from host: Int) -> SimDuration?
    /// Why a write (a KV PUT or DELETE, applied through Raft by the leader) fails now, in Consul's
    /// words; nil when it is committed.
    func writeRefusal() -> String?
    /// How long a server holds a read or write that needs the leader while there is none, before
    /// it answers `No cluster leader` (Consul's `performance.rpc_hold_timeout`).
    var leaderHold: SimDuration { get }
    /// Whether `/v1/health/service/<name>` (any status) lists an instance, for a client on host
    /// `from` (nil: no server can answer), without building the answer: `/v1/catalog/services`
    /// lists the services that have one.
    func hasInstances(service: Int, from host: Int) -> Bool?
    /// The tags the instance was registered with under `service` (its service definition's `tags`).
    func tags(service: Int, instance: ServiceInstance) -> [String]
    /// The instance's service ID under `service` (`ServiceID` of the health answer: registrator's
    /// `host:container:port`, or SERVICE_ID); nil when the catalog does not name it.
    func serviceID(service: Int, instance: ServiceInstance) -> String?
    /// The tags `/v1/catalog/services` lists for `service`.
    func serviceTags(service: Int) -> [String]
    /// The checks `/v1/health/service/<name>` lists with the instance (its node's serfHealth, then
    /// the service's own checks), as the servers hold them; [] when the catalog does not say.
    func checks(service: Int, instance: ServiceInstance) -> [ServiceCheckStatus]
    /// Until when a read by a client on `host` hangs because the server its agent uses died under
    /// it (host down, not yet noticed: docs/consul.md "A client's server"), and that server's host.
    func readStall(from host: Int) -> (until: SimTime, server: String)?
}

/// One check of a health answer's entry (api.HealthCheck: what a template can see of it).
public struct ServiceCheckStatus: Hashable, Sendable {
    /// Empty for a node check (serfHealth).
    public var serviceCheck: Bool
    /// The check's `name` in its definition (empty: Consul's default name).
    public var name: String
    public var status: ConsulHealth
    public init(serviceCheck: Bool, name: String, status: ConsulHealth) { self.serviceCheck = serviceCheck; self.name = name; self.status = status }
}

extension ServiceCatalog {
    public func tags(service: Int, instance: ServiceInstance) -> [String] { [] }
    public func serviceID(service: Int, instance: ServiceInstance) -> String? { nil }
    public func serviceTags(service: Int) -> [String] { [] }
    public func checks(service: Int, instance: ServiceInstance) -> [ServiceCheckStatus] { [] }

    public func lastContact(from host: Int) -> SimDuration? { .zero }
    public func writeRefusal() -> String? { nil }
    public var leaderHold: SimDuration { .zero }

    public func hasInstances(service: Int, from host: Int) -> Bool? {
        health(service: service, filter: .any, from: host).map { !$0.isEmpty }
    }
}

/// How nginx balances an upstream (ngx_http_upstream_module).
public enum UpstreamMethod: String, Hashable, Sendable {
    case roundRobin = "round-robin", leastConn = "least_conn", ipHash = "ip_hash", random = "random"
}

/// A `server` line of an upstream block, with its parameters (nginx defaults: weight 1,
/// max_fails 1, fail_timeout 10s).
public struct UpstreamServer: Hashable, Sendable {
    public var address: String
    public var port: Int
    /// The instance behind `address:port`; nil when none (the `127.0.0.1:65535` placeholder, a
    /// stale address): connecting is refused.
    public var instance: ServiceInstance?
    public var weight: Int
    public var maxFails: Int
    public var failTimeout: SimDuration
    public var backup: Bool
    public var down: Bool
    public init(address: String, port: Int, instance: ServiceInstance?, weight: Int = 1, maxFails: Int = 1,
                failTimeout: SimDuration = .seconds(10), backup: Bool = false, down: Bool = false) {
        self.address = address; self.port = port; self.instance = instance; self.weight = weight
        self.maxFails = maxFails; self.failTimeout = failTimeout; self.backup = backup; self.down = down
    }
}

/// An `upstream` block.
public struct ProxyUpstream: Hashable, Sendable {
    public var name: String
    public var method: UpstreamMethod
    public var servers: [UpstreamServer]
    public init(name: String, method: UpstreamMethod = .roundRobin, servers: [UpstreamServer]) {
        self.name = name; self.method = method; self.servers = servers
    }
}

/// When nginx passes a request to the next server (`proxy_next_upstream`, default `error timeout`).
public struct NextUpstream: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let error = NextUpstream(rawValue: 1)
    public static let timeout = NextUpstream(rawValue: 2)
    public static let http500 = NextUpstream(rawValue: 4)
    public static let http502 = NextUpstream(rawValue: 8)
    public static let http503 = NextUpstream(rawValue: 16)
    public static let http504 = NextUpstream(rawValue: 32)
    public static let nonIdempotent = NextUpstream(rawValue: 64)
    /// nginx's default.
    public static let standard: NextUpstream = [.error, .timeout]
}

/// A `location` that proxies to an upstream, with the proxy settings in force there.
public struct ProxyRoute: Hashable, Sendable {
    /// The location's prefix ("/", "/shop/").
    public var location: String
    /// Index into `ProxyConfiguration.upstreams(generation:)`.
    public var upstream: Int
    /// `proxy_connect_timeout` (60s), `proxy_read_timeout` (60s), `proxy_send_timeout` (60s).
    public var connectTimeout: SimDuration
    public var readTimeout: SimDuration
    public var sendTimeout: SimDuration
    public var nextUpstream: NextUpstream
    /// `proxy_next_upstream_tries` (0: unlimited), `proxy_next_upstream_timeout` (0: unlimited).
    public var nextUpstreamTries: Int
    public var nextUpstreamTimeout: SimDuration
    public init(location: String, upstream: Int, connectTimeout: SimDuration = .seconds(60), readTimeout: SimDuration = .seconds(60),
                sendTimeout: SimDuration = .seconds(60), nextUpstream: NextUpstream = .standard,
                nextUpstreamTries: Int = 0, nextUpstreamTimeout: SimDuration = .zero) {
        self.location = location; self.upstream = upstream; self.connectTimeout = connectTimeout; self.readTimeout = readTimeout
        self.sendTimeout = sendTimeout; self.nextUpstream = nextUpstream
        self.nextUpstreamTries = nextUpstreamTries; self.nextUpstreamTimeout = nextUpstreamTimeout
    }
}

/// nginx's control plane as the request path sees it: the configurations it has loaded
/// (generation 0 is the one it started with), which one new requests get, and per generation the
/// upstreams and routes parsed from the configuration text.
public protocol ProxyConfiguration: AnyObject {
    /// The proxies (nginx instances), by index (the `proxy` of `.proxyReloaded`).
    var proxyCount: Int { get }
    /// The host the proxy runs on (requests fail at once while it is down).
    func host(ofProxy p: Int) -> Int
    /// The generation new requests are handled by now.
    func generation(ofProxy p: Int) -> Int
    /// The upstream blocks of that configuration.
    func upstreams(proxy p: Int, generation: Int) -> [ProxyUpstream]
    /// The route for a request path (longest matching prefix location), nil: no location (404).
    func route(proxy p: Int, generation: Int, path: String) -> ProxyRoute?
}

extension Host {
    /// The host's IPv4 address as Consul advertises it and nginx's upstreams name it: the
    /// simulator numbers hosts 10.0.0.1, 10.0.0.2, ... in scenario order (host index + 1 in the
    /// low 24 bits; up to 100,000 hosts fit).
    public var address: String { Host.address(ofIndex: index) }

    public static func address(ofIndex i: Int) -> String {
        let n = i + 1
        return "10.\((n >> 16) & 255).\((n >> 8) & 255).\(n & 255)"
    }

    /// The host index of an address written by `address(ofIndex:)`; nil for any other address.
    public static func index(ofAddress s: String) -> Int? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "10" else { return nil }
        var n = 0
        for p in parts.dropFirst() {
            guard let v = Int(p), v >= 0, v <= 255, p.count <= 3 else { return nil }
            n = n << 8 | v
        }
        return n >= 1 ? n - 1 : nil
    }
}

extension ServiceCatalog {
    public func readStall(from host: Int) -> (until: SimTime, server: String)? { nil }
}
