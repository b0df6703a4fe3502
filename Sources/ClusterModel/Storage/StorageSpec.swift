import SimKernel

// Plain values describing container storage: Docker's storage driver per host group, the host
// filesystem under /var/lib/docker, containers' writes (logs), operator actions and a Ceph
// cluster. Defaults are the real systems' defaults; docs/storage.md gives each source.

public let KiB: Int64 = 1 << 10
public let MiB: Int64 = 1 << 20
public let GiB: Int64 = 1 << 30

/// The `storage` section of a scenario.
public struct StorageSpec: Equatable, Sendable {
    /// Docker storage per host group (groups not listed have no storage model).
    public var hostGroups: [HostStorageSpec]
    /// What an operator does about storage, in file order.
    public var operatorActions: [StorageOperatorAction]
    /// A Ceph cluster (OSD hosts, clients), if any.
    public var ceph: CephSpec?
    public init(hostGroups: [HostStorageSpec] = [], operatorActions: [StorageOperatorAction] = [], ceph: CephSpec? = nil) {
        self.hostGroups = hostGroups; self.operatorActions = operatorActions; self.ceph = ceph
    }
}

public enum StorageDriverKind: String, Sendable, CaseIterable { case devicemapper, overlay2 }

public enum DeviceMapperMode: String, Sendable, CaseIterable {
    /// Sparse data and metadata files on the host filesystem, attached to loop devices.
    case loopLVM = "loop-lvm"
    /// An LVM thin pool on a volume group of its own block device.
    case directLVM = "direct-lvm"
}

/// Docker's storage on the hosts of one group.
public struct HostStorageSpec: Equatable, Sendable {
    public var hostGroup: String
    public var driver: StorageDriverKind
    public var mode: DeviceMapperMode
    /// The filesystem holding /var/lib/docker and the host volumes (default: the host's disk,
    /// minus the volume group in direct-lvm).
    public var rootFilesystemBytes: Int64
    /// Already used on that filesystem by the OS and everything else (default 0).
    public var rootFilesystemUsedBytes: Int64
    /// direct-lvm: the block device given to `dm.directlvm_device` (its whole size is the volume group).
    public var volumeGroupBytes: Int64
    public var options: DeviceMapperOptions
    /// How fast a pulled layer is registered: compressed layer bytes per second that gunzip and the
    /// storage driver's write of the files sustain (`docker pull`'s "Extracting" phase, after the
    /// download: moby/moby distribution/xfer/download.go, `archive.DecompressStream` then
    /// `layerStore.Register`). Nil: registration costs no time (the model before this key).
    public var layerExtractBytesPerSecond: Double?
    /// dockerd `--max-concurrent-downloads`: layer downloads the daemon runs at once, over all its
    /// pulls (one LayerDownloadManager per daemon: moby/moby daemon/daemon.go; a download holds
    /// its slot until its bytes are in, not while it is extracted: distribution/xfer/download.go
    /// closes `inactive` before registering). Default 3, dockerd's (`DefaultMaxConcurrentDownloads`);
    /// nil: no limit.
    public var maxConcurrentDownloads: Int?
    /// dockerd's default logging driver and options (daemon.json `log-driver`, `log-opts`):
    /// json-file, unbounded, by default (DockerLogging.swift).
    public var logOptions: DockerLogOptions
    /// overlay2's `overlay2.size`: an xfs project quota on every container's writable layer
    /// (moby/moby@v18.09.0 daemon/graphdriver/overlay2/overlay.go `CreateReadWrite` -> `create`:
    /// `quotaCtl.SetQuota` on the layer's directory); nil or 0: no quota.
    public var overlay2Size: Int64?
    /// dockerd's layer download attempts in all before a pull fails (distribution/xfer/download.go):
    /// 5 up to 19.03 (`retries == maxDownloadAttempts`); from 20.10 one plus
    /// `--max-download-attempts` (`retries > ldm.maxDownloadAttempts`), 6 by default.
    public var downloadAttempts: Int

    public init(hostGroup: String, driver: StorageDriverKind = .devicemapper, mode: DeviceMapperMode = .loopLVM,
                rootFilesystemBytes: Int64, rootFilesystemUsedBytes: Int64 = 0, volumeGroupBytes: Int64 = 0,
                options: DeviceMapperOptions = DeviceMapperOptions(), layerExtractBytesPerSecond: Double? = nil,
                maxConcurrentDownloads: Int? = 3, logOptions: DockerLogOptions = .daemonDefault,
                overlay2Size: Int64? = nil, downloadAttempts: Int = 5) {
        self.hostGroup = hostGroup; self.driver = driver; self.mode = mode; self.rootFilesystemBytes = rootFilesystemBytes
        self.rootFilesystemUsedBytes = rootFilesystemUsedBytes; self.volumeGroupBytes = volumeGroupBytes; self.options = options
        self.layerExtractBytesPerSecond = layerExtractBytesPerSecond; self.maxConcurrentDownloads = maxConcurrentDownloads
        self.logOptions = logOptions; self.overlay2Size = overlay2Size; self.downloadAttempts = downloadAttempts
    }
}

/// Docker `--storage-opt dm.*` options and the kernel/LVM settings behind them, with Docker's defaults
/// (moby/moby daemon/graphdriver/devmapper/deviceset.go; docs device-mapper-driver.md).
public struct DeviceMapperOptions: Equatable, Sendable {
    /// dm.loopdatasize: `defaultDataLoopbackSize` = 100 GiB (sparse).
    public var loopDataSize: Int64 = 100 * GiB
    /// dm.loopmetadatasize: `defaultMetaDataLoopbackSize` = 2 GiB (sparse).
    public var loopMetadataSize: Int64 = 2 * GiB
    /// dm.basesize: `defaultBaseFsSize` = 10 GiB, the size of every image and container device.
    public var baseSize: Int64 = 10 * GiB
    /// dm.blocksize: `defaultThinpBlockSize` = 128 sectors = 64 KiB.
    public var blockSize: Int64 = 64 * KiB
    /// dm.min_free_space: `defaultMinFreeSpacePercent` = 10 (0 disables the check).
    public var minFreeSpacePercent: Int = 10
    /// dm.blkdiscard: nil = Docker's default (on for loop devices, off otherwise).
    public var blkdiscard: Bool? = nil
    /// dm.thinp_percent / dm.thinp_metapercent: 95 / 1 (% of the volume group).
    public var thinpPercent: Int = 95
    public var thinpMetaPercent: Int = 1
    /// dm.thinp_autoextend_threshold / dm.thinp_autoextend_percent: 80 / 20.
    public var autoextendThreshold: Int = 80
    public var autoextendPercent: Int = 20
    /// dm.xfs_nospace_max_retries: nil = unset (XFS retries a failed write forever: the writer hangs).
    public var xfsNospaceMaxRetries: Int? = nil
    /// dm-thin's `no_space_timeout` module parameter: queued I/O on a full pool fails after 60 s
    /// (drivers/md/dm-thin.c, `no_space_timeout_secs = 60`).
    public var noSpaceTimeout: SimDuration = .seconds(60)
    /// Bytes of thin-pool metadata per mapped data block: the kernel's sizing guide
    /// (Documentation/device-mapper/thin-provisioning.txt: 48 * data size / block size).
    public var metadataBytesPerBlock: Int64 = 48
    public init() {}

    public func discard(mode: DeviceMapperMode) -> Bool { blkdiscard ?? (mode == .loopLVM) }
}

/// What container storage needs to know of an app's processes (the `logs` and `cephMount` keys of
/// the scenario's `marathon.behaviour` blocks): held by the Storage subsystem, keyed by the app id
/// (`StorageModel.apps`), and found for a container through its task's `TaskLaunch.source`.
public struct AppStorage: Equatable, Sendable {
    /// What the process writes (logs) to its writable layer or a host volume; nil: nothing.
    public var writes: ContainerWrites?
    /// A Ceph volume the container mounts through ceph-fuse (stateful apps); nil: none.
    public var cephMount: CephMountSpec?
    /// The process writes its logs to stdout/stderr (`"to": "sandbox"`) in a Docker container:
    /// Docker's logging driver keeps its own copy (DockerLogging.swift); nil: not so.
    public var dockerStdout: DockerStdout?
    public init(writes: ContainerWrites? = nil, cephMount: CephMountSpec? = nil, dockerStdout: DockerStdout? = nil) {
        self.writes = writes; self.cephMount = cephMount; self.dockerStdout = dockerStdout
    }
    public var isEmpty: Bool { writes == nil && cephMount == nil && dockerStdout == nil }
}

/// A Docker container's stdout as its logging driver sees it.
public struct DockerStdout: Equatable, Sendable {
    /// Bytes per line, the newline included (the driver frames each line).
    public var lineLength: Int
    /// The app's `log-driver` / `log-opt` parameters (`docker run --log-driver`, `--log-opt`).
    public var options: DockerLogOptions
    public init(lineLength: Int = ContainerWrites.defaultLineLength, options: DockerLogOptions = DockerLogOptions()) {
        self.lineLength = lineLength; self.options = options
    }
}

/// What a container writes, per second, to its writable layer or to a host volume.
public struct ContainerWrites: Equatable, Sendable {
    /// Bytes per second, drawn once per container (the process' logging rate).
    public var rate: Distribution
    /// The largest drawn rate taken: a scenario's largest rate (1000 Tbit/s, as `Units.maxRate`), so
    /// that a heavy-tailed draw (a lognormal of sigma 1e15 overflows to infinity) stays a number.
    public static let maxDrawnBytesPerSecond = 1e15 / 8
    /// A time profile over the run: from `at` on, the rate is `bytesPerSecond` (before the first
    /// step, the drawn `rate`).
    public var profile: [RateStep]
    /// Extra writes for a while, periodically.
    public var burst: WriteBurst?
    /// When set, the logs go to this host path (a host volume) instead of the writable layer.
    public var hostVolume: String?
    public var logrotate: LogrotateSpec
    /// The process' health check fails once its writable layer is full (like Spring Boot's
    /// DiskSpaceHealthIndicator, DOWN below 10 MB free).
    public var unhealthyWhenDiskFull = false
    /// `"to": "sandbox"`: the process writes `rate` to stdout/stderr, which the Mesos executor sends
    /// to the task's sandbox under the agent's work_dir (`TaskBehaviour.sandboxWriteRate`), not to
    /// the container's writable layer nor a host volume; container storage then sees no writes.
    public var toSandbox = false
    /// Bytes per line of that output (with `toSandbox`), the newline included: Docker's logging
    /// driver frames every line. Model choice: 100 bytes.
    public var lineLength = ContainerWrites.defaultLineLength
    public static let defaultLineLength = 100

    public init(rate: Distribution = .constant(0), profile: [RateStep] = [], burst: WriteBurst? = nil,
                hostVolume: String? = nil, logrotate: LogrotateSpec = LogrotateSpec()) {
        self.rate = rate; self.profile = profile; self.burst = burst; self.hostVolume = hostVolume; self.logrotate = logrotate
    }
}

public struct RateStep: Equatable, Sendable {
    public var at: SimDuration
    public var bytesPerSecond: Double
    public init(at: SimDuration, bytesPerSecond: Double) { self.at = at; self.bytesPerSecond = bytesPerSecond }
}

/// Every `every` from the container's start, `bytesPerSecond` more for `duration`.
public struct WriteBurst: Equatable, Sendable {
    public var every: SimDuration
    public var duration: SimDuration
    public var bytesPerSecond: Double
    public init(every: SimDuration, duration: SimDuration, bytesPerSecond: Double) {
        self.every = every; self.duration = duration; self.bytesPerSecond = bytesPerSecond
    }
}

/// logrotate on the host for a host volume's log files: run every `interval` (cron), rotate a file
/// that reached `size` (every run when nil), keep `rotate` old files.
public struct LogrotateSpec: Equatable, Sendable {
    /// Default: cron.daily runs logrotate once a day (logrotate's own cron entry).
    public var interval: SimDuration = .hours(24)
    /// `size`: nil = rotate at every run (the `daily` directive).
    public var size: Int64? = nil
    /// `rotate 4`: the distribution default in /etc/logrotate.conf (logrotate's own default is 0).
    public var rotate: Int = 4
    public init(interval: SimDuration = .hours(24), size: Int64? = nil, rotate: Int = 4) {
        self.interval = interval; self.size = size; self.rotate = rotate
    }
}

/// An operator action on Docker storage.
public struct StorageOperatorAction: Equatable, Sendable {
    public enum Action: String, Sendable, CaseIterable {
        /// Stop the daemon, remove every container and unused image (blkdiscard in loop mode), start it.
        case cleanPool
        /// Restart the Docker daemon: containers exit; it does not start while the pool is full.
        case restartDocker
        /// Grow the thin pool by `size` (lvextend with a new disk in the VG / a larger loop file).
        case extendPool
    }
    public enum Trigger: Equatable, Sendable {
        /// At a time, on a host or `count` hosts of a group (all its hosts when count is nil).
        case at(SimDuration, host: String?, hostGroup: String?)
        /// `delay` after a host's Docker daemon hangs (each host, once per hang).
        case dockerHung
        /// `delay` after a host's pool refuses its first device (below dm.min_free_space).
        case belowMinFree
        /// `delay` after a host's pool is full.
        case poolFull
    }
    public var action: Action
    public var trigger: Trigger
    /// How long the operator takes (reaction + work): the action takes effect this long after its trigger.
    public var delay: SimDuration
    /// extendPool: bytes added.
    public var size: Int64
    public init(action: Action, trigger: Trigger, delay: SimDuration = .zero, size: Int64 = 0) {
        self.action = action; self.trigger = trigger; self.delay = delay; self.size = size
    }
}
