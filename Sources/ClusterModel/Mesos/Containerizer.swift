import SimKernel

// The containerizer contract: how container plugins (Docker storage and Ceph volumes, container
// networks) attach to the Mesos agents' containers, in both directions, without knowing the Mesos
// model. The agent asks its plugins (`ContainerStorage`, `ContainerNetworking`) while it launches,
// runs and stops a container; plugins tell the containerizer what happened to a container
// underneath it. Mesos implements `Containerizer`; a plugin finds it in its `SubsystemEntry.build`.

/// The agents' containerizer as container plugins see it.
public protocol Containerizer: AnyObject {
    /// Plugs container storage in (the agent asks it before pulls, creates, stops).
    func attach(storage: ContainerStorage)
    /// Plugs container networking in (the agent asks it when a container joins its network).
    func attach(network: ContainerNetworking)
    /// Plugs an image source in (a registry subsystem such as Harbor: the agent asks it first
    /// when it pulls an image).
    func attach(images: ContainerImageSource)
    /// The container of `task` died under the containerizer (its Docker daemon stopped): the
    /// executor reports the task over.
    func containerDied(task: TaskID, reason: String)
    /// I/O resumed on the host: kills that were stuck complete after the process' stop time.
    func ioResumed(host: Int)
    /// A pull that waited on unreadable registry blobs goes on (`waiter` from `registryRead`).
    func resumePull(_ waiter: Int64)
    /// The host of `task`'s container while it is alive; nil once it is gone.
    func liveContainerHost(task: TaskID) -> Int?
    /// The agents' `--docker_remove_delay` (how long an exited container stays on disk).
    var dockerRemoveDelay: SimDuration { get }
}

/// The network a task's container asks for, in Mesos' terms (ContainerInfo.DockerInfo.network:
/// HOST, BRIDGE, USER with NetworkInfo.name).
public enum TaskNetwork: Equatable, Sendable {
    case host
    case bridge
    /// A named container network; nil: the framework's default network.
    case container(name: String?)
}

/// Container networking as the containerizer asks it.
public protocol ContainerNetworking: AnyObject {
    /// A new container joins `network` on `host`: nil when it can, else why not (the task then
    /// fails with REASON_CONTAINER_LAUNCH_FAILED and this message).
    func attachContainer(host: Int, network: TaskNetwork, name: String) -> String?
}

/// Where the agents' `docker pull` goes when a registry subsystem serves the image (Harbor):
/// the agent asks the source before it pulls; nil means "not mine" and the agent pulls as
/// before, from `mesos.registry`.
public protocol ContainerImageSource: AnyObject {
    /// The agent on `host` needs `image` for the task `waiter` (a packed Mesos task reference).
    func pull(image: ImageRef, host: Int, waiter: Int64) -> ImagePullAnswer?
    /// The source serves `image` (its `pull` answers for it rather than returning nil): the source
    /// checks its own storage, so the agent does not read the image from the registry on Ceph.
    func serves(image: ImageRef) -> Bool
}

/// The answer of a `ContainerImageSource` to a pull.
public enum ImagePullAnswer: Equatable, Sendable {
    /// Every layer of the image is on the host: the agent registers it and starts the container.
    case ready
    /// The source is transferring the missing layers (or waits on its storage); it calls
    /// `Containerizer.resumePull(waiter)` when the agent should ask again.
    case waiting
    /// `docker pull` failed with this message: the task fails (TASK_FAILED,
    /// REASON_CONTAINER_LAUNCH_FAILED).
    case failed(String)
}
