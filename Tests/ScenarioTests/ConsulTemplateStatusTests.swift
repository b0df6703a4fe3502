import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `.Status` and `.Checks` of a `service` entry on the real subsystems: an instance hangs, its
/// Consul HTTP check goes critical, and a template that lists every instance (`|any`) and prints
/// their states re-renders with the new state (dependency/health_service.go fills both from the
/// health endpoint; the view compares the whole answer, checks included).
final class ConsulTemplateStatusTests: XCTestCase {
    static func scenario(_ template: String) -> String {
        let json = ConsulTemplateInputsTests.json
        return """
            {"name": "status", "seed": 5, "duration": "15m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
             "mesos": {"agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256,
                                    "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
                                                  "portMappings": [{"containerPort": 8080, "hostPort": 0}]}},
                                    "constraints": [["hostname", "UNIQUE"]]}],
                          "behaviour": {"default": {"startupTime": "5s", "health": {"hangsAfter": "5m"}}}},
             "consul": {"agents": ["slave", "edge"],
                        "services": {"/web": {"service": {"name": "web", "port": 8080,
                                      "checks": [{"http": "http://localhost:8080/health", "interval": "10s", "timeout": "2s"},
                                                 {"name": "alive", "tcp": "localhost:8080", "interval": "10s", "timeout": "2s"}]}}}},
             "nginx": {"hostGroup": "edge"},
             "consulTemplate": {"template": [{"contents": \(json(template)), "destination": "/etc/nginx/conf.d/states.conf"}]}}
            """
    }

    func testAStatusChangeTheFilterKeepsReRendersATemplateThatPrintsIt() throws {
        let template = #"{{range service "web|any"}}# {{.Node}} {{.Status}}{{range .Checks}} {{.CheckID}}/{{.Name}}={{.Status}}{{end}}"# + "\n{{end}}"
        let s = try XCTUnwrap(loadOK(Self.scenario(template)))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        let text = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 0))
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, text)
        for l in lines {
            XCTAssertTrue(l.hasPrefix("# slave-0"), text)
            XCTAssertTrue(l.contains(" critical serfHealth/Serf Health Status=passing service:"), "the hung instances' entries are critical, their node passing:\n\(text)")
            XCTAssertTrue(l.contains(":1/Service 'web' check=critical"), "two checks: service:<id>:1, the default name:\n\(text)")
            XCTAssertTrue(l.contains(":2/alive=passing"), "a hung process still accepts connections:\n\(text)")
        }
        XCTAssertTrue(o.events.contains { $0.event == "templateRendered" && $0.subject == "/etc/nginx/conf.d/states.conf" },
                      "the status change is news: the file is written again")
    }
}

/// `consulKV` actions change Consul's KV store during a run: the templates whose last execution
/// read the key (in a range body too: the body cache compares the store's version) render again
/// `queryLatency` later, a template blocked on a missing key renders when it appears, a deleted
/// key blocks its template again (the file keeps its text), and a key nobody reads runs nothing.
final class ConsulTemplateKVActionTests: XCTestCase {
    static func scenario(_ actions: String) -> String {
        ConsulTemplateInputsTests.scenario().replacingOccurrences(of: #""nginx": {"hostGroup": "edge"},"#, with: #""actions": \#(actions), "nginx": {"hostGroup": "edge"},"#)
    }

    func testKeysSetAndDeletedDuringTheRun() throws {
        let actions = #"""
            [{"at": "30s", "kind": "consulKV", "key": "nginx/max_fails", "value": "5"},
             {"at": "40s", "kind": "consulKV", "key": "/not/there", "value": "here"},
             {"at": "50s", "kind": "consulKV", "key": "nginx/max_fails", "delete": true},
             {"at": "60s", "kind": "consulKV", "key": "nobody/reads", "value": "x"}]
            """#
        let s = try XCTUnwrap(loadOK(Self.scenario(actions)))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let text = try XCTUnwrap(ct.destinationText(proxy: 0, template: 0))
        XCTAssertEqual(text.split(separator: "\n").filter { $0.contains("max_fails=5;") }.count, 2, "both servers' bodies read the new value:\n\(text)")
        XCTAssertEqual(ct.destinationText(proxy: 0, template: 1), "# here", "the blocked template renders once its key exists")
        let renders = o.events.filter { $0.event == "templateRendered" }.map { "\($0.time.seconds) \($0.subject)" }
        XCTAssertEqual(renders.filter { $0.hasPrefix("30.001 ") || $0.hasPrefix("40.001 ") || $0.hasPrefix("50.") || $0.hasPrefix("60.") },
                       ["30.001 /etc/nginx/conf.d/web.conf", "40.001 /etc/nginx/conf.d/blocked.conf"], "\(renders)")
        XCTAssertEqual(o.events.filter { $0.event == "consulKV" }.map(\.subject), ["nginx/max_fails", "not/there", "nginx/max_fails", "nobody/reads"])
    }

    func testBadConsulKVActionsNameTheirPath() {
        assertSingleError(Self.scenario(#"[{"at": "1m", "kind": "consulKV", "key": "a", "value": "b", "delete": true}]"#), path: "actions[0].value", ["not both"])
        assertSingleError(Self.scenario(#"[{"at": "1m", "kind": "consulKV", "key": "a"}]"#), path: "actions[0].value", ["missing required key"])
        assertSingleError(Self.scenario(#"[{"at": "1m", "kind": "consulKV", "value": "b"}]"#), path: "actions[0].key", ["missing required key"])
        assertSingleError(Self.scenario(#"[{"at": "1m", "kind": "consulKV", "key": "a", "value": "b", "app": "/web"}]"#), path: "actions[0].app", ["only allowed"])
        assertSingleError(Self.scenario(#"[{"at": "1m", "kind": "consulKV", "key": "a@dc2", "value": "b"}]"#), path: "actions[0].key", ["@dc"])
    }
}
