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
    /// Creates the container's writable layer. Nil when done, else Docker's error message.
    func createContainer(host: Int, task: TaskID, name: String, image: ImageRef?, writes: ContainerWrites?) -> String?
    /// The container's process started: its writes begin.
    func containerStarted(task: TaskID)
    /// The container's process is gone (exit, kill, host down).
    func containerExited(task: TaskID)
    /// What a health probe of the task sees because of storage: nil (nothing to do with storage),
    /// `.timedOut` (the process is hung in I/O, D state) or `.failed` (it reports its full disk).
    func probeOutcome(task: TaskID) -> ProbeOutcome?
    /// `docker stop` of this container would not return (hung I/O, or a full dm.basesize device).
    func stopBlocked(task: TaskID) -> Bool
}

public enum DockerDaemonState: String, Sendable {
    case running, hung, stopped
}

/// Storage that never refuses, fills or hangs.
public final class NoContainerStorage: ContainerStorage {
    public static let shared = NoContainerStorage()
    public func daemonState(host: Int) -> DockerDaemonState { .running }
    public func registerImage(host: Int, image: ImageRef) -> String? { nil }
    public func createContainer(host: Int, task: TaskID, name: String, image: ImageRef?, writes: ContainerWrites?) -> String? { nil }
    public func containerStarted(task: TaskID) {}
    public func containerExited(task: TaskID) {}
    public func probeOutcome(task: TaskID) -> ProbeOutcome? { nil }
    public func stopBlocked(task: TaskID) -> Bool { false }
}
