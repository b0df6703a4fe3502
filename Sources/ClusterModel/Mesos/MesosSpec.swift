import SimKernel

/// Mesos masters and agents (`mesos` in a scenario). Every default is Mesos' own; the sources are
/// listed in docs/mesos.md.
public struct MesosSpec: Equatable, Sendable {
    /// The Mesos release (`mesos.version`): what it switches is in MesosVersion.swift.
    public var version: MesosVersion = .baseline
    /// Number of masters (`mesos.masters.count`), one per host of `masterHostGroup`.
    public var masters: Int
    /// Host group of the masters; nil: "master" if such a group exists, else the first group.
    public var masterHostGroup: String?
    public var masterFlags: MesosMasterFlags
    /// A crashed master process is restarted by its supervisor (systemd/Marathon's
    /// `Restart=always`, `RestartSec=`) after this long (model choice, see docs/mesos.md).
    public var masterRestartDelay: SimDuration
    /// Host groups running agents; nil: every group that runs no master.
    public var agentHostGroups: [String]?
    public var agentFlags: MesosAgentFlags
    /// An agent process that crashed (fault without its own delay) is restarted after this long.
    public var agentRestartDelay: SimDuration
    /// `docker run` until the container runs, image cached (network-storage-measurements.md §2.4).
    public var containerStartTime: Distribution
    /// Image registry bandwidth for one pull (bits per second). 100 MB/s by default.
    public var registryBandwidth: Int64
    /// The registry's total serving rate (bits per second), shared by every download running at
    /// once from it; nil: no limit beyond each stream's and each host's NIC.
    public var registryCapacity: Int64? = nil
    /// Time for a newly elected master to read the registry from the replicated log (model choice).
    public var registryFetchTime: SimDuration
    /// Time for one registry write (mark unreachable, admit an agent) (model choice).
    public var registryStoreTime: SimDuration
    /// The scheduler driver's registration back-off factor (src/sched/constants.hpp: 2 s).
    public var frameworkRegistrationBackoffFactor: SimDuration
    /// The filesystem of every agent's `--work_dir` (sandboxes, their GC: MesosSandboxes.swift);
    /// nil: not modelled (sandboxes take no space, nothing is garbage collected).
    public var workDir: WorkDirSpec? = nil

    public static let defaultContainerStartTime = Distribution.lognormal(mu: -0.2231435513142097, sigma: 0.4) // median 0.8 s

    public init(masters: Int = 3, masterHostGroup: String? = nil, masterFlags: MesosMasterFlags = MesosMasterFlags(),
                masterRestartDelay: SimDuration = .seconds(10), agentHostGroups: [String]? = nil,
                agentFlags: MesosAgentFlags = MesosAgentFlags(), agentRestartDelay: SimDuration = .seconds(10),
                containerStartTime: Distribution = MesosSpec.defaultContainerStartTime,
                registryBandwidth: Int64 = 800_000_000, registryFetchTime: SimDuration = .seconds(1),
                registryStoreTime: SimDuration = .milliseconds(50),
                frameworkRegistrationBackoffFactor: SimDuration = .seconds(2)) {
        self.masters = masters; self.masterHostGroup = masterHostGroup; self.masterFlags = masterFlags
        self.masterRestartDelay = masterRestartDelay; self.agentHostGroups = agentHostGroups
        self.agentFlags = agentFlags; self.agentRestartDelay = agentRestartDelay
        self.containerStartTime = containerStartTime; self.registryBandwidth = registryBandwidth
        self.registryFetchTime = registryFetchTime; self.registryStoreTime = registryStoreTime
        self.frameworkRegistrationBackoffFactor = frameworkRegistrationBackoffFactor
    }
}

/// The filesystem holding an agent's `--work_dir` (/var/lib/mesos): its size and what else uses it.
public struct WorkDirSpec: Equatable, Sendable {
    /// Bytes the agent (root) can write on it.
    public var capacityBytes: Int64
    /// Bytes used by everything else on it (the OS, other services), constant.
    public var usedBytes: Int64
    public init(capacityBytes: Int64, usedBytes: Int64 = 0) { self.capacityBytes = capacityBytes; self.usedBytes = usedBytes }
}

/// A role's weight (`--weights role=weight,...`).
public struct RoleWeight: Equatable, Sendable {
    public var role: String
    public var weight: Double
    public init(role: String, weight: Double) { self.role = role; self.weight = weight }
}

/// Master flags (docs/configuration/master.md), named in scenarios exactly as on the command line.
public struct MesosMasterFlags: Equatable, Sendable {
    public var agentPingTimeout: SimDuration = .seconds(15)
    public var maxAgentPingTimeouts: Int = 5
    public var agentReregisterTimeout: SimDuration = .minutes(10)
    /// `--agent_removal_rate_limit N/duration`: at most N unreachable transitions per duration.
    public var agentRemovalRateLimit: (count: Int, per: SimDuration)? {
        get { agentRemovalRateCount.map { ($0, agentRemovalRatePer) } }
        set { agentRemovalRateCount = newValue?.count; agentRemovalRatePer = newValue?.per ?? .zero }
    }
    public var agentRemovalRateCount: Int? = nil
    public var agentRemovalRatePer: SimDuration = .zero
    /// `--recovery_agent_removal_limit` as a fraction (1.0 = 100%).
    public var recoveryAgentRemovalLimit: Double = 1.0
    public var allocationInterval: SimDuration = .seconds(1)
    public var allocator: String = "HierarchicalDRF"
    public var roleSorter: String = "drf"
    public var frameworkSorter: String = "drf"
    /// `--min_allocatable_resources`: alternatives; an agent's free resources are offered when they
    /// contain at least one of them.
    public var minAllocatableResources: [Resources] = [Resources(cpus: Scalar(0.01)), Resources(memMB: Scalar(32))]
    public var offerTimeout: SimDuration? = nil
    public var zkSessionTimeout: SimDuration = .seconds(10)
    public var registry: String = "replicated_log"
    /// `--quorum`; nil: a majority of the masters.
    public var quorum: Int? = nil
    public var registryFetchTimeout: SimDuration = .minutes(1)
    public var registryStoreTimeout: SimDuration = .seconds(20)
    public var registryGcInterval: SimDuration = .minutes(15)
    public var registryMaxAgentAge: SimDuration = .hours(24 * 14)
    public var registryMaxAgentCount: Int = 102_400
    public var maxCompletedFrameworks: Int = 50
    public var maxCompletedTasksPerFramework: Int = 1000
    public var maxUnreachableTasksPerFramework: Int = 1000
    public var weights: [RoleWeight] = []
    public var port: Int = 5050

    public init() {}

    // Equatable is synthesized: every stored flag counts (the hand-written == had to be kept in
    // step with every new flag by hand).

    /// Mesos refuses `--agent_reregister_timeout` below 10 minutes (MIN_AGENT_REREGISTER_TIMEOUT).
    public static let minAgentReregisterTimeout = SimDuration.minutes(10)
}

/// Agent flags (docs/configuration/agent.md), named in scenarios exactly as on the command line.
/// The agent's container logger (apache/mesos 1.4.0 src/slave/container_logger.cpp: none given,
/// the SandboxContainerLogger; else the module named by `--container_logger`).
public enum ContainerLoggerSpec: Equatable, Sendable {
    /// stdout/stderr appended to the sandbox's files `stdout`/`stderr`, unbounded.
    case sandbox
    /// org_apache_mesos_LogrotateContainerLogger (src/slave/container_loggers/lib_logrotate.hpp,
    /// logrotate.cpp): each stream's leading file is kept under `max_*_size`; at that size the
    /// module runs logrotate with `<options>` and `size`, which keeps `rotate` old files (logrotate's
    /// default 0). `stdoutRotate` nil: logrotate refuses the options (a bad `rotate`), every
    /// rotation fails and the module goes on appending: the file is not bounded.
    case logrotate(maxStdoutSize: Int64, stdoutRotate: Int?, maxStderrSize: Int64, stderrRotate: Int?)

    /// The most the sandbox's `stdout` files hold together; nil: unbounded.
    public var stdoutBound: Double? {
        guard case .logrotate(let s, let r, _, _) = self, let keep = r else { return nil }
        return Double(s) * Double(keep + 1)
    }
}

public struct MesosAgentFlags: Equatable, Sendable {
    public var registrationBackoffFactor: SimDuration = .seconds(1)
    public var recoveryTimeout: SimDuration = .minutes(15)
    public var executorRegistrationTimeout: SimDuration = .minutes(1)
    public var executorShutdownGracePeriod: SimDuration = .seconds(5)
    public var executorReregistrationTimeout: SimDuration = .seconds(2)
    public var gcDelay: SimDuration = .hours(24 * 7)
    public var gcDiskHeadroom: Double = 0.1
    public var diskWatchInterval: SimDuration = .minutes(1)
    public var dockerRemoveDelay: SimDuration = .hours(6)
    public var dockerStopTimeout: SimDuration = .zero
    /// `--isolation`: the Mesos containerizer's isolators; only `disk/du` (or its old name
    /// `posix/disk`) changes anything here (MesosSandboxes.swift, the disk quota).
    public var isolation: String = "posix/cpu,posix/mem"
    public var containerDiskWatchInterval: SimDuration = .seconds(15)
    public var enforceContainerDiskQuota: Bool = false
    /// The disk/du isolator is on: `--isolation` names `disk/du` or `posix/disk`
    /// (apache/mesos 1.4.0 src/slave/containerizer/mesos/containerizer.cpp, `isolators` table).
    public var diskDuIsolator: Bool {
        isolation.split(separator: ",").contains { $0 == "disk/du" || $0 == "posix/disk" }
    }
    public var oversubscribedResourcesInterval: SimDuration = .seconds(15)
    /// `--container_logger` (with the module's `--modules` parameters): where the executors'
    /// stdout/stderr go in the sandbox (MesosSandboxes.swift).
    public var containerLogger: ContainerLoggerSpec = .sandbox
    /// `--attributes` (`rack:r1;zone:a`): the attributes of the agents of every agent host group that
    /// gives none of its own (the scenario decoder copies them onto those groups).
    public var attributes: [Attribute]? = nil
    public var port: Int = 5051
    /// `--resources` overrides of the auto-detected values (nil: auto-detect).
    public var cpus: Double? = nil
    public var memMB: Double? = nil
    public var diskMB: Double? = nil
    /// `ports` (agent resources), default [31000-32000] (src/slave/constants.hpp DEFAULT_PORTS).
    public var ports: PortSet = PortSet([31000...32000])
    public init() {}

    /// REGISTER_RETRY_INTERVAL_MAX (src/slave/constants.hpp).
    public static let registerRetryIntervalMax = SimDuration.minutes(1)
}
