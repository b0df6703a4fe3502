import SimKernel

// The `marathonLB` section (issue 12): marathon-lb instances (one HAProxy each) per HAPROXY_GROUP,
// marathon-lb's flags under their command-line names, how it learns of changes, and the HAProxy
// version, which decides how a reload looks to clients. Defaults and sources: docs/marathon-lb.md.

/// One marathon-lb instance per host of `hosts`, serving the apps of `groups`.
public struct MarathonLBInstanceSpec: Equatable, Sendable {
    /// Host names (resolved from `hosts`, or every host of `hostGroup`, at decode).
    public var hosts: [String]
    public var hostGroup: String?
    /// `--group` (repeatable: marathon-lb's `action="append"`): apps whose HAPROXY_GROUP (or
    /// HAPROXY_{n}_GROUP) lists one of these ("*": every app). Non-empty.
    public var groups: [String]
    /// The groups as one name (`a,b` for two): the instance's `group` column and cache key.
    public var group: String {
        get { groups.joined(separator: ",") }
        set { groups = [newValue] }
    }
    public init(hosts: [String] = [], hostGroup: String? = nil, group: String = "external") {
        self.hosts = hosts; self.hostGroup = hostGroup; self.groups = [group]
    }
}

/// marathon-lb's flags the model reads (marathon_lb.py get_arg_parser).
public struct MarathonLBFlags: Equatable, Sendable {
    /// `--health-check`: only tasks whose Marathon health checks report alive (apps with checks).
    public var healthCheck = false
    /// `--strict-mode`: a backend only when HAPROXY_{n}_ENABLED is true.
    public var strictMode = false
    /// `--reload-interval` (seconds between reload retries) and `--max-reload-retries`.
    public var reloadInterval = 10
    public var maxReloadRetries = 10
    /// `--skip-validation`: no `haproxy -c` before the reload (an invalid file reaches HAProxy).
    public var skipValidation = false
    public var minServPortIpPerTask = 10050
    public var maxServPortIpPerTask = 10100
    /// `--skip-config-cleanup` (from 1.13.0): a candidate `haproxy -c` refuses is not rebuilt
    /// without the apps that break it (make_config_valid_and_regenerate, from 1.11.2).
    public var skipConfigCleanup = false
    /// `--marathon`/`-m` (nargs "+"): the host names of Marathon's URLs, in order (the API tries
    /// them in order; the event stream cycles through them). Empty: a name that reaches the
    /// leader (the image's default `http://master.mesos:8080`, Mesos-DNS's name of the leader).
    public var marathonHosts: [String] = []
    /// `--max-backoff` (from 1.13.0, default 300): the cap of the event stream's reconnect wait.
    public var maxBackoff = 300
    public init() {}
}

/// How marathon-lb follows Marathon: its event stream (`--sse`) or polling.
public enum MarathonLBMode: String, Equatable, Sendable { case sse, poll }

public struct MarathonLBSpec: Equatable, Sendable {
    public var instances: [MarathonLBInstanceSpec]
    public var flags: MarathonLBFlags
    public var mode: MarathonLBMode
    /// Poll mode: marathon-lb regenerates this often.
    public var pollInterval: SimDuration
    /// HAProxy's major.minor ("1.7"): below 1.8 a reload drops SYNs (the reload gap).
    public var haproxyMajor: Int
    public var haproxyMinor: Int
    /// Windows in which marathon-lb's reloads fail (an incident replayed; docs/marathon-lb.md).
    public var reloadFailures: [MarathonLBReloadFailure] = []
    /// The LB hosts' `net.core.somaxconn`: caps the accept queue of HAProxy's listening sockets
    /// (`HAProxyDefaults.somaxconn`; Linux's SOMAXCONN 128 before 5.4).
    public var somaxconn = 128
    /// The marathon-lb release (its image): what it writes, its options, its reload script.
    public var version: MarathonLBVersion = .baseline
    public init(instances: [MarathonLBInstanceSpec] = [], flags: MarathonLBFlags = MarathonLBFlags(), mode: MarathonLBMode = .sse,
                pollInterval: SimDuration = .seconds(60), haproxyMajor: Int = 1, haproxyMinor: Int = 7) {
        self.instances = instances; self.flags = flags; self.mode = mode; self.pollInterval = pollInterval
        self.haproxyMajor = haproxyMajor; self.haproxyMinor = haproxyMinor
    }
    /// No reload gap: marathon-lb 1.12.0+ runs HAProxy master-worker (`-W`, `-x` with the stats
    /// socket's `expose-fd listeners`), which needs HAProxy 1.8+. Before 1.12.0 the image's reload
    /// script drops SYNs whatever the HAProxy (service/haproxy/run `reload()`).
    public var seamlessReload: Bool { version.seamlessReload && (haproxyMajor > 1 || haproxyMinor >= 8) }
}

/// What fails when marathon-lb reloads HAProxy (marathon_lb.py compareWriteAndReloadConfig,
/// writeConfigAndValidate, reloadConfig).
public enum MarathonLBReloadFailureKind: String, CaseIterable, Equatable, Sendable {
    /// The new HAProxy process does not come up (cannot bind, out of file descriptors or memory):
    /// no new pid, so reloadConfig re-runs the reload every `--reload-interval` and gives up after
    /// `--max-reload-retries`; the old process serves the old configuration meanwhile.
    case haproxyStart
    /// The reload command exits non-zero (`sv reload` without its supervisor): logged, no retry.
    case reloadCommand
    /// `haproxy -c` refuses the candidate (a certificate gone, a bad template): the file is not
    /// replaced and nothing is reloaded; the next regeneration tries again.
    case validation
}

/// From `at` for `duration` (nil: to the end), reloads of the instances on `hosts` (empty: every
/// instance) fail as `kind` says; `app` (validation only): only candidates with that app's backend.
public struct MarathonLBReloadFailure: Equatable, Sendable {
    public var hosts: [String]
    public var at: SimDuration
    public var duration: SimDuration?
    public var kind: MarathonLBReloadFailureKind
    public var app: String?
    public init(hosts: [String] = [], at: SimDuration, duration: SimDuration? = nil, kind: MarathonLBReloadFailureKind = .haproxyStart, app: String? = nil) {
        self.hosts = hosts; self.at = at; self.duration = duration; self.kind = kind; self.app = app
    }
    public func active(at t: SimDuration) -> Bool { t >= at && duration.map { t < at + $0 } ?? true }
}
