import SimKernel

/// What the Mesos agent's containerizer asks the host's container storage (Docker's storage
/// driver and daemon). Without a `storage` section `NoContainerStorage` answers: everything is
/// allowed, nothing hangs, so Mesos behaves as if storage were unlimited.
public protocol ContainerStorage: AnyObject {
    /// Whether the Docker daemon on the host can act now: `.running`, `.hung` (calls never
    /// return: a launch stays in STAGING), `.stopped` (calls fail at once).
    func daemonState(host: Int) -> DockerDaemonState
    /// Registers a pulled image's layers (a thin device per layer). Nil when done, else Docker's
    /// error message (the pull fails).
    func registerImage(host: Int, image: ImageRef) -> String?
    /// Time the host's Docker takes to extract (decompress and write through its storage driver)
    /// the layers of a pulled image after their download; zero when not modelled.
    func layerExtractTime(host: Int, image: ImageRef) -> SimDuration
    /// How many downloads the host's daemon runs at once (`--max-concurrent-downloads`); nil: no
    /// limit modelled.
    func downloadSlots(host: Int) -> Int?
    /// How many times the host's daemon tries a layer download before the pull fails (dockerd's
    /// release and `--max-download-attempts`); nil: not known here (5, dockerd 18.09's).
    func downloadAttempts(host: Int) -> Int?
    /// Creates the container's writable layer. Nil when done, else Docker's error message.
    /// `source` is the task's `TaskLaunch.source` (Marathon: the app id): storage looks up what
    /// the app's processes write and mount by it (`StorageModel.apps`).
    func createContainer(host: Int, task: TaskID, name: String, source: String?, image: ImageRef?) -> String?
    /// The container's process started: its writes begin, its Ceph volume (if any) is mounted.
    func containerStarted(task: TaskID)
    /// The container's process is gone (exit, kill, host down).
    func containerExited(task: TaskID)
    /// The container's process writes `bytesPerSecond` to stdout/stderr (drawn by the agent for
    /// its sandbox): Docker's logging driver keeps a copy of it on the host.
    func containerStdout(task: TaskID, bytesPerSecond: Double)
    /// What a health probe of the task sees because of storage: nil (nothing to do with storage),
    /// `.timedOut` (the process is hung in I/O, D state) or `.failed` (it reports its full disk).
    func probeOutcome(task: TaskID) -> ProbeOutcome?
    /// `docker stop` of this container would not return (hung I/O, or a full dm.basesize device).
    func stopBlocked(task: TaskID) -> Bool
    /// Time storage adds to a passing health probe's response (a Ceph client operation).
    func probeLatency(task: TaskID) -> SimDuration
    /// Registry reads: nil when the registry is not on Ceph; else whether the image's blobs are
    /// readable now and the client read rate (bytes per second). When blocked, `waiter` (a packed
    /// Mesos task reference) is woken through `MesosCluster.resumePull` once they are.
    func registryRead(image: ImageRef, waiter: Int64) -> (blocked: Bool, bytesPerSecond: Double)?
    /// For cAdvisor's container_fs_* (read at scrape time, nothing changes): the container's
    /// writable layer as of `now`, its device name, bytes used and limit; nil when unknown.
    func writableLayer(task: TaskID, now: SimTime) -> (device: String, usage: Double, limit: Double)?
}

extension ContainerStorage {
    public func layerExtractTime(host: Int, image: ImageRef) -> SimDuration { .zero }
    public func containerStdout(task: TaskID, bytesPerSecond: Double) {}
    public func downloadSlots(host: Int) -> Int? { nil }
    public func downloadAttempts(host: Int) -> Int? { nil }
    public func probeLatency(task: TaskID) -> SimDuration { .zero }
    public func registryRead(image: ImageRef, waiter: Int64) -> (blocked: Bool, bytesPerSecond: Double)? { nil }
    public func writableLayer(task: TaskID, now: SimTime) -> (device: String, usage: Double, limit: Double)? { nil }
}

public enum DockerDaemonState: String, Sendable {
    case running, hung, stopped
}

/// Storage that never refuses, fills or hangs.
public final class NoContainerStorage: ContainerStorage {
    public static let shared = NoContainerStorage()
    public func daemonState(host: Int) -> DockerDaemonState { .running }
    public func registerImage(host: Int, image: ImageRef) -> String? { nil }
    public func createContainer(host: Int, task: TaskID, name: String, source: String?, image: ImageRef?) -> String? { nil }
    public func containerStarted(task: TaskID) {}
    public func containerExited(task: TaskID) {}
    public func probeOutcome(task: TaskID) -> ProbeOutcome? { nil }
    public func stopBlocked(task: TaskID) -> Bool { false }
}
