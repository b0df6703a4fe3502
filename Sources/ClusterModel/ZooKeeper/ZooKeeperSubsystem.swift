import SimKernel

// ZooKeeper as a subsystem of its own: Mesos' masters and Marathon's instances (later Chronos)
// are clients of the same ensemble; none of them owns it.

extension ZooKeeperEnsemble: Subsystem, SignalSubscriber {
    /// Built when the scenario has a `mesos` section (its clients; a `zookeeper` section alone has
    /// no client and builds nothing), with the `zookeeper` section or its defaults. The servers
    /// run on `zookeeper.hostGroup`, else on the Mesos masters' group.
    public static let entry = SubsystemEntry(name: "zookeeper", section: "zookeeper") { model in
        guard let mesos = model.spec.mesos else { return nil }
        let zkSpec = model.spec.zookeeper ?? ZooKeeperSpec()
        let infra = model.infrastructure
        let zkGroup = zkSpec.hostGroup ?? MesosCluster.masterGroup(mesos, groups: infra.groupNames)
        let zkHostsAll = infra.hostsByGroup[zkGroup] ?? []
        precondition(!zkHostsAll.isEmpty, "zookeeper: unknown host group \(zkGroup)")
        // one server per host; wrap around when the group is smaller than the ensemble
        let zkHosts = (0..<zkSpec.servers).map { zkHostsAll[$0 % zkHostsAll.count] }
        return ZooKeeperEnsemble(spec: zkSpec, serverHosts: zkHosts, model: model)
    }

    public var name: String { "zookeeper" }

    public func register(in sim: Simulation) { target = sim.register(self) }

    public func subscribe(to signals: PlatformSignals) {
        signals.subscribe(self, to: .hosts, stage: .coordination)
    }

    public func receive(_ signal: PlatformSignal) {
        switch signal {
        case .hostDown(let h, let rebooting): hostWentDown(h, orderly: rebooting)
        case .hostUp(let h): hostCameUp(h)
        default: break
        }
    }
}

extension ZooKeeperEnsemble: HostRoleHolder {
    /// `zookeeper-leader`: the host of the server that leads the ensemble now.
    public func host(holding role: HostRole) -> Int? {
        guard role == .zookeeperLeader, let l = leader else { return nil }
        return serverHosts[l]
    }
}
