import SimKernel

// consul-template's `nodes`, `node` and `datacenters` (hashicorp/consul-template at 1deacb7,
// template/funcs.go nodesFunc, nodeFunc, datacentersFunc; dependency/catalog_nodes.go,
// catalog_node.go, catalog_datacenters.go):
//
// - `nodes` (its arguments joined: `"@dc1"`): `/v1/catalog/nodes`, one `*dependency.Node` per
//   node of the catalog (`.ID`, `.Node`, `.Address`, `.Datacenter`, `.TaggedAddresses`, `.Meta`),
//   sorted by node name then address (`ByNode`, sort.Stable) unless `~near` is given.
// - `node` (its arguments joined; none: the local agent's node, `Agent().NodeName()`):
//   `/v1/catalog/node/<name>`, a `*dependency.CatalogNode` with `.Node` and `.Services`
//   (`.ID`, `.Service`, `.Tags` sorted, `.Meta`, `.Port`, `.Address`, `.EnableTagOverride`), the
//   services sorted by service name then ID (`ByService`). A node the catalog does not hold
//   answers an empty CatalogNode: `.Node` is a nil pointer (printed `<nil>`, false in `if`;
//   reading a field of it is text/template's "nil pointer evaluating" error, which ends
//   consul-template) and `.Services` is empty.
// - `datacenters` / `datacenters true`: `/v1/catalog/datacenters`, sorted; the simulator has one.
// Before its first answer each returns nothing and the template is not rendered (missing
// dependency). `@dc` other than the agent's datacenter, `~near` and `?ns=`/`?partition=` are
// refused when the template is read (the simulator has one datacenter, no coordinates, no
// namespaces or partitions).

/// A node-catalog dependency of a template.
public enum NodeDependency: Hashable, Sendable, CustomStringConvertible {
    case nodes
    /// `node` of that name ("" : the local agent's node).
    case node(String)
    case datacenters(ignoreFailing: Bool)

    /// consul-template's names (CatalogNodesQuery.String and friends), for the event log.
    public var description: String {
        switch self {
        case .nodes: return "catalog.nodes"
        case .node(let n): return n.isEmpty ? "catalog.node" : "catalog.node(\(n))"
        case .datacenters: return "catalog.datacenters"
        }
    }
}

/// A node as `/v1/catalog/nodes` and `/v1/catalog/node/<name>` give it (dependency.Node).
public struct TemplateNodeInfo: Hashable, Sendable {
    public var id: String
    public var node: String
    public var address: String
    public var datacenter: String
    public init(id: String, node: String, address: String, datacenter: String) {
        self.id = id; self.node = node; self.address = address; self.datacenter = datacenter
    }
    /// hashicorp/consul agent/config/builder.go: the agent's tagged addresses `lan` and `wan`
    /// (the WAN address defaults to the advertised LAN one).
    var taggedAddresses: TemplateMap {
        var m = TemplateMap([("lan", .string(address)), ("wan", .string(address))])
        m.stringValued = true
        return m
    }
    /// The node meta the agent sends without `node_meta` in its configuration: the network
    /// segment (structs.MetaSegmentKey, "" for the default segment; Consul 0.9.3+).
    var meta: TemplateMap {
        var m = TemplateMap([("consul-network-segment", .string(""))])
        m.stringValued = true
        return m
    }

    /// Consul's node ID is a UUID the agent makes at its first start (agent/config/builder.go:
    /// random when `disable_host_node_id`, true by default); the simulator derives a stable one
    /// from the node name (FNV-1a), shaped as a version-4 UUID.
    public static func nodeID(_ name: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for c in name.utf8 {
            a = (a ^ UInt64(c)) &* 0x100_0000_01b3
            b = (b ^ UInt64(c)) &* 0x100_0000_01b3
        }
        b = (b ^ (b >> 29)) &* 0xbf58_476d_1ce4_e5b9
        func hex(_ v: UInt64, _ n: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, n - s.count)) + s.suffix(n)
        }
        let v = (a >> 16) & 0x0fff | 0x4000
        let var_ = b >> 48 & 0x3fff | 0x8000
        return "\(hex(a >> 32, 8))-\(hex(a & 0xffff, 4))-\(hex(v, 4))-\(hex(var_, 4))-\(hex(b & 0xffff_ffff_ffff, 12))"
    }
}

/// One service of a `node` answer (dependency.CatalogNodeService).
public struct TemplateNodeService: Hashable, Sendable {
    public var id: String
    public var service: String
    public var tags: [String]
    public var port: Int
    public var address: String
    public init(id: String, service: String, tags: [String], port: Int, address: String) {
        self.id = id; self.service = service; self.tags = tags.sorted(); self.port = port; self.address = address
    }
}

/// A `node` answer (dependency.CatalogNode): `node` nil when the catalog does not hold the node.
public struct TemplateNodeDetail: Hashable, Sendable {
    public var node: TemplateNodeInfo?
    public var services: [TemplateNodeService]
    public init(node: TemplateNodeInfo?, services: [TemplateNodeService]) {
        self.node = node
        // ByService: service name, then ID
        self.services = services.sorted { ($0.service, $0.id) < ($1.service, $1.id) }
    }
}

/// ByNode: node name, then address (Go compares strings bytewise).
func goLess(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

extension TemplateRenderer {
    /// The datacenter part of a query (`@dc`): only the agent's own is modelled.
    func checkDatacenter(_ f: String, _ arg: String, _ dc: Substring) throws(TemplateError) {
        guard dc == inputs.datacenter else {
            throw TemplateError(line: line, "\(f) \"\(arg)\": other datacenters (@\(dc)) are not modelled (the simulator has one datacenter, \(inputs.datacenter))")
        }
    }

    func nodeCall(_ f: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue? {
        switch f {
        case "nodes":
            var arg = ""
            for a in args { arg += try string(f, a) }
            // CatalogNodesQueryRe: queryRe dcRe nearRe
            if arg.contains("?") { throw TemplateError(line: line, "nodes \"\(arg)\": query parameters (?ns=, ?partition=) are not modelled") }
            if arg.contains("~") { throw TemplateError(line: line, "nodes \"\(arg)\": ~near (sorting by network coordinates) is not modelled") }
            if !arg.isEmpty {
                guard arg.first == "@", arg.count > 1, arg.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                    throw TemplateError(line: line, "error calling nodes: catalog.nodes: invalid format: \"\(arg)\"")
                }
                try checkDatacenter(f, arg, arg.dropFirst())
            }
            noteNodeRead(.nodes)
            return .list(data.nodes().map { .catalogNode($0) })
        case "node":
            var arg = ""
            for a in args { arg += try string(f, a) }
            // CatalogNodeQueryRe: nodeNameRe queryRe dcRe (an empty string: the local agent)
            var name = Substring(arg)
            if let at = name.firstIndex(of: "@") {
                try checkDatacenter(f, arg, name[name.index(after: at)...])
                name = name[..<at]
            }
            if name.contains("?") { throw TemplateError(line: line, "node \"\(arg)\": query parameters (?ns=, ?partition=) are not modelled") }
            if !arg.isEmpty {
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                    throw TemplateError(line: line, "error calling node: catalog.node: invalid format: \"\(arg)\"")
                }
            }
            let d = NodeDependency.node(String(name))
            noteNodeRead(d)
            // no answer yet: nodeFunc returns nil (and the template is not rendered: a missing dependency)
            guard let answer = data.node(String(name)) else { return TemplateValue.none }
            return .nodeDetail(answer)
        case "datacenters":
            guard args.count <= 1 else {
                throw TemplateError(line: line, "error calling datacenters: datacenters: wrong number of arguments, expected 0 or 1, but got \(args.count)")
            }
            var ignore = false
            if let a = args.first {
                guard case .bool(let b) = a else { throw TemplateError(line: line, "wrong type for value; expected bool; got \(a.typeName)") }
                ignore = b
            }
            noteNodeRead(.datacenters(ignoreFailing: ignore))
            return .list(data.datacenters().map { .string($0) })
        default:
            return nil
        }
    }

    /// Fields of the node catalog's values.
    func nodeField(_ v: TemplateValue, _ f: String) throws(TemplateError) -> TemplateValue? {
        switch v {
        case .catalogNode(let n):
            switch f {
            case "ID": return .string(n.id)
            case "Node": return .string(n.node)
            case "Address": return .string(n.address)
            case "Datacenter": return .string(n.datacenter)
            case "TaggedAddresses": return .map(n.taggedAddresses)
            case "Meta": return .map(n.meta)
            default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.Node (fields: ID, Node, Address, Datacenter, TaggedAddresses, Meta)")
            }
        case .nodeDetail(let d):
            switch f {
            case "Node": return d.node.map { .catalogNode($0) } ?? .nilNode
            case "Services": return .list(d.services.map { .nodeService($0) })
            default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.CatalogNode (fields: Node, Services)")
            }
        case .nodeService(let s):
            switch f {
            case "ID": return .string(s.id)
            case "Service": return .string(s.service)
            case "Tags": return .list(s.tags.map { .string($0) })
            case "Meta": var m = TemplateMap([]); m.stringValued = true; return .map(m)
            case "Port": return .int(s.port)
            case "Address": return .string(s.address)
            case "EnableTagOverride": return .bool(false)
            default: throw TemplateError(line: line, "can't evaluate field \(f) in type *dependency.CatalogNodeService (fields: ID, Service, Tags, Meta, Port, Address, EnableTagOverride)")
            }
        case .nilNode:
            throw TemplateError(line: line, "nil pointer evaluating *dependency.Node.\(f) (the node is not in the catalog)")
        default:
            return nil
        }
    }
}
