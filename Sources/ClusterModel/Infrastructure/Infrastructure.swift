import SimKernel

/// The hosts of the cluster and their state changes. Keeps cluster-wide totals up to date on
/// every change (never by scanning all hosts), and integrates usable capacity over time for the
/// summary. Every change of a host between up and not up is published as a `.hostDown` /
/// `.hostUp` signal (what lives on hosts subscribes to the `.hosts` topic).
public final class Infrastructure: EventHandler {
    public let hosts: [Host]
    /// Host index by name, for lookups only (never iterated).
    let indexByName: [String: Int]
    /// Host indices of each group, in name order.
    public let hostsByGroup: [String: [Int]]
    public let groupNames: [String]
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    public private(set) var hostsUp: Int
    public private(set) var hostsDown = 0
    public private(set) var hostsRebooting = 0
    public private(set) var usableCpus: Double = 0
    public private(set) var usableMemoryBytes: Int64 = 0
    public private(set) var usableDiskBytes: Int64 = 0
    public private(set) var allocatedCpus: Double = 0
    public private(set) var allocatedMemoryBytes: Int64 = 0
    public private(set) var allocatedDiskBytes: Int64 = 0
    public let installedCpus: Double
    public let installedMemoryBytes: Int64
    public let installedDiskBytes: Int64

    // Time integrals for the summary.
    private var lastChange: SimTime = .zero
    /// Integral of usable cpus over time, core-seconds.
    private var usableCpuSeconds: Double = 0
    /// Total time with at least one host not up.
    private var degradedTime: SimDuration = .zero
    public private(set) var minHostsUp: Int
    public private(set) var minHostsUpAt: SimTime = .zero

    enum Kind: Int32 { case rebootDone = 1, recover = 2 }

    init(spec: ClusterSpec, model: ClusterSimulation) {
        self.model = model
        var hosts: [Host] = []
        var byName: [String: Int] = [:]
        var byGroup: [String: [Int]] = [:]
        var names: [String] = []
        for group in spec.hostGroups {
            names.append(group.name)
            var members: [Int] = []
            for i in 0..<group.count {
                let rack = group.racks.isEmpty ? "rack-01" : group.racks[i % group.racks.count]
                let h = Host(index: hosts.count, name: group.hostName(i), group: group, groupIndex: i, rack: rack)
                byName[h.name] = h.index
                members.append(h.index)
                hosts.append(h)
            }
            byGroup[group.name] = members
        }
        self.hosts = hosts
        self.indexByName = byName
        self.hostsByGroup = byGroup
        self.groupNames = names
        self.hostsUp = hosts.count
        self.minHostsUp = hosts.count
        installedCpus = hosts.reduce(0) { $0 + $1.cpus }
        installedMemoryBytes = hosts.reduce(0) { $0 + $1.memoryBytes }
        installedDiskBytes = hosts.reduce(0) { $0 + $1.diskBytes }
        usableCpus = installedCpus
        usableMemoryBytes = installedMemoryBytes
        usableDiskBytes = installedDiskBytes
    }

    public func host(named name: String) -> Host? { indexByName[name].map { hosts[$0] } }

    public var freeCpus: Double { max(0, usableCpus - allocatedCpus) }
    public var freeMemoryBytes: Int64 { max(0, usableMemoryBytes - allocatedMemoryBytes) }
    public var freeDiskBytes: Int64 { max(0, usableDiskBytes - allocatedDiskBytes) }

    // MARK: state changes

    /// The host stops at once. Returns false (and logs why) when it was not up.
    @discardableResult
    public func crash(_ h: Host, recoverAfter: SimDuration?, cause: String) -> Bool {
        let sim = model.sim
        guard h.state == .up else {
            model.log("host", "crashIgnored", h.name, "host is \(h.state.rawValue) (\(cause))")
            return false
        }
        var detail = cause
        if let r = recoverAfter { detail += "; recovers after \(r)" }
        model.log("host", "crashed", h.name, detail)
        setState(h, .down)
        h.crashes += 1
        if let r = recoverAfter {
            sim.schedule(after: r, target: target, kind: Kind.recover.rawValue, arg: pack(h))
        }
        return true
    }

    /// A crashed host comes back. Returns false when it was not down.
    @discardableResult
    public func recover(_ h: Host, cause: String) -> Bool {
        guard h.state == .down else {
            model.log("host", "recoverIgnored", h.name, "host is \(h.state.rawValue) (\(cause))")
            return false
        }
        let outage = model.sim.now - h.stateSince
        setState(h, .up)
        model.log("host", "recovered", h.name, "\(cause); was down \(outage)")
        return true
    }

    /// Orderly reboot: the host goes down now and comes back after `downFor`.
    @discardableResult
    public func reboot(_ h: Host, downFor: SimDuration, cause: String) -> Bool {
        guard h.state == .up else {
            model.log("host", "rebootIgnored", h.name, "host is \(h.state.rawValue) (\(cause))")
            return false
        }
        model.log("host", "rebootStarted", h.name, "\(cause); back after \(downFor)")
        setState(h, .rebooting)
        h.reboots += 1
        model.sim.schedule(after: downFor, target: target, kind: Kind.rebootDone.rawValue, arg: pack(h))
        return true
    }

    public func handle(_ event: Event, in sim: Simulation) {
        let (idx, gen) = IndexGeneration.unpack(event.arg)
        let h = hosts[idx]
        guard h.generation == gen else { return }   // the host changed state since: stale
        switch Kind(rawValue: event.kind) {
        case .rebootDone:
            setState(h, .up)
            model.log("host", "rebootCompleted", h.name, "")
        case .recover:
            let outage = sim.now - h.stateSince
            setState(h, .up)
            model.log("host", "recovered", h.name, "recoverAfter elapsed; was down \(outage)")
        case nil:
            preconditionFailure("unknown infrastructure event \(event.kind)")
        }
    }

    private func pack(_ h: Host) -> Int64 { IndexGeneration.pack(h.index, h.generation) }

    private func setState(_ h: Host, _ s: HostState) {
        let now = model.sim.now
        accumulate(until: now)
        let wasUp = h.state.isUp
        switch h.state {
        case .up: hostsUp -= 1
        case .down: hostsDown -= 1
        case .rebooting: hostsRebooting -= 1
        }
        switch s {
        case .up: hostsUp += 1
        case .down: hostsDown += 1
        case .rebooting: hostsRebooting += 1
        }
        if wasUp && !s.isUp {
            usableCpus -= h.cpus; usableMemoryBytes -= h.memoryBytes; usableDiskBytes -= h.diskBytes
            allocatedCpus -= h.allocatedCpus; allocatedMemoryBytes -= h.allocatedMemoryBytes
            allocatedDiskBytes -= h.allocatedDiskBytes
            h.allocatedCpus = 0; h.allocatedMemoryBytes = 0; h.allocatedDiskBytes = 0
        } else if !wasUp && s.isUp {
            usableCpus += h.cpus; usableMemoryBytes += h.memoryBytes; usableDiskBytes += h.diskBytes
            h.completedDowntime += now - h.stateSince
        }
        h.state = s
        h.generation &+= 1
        h.stateSince = now
        if hostsUp < minHostsUp { minHostsUp = hostsUp; minHostsUpAt = now }
        if wasUp && !s.isUp { model.signals.publish(.hostDown(host: h.index, rebooting: s == .rebooting)) }
        else if !wasUp && s.isUp { model.signals.publish(.hostUp(host: h.index)) }
    }

    /// Charges resources to an up host (used by later models). Returns false if they don't fit.
    public func allocate(_ h: Host, cpus: Double, memoryBytes: Int64, diskBytes: Int64) -> Bool {
        guard h.state.isUp, h.freeCpus + 1e-9 >= cpus, h.freeMemoryBytes >= memoryBytes,
              h.freeDiskBytes >= diskBytes else { return false }
        h.allocatedCpus += cpus; h.allocatedMemoryBytes += memoryBytes; h.allocatedDiskBytes += diskBytes
        allocatedCpus += cpus; allocatedMemoryBytes += memoryBytes; allocatedDiskBytes += diskBytes
        return true
    }

    /// Returns resources charged with `allocate` (no-op on a host that went down meanwhile).
    public func release(_ h: Host, cpus: Double, memoryBytes: Int64, diskBytes: Int64) {
        guard h.state.isUp else { return }
        h.allocatedCpus = max(0, h.allocatedCpus - cpus)
        h.allocatedMemoryBytes = max(0, h.allocatedMemoryBytes - memoryBytes)
        h.allocatedDiskBytes = max(0, h.allocatedDiskBytes - diskBytes)
        allocatedCpus = max(0, allocatedCpus - cpus)
        allocatedMemoryBytes = max(0, allocatedMemoryBytes - memoryBytes)
        allocatedDiskBytes = max(0, allocatedDiskBytes - diskBytes)
    }

    // MARK: summary integrals

    func accumulate(until now: SimTime) {
        let dt = now - lastChange
        guard dt > .zero else { return }
        usableCpuSeconds += usableCpus * dt.seconds
        if hostsUp < hosts.count { degradedTime += dt }
        lastChange = now
    }

    /// Mean fraction of installed cpus that were usable from 0 to `now`.
    public func cpuAvailability(at now: SimTime) -> Double {
        accumulate(until: now)
        let span = now.seconds
        guard span > 0, installedCpus > 0 else { return 1 }
        return usableCpuSeconds / (installedCpus * span)
    }

    /// Time from 0 to `now` during which at least one host was not up.
    public func degradedDuration(at now: SimTime) -> SimDuration {
        accumulate(until: now)
        return degradedTime
    }
}
