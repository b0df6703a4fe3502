import SimKernel

// The data plane's HAProxy backend states, one per instance, configuration generation and backend,
// made when a request (or fluid step) first enters them. A reloaded HAProxy's old process keeps
// its connections and queue until they drain; a backend state nothing can reach any more (an older
// generation than its instance runs, no connection, queued or entered request, not the newest of
// its name, which a later generation's check state would come from, and not a generation lb.csv
// still reads for a frontend) is released, its slot reused: memory follows apps, not reloads.
// Task and host changes are shown only to the live backends (`live`), not to every one ever made.

/// The backends of every instance, generation and backend index, shared by the services that
/// enter through the same frontend.
final class HAProxyTable {
    struct Key: Hashable { var instance: Int; var generation: Int; var backend: Int }
    let control: HAProxyControl
    let checkStream: RandomStream
    private var index: [Key: Int32] = [:]
    /// By slot: a released slot holds `released` until a new backend state takes it.
    private(set) var backends: [HAProxyBackendState] = []
    private(set) var keys: [Key] = []
    private var freeSlots: [Int32] = []
    private let released = HAProxyBackendState()
    /// `timeout queue` expiries of the backend states released.
    private(set) var releasedQueueTimeouts = 0
    /// The backends a task or host change must be shown to (`haproxyObserveChecks`): a superset
    /// of those of each instance's current generation and those still holding connections or a
    /// queue. One that is neither leaves at the next walk and comes back when it gets work.
    private(set) var live: [Int32] = []
    private var listed: [Bool] = []
    /// Backends that left `live` but could not be released yet (see `releasable`).
    /// In the order they were put aside (a list through the slots: `asideSeq`, -1 for a slot not
    /// aside, `asideNext`, `asidePrev`), and those whose release or relisting is due (`dueAside`).
    private var asideSeq: [Int] = [], asideNext: [Int32] = [], asidePrev: [Int32] = []
    private var asideHead: Int32 = -1, asideTail: Int32 = -1, asideCount = 0, nextAsideSeq = 0
    private var dueAside: [Int32] = []
    /// Per instance: the frontends of the generation it runs by name (the first of a name), kept
    /// as values: a lookup for the running generation reads no configuration (every fluid step
    /// looks up its frontend in every instance it enters).
    private var frontendIndex: [(generation: Int, byName: [String: HAProxyFrontend], defaults: HAProxyDefaults)?]
    /// Per instance: the sessions of its frontends by name (stats), reset on a new generation.
    var stats: [HAProxyInstanceStats]
    /// Fluid mode, per service: the instances its last full step entered, and for each the
    /// generation it ran when its frontend's stats slot was last looked up, and that slot.
    var fluidEntered: [[Int]] = []
    var fluidStatsSlots: [[(generation: Int, slot: Int)]] = []
    /// Fluid mode: per instance, its latest reload gap as the data plane found it (HAProxyFluid.swift);
    /// per service, the time up to which its reload gaps were accounted.
    var fluidGaps: [Range<SimTime>?]
    var fluidGapDone: [SimTime] = []
    /// Fluid mode: per task, the requests waiting for it in HAProxy's backend queues (lb.csv qcur),
    /// and its backlog as cohorts in arrival order (the tick they arrived in, how many).
    var fluidQueued: [TaskID: Double] = [:]
    var fluidCohorts: [TaskID: [(born: SimTime, n: Double)]] = [:]
    /// The connection limit a task's backlog met (an old generation keeps its connections while it drains).
    var fluidLimit: [TaskID: Double] = [:]
    init(control: HAProxyControl, checkStream: RandomStream) {
        self.control = control; self.checkStream = checkStream
        stats = control.haproxyInstances.map { _ in HAProxyInstanceStats() }
        fluidGaps = control.haproxyInstances.map { _ in nil }
        frontendIndex = control.haproxyInstances.map { _ in nil }
        prunedGeneration = control.haproxyInstances.map { _ in 0 }
    }

    /// The configurations of the generations the stats pages still show (lb.csv reads their
    /// backends after marathon-lb may have let them go: `MarathonLB.keepHistory`).
    private var shownConfigs: [ConfigKey: HAProxyConfiguration] = [:]
    private struct ConfigKey: Hashable { var instance: Int; var generation: Int }

    func configuration(_ i: Int, generation g: Int) -> HAProxyConfiguration {
        shownConfigs[ConfigKey(instance: i, generation: g)] ?? control.haproxyConfiguration(i, generation: g)
    }

    /// `stats[i].slot`, keeping the configuration of each generation a frontend shows.
    func slot(_ i: Int, _ name: String, generation g: Int) -> Int {
        let k = stats[i].slot(name, generation: g)
        let key = ConfigKey(instance: i, generation: g)
        if shownConfigs[key] == nil { shownConfigs[key] = control.haproxyConfiguration(i, generation: g) }
        if !stats[i].unshown.isEmpty {
            for old in stats[i].unshown where !stats[i].reads(generation: old) {
                // its backend states kept aside may go now
                let c = configuration(i, generation: old)
                for bi in c.backends.indices { if let s = index[Key(instance: i, generation: old, backend: bi)] { noteAside(s) } }
                shownConfigs[ConfigKey(instance: i, generation: old)] = nil
            }
            stats[i].unshown.removeAll(keepingCapacity: true)
        }
        return k
    }

    /// The frontend named `name` in instance `i`'s generation `g` (indexed for the generation an
    /// instance runs: every service looks its frontend up at every entry).
    func frontend(_ name: String, instance i: Int, generation g: Int) -> HAProxyFrontend? {
        guard i >= 0, i < frontendIndex.count, g == control.haproxyGeneration(i) else {
            return configuration(i, generation: g).frontends.first { $0.name == name }
        }
        if let x = frontendIndex[i], x.generation == g { return x.byName[name] }
        // the running generation's configuration does not change while it runs
        var byName: [String: HAProxyFrontend] = [:]
        let c = configuration(i, generation: g)
        for f in c.frontends where byName[f.name] == nil { byName[f.name] = f }
        frontendIndex[i] = (g, byName, c.defaults)
        return byName[name]
    }

    /// The `global`/`defaults` settings of instance `i`'s generation `g`.
    func defaults(instance i: Int, generation g: Int) -> HAProxyDefaults {
        if i >= 0, i < frontendIndex.count, let x = frontendIndex[i], x.generation == g { return x.defaults }
        return configuration(i, generation: g).defaults
    }

    // MARK: the listening sockets of full frontends (per-request mode)

    /// A frontend at its `maxconn` (or its process at the `global` one) stops accepting: HAProxy
    /// disables the listener (src/listener.c `limit_listener`) and new connections wait in the
    /// kernel's accept queue of its socket, which holds `min(backlog, somaxconn)`; beyond that the
    /// kernel drops the SYN (net/ipv4/tcp_input.c `tcp_conn_request`: `sk_acceptq_is_full` → drop,
    /// counted in TcpExtListenOverflows and ListenDrops) and the client retransmits it. No 503:
    /// HAProxy never saw the connection (its stats show scur at slim, nothing in ereq or dreq).
    struct ListenKey: Hashable { var instance: Int; var frontend: String }
    struct ListenQueue { var generation: Int; var slots: [Int32] = []; var head = 0; var count: Int { slots.count - head } }
    private(set) var listen: [ListenKey: ListenQueue] = [:]
    /// Per instance: the frontends that had an accept queue, in the order they first had one.
    private(set) var listenNames: [[String]] = []
    /// Connections that met a full accept queue (their SYN was dropped: the kernel's ListenDrops).
    private(set) var listenDrops = 0
    /// Connections reset in the accept queue of a process that closed its listeners at a reload.
    var listenResets = 0
    /// Fluid mode: SYNs dropped at full accept queues, and connections reset in them at reloads.
    var fluidSynDrops = 0.0
    var fluidListenResets = 0.0

    /// Whether frontend `name` of instance `i`'s process `g` is at its `maxconn` or the process at its global one.
    func frontendFull(_ i: Int, _ name: String, generation g: Int) -> Bool {
        let d = defaults(instance: i, generation: g)
        return stats[i].sessions(name, generation: g) >= d.maxconn || stats[i].processSessions(generation: g) >= d.globalMaxconn
    }

    /// Connections waiting in the accept queue of frontend `name` of instance `i` (those of generation `g`).
    func listening(_ i: Int, _ name: String, generation g: Int) -> Int {
        guard let q = listen[ListenKey(instance: i, frontend: name)], q.generation == g else { return 0 }
        return q.count
    }

    /// Whether the accept queue of frontend `name` of instance `i`'s process `g` has room.
    func listenRoom(_ i: Int, _ name: String, generation g: Int) -> Bool {
        listening(i, name, generation: g) < defaults(instance: i, generation: g).acceptQueue
    }
    func noteListenDrop() { listenDrops += 1 }

    /// Puts a connection in the accept queue (`listenRoom` said it has room).
    func listenPush(_ i: Int, _ name: String, generation g: Int, _ slot: Int32) {
        let k = ListenKey(instance: i, frontend: name)
        var q = listen[k] ?? ListenQueue(generation: g)
        if q.generation != g { q = ListenQueue(generation: g) }
        if listen[k] == nil {
            while listenNames.count <= i { listenNames.append([]) }
            if !listenNames[i].contains(name) { listenNames[i].append(name) }
        }
        q.slots.append(slot)
        listen[k] = q
    }

    /// The connection at the head of the accept queue (generation `g`'s), when there is one.
    func listenPop(_ i: Int, _ name: String, generation g: Int) -> Int32? {
        let k = ListenKey(instance: i, frontend: name)
        guard var q = listen[k], q.generation == g, q.count > 0 else { return nil }
        let s = q.slots[q.head]
        q.head += 1
        if q.head == q.slots.count { q.slots.removeAll(keepingCapacity: true); q.head = 0 }
        listen[k] = q
        return s
    }

    /// Instance `i` runs a new process (generation `g`): the accept queues of its older processes,
    /// in the order their frontends first had one. `keep`: the sockets pass to the new process (the
    /// connections stay, now its); otherwise they are taken out (the old process closed its
    /// listeners: the kernel resets them) and returned.
    func listenReloaded(_ i: Int, generation g: Int, keep: Bool) -> [(frontend: String, slots: [Int32])] {
        guard i < listenNames.count else { return [] }
        var out: [(String, [Int32])] = []
        for name in listenNames[i] {
            let k = ListenKey(instance: i, frontend: name)
            guard var q = listen[k], q.generation < g else { continue }
            q.generation = g
            if keep { listen[k] = q; out.append((name, [])); continue }
            out.append((name, Array(q.slots[q.head...])))
            listen[k] = ListenQueue(generation: g)
        }
        return out
    }

    /// The host of instance `i` went down: its accept queues' connections are gone (returned).
    func listenLost(_ i: Int) -> [Int32] {
        guard i < listenNames.count else { return [] }
        var out: [Int32] = []
        for name in listenNames[i] {
            let k = ListenKey(instance: i, frontend: name)
            guard let q = listen[k] else { continue }
            out += q.slots[q.head...]
            listen[k] = ListenQueue(generation: q.generation)
        }
        return out
    }

    func backend(instance: Int, generation: Int, backend: Int, now: SimTime) -> Int32? {
        let k = Key(instance: instance, generation: generation, backend: backend)
        if let i = index[k] { return i }
        let c = configuration(instance, generation: generation)
        guard backend >= 0, backend < c.backends.count else { return nil }
        let state = HAProxyBackendState(c.backends[backend], defaults: c.defaults, stream: checkStream, createdAt: now)
        if instance >= 0 && instance < control.haproxyInstances.count { state.lbHost = control.haproxyInstances[instance].host }
        state.shrunk = liveMark
        // marathon-lb's reload saves `show servers state` and the new process loads it
        // (`load-server-state-from-file global`): a server keeps its check state by name
        let named = NameKey(instance: instance, backend: c.backends[backend].name)
        var older: Int32?
        if let prev = latest[named], keys[Int(prev)].generation < generation {
            state.inherit(from: backends[Int(prev)])
            older = prev
        }
        let i: Int32
        if let f = freeSlots.popLast() {
            i = f
            backends[Int(i)] = state; keys[Int(i)] = k; listed[Int(i)] = true
        } else {
            i = Int32(backends.count)
            backends.append(state); keys.append(k); listed.append(true)
            asideSeq.append(-1); asideNext.append(-1); asidePrev.append(-1)
        }
        if (latest[named].map { keys[Int($0)].generation < generation }) ?? true {
            if let o = latest[named] { backends[Int(o)].newest = false; noteAside(o) }
            latest[named] = i; state.newest = true
        }
        index[k] = i
        live.append(i)
        // the first state of a new generation: the older ones that hold nothing leave the live list
        // (released if nothing else reaches them), as a walk would drop them, without observing.
        // When none can have stopped being live since the last such walk (no generation moved, no
        // connection or queue shrank), the walk would keep every one: only the backends kept aside
        // are looked at (a round of reloads makes a first state per instance: a walk through every
        // instance's backends for each was the square of the instances)
        if instance >= 0 && instance < prunedGeneration.count && generation > prunedGeneration[instance] {
            prunedGeneration[instance] = generation
            if liveUnchanged {
                sweepRetiring()
            } else {
                pruneWalked &+= live.count
                walkLive { k, _ in k == i || isLive(k) }
            }
        }
        if !isLive(i) { liveMark.dirty = true }
        // the one it inherited from is no longer the newest of its name: maybe nothing reaches it now
        if let o = older { retire(o) }
        return i
    }
    /// Per instance: the newest generation whose first backend state pruned the live list.
    private var prunedGeneration: [Int]
    private struct NameKey: Hashable { var instance: Int; var backend: String }
    private var latest: [NameKey: Int32] = [:]
    subscript(_ i: Int32) -> HAProxyBackendState { backends[Int(i)] }

    // MARK: live and released backends

    /// Backend `i` got a connection, a queued request or an entered request: it is shown task and
    /// host changes again.
    func relist(_ i: Int32) {
        guard !listed[Int(i)] else { return }
        listed[Int(i)] = true
        backends[Int(i)].fullVisit = true   // walks passed it over: the next looks at every server
        live.append(i)
        if !isLive(i) { liveMark.dirty = true }
        noteAside(i)   // kept aside: the sweep drops it from there
    }

    /// Set when a backend of `live` may have stopped being live (its connections or queue shrank,
    /// or one not live was listed); cleared when a walk that drops those that are not begins
    /// (`walkLive`), with the generations activated then: what shrinks during the walk (a check
    /// observed on the way frees a connection) sets it again.
    private let liveMark = HAProxyLiveMark()
    private var walkedAtGenerations: Int?

    /// Whether every backend of `live` is live as the last walk left it: nothing shrank, no
    /// generation moved since (when the control counts them).
    private var liveUnchanged: Bool {
        guard !liveMark.dirty, let g = control.haproxyGenerationsActivated else { return false }
        return g == walkedAtGenerations
    }

    /// Whether backend `i` is of its instance's current generation or holds connections or a queue.
    func isLive(_ i: Int32) -> Bool {
        let b = backends[Int(i)], k = keys[Int(i)]
        return k.generation == control.haproxyGeneration(k.instance) || b.active > 0 || b.queued > 0
    }

    /// Walks the live backends, keeping those `keep` holds live; the others are released when
    /// nothing can reach them any more, else kept aside until then. `keep` holds none that is not
    /// live (`isLive`; both callers), so the walk leaves only live ones.
    func walkLive(_ keep: (Int32, HAProxyBackendState) -> Bool) {
        walked &+= live.count
        liveMark.dirty = false
        walkedAtGenerations = control.haproxyGenerationsActivated
        var w = 0
        for r in live.indices {
            let i = live[r]
            if keep(i, backends[Int(i)]) { live[w] = i; w += 1 } else { listed[Int(i)] = false; retire(i) }
        }
        live.removeLast(live.count - w)
        sweepRetiring()
    }

    /// Whether nothing can reach backend `i` again: an older generation than its instance runs (a
    /// generation never comes back), no connection, queue or entered request, not the newest of
    /// its name, and no frontend of lb.csv reading its generation.
    private func releasable(_ i: Int32) -> Bool {
        let b = backends[Int(i)], k = keys[Int(i)]
        guard b !== released else { return false }
        return k.generation < control.haproxyGeneration(k.instance) && b.active == 0 && b.queued == 0 && b.holders == 0
            && !b.newest && !(k.instance < stats.count && stats[k.instance].reads(generation: k.generation))
    }

    /// Releases backend `i` if nothing reaches it, else keeps it aside (unless it is live or
    /// already aside: only the sweep releases those, so no slot is listed aside twice).
    func retire(_ i: Int32) {
        let b = backends[Int(i)]
        guard b !== released, !listed[Int(i)], !b.aside else { return }
        if releasable(i) { release(i) } else { b.aside = true; linkAside(i) }
    }

    /// The backends kept aside: released once nothing reaches them, dropped when live again, in
    /// the order they were put aside. A backend kept aside is of an older generation than its
    /// instance runs (a walk drops only those), so a reload does not make it releasable: only a
    /// connection, queue or entered request ending (`liveMark.sweep`: every one is looked at), a
    /// newer state of its name, lb.csv no longer reading its generation or its relisting (those
    /// are noted: `noteAside`, and only they are looked at). Looking at every one at each sweep
    /// was the square of the instances: a round of reloads makes a first state per instance, and
    /// each swept every instance's backends kept aside.
    private func sweepRetiring() {
        guard asideCount > 0 else { dueAside.removeAll(keepingCapacity: true); return }
        if liveMark.sweep {
            liveMark.sweep = false
            dueAside.removeAll(keepingCapacity: true)
            swept &+= asideCount
            var i = asideHead
            while i >= 0 { let next = asideNext[Int(i)]; sweepAside(i); i = next }
        } else if !dueAside.isEmpty {
            dueAside.sort { asideSeq[Int($0)] < asideSeq[Int($1)] }
            var last: Int32 = -1
            for i in dueAside where i != last && asideSeq[Int(i)] >= 0 { swept &+= 1; sweepAside(i); last = i }
            dueAside.removeAll(keepingCapacity: true)
        }
    }

    /// One backend kept aside: relisted, it leaves the list; released when nothing reaches it.
    private func sweepAside(_ i: Int32) {
        if listed[Int(i)] { backends[Int(i)].aside = false; unlinkAside(i); return }
        if releasable(i) { unlinkAside(i); release(i) }
    }

    /// Backend `i`, if kept aside, is looked at by the next sweep.
    private func noteAside(_ i: Int32) { if asideSeq[Int(i)] >= 0 { dueAside.append(i) } }

    private func linkAside(_ i: Int32) {
        asideSeq[Int(i)] = nextAsideSeq; nextAsideSeq += 1
        asidePrev[Int(i)] = asideTail; asideNext[Int(i)] = -1
        if asideTail >= 0 { asideNext[Int(asideTail)] = i } else { asideHead = i }
        asideTail = i; asideCount += 1
    }

    private func unlinkAside(_ i: Int32) {
        let p = asidePrev[Int(i)], n = asideNext[Int(i)]
        if p >= 0 { asideNext[Int(p)] = n } else { asideHead = n }
        if n >= 0 { asidePrev[Int(n)] = p } else { asideTail = p }
        asideSeq[Int(i)] = -1; asideNext[Int(i)] = -1; asidePrev[Int(i)] = -1
        asideCount -= 1
    }

    private func release(_ i: Int32) {
        releasedQueueTimeouts += backends[Int(i)].queueTimeouts
        index[keys[Int(i)]] = nil
        backends[Int(i)] = released
        freeSlots.append(i)
    }

    /// Live backends the walks went through, in all, and those of them the walks at a new
    /// generation's first state went through (work counted by the tests).
    private(set) var walked = 0
    private(set) var pruneWalked = 0
    /// Backends kept aside the sweeps looked at, in all (work counted by the tests).
    private(set) var swept = 0

    /// Backend states in use (not released).
    var backendsInUse: Int { backends.count - freeSlots.count }
}
