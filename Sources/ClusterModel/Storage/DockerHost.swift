import SimKernel

// The state of Docker's storage on one host: the host filesystem under /var/lib/docker, the
// devicemapper thin pool (or overlay2 layers on the filesystem), images, containers' writable
// layers and host-volume log files. Writes are fluid: each writer has a rate and the state is
// advanced analytically between events (StorageModel plans the next threshold crossing).

/// The thin pool's condition.
public enum PoolCondition: String, Sendable {
    /// Serving.
    case ok
    /// Out of data space: new-block I/O is queued (dm-thin), waiting for the pool to grow.
    case full
    /// Queued I/O failed (no_space_timeout) or the loop file's filesystem is full: writes to new
    /// blocks fail; XFS retries them (forever unless dm.xfs_nospace_max_retries is set).
    case failing
}

/// One container as Docker's storage sees it.
public final class DockerContainer {
    public let task: TaskID
    public let name: String
    public let image: String?
    let host: Int
    let writes: ContainerWrites?
    let stream: RandomStream?
    /// Bytes written into the writable layer.
    public internal(set) var layerBytes: Double = 0
    /// Thin-pool blocks allocated to the container's device (devicemapper).
    public internal(set) var layerBlocks: Int64 = 0
    /// The process is running (between start and exit).
    public internal(set) var running = false
    /// The container exists (not removed yet).
    var exists = true
    /// Blocked in I/O on a full or failing pool (D state).
    public internal(set) var hung = false
    /// Its device reached dm.basesize: its writes fail with ENOSPC.
    public internal(set) var atBaseSize = false
    /// Writes fail permanently (EIO after dm.xfs_nospace_max_retries).
    var writeErrors = false
    /// Counted once among the instances lost to storage.
    var lost = false
    /// The drawn base rate (bytes/s).
    var baseRate: Double = 0
    var startedAt = SimTime.zero
    /// Effective rate into the writable layer / the log file since the last update (bytes/s).
    var layerRate: Double = 0
    var volumeRate: Double = 0
    /// Index of its log file in the host's `logFiles` (host volume), -1 when none.
    var logFile = -1
    /// cAdvisor's device name of its writable layer, made on its first scrape (StorageMetrics.swift).
    var exporterDevice: String?
    /// Docker's copy of its stdout (json-file or local driver); nil: no file on the host.
    public internal(set) var stdoutLog: ContainerLog?
    var gen: Int32 = 0
    var slot = -1

    init(task: TaskID, name: String, image: String?, host: Int, writes: ContainerWrites?, stream: RandomStream?) {
        self.task = task; self.name = name; self.image = image; self.host = host; self.writes = writes; self.stream = stream
    }

    /// Nominal write rate at `now` (profile, drawn rate, bursts), before any failure.
    func demand(at now: SimTime) -> Double {
        guard let w = writes, running else { return 0 }
        var r = baseRate
        for s in w.profile where now.sinceStart >= s.at { r = s.bytesPerSecond }
        if let b = w.burst, b.every > .zero {
            let phase = (now - startedAt).nanoseconds % b.every.nanoseconds
            if phase >= b.every.nanoseconds - b.duration.nanoseconds { r += b.bytesPerSecond }
        }
        return max(0, r)
    }

    /// Next instant after `now` at which `demand` changes (profile step or burst edge).
    func nextDemandChange(after now: SimTime) -> SimTime? {
        guard let w = writes, running else { return nil }
        var next: SimTime? = nil
        for s in w.profile where SimTime.zero + s.at > now { next = SimTime.zero + s.at; break }
        if let b = w.burst, b.every > .zero, b.duration > .zero {
            let e = b.every.nanoseconds, d = b.duration.nanoseconds
            let since = (now - startedAt).nanoseconds
            let phase = since % e
            let start = e - d   // burst occupies [e-d, e) of each period
            let delta = phase < start ? start - phase : e - phase
            let t = now + SimDuration(nanoseconds: delta)
            if next == nil || t < next! { next = t }
        }
        return next
    }
}

/// The log files Docker's logging driver keeps for a container under
/// /var/lib/docker/containers/<id>/ (DockerLogging.swift): fluid, rotated in closed form.
public final class ContainerLog {
    public let file: DockerLogFile
    /// Bytes the driver writes per byte of the process' output (its framing).
    public let factor: Double
    public let entry: Int
    /// The process' output rate (bytes/s), once the agent has drawn it.
    var stdoutRate: Double = 0
    /// Bytes written through the driver so far, rotations included.
    public internal(set) var written: Double = 0
    /// Bytes per second going into the file now.
    var rate: Double = 0
    init(file: DockerLogFile, lineLength: Int) {
        self.file = file
        entry = file.entryBytes(lineLength: lineLength)
        factor = Double(entry) / Double(max(1, lineLength))
    }
    /// Bytes on disk: the current file and the rotated ones kept.
    public var bytes: Double { file.onDisk(written: written, entry: entry) }
}

/// A log file in a host volume, rotated by logrotate.
public final class LogFile {
    public let path: String
    let spec: LogrotateSpec
    public internal(set) var bytes: Double = 0
    /// Rotated files, newest first.
    public internal(set) var rotated: [Double] = []
    var rate: Double = 0
    init(path: String, spec: LogrotateSpec) { self.path = path; self.spec = spec }
    public var totalBytes: Double { bytes + rotated.reduce(0, +) }
}

/// Docker storage on one host.
public final class DockerHost {
    public let index: Int
    public let host: Host
    public let spec: HostStorageSpec
    var opts: DeviceMapperOptions { spec.options }
    public var isDeviceMapper: Bool { spec.driver == .devicemapper }
    let blockSize: Double

    // host filesystem (/var/lib/docker, host volumes)
    public let fsCapacity: Double
    /// loop-lvm: bytes allocated by the sparse data file on the host filesystem.
    public internal(set) var loopFileBytes: Double = 0

    // thin pool (devicemapper)
    public internal(set) var dataTotalBlocks: Int64 = 0
    public internal(set) var metadataTotalBytes: Int64 = 0
    /// direct-lvm: free bytes of the volume group (for autoextend).
    public internal(set) var vgFreeBytes: Int64 = 0
    public internal(set) var imageBlocks: Int64 = 0
    /// Sum of the containers' allocated blocks.
    public internal(set) var containerBlocks: Int64 = 0
    /// Images on the host (name, bytes), in pull order.
    public internal(set) var images: [(name: String, bytes: Int64)] = []
    public internal(set) var condition = PoolCondition.ok
    public internal(set) var belowMinFree = false
    var conditionGen: Int32 = 0

    // daemon
    public internal(set) var daemon = DockerDaemonState.running
    var daemonGen: Int32 = 0
    /// The daemon failed to start because the pool is full (moby/moby#20272).
    public internal(set) var daemonStartFailed = false
    var removalsPending = false

    public internal(set) var containers: [DockerContainer] = []
    public internal(set) var logFiles: [LogFile] = []
    var lastUpdate = SimTime.zero
    var planGen: Int32 = 0
    var logrotateScheduled = false
    var logrotateInterval: SimDuration? = nil

    // figures
    public internal(set) var refusals = 0
    public internal(set) var hangs = 0
    public internal(set) var extensions = 0
    var reducedSince: SimTime? = nil
    public internal(set) var reducedTotal: SimDuration = .zero
    public internal(set) var hungTotal = 0

    init(index: Int, host: Host, spec: HostStorageSpec) {
        self.index = index; self.host = host; self.spec = spec
        blockSize = Double(spec.options.blockSize)
        fsCapacity = Double(spec.rootFilesystemBytes)
        if spec.driver == .devicemapper {
            switch spec.mode {
            case .loopLVM:
                dataTotalBlocks = spec.options.loopDataSize / spec.options.blockSize
                metadataTotalBytes = spec.options.loopMetadataSize
            case .directLVM:
                // lvcreate -l thinp_percent%VG / thinp_metapercent%VG (device-mapper-driver.md)
                let vg = spec.volumeGroupBytes
                let data = vg / 100 * Int64(spec.options.thinpPercent)
                let meta = vg / 100 * Int64(spec.options.thinpMetaPercent)
                dataTotalBlocks = data / spec.options.blockSize
                metadataTotalBytes = meta
                vgFreeBytes = vg - dataTotalBlocks * spec.options.blockSize - meta
            }
        }
    }

    public var name: String { host.name }
    /// overlay2.size: the project quota of every container's writable layer (bytes), nil when none.
    var overlayQuota: Double? { !isDeviceMapper ? spec.overlay2Size.flatMap { $0 > 0 ? Double($0) : nil } : nil }
    /// The container's writable layer is at its overlay2.size quota: its writes get ENOSPC.
    func atOverlayQuota(_ c: DockerContainer) -> Bool { overlayQuota.map { $0 - c.layerBytes < 1 } ?? false }
    public var dataUsedBlocks: Int64 { imageBlocks + containerBlocks }
    public var dataFreeBlocks: Int64 { max(0, dataTotalBlocks - dataUsedBlocks) }
    public var devices: Int { images.count + containers.count + 1 }
    /// Thin-pool metadata in use: one 4 KiB metadata block per thin device plus the mapping of
    /// every data block (48 bytes, the kernel's sizing guide).
    public var metadataUsedBytes: Int64 { Int64(devices) * 4096 + dataUsedBlocks * opts.metadataBytesPerBlock }
    /// deviceset.go poolHasFreeSpace: min free = total * percent / 100 (at least 1).
    public var minFreeDataBlocks: Int64 { opts.minFreeSpacePercent == 0 ? 0 : max(1, dataTotalBlocks * Int64(opts.minFreeSpacePercent) / 100) }
    var minFreeMetadataBytes: Int64 { opts.minFreeSpacePercent == 0 ? 0 : max(4096, metadataTotalBytes * Int64(opts.minFreeSpacePercent) / 100) }
    public var dataFreeRatio: Double { dataTotalBlocks > 0 ? Double(dataFreeBlocks) / Double(dataTotalBlocks) : 1 }

    /// Bytes of overlay2 layers on the host filesystem (overlay2 only).
    public var overlayBytes: Double {
        guard !isDeviceMapper else { return 0 }
        return Double(images.reduce(0) { $0 + $1.bytes }) + containers.reduce(0) { $0 + $1.layerBytes }
    }
    public var volumesBytes: Double { logFiles.reduce(0) { $0 + $1.totalBytes } }
    /// Docker's log files of the containers (json-file, local) under /var/lib/docker/containers.
    public var containerLogsBytes: Double { containers.reduce(0) { $0 + ($1.stdoutLog?.bytes ?? 0) } }
    public var fsUsed: Double { Double(spec.rootFilesystemUsedBytes) + loopFileBytes + overlayBytes + volumesBytes + containerLogsBytes }
    public var fsFull: Bool { fsUsed >= fsCapacity }

    /// poolHasFreeSpace (deviceset.go): nil, or the error Docker prints.
    func poolFreeSpaceError() -> String? {
        guard isDeviceMapper else {
            return fsFull ? "no space left on device" : nil
        }
        // a full pool has 0 free blocks: poolHasFreeSpace's own words (with dm.min_free_space 0
        // Docker does not check; the model refuses the device all the same, its I/O could not run)
        if condition != .ok { return "devmapper: Thin Pool has \(dataFreeBlocks) free data blocks which is less than minimum required \(max(1, minFreeDataBlocks)) free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior" }
        if dataFreeBlocks < minFreeDataBlocks {
            return "devmapper: Thin Pool has \(dataFreeBlocks) free data blocks which is less than minimum required \(minFreeDataBlocks) free data blocks. Create more free space in thin pool or use dm.min_free_space option to change behavior"
        }
        let metaFree = metadataTotalBytes - metadataUsedBytes
        if metaFree < minFreeMetadataBytes {
            return "devmapper: Thin Pool has \(max(0, metaFree) / 4096) free metadata blocks which is less than minimum required \(minFreeMetadataBytes / 4096) free metadata blocks. Create more free metadata space in thin pool or use dm.min_free_space option to change behavior"
        }
        if spec.mode == .loopLVM && fsFull { return "devmapper: loop device I/O error: no space left on the filesystem under /var/lib/docker/devicemapper" }
        return nil
    }

    /// Moves the fluid state from `lastUpdate` to `now` at the rates in force.
    func advance(to now: SimTime) {
        let dt = (now - lastUpdate).seconds
        lastUpdate = now
        guard dt > 0 else { return }
        for c in containers {
            if c.layerRate > 0 {
                c.layerBytes += c.layerRate * dt
                if let q = overlayQuota { c.layerBytes = min(c.layerBytes, q) }
                if isDeviceMapper {
                    c.layerBytes = min(c.layerBytes, Double(opts.baseSize))
                    let k = Int64((c.layerBytes / blockSize).rounded(.up))
                    if k > c.layerBlocks { containerBlocks += k - c.layerBlocks; c.layerBlocks = k }
                }
            }
        }
        if isDeviceMapper && containerBlocks + imageBlocks > dataTotalBlocks {
            // the pool cannot hand out more blocks than it has (the crossing event is due now)
            containerBlocks = dataTotalBlocks - imageBlocks
        }
        for f in logFiles where f.rate > 0 { f.bytes += f.rate * dt }
        for c in containers { if let l = c.stdoutLog, l.rate > 0 { l.written += l.rate * dt } }
        syncLoopFile()
    }

    /// loop-lvm: the sparse data file holds every block the pool ever allocated since the last
    /// discard (a freed block stays allocated in the file without blkdiscard).
    func syncLoopFile() {
        guard isDeviceMapper, spec.mode == .loopLVM else { return }
        let used = Double(dataUsedBlocks) * blockSize + Double(metadataUsedBytes)
        if used > loopFileBytes { loopFileBytes = used }
    }

    /// Frees a container's blocks (its device is deleted).
    func deleteDevice(_ c: DockerContainer) {
        containerBlocks -= c.layerBlocks
        let freed = Double(c.layerBlocks) * blockSize
        c.layerBlocks = 0
        if spec.mode == .loopLVM && opts.discard(mode: spec.mode) { loopFileBytes = max(0, loopFileBytes - freed) }
    }
}
