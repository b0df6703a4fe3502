import SimKernel

// Mesos as a subsystem: built from the `mesos` section with the ZooKeeper ensemble built before
// it, told about hosts through `.hosts` signals, and the containerizer its plugins attach to.

extension MesosCluster: Subsystem, SignalSubscriber, Containerizer {
    public static let entry = SubsystemEntry(name: "mesos", section: "mesos", outputs: MesosCluster.outputs) { model in
        guard let spec = model.spec.mesos, let zk = model.subsystem(ZooKeeperEnsemble.self) else { return nil }
        return MesosCluster(spec: spec, zooKeeper: zk, model: model)
    }

    public var name: String { "mesos" }

    public func register(in sim: Simulation) { target = sim.register(self) }

    /// Hosts at `.resourceManager`: after the frameworks' processes and the ZooKeeper servers on
    /// the same host, before the containers' storage.
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .resourceManager)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostWentDown(model.infrastructure.hosts[h], orderly: rebooting)
        case .hostUp(let h): hostCameUp(model.infrastructure.hosts[h])
        default: break
        }
    }

    // MARK: Containerizer

    public func attach(storage: ContainerStorage) { containerStorage = storage }
    public func attach(network: ContainerNetworking) { containerNetwork = network }
    public func attach(images: ContainerImageSource) { imageSource = images }
    public func containerDied(task: TaskID, reason: String) { storageKilledContainer(task: task, reason: reason) }
    public func ioResumed(host: Int) { storageReleased(host: host) }
    public func liveContainerHost(task id: TaskID) -> Int? {
        guard let t = task(id), t.containerAlive, !t.state.isTerminal else { return nil }
        return agents[t.agent].host.index
    }
    public var dockerRemoveDelay: SimDuration { spec.agentFlags.dockerRemoveDelay }
}

extension MesosCluster: HostRoleHolder {
    /// `mesos-leader`: the host of the master that leads now (elected, whether or not it has recovered yet).
    public func host(holding role: HostRole) -> Int? {
        guard role == .mesosLeader, let l = leader else { return nil }
        return masters[l].host
    }
}
