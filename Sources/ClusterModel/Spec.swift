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
}

public enum FaultTarget: Equatable, Sendable {
    case host(String)
    /// `count` hosts of the group, picked when the fault fires by the fault's own seeded stream
    /// among the hosts it can apply to (up hosts for crash/reboot, down hosts for recover).
    case group(String, count: Int)
}

public struct FaultSpec: Equatable, Sendable {
    public var at: SimDuration
    public var kind: FaultKind
    public var target: FaultTarget
    /// hostCrash: bring the host back after this long (nil: stays down unless a hostRecover says otherwise).
    public var recoverAfter: SimDuration?
    /// hostReboot: how long the host is down. Default 2m.
    public var downFor: SimDuration

    public static let defaultRebootDownFor = SimDuration.minutes(2)

    public init(at: SimDuration, kind: FaultKind, target: FaultTarget, recoverAfter: SimDuration? = nil,
                downFor: SimDuration = FaultSpec.defaultRebootDownFor) {
        self.at = at; self.kind = kind; self.target = target; self.recoverAfter = recoverAfter; self.downFor = downFor
    }
}
