@testable import ClusterModel
import SimKernel
import XCTest

/// Registrator's rules (Consul/Registrator.swift) against gliderlabs/registrator at 6bfadbc:
/// bridge/util.go serviceMetaData and recParseEscapedComma, bridge/bridge.go newService,
/// consul/consul.go buildCheck.
final class RegistratorMetadataTests: XCTestCase {
    func app(env: [(String, String)] = [], labels: [String] = [], image: String = "registry.example.com:5000/team/web:1.2",
             network: NetworkMode = .bridge, ports: [AppPort] = [AppPort(containerPort: 8080, hostPort: 0)]) -> AppDefinition {
        var a = AppDefinition(id: "/shop/web", container: AppContainer(type: .docker, image: image, parameters: labels.map { Label(name: "label", value: $0) }),
                              networkMode: network, ports: ports)
        a.environment = env.map { Label(name: $0.0, value: $0.1) }
        return a
    }

    func plan(_ a: AppDefinition, naming: ConsulServiceNaming = .appId, scripts: Bool = false) throws -> RegistratorPlan {
        try XCTUnwrap(Registrator.plan(a, naming: naming, scriptChecksEnabled: scripts))
    }

    func testDefaultNameIsTheImageBaseNameWithoutTag() {
        XCTAssertEqual(Registrator.defaultName(image: "registry.example.com:5000/team/web:1.2"), "web")
        XCTAssertEqual(Registrator.defaultName(image: "redis"), "redis")
        XCTAssertEqual(Registrator.defaultName(image: "gliderlabs/foobar:latest"), "foobar")
        // strings.Split(path.Base(image), ":")[0]: a digest keeps its "@sha256"
        XCTAssertEqual(Registrator.defaultName(image: "web@sha256:abc"), "web@sha256")
        XCTAssertEqual(Registrator.defaultName(image: "team/web/"), "web")
    }

    /// combineTags through recParseEscapedComma: reversed, `\,` kept as a comma, empty parts dropped.
    func testTagsAsRegistratorSplitsThem() {
        XCTAssertEqual(Registrator.tags("http,prod"), ["prod", "http"])
        XCTAssertEqual(Registrator.tags(#"a\,b,c"#), ["c", "a,b"])
        XCTAssertEqual(Registrator.tags(",a,,b,"), ["b", "a"])
        XCTAssertEqual(Registrator.tags(""), [])
    }

    /// Without metadata and with appId naming, the model's app-id registration applies (nil);
    /// a non-Docker app is never registrator's.
    func testNoPlanWithoutMetadataOrForNonDockerApps() throws {
        XCTAssertNil(Registrator.plan(app(), naming: .appId, scriptChecksEnabled: false))
        XCTAssertEqual(try plan(app(), naming: .registrator).services.map(\.definition.name), ["web"])
        var cmd = AppDefinition(id: "/x", cmd: "sleep 1")
        cmd.environment = [Label(name: "SERVICE_NAME", value: "x")]
        XCTAssertNil(Registrator.plan(cmd, naming: .registrator, scriptChecksEnabled: false))
        // a key without the exact prefix is not metadata
        XCTAssertNil(Registrator.plan(app(env: [("service_NAME", "x")]), naming: .appId, scriptChecksEnabled: false))
    }

    /// Labels after env; a port key wins over a global one from either source; keys lowercased.
    func testMetadataPrecedence() throws {
        XCTAssertEqual(try plan(app(env: [("SERVICE_NAME", "env")], labels: ["SERVICE_NAME=label"])).services.first?.definition.name, "label")
        XCTAssertEqual(try plan(app(env: [("SERVICE_8080_NAME", "port")], labels: ["SERVICE_NAME=global"])).services.first?.definition.name, "port")
        XCTAssertEqual(try plan(app(env: [("SERVICE_NAME", "global")], labels: ["SERVICE_8080_NAME=port"])).services.first?.definition.name, "port")
        XCTAssertEqual(try plan(app(env: [("SERVICE_9999_NAME", "other")])).services.first?.definition.name, "shop-web")
        XCTAssertEqual(try plan(app(env: [("SERVICE_Name", "mixed")])).services.first?.definition.name, "mixed")
        // a later label of the same key replaces the earlier (Docker's label map)
        XCTAssertEqual(try plan(app(labels: ["SERVICE_NAME=a", "SERVICE_NAME=b"])).services.first?.definition.name, "b")
        // SERVICE_ID replaces registrator's id; an empty value is absent
        XCTAssertEqual(try plan(app(env: [("SERVICE_ID", "fixed")])).services.first?.definition.id, "fixed")
        XCTAssertNil(try plan(app(env: [("SERVICE_ID", "")])).services.first?.definition.id)
    }

    /// Several published ports: `-<exposed port>` unless the name comes from a port key; udp
    /// entries of a "udp,tcp" port are registered too, tagged udp.
    func testSeveralPortsAndUDP() throws {
        let ports = [AppPort(protocol: "udp,tcp", containerPort: 53, hostPort: 0), AppPort(containerPort: 8080, hostPort: 0)]
        let p = try plan(app(env: [("SERVICE_NAME", "dns"), ("SERVICE_8080_NAME", "metrics"), ("SERVICE_TAGS", "a")], ports: ports))
        XCTAssertEqual(p.services.map(\.definition.name), ["dns-53", "dns-53", "metrics"])
        XCTAssertEqual(p.services.map(\.udp), [false, true, false])
        XCTAssertEqual(p.services.map(\.definition.tags), [["a"], ["a", "udp"], ["a"]])
        XCTAssertEqual(p.services.map(\.hostPortIndex), [0, 0, 1])
    }

    /// HOST networking: the task's host ports are the exposed ones; a fixed port is known, a
    /// dynamic one alone keeps the plain name, dynamic ones among several cannot be named.
    func testHostNetworking() throws {
        let fixed = try plan(app(env: [("SERVICE_TAGS", "x")], network: .host, ports: [AppPort(hostPort: 8080), AppPort(hostPort: 8443)]))
        XCTAssertEqual(fixed.services.map(\.definition.name), ["shop-web-8080", "shop-web-8443"])
        XCTAssertEqual(fixed.services.map(\.exposedPort), [8080, 8443])
        let one = try plan(app(env: [("SERVICE_TAGS", "x")], network: .host, ports: [AppPort(hostPort: 0)]))
        XCTAssertEqual(one.services.map(\.definition.name), ["shop-web"])
        XCTAssertNil(one.services.first?.exposedPort ?? nil)
        let two = try plan(app(env: [("SERVICE_TAGS", "x")], network: .host, ports: [AppPort(hostPort: 0), AppPort(hostPort: 0)]))
        XCTAssertEqual(two.services.count, 0)
        XCTAssertEqual(two.notes.count, 2)
        XCTAssertTrue(two.notes.first?.message.contains("dynamic host port") == true)
    }

    /// buildCheck: HTTP before TCP, 10s default interval, timeout, initial status, deregister after.
    func testChecks() throws {
        var c = try XCTUnwrap(try plan(app(env: [("SERVICE_CHECK_TCP", "true"), ("SERVICE_CHECK_HTTP", "/health"), ("SERVICE_CHECK_TIMEOUT", "2s"),
                                                 ("SERVICE_CHECK_INITIAL_STATUS", "passing"), ("SERVICE_CHECK_DEREGISTER_AFTER", "30s")]))
            .services.first?.definition.checks.first)
        XCTAssertEqual(c.kind, .http)
        XCTAssertEqual(c.interval, .seconds(10))
        XCTAssertEqual(c.timeout, .seconds(2))
        XCTAssertEqual(c.initialStatus, .passing)
        XCTAssertEqual(c.deregisterCriticalServiceAfter, .minutes(1), "Consul's 1m minimum")
        c = try XCTUnwrap(try plan(app(env: [("SERVICE_CHECK_TTL", "30s"), ("SERVICE_CHECK_TCP", "1")])).services.first?.definition.checks.first)
        XCTAssertEqual(c.kind, .ttl, "ttl comes before tcp in buildCheck")
        XCTAssertEqual(c.ttl, .seconds(30))
        c = try XCTUnwrap(try plan(app(env: [("SERVICE_CHECK_TCP", "1"), ("SERVICE_CHECK_INTERVAL", "5s")])).services.first?.definition.checks.first)
        XCTAssertEqual(c.kind, .tcp)
        XCTAssertEqual(c.interval, .seconds(5))
        XCTAssertEqual(c.initialStatus, .critical)
        XCTAssertEqual(try plan(app(env: [("SERVICE_CHECK_HTTPS", "/h")])).services.first?.definition.checks.first?.kind, .http)
        XCTAssertEqual(try plan(app(env: [("SERVICE_CHECK_SCRIPT", "/bin/true")]), scripts: true).services.first?.definition.checks.first?.kind, .script)
        XCTAssertEqual(try plan(app(env: [("SERVICE_NAME", "x")])).services.first?.definition.checks, [])
    }

    /// What Consul refuses: the port is not registered and a note names the key.
    func testRefusedRegistrations() throws {
        for (env, key, reason) in [([("SERVICE_CHECK_HTTP", "/h"), ("SERVICE_CHECK_INTERVAL", "often")], "SERVICE_CHECK_INTERVAL", "invalid duration"),
                                   ([("SERVICE_CHECK_HTTP", "/h"), ("SERVICE_CHECK_INTERVAL", "0s")], "SERVICE_CHECK_INTERVAL", "Interval must be > 0"),
                                   ([("SERVICE_CHECK_TTL", "0s")], "SERVICE_CHECK_TTL", "TTL must be > 0"),
                                   ([("SERVICE_CHECK_HTTP", "/h"), ("SERVICE_CHECK_INITIAL_STATUS", "ok")], "SERVICE_CHECK_INITIAL_STATUS", "Status for checks"),
                                   ([("SERVICE_CHECK_CMD", "/bin/x")], "SERVICE_CHECK_CMD", "Scripts are disabled")] {
            let p = try plan(app(env: env))
            XCTAssertEqual(p.services.count, 0, "\(env)")
            XCTAssertEqual(p.notes.map(\.key), [key], "\(env)")
            XCTAssertTrue(p.notes.first?.message.contains(reason) == true, "\(p.notes)")
        }
        // raised, not refused: an interval under 1s
        let p = try plan(app(env: [("SERVICE_CHECK_TCP", "1"), ("SERVICE_CHECK_INTERVAL", "100ms")]))
        XCTAssertEqual(p.services.first?.definition.checks.first?.interval, .seconds(1))
        XCTAssertEqual(p.notes.map(\.key), ["SERVICE_CHECK_INTERVAL"])
    }
}
