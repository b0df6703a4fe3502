@testable import ClusterModel
import SimKernel
import XCTest

/// haproxy.cfg from Marathon's app labels as marathon-lb writes it (docs/marathon-lb.md).
final class MarathonLBConfigTests: XCTestCase {
    static func app(_ id: String, ports: [Int], labels: [String: String], checks: [HealthCheck] = []) -> AppDefinition {
        AppDefinition(id: id, ports: ports.map { AppPort(hostPort: 0, servicePort: $0) }, healthChecks: checks,
                      labels: labels.keys.sorted().map { Label(name: $0, value: labels[$0]!) })
    }

    static func tasks(_ hostsAndPorts: [(Int, [Int])]) -> [MarathonLBTask] {
        hostsAndPorts.enumerated().map { MarathonLBTask(task: TaskID($0.offset), host: $0.element.0, ports: $0.element.1) }
    }

    static let hostNames = ["slave-01", "slave-02", "slave-03"]

    func generate(_ apps: [(Int, AppDefinition, [MarathonLBTask])], group: String = "external", strict: Bool = false) -> HAProxyConfiguration {
        MarathonLBConfig.generate(group: group, strictMode: strict, apps: apps.map { (index: $0.0, app: $0.1, tasks: $0.2) },
                                  hostName: { Self.hostNames[$0] })
    }

    func testLabelsBecomeFrontendsAndBackendsInMarathonLBsOrder() {
        let web = Self.app("/shop/web", ports: [10080, 10081],
                           labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com,www.example.com",
                                    "HAPROXY_0_BALANCE": "leastconn", "HAPROXY_1_PORT": "18081", "HAPROXY_1_MODE": "http"],
                           checks: [HealthCheck(protocol: .http, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)])
        let db = Self.app("/db", ports: [10010], labels: ["HAPROXY_GROUP": "external,internal"],
                          checks: [HealthCheck(protocol: .tcp, portIndex: 0, interval: .seconds(30), maxConsecutiveFailures: 2)])
        let other = Self.app("/internal/api", ports: [10020], labels: ["HAPROXY_GROUP": "internal"])
        let none = Self.app("/nogroup", ports: [10030], labels: [:])
        let c = generate([(0, web, Self.tasks([(2, [31002, 31003]), (0, [31000, 31001])])),
                          (1, db, Self.tasks([(1, [31005])])), (2, other, Self.tasks([(1, [31006])])), (3, none, Self.tasks([(1, [31007])]))])
        // sorted by app id, then service port; the HAPROXY_1_PORT override names and binds the second port
        XCTAssertEqual(c.frontends.map(\.name), ["db_10010", "shop_web_10080", "shop_web_18081"])
        XCTAssertEqual(c.frontends.map(\.bindPort), [10010, 10080, 18081])
        XCTAssertEqual(c.backends.map(\.mode), ["tcp", "http", "http"], "TCP check: tcp; HTTP check: http; HAPROXY_1_MODE")
        XCTAssertEqual(c.backends.map(\.balance), [.roundRobin, .leastConn, .roundRobin])
        XCTAssertEqual(c.frontends[1].vhosts, ["shop.example.com", "www.example.com"])
        XCTAssertEqual(c.backends[1].servers.map(\.name), ["slave-01_10_0_0_1_31000", "slave-03_10_0_0_3_31002"], "servers by host, then port")
        XCTAssertEqual(c.backends[1].servers.map(\.address), ["10.0.0.1", "10.0.0.3"])
        XCTAssertEqual(c.backends[2].servers.map(\.port), [31001, 31003], "the task's second host port for port index 1")
        XCTAssertEqual(c.backends[1].servers[0].instance, ServiceInstance(task: 1, host: 0, port: 31000))
        XCTAssertEqual(c.backends[1].servers[0].check, HAProxyCheck(inter: .seconds(10), fall: 4, timeout: .seconds(5), httpPath: "/health"))
        XCTAssertNil(c.backends[2].servers[0].check, "the health check is for port index 0 only")
        XCTAssertEqual(c.backends[0].servers[0].check, HAProxyCheck(inter: .seconds(30), fall: 3))
        let t = c.text
        XCTAssertTrue(t.hasPrefix("global\n  daemon\n"), t)
        for line in ["  maxconn 50000\n", "  maxconn               10000\n", "  retries                   3\n", "  timeout connect          3s\n",
                     "  timeout queue           30s\n", "  option            redispatch\n", "  bind 0.0.0.0:9090\n",
                     "frontend marathon_http_in\n  bind *:80\n  mode http\n  acl host_shop_example_com_shop_web hdr(host) -i shop.example.com\n  acl host_shop_example_com_shop_web hdr(host) -i www.example.com\n  use_backend shop_web_10080 if host_shop_example_com_shop_web\n",
                     "\nfrontend db_10010\n  bind *:10010\n  mode tcp\n  use_backend db_10010\n",
                     "\nbackend shop_web_10080\n  balance leastconn\n  mode http\n  option forwardfor\n",
                     "  option  httpchk GET /health\n  timeout check 5s\n  server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 10s fall 4\n",
                     "\nbackend db_10010\n  balance roundrobin\n  mode tcp\n  server slave-02_10_0_0_2_31005 10.0.0.2:31005 check inter 30s fall 3\n"] {
            XCTAssertTrue(t.contains(line), "missing \(line.debugDescription) in\n\(t)")
        }
        XCTAssertLessThan(t.range(of: "frontend shop_web_18081")!.lowerBound, t.range(of: "\nbackend db_10010")!.lowerBound, "frontends, then backends")
        XCTAssertFalse(t.contains("internal_api") || t.contains("nogroup"), "other groups and apps without HAPROXY_GROUP are not served")
        // the internal instance serves /db and /internal/api; "*" every app
        XCTAssertEqual(generate([(1, db, Self.tasks([(1, [31005])])), (2, other, Self.tasks([(1, [31006])]))], group: "internal").frontends.map(\.name),
                       ["db_10010", "internal_api_10020"])
        XCTAssertEqual(generate([(3, none, Self.tasks([(1, [31007])]))], group: "*").frontends.map(\.name), ["nogroup_10030"])
    }

    func testStrictModeAndServicesWithoutServers() {
        let on = Self.app("/on", ports: [10001], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_ENABLED": "true"])
        let off = Self.app("/off", ports: [10002], labels: ["HAPROXY_GROUP": "external"])
        let empty = Self.app("/empty", ports: [10003], labels: ["HAPROXY_GROUP": "external"])
        let apps = [(0, on, Self.tasks([(0, [31000])])), (1, off, Self.tasks([(0, [31001])])), (2, empty, [MarathonLBTask]())]
        XCTAssertEqual(generate(apps).frontends.map(\.name), ["off_10002", "on_10001"], "no servers: no frontend (get_apps)")
        XCTAssertEqual(generate(apps, strict: true).frontends.map(\.name), ["on_10001"], "--strict-mode: HAPROXY_{n}_ENABLED only")
        let disabled = Self.app("/disabled", ports: [10004], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_ENABLED": "false"])
        XCTAssertEqual(generate([(3, disabled, Self.tasks([(0, [31002])]))]).frontends.count, 0, "an explicit false without strict mode")
    }

    func testInvalidLabelsAreReportedByName() {
        let bad = Self.app("/bad", ports: [10001, 10002], labels: [
            "HAPROXY_0_PORT": "80a", "HAPROXY_0_MODE": "udp", "HAPROXY_1_BALANCE": "random-ish", "HAPROXY_1_VHOST": "a b", "HAPROXY_1_PORT": "70000"])
        let p = MarathonLBLabels.parse(bad).problems
        XCTAssertEqual(p.map(\.label), ["HAPROXY_0_PORT", "HAPROXY_0_MODE", "HAPROXY_1_PORT", "HAPROXY_1_BALANCE", "HAPROXY_1_VHOST"])
        XCTAssertTrue(p[0].message.contains("\"80a\""), p[0].message)
        XCTAssertTrue(MarathonLBLabels.parse(Self.app("/ok", ports: [10001], labels: ["HAPROXY_0_PORT": " 8080 ", "HAPROXY_0_MODE": "tcp"])).problems.isEmpty)
    }
}
