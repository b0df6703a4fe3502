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
    private var retiring: [Int32] = []
    /// Per instance: the frontends of the generation it runs by name (the first of a name).
    private var frontendIndex: [(generation: Int, byName: [String: Int])?]
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
            for old in stats[i].unshown where !stats[i].reads(generation: old) { shownConfigs[ConfigKey(instance: i, generation: old)] = nil }
            stats[i].unshown.removeAll(keepingCapacity: true)
        }
        return k
    }

    /// The frontend named `name` in instance `i`'s generation `g` (indexed for the generation an
    /// instance runs: every service looks its frontend up at every entry).
    func frontend(_ name: String, instance i: Int, generation g: Int) -> HAProxyFrontend? {
        let c = configuration(i, generation: g)
        guard i >= 0, i < frontendIndex.count, g == control.haproxyGeneration(i) else { return c.frontends.first { $0.name == name } }
        if frontendIndex[i]?.generation != g {
            var byName: [String: Int] = [:]
            for (k, f) in c.frontends.enumerated() where byName[f.name] == nil { byName[f.name] = k }
            frontendIndex[i] = (g, byName)
        }
        return frontendIndex[i]?.byName[name].map { c.frontends[$0] }
    }

    func backend(instance: Int, generation: Int, backend: Int) -> Int32? {
        let k = Key(instance: instance, generation: generation, backend: backend)
        if let i = index[k] { return i }
        let c = configuration(instance, generation: generation)
        guard backend >= 0, backend < c.backends.count else { return nil }
        let state = HAProxyBackendState(c.backends[backend], defaults: c.defaults, stream: checkStream)
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
        }
        if (latest[named].map { keys[Int($0)].generation < generation }) ?? true {
            if let o = latest[named] { backends[Int(o)].newest = false }
            latest[named] = i; state.newest = true
        }
        index[k] = i
        live.append(i)
        // the first state of a new generation: the older ones that hold nothing leave the live list
        // (released if nothing else reaches them), as a walk would drop them, without observing
        if instance >= 0 && instance < prunedGeneration.count && generation > prunedGeneration[instance] {
            prunedGeneration[instance] = generation
            walkLive { k, _ in k == i || isLive(k) }
        }
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
    }

    /// Whether backend `i` is of its instance's current generation or holds connections or a queue.
    func isLive(_ i: Int32) -> Bool {
        let b = backends[Int(i)], k = keys[Int(i)]
        return k.generation == control.haproxyGeneration(k.instance) || b.active > 0 || b.queued > 0
    }

    /// Walks the live backends, keeping those `keep` holds live; the others are released when
    /// nothing can reach them any more, else kept aside until then.
    func walkLive(_ keep: (Int32, HAProxyBackendState) -> Bool) {
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
        if releasable(i) { release(i) } else { b.aside = true; retiring.append(i) }
    }

    /// The backends kept aside: released once nothing reaches them, dropped when live again.
    private func sweepRetiring() {
        guard !retiring.isEmpty else { return }
        var w = 0
        for r in retiring.indices {
            let i = retiring[r], b = backends[Int(i)]
            if listed[Int(i)] { b.aside = false; continue }
            if releasable(i) { release(i) } else { retiring[w] = i; w += 1 }
        }
        retiring.removeLast(retiring.count - w)
    }

    private func release(_ i: Int32) {
        releasedQueueTimeouts += backends[Int(i)].queueTimeouts
        index[keys[Int(i)]] = nil
        backends[Int(i)] = released
        freeSlots.append(i)
    }

    /// Backend states in use (not released).
    var backendsInUse: Int { backends.count - freeSlots.count }
}
