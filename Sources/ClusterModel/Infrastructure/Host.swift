import SimKernel

/// Power/OS state of a host (a Mesos agent machine later on).
public enum HostState: String, Sendable {
    case up
    /// Crashed (power loss, kernel panic): nothing runs until it recovers.
    case down
    /// Orderly reboot in progress: down until the reboot completes.
    case rebooting

    public var isUp: Bool { self == .up }
}

/// One machine: capacities, placement (data center, rack) and state. A host that is not up
/// offers no capacity. Allocation bookkeeping is here so later models (Mesos agents, Docker)
/// can charge resources to hosts.
public final class Host {
    public let index: Int
    public let name: String
    public let group: String
    public let groupIndex: Int
    public let datacenter: String
    public let rack: String
    public let cpus: Double
    public let memoryBytes: Int64
    public let diskBytes: Int64
    public let nicBitsPerSecond: Int64
    /// Mesos agent attributes: the group's, plus `rack_id` (the host's rack) and `datacenter`
    /// unless the group sets them, so Marathon constraints such as ["rack_id", "GROUP_BY"] work
    /// on hosts of a group spread over several racks (a convention, as operators set
    /// `--attributes=rack_id:...` per machine; see docs/models.md).
    public let attributes: [Attribute]

    public internal(set) var state: HostState = .up
    /// Bumped on every state change, so delayed events aimed at an earlier state are ignored.
    public internal(set) var generation: Int32 = 0
    /// When the current state began.
    public internal(set) var stateSince: SimTime = .zero
    /// Total time spent not up, completed periods only (see `downtime(at:)`).
    public internal(set) var completedDowntime: SimDuration = .zero
    public internal(set) var crashes = 0
    public internal(set) var reboots = 0

    public internal(set) var allocatedCpus: Double = 0
    public internal(set) var allocatedMemoryBytes: Int64 = 0
    public internal(set) var allocatedDiskBytes: Int64 = 0

    init(index: Int, name: String, group: HostGroupSpec, groupIndex: Int, rack: String) {
        self.index = index
        self.name = name
        self.group = group.name
        self.groupIndex = groupIndex
        self.datacenter = group.datacenter
        self.rack = rack
        self.cpus = group.cpus
        self.memoryBytes = group.memoryBytes
        self.diskBytes = group.diskBytes
        self.nicBitsPerSecond = group.nicBitsPerSecond
        var attrs = group.attributes
        if !attrs.contains(where: { $0.name == "rack_id" }) { attrs.append(Attribute(name: "rack_id", value: rack)) }
        if !attrs.contains(where: { $0.name == "datacenter" }) { attrs.append(Attribute(name: "datacenter", value: group.datacenter)) }
        self.attributes = attrs
    }

    /// Usable capacity: the host's resources when up, zero otherwise.
    public var usableCpus: Double { state.isUp ? cpus : 0 }
    public var usableMemoryBytes: Int64 { state.isUp ? memoryBytes : 0 }
    public var usableDiskBytes: Int64 { state.isUp ? diskBytes : 0 }
    public var freeCpus: Double { state.isUp ? max(0, cpus - allocatedCpus) : 0 }
    public var freeMemoryBytes: Int64 { state.isUp ? max(0, memoryBytes - allocatedMemoryBytes) : 0 }
    public var freeDiskBytes: Int64 { state.isUp ? max(0, diskBytes - allocatedDiskBytes) : 0 }

    /// Time spent not up until `now`, including the current outage.
    public func downtime(at now: SimTime) -> SimDuration {
        state.isUp ? completedDowntime : completedDowntime + (now - stateSince)
    }
}
