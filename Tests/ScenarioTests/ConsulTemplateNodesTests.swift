import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `nodes` and `node` on the real subsystems: the node catalog follows Consul's leader (a client
/// agent that leaves on an orderly reboot is deregistered at once and registered again when it
/// rejoins; a crashed one stays, failed, until it is reaped after `reconnect_timeout`), the
/// templates that read it render again when their answer changes and at no other time, `node`
/// follows the registrations on its node, and real nginx accepts an upstream built from `nodes`.
final class ConsulTemplateNodesTests: XCTestCase {
    static let nodesTemplate = "{{range nodes}}# {{.Node}} {{.Address}} {{.Datacenter}}\n{{end}}"
    static let nodeTemplate = #"{{with node "slave-01"}}# {{.Node.Node}}{{range .Services}} {{.Service}}:{{.Port}}{{end}}{{end}}"#
    static let ownTemplate = "{{with node}}# {{.Node.Node}} {{.Node.Address}} {{len .Services}}{{end}} {{range datacenters}}{{.}}{{end}}"
    static let upstreamTemplate = #"""
        upstream consul_lan {
        {{- range nodes}}
          server {{.Address}}:8301; # {{.Node}} {{.ID}}
        {{- else}}
          server 127.0.0.1:65535;
        {{- end}}
        }
        server { listen 8080; location / { proxy_pass http://consul_lan; } }
        """#

    static func scenario(faults: String = #"[{"at": "30s", "kind": "hostReboot", "host": "slave-02", "downFor": "2m"}, {"at": "5m", "kind": "hostCrash", "host": "slave-03"}]"#,
                         duration: String = "8h20m") -> String {
        let json = ConsulTemplateInputsTests.json
        return """
            {"name": "nodes", "seed": 7, "duration": "\(duration)",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
             "mesos": {"agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [{"id": "/web", "instances": 3, "cpus": 0.5, "mem": 256,
                                    "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
                                                  "portMappings": [{"containerPort": 8080, "hostPort": 0}]}},
                                    "constraints": [["hostname", "UNIQUE"]]}],
                          "behaviour": {"default": {"startupTime": "5s"}}},
             "consul": {"agents": ["slave", "edge"], "config": {"reconnect_timeout": "8h"},
                        "services": {"/web": {"service": {"name": "web", "port": 8080}}}},
             "faults": \(faults),
             "nginx": {"hostGroup": "edge"},
             "consulTemplate": {"template": [{"contents": \(json(nodesTemplate)), "destination": "/etc/nginx/conf.d/nodes.conf"},
                                             {"contents": \(json(nodeTemplate)), "destination": "/etc/nginx/conf.d/node.conf"},
                                             {"contents": \(json(ownTemplate)), "destination": "/etc/nginx/conf.d/own.conf"},
                                             {"contents": \(json(upstreamTemplate)), "destination": "/etc/nginx/conf.d/upstream.conf", "command": "nginx -s reload"}]}}
            """
    }

    func run(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (ClusterSimulation, MemoryObserver) {
        try runToEnd(text, file: file, line: line)
    }

    func renders(_ o: MemoryObserver, _ file: String) -> [Double] {
        o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/nginx/conf.d/\(file)" }.map(\.time.seconds)
    }

    /// An orderly reboot: the node leaves the catalog at once (leave_on_terminate) and comes
    /// back when the agent rejoins; a crash: the failed node stays (serfHealth critical, which
    /// `/v1/catalog/nodes` does not show: no render) until it is reaped 8h later.
    func testNodesFollowLeaveRejoinAndReapButNotAFailure() throws {
        let (m, o) = try run(Self.scenario())
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let crashFailed = try XCTUnwrap(o.events.first { $0.event == "consulMemberFailed" && $0.subject == "slave-03" }).time.seconds
        let reaped = try XCTUnwrap(o.events.first { $0.event == "consulMemberReaped" && $0.subject == "slave-03" }).time.seconds
        XCTAssertGreaterThan(crashFailed, 300)
        // the first answers come once the servers have elected a leader (until then no server
        // answers and consul-template retries, about 8 s): every template renders then, own.conf
        // only then
        let first = renders(o, "own.conf")
        XCTAssertEqual(first.count, 1, "the agent's node never changed: \(first)")
        XCTAssertLessThan(first[0], 10)
        let all = renders(o, "nodes.conf")
        XCTAssertLessThan(all.first ?? 99, 10)
        let r = Array(all.dropFirst())
        XCTAssertEqual(r.count, 3, "\(all)")
        guard r.count == 3 else { return }
        XCTAssertEqual(r[0], 30.001, accuracy: 1e-9, "the reboot's leave, queryLatency later")
        XCTAssertEqual(r[1], 150.001, accuracy: 1e-9, "the rejoin when the host is up again")
        XCTAssertEqual(r[2], reaped + 0.001, accuracy: 1e-9, "the reap, not the failure at \(crashFailed)")
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 0),
                       "# edge-01 10.0.0.7 dc1\n# master-01 10.0.0.1 dc1\n# master-02 10.0.0.2 dc1\n# master-03 10.0.0.3 dc1\n# slave-01 10.0.0.4 dc1\n# slave-02 10.0.0.5 dc1\n",
                       "sorted by node name; slave-03 reaped")
        // the agent's own node and the one datacenter
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 2), "# edge-01 10.0.0.7 0 dc1")
        // the upstream built from nodes: every change reloaded nginx, and real nginx accepts it
        XCTAssertEqual(renders(o, "upstream.conf"), all)
        let upstream = try XCTUnwrap(ct.destinationText(proxy: 0, template: 3))
        XCTAssertEqual(upstream.split(separator: "\n").filter { $0.contains(":8301;") }.count, 6, upstream)
        if NginxRealToolTests.nginxBinary() != nil {
            let (status, out) = try NginxRealToolTests.nginxTest(upstream)
            XCTAssertEqual(status, 0, out)
        }
    }

    /// `node "slave-01"` lists the registrations on that node: it renders when web's task there
    /// starts (its registration is committed), and when the node leaves it still holds only its
    /// own services.
    func testNodeServicesFollowTheTasksOnTheNode() throws {
        let (m, o) = try run(Self.scenario(faults: "[]", duration: "2m"))
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let registered = try XCTUnwrap(o.events.first { $0.event == "consulServiceRegistered" && $0.subject.hasPrefix("slave-01:") }).time.seconds
        let r = renders(o, "node.conf")
        XCTAssertEqual(r.count, 2, "\(r)")
        XCTAssertLessThan(r.first ?? 99, registered, "the first answers, once there is a leader")
        XCTAssertEqual(r.last, registered + 0.001, "then one render: when web's task on slave-01 registered")
        let text = try XCTUnwrap(ct.destinationText(proxy: 0, template: 1))
        XCTAssertTrue(text.hasPrefix("# slave-01 web:"), text)
        XCTAssertEqual(text.split(separator: " ").count, 3, "one service on slave-01: \(text)")
        XCTAssertEqual(renders(o, "nodes.conf").count, 1, "the first answers only: no node joined or left")
    }

    /// A template that reads a field of `node "slave-02"`'s `.Node` fails when slave-02 leaves the
    /// catalog (its answer is an empty CatalogNode, `.Node` nil): the execution error ends
    /// consul-template (runner.go Run returns it); the file keeps its last text.
    func testAFieldOfAMissingNodeEndsConsulTemplate() throws {
        let text = Self.scenario(faults: #"[{"at": "30s", "kind": "hostReboot", "host": "slave-02", "downFor": "2m"}]"#, duration: "1m").replacingOccurrences(of: ConsulTemplateInputsTests.json(Self.nodeTemplate),
                                                                     with: ConsulTemplateInputsTests.json(#"{{with node "slave-02"}}# {{.Node.Node}}{{end}}"#))
        let (m, o) = try run(text)
        let exit = try XCTUnwrap(o.events.first { $0.event == "consulTemplateExit" })
        XCTAssertEqual(exit.time.seconds, 30.001, accuracy: 1e-9)
        XCTAssertTrue(exit.detail.contains("nil pointer evaluating *dependency.Node.Node"), exit.detail)
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 1), "# slave-02")
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.headline().last?.value, .int(1))
    }

    /// `consul.config.datacenter` (Consul's default dc1; lower-cased as Consul's builder does):
    /// what `.Datacenter` and `datacenters` answer and the only `@dc` a node query may name.
    func testTheAgentsDatacenter() throws {
        let text = Self.scenario(faults: "[]", duration: "1m")
            .replacingOccurrences(of: #""config": {"reconnect_timeout": "8h"}"#, with: #""config": {"reconnect_timeout": "8h", "datacenter": "DC01"}"#)
            .replacingOccurrences(of: ConsulTemplateInputsTests.json(Self.ownTemplate),
                                  with: ConsulTemplateInputsTests.json(#"{{with node "edge-01" "@dc01"}}# {{.Node.Datacenter}}{{end}} {{range nodes "@dc01"}}{{.Datacenter}},{{end}} {{datacenters}}"#))
        let s = try XCTUnwrap(loadOK(text))
        XCTAssertEqual(s.spec.consul?.config.datacenter, "dc01")
        let (m, _) = try run(text)
        XCTAssertEqual(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 2), "# dc01 " + String(repeating: "dc01,", count: 7) + " [dc01]")
        assertSingleError(Self.scenario(faults: "[]", duration: "1m").replacingOccurrences(of: ConsulTemplateInputsTests.json(Self.ownTemplate),
                                                                                             with: ConsulTemplateInputsTests.json(#"{{nodes "@dc01"}}"#)),
                          path: "consulTemplate.template[2].contents", ["other datacenters (@dc01) are not modelled (the simulator has one datacenter, dc1)"])
        assertSingleError(Self.scenario(faults: "[]", duration: "1m").replacingOccurrences(of: #""reconnect_timeout": "8h""#, with: #""reconnect_timeout": "8h", "datacenter": "dc 1""#),
                          path: "consul.config.datacenter",
                          ["datacenter cannot be \"dc 1\". Please use only [a-z0-9-_]."])
    }
}
