import SimKernel

// Marathon as a subsystem: built from the `marathon` section on top of the Mesos cluster (its
// framework contract) and the ZooKeeper ensemble (leader election); its instances learn about
// their hosts through `.hosts` signals. With `marathon.datacenters` the entry builds one Marathon
// per data center: the first is the subsystem of the list and drives the others (its peers)
// through each step of the contract, so each registers, subscribes and starts in list position.

extension MarathonScheduler: Subsystem, SignalSubscriber {
    public static let entry = SubsystemEntry(name: "marathon", section: "marathon", outputs: MarathonScheduler.outputs) { model in
        guard let spec = model.spec.marathon, let mesos = model.subsystem(MesosCluster.self),
              let zk = model.subsystem(ZooKeeperEnsemble.self) else { return nil }
        guard !spec.datacenters.isEmpty else { return MarathonScheduler(spec: spec, model: model, mesos: mesos, zooKeeper: zk) }
        let all = spec.datacenters.map { MarathonScheduler(spec: spec, model: model, mesos: mesos, zooKeeper: zk, datacenter: $0) }
        all[0].peers = Array(all.dropFirst())
        return all[0]
    }

    public var name: String { "marathon" }

    /// Hosts at `.frameworks`: a Marathon process on a host that goes down drops its ZooKeeper
    /// session before the ZooKeeper server and the Mesos master on that host change state.
    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .frameworks)
        for p in peers { p.subscribe(to: signals) }
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostWentDown(model.infrastructure.hosts[h], orderly: rebooting)
        case .hostUp(let h): hostCameUp(model.infrastructure.hosts[h])
        default: break
        }
    }
}

extension MarathonScheduler: HostRoleHolder {
    /// `marathon-leader`: the host of the Marathon instance that leads now (with one Marathon per
    /// data center: the first data center's).
    public func host(holding role: HostRole) -> Int? {
        guard role == .marathonLeader, let l = leader else { return nil }
        return processes[l].host
    }
}
