import SimKernel

// Host-level exporters: node_exporter (:9100) and cAdvisor's machine families (:8080) on every
// host. Hosts are not a subsystem, so the Prometheus subsystem builds this contributor with the
// model; it also owns (lists) the node and cAdvisor endpoints. The container families of cAdvisor
// come from Mesos (MesosMetrics.swift), the filesystem and thin-pool families from Storage, the
// network byte counters from the network model. See docs/metrics.md.

/// Work done inside containers, as the exporters read it: the traffic model's served requests
/// (TrafficMetrics.swift). Without traffic, containers are idle.
public protocol ContainerWorkSource: AnyObject {
    /// CPU seconds the task's process has used since its container started.
    func containerCPUSeconds(task: TaskID, now: SimTime) -> Double
    /// CPU seconds used by containers on the host since it booted.
    func hostContainerCPUSeconds(host: Int, now: SimTime) -> Double
    /// Requests being served or waiting on the host's instances now (runnable work).
    func hostRunnable(host: Int) -> Double
}

/// node_exporter and cAdvisor's machine families on every host.
public final class HostMetrics: MetricsContributor {
    let model: ClusterSimulation
    let work: ContainerWorkSource?
    let promTime: PromTime

    /// The modes node_exporter's cpu collector reports per cpu (collector/cpu_linux.go).
    static let cpuModes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    static let cpuNames = (0..<256).map { String($0) }
    /// node_cpu_seconds_total's labels per cpu and mode, built once: a scrape passes the same
    /// arrays every time (cheap to write, and equal at once in the scrape cache).
    static let cpuModeLabels: [[[(String, String)]]] = cpuNames.map { c in cpuModes.map { [("cpu", c), ("mode", $0)] } }

    static let nodeFamilies = [
        MetricFamily("node_cpu_seconds_total", .counter, "Seconds the CPUs spent in each mode."),
        MetricFamily("node_memory_MemTotal_bytes", .gauge, "Memory information field MemTotal_bytes."),
        MetricFamily("node_memory_MemAvailable_bytes", .gauge, "Memory information field MemAvailable_bytes."),
        MetricFamily("node_boot_time_seconds", .gauge, "Node boot time, in unixtime."),
        MetricFamily("node_load1", .gauge, "1m load average."),
    ]
    static let machineFamilies = [
        MetricFamily("machine_cpu_cores", .gauge, "Number of logical CPU cores."),
        MetricFamily("machine_memory_bytes", .gauge, "Amount of memory installed on the machine."),
    ]

    /// Built by the Prometheus subsystem (after every other subsystem): the traffic model, when
    /// there is one, says how busy the containers are.
    /// `promTime`: Prometheus' clock (the scenario's start date), for the exporters' timestamps.
    public convenience init(model: ClusterSimulation, promTime: PromTime = PromTime(baseMs: PromTime.defaultBaseMs)) {
        self.init(model: model, promTime: promTime, work: model.subsystem(ContainerWorkSource.self))
    }

    /// With another source of the containers' work (tests).
    init(model: ClusterSimulation, promTime: PromTime, work: ContainerWorkSource?) {
        self.model = model
        self.promTime = promTime
        self.work = work
        model.mesos?.exporterHooks = MesosExporterHooks(work: work, promTime: promTime)
    }

    public func metricEndpoints() -> [MetricEndpoint] {
        var out: [MetricEndpoint] = []
        for h in model.infrastructure.hosts {
            out.append(MetricEndpoint(kind: .node, host: h.index, port: ExporterKind.node.defaultPort))
            out.append(MetricEndpoint(kind: .cadvisor, host: h.index, port: ExporterKind.cadvisor.defaultPort))
        }
        return out
    }

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        switch kind {
        case .node: return HostMetrics.nodeFamilies
        case .cadvisor: return HostMetrics.machineFamilies
        default: return []
        }
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.host >= 0, e.host < model.infrastructure.hosts.count else { return }
        let h = model.infrastructure.hosts[e.host]
        switch e.kind {
        case .node: collectNode(h, now: now, into: w)
        case .cadvisor:
            if w.begin(HostMetrics.machineFamilies[0], exposing: 1) { w.add("machine_cpu_cores", [], h.cpus) }
            if w.begin(HostMetrics.machineFamilies[1], exposing: 1) { w.add("machine_memory_bytes", [], Double(h.memoryBytes)) }
        default: break
        }
    }

    /// Seconds since the host booted (0 while it is down).
    static func uptime(_ h: Host, now: SimTime) -> Double { h.state.isUp ? max(0, (now - h.stateSince).seconds) : 0 }

    /// Busy CPU seconds since boot: the containers' work (user) and the network's datapath (system).
    func busySeconds(_ h: Host, now: SimTime) -> (user: Double, system: Double) {
        let user = work?.hostContainerCPUSeconds(host: h.index, now: now) ?? 0
        let system = model.network?.exporterCPUSecondsSinceBoot(host: h) ?? 0
        return (user, system)
    }

    private func collectNode(_ h: Host, now: SimTime, into w: MetricWriter) {
        let cpus = max(1, Int(h.cpus.rounded(.up)))
        if w.begin(HostMetrics.nodeFamilies[0], exposing: cpus * HostMetrics.cpuModes.count) {
            // spread evenly over the cpus; idle is what is left of the uptime
            let up = HostMetrics.uptime(h, now: now)
            let b = busySeconds(h, now: now)
            let n = Double(cpus)
            let user = b.user / n, system = b.system / n
            let idle = max(0, up - user - system)
            for c in 0..<cpus {
                for (k, mode) in HostMetrics.cpuModes.enumerated() {
                    let v: Double
                    switch mode {
                    case "idle": v = idle
                    case "user": v = user
                    case "system": v = system
                    default: v = 0
                    }
                    w.add("node_cpu_seconds_total", c < HostMetrics.cpuModeLabels.count ? HostMetrics.cpuModeLabels[c][k] : [("cpu", String(c)), ("mode", mode)], v)
                }
            }
        }
        if w.begin(HostMetrics.nodeFamilies[1], exposing: 1) { w.add("node_memory_MemTotal_bytes", [], Double(h.memoryBytes)) }
        if w.begin(HostMetrics.nodeFamilies[2], exposing: 1) {
            w.add("node_memory_MemAvailable_bytes", [], Double(max(0, h.memoryBytes - h.allocatedMemoryBytes)))
        }
        if w.begin(HostMetrics.nodeFamilies[3], exposing: 1) {
            w.add("node_boot_time_seconds", [], promTime.seconds(h.stateSince))
        }
        if w.begin(HostMetrics.nodeFamilies[4], exposing: 1) {
            let runnable = (work?.hostRunnable(host: h.index) ?? 0) + (model.network?.cpuCores(host: h.index) ?? 0)
            w.add("node_load1", [], runnable)
        }
    }

}

extension PromTime {
    /// A simulated instant as whole Unix seconds, as the exporters write their times: cAdvisor's
    /// `container_last_seen` is `float64(time.Now().Unix())` and `container_start_time_seconds`
    /// `float64(CreationTime.Unix())` (google/cadvisor metrics/prometheus.go, v0.26 to v0.47: Go's
    /// Time.Unix() drops the fraction), node_exporter's `node_boot_time_seconds` is /proc/stat's
    /// `btime`, an integer. Floored, as Unix() floors (also before 1970).
    func seconds(_ t: SimTime) -> Double {
        let m = ms(t)
        return Double(m >= 0 ? m / 1000 : -((-m + 999) / 1000))
    }
}

/// How cAdvisor names a container that Mesos' Docker containerizer started: Docker name
/// `mesos-<agent id>.<container id>` (src/slave/containerizer/docker.hpp DOCKER_NAME_PREFIX,
/// DOCKER_NAME_SEPERATOR), cgroup id `/docker/<64-hex docker id>`. Ids are derived from the task
/// id with a stable hash, so they are the same on every run and new for a replacement task.
public enum CadvisorContainer {
    /// Mesos' ContainerID (a UUID) of a task's container.
    public static func containerID(task: TaskID) -> String {
        let a = StableHash.fnv1a64("container/\(task)"), b = StableHash.fnv1a64("container-b/\(task)")
        let hex = hex16(a) + hex16(b)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-8" + String(c[17..<20]) + "-" + String(c[20..<32])
    }

    /// Docker's 64-hex container id.
    public static func dockerID(task: TaskID) -> String {
        (0..<4).map { hex16(StableHash.fnv1a64("docker/\(task)/\($0)")) }.joined()
    }

    /// The labels cAdvisor puts on a container's series: `id`, `image`, `name`.
    public static func labels(task: TaskID, agentID: String, image: String?) -> [(String, String)] {
        [("id", "/docker/" + dockerID(task: task)), ("image", image ?? ""), ("name", "mesos-" + agentID + "." + containerID(task: task))]
    }

    static func hex16(_ x: UInt64) -> String {
        let s = String(x, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// Every family each exporter kind serves, with the part of the model that writes it, without a
/// model (for docs and for a Prometheus that lists what a target can expose).
public enum ExporterCatalog {
    public static func families(for kind: ExporterKind) -> [(family: MetricFamily, from: String)] {
        let parts: [(String, [MetricFamily])]
        switch kind {
        case .node: parts = [("hosts", HostMetrics.nodeFamilies), ("storage", StorageModel.nodeFamilies), ("network", ClusterNetwork.nodeFamilies)]
        case .cadvisor: parts = [("mesos", MesosCluster.containerFamilies), ("network", ClusterNetwork.cadvisorFamilies), ("hosts", HostMetrics.machineFamilies)]
        case .mesosMaster: parts = [("mesos", MesosCluster.masterFamilies)]
        case .mesosAgent: parts = [("mesos", MesosCluster.agentFamilies)]
        case .marathon: parts = [("marathon", MarathonScheduler.families)]
        case .consul: parts = [("consul", ConsulCluster.families)]
        case .nginx: parts = [("nginx", NginxProxies.families), ("traffic", TrafficModel.nginxFamilies)]
        case .app: parts = [("traffic", TrafficModel.appFamilies)]
        case .haproxy: parts = []
        case .prometheus: parts = [("prometheus", PrometheusServer.selfFamilies)]
        case .alertmanager: parts = [("alertmanager", AlertmanagerCluster.families)]
        }
        return parts.flatMap { p in p.1.map { ($0, p.0) } }
    }
}

extension Array {
    /// Appends `value` until the array has `n` elements (the exporters' per-host and per-proxy
    /// counters are sized on first use).
    mutating func grow(to n: Int, with value: Element) {
        if count < n { append(contentsOf: repeatElement(value, count: n - count)) }
    }
}
