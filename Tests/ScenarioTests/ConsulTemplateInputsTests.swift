import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// What templates read besides the health of instances, on the real subsystems: the tags of the
/// Consul service definitions (`.Tags`, `service "tag.name"`, `services`' tags), the `consul.kv`
/// store (`key`; a missing key blocks its template as in consul-template), consul-template's
/// `environment` (`env`); and real nginx accepts what they render.
final class ConsulTemplateInputsTests: XCTestCase {
    static let template = #"""
        upstream web {
        {{- range service "http.web"}}
          server {{.Address}}:{{.Port}} max_fails={{key "nginx/max_fails"}}; # {{.Tags | join "+"}}
        {{- else}}
          server 127.0.0.1:65535;
        {{- end}}
        }
        {{- range services}}{{if .Tags | contains "http"}}
        # {{.Name}}: {{.Tags | join ","}}{{end}}{{end}}
        server { listen 80; server_name {{env "DOMAIN"}}; location / { proxy_pass http://web; } }
        """#

    /// A template's text as a JSON string.
    static func json(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\"" }

    static func scenario(kv: String = #"{"nginx/max_fails": "3"}"#) -> String {
        func app(_ id: String, _ n: Int) -> String {
            #"{"id": "\#(id)", "instances": \#(n), "cpus": 0.5, "mem": 256, "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE", "portMappings": [{"containerPort": 8080, "hostPort": 0}]}}}"#
        }
        return """
            {"name": "inputs", "seed": 3, "duration": "2m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
             "mesos": {"agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [\(app("/web", 2)), \(app("/api", 1))], "behaviour": {"default": {"startupTime": "5s"}}},
             "consul": {"agents": ["slave", "edge"], "kv": \(kv),
                        "services": {"/web": {"service": {"name": "web", "port": 8080, "tags": ["http", "v2"]}},
                                     "/api": {"service": {"name": "api", "port": 8080, "tags": ["internal"]}}}},
             "nginx": {"hostGroup": "edge"},
             "consulTemplate": {"environment": {"DOMAIN": "example.com"},
                                "template": [{"contents": \(json(template)), "destination": "/etc/nginx/conf.d/web.conf", "command": "nginx -s reload"},
                                             {"contents": "# {{key \\"not/there\\"}}", "destination": "/etc/nginx/conf.d/blocked.conf"}]}}
            """
    }

    func testTagsKVAndEnvironmentReachTheRenderedFile() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario()))
        XCTAssertEqual(s.spec.consul?.kv, ["nginx/max_fails": "3"])
        XCTAssertEqual(s.spec.consulTemplate?.inputs.environment, ["DOMAIN": "example.com"])
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let text = try XCTUnwrap(ct.destinationText(proxy: 0, template: 0))
        let servers = text.split(separator: "\n").filter { $0.contains("max_fails=3; # http+v2") }
        XCTAssertEqual(servers.count, 2, "the two instances of web, registered with the tags http and v2:\n\(text)")
        XCTAssertTrue(text.contains("# web: http,v2"), text)
        XCTAssertFalse(text.contains("# api"), "api's tags do not contain http:\n\(text)")
        XCTAssertTrue(text.contains("server_name example.com;"), text)
        XCTAssertNil(ct.destinationText(proxy: 0, template: 1), "a key that does not exist blocks its template: never rendered")
        if NginxRealToolTests.nginxBinary() != nil {
            let (status, out) = try NginxRealToolTests.nginxTest(text)
            XCTAssertEqual(status, 0, out)
        }
    }

    /// `service "tag.name"` asks for the tagged instances only: a tag no definition has answers nothing.
    func testATagNoInstanceHasAnswersNothing() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario().replacingOccurrences(of: #"range service \"http.web\""#, with: #"range service \"v3.web\""#)))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let text = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 0))
        XCTAssertTrue(text.contains("server 127.0.0.1:65535;"), text)
        XCTAssertFalse(text.contains("max_fails"), text)
    }

    func testBadKVAndEnvironmentNameTheirPath() {
        assertSingleError(Self.scenario(kv: #"{"a": 1}"#), path: "consul.kv.a", ["string"])
        assertSingleError(Self.scenario(kv: #"{"/": "x"}"#), path: #"consul.kv["/"]"#, ["must not be empty"])
        assertSingleError(Self.scenario(kv: #"["a"]"#), path: "consul.kv", ["an object of strings"])
        assertSingleError(Self.scenario().replacingOccurrences(of: #""DOMAIN": "example.com""#, with: #""DOMAIN": true"#),
                          path: "consulTemplate.environment.DOMAIN", ["string"])
    }
}
