import SimKernel

// Image downloads of plain pulls from `mesos.registry` (Harbor's pulls are flows of its own,
// HarborRegistries.swift). One download is one TCP stream: at most the registry's per-stream
// rate (`mesos.registry.bandwidth`) and a Ceph-backed registry's client read rate. The downloads
// running at once share what they cross by max-min fairness: the host's NIC (`nic`) and, when set,
// the registry's total serving rate (`mesos.registry.capacity`, over every host). dockerd runs at
// most `--max-concurrent-downloads` of them at once per daemon (`storage…maxConcurrentDownloads`,
// moby/moby distribution/xfer/transfer.go `concurrencyLimit`); the others wait first come, first
// served and start when a running one ends.
//
// The sharing is computed in two levels, which is exact max-min for this topology (every download
// crosses its host's NIC and the one registry). On its host a download gets u = min(its bound, the
// host's water level) (MaxMinSharing over the NIC alone: a host's downloads form their own small
// component). With the registry's capacity C, progressive filling freezes every download still
// rising at the registry's level L, where Σ min(u, L) = C (L = ∞ when Σ u ≤ C): the rate is
// min(u, L). The downloads with u > L all run at L, so they keep no event each: they progress on
// one virtual clock V (bits per download, dV/dt = L) toward their targets in V, kept in a heap, with
// one event for the first to end. A start or an end re-shares its host (O(downloads on the host)),
// recomputes L (O(distinct u values)) and moves only the downloads whose u crossed L; a mass deploy
// through one registry costs O(log n) per change, not O(n) (bench: `clustersim-bench pulls`).

/// What an agent's Docker daemon is doing about an image.
enum AgentPull {
    /// Downloading (or extracting): download `index` of `MesosCluster.downloads`.
    case downloading(Int)
    /// Pulled at this time; the first task that starts a container from it registers the image.
    case done(SimTime)
}

struct ImageDownload {
    var agent: Int
    var image: ImageRef
    /// Bits still to move, as of `since`.
    var bitsLeft: Double
    /// Bits per second since `since` (0 before it starts).
    var rate: Double = 0
    var since: SimTime
    /// The stream's own cap: registry per-stream rate, NIC, Ceph client read rate (bits per second).
    var bound: Double
    var flow: MaxMinSharing.FlowID = -1
    /// The pending event: the download's end, then the extraction's end.
    var event: EventID?
    var queuedAt: SimTime
    var startedAt: SimTime?
    var downloadedAt: SimTime?
    var extract: SimDuration
    /// Packed tasks (`MesosCluster.pack2`) that start their container when the pull is done.
    var waiters: [Int64]
    var generation: Int32 = 0
    /// Its rate on its own host (bits per second; -1 while not running).
    var u: Double = -1
    /// Running at the registry's level on the virtual clock (then `target` holds, not `bitsLeft`).
    var atRegistryLevel = false
    var target: Double = 0
    /// Its place among the downloads of its u in `RegistryLevel`.
    var levelSlot = -1
}

/// The downloads in flight and what they share.
struct ImageDownloads {
    let sharing = MaxMinSharing()
    /// The NIC resource of each agent's host (-1 until its first download).
    var nic: [MaxMinSharing.ResourceID]
    /// The registry's level over the running downloads' host rates (nil: no capacity set).
    var registry: RegistryLevel?
    /// The registry-level downloads: the virtual clock, when it was last advanced, their targets.
    var clock: Double = 0
    var clockTime = SimTime.zero
    var atLevel = IndexedMinHeap()
    /// The event of the first registry-level download to end.
    var levelEvent: EventID?
    var levelGeneration: Int32 = 0
    /// Slots of `list` hold nil when free.
    var list: [ImageDownload?] = []
    var freeSlots: [Int] = []
    /// Flow id to download index.
    var owner: [Int] = []
    /// Per agent: downloads holding one of the daemon's slots, and those waiting for one (FIFO).
    var running: [Int]
    var waiting: [[Int]]
    /// Per agent: every live download (running, waiting or extracting), in creation order.
    var ofAgent: [[Int]]

    init(agents: Int, registryCapacity: Int64?) {
        nic = Array(repeating: -1, count: agents)
        running = Array(repeating: 0, count: agents)
        waiting = Array(repeating: [], count: agents)
        ofAgent = Array(repeating: [], count: agents)
        registry = registryCapacity.map { RegistryLevel(capacity: Double($0)) }
    }
}

extension MesosCluster {
    /// Starts (or queues for a daemon slot) the download of `img` to agent `a` for task `waiter`.
    /// `bound`: the stream's own cap in bits per second. Returns the download's index.
    func beginDownload(agent a: Int, image img: ImageRef, bound: Double, extract: SimDuration, waiter: Int64) -> Int {
        let x = ImageDownload(agent: a, image: img, bitsLeft: Double(img.sizeBytes) * 8, since: now, bound: bound,
                              queuedAt: now, extract: extract, waiters: [waiter])
        let d: Int
        if let s = downloads.freeSlots.popLast() { d = s; downloads.list[d] = x } else { d = downloads.list.count; downloads.list.append(x) }
        downloads.ofAgent[a].append(d)
        let slots = containerStorage.downloadSlots(host: agents[a].host.index)
        if let n = slots, downloads.running[a] >= n {
            downloads.waiting[a].append(d)
            log("imagePull", agents[a].name, "\(img.name) \(img.sizeBytes) bytes, waiting for one of the daemon's \(n) download slots")
        } else {
            log("imagePull", agents[a].name, "\(img.name) \(img.sizeBytes) bytes")
            startDownload(d)
        }
        return d
    }

    private func startDownload(_ d: Int) {
        guard var x = downloads.list[d] else { return }
        let a = x.agent
        downloads.running[a] += 1
        if downloads.nic[a] < 0 { downloads.nic[a] = downloads.sharing.addResource(capacity: Double(max(1, agents[a].host.nicBitsPerSecond))) }
        x.flow = downloads.sharing.addFlow(route: [downloads.nic[a]], coefficients: [1], bound: x.bound)
        x.startedAt = now
        x.since = now
        downloads.list[d] = x
        let f = Int(x.flow)
        if downloads.owner.count <= f { downloads.owner.append(contentsOf: repeatElement(-1, count: f + 1 - downloads.owner.count)) }
        downloads.owner[f] = d
        advanceLevelClock()
        downloads.sharing.reshare(from: x.flow)
        reshareDownloads()
    }

    // The registry level is moved out while it updates the downloads' slots (no overlapping access,
    // no copy of its arrays).
    private func levelInsert(_ u: Double, _ d: Int) {
        guard var r = downloads.registry else { return }
        downloads.registry = nil
        r.insert(u, d, &downloads.list)
        downloads.registry = r
    }

    private func levelRemove(_ u: Double, _ d: Int) {
        guard var r = downloads.registry else { return }
        downloads.registry = nil
        r.remove(u, d, &downloads.list)
        downloads.registry = r
    }

    /// Brings the registry level's virtual clock to now.
    private func advanceLevelClock() {
        if let r = downloads.registry, !downloads.atLevel.isEmpty {
            downloads.clock += r.level * (now - downloads.clockTime).seconds
        }
        downloads.clockTime = now
    }

    /// After the host's re-share (`sharing.lastComponent`: its downloads' new host rates): the new
    /// registry level, and every download whose rate changed gets its progress so far and a new end.
    private func reshareDownloads() {
        let oldLevel = downloads.registry?.level ?? .infinity
        var touched: [Int] = []
        for f in downloads.sharing.lastComponent {
            let d = downloads.owner[Int(f)]
            guard d >= 0, let x = downloads.list[d] else { continue }
            let u = downloads.sharing.rate[Int(f)]
            if u == x.u { continue }
            if x.u >= 0 { levelRemove(x.u, d) }
            levelInsert(u, d)
            downloads.list[d]!.u = u
            touched.append(d)
        }
        let level = downloads.registry?.recompute() ?? .infinity
        // the downloads whose u lies between the old and the new level change sides
        if level != oldLevel, let r = downloads.registry {
            touched.append(contentsOf: r.members(between: min(level, oldLevel), and: max(level, oldLevel)))
        }
        for d in touched { settle(d, level: level) }
        scheduleLevelEvent(level)
    }

    /// Puts download `d` on the side its host rate and the level give it, with its progress so far.
    private func settle(_ d: Int, level: Double) {
        guard var x = downloads.list[d], x.flow >= 0 else { return }
        let atLevel = x.u > level
        if x.atRegistryLevel {
            if atLevel { return }
            x.bitsLeft = max(0, x.target - downloads.clock)
            downloads.atLevel.remove(d)
            x.atRegistryLevel = false
            x.rate = 0
            x.since = now
        } else {
            x.bitsLeft = max(0, x.bitsLeft - x.rate * (now - x.since).seconds)
            x.since = now
            if atLevel {
                if let e = x.event { model.sim.cancel(e); x.event = nil }
                x.atRegistryLevel = true
                x.rate = 0
                x.target = downloads.clock + x.bitsLeft
                downloads.list[d] = x
                downloads.atLevel.insert(d, key: x.target)
                return
            }
            if x.rate == x.u && x.event != nil { downloads.list[d] = x; return }
        }
        x.rate = x.u
        if let e = x.event { model.sim.cancel(e) }
        x.generation &+= 1
        x.event = model.sim.schedule(after: SimDuration.fromSeconds(x.bitsLeft / max(x.rate, 1)), target: target,
                                     kind: Kind.downloadDone.rawValue, arg: IndexGeneration.pack(d, x.generation))
        downloads.list[d] = x
    }

    /// One event for the registry-level download that ends first.
    private func scheduleLevelEvent(_ level: Double) {
        if let e = downloads.levelEvent { model.sim.cancel(e); downloads.levelEvent = nil }
        guard let (d, t) = downloads.atLevel.min, level.isFinite else { return }
        downloads.levelGeneration &+= 1
        let left = max(0, t - downloads.clock)
        downloads.levelEvent = model.sim.schedule(after: SimDuration.fromSeconds(left / max(level, 1)), target: target,
                                                  kind: Kind.levelDone.rawValue, arg: IndexGeneration.pack(d, downloads.levelGeneration))
    }

    /// The first registry-level download ended.
    func levelDone(_ d: Int, generation g: Int32) {
        guard g == downloads.levelGeneration, downloads.atLevel.min?.index == d else { return }
        downloads.levelEvent = nil
        advanceLevelClock()
        downloads.atLevel.remove(d)
        downloads.list[d]?.atRegistryLevel = false
        downloads.list[d]?.bitsLeft = 0
        finishDownload(d)
    }

    /// Takes download `d`'s stream off what it shares; re-shares the rest.
    private func releaseStream(_ d: Int) {
        guard var x = downloads.list[d], x.flow >= 0 else { return }
        advanceLevelClock()
        if x.atRegistryLevel { downloads.atLevel.remove(d); x.atRegistryLevel = false }
        if x.u >= 0 { levelRemove(x.u, d) }
        x.u = -1
        let freed = downloads.sharing.removeFlow(x.flow)
        downloads.owner[Int(x.flow)] = -1
        x.flow = -1
        downloads.list[d] = x
        downloads.running[x.agent] -= 1
        downloads.sharing.reshare(resources: freed)
        reshareDownloads()
    }

    /// The download's end: its slot goes to the next waiting download; the extraction follows.
    func downloadDone(_ d: Int, generation g: Int32) {
        guard let x = downloads.list[d], x.generation == g, x.downloadedAt == nil, !x.atRegistryLevel else { return }
        downloads.list[d]!.event = nil
        finishDownload(d)
    }

    private func finishDownload(_ d: Int) {
        guard var x = downloads.list[d] else { return }
        x.downloadedAt = now
        downloads.list[d] = x
        releaseStream(d)
        let a = x.agent
        if !downloads.waiting[a].isEmpty { startDownload(downloads.waiting[a].removeFirst()) }
        if x.extract > .zero {
            x = downloads.list[d]!
            x.generation &+= 1
            x.event = model.sim.schedule(after: x.extract, target: target, kind: Kind.extractDone.rawValue,
                                         arg: IndexGeneration.pack(d, x.generation))
            downloads.list[d] = x
        } else {
            pullComplete(d)
        }
    }

    func extractDone(_ d: Int, generation g: Int32) {
        guard let x = downloads.list[d], x.generation == g, x.downloadedAt != nil else { return }
        pullComplete(d)
    }

    /// The image is on the host: the tasks waiting for it go on.
    private func pullComplete(_ d: Int) {
        guard let x = downloads.list[d], let started = x.startedAt, let downloaded = x.downloadedAt else { return }
        let a = agents[x.agent]
        a.pulls[x.image.name] = .done(now)
        let wait = started - x.queuedAt, download = downloaded - started, extract = now - downloaded
        if wait > .zero || extract > .zero {
            log("imagePulled", a.name, "\(x.image.name) in \(now - x.queuedAt) (waiting for a download slot \(wait), download \(download), extract \(extract))")
        } else {
            log("imagePulled", a.name, "\(x.image.name) in \(download)")
        }
        for w in x.waiters { schedule(.pullDone, after: .zero, w) }
        forgetDownload(d)
    }

    private func forgetDownload(_ d: Int) {
        guard let x = downloads.list[d] else { return }
        if let i = downloads.ofAgent[x.agent].firstIndex(of: d) { downloads.ofAgent[x.agent].remove(at: i) }
        downloads.list[d] = nil
        downloads.freeSlots.append(d)
    }

    /// The last pull waiting for download `d` ended before it was done (its container was destroyed
    /// while PULLING): dockerd cancels the transfer, and the bytes moved are lost (the model's image
    /// is one layer; a partly downloaded layer is not kept). Its daemon slot goes to the next
    /// waiting download; the others share what it frees. An extraction under way goes on (the
    /// layer's registration takes no context in dockerd).
    func cancelDownload(_ d: Int) {
        guard let x = downloads.list[d], x.downloadedAt == nil else { return }
        let a = x.agent
        if let e = x.event { model.sim.cancel(e) }
        var moved = Double(x.image.sizeBytes) * 8
        if x.startedAt != nil {
            if x.atRegistryLevel { advanceLevelClock(); moved -= max(0, x.target - downloads.clock) }
            else { moved -= max(0, x.bitsLeft - x.rate * (now - x.since).seconds) }
        } else { moved = 0 }
        if let i = downloads.waiting[a].firstIndex(of: d) { downloads.waiting[a].remove(at: i) }
        let wasRunning = x.flow >= 0
        if wasRunning { releaseStream(d) }
        log("imagePullCancelled", agents[a].name, "\(x.image.name): its last launch ended; dockerd cancels the pull, \(Int64(max(0, moved) / 8)) of \(x.image.sizeBytes) bytes lost")
        forgetDownload(d)
        if wasRunning, !downloads.waiting[a].isEmpty { startDownload(downloads.waiting[a].removeFirst()) }
    }

    /// The host went down: its daemon's downloads are gone; the others share what they free.
    func dropDownloads(agent a: Int) {
        let mine = downloads.ofAgent[a]
        downloads.waiting[a] = []
        for d in mine {
            guard let x = downloads.list[d] else { continue }
            if let e = x.event { model.sim.cancel(e) }
            if x.flow >= 0 { releaseStream(d) }
            forgetDownload(d)
        }
    }
}

/// The registry's level L over the running downloads' host rates u: Σ min(u, L) = capacity, or ∞
/// when Σ u ≤ capacity. The distinct u values are kept sorted with their downloads, so L costs
/// O(distinct values) and the downloads between two levels are found without a scan of all.
struct RegistryLevel {
    let capacity: Double
    private(set) var level = Double.infinity
    private var values: [Double] = []
    private var downloadsAt: [[Int]] = []

    init(capacity: Double) { self.capacity = capacity }

    private func slot(_ u: Double) -> (index: Int, found: Bool) {
        var lo = 0, hi = values.count
        while lo < hi { let m = (lo + hi) / 2; if values[m] < u { lo = m + 1 } else { hi = m } }
        return (lo, lo < values.count && values[lo] == u)
    }

    mutating func insert(_ u: Double, _ d: Int, _ list: inout [ImageDownload?]) {
        let (i, found) = slot(u)
        if !found { values.insert(u, at: i); downloadsAt.insert([], at: i) }
        list[d]?.levelSlot = downloadsAt[i].count
        downloadsAt[i].append(d)
    }

    mutating func remove(_ u: Double, _ d: Int, _ list: inout [ImageDownload?]) {
        let (i, found) = slot(u)
        guard found, let k = list[d]?.levelSlot, k >= 0, k < downloadsAt[i].count, downloadsAt[i][k] == d else { return }
        let last = downloadsAt[i].removeLast()
        if last != d { downloadsAt[i][k] = last; list[last]?.levelSlot = k }
        list[d]?.levelSlot = -1
        if downloadsAt[i].isEmpty { values.remove(at: i); downloadsAt.remove(at: i) }
    }

    /// Recomputes L (progressive filling over the sorted u values).
    mutating func recompute() -> Double {
        var below = 0.0, above = 0
        for i in values.indices { above += downloadsAt[i].count }
        level = .infinity
        for i in values.indices {
            let l = (capacity - below) / Double(above)
            if l <= values[i] { level = max(0, l); break }
            below += values[i] * Double(downloadsAt[i].count)
            above -= downloadsAt[i].count
        }
        return level
    }

    /// The downloads whose u is in (low, high].
    func members(between low: Double, and high: Double) -> [Int] {
        var out: [Int] = []
        var (i, _) = slot(low)
        if i < values.count && values[i] == low { i += 1 }
        while i < values.count && values[i] <= high { out.append(contentsOf: downloadsAt[i]); i += 1 }
        return out
    }
}

/// A binary min-heap of indices by key (ties by index), with removal by index.
struct IndexedMinHeap {
    private var heap: [Int] = []
    private var key: [Double] = []
    private var position: [Int] = []

    var isEmpty: Bool { heap.isEmpty }
    var min: (index: Int, key: Double)? { heap.first.map { ($0, key[$0]) } }

    private func less(_ a: Int, _ b: Int) -> Bool { key[a] != key[b] ? key[a] < key[b] : a < b }

    mutating func insert(_ i: Int, key k: Double) {
        if key.count <= i {
            key.append(contentsOf: repeatElement(0, count: i + 1 - key.count))
            position.append(contentsOf: repeatElement(-1, count: i + 1 - position.count))
        }
        key[i] = k
        heap.append(i); position[i] = heap.count - 1
        up(heap.count - 1)
    }

    mutating func remove(_ i: Int) {
        guard i < position.count, position[i] >= 0 else { return }
        let p = position[i]
        let last = heap.removeLast()
        position[i] = -1
        guard p < heap.count else { return }
        heap[p] = last; position[last] = p
        up(p); down(position[last])
    }

    private mutating func up(_ p0: Int) {
        var p = p0
        while p > 0 {
            let q = (p - 1) / 2
            guard less(heap[p], heap[q]) else { break }
            heap.swapAt(p, q); position[heap[p]] = p; position[heap[q]] = q; p = q
        }
    }

    private mutating func down(_ p0: Int) {
        var p = p0
        while true {
            let l = 2 * p + 1, r = l + 1
            var m = p
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            guard m != p else { break }
            heap.swapAt(p, m); position[heap[p]] = p; position[heap[m]] = m; p = m
        }
    }
}
