@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Registrator's SERVICE_* metadata through the scenario loader and a run (Consul/Registrator.swift,
/// gliderlabs/registrator at 6bfadbc): names and tags that consul-template's `service "prod.api"`
/// sees, a check from SERVICE_CHECK_HTTP that fails with the task, one registration per published
/// port with registrator's ids, `consul.serviceNaming`, and what loads as a warning or an error.
final class RegistratorScenarioTests: XCTestCase {
    static let template = #"""
        upstream api {
        {{- range service "prod.api"}}
          server {{.Address}}:{{.Port}}; # {{.Tags | join "+"}}
        {{- else}}
          server 127.0.0.1:65535;
        {{- end}}
        }
        server { listen 80; location / { proxy_pass http://api; } }
        """#

    /// A Docker app `/shop/api` (image `registry.example.com:5000/shop/api-server:1.4`) with `env`
    /// and Docker label parameters, and its port mappings.
    static func scenario(env: String = #"{"SERVICE_NAME": "api", "SERVICE_TAGS": "http,prod"}"#, labels: [String] = [],
                         mappings: String = #"[{"containerPort": 8080, "hostPort": 0}]"#, instances: Int = 2,
                         consul: String = "", behaviour: String = "", duration: String = "2m", slaves: Int = 3) -> String {
        let params = labels.map { #"{"key": "label", "value": "\#($0)"}"# }.joined(separator: ", ")
        return """
            {"name": "registrator", "seed": 5, "duration": "\(duration)",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": \(slaves), "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
             "mesos": {"agents": {"hostGroups": ["slave"]}},
             "marathon": {"apps": [{"id": "/shop/api", "instances": \(instances), "cpus": 0.5, "mem": 256, "env": \(env),
                                    "container": {"type": "DOCKER", "docker": {"image": "registry.example.com:5000/shop/api-server:1.4", "network": "BRIDGE",
                                                  "parameters": [\(params)], "portMappings": \(mappings)}}}],
                          "behaviour": {"default": {"startupTime": "5s"}\(behaviour)}},
             "consul": {"agents": ["slave", "edge"]\(consul)},
             "nginx": {"hostGroup": "edge"},
             "consulTemplate": {"template": [{"contents": \(ConsulTemplateInputsTests.json(template)), "destination": "/etc/nginx/conf.d/api.conf", "command": "nginx -s reload"}]}}
            """
    }

    func run(_ text: String) throws -> (ClusterSimulation, ConsulCluster) {
        let s = try XCTUnwrap(loadOK(text))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        return (m, try XCTUnwrap(m.subsystem(ConsulCluster.self)))
    }

    func rendered(_ m: ClusterSimulation) throws -> String {
        try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self)?.destinationText(proxy: 0, template: 0))
    }

    /// SERVICE_NAME and SERVICE_TAGS: the instances are `api`, tagged prod and http (registrator's
    /// recursion lists them in reverse), and `service "prod.api"` finds both.
    func testNameAndTagsReachConsulTemplate() throws {
        let (m, c) = try run(Self.scenario())
        XCTAssertEqual(c.serviceNames, ["api"])
        let text = try rendered(m)
        let servers = text.split(separator: "\n").filter { $0.contains("server 10.") }
        XCTAssertEqual(servers.count, 2, text)
        XCTAssertTrue(servers.allSatisfy { $0.hasSuffix(" prod+http") }, text)
        // registrator's id: host:container:exposed port (the Mesos task name for the container)
        let ids = c.instances.filter(\.inCatalog).map(\.id)
        XCTAssertEqual(ids.count, 2)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("slave-") && $0.hasSuffix(":8080") }, "\(ids)")
        if NginxRealToolTests.nginxBinary() != nil {
            let (status, out) = try NginxRealToolTests.nginxTest(text)
            XCTAssertEqual(status, 0, out)
        }
    }

    /// Without SERVICE_TAGS the tag query answers nothing; without SERVICE_NAME the app keeps its
    /// app-id name (`appId` naming), so `service "prod.api"` has nothing either.
    func testWithoutTheTagOrTheNameTheQueryIsEmpty() throws {
        for env in [#"{"SERVICE_NAME": "api"}"#, #"{"SERVICE_TAGS": "prod"}"#] {
            let (m, c) = try run(Self.scenario(env: env))
            XCTAssertTrue(try rendered(m).contains("server 127.0.0.1:65535;"), env)
            if env.contains("TAGS") { XCTAssertEqual(c.serviceNames, ["shop-api"]) }
        }
    }

    /// Docker labels win over `env` for the same key (serviceMetaData appends the labels after the
    /// environment); a port key wins over a global one whatever their source.
    func testLabelsWinOverEnvAndPortKeysOverGlobal() throws {
        var (_, c) = try run(Self.scenario(env: #"{"SERVICE_NAME": "from-env"}"#, labels: ["SERVICE_NAME=from-label"], duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["from-label"])
        (_, c) = try run(Self.scenario(env: #"{"SERVICE_8080_NAME": "port-env"}"#, labels: ["SERVICE_NAME=global-label"], duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["port-env"])
    }

    /// SERVICE_IGNORE (any non-empty value): not registered; an empty value counts as absent.
    func testIgnore() throws {
        var (_, c) = try run(Self.scenario(env: #"{"SERVICE_IGNORE": "true"}"#, duration: "30s"))
        XCTAssertEqual(c.serviceCounts().passing + c.serviceCounts().critical, 0)
        (_, c) = try run(Self.scenario(env: #"{"SERVICE_IGNORE": "", "SERVICE_NAME": "api"}"#, duration: "30s"))
        XCTAssertEqual(c.serviceCounts().passing, 2)
    }

    /// Three published ports (a BRIDGE mapping without hostPort gets a dynamic one, as Marathon
    /// defaults it), one ignored by SERVICE_7000_IGNORE: one registration for each other, named
    /// `<name>-<container port>` unless the port has its own SERVICE_<port>_NAME, on each port's
    /// host port, with ids host:task:port.
    func testOneRegistrationPerPublishedPort() throws {
        let mappings = #"[{"containerPort": 8080, "hostPort": 0}, {"containerPort": 9090, "hostPort": 0}, {"containerPort": 7000}]"#
        let (_, c) = try run(Self.scenario(env: #"{"SERVICE_NAME": "api", "SERVICE_9090_NAME": "api-admin", "SERVICE_TAGS": "prod", "SERVICE_7000_IGNORE": "1"}"#, mappings: mappings, instances: 1, duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["api-8080", "api-admin"])
        let live = c.instances.filter(\.inCatalog)
        XCTAssertEqual(live.count, 2)
        let byName = Dictionary(uniqueKeysWithValues: live.map { (c.serviceNames[$0.name], $0) })
        let a = try XCTUnwrap(byName["api-8080"]), b = try XCTUnwrap(byName["api-admin"])
        XCTAssertTrue(a.id.hasSuffix(":8080") && b.id.hasSuffix(":9090"), "\(a.id) \(b.id)")
        XCTAssertEqual(a.task, b.task)
        XCTAssertLessThan(a.port, b.port, "port index 0 takes the task's lower host port")
        XCTAssertEqual(a.tags, ["prod"])
    }

    /// SERVICE_CHECK_HTTP: an HTTP check every 10s (registrator's default) that fails while the task
    /// answers 500, so the instances are critical and the tag query (passing only) is empty.
    func testHTTPCheckFailsWhenTheTaskIsUnhealthy() throws {
        let env = #"{"SERVICE_NAME": "api", "SERVICE_TAGS": "prod", "SERVICE_CHECK_HTTP": "/health"}"#
        let (m, c) = try run(Self.scenario(env: env, behaviour: #", "/shop/api": {"health": "unhealthy"}"#))
        XCTAssertEqual(c.serviceCounts().critical, 2)
        XCTAssertEqual(c.serviceCounts().passing, 0)
        XCTAssertTrue(try rendered(m).contains("server 127.0.0.1:65535;"))
        let check = try XCTUnwrap(c.instances.first(where: \.inCatalog).flatMap { $0.checks.first.map { c.checks[$0].def } })
        XCTAssertEqual(check.kind, .http)
        XCTAssertEqual(check.interval, .seconds(10))
        XCTAssertEqual(check.name, "Service 'api' check")
        // the same app healthy: its checks pass
        let (_, h) = try run(Self.scenario(env: env))
        XCTAssertEqual(h.serviceCounts().passing, 2)
    }

    /// `consul.serviceNaming: "registrator"`: the image's base name without tag, also without any
    /// SERVICE_* metadata; SERVICE_NAME still wins.
    func testServiceNamingRegistrator() throws {
        var (_, c) = try run(Self.scenario(env: "{}", consul: #", "serviceNaming": "registrator""#, duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["api-server"])
        (_, c) = try run(Self.scenario(env: "{}", duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["shop-api"], "appId naming is the default")
        (_, c) = try run(Self.scenario(env: #"{"SERVICE_NAME": "api"}"#, consul: #", "serviceNaming": "registrator""#, duration: "30s"))
        XCTAssertEqual(c.serviceNames, ["api"])
    }

    /// SERVICE_ID: every registration gets it; two tasks on one agent with the same id are one
    /// service for Consul (the later registration replaces the earlier); on two agents, two.
    func testServiceIDIsTheIdAndReplacesOnOneAgent() throws {
        var (_, c) = try run(Self.scenario(env: #"{"SERVICE_NAME": "api", "SERVICE_ID": "api-1"}"#, duration: "30s", slaves: 1))
        XCTAssertEqual(c.instances.filter(\.inCatalog).map(\.id), ["api-1"])
        (_, c) = try run(Self.scenario(env: #"{"SERVICE_NAME": "api"}"#, duration: "30s", slaves: 1))
        XCTAssertEqual(c.instances.filter(\.inCatalog).count, 2, "registrator's ids differ by task")
    }

    /// A template's `.ID` is the ServiceID Consul holds (registrator's `host:container:port`, or
    /// SERVICE_ID), in `service` and in `node` answers, and two instances on one node come in
    /// ServiceID order (consul-template's ByNodeThenID), not in an id the runner makes up. (A comment:
    /// the file is an nginx configuration, and nginx must accept it.)
    func testTemplatesSeeTheCatalogsServiceIDs() throws {
        func scenario(_ env: String) -> String {
            Self.scenario(env: env, duration: "2m", slaves: 1).replacingOccurrences(of: ConsulTemplateInputsTests.json(Self.template),
                with: ConsulTemplateInputsTests.json(#"# {{range service "api"}}{{.ID}}|{{end}} node:{{with node "slave-01"}}{{range .Services}}{{.ID}}|{{end}}{{end}}"#))
        }
        var (m, c) = try run(scenario(#"{"SERVICE_NAME": "api"}"#))
        let ids = c.instances.filter(\.inCatalog).map(\.id).sorted()
        XCTAssertEqual(ids.count, 2)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("slave-01:") && $0.hasSuffix(":8080") }, "\(ids)")
        let listed = ids.map { $0 + "|" }.joined()
        XCTAssertEqual(try rendered(m), "# " + listed + " node:" + listed)
        (m, c) = try run(scenario(#"{"SERVICE_NAME": "api", "SERVICE_ID": "api-1"}"#))
        XCTAssertEqual(try rendered(m), "# api-1| node:api-1|")
    }

    /// SERVICE_* on an app registrator does not see (no Docker container): a warning, and the
    /// app keeps its app-id registration; a pod gets none.
    func testMetadataOnANonDockerAppIsAWarning() {
        var cmd = AppDefinition(id: "/batch/worker", cmd: "worker")
        cmd.environment = [Label(name: "SERVICE_NAME", value: "worker")]
        let d = Diagnostics()
        ScenarioSchema.warnRegistrator(ConsulSpec(hostGroup: "master"), apps: [cmd], d)
        XCTAssertEqual(d.warnings.map(\.path), ["marathon.apps[0]"])
        XCTAssertTrue(d.warnings.first?.message.contains("not a Docker container") == true, "\(d.warnings)")
        XCTAssertNil(ConsulSpec(hostGroup: "master").registratorPlans(apps: [cmd]).first)
    }

    func testBadServiceNamingIsAnError() {
        assertSingleError(Self.scenario(consul: #", "serviceNaming": "image""#), path: "consul.serviceNaming", ["appId", "registrator"])
    }

    /// What Consul refuses (a bad check interval, a script check with script checks disabled) is a
    /// warning at the env key and the port is not registered; an app with a consul.services entry
    /// gets a warning that its SERVICE_* is not read.
    func testRefusalsAndOverridesAreWarnings() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(env: #"{"SERVICE_NAME": "api", "SERVICE_CHECK_HTTP": "/health", "SERVICE_CHECK_INTERVAL": "often"}"#)))
        XCTAssertTrue(s.warnings.contains { $0.contains("marathon.apps[0].env.SERVICE_CHECK_INTERVAL") && $0.contains("invalid duration") && $0.contains("not registered") },
                      s.warnings.joined(separator: "\n"))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        XCTAssertEqual(m.subsystem(ConsulCluster.self)?.serviceCounts().passing, 0)
        // Marathon's loader no longer calls an env of SERVICE_* keys only unmodelled; with other keys, only those
        XCTAssertFalse(s.warnings.contains { $0.contains("not modelled: env") || $0.contains(", env") }, s.warnings.joined(separator: "\n"))
        let mixed = try XCTUnwrap(loadOK(Self.scenario(env: #"{"SERVICE_NAME": "api", "JAVA_OPTS": "-Xmx1g"}"#, labels: ["SERVICE_TAGS=http"])))
        XCTAssertTrue(mixed.warnings.contains { $0.contains("env (other than registrator's SERVICE_* keys, which are read for Consul") }, mixed.warnings.joined(separator: "\n"))
        XCTAssertFalse(mixed.warnings.contains { $0.contains("container.docker.parameters") }, mixed.warnings.joined(separator: "\n"))

        let script = try XCTUnwrap(loadOK(Self.scenario(env: "{}", labels: ["SERVICE_CHECK_SCRIPT=/bin/check"])))
        XCTAssertTrue(script.warnings.contains { $0.contains("marathon.apps[0].container.docker.parameters") && $0.contains("enable_script_checks") },
                      script.warnings.joined(separator: "\n"))
        let enabled = try XCTUnwrap(loadOK(Self.scenario(env: "{}", labels: ["SERVICE_CHECK_SCRIPT=/bin/check"], consul: #", "config": {"enable_script_checks": true}"#)))
        XCTAssertFalse(enabled.warnings.contains { $0.contains("enable_script_checks") }, enabled.warnings.joined(separator: "\n"))

        let defined = try XCTUnwrap(loadOK(Self.scenario(consul: #", "services": {"/shop/api": {"service": {"name": "shop"}}}"#)))
        XCTAssertTrue(defined.warnings.contains { $0.contains("consul.services") && $0.contains("SERVICE_NAME, SERVICE_TAGS") && $0.contains("not read") },
                      defined.warnings.joined(separator: "\n"))
        XCTAssertEqual(defined.spec.consul?.registratorPlans(apps: defined.spec.marathon?.apps ?? []).count, 0)
    }
}
