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
        func json(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\"" }
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
