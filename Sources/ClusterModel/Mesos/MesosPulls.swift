import SimKernel

// Image downloads of plain pulls from `mesos.registry` (Harbor's pulls are flows of its own,
// HarborRegistries.swift). One download is one TCP stream: at most the registry's per-stream
// rate (`mesos.registry.bandwidth`) and a Ceph-backed registry's client read rate. The downloads
// running at once share what they cross by max-min fairness (MaxMinSharing, progressive filling):
// the host's NIC (`nic`) and, when set, the registry's total serving rate
// (`mesos.registry.capacity`, over every host). A download's end moves when another one starts or
// ends; between those changes nothing happens (one event per download, moved only when its rate
// changes). dockerd runs at most `--max-concurrent-downloads` of them at once per daemon
// (`storage…maxConcurrentDownloads`, moby/moby distribution/xfer/transfer.go `concurrencyLimit`);
// the others wait first come, first served and start when a running one ends.

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
}

/// The downloads in flight and what they share.
struct ImageDownloads {
    let sharing = MaxMinSharing()
    /// The NIC resource of each agent's host (-1 until its first download).
    var nic: [MaxMinSharing.ResourceID]
    /// The registry's total serving rate, when `mesos.registry.capacity` is set.
    var registry: MaxMinSharing.ResourceID?
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
        registry = registryCapacity.map { sharing.addResource(capacity: Double($0)) }
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
        var route = [downloads.nic[a]]
        if let r = downloads.registry { route.append(r) }
        x.flow = downloads.sharing.addFlow(route: route, coefficients: route.map { _ in 1 }, bound: x.bound)
        x.startedAt = now
        x.since = now
        downloads.list[d] = x
        let f = Int(x.flow)
        if downloads.owner.count <= f { downloads.owner.append(contentsOf: repeatElement(-1, count: f + 1 - downloads.owner.count)) }
        downloads.owner[f] = d
        downloads.sharing.reshare(from: x.flow)
        applyDownloadRates()
    }

    /// After a re-share: every download whose rate changed gets its progress so far and a new end.
    private func applyDownloadRates() {
        for f in downloads.sharing.lastComponent {
            let d = downloads.owner[Int(f)]
            guard d >= 0, var x = downloads.list[d] else { continue }
            let rate = downloads.sharing.rate[Int(f)]
            if rate == x.rate && x.event != nil { continue }
            x.bitsLeft = max(0, x.bitsLeft - x.rate * (now - x.since).seconds)
            x.since = now
            x.rate = rate
            if let e = x.event { model.sim.cancel(e) }
            x.generation &+= 1
            x.event = model.sim.schedule(after: SimDuration.fromSeconds(x.bitsLeft / max(rate, 1)), target: target,
                                         kind: Kind.downloadDone.rawValue, arg: IndexGeneration.pack(d, x.generation))
            downloads.list[d] = x
        }
    }

    /// Takes download `d`'s stream off what it shares; re-shares the rest.
    private func releaseStream(_ d: Int) {
        guard var x = downloads.list[d], x.flow >= 0 else { return }
        let freed = downloads.sharing.removeFlow(x.flow)
        downloads.owner[Int(x.flow)] = -1
        x.flow = -1
        downloads.list[d] = x
        downloads.running[x.agent] -= 1
        downloads.sharing.reshare(resources: freed)
        applyDownloadRates()
    }

    /// The download's end: its slot goes to the next waiting download; the extraction follows.
    func downloadDone(_ d: Int, generation g: Int32) {
        guard var x = downloads.list[d], x.generation == g, x.downloadedAt == nil else { return }
        x.downloadedAt = now
        x.event = nil
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
