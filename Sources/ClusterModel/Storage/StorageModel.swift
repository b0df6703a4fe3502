import SimKernel

/// Container storage of the cluster: Docker's storage driver on each host of the groups listed
/// in `storage.hostGroups`, the operator's actions, and Ceph. Implements `ContainerStorage` for
/// the Mesos agents. Writes are fluid; each host plans one event at its next threshold crossing
/// (pool below dm.min_free_space, autoextend, pool full, a device at dm.basesize, the host
/// filesystem full), re-planned when a rate changes. Nothing scans all hosts per event.
public final class StorageModel: EventHandler, ContainerStorage {
    public let spec: StorageSpec
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    public let hosts: [DockerHost]
    /// DockerHost index by host index.
    let hostOf: [Int?]
    /// Containers by task (looked up, never iterated).
    var byTask: [TaskID: DockerContainer] = [:]
    /// What each app's processes write and mount, by app id (the tasks' `TaskLaunch.source`);
    /// looked up, never iterated.
    public let apps: [String: AppStorage]
    /// Ceph volumes of containers created and not started yet (mounted when their process starts).
    var pendingMounts: [TaskID: CephMountSpec] = [:]
    public private(set) var ceph: CephCluster?
    /// The Mesos agents' containerizer this storage is plugged into (StorageSubsystem.swift); nil
    /// without a `mesos` section.
    var containerizer: Containerizer?

    // headline figures
    public private(set) var firstRefusal: SimTime?
    public private(set) var firstPoolFull: SimTime?
    public private(set) var firstHang: SimTime?
    public private(set) var refusals = 0
    public private(set) var tasksHung = 0
    /// Containers whose instance was lost to storage: hung in I/O, stuck at dm.basesize, or killed
    /// with the daemon while running.
    public private(set) var tasksLost = 0
    public private(set) var tasksKilledByOperator = 0
    public private(set) var hostsHung: [String] = []
    public private(set) var operatorActionsDone = 0

    /// Time the Docker daemon takes to stop and start again (model choice).
    public static let daemonRestartTime = SimDuration.seconds(10)

    enum Kind: Int32 { case plan = 1, rate, noSpaceTimeout, logrotate, remove, operatorAt, operatorDo, daemonStart, ceph }

    init(spec: StorageSpec, model: ClusterSimulation, apps: [String: AppStorage] = [:]) {
        self.spec = spec
        self.model = model
        self.apps = apps
        let infra = model.infrastructure
        var list: [DockerHost] = []
        var of = [Int?](repeating: nil, count: infra.hosts.count)
        for g in infra.groupNames {
            guard let hs = spec.hostGroups.first(where: { $0.hostGroup == g }) else { continue }
            for h in infra.hostsByGroup[g] ?? [] {
                of[h] = list.count
                list.append(DockerHost(index: list.count, host: infra.hosts[h], spec: hs))
            }
        }
        hosts = list
        hostOf = of
        if let c = spec.ceph { ceph = CephCluster(spec: c, model: model) }
    }

    public func register(in sim: Simulation) {
        target = sim.register(self)
        ceph?.target = target
    }

    var now: SimTime { model.sim.now }
    func log(_ event: String, _ subject: String, _ detail: String = "") { model.log("docker", event, subject, detail) }
    func schedule(_ k: Kind, at t: SimTime, _ arg: Int64) { model.sim.schedule(at: t, target: target, kind: k.rawValue, arg: arg) }
    func pack(_ i: Int, _ g: Int32) -> Int64 { IndexGeneration.pack(i, g) }
    /// `operatorDo`: which action, on which Docker host.
    static let operatorHost = ArgField("docker host", shift: 0, bits: 32)
    static let operatorAction = operatorHost.next("operator action", bits: 31)

    public func start() {
        for (i, a) in spec.operatorActions.enumerated() {
            if case .at(let t, _, _) = a.trigger { schedule(.operatorAt, at: SimTime.zero + t, Int64(i)) }
        }
        for h in hosts { h.syncLoopFile() }
        ceph?.start()
    }

    public func dockerHost(_ host: Int) -> DockerHost? { host >= 0 && host < hostOf.count ? hostOf[host].map { hosts[$0] } : nil }
    public func container(task: TaskID) -> DockerContainer? { byTask[task] }

    // MARK: ContainerStorage

    public func daemonState(host: Int) -> DockerDaemonState { dockerHost(host)?.daemon ?? .running }

    public func registerImage(host: Int, image: ImageRef) -> String? {
        guard let h = dockerHost(host) else { return nil }
        if h.images.contains(where: { $0.name == image.name }) { return nil }
        return replan(h) { () -> String? in
            if let e = h.poolFreeSpaceError() { return refuse(h, "pull \(image.name)", e) }
            h.images.append((image.name, image.sizeBytes))
            if h.isDeviceMapper {
                h.imageBlocks += (image.sizeBytes + h.opts.blockSize - 1) / h.opts.blockSize
                h.syncLoopFile()
            }
            return nil
        }
    }

    /// The extraction of a pulled image: its (compressed) size at the host group's `layerExtractRate`.
    /// Docker registers the layers one after the other, each after its parent, once downloaded
    /// (moby/moby distribution/xfer/download.go); with one blob per image the extraction follows
    /// the whole download (exact for one layer, an upper bound when layers overlap).
    public func layerExtractTime(host: Int, image: ImageRef) -> SimDuration {
        guard let h = dockerHost(host), let rate = h.spec.layerExtractBytesPerSecond, rate > 0 else { return .zero }
        return SimDuration.fromSeconds(Double(image.sizeBytes) / rate)
    }

    /// The daemon's download slots (dockerd's `--max-concurrent-downloads`): the Mesos containerizer
    /// queues the downloads beyond them first come, first served (MesosPulls.swift). A pull whose task
    /// goes away keeps its download (Docker cancels one only when every waiter leaves; not modelled).
    public func downloadSlots(host: Int) -> Int? {
        guard let h = dockerHost(host), let n = h.spec.maxConcurrentDownloads, n > 0 else { return nil }
        return n
    }

    /// dockerd's download attempts per layer on this host (`HostStorageSpec.downloadAttempts`).
    public func downloadAttempts(host: Int) -> Int? { dockerHost(host).map { max(1, $0.spec.downloadAttempts) } }

    public func createContainer(host: Int, task: TaskID, name: String, source: String?, image: ImageRef?) -> String? {
        let app = source.flatMap { apps[$0] }
        let e = createContainer(host: host, task: task, name: name, image: image, writes: app?.writes, stdout: app?.dockerStdout)
        if e == nil, let m = app?.cephMount { pendingMounts[task] = m }
        return e
    }

    func createContainer(host: Int, task: TaskID, name: String, image: ImageRef?, writes: ContainerWrites?, stdout: DockerStdout? = nil) -> String? {
        guard let h = dockerHost(host) else { return nil }
        return replan(h) { () -> String? in
            if let e = h.poolFreeSpaceError() { return refuse(h, "create \(name)", e) }
            // the logging driver's file (daemon/logs.go mergeAndVerifyLogConfig, the driver's New);
            // options Docker refuses never get here: the agent fails the launch first
            // (MesosCluster.dockerRunRefusal, the same DockerLogging.runRefusal)
            var log: ContainerLog? = nil
            if let out = stdout, case .success(let f) = DockerLogging.logFile(DockerLogging.merge(container: out.options, daemon: h.spec.logOptions)) {
                log = f.map { ContainerLog(file: $0, lineLength: out.lineLength) }
            }
            let c = DockerContainer(task: task, name: name, image: image?.name, host: h.index, writes: writes,
                                    stream: writes.map { _ in model.stream(StreamName.of("storage", name)) })
            c.stdoutLog = log
            c.slot = h.containers.count
            h.containers.append(c)
            byTask[task] = c
            if let w = writes, let path = w.hostVolume {
                c.logFile = h.logFiles.count
                h.logFiles.append(LogFile(path: path + "/" + name + ".log", spec: w.logrotate))
                if h.logrotateInterval == nil || w.logrotate.interval < h.logrotateInterval! { h.logrotateInterval = w.logrotate.interval }
                if !h.logrotateScheduled {
                    h.logrotateScheduled = true
                    schedule(.logrotate, at: now + h.logrotateInterval!, Int64(h.index))
                }
            }
            return nil
        }
    }

    func refuse(_ h: DockerHost, _ what: String, _ error: String) -> String {
        h.refusals += 1
        refusals += 1
        if firstRefusal == nil { firstRefusal = now }
        log("refused", h.name, "\(what): \(error)")
        return error
    }

    public func containerStarted(task: TaskID) {
        if let c = byTask[task] {
            let h = hosts[c.host]
            replan(h) {
                c.running = true
                c.startedAt = now
                if let w = c.writes, let s = c.stream {
                    let x = w.rate.sample(s)
                    c.baseRate = x.isNaN ? 0 : min(max(0, x), ContainerWrites.maxDrawnBytesPerSecond)
                }
                scheduleRateChange(c)
            }
        }
        // The process mounts the app's Ceph volume through ceph-fuse once it runs.
        if let m = pendingMounts.removeValue(forKey: task) { ceph?.clients?.mount(task: task, m) }
    }

    /// The process' stdout rate, drawn by the agent for its sandbox: the driver's file grows at it
    /// times its framing while the process runs.
    public func containerStdout(task: TaskID, bytesPerSecond: Double) {
        guard let c = byTask[task], let l = c.stdoutLog else { return }
        replan(hosts[c.host]) { l.stdoutRate = max(0, bytesPerSecond) }
    }

    public func containerExited(task: TaskID) {
        pendingMounts.removeValue(forKey: task)
        ceph?.clients?.unmount(task: task)
        guard let c = byTask[task], c.running else { return }
        let h = hosts[c.host]
        replan(h) {
            c.running = false
            c.hung = false
            c.gen &+= 1
        }
        // Mesos' Docker containerizer removes exited containers after --docker_remove_delay.
        let delay = containerizer?.dockerRemoveDelay ?? .hours(6)
        schedule(.remove, at: now + delay, pack(task, c.gen))
    }

    public func probeOutcome(task: TaskID) -> ProbeOutcome? {
        // a process whose ceph-fuse mount is blocked (a PG below min_size) hangs in I/O
        if let cl = ceph?.clients, cl.hung(task: task) { return .timedOut }
        guard let c = byTask[task] else { return nil }
        if c.hung { return .timedOut }
        if c.atBaseSize, c.writes?.unhealthyWhenDiskFull == true { return .failed(after: .milliseconds(5)) }
        return nil
    }

    /// `docker stop` does not return while the container's processes are in uninterruptible I/O
    /// (a full pool's queued writes, a blocked ceph-fuse mount) or the daemon hangs (moby/moby#26550,
    /// #20707). A container whose own filesystem is full (at `dm.basesize`) is not hung: its writes
    /// fail with ENOSPC and it stops on SIGTERM/SIGKILL as any other.
    public func stopBlocked(task: TaskID) -> Bool {
        if let cl = ceph?.clients, cl.hung(task: task) { return true }
        guard let c = byTask[task] else { return false }
        let h = hosts[c.host]
        return c.hung || h.daemon == .hung
    }

    /// One synchronous Ceph client operation per probe (model choice): the client latency of now.
    public func probeLatency(task: TaskID) -> SimDuration {
        guard let c = ceph, let cl = c.clients, cl.mounted(task: task) else { return .zero }
        return SimDuration(nanoseconds: Int64((c.clientLatencySeconds() * 1e9).rounded()))
    }

    public func registryRead(image: ImageRef, waiter: Int64) -> (blocked: Bool, bytesPerSecond: Double)? {
        guard let c = ceph, c.spec.registry, let cl = c.clients else { return nil }
        let v = cl.imageVolume(image)
        if v.blocked {
            if v.waiters.isEmpty { c.log("registryReadBlocked", image.name, "\(cl.why(v)): pulls wait") }
            v.waiters.append(waiter)
        }
        return (v.blocked, c.spec.clientReadBytesPerSecond)
    }

    func scheduleRateChange(_ c: DockerContainer) {
        if let t = c.nextDemandChange(after: now) { schedule(.rate, at: t, pack(c.task, c.gen)) }
    }

    // MARK: planning

    /// Advances the host to now, runs `change`, then re-evaluates thresholds and plans the next crossing.
    @discardableResult
    func replan<T>(_ h: DockerHost, _ change: () -> T) -> T {
        h.advance(to: now)
        let r = change()
        evaluate(h)
        return r
    }

    func replan(_ h: DockerHost) { replan(h) { () } }

    /// Applies what the current state implies (crossings at this instant), sets the rates and
    /// schedules the next crossing.
    func evaluate(_ h: DockerHost) {
        h.syncLoopFile()
        if h.isDeviceMapper {
            // direct-lvm autoextend (dmeventd: lvextend --use-policies) while the VG has room
            while h.spec.mode == .directLVM && h.opts.autoextendPercent > 0 && h.vgFreeBytes >= h.opts.blockSize
                    && h.dataUsedBlocks * 100 >= h.dataTotalBlocks * Int64(h.opts.autoextendThreshold) {
                let want = h.dataTotalBlocks * Int64(h.opts.autoextendPercent) / 100
                let add = min(want, h.vgFreeBytes / h.opts.blockSize)
                guard add > 0 else { break }
                h.dataTotalBlocks += add
                h.vgFreeBytes -= add * h.opts.blockSize
                h.extensions += 1
                log("poolExtended", h.name, "autoextend at \(h.opts.autoextendThreshold)%: +\(add) blocks to \(h.dataTotalBlocks) blocks (\(gib(Double(h.dataTotalBlocks) * h.blockSize)) GiB); volume group free \(gib(Double(h.vgFreeBytes))) GiB")
            }
            let below = h.opts.minFreeSpacePercent > 0 && h.dataFreeBlocks < h.minFreeDataBlocks
            if below != h.belowMinFree {
                h.belowMinFree = below
                if below {
                    log("poolBelowMinFree", h.name, "\(h.dataFreeBlocks) free data blocks < dm.min_free_space \(h.minFreeDataBlocks): new devices refused")
                    trigger(.belowMinFree, h)
                } else {
                    log("poolAboveMinFree", h.name, "\(h.dataFreeBlocks) free data blocks")
                }
            }
            let outOfSpace = h.dataUsedBlocks >= h.dataTotalBlocks || h.metadataUsedBytes >= h.metadataTotalBytes
            let loopFsFull = h.spec.mode == .loopLVM && h.fsFull
            if (outOfSpace || loopFsFull) && h.condition == .ok {
                if firstPoolFull == nil { firstPoolFull = now }
                if loopFsFull && !outOfSpace {
                    log("hostFilesystemFull", h.name, "the loop files' filesystem is full (\(gib(h.fsUsed)) GiB): loop device I/O errors")
                    fail(h)
                } else {
                    h.condition = .full
                    h.conditionGen &+= 1
                    log("poolFull", h.name, "thin pool out of data space (\(h.dataUsedBlocks) of \(h.dataTotalBlocks) blocks): I/O queued for \(h.opts.noSpaceTimeout)")
                    schedule(.noSpaceTimeout, at: now + h.opts.noSpaceTimeout, pack(h.index, h.conditionGen))
                    trigger(.poolFull, h)
                }
            } else if !outOfSpace && !loopFsFull && h.condition != .ok {
                // the pool grew: queued I/O goes through; XFS' retries succeed
                log("poolWritable", h.name, "\(h.dataFreeBlocks) free data blocks: I/O resumes")
                h.condition = .ok
                h.conditionGen &+= 1
                for c in h.containers where c.hung { c.hung = false }
                if h.daemon == .hung { setDaemon(h, .running, "I/O resumed") }
            }
        } else if h.fsFull && h.condition == .ok {
            h.condition = .full
            if firstPoolFull == nil { firstPoolFull = now }
            log("hostFilesystemFull", h.name, "\(gib(h.fsUsed)) GiB used: writes fail with ENOSPC, containers cannot be created")
        } else if !h.fsFull && h.condition != .ok {
            h.condition = .ok
            log("hostFilesystemWritable", h.name, "")
        }
        // rates
        let fsFull = h.fsFull
        for c in h.containers {
            c.layerRate = 0; c.volumeRate = 0
            // dockerd writes the process' output to the driver's file; on a full filesystem the
            // write fails, dockerd logs the error and the container goes on (copier.go)
            if let l = c.stdoutLog { l.rate = c.running && !c.hung && !fsFull ? l.stdoutRate * l.factor : 0 }
            guard c.running, !c.hung, !c.writeErrors else { if c.logFile >= 0 { h.logFiles[c.logFile].rate = 0 }; continue }
            let d = c.demand(at: now)
            if !h.isDeviceMapper {
                // overlay2: the writable layer (and a host volume) is the root filesystem itself;
                // when it is full the app's disk-space check sees no free space and fails
                if fsFull && c.writes?.unhealthyWhenDiskFull == true {
                    if !c.atBaseSize {
                        c.atBaseSize = true
                        markLost(c)
                        log("containerDeviceFull", c.name, "\(h.name): overlay2: the root filesystem under its writable layer is full: writes fail with ENOSPC")
                    }
                } else if !fsFull && !h.atOverlayQuota(c) {
                    c.atBaseSize = false
                }
            }
            if c.logFile >= 0 {
                h.logFiles[c.logFile].rate = fsFull ? 0 : d
                c.volumeRate = fsFull ? 0 : d
                continue
            }
            if h.isDeviceMapper {
                if Double(h.opts.baseSize) - c.layerBytes < 1 {
                    if !c.atBaseSize && d > 0 {
                        c.atBaseSize = true
                        markLost(c)
                        log("containerDeviceFull", c.name, "\(h.name): writable layer reached dm.basesize \(gib(Double(h.opts.baseSize))) GiB: writes fail with ENOSPC")
                    }
                    continue
                }
                if h.condition != .ok && d > 0 {
                    // a write needing a new block waits in the queue, or XFS retries it
                    if h.condition == .failing && h.opts.xfsNospaceMaxRetries != nil { c.writeErrors = true; continue }
                    hang(c, h)
                    continue
                }
                c.layerRate = d
            } else if let q = h.overlayQuota, h.atOverlayQuota(c) {
                // overlay2.size: the layer's xfs project quota is used up; its writes fail with
                // ENOSPC (the container is not hung), as at devicemapper's dm.basesize
                if !c.atBaseSize && d > 0 {
                    c.atBaseSize = true
                    markLost(c)
                    log("containerDeviceFull", c.name, "\(h.name): writable layer reached overlay2.size \(gib(q)) GiB (xfs project quota): writes fail with ENOSPC")
                }
            } else {
                c.layerRate = fsFull ? 0 : d
            }
        }
        for f in h.logFiles where f.rate > 0 && fsFull { f.rate = 0 }
        updateReduced(h)
        plan(h)
    }

    func markLost(_ c: DockerContainer) {
        guard !c.lost else { return }
        c.lost = true
        tasksLost += 1
    }

    func hang(_ c: DockerContainer, _ h: DockerHost) {
        guard !c.hung else { return }
        c.hung = true
        markLost(c)
        tasksHung += 1
        if firstHang == nil { firstHang = now }
        log("processHung", c.name, "\(h.name): write blocked on the \(h.condition == .full ? "full" : "failing") thin pool")
    }

    /// Queued I/O fails: XFS retries forever (writers and the daemon hang) unless
    /// dm.xfs_nospace_max_retries is set (writes fail with EIO).
    func fail(_ h: DockerHost) {
        h.condition = .failing
        h.conditionGen &+= 1
        if h.opts.xfsNospaceMaxRetries == nil {
            if h.daemon == .running { setDaemon(h, .hung, "devicemapper I/O fails and XFS retries it forever") }
        } else {
            log("writesFailing", h.name, "dm.xfs_nospace_max_retries=\(h.opts.xfsNospaceMaxRetries!): writes fail with EIO")
        }
    }

    func setDaemon(_ h: DockerHost, _ s: DockerDaemonState, _ why: String) {
        guard h.daemon != s else { return }
        h.daemon = s
        h.daemonGen &+= 1
        switch s {
        case .hung:
            h.hangs += 1
            if !hostsHung.contains(h.name) { hostsHung.append(h.name) }
            if firstHang == nil { firstHang = now }
            log("dockerHung", h.name, why)
            trigger(.dockerHung, h)
        case .running:
            log("dockerRunning", h.name, why)
            h.daemonStartFailed = false
            if h.removalsPending { removeDue(h) }
            // launches that waited for the daemon have been failed by executor_registration_timeout
            // already; stalled kills go through now
            containerizer?.ioResumed(host: h.host.index)
        case .stopped:
            log("dockerStopped", h.name, why)
        }
        updateReduced(h)
    }

    /// The host cannot start containers: daemon not running, or the pool refuses new devices.
    func updateReduced(_ h: DockerHost) {
        let reduced = h.host.state.isUp && (h.daemon != .running || h.condition != .ok || h.belowMinFree)
        if reduced && h.reducedSince == nil { h.reducedSince = now }
        if !reduced, let s = h.reducedSince { h.reducedTotal += now - s; h.reducedSince = nil }
    }

    public func reducedCapacity(at t: SimTime) -> SimDuration {
        hosts.reduce(SimDuration.zero) { $0 + $1.reducedTotal + ($1.reducedSince.map { t - $0 } ?? .zero) }
    }

    /// Schedules the host's next threshold crossing.
    func plan(_ h: DockerHost) {
        h.planGen &+= 1
        var best = Double.infinity
        let bs = h.blockSize
        if h.isDeviceMapper && h.condition == .ok {
            let used = h.dataUsedBlocks
            var targets: [Int64] = [h.dataTotalBlocks]
            if !h.belowMinFree && h.minFreeDataBlocks > 0 { targets.append(h.dataTotalBlocks - h.minFreeDataBlocks + 1) }
            if h.spec.mode == .directLVM && h.vgFreeBytes >= h.opts.blockSize {
                targets.append((h.dataTotalBlocks * Int64(h.opts.autoextendThreshold) + 99) / 100)
            }
            if let u = targets.filter({ $0 > used }).min(), let dt = timeToAllocate(h, reach: u) { best = min(best, dt) }
            for c in h.containers where c.layerRate > 0 {
                best = min(best, max(0, Double(h.opts.baseSize) - c.layerBytes) / c.layerRate)
            }
        }
        if let q = h.overlayQuota {
            for c in h.containers where c.layerRate > 0 && !h.atOverlayQuota(c) { best = min(best, (q - c.layerBytes) / c.layerRate) }
        }
        // host filesystem
        if !h.fsFull {
            var rate = h.logFiles.reduce(0) { $0 + $1.rate }
            // Docker's log files: their rotations only lower the usage, so counting them at their
            // rate never plans the crossing late. Files that have reached their rotation cycle stay
            // below their bound: left out when even at their bounds the filesystem has room.
            var cycling = 0.0, headroom = 0.0
            for c in h.containers {
                guard let l = c.stdoutLog, l.rate > 0 else { continue }
                if let b = l.file.bound(entry: l.entry), l.written >= b { cycling += l.rate; headroom += b - l.bytes } else { rate += l.rate }
            }
            if cycling > 0 && (rate > 0 || h.fsUsed + headroom >= h.fsCapacity) { rate += cycling }
            if !h.isDeviceMapper { rate += h.containers.reduce(0) { $0 + $1.layerRate } }
            if h.isDeviceMapper && h.spec.mode == .loopLVM {
                let poolRate = h.containers.reduce(0) { $0 + $1.layerRate }
                let poolBytes = Double(h.dataUsedBlocks) * bs + Double(h.metadataUsedBytes)
                if poolRate > 0 {
                    let gap = h.loopFileBytes - poolBytes
                    if gap > bs { best = min(best, gap / poolRate) } else { rate += poolRate }
                }
            }
            if rate > 0 { best = min(best, (h.fsCapacity - h.fsUsed) / rate) }
        }
        guard best.isFinite else { return }
        // one nanosecond past the crossing, so the block boundary is passed
        let d = SimDuration(nanoseconds: Int64(min((best * 1e9).rounded(.up), 9e18)) + 1)  // a crossing centuries away saturates
        schedule(.plan, at: now + d, pack(h.index, h.planGen))
    }

    /// Earliest time (s) at which the pool's allocated blocks reach `u`, counting each writer's
    /// partly written block as allocated once it starts it (so a single writer is exact to the block).
    func timeToAllocate(_ h: DockerHost, reach u: Int64) -> Double? {
        let bs = h.blockSize
        let need = Double(u - h.dataUsedBlocks)
        if need <= 0 { return 0 }
        var writers: [(tau: Double, c: DockerContainer)] = []
        for c in h.containers where c.layerRate > 0 {
            writers.append((max(0, (Double(c.layerBlocks) * bs - c.layerBytes) / c.layerRate), c))
        }
        writers.sort { $0.tau < $1.tau || ($0.tau == $1.tau && $0.c.task < $1.c.task) }
        var constant = 0.0, slope = 0.0
        for w in writers {
            if slope > 0 {
                let x = (need - constant) / slope
                if x < w.tau { return max(0, x) }
            }
            // from tau on: (bytes + r*dt)/bs + 1 - k more blocks
            constant += w.c.layerBytes / bs + 1 - Double(w.c.layerBlocks)
            slope += w.c.layerRate / bs
            if constant + slope * w.tau >= need { return w.tau }
        }
        guard slope > 0 else { return nil }
        return max(0, (need - constant) / slope)
    }

    func trigger(_ t: StorageOperatorAction.Trigger, _ h: DockerHost) {
        for (i, a) in spec.operatorActions.enumerated() where a.trigger == t {
            schedule(.operatorDo, at: now + a.delay, Self.operatorHost.encode(h.index) | Self.operatorAction.encode(i))
        }
    }

    // MARK: events

    public func handle(_ event: Event, in sim: Simulation) {
        let (i, g) = IndexGeneration.unpack(event.arg)
        switch Kind(rawValue: event.kind)! {
        case .plan:
            if hosts[i].planGen == g { replan(hosts[i]) }
        case .rate:
            guard let c = byTask[i], c.gen == g, c.running else { return }
            replan(hosts[c.host])
            scheduleRateChange(c)
        case .noSpaceTimeout:
            let h = hosts[i]
            guard h.conditionGen == g, h.condition == .full else { return }
            log("poolIOFailed", h.name, "queued I/O failed after no_space_timeout \(h.opts.noSpaceTimeout)")
            replan(h) { fail(h) }
        case .logrotate:
            let h = hosts[i]
            replan(h) { logrotate(h) }
            if let iv = h.logrotateInterval { schedule(.logrotate, at: now + iv, Int64(i)) }
        case .remove:
            guard let c = byTask[i], c.gen == g, !c.running, c.exists else { return }
            let h = hosts[c.host]
            if h.daemon != .running { h.removalsPending = true; return }
            replan(h) { remove(c, h) }
        case .operatorAt:
            let a = spec.operatorActions[Int(event.arg)]
            guard case .at(_, let host, let group) = a.trigger else { return }
            for h in hosts where (host == nil || h.name == host) && (group == nil || h.host.group == group) {
                perform(Int(event.arg), h)
            }
        case .operatorDo:
            perform(Self.operatorAction.decode(event.arg), hosts[Self.operatorHost.decode(event.arg)])
        case .daemonStart:
            let h = hosts[i]
            guard h.daemonGen == g, h.daemon == .stopped, h.host.state.isUp else { return }
            startDaemon(h)
        case .ceph:
            ceph?.handle(event)
        }
    }

    func logrotate(_ h: DockerHost) {
        for f in h.logFiles {
            let due = f.spec.size.map { f.bytes >= Double($0) } ?? (f.bytes > 0)
            guard due else { continue }
            f.rotated.insert(f.bytes, at: 0)
            f.bytes = 0
            while f.rotated.count > f.spec.rotate { f.rotated.removeLast() }
        }
    }

    func remove(_ c: DockerContainer, _ h: DockerHost) {
        guard c.exists else { return }
        c.exists = false
        h.deleteDevice(c)
        let last = h.containers.removeLast()
        if last !== c { h.containers[c.slot] = last; last.slot = c.slot }
        c.slot = -1
        byTask[c.task] = nil
    }

    func removeDue(_ h: DockerHost) {
        h.removalsPending = false
        let delay = containerizer?.dockerRemoveDelay ?? .hours(6)
        replan(h) {
            for c in h.containers.filter({ !$0.running }) where now - c.startedAt >= delay { remove(c, h) }
        }
    }

    // MARK: operator actions

    func perform(_ index: Int, _ h: DockerHost) {
        let a = spec.operatorActions[index]
        guard h.host.state.isUp else { return }
        operatorActionsDone += 1
        switch a.action {
        case .restartDocker:
            log("operatorRestartDocker", h.name, "systemctl restart docker")
            stopDaemon(h, "restarted by the operator")
            schedule(.daemonStart, at: now + Self.daemonRestartTime, pack(h.index, h.daemonGen))
        case .cleanPool:
            log("operatorCleanPool", h.name, "docker stopped; every container removed")
            stopDaemon(h, "stopped by the operator to clean the pool")
            replan(h) { for c in h.containers { remove(c, h) } }
            schedule(.daemonStart, at: now + Self.daemonRestartTime, pack(h.index, h.daemonGen))
        case .extendPool:
            guard h.isDeviceMapper else { log("operatorExtendPoolIgnored", h.name, "overlay2 has no pool"); return }
            let add = a.size / h.opts.blockSize
            replan(h) {
                h.dataTotalBlocks += add
                h.extensions += 1
                log("operatorExtendPool", h.name, "+\(add) blocks: \(h.dataTotalBlocks) blocks (\(gib(Double(h.dataTotalBlocks) * h.blockSize)) GiB)")
            }
        }
    }

    /// The daemon stops: every container's process is killed (live-restore is off by default).
    func stopDaemon(_ h: DockerHost, _ why: String) {
        replan(h) {
            for c in h.containers where c.running {
                if c.hung { tasksKilledByOperator += 1 }
                markLost(c)
                c.running = false; c.hung = false; c.gen &+= 1
                containerizer?.containerDied(task: c.task, reason: "docker daemon stopped: \(why)")
            }
            setDaemon(h, .stopped, why)
        }
        // exited containers wait for docker_remove_delay as before
        for c in h.containers where !c.running {
            let delay = containerizer?.dockerRemoveDelay ?? .hours(6)
            schedule(.remove, at: now + delay, pack(c.task, c.gen))
        }
    }

    func startDaemon(_ h: DockerHost) {
        replan(h) {
            if h.isDeviceMapper && (h.dataUsedBlocks >= h.dataTotalBlocks || (h.spec.mode == .loopLVM && h.fsFull)) {
                h.daemonStartFailed = true
                log("dockerStartFailed", h.name, "the thin pool is full and cannot be activated (moby/moby#20272)")
                return
            }
            setDaemon(h, .running, "started")
        }
    }

    // MARK: hosts

    func hostWentDown(_ host: Host, orderly: Bool = false) {
        ceph?.hostWentDown(host, orderly: orderly)
        guard let h = dockerHost(host.index) else { return }
        replan(h) {
            for c in h.containers where c.running { c.running = false; c.hung = false; c.gen &+= 1 }
            h.daemon = .stopped
            h.daemonGen &+= 1
        }
        if let s = h.reducedSince { h.reducedTotal += now - s; h.reducedSince = nil }
    }

    func hostCameUp(_ host: Host) {
        ceph?.hostCameUp(host)
        guard let h = dockerHost(host.index) else { return }
        // The pool and the containers' devices survive the reboot. A daemon that cannot activate
        // a full pool (moby/moby#20272) does not start, and the pool stays as it was.
        startDaemon(h)
        guard h.daemon == .running else { return }
        // The agent comes back with a new id: --docker_kill_orphans removes the old containers
        // through the daemon (apache/mesos src/slave/containerizer/docker.cpp `__recover`: `docker
        // ps`, then stop and remove each orphan), so only once it runs.
        replan(h) {
            for c in h.containers { remove(c, h) }
            h.condition = .ok
        }
    }

    // MARK: metrics

    /// Brings every host's fluid state to now (for sampling).
    public func sync() { for h in hosts { h.advance(to: now) } }

    public func summary() -> StorageSummary {
        let t = now
        return StorageSummary(firstRefusal: firstRefusal, firstPoolFull: firstPoolFull, firstHang: firstHang,
                              refusals: refusals, tasksHung: tasksHung, tasksLost: tasksLost, tasksKilledByOperator: tasksKilledByOperator,
                              hostsHung: hostsHung, reducedCapacity: reducedCapacity(at: t),
                              poolExtensions: hosts.reduce(0) { $0 + $1.extensions }, operatorActions: operatorActionsDone)
    }
}

func gib(_ bytes: Double) -> String { NumberFormat.decimal(bytes / Double(GiB), 3) }

/// Headline figures of container storage.
public struct StorageSummary: Sendable {
    public var firstRefusal: SimTime?
    public var firstPoolFull: SimTime?
    public var firstHang: SimTime?
    public var refusals: Int
    /// Container processes that hung in I/O.
    public var tasksHung: Int
    public var tasksLost: Int
    /// Hung containers killed by an operator's daemon stop.
    public var tasksKilledByOperator: Int
    public var hostsHung: [String]
    /// Sum over hosts of the time each could not start containers (daemon not running, pool full
    /// or below dm.min_free_space).
    public var reducedCapacity: SimDuration
    public var poolExtensions: Int
    public var operatorActions: Int
}
