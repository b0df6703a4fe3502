import SimKernel

// The network as a subsystem: built from the `network` section, the containerizer's network
// plugin (a container joins its network when it starts), and a listener of ZooKeeper's state for
// an overlay whose KV store is ZooKeeper.

extension ClusterNetwork: Subsystem, SignalSubscriber, ContainerNetworking {
    public static let entry = SubsystemEntry(name: "network", section: "network", outputs: ClusterNetwork.outputs) { model in
        guard let spec = model.spec.network else { return nil }
        let net = ClusterNetwork(spec: spec, model: model)
        model.subsystem(Containerizer.self)?.attach(network: net)
        return net
    }

    public var name: String { "network" }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .zooKeeper, stage: .containers)
    }

    public func receive(_ signal: PlatformSignal) {
        if case .zooKeeperServing(let s) = signal { zooKeeperServing = s }
    }

    public func attachContainer(host: Int, network: TaskNetwork, name: String) -> String? {
        let mode = spec.mode(for: network)
        return attachContainer(host: host, mode: mode, name: name)
            ? nil : "network \(mode.rawValue): cannot join, KV store \(kvStoreName) unreachable"
    }
}
