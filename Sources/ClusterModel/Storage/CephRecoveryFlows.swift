import SimKernel

/// Ceph recovery carried by the network model's bulk flows (scenarios with a `network` section).
///
/// Placement: `pgNum` placement groups, each on `size` OSD hosts chosen by rendezvous hashing of
/// (PG id, host) among the hosts that are *in* (straw2 with equal weights: removing a host moves
/// only the PGs it held, each to the next-ranked host), one OSD per host by hashing (PG id, OSD).
/// A PG's primary is its highest-ranked holder that is up.
///
/// Recovery: when an OSD host is marked out, every PG that had a replica on it gets one backfill
/// per new up-set host: a bounded flow from the primary's host to the new host, bytes = one PG
/// replica (stored / pgNum). Ceph's throttles:
/// - `osd_max_backfills`: per OSD, at most that many backfills as source (local reservation)
///   and that many as target (remote reservation), as Ceph's two AsyncReservers. Backfills wait
///   in per-OSD FIFO queues and start greedily as slots free (in OSD order, then queue order).
/// - `osd_recovery_sleep`, `osd_recovery_max_single_start` and `osd_recovery_max_active`: folded
///   into one recovery budget per source OSD (`CephSpec.recoveryBudgetPerOSD`: at most one object
///   started per sleep, the disk's rate at most), a resource of the network's max-min sharing that
///   the OSD's backfills cross besides the NICs, links and CPUs. The sleep timer and max_active
///   are per OSD in Ceph (OSD::do_recovery, OSDService::_recover_now), so concurrent backfills of
///   one primary share the budget. This is the mean rate of Ceph's sleep-start cycle, with no
///   event per object or chunk.
/// Flows share NICs with every other flow by max-min fairness; the degraded ratio and recovery
/// throughput follow the flows' actual rates; the recovery ends when the last backfill does.
public final class CephFlowRecovery: NetworkClient {
    unowned let ceph: CephCluster
    let network: ClusterNetwork
    let size: Int, minSize: Int, perHost: Int, maxBackfills: Int
    public let pgNum: Int
    /// Bytes of one PG replica now (the pool's client data over pg_num; it grows with client
    /// writes, `CephSpec.clientWriteBytesPerSecond`, while the pool is not full).
    public private(set) var pgBytes: Double
    /// Client data in the pool now, and when the writes were last accounted.
    public private(set) var storedBytes: Double
    var writesAt: SimTime
    let writeRate: Double
    /// Recovery budget of one source OSD, bytes per second.
    public let budgetPerOSD: Double

    /// OSDs holding a complete copy of each PG.
    public private(set) var holders: [[Int32]]
    var missingOf: [Int32]
    var blockedOf: [Bool]
    /// Client I/O of each PG waits now: writes while the PG is inactive (below min_size) or an OSD
    /// holding a copy died and the monitors still have it up (the primary waits for every replica's
    /// commit, ReplicatedBackend::submit_transaction; the op is requeued only when a new osdmap
    /// changes the acting set, PrimaryLogPG::on_change); reads while it is inactive or its primary
    /// died and is still up (reads go to the primary only, Objecter::_calc_target).
    var writeWaitsOf: [Bool], readWaitsOf: [Bool]
    /// Replica copies missing (holders not up, below `size`) over all PGs; PGs with fewer than
    /// min_size holders up.
    public private(set) var missingReplicas = 0
    public private(set) var blockedPGs = 0
    /// When the last PG below min_size became active again.
    public private(set) var allActiveAt: SimTime?

    enum State: UInt8 { case pending, active, done, cancelled }
    struct Backfill {
        var pg: Int32, src: Int32, tgt: Int32
        /// Bytes still to copy, and bytes copied before a preemption (Ceph keeps `last_backfill`).
        var bytes: Double
        var done = 0.0
        var state: State
        var flow: ClusterNetwork.FlowHandle?
    }
    var backfills: [Backfill] = []
    /// Pending or active backfills of each PG.
    var pgLive: [[Int32]]
    /// Pending backfills per source / target OSD, FIFO (entries no longer pending are dropped lazily).
    var bySource: [[Int32]], byTarget: [[Int32]]
    public private(set) var sourceBusy: [Int], targetBusy: [Int]
    var budget: [MaxMinSharing.ResourceID]
    /// Active backfills (their flows), in start order.
    var active: [Int32] = []
    public private(set) var liveBackfills = 0
    var liveBytes = 0.0
    /// Bytes live backfills copied before they were preempted.
    var liveDone = 0.0
    public private(set) var preemptions = 0
    /// Highest number of concurrent backfills seen on one OSD as source / as target, and in all.
    public private(set) var peakSource = 0, peakTarget = 0, peakActive = 0
    public private(set) var backfillsCompleted = 0
    /// PG replicas each OSD holds (each `pgBytes`), and the bytes of the backfills it is receiving
    /// (Ceph counts both when it decides whether it can take one more:
    /// OSDService::compute_adjusted_ratio).
    public private(set) var heldPGs: [Int]
    public var heldBytes: [Double] { heldPGs.map { Double($0) * pgBytes } }
    var incomingBytes: [Double]
    /// Each OSD's fullness as it reports it (OSDService::recalc_full_state: its used ratio above
    /// mon_osd_nearfull_ratio 0.85, backfillfull 0.90, full 0.95): 0 none, 1 nearfull,
    /// 2 backfillfull, 3 full; only up and in OSDs count (OSDMap::get_full_pools).
    public private(set) var fullState: [UInt8]
    public static let nearfullRatio = 0.85, fullRatio = 0.95
    /// Some up and in OSD of the pool is full: the monitors flag the pool full (OSDMap::
    /// get_full_pools -> pg_pool_t::FLAG_FULL), and clients pause their writes to it (Objecter).
    public private(set) var poolFull = false
    /// Backfills holding their reservations with their ops deferred by a flag (no flow).
    public private(set) var pausedBackfills = 0
    /// An OSD refuses a backfill that would take it above `mon_osd_backfillfull_ratio` (0.90) of its
    /// capacity (OSDService::tentative_backfill_full, recalc_full_state: `ratio > backfillfull`):
    /// the PG waits in backfill_toofull.
    public let backfillFullBytes: Double
    public static let backfillFullRatio = 0.90
    /// OSDs that refused a backfill for being full (logged once each).
    var toofullLogged: [Bool]
    public private(set) var toofullRefusals = 0

    init(ceph: CephCluster, network: ClusterNetwork) {
        self.ceph = ceph
        self.network = network
        let spec = ceph.spec
        size = spec.size; minSize = spec.minSize; perHost = max(1, spec.osdsPerHost); maxBackfills = max(1, spec.maxBackfills)
        let osds = ceph.osdHosts.count * perHost
        pgNum = spec.effectivePGNum(osds: osds)
        pgBytes = Double(spec.storedBytes) / Double(pgNum)
        storedBytes = Double(spec.storedBytes)
        writesAt = ceph.now
        writeRate = max(0, spec.clientWriteBytesPerSecond)
        let cap = spec.recoveryBudgetPerOSD
        budgetPerOSD = cap
        holders = Array(repeating: [], count: pgNum)
        missingOf = Array(repeating: 0, count: pgNum)
        blockedOf = Array(repeating: false, count: pgNum)
        writeWaitsOf = Array(repeating: false, count: pgNum); readWaitsOf = Array(repeating: false, count: pgNum)
        pgLive = Array(repeating: [], count: pgNum)
        bySource = Array(repeating: [], count: osds); byTarget = Array(repeating: [], count: osds)
        sourceBusy = Array(repeating: 0, count: osds); targetBusy = Array(repeating: 0, count: osds)
        budget = (0..<osds).map { _ in network.addLimit(bytesPerSecond: cap) }
        heldPGs = Array(repeating: 0, count: osds); incomingBytes = Array(repeating: 0, count: osds)
        fullState = Array(repeating: 0, count: osds)
        toofullLogged = Array(repeating: false, count: osds)
        backfillFullBytes = Self.backfillFullRatio * Double(spec.osdCapacityBytes)
        for p in 0..<pgNum {
            holders[p] = upSet(p).map { osd(on: $0, pg: p) }
            for o in holders[p] { heldPGs[Int(o)] += 1 }
            refresh(p)
        }
    }

    // MARK: placement

    static func mix(_ x0: UInt64) -> UInt64 {   // splitmix64 finaliser
        var x = x0 &+ 0x9E37_79B9_7F4A_7C15
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
    func rank(_ pg: Int, _ host: Int) -> UInt64 { Self.mix(UInt64(pg) << 32 | UInt64(host)) }
    func hostOf(_ osd: Int32) -> Int { Int(osd) / perHost }

    /// The OSD of `host` a PG maps to.
    func osd(on host: Int, pg: Int) -> Int32 {
        var best = 0
        var bestHash: UInt64 = 0
        for j in 0..<perHost {
            let h = Self.mix((UInt64(pg) << 32 | UInt64(host * perHost + j)) ^ 0x5EED_0F05_D000_0000)
            if j == 0 || h > bestHash { best = j; bestHash = h }
        }
        return Int32(host * perHost + best)
    }

    /// The OSD is in (a host's lowest OSDs are marked out first).
    func isIn(_ osd: Int32) -> Bool { Int(osd) % perHost >= ceph.osdHosts[hostOf(osd)].osdsOut }

    /// The PG's up set (CRUSH): the `size` highest-ranked hosts whose OSD for it is in, best first.
    /// A host with some OSDs out keeps the PGs whose OSD there is in; the others go on to the next
    /// host (CRUSH rejects an out OSD and retries the descent: straw2 with chooseleaf_descend_once).
    func upSet(_ pg: Int) -> [Int] {
        var top: [(rank: UInt64, host: Int)] = []
        top.reserveCapacity(size + 1)
        for (h, o) in ceph.osdHosts.enumerated() where o.osdsOut < perHost && (o.osdsOut == 0 || isIn(osd(on: h, pg: pg))) {
            let r = rank(pg, h)
            if top.count == size, let last = top.last, last.rank >= r { continue }
            var k = top.count
            while k > 0 && top[k - 1].rank < r { k -= 1 }
            top.insert((r, h), at: k)
            if top.count > size { top.removeLast() }
        }
        return top.map(\.host)
    }

    // MARK: state

    /// Recomputes a PG's missing replicas, blocked flag (the monitors' view: fewer than min_size
    /// holders up) and whether its clients' writes and reads wait (`writeWaitsOf`, `readWaitsOf`).
    func refresh(_ p: Int) {
        var up = 0
        var deadUp = false, primaryDead = false
        var best: UInt64 = 0
        for o in holders[p] {
            let h = ceph.osdHosts[hostOf(o)]
            guard h.up else { continue }
            up += 1
            if !h.alive { deadUp = true }
            let r = rank(p, hostOf(o))
            if up == 1 || r > best { best = r; primaryDead = !h.alive }
        }
        let m = Int32(max(0, size - up))
        missingReplicas += Int(m - missingOf[p]); missingOf[p] = m
        let b = up < minSize
        if b != blockedOf[p] {
            blockedPGs += b ? 1 : -1; blockedOf[p] = b
            if blockedPGs == 0 { allActiveAt = ceph.now }
        }
        let w = b || deadUp, r = b || primaryDead
        if w != writeWaitsOf[p] || r != readWaitsOf[p] {
            let dw = w == writeWaitsOf[p] ? 0 : (w ? 1 : -1), dr = r == readWaitsOf[p] ? 0 : (r ? 1 : -1)
            writeWaitsOf[p] = w; readWaitsOf[p] = r
            ceph.clients?.pgWaitsChanged(p, writes: dw, reads: dr)
        }
    }

    /// Refreshes the PGs with a copy on host `h` (it died or came back while the monitors had it up).
    func refreshHolders(of h: Int) {
        for p in 0..<pgNum where holders[p].contains(where: { hostOf($0) == h }) { refresh(p) }
    }

    /// Replica bytes missing now: missing copies less what active backfills have delivered.
    public var degradedBytes: Double {
        var moved = 0.0
        for id in active { if let f = backfills[Int(id)].flow { moved += network.transferred(f) } }
        return max(0, Double(missingReplicas) * pgBytes - moved - (liveBackfills > 0 ? liveDone : 0))
    }
    public var rate: Double {
        var r = 0.0
        for id in active { if let f = backfills[Int(id)].flow { r += network.rate(of: f) } }
        return r
    }
    public var bytesLeft: Double {
        var moved = 0.0
        for id in active { if let f = backfills[Int(id)].flow { moved += network.transferred(f) } }
        return max(0, liveBytes - moved)
    }
    public var blockedRatio: Double { Double(blockedPGs) / Double(max(1, pgNum)) }
    public var activeBackfills: Int { active.count }

    func touches(_ p: Int, _ h: Int) -> Bool {
        for o in holders[p] where hostOf(o) == h { return true }
        for id in pgLive[p] {
            let b = backfills[Int(id)]
            if hostOf(b.src) == h || hostOf(b.tgt) == h { return true }
        }
        return false
    }

    private func release(_ id: Int) {
        let b = backfills[id]
        if b.state == .active && b.flow == nil { pausedBackfills -= 1 }
        sourceBusy[Int(b.src)] -= 1; targetBusy[Int(b.tgt)] -= 1
        incomingBytes[Int(b.tgt)] -= b.bytes
        if let k = active.firstIndex(of: Int32(id)) { active.remove(at: k) }
        backfills[id].flow = nil
    }

    /// Drops one backfill (an active one's flow stops; its progress is lost).
    private func cancel(_ id: Int) {
        if backfills[id].state == .active {
            if let f = backfills[id].flow { network.stopFlow(f) }
            release(id)
        }
        backfills[id].state = .cancelled
        liveBackfills -= 1; liveBytes -= backfills[id].bytes; liveDone -= backfills[id].done
    }

    /// Re-plans a PG from its holders and up set: a backfill from the primary to every up-set host
    /// that is up and holds no copy. Backfills still wanted (same source and target) go on.
    private func replan(_ p: Int) -> (bytes: Double, count: Int) {
        var src: Int32 = -1
        var best: UInt64 = 0
        for o in holders[p] where ceph.osdHosts[hostOf(o)].up {
            let r = rank(p, hostOf(o))
            if src < 0 || r > best { src = o; best = r }
        }
        var wanted: [Int32] = []
        if src >= 0 {
            for u in upSet(p) where ceph.osdHosts[u].up && !holders[p].contains(where: { hostOf($0) == u }) {
                wanted.append(osd(on: u, pg: p))
            }
        }
        var kept: [Int32] = []
        for id in pgLive[p] {
            let b = backfills[Int(id)]
            if b.src == src, wanted.contains(b.tgt), !kept.contains(where: { backfills[Int($0)].tgt == b.tgt }) {
                kept.append(id)
            } else {
                cancel(Int(id))
            }
        }
        pgLive[p] = kept
        var added = (0.0, 0)
        for tgt in wanted where !kept.contains(where: { backfills[Int($0)].tgt == tgt }) {
            let id = Int32(backfills.count)
            backfills.append(Backfill(pg: Int32(p), src: src, tgt: tgt, bytes: pgBytes, done: 0, state: .pending, flow: nil))
            pgLive[p].append(id)
            bySource[Int(src)].append(id); byTarget[Int(tgt)].append(id)
            liveBackfills += 1; liveBytes += pgBytes
            added.0 += pgBytes; added.1 += 1
        }
        refresh(p)
        return added
    }

    // MARK: events (called by CephCluster after it updated the host's state)

    /// The host's processes died: its flows stop at once (their backfills wait, progress lost,
    /// until the monitors mark it down and the PGs re-peer), and its PGs' client I/O waits
    /// until then (`refresh`).
    func hostDied(_ h: Int) {
        refreshHolders(of: h)
        var k = 0
        var freed: [Int32] = []
        while k < active.count {
            let id = Int(active[k])
            let b = backfills[id]
            guard hostOf(b.src) == h || hostOf(b.tgt) == h else { k += 1; continue }
            if let f = b.flow { network.stopFlow(f) }
            release(id)   // removes active[k]
            backfills[id].state = .pending
            bySource[Int(b.src)].append(Int32(id)); byTarget[Int(b.tgt)].append(Int32(id))
            freed.append(b.src); freed.append(b.tgt)
        }
        for o in freed { trySource(Int(o)); tryTarget(Int(o)) }
    }

    func markedDown(_ h: Int) {
        for p in 0..<pgNum where touches(p, h) { _ = replan(p) }
        pump()
    }

    /// Returns the bytes and number of backfills the marking out (of the host's OSDs from
    /// `osdsBefore` on to its `osdsOut`) added.
    func markedOut(_ h: Int, osdsBefore: Int = 0) -> (Double, Int) {
        var added = (0.0, 0)
        let out = h * perHost + osdsBefore ..< h * perHost + ceph.osdHosts[h].osdsOut
        // PGs that held a copy there or had a backfill to or from it, and degraded PGs (whose up
        // set may have named it while it was down)
        for p in 0..<pgNum where missingOf[p] > 0 || touches(p, h) {
            for o in holders[p] where out.contains(Int(o)) { heldPGs[Int(o)] -= 1 }
            holders[p].removeAll { out.contains(Int($0)) }
            let a = replan(p)
            added.0 += a.bytes; added.1 += a.count
        }
        return added
    }

    /// The host is up (and in) again: its copies count again; PGs waiting on it re-plan.
    /// A host that was out (`wasOut`) is marked in again as the monitors do for an OSD they marked
    /// out themselves (`mon_osd_auto_mark_auto_out_in`, default true: ceph/ceph
    /// src/mon/OSDMonitor.cc `prepare_boot`, src/common/options.cc). CRUSH then maps back to it
    /// every PG whose up set names it (straw2: exactly those it held before it went out), and each
    /// such PG backfills a copy to it from its primary; when that backfill is done the copy outside
    /// the up set is removed (`flowCompleted`). Returns the bytes and backfills this rebalance added.
    @discardableResult
    func hostUp(_ h: Int, wasOut: Bool = false) -> (Double, Int) {
        var added = (0.0, 0)
        for p in 0..<pgNum {
            var waiting = false
            for id in pgLive[p] where backfills[Int(id)].state == .pending { waiting = true; break }
            let remapped = wasOut && !holders[p].contains(where: { hostOf($0) == h }) && upSet(p).contains(h)
            if waiting || missingOf[p] > 0 || touches(p, h) || remapped {
                let a = replan(p)
                if remapped { added.0 += a.bytes; added.1 += a.count }
            }
        }
        pump()
        return added
    }

    // MARK: scheduling

    private func startable(_ b: Backfill) -> Bool {
        let s = ceph.osdHosts[hostOf(b.src)], t = ceph.osdHosts[hostOf(b.tgt)]
        guard s.alive && s.up && t.alive && t.up && isIn(b.tgt)
            && sourceBusy[Int(b.src)] < maxBackfills && targetBusy[Int(b.tgt)] < maxBackfills else { return false }
        // the target's remote reservation: refused when the copy would take it above backfillfull
        let tgt = Int(b.tgt)
        if Double(heldPGs[tgt]) * pgBytes + incomingBytes[tgt] + b.bytes > backfillFullBytes {
            toofullRefusals += 1
            if !toofullLogged[tgt] {
                toofullLogged[tgt] = true
                let pct = NumberFormat.decimal(100 * (Double(heldPGs[tgt]) * pgBytes + incomingBytes[tgt]) / max(1, Double(ceph.spec.osdCapacityBytes)), 1)
                ceph.log("backfillToofull", "osd.\(tgt)", "\(t.host.name): \(pct)% used; a backfill of PG \(b.pg) would pass mon_osd_backfillfull_ratio 0.90: refused, the PG waits in backfill_toofull")
            }
            return false
        }
        return true
    }

    private func start(_ id: Int) {
        if backfills[id].done == 0, backfills[id].bytes != pgBytes {
            // a fresh backfill copies the PG as it is now (client writes grew it meanwhile)
            liveBytes += pgBytes - backfills[id].bytes
            backfills[id].bytes = pgBytes
        }
        let b = backfills[id]
        backfills[id].state = .active
        if paused(Int(b.pg)) {
            // reserved (the slots are taken), its ops deferred by a flag
            backfills[id].flow = nil
            pausedBackfills += 1
        } else {
            backfills[id].flow = startFlow(id)
        }
        sourceBusy[Int(b.src)] += 1; targetBusy[Int(b.tgt)] += 1
        incomingBytes[Int(b.tgt)] += b.bytes
        active.append(Int32(id))
        peakSource = max(peakSource, sourceBusy[Int(b.src)])
        peakTarget = max(peakTarget, targetBusy[Int(b.tgt)])
        peakActive = max(peakActive, active.count)
    }

    private func startFlow(_ id: Int) -> ClusterNetwork.FlowHandle {
        let b = backfills[id]
        let hosts = ceph.osdHosts
        return network.startFlow(from: NetworkEndpoint(host: hosts[hostOf(b.src)].host.index),
                                 to: NetworkEndpoint(host: hosts[hostOf(b.tgt)].host.index),
                                 bytes: b.bytes, limits: [budget[Int(b.src)]], client: self, token: Int64(id))
    }

    /// A PG's backfill ops are deferred now: `norecover` pauses every OSD's recovery queue
    /// (OSD::activate_map -> OSDService::pause_recovery; `_recover_now` starts nothing), `nobackfill`
    /// defers every backfill and `norebalance` those of PGs that are not degraded
    /// (PrimaryLogPG::start_recovery_ops: "deferring backfill due to NOBACKFILL / NOREBALANCE").
    /// The PG keeps its reservations: the slots stay taken (ceph/ceph v14.2.16 src/osd/OSD.cc,
    /// PrimaryLogPG.cc, PG.cc `on_active_actmap`).
    func paused(_ p: Int) -> Bool {
        ceph.isSet(.norecover) || ceph.isSet(.nobackfill) || (ceph.isSet(.norebalance) && missingOf[p] == 0)
    }

    /// A flag changed (or a PG's degraded state may have): reserved backfills whose ops are now
    /// deferred stop their flow, keeping what they copied (`last_backfill`); those no longer
    /// deferred go on with what is left.
    func flagsChanged() {
        advanceWrites()
        reconcilePauses()
        pump()
    }

    private func reconcilePauses() {
        var stopped = 0, resumed = 0
        for a in active {
            let id = Int(a)
            let b = backfills[id]
            let p = paused(Int(b.pg))
            if p, let f = b.flow {
                let moved = network.transferred(f)
                network.stopFlow(f)
                backfills[id].flow = nil
                backfills[id].bytes -= moved; backfills[id].done += moved
                liveBytes -= moved; liveDone += moved
                pausedBackfills += 1; stopped += 1
            } else if !p, b.flow == nil {
                backfills[id].flow = startFlow(id)
                pausedBackfills -= 1; resumed += 1
            }
        }
        if stopped > 0 { ceph.log("backfillsDeferred", "pool", "\(stopped) running backfill(s) stop their ops and keep their reservations (\(pausedBackfills) deferred)") }
        if resumed > 0 { ceph.log("backfillsResumed", "pool", "\(resumed) deferred backfill(s) go on") }
    }

    /// Starts what the source OSD's queue can (targets with free slots), dropping stale entries.
    private func trySource(_ o: Int) { drain(source: true, o) }
    private func tryTarget(_ o: Int) { drain(source: false, o) }

    /// A PG's backfill priority now, as Ceph's `PG::get_backfill_priority` (ceph/ceph v14.2.16
    /// src/osd/PG.cc, the bases in src/osd/osd_types.h): inactive (fewer than min_size copies up,
    /// its I/O blocked) 220 + the copies missing to min_size; undersized 140 + the copies missing
    /// to size; otherwise (a PG moving to a host marked in again) 100.
    func backfillPriority(_ p: Int) -> Int {
        let up = size - Int(missingOf[p])
        if up < minSize { return 220 + (minSize - up) }
        if up < size { return 140 + (size - up) }
        return 100
    }

    /// Starts what an OSD's queue can, highest priority first and in arrival order within a
    /// priority (Ceph's AsyncReserver grants its highest-priority queue first, `do_queues`), and
    /// keeps the rest in that order. A backfill that finds a slot taken by a lower-priority one
    /// preempts it (`AsyncReserver::preempt_one`; `preempt`).
    private func drain(source: Bool, _ o: Int) {
        var q = source ? bySource[o] : byTarget[o]
        if source { bySource[o] = [] } else { byTarget[o] = [] }
        q.removeAll { backfills[Int($0)].state != .pending }
        if q.count > 1 {
            let pr = q.map { backfillPriority(Int(backfills[Int($0)].pg)) }
            let order = q.indices.sorted { pr[$0] != pr[$1] ? pr[$0] > pr[$1] : $0 < $1 }
            q = order.map { q[$0] }
        }
        var w: [Int32] = []
        w.reserveCapacity(q.count)
        for id in q {
            guard backfills[Int(id)].state == .pending else { continue }
            if startable(backfills[Int(id)]) || preempt(for: Int(id)) { start(Int(id)); continue }
            w.append(id)
        }
        // backfills preempted meanwhile were queued again behind
        if source { bySource[o] = w + bySource[o] } else { byTarget[o] = w + byTarget[o] }
    }

    /// The lowest-priority active backfill with `src` (or `tgt`) below priority `p`, the latest
    /// started among equals.
    private func victim(src: Int32? = nil, tgt: Int32? = nil, below p: Int) -> Int? {
        var best: Int?, bestP = p
        for a in active {
            let b = backfills[Int(a)]
            guard src.map({ $0 == b.src }) ?? true, tgt.map({ $0 == b.tgt }) ?? true else { continue }
            let q = backfillPriority(Int(b.pg))
            if q < bestP || (q == bestP && best != nil) { best = Int(a); bestP = q }
        }
        return best
    }

    /// A waiting backfill whose source or target slots are all taken preempts, on each full end,
    /// the lowest-priority running backfill of lower priority than its own, as the OSDs'
    /// reservers do (`AsyncReserver::do_queues` -> `preempt_one`; the preempted PG's backfill is
    /// deferred and asks again, keeping what it copied, `last_backfill`). Returns whether it can
    /// start now; preempts nothing unless it can.
    private func preempt(for id: Int) -> Bool {
        let b = backfills[id]
        let s = ceph.osdHosts[hostOf(b.src)], t = ceph.osdHosts[hostOf(b.tgt)]
        guard s.alive && s.up && t.alive && t.up && isIn(b.tgt) else { return false }
        let tgt = Int(b.tgt)
        guard Double(heldPGs[tgt]) * pgBytes + incomingBytes[tgt] + b.bytes <= backfillFullBytes else { return false }
        let p = backfillPriority(Int(b.pg))
        var victims: [Int] = []
        if sourceBusy[Int(b.src)] >= maxBackfills {
            guard let v = victim(src: b.src, below: p) else { return false }
            victims.append(v)
        }
        let freesTarget = victims.first.map { backfills[$0].tgt == b.tgt } ?? false
        if targetBusy[tgt] >= maxBackfills && !freesTarget {
            guard let v = victim(tgt: b.tgt, below: p) else { return false }
            if !victims.contains(v) { victims.append(v) }
        }
        guard !victims.isEmpty else { return false }
        for v in victims {
            let x = backfills[v]
            let moved = x.flow.map { network.transferred($0) } ?? 0
            if let f = x.flow { network.stopFlow(f) }
            release(v)
            backfills[v].state = .pending
            backfills[v].bytes -= moved; backfills[v].done += moved
            liveBytes -= moved; liveDone += moved
            bySource[Int(x.src)].append(Int32(v)); byTarget[Int(x.tgt)].append(Int32(v))
            preemptions += 1
            ceph.log("backfillPreempted", "pg \(x.pg)", "osd.\(x.src) -> osd.\(x.tgt): priority \(backfillPriority(Int(x.pg))) yields to PG \(b.pg)'s \(p) (\(NumberFormat.decimal(x.bytes - moved > 0 ? (x.bytes - moved) / 1e9 : 0, 3)) GB left)")
        }
        return sourceBusy[Int(b.src)] < maxBackfills && targetBusy[tgt] < maxBackfills
    }

    /// Starts every backfill whose OSDs have free slots (OSD order, then queue order), and ends
    /// the recovery when nothing is left.
    func pump() {
        advanceWrites()
        // a PG's degraded state may have changed under norebalance
        if ceph.isSet(.norebalance) { reconcilePauses() }
        for o in bySource.indices where !bySource[o].isEmpty { trySource(o) }
        fullnessChanged()
        checkDone()
    }

    // MARK: client writes and full OSDs

    /// Accounts the client writes since the last call: the pool grows at the write rate while it
    /// is not full (the clients pause their writes to a full pool).
    func advanceWrites() {
        let t = ceph.now
        defer { writesAt = t }
        guard writeRate > 0, !poolFull, t > writesAt else { return }
        storedBytes += writeRate * (t - writesAt).seconds
        pgBytes = storedBytes / Double(pgNum)
    }

    /// Recomputes every OSD's full state from what it holds, logs the changes in `ceph health`'s
    /// words, flags the pool full (or not), and schedules the next time an OSD's usage reaches a
    /// ratio under the client writes (no event while nothing changes).
    func fullnessChanged() {
        advanceWrites()
        let cap = Double(ceph.spec.osdCapacityBytes)
        let ratios = [Self.nearfullRatio, Self.backfillFullRatio, Self.fullRatio]
        var changed = false
        for o in fullState.indices {
            let h = ceph.osdHosts[hostOf(Int32(o))]
            var st: UInt8 = 0
            if h.up && isIn(Int32(o)) {
                let r = Double(heldPGs[o]) * pgBytes / cap
                for k in ratios.indices.reversed() where r >= ratios[k] { st = UInt8(k + 1); break }
            }
            guard st != fullState[o] else { continue }
            let was = fullState[o]
            fullState[o] = st
            changed = true
            guard h.up else { continue }
            let pct = NumberFormat.decimal(100 * Double(heldPGs[o]) * pgBytes / cap, 1)
            let names = ["below mon_osd_nearfull_ratio 0.85", "near full (mon_osd_nearfull_ratio 0.85)", "backfillfull (mon_osd_backfillfull_ratio 0.90: refuses backfills)", "full (mon_osd_full_ratio 0.95)"]
            ceph.log(st > was ? "osdFilling" : "osdFreed", "osd.\(o)", "\(h.host.name): \(pct)% used: \(names[Int(st)])")
        }
        if changed {
            let full = fullState.contains(3)
            if full != poolFull {
                poolFull = full
                ceph.log(full ? "poolFull" : "poolNotFull", "pool", full
                    ? "an up and in OSD of the pool is above mon_osd_full_ratio 0.95: the pool is flagged full, clients pause their writes (reads go on); \(healthSummary)"
                    : "no OSD of the pool is full: clients resend their writes; \(healthSummary)")
                ceph.clients?.setPoolFull(full)
            }
        }
        scheduleNextFill()
    }

    /// `ceph health` for the full states: OSD_FULL (HEALTH_ERR), OSD_BACKFILLFULL, OSD_NEARFULL
    /// (HEALTH_WARN) and POOL_FULL (OSDMap::check_health).
    public var healthSummary: String {
        var n = [0, 0, 0, 0]
        for s in fullState { n[Int(s)] += 1 }
        var parts: [String] = []
        if n[3] > 0 { parts.append("OSD_FULL: \(n[3]) full osd(s)") }
        if n[2] > 0 { parts.append("OSD_BACKFILLFULL: \(n[2]) backfillfull osd(s)") }
        if n[1] > 0 { parts.append("OSD_NEARFULL: \(n[1]) nearfull osd(s)") }
        if poolFull { parts.append("POOL_FULL: 1 pool(s) full") }
        guard !parts.isEmpty else { return "no full OSD" }
        return (n[3] > 0 ? "HEALTH_ERR " : "HEALTH_WARN ") + parts.joined(separator: "; ")
    }

    /// The next instant an up and in OSD's usage reaches its next ratio under the client writes.
    private func scheduleNextFill() {
        guard writeRate > 0, !poolFull else { return }
        let cap = Double(ceph.spec.osdCapacityBytes)
        let ratios = [Self.nearfullRatio, Self.backfillFullRatio, Self.fullRatio]
        var best = Double.infinity
        for o in fullState.indices where heldPGs[o] > 0 && fullState[o] < 3 {
            guard ceph.osdHosts[hostOf(Int32(o))].up, isIn(Int32(o)) else { continue }
            let need = ratios[Int(fullState[o])] * cap * Double(pgNum) / Double(heldPGs[o])
            best = min(best, max(0, (need - storedBytes) / writeRate))
        }
        guard best.isFinite else { return }
        ceph.scheduleFillCheck(after: SimDuration(nanoseconds: Int64((best * 1e9).rounded(.up)) + 1))
    }

    private func checkDone() {
        if liveBackfills == 0 { ceph.flowRecoveryFinished(stillDegradedPGs: missingOf.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }) }
    }

    public func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double) {
        let id = Int(token)
        guard id < backfills.count, backfills[id].state == .active, backfills[id].flow == flow else { return }
        let b = backfills[id]
        release(id)
        backfills[id].state = .done
        backfillsCompleted += 1
        let p = Int(b.pg)
        pgLive[p].removeAll { $0 == Int32(id) }
        liveBackfills -= 1; liveBytes -= b.bytes; liveDone -= b.done
        holders[p].append(b.tgt)
        heldPGs[Int(b.tgt)] += 1
        if holders[p].count > size && pgLive[p].isEmpty {
            // clean: copies outside the up set are removed
            let up = upSet(p)
            for o in holders[p] where !up.contains(hostOf(o)) { heldPGs[Int(o)] -= 1 }
            holders[p].removeAll { !up.contains(hostOf($0)) }
        }
        refresh(p)
        advanceWrites()
        trySource(Int(b.src))
        tryTarget(Int(b.tgt))
        fullnessChanged()
        checkDone()
    }
}
