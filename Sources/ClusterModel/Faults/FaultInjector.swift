import SimKernel

/// Fires the scenario's faults at their times. A fault aimed at a host group picks its hosts
/// when it fires, with its own seeded stream ("fault[<index>]"), among the hosts it can apply to:
/// up hosts for hostCrash/hostReboot, crashed hosts for hostRecover.
public final class FaultInjector: EventHandler {
    public let faults: [FaultSpec]
    unowned let model: ClusterSimulation
    var target: Int32 = -1
    /// Fault index -> (time fired, hosts affected), for the summary.
    public private(set) var fired: [(index: Int, time: SimTime, hosts: [String])] = []
    /// Indices of the hosts a fired fault crashed, rebooted, partitioned or killed the agent of (looked
    /// up only): where an app's missing instances are, when it falls below target, says which fault
    /// took them (`MarathonScheduler.faultRecoveries`).
    public private(set) var hitHosts = Set<Int>()

    init(faults: [FaultSpec], model: ClusterSimulation) {
        self.faults = faults
        self.model = model
    }

    func start() {
        // Faults fire before other events of the same instant (priority -100) so that a sample
        // at that instant already shows their effect.
        for (i, f) in faults.enumerated() {
            model.sim.schedule(at: SimTime.zero + f.at, target: target, kind: 0, arg: Int64(i), priority: -100)
        }
    }

    public func handle(_ event: Event, in sim: Simulation) {
        let index = Int(event.arg)
        let f = faults[index]
        let infra = model.infrastructure
        let cause = "fault[\(index)] \(f.kind.rawValue)"
        switch f.target {
        case .master(let m):
            guard let mesos = model.mesos else { return }
            model.log("fault", "masterCrash", m.map { mesos.masters[$0].name } ?? "leader", cause)
            mesos.crashMaster(index: m, restartAfter: f.restartAfter)
            fired.append((index, sim.now, []))
            return
        case .zookeeperServer(let z):
            guard let mesos = model.mesos else { return }
            model.log("fault", "zookeeperCrash", mesos.zooKeeper.serverName(z), cause + (f.restartAfter.map { "; restarts after \($0)" } ?? ""))
            mesos.crashZooKeeperServer(index: z, restartAfter: f.restartAfter)
            fired.append((index, sim.now, []))
            return
        default: break
        }
        let victims = pickHosts(f, index: index)
        if victims.isEmpty {
            model.log("fault", "noTarget", describe(f.target), "\(cause): no host in a state it applies to")
        }
        var affected: [String] = []
        for h in victims {
            let ok: Bool
            switch f.kind {
            case .hostCrash: ok = infra.crash(h, recoverAfter: f.recoverAfter, cause: cause)
            case .hostRecover: ok = infra.recover(h, cause: cause)
            case .hostReboot: ok = infra.reboot(h, downFor: f.downFor, cause: cause)
            case .agentCrash:
                ok = h.state.isUp && model.mesos?.agent(onHost: h.index) != nil
                if ok {
                    model.log("fault", "agentCrash", h.name, cause + (f.restartAfter.map { "; restarts after \($0)" } ?? "; stays down"))
                    model.mesos!.crashAgent(host: h.index, restartAfter: f.restartAfter, keepDown: f.restartAfter == nil)
                }
            case .networkPartition:
                ok = model.mesos != nil
                if ok { model.mesos!.partition(host: h.index, healAfter: f.healAfter) }
            case .masterCrash, .zookeeperCrash: ok = false
            }
            if ok {
                affected.append(h.name)
                if f.kind != .hostRecover { hitHosts.insert(h.index) }
            }
        }
        fired.append((index, sim.now, affected))
    }

    private func describe(_ t: FaultTarget) -> String {
        switch t {
        case .host(let n): return n
        case .group(let g, _): return g
        case .rack(let r): return "rack " + r
        case .master(let m): return m.map { "master \($0 + 1)" } ?? "leading master"
        case .zookeeperServer(let z): return "zookeeper server \(z + 1)"
        case .role(let r): return r.rawValue
        }
    }

    func pickHosts(_ f: FaultSpec, index: Int) -> [Host] {
        let infra = model.infrastructure
        switch f.target {
        case .host(let name):
            return infra.host(named: name).map { [$0] } ?? []
        case .master, .zookeeperServer:
            return []
        case .role(let role):
            for s in model.subsystems {
                if let holder = s as? HostRoleHolder, let h = holder.host(holding: role) { return [infra.hosts[h]] }
            }
            return []
        case .rack(let rack):
            return infra.hosts.filter { $0.rack == rack && applies(f.kind, to: $0) }
        case .group(let g, let count):
            let members = infra.hostsByGroup[g] ?? []
            let eligible = members.map { infra.hosts[$0] }.filter { applies(f.kind, to: $0) }
            if eligible.count <= count {
                if eligible.count < count {
                    model.log("fault", "fewerTargets", g,
                              "fault[\(index)] wants \(count) hosts, \(eligible.count) eligible")
                }
                return eligible
            }
            let stream = model.stream("fault[\(index)]")
            return stream.choose(count, from: eligible.count).map { eligible[$0] }
        }
    }

    /// Up hosts for every kind but hostRecover, which applies to crashed (down) hosts.
    private func applies(_ kind: FaultKind, to h: Host) -> Bool { kind == .hostRecover ? h.state == .down : h.state == .up }
}
