import SimKernel

/// A stateful app's Ceph volume mounted with ceph-fuse in each of its containers: the volume's
/// objects sit in `pgs` placement groups chosen by hashing the volume name (the app id).
public struct CephMountSpec: Equatable, Sendable {
    /// Volume name: the app id (each app mounts its own volume).
    public var volume: String
    /// Placement groups the volume's objects map to (at most the pool's pg_num).
    public var pgs: Int
    public init(volume: String, pgs: Int) { self.volume = volume; self.pgs = pgs }
}

/// Ceph clients: app volumes mounted through ceph-fuse and the image registry's blobs. Each
/// volume maps to a fixed set of PGs of the flow model's placement (`CephFlowRecovery`); a volume
/// is blocked while any of its PGs has fewer than min_size replicas up. Volumes are indexed by PG
/// (`pgVolumes`), so a PG changing state touches only the volumes on it; tasks are kept in a list
/// per volume. Nothing scans all tasks or all volumes per event.
public final class CephClients {
    public enum Kind: Sendable { case app, image }
    public final class Volume {
        public let name: String
        public let kind: Kind
        /// The volume's PGs, ascending, distinct.
        public let pgs: [Int32]
        /// Its PGs below min_size now.
        public internal(set) var blockedPGs = 0
        /// Mounted tasks (app volumes), in mount order.
        var tasks: [TaskID] = []
        /// Image pulls waiting for the PGs (packed Mesos task references), FIFO.
        var waiters: [Int64] = []
        public internal(set) var blockedSince: SimTime?
        public internal(set) var blockedTotal: SimDuration = .zero
        public internal(set) var blockings = 0
        /// An app volume's writes are paused: the pool is full.
        public internal(set) var fullBlocked = false
        init(name: String, kind: Kind, pgs: [Int32]) { self.name = name; self.kind = kind; self.pgs = pgs }
        public var blocked: Bool { blockedPGs > 0 || fullBlocked }
    }

    unowned let ceph: CephCluster
    let flows: CephFlowRecovery
    public private(set) var volumes: [Volume] = []
    /// Volume index by name and kind (looked up, never iterated).
    var byName: [String: Int] = [:]
    /// Volumes on each PG.
    var pgVolumes: [[Int32]]
    /// The volume each mounted task uses (looked up, never iterated).
    var taskVolume: [TaskID: Int32] = [:]
    /// App volumes blocked now; tasks that hung in a blocked mount (counted once per hang).
    public private(set) var appVolumesBlocked = 0
    public private(set) var tasksHung = 0

    init(ceph: CephCluster, flows: CephFlowRecovery) {
        self.ceph = ceph
        self.flows = flows
        pgVolumes = Array(repeating: [], count: flows.pgNum)
    }

    /// FNV-1a over the name's UTF-8 bytes (Swift's String hash is seeded per process).
    static func nameHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// `count` distinct PGs for a name: object k goes to PG mix(hash(name) + k) mod pg_num
    /// (rjenkins-style object -> PG hashing; distinct PGs until `count` or pg_num are reached).
    func placementGroups(_ name: String, objects: Int, distinct: Int?) -> [Int32] {
        let n = flows.pgNum
        let h = Self.nameHash(name)
        var seen = [Bool](repeating: false, count: n)
        var out: [Int32] = []
        var k: UInt64 = 0
        let want = min(n, distinct ?? objects)
        var tried = 0
        while out.count < want && (distinct != nil || tried < objects) {
            let p = Int(CephFlowRecovery.mix(h &+ k) % UInt64(n))
            k &+= 1; tried += 1
            if !seen[p] { seen[p] = true; out.append(Int32(p)) }
        }
        return out.sorted()
    }

    func volume(_ name: String, kind: Kind, make: () -> [Int32]) -> Volume {
        let key = (kind == .app ? "app:" : "image:") + name
        if let i = byName[key] { return volumes[i] }
        let v = Volume(name: name, kind: kind, pgs: make())
        let id = Int32(volumes.count)
        volumes.append(v)
        byName[key] = Int(id)
        for p in v.pgs {
            pgVolumes[Int(p)].append(id)
            if kind == .app ? flows.writeWaitsOf[Int(p)] : flows.readWaitsOf[Int(p)] { v.blockedPGs += 1 }
        }
        if kind == .app && flows.poolFull { v.fullBlocked = true }
        if v.blocked { v.blockedSince = ceph.now; v.blockings += 1; if kind == .app { appVolumesBlocked += 1 } }
        return v
    }

    // MARK: app mounts

    func mount(task: TaskID, _ m: CephMountSpec) {
        let v = volume(m.volume, kind: .app) { placementGroups(m.volume, objects: m.pgs, distinct: m.pgs) }
        taskVolume[task] = Int32(byName["app:" + m.volume]!)
        v.tasks.append(task)
        if v.blocked {
            tasksHung += 1
            ceph.log("clientIOBlocked", m.volume, "task \(task) mounts the volume while \(why(v)): its I/O hangs (D state)")
        }
    }

    func unmount(task: TaskID) {
        guard let i = taskVolume.removeValue(forKey: task) else { return }
        let v = volumes[Int(i)]
        if let k = v.tasks.firstIndex(of: task) { v.tasks.remove(at: k) }
    }

    /// The mount of `task` is blocked: its process hangs in I/O.
    public func hung(task: TaskID) -> Bool {
        guard let i = taskVolume[task] else { return false }
        return volumes[Int(i)].blocked
    }

    public func mounted(task: TaskID) -> Bool { taskVolume[task] != nil }

    // MARK: registry

    /// The image's blobs: one RADOS object per `objectSize` bytes, each in a PG by hashing.
    func imageVolume(_ image: ImageRef) -> Volume {
        let objects = max(1, Int((image.sizeBytes + ceph.spec.objectBytes - 1) / ceph.spec.objectBytes))
        return volume(image.name, kind: .image) { placementGroups(image.name, objects: objects, distinct: nil) }
    }

    // MARK: PG state

    /// A PG's writes or reads started or stopped waiting (`CephFlowRecovery.refresh`): the volumes
    /// on it block or resume. An app volume (a mounted file system, written to) follows the writes,
    /// an image's blobs (read by pulls) the reads.
    func pgWaitsChanged(_ p: Int, writes: Int, reads: Int) {
        for id in pgVolumes[p] {
            let v = volumes[Int(id)]
            let d = v.kind == .app ? writes : reads
            guard d != 0 else { continue }
            let was = v.blocked
            v.blockedPGs += d
            if !was && v.blocked { block(v) } else if was && !v.blocked { resume(v) }
        }
    }

    /// The pool was flagged full or is no longer: the Objecter pauses every write to a full pool
    /// (`_calc_target`: `pool_full` pauses writes without FULL_TRY; PrimaryLogPG::do_op drops a
    /// write to a full pool, the client resends it when the flag clears), so every app volume (a
    /// mounted file system, written to) hangs; reads (the registry's blobs) go on.
    func setPoolFull(_ full: Bool) {
        for v in volumes where v.kind == .app {
            let was = v.blocked
            v.fullBlocked = full
            if !was && v.blocked { block(v) } else if was && !v.blocked { resume(v) }
        }
    }

    /// Why a volume's PGs wait: "N of its M PGs below min_size", or the PGs with a copy (an app
    /// volume) or their primary (an image) on an OSD that died and is not yet marked down.
    func why(_ v: Volume) -> String {
        var inactive = 0
        for p in v.pgs where flows.blockedOf[Int(p)] { inactive += 1 }
        let stalled = v.blockedPGs - inactive
        var parts: [String] = []
        let of = v.kind == .app ? "of its \(v.pgs.count) PGs" : "of the \(v.pgs.count) PGs holding its blobs"
        if inactive > 0 { parts.append("\(inactive) \(of) \(v.kind == .app ? "below" : "are below") min_size") }
        if stalled > 0 {
            parts.append("\(stalled) \(of) \(v.kind == .app ? "with a copy" : "have their primary") on an OSD that died and is not marked down yet (\(ceph.isSet(.nodown) ? "nodown flag set" : "osd_heartbeat_grace"))")
        }
        if v.fullBlocked { parts.append("the pool is full (an OSD above mon_osd_full_ratio 0.95: writes paused)") }
        return parts.joined(separator: ", ")
    }

    func block(_ v: Volume) {
        v.blockedSince = ceph.now
        v.blockings += 1
        guard v.kind == .app else { return }
        appVolumesBlocked += 1
        prune(v)
        tasksHung += v.tasks.count
        ceph.log("clientIOBlocked", v.name, "\(why(v)): I/O of \(v.tasks.count) mounted task(s) hangs (D state)")
    }

    func resume(_ v: Volume) {
        if let s = v.blockedSince { v.blockedTotal += ceph.now - s; v.blockedSince = nil }
        let containerizer = ceph.containerizer
        switch v.kind {
        case .app:
            appVolumesBlocked -= 1
            prune(v)
            ceph.log("clientIOResumed", v.name, "its \(v.pgs.count) PGs are active: I/O of \(v.tasks.count) mounted task(s) resumes")
            // kills that waited on the D-state processes complete (once per host, in mount order)
            var hosts: [Int] = []
            for id in v.tasks {
                guard let h = containerizer?.liveContainerHost(task: id) else { continue }
                if !hosts.contains(h) { hosts.append(h) }
            }
            for h in hosts { containerizer?.ioResumed(host: h) }
        case .image:
            guard !v.waiters.isEmpty else { return }
            ceph.log("registryReadResumed", v.name, "its PGs are active: \(v.waiters.count) waiting pull(s) go on")
            let w = v.waiters
            v.waiters = []
            for x in w { containerizer?.resumePull(x) }
        }
    }

    /// Drops tasks whose container is gone (a host crash ends containers without an exit call).
    func prune(_ v: Volume) {
        guard let containerizer = ceph.containerizer else { return }
        v.tasks.removeAll { id in
            guard containerizer.liveContainerHost(task: id) != nil else { taskVolume[id] = nil; return true }
            return false
        }
    }
}
