import SimKernel

// The servers' node catalog (`/v1/catalog/nodes`, `/v1/catalog/node/<name>`), as consul-template's
// `nodes` and `node` read it (ConsulTemplate/NodeCatalog.swift). Which members are nodes of the
// catalog follows the leader (hashicorp/consul agent/consul/leader.go at v1.4.0): `handleAliveMember`
// registers a member that joins or rejoins, `handleFailedMember` keeps a failed one (registering it
// if missing, its serfHealth critical), `handleLeftMember` and `handleReapMember` deregister a member
// that left (an orderly stop of a client agent, `leave_on_terminate`) or was reaped after
// `reconnect_timeout`, with its services. Without a leader nothing changes until the next
// leader's reconcile (`reconcileMembers`). At time 0 every member is a node of the catalog (one
// down then is a failed member, which the leader keeps registered).
//
// Hooks: `deregisterNode` (ConsulGossip.swift), `reconcileMembers` and `hostUp` call
// `setNodeRegistered`; every change moves `nodesIndex` and publishes `.nodeCatalogChanged`.

extension ConsulCluster: NodeCatalog {
    /// The agents' `datacenter` (`consul.config.datacenter`, Consul's default "dc1"); the
    /// simulator has one datacenter.
    public var datacenter: String { config.datacenter }

    /// The node of member `m` enters (true) or leaves the catalog.
    func setNodeRegistered(_ m: Int, _ registered: Bool) {
        if nodeInCatalog.count != members.count { nodeInCatalog = [Bool](repeating: true, count: members.count) }
        guard nodeInCatalog[m] != registered else { return }
        nodeInCatalog[m] = registered
        nodesIndex += 1
        model.signals.publish(.nodeCatalogChanged)
    }

    func isNodeRegistered(_ m: Int) -> Bool { nodeInCatalog.count != members.count || nodeInCatalog[m] }

    public func catalogNodeHosts(from host: Int) -> [Int]? {
        guard answers(from: host) else { return nil }
        var out: [Int] = []
        for m in members.indices where isNodeRegistered(m) { out.append(members[m].host) }
        return out
    }

    public func nodeRegistered(_ node: Int, from host: Int) -> Bool? {
        guard answers(from: host) else { return nil }
        guard let m = memberOfHost[node] else { return false }
        return isNodeRegistered(m)
    }

    public func nodeServices(_ node: Int) -> [NodeServiceRegistration] {
        guard let m = memberOfHost[node], isNodeRegistered(m) else { return [] }
        var out: [NodeServiceRegistration] = []
        for i in members[m].instances where instances[i].inCatalog {
            let x = instances[i]
            out.append(NodeServiceRegistration(service: x.name, instance: ServiceInstance(task: x.task, host: x.host, port: x.port), tags: x.tags))
        }
        return out
    }
}
