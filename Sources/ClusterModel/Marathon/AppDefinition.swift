import SimKernel

// A Marathon app as the simulator models it: the fields of Marathon's v2 app JSON
// (docs/docs/rest-api/public/api/v2/types/app.raml) that change what the platform does, with
// Marathon's defaults filled in. Fields Marathon knows but the simulator does not model are
// accepted by the decoder and listed in a warning; they are not kept here (except labels, env
// names and similar that later work needs).

/// One app (`/courseware/web`), ids absolute and normalised.
public struct AppDefinition: Equatable, Sendable {
    /// Absolute path id, like "/courseware/web".
    public var id: String
    /// The group the app belongs to ("/" for top-level apps).
    public var group: String
    public var instances: Int
    public var cpus: Double
    /// MB, as Marathon and Mesos count memory.
    public var mem: Double
    /// MB.
    public var disk: Double
    public var gpus: Int
    public var cmd: String?
    public var args: [String]?
    public var container: AppContainer?
    /// Host, Docker bridge, or a named container network (USER / `networks` mode container).
    public var networkMode: NetworkMode
    /// Every port of the app in portIndex order: from portDefinitions (host networking) or from the
    /// container's portMappings (bridge and container networks).
    public var ports: [AppPort]
    /// requirePorts (host networking only): host ports must be the declared ones.
    public var requirePorts: Bool
    public var constraints: [PlacementConstraint]
    public var healthChecks: [HealthCheck]
    public var readinessChecks: [ReadinessCheck]
    public var upgradeStrategy: UpgradeStrategy
    public var unreachableStrategy: UnreachableStrategy
    public var killSelection: KillSelection
    public var backoff: BackoffStrategy
    /// taskKillGracePeriodSeconds; nil = unset (the executor's default applies).
    public var taskKillGracePeriod: SimDuration?
    /// Dependencies as written, resolved to absolute ids (apps or groups), in file order.
    public var dependencies: [String]
    /// Apps this app waits for in a deployment: its own dependencies and those of its enclosing
    /// groups, with every group expanded to the apps inside it (transitively), sorted by id.
    public var effectiveDependencies: [String]
    /// labels in file order (HAPROXY_GROUP, HAPROXY_0_VHOST ... for marathon-lb).
    public var labels: [Label]
    /// Names of the environment variables.
    public var envNames: [String]
    /// The environment variables with string values, in file order (secrets left out: their
    /// values are resolved by Mesos); read for registrator's SERVICE_* metadata (Consul/Registrator.swift).
    public var environment: [Label] = []
    public var acceptedResourceRoles: [String]?
    public var role: String?
    public var user: String?
    /// Has persistent local volumes (or a residency block): resident defaults apply.
    public var isResident: Bool
    /// A pod's run spec (PodDefinition.swift): its containers and endpoints; nil for an app.
    public var pod: PodInfo? = nil

    public init(id: String, group: String = "/", instances: Int = 1, cpus: Double = 1, mem: Double = 128, disk: Double = 0,
                gpus: Int = 0, cmd: String? = nil, args: [String]? = nil, container: AppContainer? = nil,
                networkMode: NetworkMode = .host, ports: [AppPort] = [AppPort(hostPort: 0)], requirePorts: Bool = false,
                constraints: [PlacementConstraint] = [], healthChecks: [HealthCheck] = [], readinessChecks: [ReadinessCheck] = [],
                upgradeStrategy: UpgradeStrategy = .default, unreachableStrategy: UnreachableStrategy? = nil,
                killSelection: KillSelection = .youngestFirst, backoff: BackoffStrategy? = nil,
                taskKillGracePeriod: SimDuration? = nil, dependencies: [String] = [], effectiveDependencies: [String] = [],
                labels: [Label] = [], envNames: [String] = [], acceptedResourceRoles: [String]? = nil, role: String? = nil,
                user: String? = nil, isResident: Bool = false, version: MarathonVersion = .baseline) {
        self.id = id; self.group = group; self.instances = instances; self.cpus = cpus; self.mem = mem; self.disk = disk
        self.gpus = gpus; self.cmd = cmd; self.args = args; self.container = container; self.networkMode = networkMode
        self.ports = ports; self.requirePorts = requirePorts; self.constraints = constraints; self.healthChecks = healthChecks
        self.readinessChecks = readinessChecks; self.upgradeStrategy = upgradeStrategy
        self.unreachableStrategy = unreachableStrategy ?? (isResident ? version.defaultResidentUnreachableStrategy : version.defaultUnreachableStrategy)
        self.killSelection = killSelection; self.backoff = backoff ?? BackoffStrategy(version: version)
        self.taskKillGracePeriod = taskKillGracePeriod; self.dependencies = dependencies
        self.effectiveDependencies = effectiveDependencies; self.labels = labels; self.envNames = envNames
        self.acceptedResourceRoles = acceptedResourceRoles; self.role = role; self.user = user; self.isResident = isResident
    }

    /// The label's value, if the app has it.
    public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    /// cpus / mem / disk of one instance, as Mesos scalars (ports are taken from the offer separately).
    public var resources: Resources { Resources(cpus: Scalar(cpus), memMB: Scalar(mem), diskMB: Scalar(disk)) }

    /// The ports one instance asks of an offer: the app's `ports`, or a pod's endpoints (a pod
    /// has no `ports`: no service ports, nothing marathon-lb serves).
    public var launchPorts: [AppPort] { pod?.endpoints ?? ports }

    /// Host ports one instance takes from an offer (dynamic and fixed).
    public var hostPortCount: Int { Self.hostPortCount(launchPorts) }

    /// Fixed host ports (requirePorts, or hostPort > 0 in a port mapping), in port order.
    public var fixedHostPorts: [Int] { Self.fixedHostPorts(launchPorts) }

    /// `hostPortCount` and `fixedHostPorts` of a definition with these ports (read from an app's
    /// stored definition without copying the whole definition).
    static func hostPortCount(_ ports: [AppPort]) -> Int { ports.reduce(0) { $0 + ($1.hostPort == nil ? 0 : 1) } }
    static func fixedHostPorts(_ ports: [AppPort]) -> [Int] { ports.compactMap { p in p.hostPort.flatMap { $0 > 0 ? $0 : nil } } }

    /// The image of a Docker or Mesos (UCR) container, if any.
    public var image: String? { container?.image }

    /// Whether `readinessChecks` or `healthChecks` gate "healthy and ready" for deployments.
    public var hasHealthChecks: Bool { !healthChecks.isEmpty }

    /// The (first) Mesos-level health check in the form the agents run it, if the app has one.
    public var mesosHealthCheck: MesosHealthCheck? { healthChecks.lazy.compactMap(\.mesosHealthCheck).first }

    /// Problems with this app on a cluster whose largest agents offer `agents` (total resources per
    /// agent, nothing reserved): an instance that fits no agent can never be launched. Returns one
    /// message per resource that does not fit, empty when the app fits some agent. Ports: the app
    /// needs `hostPortCount` ports and (when `checkFixedPorts`) its fixed ports inside an agent's
    /// port ranges.
    public func unplaceableReasons(agents: [Resources], checkFixedPorts: Bool = true) -> [String] {
        guard !agents.isEmpty, instances > 0 else { return [] }
        let need = resources
        let fixed = checkFixedPorts ? fixedHostPorts : []
        let hostPortCount = hostPortCount   // O(ports): once, not per agent
        if agents.contains(where: { need.fits(in: $0) && $0.ports.count >= hostPortCount && fixed.allSatisfy($0.ports.contains) }) {
            return []
        }
        var out: [String] = []
        func largest(_ f: (Resources) -> Scalar) -> Scalar { agents.map(f).max() ?? .zero }
        if need.cpus > largest(\.cpus) { out.append("cpus \(need.cpus) is more than any agent offers (largest: \(largest(\.cpus)))") }
        if need.memMB > largest(\.memMB) { out.append("mem \(need.memMB) MB is more than any agent offers (largest: \(largest(\.memMB)) MB)") }
        if need.diskMB > largest(\.diskMB) { out.append("disk \(need.diskMB) MB is more than any agent offers (largest: \(largest(\.diskMB)) MB)") }
        let maxPorts = agents.map(\.ports.count).max() ?? 0
        if hostPortCount > maxPorts { out.append("\(hostPortCount) host ports is more than any agent offers (largest: \(maxPorts))") }
        // agents share a few port ranges (the default 31000-32000): each fixed port against each distinct set
        var portSets: [PortSet] = [], seenSets = Set<PortSet>()
        for a in agents where seenSets.insert(a.ports).inserted { portSets.append(a.ports) }
        for p in fixed where !portSets.contains(where: { $0.contains(p) }) {
            out.append("fixed host port \(p) is outside every agent's port ranges")
        }
        if out.isEmpty { out.append("no single agent has cpus \(need.cpus), mem \(need.memMB) MB, disk \(need.diskMB) MB and \(hostPortCount) ports together") }
        return out
    }
}

public struct Label: Equatable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

// MARK: - Container and networking

public enum ContainerType: String, Equatable, Sendable, CaseIterable {
    case docker = "DOCKER", mesos = "MESOS"
}

extension AppDefinition {
    /// The agent runs the app's tasks in the Mesos containerizer: no `container` (a command task)
    /// or `container.type` MESOS; DOCKER goes to the Docker containerizer (Mesos picks the
    /// containerizer by ContainerInfo.type: apache/mesos 1.4.0 src/slave/containerizer/composing.cpp,
    /// src/slave/containerizer/docker.cpp `DockerContainerizerProcess::launch`).
    public var usesMesosContainerizer: Bool { container?.type != .docker }
}

public enum DockerNetwork: String, Equatable, Sendable, CaseIterable {
    case host = "HOST", bridge = "BRIDGE", user = "USER", none = "NONE"
}

public struct AppContainer: Equatable, Sendable {
    public var type: ContainerType
    /// docker.image (DOCKER) or docker.image of a MESOS container (UCR pulling a Docker image).
    public var image: String?
    public var dockerNetwork: DockerNetwork?
    public var forcePullImage: Bool
    public var privileged: Bool
    /// docker.parameters (key, value) in file order ("log-driver", "ulimit" ...).
    public var parameters: [Label]
    /// Number of volumes (host paths, persistent, external); their details are not modelled.
    public var volumeCount: Int
    public init(type: ContainerType = .docker, image: String? = nil, dockerNetwork: DockerNetwork? = nil,
                forcePullImage: Bool = false, privileged: Bool = false, parameters: [Label] = [], volumeCount: Int = 0) {
        self.type = type; self.image = image; self.dockerNetwork = dockerNetwork; self.forcePullImage = forcePullImage
        self.privileged = privileged; self.parameters = parameters; self.volumeCount = volumeCount
    }
}

public enum NetworkMode: Equatable, Sendable {
    /// The agent's network namespace; ports are host ports (portDefinitions).
    case host
    /// Docker bridge / Mesos container/bridge: NAT from hostPort to containerPort.
    case bridge
    /// A named container network (Docker USER network, CNI, overlay): one IP per task; the name
    /// is nil when Marathon's --default_network_name would apply.
    case container(name: String?)

    /// The same network in Mesos' terms, as a task launch asks for it.
    public var taskNetwork: TaskNetwork {
        switch self {
        case .host: return .host
        case .bridge: return .bridge
        case .container(let name): return .container(name: name)
        }
    }
}

/// One port of an app, in portIndex order.
public struct AppPort: Equatable, Sendable {
    public var name: String?
    /// "tcp", "udp" or "udp,tcp".
    public var `protocol`: String
    /// Port inside the container (bridge/container networks); nil for host networking.
    public var containerPort: Int?
    /// Host port: nil = none (container network without hostPort), 0 = any port from the offer,
    /// > 0 = that port (requirePorts for host networking, or a fixed hostPort mapping).
    public var hostPort: Int?
    /// Service port (0 = Marathon assigns one from --local_port_min...max).
    public var servicePort: Int
    public var labels: [Label]
    public init(name: String? = nil, protocol: String = "tcp", containerPort: Int? = nil, hostPort: Int? = 0,
                servicePort: Int = 0, labels: [Label] = []) {
        self.name = name; self.protocol = `protocol`; self.containerPort = containerPort; self.hostPort = hostPort
        self.servicePort = servicePort; self.labels = labels
    }
}

// MARK: - Health and readiness

public enum HealthCheckProtocol: String, Equatable, Sendable, CaseIterable {
    case http = "HTTP", https = "HTTPS", tcp = "TCP", command = "COMMAND"
    case mesosHTTP = "MESOS_HTTP", mesosHTTPS = "MESOS_HTTPS", mesosTCP = "MESOS_TCP"

    /// Run by the executor on the agent (Mesos-level) rather than by the Marathon leader.
    public var isMesosLevel: Bool {
        switch self { case .http, .https, .tcp: return false; default: return true }
    }
    /// Uses a port (everything but COMMAND).
    public var usesPort: Bool { self != .command }
}

/// One health check (core/health/HealthCheck.scala; defaults DefaultGracePeriod 5 min,
/// DefaultInterval 1 min, DefaultTimeout 20 s, DefaultMaxConsecutiveFailures 3, DefaultDelay 15 s).
public struct HealthCheck: Equatable, Sendable {
    public var `protocol`: HealthCheckProtocol
    public var path: String?
    /// Index into the app's ports; Marathon sets 0 when neither portIndex nor port is given and the
    /// app has ports (api/v2/json/Formats.scala addHealthCheckPortIndexIfNecessary).
    public var portIndex: Int?
    public var port: Int?
    public var command: String?
    public var gracePeriod: SimDuration
    public var interval: SimDuration
    public var timeout: SimDuration
    public var maxConsecutiveFailures: Int
    /// Mesos-level checks only: delay before the first check.
    public var delay: SimDuration
    public var ignoreHttp1xx: Bool

    public static let defaultGracePeriod = SimDuration.seconds(300)
    public static let defaultInterval = SimDuration.seconds(60)
    public static let defaultTimeout = SimDuration.seconds(20)
    public static let defaultMaxConsecutiveFailures = 3
    public static let defaultDelay = SimDuration.seconds(15)

    public init(protocol: HealthCheckProtocol = .http, path: String? = nil, portIndex: Int? = nil, port: Int? = nil,
                command: String? = nil, gracePeriod: SimDuration = HealthCheck.defaultGracePeriod,
                interval: SimDuration = HealthCheck.defaultInterval, timeout: SimDuration = HealthCheck.defaultTimeout,
                maxConsecutiveFailures: Int = HealthCheck.defaultMaxConsecutiveFailures,
                delay: SimDuration = HealthCheck.defaultDelay, ignoreHttp1xx: Bool = false) {
        self.protocol = `protocol`; self.path = path; self.portIndex = portIndex; self.port = port; self.command = command
        self.gracePeriod = gracePeriod; self.interval = interval; self.timeout = timeout
        self.maxConsecutiveFailures = maxConsecutiveFailures; self.delay = delay; self.ignoreHttp1xx = ignoreHttp1xx
    }

    /// The check as the agent's executor runs it (MESOS_HTTP/HTTPS/TCP, COMMAND); nil for
    /// Marathon-level checks.
    public var mesosHealthCheck: MesosHealthCheck? {
        guard `protocol`.isMesosLevel else { return nil }
        return MesosHealthCheck(delay: delay, interval: interval, timeout: timeout, gracePeriod: gracePeriod,
                                consecutiveFailures: maxConsecutiveFailures)
    }
}

/// One readiness check (core/readiness/ReadinessCheck.scala).
public struct ReadinessCheck: Equatable, Sendable {
    public var name: String
    /// "HTTP" or "HTTPS".
    public var `protocol`: String
    public var path: String
    public var portName: String
    public var interval: SimDuration
    public var timeout: SimDuration
    public var httpStatusCodesForReady: [Int]
    public var preserveLastResponse: Bool
    public init(name: String = "readinessCheck", protocol: String = "HTTP", path: String = "/", portName: String = "http-api",
                interval: SimDuration = .seconds(30), timeout: SimDuration = .seconds(10),
                httpStatusCodesForReady: [Int] = [200], preserveLastResponse: Bool = false) {
        self.name = name; self.protocol = `protocol`; self.path = path; self.portName = portName; self.interval = interval
        self.timeout = timeout; self.httpStatusCodesForReady = httpStatusCodesForReady
        self.preserveLastResponse = preserveLastResponse
    }
}

// MARK: - Strategies

/// upgradeStrategy (state/UpgradeStrategy.scala): 1.0 / 1.0 by default, 0.5 / 0 for resident apps.
public struct UpgradeStrategy: Equatable, Sendable {
    public var minimumHealthCapacity: Double
    public var maximumOverCapacity: Double
    public init(minimumHealthCapacity: Double, maximumOverCapacity: Double) {
        self.minimumHealthCapacity = minimumHealthCapacity; self.maximumOverCapacity = maximumOverCapacity
    }
    public static let `default` = UpgradeStrategy(minimumHealthCapacity: 1, maximumOverCapacity: 1)
    public static let forResidentTasks = UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0)
}

/// unreachableStrategy (state/UnreachableStrategy.scala).
public enum UnreachableStrategy: Equatable, Sendable {
    /// Unreachable instances are never replaced.
    case disabled
    /// Replace after `inactiveAfter`; expunge (kill if it comes back) after `expungeAfter`.
    case enabled(inactiveAfter: SimDuration, expungeAfter: SimDuration)
}

/// killSelection (state/KillSelection.scala): which instances a scale-down kills first.
public enum KillSelection: String, Equatable, Sendable, CaseIterable {
    case youngestFirst = "YOUNGEST_FIRST", oldestFirst = "OLDEST_FIRST"
}

/// backoffSeconds / backoffFactor / maxLaunchDelaySeconds (state/BackoffStrategy.scala, app.raml).
public struct BackoffStrategy: Equatable, Sendable {
    public var backoff: SimDuration
    public var factor: Double
    public var maxLaunchDelay: SimDuration
    public init(backoff: SimDuration = .seconds(1), factor: Double = 1.15, maxLaunchDelay: SimDuration) {
        self.backoff = backoff; self.factor = factor; self.maxLaunchDelay = maxLaunchDelay
    }
    /// The defaults of `version`: 1 s, 1.15, and 3600 s (before 1.8) or 300 s.
    public init(version: MarathonVersion) { self.init(maxLaunchDelay: version.defaultMaxLaunchDelay) }
}

// MARK: - Groups

/// A group (`/courseware`): apps, subgroups and dependencies, ids absolute.
public struct GroupDefinition: Equatable, Sendable {
    public var id: String
    /// Ids of the apps directly in this group, in file order.
    public var apps: [String]
    /// Ids of the direct subgroups, in file order.
    public var groups: [String]
    /// Dependencies resolved to absolute ids (apps or groups), in file order.
    public var dependencies: [String]
    public init(id: String, apps: [String] = [], groups: [String] = [], dependencies: [String] = []) {
        self.id = id; self.apps = apps; self.groups = groups; self.dependencies = dependencies
    }
}

// MARK: - Path ids

/// Marathon path ids (state/PathId.scala): "/" separated names of lowercase letters, digits, '-'
/// and '.', each starting and ending with a letter or digit; relative ids resolve against a base
/// group with "." and ".." handled as PathId.canonicalPath does.
public enum MarathonPath {
    /// Whether one path segment is a valid name (or "." / "..").
    public static func isValidSegment(_ s: Substring) -> Bool {
        if s == "." || s == ".." { return true }
        // ([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]) separated by '.'
        for label in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard let f = label.first, let l = label.last else { return false }
            func alnum(_ c: Character) -> Bool { (c >= "a" && c <= "z") || (c >= "0" && c <= "9") }
            if !alnum(f) || !alnum(l) { return false }
            if !label.allSatisfy({ alnum($0) || $0 == "-" }) { return false }
        }
        return true
    }

    /// nil when the id is valid, else what is wrong.
    public static func problem(_ raw: String) -> String? {
        if raw.isEmpty { return "must not be empty" }
        for seg in raw.split(separator: "/", omittingEmptySubsequences: true) where !isValidSegment(seg) {
            return "path segment \"\(seg)\" is not a valid Marathon id name: use lowercase letters a-z, digits 0-9, '-' and '.', starting and ending with a letter or digit (segments are separated by '/')"
        }
        return nil
    }

    /// The absolute, canonical form of `raw` relative to the absolute group `base`.
    public static func canonical(_ raw: String, base: String = "/") -> String {
        let rel = raw.split(separator: "/", omittingEmptySubsequences: true)
        var out: [Substring] = raw.hasPrefix("/") ? [] : base.split(separator: "/", omittingEmptySubsequences: true)
        for s in rel {
            if s == "." { continue }
            if s == ".." { if !out.isEmpty { out.removeLast() }; continue }
            out.append(s)
        }
        return "/" + out.joined(separator: "/")
    }

    /// The parent group of an absolute id ("/a/b" -> "/a", "/a" -> "/").
    public static func parent(_ id: String) -> String {
        guard let i = id.lastIndex(of: "/"), i != id.startIndex else { return "/" }
        return String(id[..<i])
    }

    /// Whether `id` is `group` or inside it.
    public static func isInside(_ id: String, _ group: String) -> Bool {
        group == "/" || id == group || id.hasPrefix(group + "/")
    }
}
