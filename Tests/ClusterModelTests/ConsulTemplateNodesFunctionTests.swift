@testable import ClusterModel
import SimKernel
import XCTest

/// consul-template's `nodes`, `node` and `datacenters` (hashicorp/consul-template at 1deacb7,
/// template/funcs.go; dependency/catalog_nodes.go, catalog_node.go, catalog_datacenters.go) on
/// answers given here: the fields each answer has, a node the catalog does not hold, the query
/// strings they accept, and the shapes public templates use them in (fixtures written here).
final class ConsulTemplateNodesFunctionTests: XCTestCase {
    final class Data: TemplateData {
        var nodeList: [TemplateNodeInfo] = [TemplateNodeInfo(id: TemplateNodeInfo.nodeID("edge-01"), node: "edge-01", address: "10.0.0.7", datacenter: "dc1"),
                                            TemplateNodeInfo(id: TemplateNodeInfo.nodeID("slave-01"), node: "slave-01", address: "10.0.0.4", datacenter: "dc1")]
        var version = 0
        var own = "edge-01"
        var answered = true
        func service(_ q: ServiceQuery) -> [TemplateInstance] {
            q.name == "kafka" ? [TemplateInstance(node: "slave-01", address: "10.0.0.4", id: "a", name: "kafka", port: 9092),
                                 TemplateInstance(node: "edge-01", address: "10.0.0.7", id: "b", name: "kafka", port: 9092)] : []
        }
        func services() -> [String] { [] }
        func nodes() -> [TemplateNodeInfo] { nodeList }
        func node(_ name: String) -> TemplateNodeDetail? {
            guard answered else { return nil }
            let n = name.isEmpty ? own : name
            guard let info = nodeList.first(where: { $0.node == n }) else { return TemplateNodeDetail(node: nil, services: []) }
            return TemplateNodeDetail(node: info, services: n == "slave-01" ? [
                TemplateNodeService(id: "slave-01:web-2:31002", service: "web", tags: ["v2", "http"], port: 31002, address: "10.0.0.4"),
                TemplateNodeService(id: "slave-01:api-1:31000", service: "api", tags: [], port: 31000, address: "10.0.0.4"),
                TemplateNodeService(id: "slave-01:web-1:31001", service: "web", tags: ["http"], port: 31001, address: "10.0.0.4")] : [])
        }
        func nodeAnswerVersion(_ d: NodeDependency) -> Int? { version }
    }

    func render(_ t: String, _ data: Data = Data(), file: StaticString = #filePath, line: UInt = #line) -> String {
        do { return try TemplateRenderer(data: data).render(try TemplateParser.parse(t)) } catch {
            XCTFail("\(error)", file: file, line: line); return ""
        }
    }

    func failure(_ t: String) -> TemplateError? {
        do { _ = try TemplateRenderer(data: Data()).render(try TemplateParser.parse(t)); return nil } catch { return error }
    }

    /// A catalog node's fields (dependency.Node): ID, Node, Address, Datacenter, the agent's
    /// tagged addresses lan and wan, and the node meta Consul adds (the network segment).
    func testNodesFields() {
        let id = TemplateNodeInfo.nodeID("slave-01")
        XCTAssertEqual(render("{{range nodes}}{{.Node}} {{.Address}} {{.Datacenter}};{{end}}"), "edge-01 10.0.0.7 dc1;slave-01 10.0.0.4 dc1;")
        XCTAssertEqual(render(#"{{range nodes}}{{if eq .Node "slave-01"}}{{.ID}} {{.TaggedAddresses.lan}} {{.TaggedAddresses.wan}} {{.Meta}} [{{index .Meta "zkid"}}] [{{index .TaggedAddresses "lan_ipv4"}}]{{end}}{{end}}"#),
                       "\(id) 10.0.0.4 10.0.0.4 map[consul-network-segment:] [] []")
        XCTAssertEqual(render("{{len nodes}} {{nodes \"@dc1\" | len}}"), "2 2")
        // a UUID, the same for the same name (and different for another)
        XCTAssertEqual(id.split(separator: "-").map(\.count), [8, 4, 4, 4, 12])
        XCTAssertEqual(id.split(separator: "-")[2].first, "4")
        XCTAssertEqual(id, TemplateNodeInfo.nodeID("slave-01"))
        XCTAssertNotEqual(id, TemplateNodeInfo.nodeID("slave-02"))
    }

    /// `node` (no argument: the agent's node) and `node "name"`: `.Node` and `.Services` sorted
    /// by service name then ID (ByService), each with its tags sorted; the arguments are joined
    /// (`node "slave-01" "@dc1"`).
    func testNodeAndItsServices() {
        XCTAssertEqual(render("{{with node}}{{.Node.Node}} ({{.Node.Address}}) {{len .Services}}{{end}}"), "edge-01 (10.0.0.7) 0")
        let t = #"{{with node "slave-01" "@dc1"}}{{.Node.Node}}{{range .Services}}|{{.Service}} {{.ID}} {{.Port}} {{.Address}} ({{.Tags | join ","}}){{end}}{{end}}"#
        XCTAssertEqual(render(t), "slave-01|api slave-01:api-1:31000 31000 10.0.0.4 ()|web slave-01:web-1:31001 31001 10.0.0.4 (http)|web slave-01:web-2:31002 31002 10.0.0.4 (http,v2)")
        XCTAssertEqual(render(#"{{range (node "slave-01").Services}}{{.Meta}} {{.EnableTagOverride}};{{end}}"#), "map[] false;map[] false;map[] false;")
    }

    /// A node the catalog does not hold: an empty CatalogNode (catalog_node.go "no node exists"),
    /// its `.Node` a nil pointer (printed `<nil>`, false), no services; a field of that nil
    /// pointer is text/template's error.
    func testMissingNode() {
        XCTAssertEqual(render(#"{{with node "gone"}}[{{.Node}}] {{if .Node}}yes{{else}}no{{end}} {{len .Services}}{{end}}"#), "[<nil>] no 0")
        XCTAssertTrue(failure(#"{{with node "gone"}}{{.Node.Node}}{{end}}"#)?.message.contains("nil pointer evaluating *dependency.Node.Node") ?? false)
        // before its first answer nodeFunc returns nil
        let d = Data()
        d.answered = false
        XCTAssertEqual(render("{{with node}}x{{else}}nil{{end}} [{{node}}]", d), "nil [<no value>]")
    }

    /// `datacenters` (sorted; one here) and `datacenters true`; more arguments are consul-template's error.
    func testDatacenters() {
        XCTAssertEqual(render("{{range datacenters}}{{.}}{{end}} {{datacenters true}} {{datacenters false}}"), "dc1 [dc1] [dc1]")
        XCTAssertTrue(failure("{{datacenters true false}}")?.message.contains("wrong number of arguments, expected 0 or 1") ?? false)
    }

    /// Other datacenters, `~near` and query parameters are refused with the reason; a bad
    /// format is consul-template's "invalid format".
    func testRefusedQueries() {
        XCTAssertTrue(failure(#"{{nodes "@east-aws"}}"#)?.message.contains("other datacenters (@east-aws) are not modelled") ?? false)
        XCTAssertTrue(failure(#"{{node "node1" "@east-aws"}}"#)?.message.contains("other datacenters") ?? false)
        XCTAssertTrue(failure(#"{{nodes "~slave-01"}}"#)?.message.contains("~near") ?? false)
        XCTAssertTrue(failure(#"{{nodes "?ns=x"}}"#)?.message.contains("query parameters") ?? false)
        XCTAssertTrue(failure(#"{{nodes "slave-01"}}"#)?.message.contains("catalog.nodes: invalid format") ?? false)
        XCTAssertTrue(failure(#"{{node "a b"}}"#)?.message.contains("catalog.node: invalid format") ?? false)
    }

    /// Read-time validation runs templates that read the node catalog with stand-in answers, so a
    /// misspelt field is an error with its line.
    func testValidationFindsMisspeltFields() throws {
        for (t, line, fragment) in [("\n{{range nodes}}{{.Adress}}{{end}}", 2, "can't evaluate field Adress in type *dependency.Node"),
                                    ("{{with node}}\n\n{{range .Services}}{{.Name}}{{end}}{{end}}", 3, "field Name in type *dependency.CatalogNodeService"),
                                    ("{{with node}}{{.Nodes}}{{end}}", 1, "field Nodes in type *dependency.CatalogNode")] {
            guard case .failure(let e) = TemplateValidation.check(try TemplateParser.parse(t)) else { XCTFail(t); continue }
            XCTAssertEqual(e.line, line, t)
            XCTAssertTrue(e.message.contains(fragment), "\(t): \(e.message)")
        }
        guard case .success = TemplateValidation.check(try TemplateParser.parse(#"{{with node "slave-09"}}{{.Node.Node}}{{range .Services}}{{.Service}}{{end}}{{end}}{{range datacenters}}{{.}}{{end}}"#)) else {
            return XCTFail("a named node exists in the stand-in answers")
        }
    }

    /// The shapes of public templates (written here, not copied): a hosts file from `nodes`, a
    /// broker id from the position of the agent's node among a service's entries, a ZooKeeper id
    /// from node meta (missing here: ""), and a node count in an application config.
    func testPublicShapes() {
        XCTAssertEqual(render("# consul nodes{{range nodes}}\n{{.Address}}    {{.Node}}{{end}}\n"), "# consul nodes\n10.0.0.7    edge-01\n10.0.0.4    slave-01\n")
        let d = Data()
        d.own = "slave-01"
        XCTAssertEqual(render(#"ID={{range $i, $s := service "kafka"}}{{with node}}{{if eq $s.Node .Node.Node}}{{$i}}{{end}}{{end}}{{end}} HOST={{with node}}{{.Node.Address}}{{end}}"#, d),
                       "ID=0 HOST=10.0.0.4")
        XCTAssertEqual(render(#"myid={{with node}}{{index .Node.Meta "zkid"}}{{end}};{{range $i, $n := nodes}}{{if index .Meta "zk"}}x{{else}}{{$i}}{{end}}{{end}}"#), "myid=;01")
        XCTAssertEqual(render(#"count={{len nodes}}{{if gt (len nodes) 1}} list={{range nodes}} {{.Address}};{{end}}{{end}}"#), "count=2 list= 10.0.0.7; 10.0.0.4;")
    }

    /// Range bodies over `nodes` come from the cache while the answer's version holds, and run
    /// again when it moves; the text is the same as without a cache.
    func testRangeBodyCacheFollowsTheNodesVersion() throws {
        let p = try TemplateParser.parse("{{range nodes}}server {{.Address}}:8301; # {{with node}}{{.Node.Node}}{{end}}\n{{end}}")
        let d = Data()
        let cache = RangeBodyCache()
        func both() throws -> String {
            let a = try TemplateRenderer(data: d, cache: cache).render(p)
            XCTAssertEqual(a, try TemplateRenderer(data: d).render(p))
            return a
        }
        _ = try both()
        XCTAssertEqual(cache.misses, 2)
        _ = try both()
        XCTAssertEqual(cache.hits, 2, "unchanged: both bodies from the cache")
        d.own = "slave-01"; d.version += 1
        XCTAssertTrue(try both().contains("# slave-01"))
        XCTAssertEqual(cache.misses, 4, "the version moved: both bodies run again")
        let r = TemplateRenderer(data: d, cache: cache)
        _ = try r.render(p)
        XCTAssertEqual(r.nodeDependencies, [.nodes, .node("")], "dependencies replayed from the cache")
    }
}
