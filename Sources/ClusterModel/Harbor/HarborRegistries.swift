import Foundation
import SimKernel

// Harbor registries, one per data center, on named hosts (core, registry and job service on one
// host, as Harbor's installer runs them). Images are lists of layers shared by digest; each
// registry holds a set of images and blobs; each Docker host keeps the layers it pulled.
//
// - Pushes go to the push registry (the office's) only; a push is a push event there, which
//   starts the event-based replication policies whose source it is.
// - Replication: a policy creates one task per matching image, run by the source's job service
//   (`max_job_workers` at once, FIFO). A task checks the manifest at the destination, then copies
//   blob after blob (HEAD: exists? skip; else mount check + POST + PUT carrying the bytes, as a
//   flow of the network model from the source registry's host to the destination's: it shares the
//   data-center link with every other flow), then pushes the manifest. The arrival is a push
//   event at the destination, so office -> dc01 -> dc02 chains. A failed blob copy is retried
//   (5 attempts, 2 s doubling); a failed task is retried by the job service (3 runs, gocraft/work's
//   backoff). goharbor/harbor:src/controller/replication/transfer/image/transfer.go,
//   src/jobservice (docs/delivery.md).
// - Pulls (the Mesos agents' `docker pull`, through `ContainerImageSource`): the domain resolves
//   to the registry of the agent's data center; a registry host that is down refuses, an image it
//   does not hold is `manifest unknown`; otherwise the layers the host lacks come as one flow.
public final class HarborRegistries: EventHandler, NetworkClient {
    public let spec: HarborSpec
    unowned let model: ClusterSimulation
    /// The network model; nil without a `network` section (then each transfer runs alone at the
    /// smaller NIC rate of its two hosts and `mesos.registry.bandwidth`, with no latency).
    let network: ClusterNetwork?
    var target: Int32 = -1
    /// Blocked-PG checks of the registry on Ceph (storage's `registryRead`), when a registry's blobs are there.
    var storage: ContainerStorage?
    /// Ceph's client read rate (bytes/s) for registries with `blobs: "ceph"`.
    var cephReadRate = Double.infinity
    var containerizer: Containerizer?
    let stream: RandomStream

    public struct Registry {
        public let name: String
        public let host: Int
        public let datacenter: String
        let maxWorkers: Int
        let blobsOnCeph: Bool
        /// With its blobs on Ceph: the Ceph client read rate its pulls share (a resource of the network model).
        var cephLimit: Int32?
        /// When each image (by index) arrived; nil: absent.
        public internal(set) var arrived: [SimTime?] = []
        var blobs: Set<Int> = []
        /// Replication tasks waiting for a worker of this registry's job service, FIFO.
        var queue: [Int] = []
        var queueHead = 0
        public internal(set) var running = 0
        public internal(set) var replicatedBytes = 0.0
        public internal(set) var blobFailures = 0
        /// Bytes of blob uploads sent into it, those lost to resets included.
        public internal(set) var sentBytes = 0.0
        public internal(set) var tasksDone = 0
        public internal(set) var tasksDead = 0
        public internal(set) var pullsServed = 0
        public internal(set) var pullsFailed = 0
        public internal(set) var pullsManifestUnknown = 0
        /// Bytes its pulls sent to Docker hosts (the layers each host lacked).
        public internal(set) var pulledBytes: Int64 = 0
        public var queued: Int { queue.count - queueHead }
        public var images: Int { arrived.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    }
    public internal(set) var registries: [Registry] = []

    public struct Image {
        public let repository: String
        public let tag: String
        public let layers: [Int]
        public var reference: String { repository + ":" + tag }
    }
    public internal(set) var layers: [HarborLayer]
    var layerIndex: [String: Int] = [:]
    public internal(set) var images: [Image] = []
    var imageIndex: [String: Int] = [:]
    /// Layers on each Docker host (by host index).
    var hostLayers: [Set<Int>]
    /// The registry of each data center (looked up by name, never iterated).
    var registryOfDatacenter: [String: Int] = [:]
    /// Failed launches whose image was in another registry already (replication lag).
    public internal(set) var launchesFailedByLag = 0

    enum Kind: Int32 { case taskStep = 1, pullStart, pushStep, scheduled, transferDone, cron, deletion, pushRetry, pullRetry }

    init(spec: HarborSpec, model: ClusterSimulation, network: ClusterNetwork?) {
        self.spec = spec
        self.model = model
        self.network = network
        self.stream = model.stream("harbor")
        layers = spec.layers
        for (i, l) in layers.enumerated() where layerIndex[l.digest] == nil { layerIndex[l.digest] = i }
        hostLayers = Array(repeating: [], count: model.infrastructure.hosts.count)
        let hostIndex = Dictionary(model.infrastructure.hosts.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        for r in spec.registries {
            let h = hostIndex[r.host] ?? 0
            let dc = model.infrastructure.hosts[h].datacenter
            if registryOfDatacenter[dc] == nil { registryOfDatacenter[dc] = registries.count }
            registries.append(Registry(name: r.name, host: h, datacenter: dc, maxWorkers: max(1, r.maxJobWorkers), blobsOnCeph: r.blobsOnCeph))
        }
        for img in spec.images {
            let i = addImage(repository: img.repository, tag: img.tag, layers: img.layers)
            for r in img.presentIn { place(image: i, in: r) }
        }
    }

    var now: SimTime { model.sim.now }
    func up(_ host: Int) -> Bool { model.infrastructure.hosts[host].state.isUp }
    func log(_ event: String, _ subject: String, _ detail: String) { model.log("harbor", event, subject, detail) }

    /// An image's index, added if new (a push of a new tag).
    @discardableResult
    func addImage(repository: String, tag: String, layers l: [Int]) -> Int {
        let ref = repository + ":" + tag
        if let i = imageIndex[ref] { return i }
        images.append(Image(repository: repository, tag: tag, layers: l))
        imageIndex[ref] = images.count - 1
        for r in registries.indices { registries[r].arrived.append(nil) }
        return images.count - 1
    }

    /// A layer's index by digest, added if new.
    func layer(_ l: HarborLayer) -> Int {
        if let i = layerIndex[l.digest] { return i }
        layers.append(l)
        layerIndex[l.digest] = layers.count - 1
        return layers.count - 1
    }

    func place(image i: Int, in r: Int) {
        registries[r].arrived[i] = now
        for l in images[i].layers { registries[r].blobs.insert(l) }
    }

    public func imageBytes(_ i: Int) -> Int64 { images[i].layers.reduce(0) { $0 + layers[$1].sizeBytes } }

    /// When image `i` arrived in registry `r` (nil: not there).
    public func arrival(image i: Int, registry r: Int) -> SimTime? { registries[r].arrived[i] }

    /// The image index of `repository:tag`.
    public func image(_ reference: String) -> Int? { imageIndex[reference] }

    /// Round trip between two hosts (twice the one-way path latency of the network model).
    func rtt(_ a: Int, _ b: Int) -> SimDuration { oneWay(a, b) * 2 }
    func oneWay(_ a: Int, _ b: Int) -> SimDuration { network?.pathLatency(a, b) ?? .zero }

    /// A transfer of `bytes` from host `a` to host `b`: a flow of the network model, or without
    /// one an event after bytes / (the smaller NIC rate, at most `mesos.registry.bandwidth`). `token`: kind << 32 | index.
    /// `limit`: a resource of the network model capping this flow alone (a task's `speed_kb`) and its rate.
    func transfer(from a: Int, to b: Int, bytes: Double, token: Int64, cephRead: Int? = nil,
                  limit: (resource: MaxMinSharing.ResourceID?, bytesPerSecond: Double)? = nil) -> ClusterNetwork.FlowHandle {
        if let n = network {
            var limits = cephRead.flatMap { registries[$0].cephLimit }.map { [$0] } ?? []
            if let l = limit, let r = l.resource { limits.append(r) }
            return n.startFlow(from: NetworkEndpoint(host: a), to: NetworkEndpoint(host: b), bytes: bytes,
                               limits: limits, client: self, token: token)
        }
        timerGeneration &+= 1
        let g = timerGeneration & 0x3F_FFFF
        let rate = timerRate(from: a, to: b, cephRead: cephRead, limit: limit?.bytesPerSecond)
        model.sim.schedule(after: SimDuration.fromSeconds(bytes / max(1, rate)), target: target, kind: Kind.transferDone.rawValue,
                           arg: Int64(g) << 40 | token)
        return ClusterNetwork.FlowHandle(slot: -1, generation: g)
    }

    /// Without the network model: the rate of a transfer, the smaller NIC rate of its two hosts,
    /// capped as plain pulls are by the registry's serving rate (`mesos.registry.bandwidth`).
    func timerRate(from a: Int, to b: Int, cephRead: Int?, limit: Double?) -> Double {
        let hosts = model.infrastructure.hosts
        let bits = min(hosts[a].nicBitsPerSecond, hosts[b].nicBitsPerSecond, model.spec.mesos?.registryBandwidth ?? .max)
        return min(Double(bits) / 8, cephRead.flatMap { registries[$0].blobsOnCeph ? cephReadRate : nil } ?? .infinity,
                   limit ?? .infinity)
    }

    func stopTransfer(_ f: ClusterNetwork.FlowHandle) {
        if f.slot >= 0 { network?.stopFlow(f) }
    }
    var timerGeneration: UInt32 = 0

    public func start() {
        for (p, pol) in spec.policies.enumerated() where pol.enabled {
            if case .scheduled(let period) = pol.trigger {
                model.sim.schedule(at: SimTime.zero + period, target: target, kind: Kind.scheduled.rawValue, arg: Int64(p))
            }
            if case .cron(let c) = pol.trigger { scheduleCron(p, c) }
        }
        for (k, del) in spec.deletions.enumerated() {
            model.sim.schedule(at: SimTime.zero + del.at, target: target, kind: Kind.deletion.rawValue, arg: Int64(k))
        }
    }

    /// The next firing of a cron trigger after now (robfig's Next: the first matching second
    /// strictly after the current one), if it is inside the run.
    func scheduleCron(_ p: Int, _ c: HarborCron) {
        let nowMs = spec.startMs + now.nanoseconds / 1_000_000
        let sec = nowMs >= 0 ? nowMs / 1000 : -((-nowMs + 999) / 1000)
        guard let u = c.next(after: sec) else { return }
        let (ms, over) = u.multipliedReportingOverflow(by: 1000)
        guard !over, ms - spec.startMs <= model.endTime.nanoseconds / 1_000_000 else { return }
        model.sim.schedule(at: SimTime(nanoseconds: (ms - spec.startMs) * 1_000_000), target: target, kind: Kind.cron.rawValue, arg: Int64(p))
    }

    public func handle(_ event: Event, in sim: Simulation) {
        switch Kind(rawValue: event.kind) {
        case .taskStep:
            let t = Int(event.arg & 0xFFFF_FFFF)
            if tasks[t].generation == event.arg >> 32 { taskStep(t) }
        case .pullStart:
            let p = Int(event.arg & 0xFFFF_FFFF)
            if p < pulls.count, pulls[p].active, pulls[p].serial & 0x7FFF_FFFF == Int(event.arg >> 32) { pullStart(p) }
        case .pushStep: pushStep(Int(event.arg))
        case .pushRetry: pushRetry(Int(event.arg))
        case .pullRetry:
            let p = Int(event.arg & 0xFFFF_FFFF)
            if p < pulls.count, pulls[p].active, pulls[p].serial & 0x7FFF_FFFF == Int(event.arg >> 32) { pullRetry(p) }
        case .transferDone:
            flowCompleted(ClusterNetwork.FlowHandle(slot: -1, generation: UInt32(event.arg >> 40)), token: event.arg & 0xFF_FFFF_FFFF, bytes: 0)
        case .cron:
            let p = Int(event.arg)
            if case .cron(let c) = spec.policies[p].trigger {
                log("replicationScheduled", spec.policies[p].name, "cron \"\(c.text)\" fired")
                scheduledExecution(p)
                scheduleCron(p, c)
            }
        case .deletion: deleteImage(spec.deletions[Int(event.arg)])
        case .scheduled:
            let p = Int(event.arg)
            if case .scheduled(let period) = spec.policies[p].trigger {
                scheduledExecution(p)
                let next = now + period
                if next <= model.endTime { sim.schedule(at: next, target: target, kind: Kind.scheduled.rawValue, arg: event.arg) }
            }
        case nil: break
        }
    }

    public func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double) {
        let i = Int(token & 0xFFFF_FFFF)
        switch token >> 32 {
        case 1: if i < tasks.count, tasks[i].flow == flow { blobTransferred(i) }
        case 2: if i < pulls.count, pulls[i].flow == flow { pullTransferred(i) }
        case 3: if i < pushes.count, pushes[i].flow == flow { pushTransferred(i) }
        default: break
        }
    }

    // MARK: replication

    enum Phase { case queued, manifestCheck, blobHead, blobInit, blobData, blobPut, blobBackoff, chunkStatus, manifestPush, manifestDelete, retryWait, done, dead }
    struct ReplicationTask {
        let policy: Int, image: Int, source: Int, destination: Int
        /// The registry whose job service runs it (the source's, a pull-based policy's destination's).
        let runner: Int
        /// A deletion task (`replicate_deletion`): it deletes the image at the destination.
        var deletion = false
        var phase = Phase.queued
        /// Tells the step under way from one scheduled before the job's worker died with its host.
        var generation: Int64 = 0
        var blob = 0
        var attempt = 1
        var fails = 0
        var failing = false
        var flow: ClusterNetwork.FlowHandle?
        /// Chunked copy of the current blob: bytes the destination holds, the length of the
        /// chunk in flight, and whether an upload session (its Location) exists.
        var offset: Int64 = 0
        var chunk: Int64 = 0
        var session = false
        /// The `speed_kb` throttle of its reads (a resource of the network model while it runs).
        var speedLimit: MaxMinSharing.ResourceID?
        /// Bytes of the upload in flight.
        var flowBytes = 0.0
    }
    /// Throttle resources of finished tasks, reused by the next rate-limited ones.
    var freeSpeedLimits: [MaxMinSharing.ResourceID] = []
    /// golang.org/x/time/rate's burst of Harbor's rate-limited reader (1000·1024 bytes): a new
    /// reader (one per blob, or per chunk) sends that much before the limit bites.
    static let readerBurst = 1_024_000.0
    var tasks: [ReplicationTask] = []
    /// Tasks running on a worker (for host failures), in start order.
    var runningTasks: [Int] = []

    /// A push event in registry `r` (a push, or a replication's manifest): its event-based policies fire.
    func pushEvent(image i: Int, registry r: Int) {
        for (p, pol) in spec.policies.enumerated() where pol.source == r && !pol.pullBased && pol.enabled && pol.trigger == .eventBased {
            if pol.matches(repository: images[i].repository, tag: images[i].tag) && executionStarts(p, images[i].reference) { createTask(policy: p, image: i) }
        }
    }

    /// The start of an execution's flow, in Harbor's core (flow/stage.go `initialize`): it creates an
    /// adapter for each end, and the remote registry's (the destination of a push-based policy, the
    /// source of a pull-based one) asks its `GET /api/version` (adapter/harbor/base/client.go
    /// `NewClient`); then the copy flow asks its labels (`Info`) and projects (`PrepareForPush`).
    /// A remote registry whose host is down fails them: the execution is marked Error with the
    /// reason, it has no task, and nothing retries it (only a task's job is retried) until the next
    /// trigger. Those requests take no time here.
    func executionStarts(_ p: Int, _ what: String) -> Bool {
        let pol = spec.policies[p]
        let remote = pol.pullBased ? pol.source : pol.destination
        guard !up(registries[remote].host) else { return true }
        let url = "https://\(registries[remote].name).\(spec.domain)"
        log("replicationExecutionFailed", pol.name,
            "\(what): failed to create adapter for \(pol.pullBased ? "source" : "destination") registry \(url): Get \"\(url)/api/version\": dial tcp \(model.infrastructure.hosts[registries[remote].host].name):443: connect: no route to host")
        return false
    }

    /// A scheduled execution: a task for every matching image the destination lacks.
    func scheduledExecution(_ p: Int) {
        let pol = spec.policies[p]
        guard up(registries[pol.runner].host) else { log("replicationSkipped", spec.policies[p].name, "the job service's host \(model.infrastructure.hosts[registries[pol.runner].host].name) is down"); return }
        guard executionStarts(p, "scheduled execution") else { return }
        for i in images.indices where registries[pol.source].arrived[i] != nil && registries[pol.destination].arrived[i] == nil {
            if pol.matches(repository: images[i].repository, tag: images[i].tag) { createTask(policy: p, image: i) }
        }
    }

    /// A task of an execution. Harbor does not look for another execution's task of the same
    /// image and destination (controller/replication/execution.go `Start` creates an execution for
    /// every trigger, flow/copy.go `Run` a task for every resource; `single_active_replication`,
    /// since v2.14.0, is what skips an execution while another of its policy runs): a trigger while
    /// a task for the image is queued or copying makes a second task, which copies the blobs the
    /// destination has not committed yet again.
    func createTask(policy p: Int, image i: Int, deletion: Bool = false) {
        let pol = spec.policies[p]
        if !deletion && registries[pol.destination].arrived[i] != nil && !pol.override { return }
        tasks.append(ReplicationTask(policy: p, image: i, source: pol.source, destination: pol.destination, runner: pol.runner, deletion: deletion))
        log(deletion ? "deletionQueued" : "replicationQueued", pol.name, "\(images[i].reference) \(registries[pol.source].name) -> \(registries[pol.destination].name)")
        enqueue(tasks.count - 1)
    }

    /// An image deleted from a registry (`harbor.deletions`): gone from it (its blobs stay until
    /// garbage collection), and a delete event there.
    func deleteImage(_ del: HarborDeletionSpec) {
        let r = del.registry
        guard let i = imageIndex[del.image], registries[r].arrived[i] != nil else {
            log("deleteFailed", del.image, "\(registries[r].name) has no \(del.image): 404 not found")
            return
        }
        guard up(registries[r].host) else {
            log("deleteFailed", del.image, "\(registries[r].name)'s host \(model.infrastructure.hosts[registries[r].host].name) is down")
            return
        }
        registries[r].arrived[i] = nil
        log("imageDeleted", del.image, "from \(registries[r].name)")
        deleteEvent(image: i, registry: r)
    }

    /// A delete event in registry `r` (a deletion, or a replicated one): the event-based policies
    /// whose source it is and that replicate deletions create deletion tasks
    /// (src/controller/event/handler/replication/event/handler.go; scheduled executions never delete).
    func deleteEvent(image i: Int, registry r: Int) {
        for (p, pol) in spec.policies.enumerated() where pol.source == r && !pol.pullBased && pol.enabled && pol.trigger == .eventBased && pol.replicateDeletion {
            if pol.matches(repository: images[i].repository, tag: images[i].tag) && executionStarts(p, "deletion of " + images[i].reference) { createTask(policy: p, image: i, deletion: true) }
        }
    }

    func enqueue(_ t: Int) {
        tasks[t].phase = .queued
        registries[tasks[t].runner].queue.append(t)
        dispatch(tasks[t].runner)
    }

    /// Free workers of registry `r`'s job service take queued tasks.
    func dispatch(_ r: Int) {
        guard up(registries[r].host) else { return }
        while registries[r].running < registries[r].maxWorkers && registries[r].queueHead < registries[r].queue.count {
            let t = registries[r].queue[registries[r].queueHead]
            registries[r].queueHead += 1
            if registries[r].queueHead > 64 && registries[r].queueHead * 2 > registries[r].queue.count {
                registries[r].queue.removeFirst(registries[r].queueHead); registries[r].queueHead = 0
            }
            registries[r].running += 1
            runningTasks.append(t)
            tasks[t].phase = .manifestCheck
            tasks[t].blob = 0; tasks[t].attempt = 1
            tasks[t].offset = 0; tasks[t].session = false
            stepAfter(t, taskRTT(t))
        }
    }

    func taskRTT(_ t: Int) -> SimDuration { rtt(registries[tasks[t].source].host, registries[tasks[t].destination].host) }
    func stepAfter(_ t: Int, _ d: SimDuration) {
        model.sim.schedule(after: d, target: target, kind: Kind.taskStep.rawValue, arg: tasks[t].generation << 32 | Int64(t))
    }

    func taskStep(_ t: Int) {
        let task = tasks[t]
        let src = registries[task.source], dst = registries[task.destination]
        let ends = up(src.host) && up(dst.host)
        switch task.phase {
        case .manifestCheck:
            guard ends else { jobFailed(t, "manifest check at \(dst.name): its host is unreachable"); return }
            if task.deletion {
                if dst.arrived[task.image] == nil { finish(t, copied: false); return }
                tasks[t].phase = .manifestDelete
                stepAfter(t, taskRTT(t))
                return
            }
            guard src.arrived[task.image] != nil else { jobFailed(t, "pull manifest of \(images[task.image].reference) from \(src.name): 404 manifest unknown (deleted)"); return }
            if dst.arrived[task.image] != nil { finish(t, copied: false); return }
            nextBlob(t)
        case .manifestDelete:
            guard ends else { jobFailed(t, "DELETE manifest at \(dst.name): host unreachable"); return }
            registries[task.destination].arrived[task.image] = nil
            release(t)
            tasks[t].phase = .done
            registries[task.destination].tasksDone += 1
            log("imageDeletionReplicated", images[task.image].reference, "deleted at \(dst.name) (policy \(spec.policies[task.policy].name))")
            deleteEvent(image: task.image, registry: task.destination)
        case .blobHead:
            let l = images[task.image].layers[task.blob]
            // copy_by_chunk sends a blob of at most one chunk as one PUT without asking whether the
            // destination has it (copyBlobByChunk falls back to copyBlobByMonolithic): this step's
            // round trip was the POST of its upload session
            if chunked(task) && layers[l].sizeBytes <= spec.chunkSize {
                guard ends else { blobFailed(t, "upload session at \(dst.name): host unreachable"); return }
                tasks[t].session = true
                startBlobData(t)
                return
            }
            guard ends else { blobFailed(t, "HEAD blob at \(dst.name): host unreachable"); return }
            if registries[task.destination].blobs.contains(l) { tasks[t].blob += 1; tasks[t].attempt = 1; tasks[t].offset = 0; tasks[t].session = false; nextBlob(t); return }
            tasks[t].phase = .blobInit
            // mount check, then the POST of an upload session (a resumed chunked copy keeps its Location)
            stepAfter(t, taskRTT(t) * (task.session ? 1 : 2))
        case .blobInit:
            guard ends else { blobFailed(t, "upload session at \(dst.name): host unreachable"); return }
            tasks[t].session = true
            startBlobData(t)
        case .blobPut:
            guard ends else { blobFailed(t, "PUT blob at \(dst.name): host unreachable"); return }
            let l = images[task.image].layers[task.blob]
            if chunked(task) && task.offset + task.chunk < layers[l].sizeBytes {
                // the PATCH's 202 came back: the next chunk
                tasks[t].offset += task.chunk
                startBlobData(t)
                return
            }
            registries[task.destination].blobs.insert(l)
            registries[task.destination].replicatedBytes += Double(layers[l].sizeBytes)
            tasks[t].blob += 1; tasks[t].attempt = 1; tasks[t].offset = 0; tasks[t].session = false
            nextBlob(t)
        case .chunkStatus:
            // the GET of the upload's status answered: the copy resumes after the chunks it holds
            blobFailed(t, "chunk \(task.offset)-\(task.offset + task.chunk - 1) upload reset; the destination holds \(task.offset) bytes")
        case .blobBackoff:
            tasks[t].phase = .blobHead
            stepAfter(t, taskRTT(t))
        case .manifestPush:
            guard ends else { jobFailed(t, "manifest push to \(dst.name): host unreachable"); return }
            finish(t, copied: true)
        case .retryWait:
            enqueue(t)
        case .queued, .blobData, .done, .dead: break
        }
    }

    func nextBlob(_ t: Int) {
        tasks[t].phase = tasks[t].blob < images[tasks[t].image].layers.count ? .blobHead : .manifestPush
        stepAfter(t, taskRTT(t))
    }

    /// Whether the task copies its blobs by chunk (`copy_by_chunk`).
    func chunked(_ task: ReplicationTask) -> Bool { spec.policies[task.policy].copyByChunk }

    /// The PUT (or, chunked, the PATCH of the next chunk) carrying the bytes: a flow from the
    /// source's host to the destination's, capped by the policy's `speed_kb`. With
    /// `blobFailureProbability` the upload may be reset part way; a chunk is reset with the
    /// probability that gives its blob the same chance of a reset as one whole-blob PUT (the
    /// same resets per byte sent).
    func startBlobData(_ t: Int) {
        let task = tasks[t]
        let size = layers[images[task.image].layers[task.blob]].sizeBytes
        let piece = chunked(task) && size > spec.chunkSize ? min(spec.chunkSize, size - task.offset) : size
        tasks[t].chunk = piece
        var p = spec.blobFailureProbability
        if p > 0 && piece < size { p = 1 - pow(1 - p, Double(piece) / Double(size)) }
        let fails = p > 0 && stream.uniform() < p
        tasks[t].failing = fails
        let bytes = fails ? max(1, (Double(piece) * stream.uniform()).rounded(.down)) : max(1, Double(piece))
        tasks[t].phase = .blobData
        tasks[t].flowBytes = bytes
        tasks[t].flow = transfer(from: registries[task.source].host, to: registries[task.destination].host, bytes: bytes,
                                 token: 1 << 32 | Int64(t), limit: speedLimit(t, reader: Double(piece)))
    }

    /// Harbor's rate-limited reader (src/lib/reader.go): `speed_kb`·KBRATE bytes/s, KBRATE = 1024/8,
    /// with a burst of 1000·1024 bytes from a full bucket. A reader of n bytes then takes
    /// (n − burst)/rate; the flow is capped at the rate that takes that long for all n bytes.
    func speedLimit(_ t: Int, reader n: Double) -> (resource: MaxMinSharing.ResourceID?, bytesPerSecond: Double)? {
        let kb = spec.policies[tasks[t].policy].speedKb
        guard kb > 0, n > Self.readerBurst else { return nil }
        let rate = Double(kb * 128) * n / (n - Self.readerBurst)
        guard let net = network else { return (nil, rate) }
        if tasks[t].speedLimit == nil { tasks[t].speedLimit = freeSpeedLimits.popLast() ?? net.addLimit(bytesPerSecond: rate) }
        let r = tasks[t].speedLimit!
        net.sharing.setCapacity(r, rate)
        return (r, rate)
    }

    func blobTransferred(_ t: Int) {
        tasks[t].flow = nil
        registries[tasks[t].destination].sentBytes += tasks[t].flowBytes
        if tasks[t].failing && chunked(tasks[t]) && tasks[t].chunk < layers[images[tasks[t].image].layers[tasks[t].blob]].sizeBytes {
            // PushBlobChunk failed: it asks the upload's status (one round trip) before giving up
            tasks[t].phase = .chunkStatus
            stepAfter(t, taskRTT(t))
            return
        }
        if tasks[t].failing { blobFailed(t, "blob upload reset"); return }
        tasks[t].phase = .blobPut
        // the PUT's response comes back one way
        stepAfter(t, oneWay(registries[tasks[t].source].host, registries[tasks[t].destination].host))
    }

    /// copyBlobWithRetry: attempt after attempt, 2 s then doubling, until `blobRetries`.
    func blobFailed(_ t: Int, _ why: String) {
        if let f = tasks[t].flow { stopTransfer(f); tasks[t].flow = nil }
        let task = tasks[t]
        registries[task.destination].blobFailures += 1
        let digest = layers[images[task.image].layers[task.blob]].digest
        if task.attempt < (chunked(task) ? spec.chunkRetries : spec.blobRetries) && up(registries[task.runner].host) {
            let backoff = SimDuration.fromSeconds(min(1e9, spec.blobRetryBackoff.seconds * Double(1 << min(40, task.attempt - 1))))
            log("blobRetry", spec.policies[task.policy].name, "\(images[task.image].reference) blob \(digest) attempt \(task.attempt) failed (\(why)); retry in \(backoff)")
            tasks[t].attempt += 1
            tasks[t].phase = .blobBackoff
            stepAfter(t, backoff)
        } else {
            jobFailed(t, "blob \(digest) failed \(task.attempt) time(s): \(why)")
        }
    }

    /// The job failed: the worker is free; the job service retries it after gocraft/work's
    /// backoff (fails^4 + 15 + rand(30)·(fails+1) s) until MaxFails runs.
    func jobFailed(_ t: Int, _ why: String) {
        release(t)
        tasks[t].fails += 1
        let task = tasks[t]
        let name = spec.policies[task.policy].name
        if task.fails < spec.jobMaxFails {
            let f = Int64(task.fails)
            let backoff = SimDuration.seconds(f * f * f * f + 15 + Int64(stream.int(below: 30)) * (f + 1))
            log("replicationRetry", name, "\(images[task.image].reference) -> \(registries[task.destination].name) failed (run \(task.fails) of \(spec.jobMaxFails)): \(why); retry in \(backoff)")
            tasks[t].phase = .retryWait
            stepAfter(t, backoff)
        } else {
            tasks[t].phase = .dead
            registries[task.destination].tasksDead += 1
            log("replicationFailed", name, "\(images[task.image].reference) -> \(registries[task.destination].name) dead after \(task.fails) runs: \(why)")
        }
    }

    func finish(_ t: Int, copied: Bool) {
        release(t)
        let task = tasks[t]
        tasks[t].phase = .done
        registries[task.destination].tasksDone += 1
        if copied {
            // a second task of the image PUTs its manifest again: the image keeps its arrival, and
            // the PUT is a push event as any
            let since = registries[task.destination].arrived[task.image]
            if since == nil { place(image: task.image, in: task.destination) }
            log("imageReplicated", images[task.image].reference, "\(registries[task.source].name) -> \(registries[task.destination].name) (policy \(spec.policies[task.policy].name))"
                + (since.map { "; it was there since \($0.seconds) s (another task's copy)" } ?? ""))
            pushEvent(image: task.image, registry: task.destination)
        }
    }

    func release(_ t: Int) {
        if let l = tasks[t].speedLimit { freeSpeedLimits.append(l); tasks[t].speedLimit = nil }
        let r = tasks[t].runner
        if let k = runningTasks.firstIndex(of: t) {
            runningTasks.remove(at: k)
            registries[r].running -= 1
        }
        dispatch(r)
    }

    // MARK: pulls (ContainerImageSource)

    struct Pull {
        var host: Int, image: Int, registry: Int
        var waiters: [Int64]
        var flow: ClusterNetwork.FlowHandle?
        var active: Bool
        var bytes: Int64 = 0
        /// The name the agent pulls (`<domain>/…` or `<registry>.<domain>/…`).
        var name = ""
        /// Tells a reused slot from the pull a dependent waited for.
        var serial = 0
        /// Layers this pull downloads itself; layers another pull on the host is downloading
        /// are awaited (dockerd's transfer manager: one download per digest per daemon).
        var own: [Int] = []
        var awaiting = 0
        var flowDone = false
        /// Pulls waiting for a layer this one downloads (one entry per layer), with their serials.
        var dependents: [(pull: Int, serial: Int)] = []
        /// Its layers are claimed or awaited (the blob requests were made).
        var claimed = false
        /// dockerd's download attempt, the bytes earlier attempts delivered (a retry resumes after
        /// them), and when the current attempt's flow started.
        var attempt = 1
        var received: Int64 = 0
        var flowStart = SimTime.zero
    }
    var pulls: [Pull] = []
    var freePulls: [Int] = []
    var pullSerial = 0
    /// Pull in flight per (host, image); looked up only.
    var pullOf: [Int64: Int] = [:]
    /// The pull downloading each (host, layer); looked up only.
    var downloading: [Int64: Int] = [:]
    /// dockerd's error for a task whose pull failed after its last attempt, until it asks again; looked up only.
    var pullFailures: [Int64: String] = [:]

    /// `domain/repo:tag` -> (registry named in the host part or nil for the local one, `repo:tag`);
    /// nil when the image is not Harbor's.
    public func parse(_ name: String) -> (registry: String?, reference: String)? {
        guard let slash = name.firstIndex(of: "/") else { return nil }
        let hostPart = name[..<slash]
        var ref = String(name[name.index(after: slash)...])
        if !ref.contains(":") || ref.lastIndex(of: ":")! < (ref.lastIndex(of: "/") ?? ref.startIndex) { ref += ":latest" }
        if hostPart == spec.domain { return (nil, ref) }
        if hostPart.hasSuffix("." + spec.domain) { return (String(hostPart.dropLast(spec.domain.count + 1)), ref) }
        return nil
    }

    func resolve(_ registryName: String?, host: Int) -> Int? {
        if let n = registryName { return registries.firstIndex { $0.name == n } }
        return registryOfDatacenter[model.infrastructure.hosts[host].datacenter]
    }

    public func serves(image: ImageRef) -> Bool { parse(image.name) != nil }

    public func pull(image: ImageRef, host: Int, waiter: Int64) -> ImagePullAnswer? {
        guard let (named, ref) = parse(image.name) else { return nil }
        // the pull this task waited for failed after dockerd's last download attempt: its error
        if let error = pullFailures.removeValue(forKey: waiter) { return .failed(error) }
        guard let r = resolve(named, host: host) else {
            return .failed("Get https://\(named.map { $0 + "." } ?? "")\(spec.domain)/v2/: dial tcp: lookup \(spec.domain): no such host (no registry in data center \(model.infrastructure.hosts[host].datacenter))")
        }
        let reg = registries[r]
        guard up(reg.host) else {
            registries[r].pullsFailed += 1
            log("pullRefused", image.name, "\(reg.name)'s host \(model.infrastructure.hosts[reg.host].name) is down; host \(model.infrastructure.hosts[host].name)")
            return .failed("Get https://\(spec.domain)/v2/: dial tcp \(model.infrastructure.hosts[reg.host].name):443: connect: no route to host")
        }
        guard let i = imageIndex[ref], reg.arrived[i] != nil else {
            registries[r].pullsFailed += 1
            registries[r].pullsManifestUnknown += 1
            if let i = imageIndex[ref], registries.contains(where: { $0.arrived[i] != nil }) {
                launchesFailedByLag += 1
                log("pullFailedNotReplicated", image.name, "\(reg.name) has no \(ref) yet (replication lag); host \(model.infrastructure.hosts[host].name)")
            }
            // dockerd 18.09's words (moby/moby v18.09.0 distribution/errors.go notFoundError; 19.03
            // and later add the registry's ": manifest unknown: manifest unknown")
            return .failed("manifest for \(image.name) not found")
        }
        if reg.blobsOnCeph, let s = storage, let read = s.registryRead(image: image, waiter: waiter), read.blocked { return .waiting }
        let missing = images[i].layers.filter { !hostLayers[host].contains($0) }
        if missing.isEmpty {
            registries[r].pullsServed += 1
            return .ready
        }
        let key = Int64(host) << 32 | Int64(i)
        if let p = pullOf[key] { pulls[p].waiters.append(waiter); return .waiting }
        let p: Int
        pullSerial += 1
        let new = Pull(host: host, image: i, registry: r, waiters: [waiter], flow: nil, active: true, name: image.name, serial: pullSerial)
        if let f = freePulls.popLast() { p = f; pulls[p] = new } else { p = pulls.count; pulls.append(new) }
        pullOf[key] = p
        // token and manifest requests, then the blobs, three at a time (dockerd's max-concurrent-downloads)
        let trips = Int64(2 + (missing.count + 2) / 3)
        model.sim.schedule(after: rtt(reg.host, host) * trips, target: target, kind: Kind.pullStart.rawValue, arg: Int64(pullSerial & 0x7FFF_FFFF) << 32 | Int64(p))
        return .waiting
    }

    func pullStart(_ p: Int) {
        // a retry's ranged GET came back: the rest of the bytes
        if pulls[p].claimed { startPullData(p); return }
        let pl = pulls[p]
        // a layer another pull on this host is downloading is not fetched twice: this pull waits for it
        var own: [Int] = [], shared = 0
        for l in images[pl.image].layers where !hostLayers[pl.host].contains(l) {
            let key = Int64(pl.host) << 32 | Int64(l)
            if let q = downloading[key], q != p, pulls[q].active {
                pulls[q].dependents.append((p, pl.serial))
                pulls[p].awaiting += 1
                shared += 1
            } else {
                downloading[key] = p
                own.append(l)
            }
        }
        let bytes = own.reduce(Int64(0)) { $0 + layers[$1].sizeBytes }
        pulls[p].own = own
        pulls[p].bytes = bytes
        pulls[p].claimed = true
        log("imagePull", pl.name,
            "\(model.infrastructure.hosts[pl.host].name) from \(registries[pl.registry].name): \(bytes) bytes of layers it lacks (image \(imageBytes(pl.image)) bytes)"
            + (shared > 0 ? "; waits for \(shared) layer(s) another pull on the host is downloading" : ""))
        if own.isEmpty {
            pulls[p].flowDone = true
            if pulls[p].awaiting == 0 { completePull(p) }
            return
        }
        startPullData(p)
    }

    /// dockerd's layer downloads (moby/moby v17.03.0-ce distribution/xfer/download.go): a download
    /// that fails is tried again `attempt * 5` s later, 5 attempts in all (maxDownloadAttempts;
    /// from 20.10 one plus `--max-download-attempts`, `pullAttempts(host:)`); a
    /// connection that fails is retried (distribution/errors.go retryOnError), and the retry resumes
    /// after the bytes already in the layer's temporary file (pull_v2.go v2LayerDescriptor.Download
    /// seeks to them: a ranged GET).
    static let pullDownloadAttempts = 5

    /// The attempts of the pulling host's daemon (its storage host group's dockerd release and
    /// `maxDownloadAttempts`), else 18.09's 5.
    func pullAttempts(host: Int) -> Int { storage?.downloadAttempts(host: host) ?? Self.pullDownloadAttempts }

    /// The blob GETs of the layers this pull downloads itself, as one flow (after a failed
    /// attempt: the bytes the host does not hold yet).
    func startPullData(_ p: Int) {
        guard pulls[p].flow == nil, !pulls[p].flowDone else { return }
        let pl = pulls[p]
        let from = registries[pl.registry].host
        guard up(from) else {
            pullDownloadFailed(p, "dial tcp \(model.infrastructure.hosts[from].name):443: connect: no route to host")
            return
        }
        pulls[p].flowStart = now
        pulls[p].flow = transfer(from: from, to: pl.host, bytes: Double(max(1, pl.bytes - pl.received)), token: 2 << 32 | Int64(p), cephRead: pl.registry)
    }

    /// A download attempt failed (the registry's host went down under it, or does not answer a
    /// retry): the bytes delivered stay on the host; dockerd tries again `attempt * 5` s later, and
    /// after the last attempt the pull fails with the download's error. The pull's layers travel as
    /// one flow, so they fail and retry together (dockerd counts attempts per layer; they fail at the
    /// same moments here).
    func pullDownloadFailed(_ p: Int, _ why: String) {
        let r = pulls[p].registry
        if let f = pulls[p].flow {
            let sent = f.slot >= 0 ? (network?.stopFlow(f) ?? 0)
                : timerRate(from: registries[r].host, to: pulls[p].host, cephRead: r, limit: nil) * (now - pulls[p].flowStart).seconds
            let got = min(pulls[p].bytes - pulls[p].received, Int64(max(0, sent).rounded(.down)))
            pulls[p].received += got
            registries[r].pulledBytes += got
            pulls[p].flow = nil
        }
        let pl = pulls[p]
        let hostName = model.infrastructure.hosts[pl.host].name
        let attempts = pullAttempts(host: pl.host)
        guard pl.attempt < attempts else {
            let image = images[pl.image]
            let error = "Get https://\(pullDomain(pl.name))/v2/\(image.repository)/blobs/\(pl.own.first.map { layers[$0].digest } ?? ""): \(why)"
            log("pullFailed", pl.name, "\(hostName) from \(registries[r].name): download attempt \(pl.attempt) of \(attempts) failed, \(pl.received) of \(pl.bytes) bytes received: \(error)")
            endPull(p, failed: true, error: error)
            return
        }
        let delay = 5 * pl.attempt
        log("pullRetry", pl.name, "\(hostName) from \(registries[r].name): download attempt \(pl.attempt) of \(attempts) failed (\(why)); \(pl.received) of \(pl.bytes) bytes received; retrying in \(delay) seconds")
        pulls[p].attempt += 1
        model.sim.schedule(after: .seconds(Int64(delay)), target: target, kind: Kind.pullRetry.rawValue, arg: Int64(pl.serial & 0x7FFF_FFFF) << 32 | Int64(p))
    }

    /// The registry part of a pulled name (`hub.example.com`, `dc01.hub.example.com`).
    func pullDomain(_ name: String) -> String { name.firstIndex(of: "/").map { String(name[..<$0]) } ?? spec.domain }

    /// dockerd's retry after its delay: the registry does not answer (the attempt fails at once), or
    /// a ranged GET for the rest (one round trip) before the bytes.
    func pullRetry(_ p: Int) {
        guard pulls[p].flow == nil, !pulls[p].flowDone else { return }
        let from = registries[pulls[p].registry].host
        guard up(from) else {
            pullDownloadFailed(p, "dial tcp \(model.infrastructure.hosts[from].name):443: connect: no route to host")
            return
        }
        model.sim.schedule(after: rtt(from, pulls[p].host), target: target, kind: Kind.pullStart.rawValue, arg: Int64(pulls[p].serial & 0x7FFF_FFFF) << 32 | Int64(p))
    }

    func pullTransferred(_ p: Int) {
        let pl = pulls[p]
        registries[pl.registry].pulledBytes += pl.bytes - pl.received
        // blobs that went to PGs below min_size during the pull: it waits and reads again (as
        // Mesos' pullDone does for the plain registry on Ceph)
        if registries[pl.registry].blobsOnCeph, let s = storage {
            let ref = ImageRef(name: pl.name, sizeBytes: imageBytes(pl.image))
            if let first = pl.waiters.first, let read = s.registryRead(image: ref, waiter: first), read.blocked {
                for w in pl.waiters.dropFirst() { _ = s.registryRead(image: ref, waiter: w) }
                log("pullBlocked", ref.name, "its blobs went to PGs below min_size during the pull of \(model.infrastructure.hosts[pl.host].name); it waits")
                pulls[p].waiters = []
                endPull(p, failed: true)
                return
            }
        }
        pulls[p].flow = nil
        pulls[p].flowDone = true
        for l in pl.own {
            hostLayers[pl.host].insert(l)
            downloading[Int64(pl.host) << 32 | Int64(l)] = nil
        }
        for d in pl.dependents where pulls[d.pull].active && pulls[d.pull].serial == d.serial {
            pulls[d.pull].awaiting -= 1
            if pulls[d.pull].awaiting == 0 && pulls[d.pull].flowDone { completePull(d.pull) }
        }
        pulls[p].dependents = []
        if pulls[p].awaiting == 0 { completePull(p) }
    }

    /// Every layer of the image is on the host: the pull is done.
    func completePull(_ p: Int) {
        for l in images[pulls[p].image].layers { hostLayers[pulls[p].host].insert(l) }
        endPull(p, failed: false)
    }

    /// The pull is over (done, or its registry went away): its waiters ask again. A pull that
    /// failed takes down the pulls waiting for its layers (they ask again too). `error`: dockerd's
    /// error after its last download attempt, which the waiters (and those of the pulls waiting for
    /// its layers, which watched the same downloads) get when they ask again.
    func endPull(_ p: Int, failed: Bool, error: String? = nil) {
        guard pulls[p].active else { return }
        if let f = pulls[p].flow { stopTransfer(f) }
        let pl = pulls[p]
        pulls[p].active = false; pulls[p].flow = nil; pulls[p].waiters = []; pulls[p].dependents = []
        pullOf[Int64(pl.host) << 32 | Int64(pl.image)] = nil
        for l in pl.own where downloading[Int64(pl.host) << 32 | Int64(l)] == p { downloading[Int64(pl.host) << 32 | Int64(l)] = nil }
        freePulls.append(p)
        if error != nil { registries[pl.registry].pullsFailed += pl.waiters.count }
        for w in pl.waiters {
            if let e = error { pullFailures[w] = e }
            containerizer?.resumePull(w)
        }
        if failed {
            for d in pl.dependents where pulls[d.pull].active && pulls[d.pull].serial == d.serial { endPull(d.pull, failed: true, error: error) }
        }
    }

    // MARK: pushes (Jenkins' docker push to the push registry)

    struct Push {
        var from: Int, image: Int
        var client: HarborPushClient
        var token: Int64
        var flow: ClusterNetwork.FlowHandle?
        var phase = 0   // 0 HEADs, 1 data, 2 manifest, 3 over
        /// The attempt of the layer uploads (dockerd's maxUploadAttempts).
        var attempt = 1
    }

    /// dockerd's layer uploads (moby/moby v17.03.0-ce distribution/xfer/upload.go): an upload
    /// that fails is tried again `attempt * 5` s later, 5 attempts in all (maxUploadAttempts);
    /// a reset connection or a registry that does not answer is retried (distribution/errors.go
    /// retryOnError: only auth, denied, unsupported and unknown-name answers are not).
    static let pushUploadAttempts = 5
    var pushes: [Push] = []

    /// `docker push` of `repository:tag` (layers by digest and size) from `host` to the push
    /// registry: HEAD every layer, upload the missing ones, PUT the manifest. The client hears
    /// when it is done or failed.
    public func push(repository: String, tag: String, layers l: [HarborLayer], from host: Int, client: HarborPushClient, token: Int64) -> Int {
        let i = addImage(repository: repository, tag: tag, layers: l.map(layer))
        pushes.append(Push(from: host, image: i, client: client, token: token))
        let p = pushes.count - 1
        model.sim.schedule(after: rtt(host, registries[spec.pushRegistry].host) * 2, target: target, kind: Kind.pushStep.rawValue, arg: Int64(p))
        return i
    }

    func pushStep(_ p: Int) {
        let r = spec.pushRegistry
        let reg = registries[r]
        let ps = pushes[p]
        guard ps.phase < 3 else { return }
        guard up(reg.host) else {
            // the ping (GET /v2/) before the uploads, or the manifest PUT after them: not retried
            pushes[p].phase = 3
            let ref = images[ps.image].reference
            let url = ps.phase == 0 ? "Get https://\(spec.domain)/v2/"
                : "Put https://\(spec.domain)/v2/\(ref.split(separator: ":").first ?? "")/manifests/\(ref.split(separator: ":").last ?? "")"
            ps.client.pushFinished(token: ps.token, image: ps.image, error: "\(url): dial tcp \(model.infrastructure.hosts[reg.host].name):443: connect: no route to host")
            return
        }
        if ps.phase == 0 {
            pushes[p].phase = 1
            pushUpload(p)
            return
        }
        pushes[p].phase = 3
        place(image: ps.image, in: r)
        log("imagePushed", images[ps.image].reference, "to \(reg.name) from \(model.infrastructure.hosts[ps.from].name)")
        ps.client.pushFinished(token: ps.token, image: ps.image, error: nil)
        pushEvent(image: ps.image, registry: r)
    }

    /// Uploads the layers the push registry lacks (one flow; none missing: straight to the manifest).
    func pushUpload(_ p: Int) {
        let reg = registries[spec.pushRegistry]
        let bytes = images[pushes[p].image].layers.filter { !reg.blobs.contains($0) }.reduce(Int64(0)) { $0 + layers[$1].sizeBytes }
        if bytes > 0 {
            pushes[p].flow = transfer(from: pushes[p].from, to: reg.host, bytes: Double(bytes), token: 3 << 32 | Int64(p))
            return
        }
        pushTransferred(p)
    }

    /// The layer uploads failed (the registry's host went down under them, or does not answer a
    /// retry): dockerd tries them again `attempt * 5` s later; after the last attempt the push fails.
    /// The layers travel as one flow, so a failure loses all of it (dockerd keeps the layers that
    /// were whole; a choice on the side of a later arrival).
    func pushUploadFailed(_ p: Int, _ why: String) {
        pushes[p].flow = nil
        let ps = pushes[p]
        guard ps.attempt < Self.pushUploadAttempts else {
            pushes[p].phase = 3
            ps.client.pushFinished(token: ps.token, image: ps.image, error: "\(why) (upload attempt \(ps.attempt) of \(Self.pushUploadAttempts))")
            return
        }
        let delay = 5 * ps.attempt
        log("pushRetry", images[ps.image].reference, "upload attempt \(ps.attempt) of \(Self.pushUploadAttempts) failed (\(why)); retrying in \(delay) seconds")
        pushes[p].attempt += 1
        model.sim.schedule(after: .seconds(Int64(delay)), target: target, kind: Kind.pushRetry.rawValue, arg: Int64(p))
    }

    func pushRetry(_ p: Int) {
        guard pushes[p].phase == 1, pushes[p].flow == nil else { return }
        let host = registries[spec.pushRegistry].host
        guard up(host) else {
            pushUploadFailed(p, "dial tcp \(model.infrastructure.hosts[host].name):443: connect: no route to host")
            return
        }
        pushUpload(p)
    }

    func pushTransferred(_ p: Int) {
        pushes[p].flow = nil
        pushes[p].phase = 2
        model.sim.schedule(after: rtt(pushes[p].from, registries[spec.pushRegistry].host), target: target, kind: Kind.pushStep.rawValue, arg: Int64(p))
    }

    // MARK: hosts

    func hostDown(_ h: Int) {
        // a Docker host that goes down takes its daemon's pulls with it
        for p in pulls.indices where pulls[p].active && pulls[p].host == h { endPull(p, failed: true) }
        // the registry's host went down under a pull's downloads: dockerd retries them (a pull not
        // yet downloading fails its first attempt when it asks for the blobs)
        for p in pulls.indices where pulls[p].active && pulls[p].flow != nil && registries[pulls[p].registry].host == h {
            pullDownloadFailed(p, "connection reset: \(model.infrastructure.hosts[h].name) went down")
        }
        // a push from a host that went down (Jenkins') is cut; its client hears it
        for p in pushes.indices where pushes[p].from == h && pushes[p].phase < 3 {
            if let f = pushes[p].flow { stopTransfer(f); pushes[p].flow = nil }
            pushes[p].phase = 3
            pushes[p].client.pushFinished(token: pushes[p].token, image: pushes[p].image, error: "connection reset: \(model.infrastructure.hosts[h].name) went down")
        }
        // the push registry's host went down under a push's layer uploads: dockerd retries them
        if registries[spec.pushRegistry].host == h {
            for p in pushes.indices where pushes[p].phase == 1 && pushes[p].from != h {
                guard let f = pushes[p].flow else { continue }
                stopTransfer(f)
                pushUploadFailed(p, "connection reset: \(model.infrastructure.hosts[h].name) went down")
            }
        }
        // the job service's host went down: every job on its workers dies with it, whatever step
        // it was at (before, a job between steps ran on until a later step failed it, at another time
        // and with another reason)
        for t in runningTasks where registries[tasks[t].runner].host == h {
            if let f = tasks[t].flow { stopTransfer(f); tasks[t].flow = nil }
            tasks[t].generation += 1
            jobFailed(t, "the job service's host \(model.infrastructure.hosts[h].name) went down")
        }
        for t in runningTasks where tasks[t].phase == .blobData && (registries[tasks[t].source].host == h || registries[tasks[t].destination].host == h) {
            blobFailed(t, "connection reset: \(model.infrastructure.hosts[h].name) went down")
        }
        for r in registries.indices where registries[r].host == h { log("registryDown", registries[r].name, "host \(model.infrastructure.hosts[h].name) down: pulls and replications to and from it fail") }
    }

    func hostUp(_ h: Int) {
        for r in registries.indices where registries[r].host == h {
            log("registryUp", registries[r].name, "host \(model.infrastructure.hosts[h].name) up")
            dispatch(r)
        }
    }
}

/// Who pushed an image (Jenkins) hears how the push ended.
public protocol HarborPushClient: AnyObject {
    func pushFinished(token: Int64, image: Int, error: String?)
}
