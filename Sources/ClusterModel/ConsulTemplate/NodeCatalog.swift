import SimKernel

// What consul-template's `nodes`, `node` and `datacenters` read from Consul (hashicorp/consul-template
// at 1deacb7, dependency/catalog_nodes.go, catalog_node.go, catalog_datacenters.go): the nodes the
// servers' catalog holds (`/v1/catalog/nodes`), one node's service registrations
// (`/v1/catalog/node/<name>`) and the datacenters (`/v1/catalog/datacenters`). Consul implements
// it (Consul/ConsulCatalogNodes.swift) and publishes `.nodeCatalogChanged` when a node is
// registered or deregistered.

/// One service registration of a node, as `/v1/catalog/node/<name>` lists it.
public struct NodeServiceRegistration: Hashable, Sendable {
    /// Index in `ServiceCatalog.serviceNames`.
    public var service: Int
    public var instance: ServiceInstance
    public var tags: [String]
    public init(service: Int, instance: ServiceInstance, tags: [String]) { self.service = service; self.instance = instance; self.tags = tags }
}

public protocol NodeCatalog: AnyObject {
    /// The hosts whose nodes `/v1/catalog/nodes` lists now (in any order), for a client on host
    /// `from`; nil when no server can answer (the client retries).
    func catalogNodeHosts(from host: Int) -> [Int]?
    /// Whether the node of `node` (a host) is in the catalog (nil: no server answers `from`).
    func nodeRegistered(_ node: Int, from host: Int) -> Bool?
    /// The service registrations the catalog holds for the node of host `node` (any order).
    func nodeServices(_ node: Int) -> [NodeServiceRegistration]
    /// The agent's `datacenter` (Consul's default "dc1": hashicorp/consul agent/config/default.go).
    var datacenter: String { get }
}
