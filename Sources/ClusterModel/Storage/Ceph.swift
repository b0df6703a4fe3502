import SimKernel

/// A Ceph cluster: OSD hosts with replicated pools, heartbeat-based failure detection, down -> out
/// after mon_osd_down_out_interval, and throttled recovery. Defaults: ceph/ceph
/// src/common/options.cc and doc/rados/configuration/mon-osd-interaction.rst (docs/storage.md).
public struct CephSpec: Equatable, Sendable {
    public enum DeviceClass: String, Sendable, CaseIterable { case hdd, ssd, hybrid }
    /// Hosts running OSDs (the CRUSH failure domain is the host).
    public var osdHostGroup: String
    public var osdsPerHost: Int = 1
    /// Raw capacity of one OSD.
    public var osdCapacityBytes: Int64 = 4_000_000_000_000
    /// Sequential bandwidth of one OSD's disk.
    public var osdBandwidthBytesPerSecond: Double = 150_000_000
    public var deviceClass: DeviceClass = .hdd
    /// Client data stored in the pool (before replication).
    public var storedBytes: Int64 = 1_000_000_000_000
    /// Pool `size` / `min_size`: 3 / 2 (osd_pool_default_size, osd_pool_default_min_size = size - size/2).
    public var size: Int = 3
    public var minSize: Int = 2
    /// RADOS object size: 4 MiB (RBD and CephFS default object size).
    public var objectBytes: Int64 = 4 * MiB
    /// osd_heartbeat_interval 6 s, osd_heartbeat_grace 20 s.
    public var heartbeatInterval: SimDuration = .seconds(6)
    public var heartbeatGrace: SimDuration = .seconds(20)
    /// mon_osd_down_out_interval: 600 s. Zero: the monitors never mark a down OSD out
    /// (OSDMonitor::tick marks out only while the interval is > 0), so no recovery starts.
    public var downOutInterval: SimDuration = .seconds(600)
    /// The monitors mark a down OSD out after `downOutInterval` (false for 0).
    public var marksDownOSDsOut: Bool { downOutInterval > .zero }
    /// mon_osd_min_in_ratio 0.75: the monitors mark no more OSDs out once fewer than this share of
    /// all OSDs would stay in (OSDMonitor::can_mark_out; ceph/ceph src/common/options.cc).
    public var minInRatio: Double = 0.75
    /// The cluster flags an operator sets (`ceph osd set <flag>`) and unsets, by flag (nil: never).
    public var flagSetAt: [CephFlag: SimDuration] = [:]
    public var flagUnsetAt: [CephFlag: SimDuration] = [:]
    /// `ceph osd set noout` at this time, and `ceph osd unset noout` (nil: never).
    public var nooutSet: SimDuration? { get { flagSetAt[.noout] } set { flagSetAt[.noout] = newValue } }
    public var nooutUnset: SimDuration? { get { flagUnsetAt[.noout] } set { flagUnsetAt[.noout] = newValue } }
    /// Client data written to the pool, bytes per second before replication (flow model only):
    /// every PG grows by rate / pg_num, on every OSD holding it, while the pool is not full.
    public var clientWriteBytesPerSecond: Double = 0
    /// osd_max_backfills 1, osd_recovery_max_active 3.
    public var maxBackfills: Int = 1
    public var recoveryMaxActive: Int = 3
    /// osd_recovery_sleep_hdd 0.1 s, _ssd 0, _hybrid 0.025 s (nil: by device class).
    public var recoverySleep: SimDuration? = nil
    /// Client 4K sync write latency on a healthy cluster: < 0.5 ms (Ceph Reef RBD, NVMe, 3x).
    public var clientLatency: SimDuration = .microseconds500
    /// The image registry keeps its blobs in the pool (`storage.ceph.registry`): pulls read them.
    public var registry = false
    /// One client's read rate from the pool: 500 MB/s (S6-rook13483: 128K random reads on an RBD
    /// volume 1.50 GB/s; S6-rook1706: CephFS about 3x lower than RBD).
    public var clientReadBytesPerSecond: Double = 500_000_000
    /// Placement groups of the pool (flow recovery only; not a scenario key). nil: the power of two
    /// nearest to 100 PGs per OSD × OSDs / size (mon_target_pg_per_osd 100, the pg_autoscaler's
    /// nearest_power_of_two).
    public var pgNum: Int? = nil
    public init(osdHostGroup: String) { self.osdHostGroup = osdHostGroup }

    public func effectivePGNum(osds: Int) -> Int {
        if let p = pgNum { return max(1, p) }
        let target = max(1.0, Double(osds) * 100 / Double(max(1, size)))
        var lo = 1
        while Double(lo * 2) <= target { lo *= 2 }
        return target - Double(lo) <= Double(2 * lo) - target ? lo : 2 * lo
    }

    /// osd_recovery_max_single_start 1: recovery ops one wake-up of an OSD's recovery starts
    /// (ceph/ceph v14.2.16 src/common/options.cc; OSDService::_maybe_queue_recovery).
    public static let recoveryMaxSingleStart = 1

    /// The recovery rate one OSD can drive as primary, bytes per second. Ceph schedules each
    /// recovery wake-up `osd_recovery_sleep` after the previous one's scheduled time, one timer per
    /// OSD (`OSD::do_recovery`: `recovery_schedule_time += recovery_sleep`, whatever the PG), and a
    /// wake-up starts at most `osd_recovery_max_single_start` objects (`_maybe_queue_recovery`), with
    /// at most `osd_recovery_max_active` in flight (`_recover_now`). With a sleep the OSD starts at
    /// most single_start / sleep objects a second, however many backfills it runs. An object stays
    /// in flight from `start_recovery_op` until every target acknowledged it
    /// (`finish_recovery_op`): the source reads it (objectSize / osdBandwidth), the target writes
    /// it (the same on equal disks), so max_active objects in flight bound the OSD at
    /// max_active × objectSize / (2 × objectSize / bandwidth) = max_active × bandwidth / 2 (the
    /// transfer on the wire, 3.4 ms for 4 MiB at 10 Gbit, is not counted). Hence
    /// min(disk, max_active × disk / 2, single_start × objectSize / sleep): 41.9 MB/s for an HDD
    /// (0.1 s, 4 MiB objects), the disk for hybrid (0.025 s: 168 MB/s) and SSD (no sleep) with
    /// max_active 3 or more; with max_active 1 half the disk.
    public var recoveryBudgetPerOSD: Double {
        let bw = osdBandwidthBytesPerSecond
        let sleep = effectiveRecoverySleep.seconds
        var r = min(bw, Double(max(1, recoveryMaxActive)) * bw / 2)
        if sleep > 0 { r = min(r, Double(Self.recoveryMaxSingleStart) * Double(objectBytes) / sleep) }
        return r
    }

    public var effectiveRecoverySleep: SimDuration {
        recoverySleep ?? (deviceClass == .hdd ? .milliseconds(100) : deviceClass == .ssd ? .zero : .milliseconds(25))
    }
}

/// The OSDMap flags an operator sets during maintenance or an incident (`ceph osd set <flag>`),
/// in the order `OSDMap::get_flag_string` prints them (ceph/ceph v14.2.16 src/osd/OSDMap.cc).
public enum CephFlag: String, Sendable, CaseIterable, Hashable {
    case noup, nodown, noout, nobackfill, norebalance, norecover
}

extension SimDuration { static let microseconds500 = SimDuration(nanoseconds: 500_000) }

/// One OSD host as the monitors see it.
public final class CephOSDHost {
    public let host: Host
    public internal(set) var up = true
    /// Its OSDs the monitors marked out: the lowest ids of the host first (the tick walks
    /// down_pending_out in OSD order), all of them unless mon_osd_min_in_ratio stopped it.
    public internal(set) var osdsOut = 0
    /// Every OSD of the host is in.
    public var inCluster: Bool { osdsOut == 0 }
    /// mon_osd_min_in_ratio kept some of its OSDs in while it was down.
    var keptIn = false
    /// The host's process is actually alive (the truth; `up` is the monitors' view).
    var alive = true
    /// When it crashed, and whether the monitors wait for failure reports that too few peers
    /// are left to send (then its beacons' timeout marks it down).
    var crashedAt: SimTime?
    var awaitingReports = false
    var gen: Int32 = 0
    var downAt: SimTime?
    /// Its peers reported it failed while the nodown flag was set (the monitors ignored them).
    var failureIgnored = false
    /// It booted while the noup flag was set: its OSDs wait for the flag to clear, down.
    public internal(set) var bootPending = false
    init(host: Host) { self.host = host }
}

public final class CephCluster {
    public let spec: CephSpec
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    public let osdHosts: [CephOSDHost]
    let stream: RandomStream
    /// Replica bytes still to re-create (recovery backlog) and the rate now.
    public private(set) var recoveryBytesLeft: Double = 0
    public private(set) var recoveryRate: Double = 0
    /// Replica bytes missing (degraded) right now.
    var degradedBytes: Double = 0
    var lastUpdate = SimTime.zero
    var recoveryGen: Int32 = 0
    /// Recovery as PG backfills over the network model's bulk flows: set at `start()` when the
    /// scenario has a `network` section; nil keeps the throttled transfer below.
    public private(set) var flowRecovery: CephFlowRecovery?
    /// Clients (app volumes through ceph-fuse, the registry's blobs): with flow recovery only,
    /// which gives PGs their placement.
    public private(set) var clients: CephClients?
    public private(set) var markedDown: [(osdHost: String, failedAt: SimTime, downAt: SimTime)] = []
    public private(set) var markedOut: [(osdHost: String, outAt: SimTime)] = []
    public private(set) var recoveries: [(start: SimTime, end: SimTime?)] = []
    /// The network recovery flows and client I/O run on (set when built), and the containerizer
    /// whose containers mount volumes (set when storage is plugged into one).
    var network: ClusterNetwork?
    var containerizer: Containerizer?

    enum Sub: Int64 { case markDown = 1, markOut, recoveryDone, reportTimeout, flagSet, flagUnset, fillCheck }
    /// The cluster flags set now, by `CephFlag.allCases` index.
    var flagOn = [Bool](repeating: false, count: CephFlag.allCases.count)
    public func isSet(_ f: CephFlag) -> Bool { flagOn[CephFlag.allCases.firstIndex(of: f)!] }
    /// The cluster's noout flag is set: OSDMonitor::can_mark_out refuses every OSD, so the tick
    /// skips its down_pending_out loop and keeps the OSDs' down times.
    public var noout: Bool { isSet(.noout) }
    /// `ceph health`'s OSDMAP_FLAGS check (HEALTH_WARN "noout,norecover flag(s) set"; OSDMap::
    /// check_health, flags in get_flag_string's order), or nil when none is set.
    public var flagsHealth: String? {
        let on = CephFlag.allCases.filter { isSet($0) }.map(\.rawValue)
        return on.isEmpty ? nil : "HEALTH_WARN OSDMAP_FLAGS: \(on.joined(separator: ",")) flag(s) set"
    }
    /// mon_osd_min_down_reporters 2, from different mon_osd_reporter_subtree_level ("host")
    /// subtrees: OSDMonitor::check_failure marks an OSD down on failure reports only from that many
    /// hosts (ceph/ceph v14.2.16 src/mon/OSDMonitor.cc, src/common/options.cc).
    static let minDownReporters = 2
    /// osd_beacon_report_interval 300 s (an OSD's beacon to the monitors) and mon_osd_report_timeout
    /// 900 s: OSDMonitor::handle_osd_timeouts marks down an OSD whose last beacon is older.
    static let beaconInterval = SimDuration.seconds(300), reportTimeout = SimDuration.seconds(900)
    /// A Ceph event's argument: the generation (low 24 bits), the OSD host, the `Sub` kind.
    static let argGeneration = ArgField("ceph generation", shift: 0, bits: 24)
    static let argIndex = argGeneration.next("OSD host", bits: 32)
    static let argSub = argIndex.next("ceph event", bits: 8)

    init(spec: CephSpec, model: ClusterSimulation) {
        self.spec = spec
        self.model = model
        osdHosts = (model.infrastructure.hostsByGroup[spec.osdHostGroup] ?? []).map { CephOSDHost(host: model.infrastructure.hosts[$0]) }
        stream = model.stream("ceph")
    }

    var now: SimTime { model.sim.now }
    func log(_ e: String, _ s: String, _ d: String = "") { model.log("ceph", e, s, d) }
    var osdCount: Int { osdHosts.count * spec.osdsPerHost }
    /// Replica bytes held by one OSD host.
    var bytesPerHost: Double { Double(spec.storedBytes) * Double(spec.size) / Double(max(1, osdHosts.count)) }

    func start() {
        lastUpdate = now
        for (k, f) in CephFlag.allCases.enumerated() {
            if let t = spec.flagSetAt[f] { schedule(.flagSet, at: SimTime.zero + t, k, 0) }
            if let t = spec.flagUnsetAt[f] { schedule(.flagUnset, at: SimTime.zero + t, k, 0) }
        }
        if let net = network, flowRecovery == nil { flowRecovery = CephFlowRecovery(ceph: self, network: net) }
        if let f = flowRecovery, clients == nil { clients = CephClients(ceph: self, flows: f) }
        // the OSDs' full states as they start, and the first instant client writes change one
        flowRecovery?.fullnessChanged()
    }

    func schedule(_ s: Sub, at t: SimTime, _ i: Int, _ g: Int32) {
        model.sim.schedule(at: t, target: target, kind: StorageModel.Kind.ceph.rawValue,
                           arg: Self.argSub.encode(Int(s.rawValue)) | Self.argIndex.encode(i) | Self.argGeneration.encodeWrapping(g))
    }

    func handle(_ e: Event) {
        let sub = Sub(rawValue: Int64(Self.argSub.decode(e.arg)))!
        let i = Self.argIndex.decode(e.arg)
        let g = Int32(Self.argGeneration.decode(e.arg))
        switch sub {
        case .markDown:
            let o = osdHosts[i]
            guard Self.argGeneration.matches(e.arg, o.gen), !o.alive, o.up else { return }
            let n = reporterHosts(excluding: i)
            guard n >= Self.minDownReporters else {
                // too few live peers to report it: its beacons stop, and the monitors mark it down
                // mon_osd_report_timeout after the last one (a peer that boots meanwhile reports it)
                guard !o.awaitingReports else { return }
                o.awaitingReports = true
                let crashed = o.crashedAt ?? now
                let lastBeacon = crashed - SimDuration(nanoseconds: Int64(stream.uniform() * Double(Self.beaconInterval.nanoseconds)))
                let at = max(now, lastBeacon + Self.reportTimeout)
                log("osdDownUnreported", o.host.name, "no heartbeat within osd_heartbeat_grace \(spec.heartbeatGrace), but failure reports from \(n) host(s), below mon_osd_min_down_reporters \(Self.minDownReporters): its OSDs stay up until their beacons time out (mon_osd_report_timeout \(Self.reportTimeout), at \(NumberFormat.decimal(at.seconds, 1)) s)")
                schedule(.reportTimeout, at: at, i, g)
                return
            }
            guard !refusedByNodown(i) else { return }
            markDown(i, g, why: "no heartbeat within osd_heartbeat_grace \(spec.heartbeatGrace)")
        case .reportTimeout:
            let o = osdHosts[i]
            guard Self.argGeneration.matches(e.arg, o.gen), !o.alive, o.up else { return }
            guard !refusedByNodown(i) else { return }
            markDown(i, g, why: "no beacon for mon_osd_report_timeout \(Self.reportTimeout)")
        case .markOut:
            let o = osdHosts[i]
            guard Self.argGeneration.matches(e.arg, o.gen), !o.up, o.osdsOut < spec.osdsPerHost else { return }
            guard !noout else {
                log("osdOutDeferred", o.host.name, "down for mon_osd_down_out_interval \(spec.downOutInterval): noout flag set, not marked out")
                return
            }
            markOut(i)
        case .flagSet:
            setFlag(CephFlag.allCases[i], true)
        case .flagUnset:
            setFlag(CephFlag.allCases[i], false)
        case .fillCheck:
            guard Self.argGeneration.matches(e.arg, fillGen) else { return }
            flowRecovery?.fullnessChanged()
        case .recoveryDone:
            guard Self.argGeneration.matches(e.arg, recoveryGen) else { return }
            advance()
            recoveryBytesLeft = 0
            degradedBytes = osdHosts.filter { !$0.up }.reduce(0.0) { $0 + Double(spec.osdsPerHost - $1.osdsOut) } * bytesPerHost / Double(spec.osdsPerHost)
            if let k = recoveries.indices.last, recoveries[k].end == nil { recoveries[k].end = now }
            log("recoveryDone", "pool", "full redundancy restored (size \(spec.size))")
            replan()
        }
    }

    var fillGen: Int32 = 0
    /// The flow model's next fullness check (an OSD reaching a ratio under client writes).
    func scheduleFillCheck(after d: SimDuration) {
        fillGen &+= 1
        schedule(.fillCheck, at: now + d, 0, fillGen)
    }

    /// `ceph osd set <flag>` / `unset`: a new osdmap epoch with the flag; what consults it reacts.
    func setFlag(_ f: CephFlag, _ on: Bool) {
        let k = CephFlag.allCases.firstIndex(of: f)!
        guard flagOn[k] != on else { return }
        flagOn[k] = on
        let what: String
        switch (f, on) {
        case (.noout, true): what = "the monitors mark no down OSD out (OSDMonitor::can_mark_out)"
        case (.noout, false): what = "OSDs down for mon_osd_down_out_interval are marked out at the next tick"
        case (.nodown, true): what = "the monitors ignore failure reports and beacon timeouts (OSDMonitor::can_mark_down): a dead OSD stays up, I/O to its PGs waits"
        case (.nodown, false): what = "dead OSDs their peers report are marked down"
        case (.noup, true): what = "the monitors ignore booting OSDs (OSDMonitor::can_mark_up): they stay down"
        case (.noup, false): what = "OSDs waiting to boot are marked up"
        case (.nobackfill, true): what = "PGs defer their backfill ops, keeping their reservations (PrimaryLogPG::start_recovery_ops)"
        case (.norebalance, true): what = "PGs that are not degraded defer their backfill ops (PrimaryLogPG::start_recovery_ops)"
        case (.norecover, true): what = "every OSD pauses its recovery queue (OSDService::pause_recovery): no recovery or backfill op starts"
        case (.nobackfill, false), (.norebalance, false), (.norecover, false): what = "deferred backfills go on"
        }
        log(f.rawValue + (on ? "Set" : "Unset"), "cluster", "ceph osd \(on ? "set" : "unset") \(f.rawValue): \(what); \(flagsHealth ?? "OSDMAP_FLAGS clear")")
        switch (f, on) {
        case (.noout, false):
            // the next tick marks out every OSD down for the interval; the down times were kept
            guard spec.marksDownOSDsOut else { return }
            for (k, o) in osdHosts.enumerated() where !o.up && o.osdsOut < spec.osdsPerHost && !o.keptIn {
                if let d = o.downAt, now - d >= spec.downOutInterval { markOut(k) }
            }
        case (.nodown, false):
            // the peers keep reporting a silent peer (OSD::heartbeat_check refills failure_queue,
            // send_failures sends it): the monitors' next check_failures marks it down
            for (k, o) in osdHosts.enumerated() where o.failureIgnored && !o.alive && o.up {
                markDown(k, o.gen, why: "failure reports accepted again (nodown unset)")
            }
        case (.noup, false):
            for (k, o) in osdHosts.enumerated() where o.bootPending && o.alive && !o.up {
                o.bootPending = false
                markUp(k)
            }
        case (.nobackfill, _), (.norebalance, _), (.norecover, _):
            if let f = flowRecovery { f.flagsChanged() } else { advance(); replan() }
        default: break
        }
    }

    /// OSDMonitor::can_mark_down refuses every OSD while nodown is set: the failure reports (or the
    /// beacon timeout) are ignored, and the host stays up in the map though its OSDs are dead.
    func refusedByNodown(_ i: Int) -> Bool {
        guard isSet(.nodown) else { return false }
        let o = osdHosts[i]
        if !o.failureIgnored {
            o.failureIgnored = true
            log("osdDownRefused", o.host.name, "reported failed, nodown flag set: the monitors keep its \(spec.osdsPerHost) OSD(s) up; I/O to its PGs waits")
        }
        return true
    }

    /// Other OSD hosts whose OSDs run and are up: the peers that can report a failure.
    func reporterHosts(excluding i: Int) -> Int {
        var n = 0
        for (k, o) in osdHosts.enumerated() where k != i && o.alive && o.up { n += 1 }
        return n
    }

    /// The monitors mark the host's OSDs down (a new osdmap): its PGs re-peer without them.
    func markDown(_ i: Int, _ g: Int32, why: String) {
        let o = osdHosts[i]
        advance()
        o.awaitingReports = false
        o.failureIgnored = false
        o.up = false
        o.downAt = now
        if let f = flowRecovery { f.markedDown(i) } else { degradedBytes += bytesPerHost }
        markedDown.append((o.host.name, o.downAt!, now))
        log("osdDown", o.host.name, "\(why): \(spec.osdsPerHost) OSD(s) marked down; \(blockedRatio() > 0 ? "some PGs below min_size: I/O blocked" : "PGs degraded")\(spec.marksDownOSDsOut ? "" : "; mon_osd_down_out_interval 0: never marked out, no recovery")")
        if spec.marksDownOSDsOut { schedule(.markOut, at: now + spec.downOutInterval, i, g) }
    }

    /// OSDs in now, over all hosts.
    var osdsIn: Int { osdCount - osdHosts.reduce(0) { $0 + $1.osdsOut } }

    /// OSDMonitor::tick for a host down for mon_osd_down_out_interval: its OSDs still in are marked
    /// out one by one while `can_mark_out` allows, i.e. while the OSDs in (the one to mark
    /// included) are at least mon_osd_min_in_ratio of all (`(float)in / num_osds < ratio` refuses).
    /// Refused ones stay down and in, their PGs degraded; they are tried again when OSDs come in.
    func markOut(_ i: Int) {
        let o = osdHosts[i]
        advance()
        let before = o.osdsOut
        var inNow = osdsIn
        while o.osdsOut < spec.osdsPerHost, Double(Float(inNow) / Float(max(1, osdCount))) >= spec.minInRatio {
            o.osdsOut += 1
            inNow -= 1
        }
        let k = o.osdsOut - before
        let left = spec.osdsPerHost - o.osdsOut
        o.keptIn = left > 0
        let kept = left > 0 ? "; \(left) OSD(s) stay in: mon_osd_min_in_ratio \(NumberFormat.decimal(spec.minInRatio, 2)) (\(inNow) of \(osdCount) OSDs in)" : ""
        guard k > 0 else {
            log("osdOutRefused", o.host.name, "down for mon_osd_down_out_interval \(spec.downOutInterval): not marked out\(kept)")
            return
        }
        markedOut.append((o.host.name, now))
        let what = k == spec.osdsPerHost ? "marked out" : "\(k) of \(spec.osdsPerHost) OSDs marked out"
        if let f = flowRecovery {
            let (added, count) = f.markedOut(i, osdsBefore: before)
            log("osdOut", o.host.name, "down for mon_osd_down_out_interval \(spec.downOutInterval): \(what), recovery of \(NumberFormat.decimal(added / 1e9, 3)) GB starts: \(count) PG backfills over the network (osd_max_backfills \(spec.maxBackfills))\(kept)")
            if f.liveBackfills > 0, recoveries.last.map({ $0.end != nil }) ?? true { recoveries.append((now, nil)) }
            f.pump()
            return
        }
        let bytes = bytesPerHost * Double(k) / Double(spec.osdsPerHost)
        recoveryBytesLeft += bytes
        log("osdOut", o.host.name, "down for mon_osd_down_out_interval \(spec.downOutInterval): \(what), recovery of \(NumberFormat.decimal(bytes / 1e9, 3)) GB starts\(kept)")
        if recoveries.last.map({ $0.end != nil }) ?? true { recoveries.append((now, nil)) }
        replan()
    }

    /// OSDs came in: the down hosts whose OSDs mon_osd_min_in_ratio kept in are tried again after
    /// the interval (the monitors dropped them from down_pending_out when they refused them, and
    /// the next osdmap epoch put them back with a new start time).
    func retryKeptIn() {
        guard spec.marksDownOSDsOut else { return }
        for (i, o) in osdHosts.enumerated() where o.keptIn && !o.up {
            o.keptIn = false
            schedule(.markOut, at: now + spec.downOutInterval, i, o.gen)
        }
    }

    /// Per-OSD recovery rate: the OSD's recovery budget (`CephSpec.recoveryBudgetPerOSD`: one
    /// recovery timer per OSD, however many backfills it runs).
    public var perOSDRecoveryRate: Double { spec.recoveryBudgetPerOSD }

    /// Aggregate recovery rate: every surviving OSD is a backfill target; each OSD host's NIC
    /// carries what its OSDs receive.
    public var clusterRecoveryRate: Double {
        let survivors = osdHosts.filter { $0.up && $0.inCluster }
        guard !survivors.isEmpty else { return 0 }
        var total = 0.0
        for h in survivors {
            total += min(Double(spec.osdsPerHost) * perOSDRecoveryRate, Double(h.host.nicBitsPerSecond) / 8)
        }
        return total
    }

    /// Flow recovery: the last backfill ended (or none is left that can run).
    func flowRecoveryFinished(stillDegradedPGs: Int) {
        guard let k = recoveries.indices.last, recoveries[k].end == nil else { return }
        recoveries[k].end = now
        log("recoveryDone", "pool", stillDegradedPGs == 0 ? "full redundancy restored (size \(spec.size))"
            : "backfills done; \(stillDegradedPGs) PGs still degraded (OSDs down, not out)")
    }

    func advance() {
        let dt = (now - lastUpdate).seconds
        lastUpdate = now
        guard dt > 0, recoveryRate > 0 else { return }
        let moved = min(recoveryBytesLeft, recoveryRate * dt)
        recoveryBytesLeft -= moved
        degradedBytes = max(0, degradedBytes - moved)
    }

    func replan() {
        recoveryGen &+= 1
        // the throttled transfer is the recovery of hosts marked out (degraded PGs): nobackfill and
        // norecover stop it, norebalance does not
        let deferred = isSet(.norecover) || isSet(.nobackfill)
        recoveryRate = recoveryBytesLeft > 0 && !deferred ? clusterRecoveryRate : 0
        if recoveryRate > 0 {
            let d = SimDuration(nanoseconds: Int64((recoveryBytesLeft / recoveryRate * 1e9).rounded(.up)))
            schedule(.recoveryDone, at: now + d, 0, recoveryGen)
        }
    }

    /// The host stopped. A crash (`orderly` false) kills the OSDs: the monitors learn it from the
    /// peers' failure reports after the grace, and meanwhile the PGs with a copy there keep it in
    /// their acting set, so their writes wait (and reads where it is the primary). An orderly
    /// shutdown (a reboot) stops each OSD with SIGTERM: OSD::shutdown -> OSDService::prepare_to_stop
    /// sends MOSDMarkMeDown and waits up to osd_mon_shutdown_timeout for the monitors' ack, so the
    /// OSDs are marked down at once, before they exit (ceph/ceph v14.2.16 src/osd/OSD.cc,
    /// src/mon/OSDMonitor.cc `prepare_mark_me_down`).
    func hostWentDown(_ host: Host, orderly: Bool = false) {
        guard let i = osdHosts.firstIndex(where: { $0.host === host }) else { return }
        let o = osdHosts[i]
        o.alive = false
        o.gen &+= 1
        if o.bootPending {
            // it was waiting for noup to clear, down: it stays down, its out timer runs on
            o.bootPending = false
            if !o.up, o.osdsOut < spec.osdsPerHost, !o.keptIn, spec.marksDownOSDsOut, let d = o.downAt {
                schedule(.markOut, at: max(now, d + spec.downOutInterval), i, o.gen)
            }
            return
        }
        if orderly, o.up, !isSet(.nodown) {
            log("osdHostStopping", host.name, "orderly shutdown: each OSD tells the monitors it stops (MOSDMarkMeDown)")
            markDown(i, o.gen, why: "stopping (MOSDMarkMeDown)")
            flowRecovery?.hostDied(i)
            return
        }
        if orderly, o.up {
            // OSDMonitor::preprocess_mark_me_down: can_mark_down refuses, the monitors ack and
            // the OSDs exit still up; their peers report them after the grace (ignored too)
            log("osdHostStopping", host.name, "orderly shutdown: MOSDMarkMeDown refused (nodown flag set); the OSDs exit still up")
        }
        flowRecovery?.hostDied(i)
        o.crashedAt = now
        // Peers last heard it up to one heartbeat interval ago; they report it after the grace
        // (mon_osd_min_down_reporters from different hosts arrive together; with fewer live
        // hosts left the beacon timeout decides, `handle(.markDown)`).
        let lastHeard = now - SimDuration(nanoseconds: Int64(stream.uniform() * Double(spec.heartbeatInterval.nanoseconds)))
        log("osdHostFailed", host.name, "OSD processes stopped")
        schedule(.markDown, at: max(now, lastHeard + spec.heartbeatGrace), i, o.gen)
    }

    func hostCameUp(_ host: Host) {
        guard let i = osdHosts.firstIndex(where: { $0.host === host }) else { return }
        let o = osdHosts[i]
        o.alive = true
        o.gen &+= 1
        o.awaitingReports = false
        // its OSDs boot and heartbeat their peers: a dead host still up that too few peers could
        // report is reported once this one's grace passes without a reply
        for (k, d) in osdHosts.enumerated() where d.awaitingReports && !d.alive && d.up {
            schedule(.markDown, at: now + spec.heartbeatGrace, k, d.gen)
        }
        guard !o.up else {
            // back before the monitors marked it down: its PGs' I/O goes on
            o.failureIgnored = false
            flowRecovery?.refreshHolders(of: i)
            return
        }
        if isSet(.noup) {
            o.bootPending = true
            log("osdBootIgnored", host.name, "OSDs boot; noup flag set: the monitors ignore their MOSDBoot (OSDMonitor::can_mark_up), they stay down, waiting for the flag to clear")
            // the out timer still runs (the host stays down); the crash's events were dropped
            if o.osdsOut < spec.osdsPerHost, !o.keptIn, spec.marksDownOSDsOut, let d = o.downAt {
                schedule(.markOut, at: max(now, d + spec.downOutInterval), i, o.gen)
            }
            return
        }
        markUp(i)
    }

    /// The monitors mark the host's OSDs up (and in, if they marked them out): its PGs re-peer.
    func markUp(_ i: Int) {
        let o = osdHosts[i]
        let host = o.host
        if let f = flowRecovery {
            let wasOut = !o.inCluster
            o.up = true
            o.osdsOut = 0; o.keptIn = false
            log("osdUp", host.name, "OSDs boot, marked up and in")
            let (added, count) = f.hostUp(i, wasOut: wasOut)
            if count > 0 {
                log("osdRebalance", host.name, "marked in again (mon_osd_auto_mark_auto_out_in): \(count) PGs map back to it, backfill of \(NumberFormat.decimal(added / 1e9, 3)) GB starts")
                if f.liveBackfills > 0, recoveries.last.map({ $0.end != nil }) ?? true { recoveries.append((now, nil)) }
                f.pump()
            }
            if wasOut { retryKeptIn() }
            return
        }
        advance()
        o.up = true
        let wasOut = !o.inCluster
        // back before being marked out: peering and log-based recovery (not modelled as traffic)
        degradedBytes = max(0, degradedBytes - bytesPerHost * Double(spec.osdsPerHost - o.osdsOut) / Double(spec.osdsPerHost))
        o.osdsOut = 0; o.keptIn = false
        log("osdUp", host.name, "OSDs boot, marked up and in")
        replan()
        if wasOut { retryKeptIn() }
    }

    /// Fraction of placement groups with fewer than min_size replicas available: their I/O blocks.
    /// PG replicas sit on distinct hosts; the down hosts whose replicas are not re-created yet count.
    public func blockedRatio() -> Double {
        if let f = flowRecovery { return f.blockedRatio }
        let n = osdHosts.count
        let missingHosts = Int((degradedBytes / max(1, bytesPerHost)).rounded(.up))
        let f = min(n, missingHosts)
        let need = spec.size - spec.minSize + 1   // replicas lost for a PG to block
        guard f >= need, n >= spec.size else { return 0 }
        // hypergeometric: P(X >= need), X = replicas of a PG on the f failed hosts
        var p = 0.0
        for x in need...min(spec.size, f) {
            p += binomial(f, x) * binomial(n - f, spec.size - x) / binomial(n, spec.size)
        }
        return min(1, p)
    }

    func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var r = 1.0
        for i in 0..<k { r *= Double(n - i) / Double(i + 1) }
        return r
    }

    /// Recovery throughput now, bytes per second (the flows' actual rates with a network).
    public var recoveryThroughput: Double { flowRecovery?.rate ?? recoveryRate }
    /// Replica bytes still to re-create by recovery now.
    public var recoveryBytesRemaining: Double {
        if let f = flowRecovery { return f.bytesLeft }
        advance()
        return recoveryBytesLeft
    }

    /// Client latency of an unblocked PG now, seconds: recovery ops share the OSDs' disks with
    /// clients, so latency grows with the disk share recovery takes (`base / (1 - share)`, share at
    /// most 0.9; model choice).
    public func clientLatencySeconds() -> Double {
        let recoveryRate = recoveryThroughput
        var up = 0
        for o in osdHosts where o.up { up += 1 }
        let share = recoveryRate > 0 ? min(0.9, recoveryRate / (Double(up * spec.osdsPerHost) * spec.osdBandwidthBytesPerSecond)) : 0
        return spec.clientLatency.seconds / (1 - share)
    }

    /// Used / capacity of the fullest up and in OSD: from the placement with a network section,
    /// else the pool's replicas spread evenly over the OSDs in (recovered bytes included).
    public func maxOSDUsedRatio() -> Double {
        let cap = Double(max(1, spec.osdCapacityBytes))
        if let f = flowRecovery {
            var m = 0
            for o in f.heldPGs.indices where osdHosts[f.hostOf(Int32(o))].up && f.isIn(Int32(o)) { m = max(m, f.heldPGs[o]) }
            return Double(m) * f.pgBytes / cap
        }
        let inUp = osdHosts.filter { $0.up }.reduce(0) { $0 + spec.osdsPerHost - $1.osdsOut }
        guard inUp > 0 else { return 0 }
        advance()
        return (Double(spec.storedBytes) * Double(spec.size) - degradedBytes) / Double(inUp) / cap
    }

    public func metrics() -> CephMetrics {
        advance()
        flowRecovery?.advanceWrites()
        let total = (flowRecovery?.storedBytes ?? Double(spec.storedBytes)) * Double(spec.size)
        let degradedBytes = flowRecovery?.degradedBytes ?? self.degradedBytes
        let recoveryRate = recoveryThroughput
        return CephMetrics(osdsTotal: osdCount, osdsUp: osdHosts.filter { $0.up }.count * spec.osdsPerHost,
                           osdsIn: osdsIn,
                           degradedRatio: total > 0 ? min(1, degradedBytes / total) : 0,
                           recoveryBytesPerSecond: recoveryRate, blockedRatio: blockedRatio(),
                           clientLatencyMs: clientLatencySeconds() * 1000,
                           appVolumesBlocked: clients?.appVolumesBlocked ?? 0,
                           maxOSDUsedRatio: maxOSDUsedRatio(), poolFull: flowRecovery?.poolFull ?? false)
    }
}

public struct CephMetrics: Sendable {
    public var osdsTotal: Int
    public var osdsUp: Int
    public var osdsIn: Int
    public var degradedRatio: Double
    public var recoveryBytesPerSecond: Double
    public var blockedRatio: Double
    public var clientLatencyMs: Double
    /// App volumes (ceph-fuse mounts) with a PG below min_size now.
    public var appVolumesBlocked: Int
    /// Used / capacity of the fullest up and in OSD, and the pool's full flag.
    public var maxOSDUsedRatio: Double
    public var poolFull: Bool
}
