import SimKernel

// Harbor as a subsystem: built from the `harbor` section (pulls, pushes and replications are
// flows of the network model when the scenario has one), plugged into the Mesos agents' containerizer as
// their image source, and told about hosts through `.hosts` signals.

extension HarborRegistries: Subsystem, SignalSubscriber, ContainerImageSource {
    public static let entry = SubsystemEntry(name: "harbor", section: "harbor", outputs: HarborRegistries.outputs) { model in
        guard let spec = model.spec.harbor else { return nil }
        let h = HarborRegistries(spec: spec, model: model, network: model.subsystem(ClusterNetwork.self))
        let storage = model.subsystem(StorageModel.self)
        h.storage = storage
        if let rate = storage?.ceph?.spec.clientReadBytesPerSecond {
            h.cephReadRate = rate
            for r in h.registries.indices where h.registries[r].blobsOnCeph { h.registries[r].cephLimit = h.network?.addLimit(bytesPerSecond: rate) }
        }
        if let c = model.subsystem(Containerizer.self) {
            c.attach(images: h)
            h.containerizer = c
        }
        return h
    }

    public var name: String { "harbor" }

    public func register(in sim: Simulation) { target = sim.register(self) }

    /// Hosts at `.containers`, with the other container plugins.
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .containers)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, _): hostDown(h)
        case .hostUp(let h): hostUp(h)
        default: break
        }
    }
}
