@testable import ClusterModel
import Foundation
import SimKernel
import XCTest

/// The file marathon-lb writes at the releases after 1.11.0 (`marathonLB.version`,
/// docs/marathon-lb.md "Releases 1.12 to 1.15"). Each expected text is what that tag's own
/// get_apps + config() (marathon_lb.py, config.py, run under Python with the same apps, tasks and
/// host addresses) prints, without its head and `marathon_https_in` frontend (not written).
final class MarathonLBReleasesModelTests: XCTestCase {
    typealias T = MarathonLBConfigTests
    typealias F = MarathonLBLabelFamilyTests
    static let hostNames = ["agent-01", "agent-02"]

    func generate(_ apps: [(Int, AppDefinition, [MarathonLBTask])], _ release: MarathonLBVersion) -> HAProxyConfiguration {
        MarathonLBConfig.generate(group: "external", strictMode: false, apps: apps.map { (index: $0.0, app: $0.1, tasks: $0.2) },
                                  release: release, hostName: { Self.hostNames[$0] })
    }

    static let mesosTCP = HealthCheck(protocol: .mesosTCP, portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 2)
    static let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 2)

    /// One vhost with REDIRECT_TO_HTTPS and REVPROXY, checked by MESOS_TCP: 1.11.4 stops writing the
    /// HTTP check options for MESOS_TCP, 1.12.2 adds server ids, 1.13.0 writes the host ACL's
    /// use_backend before the redirect and closes REVPROXY's quote after `{rootpath}`.
    func testRedirectRevProxyAndMesosTCPAcrossReleases() {
        let app = T.app("/shop/web", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com",
                                                             "HAPROXY_0_REDIRECT_TO_HTTPS": "true", "HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH": "/shop"],
                        checks: [Self.mesosTCP])
        let apps = [(0, app, T.tasks([(0, [31001]), (1, [31002])]))]
        func text(_ v: MarathonLBVersion) -> String { String(generate(apps, v).text.dropFirst(MarathonLBConfig.head(v).count)) }
        let http = """

            frontend marathon_http_in
              bind *:80
              mode http
              acl host_shop_example_com_shop_web hdr(host) -i shop.example.com

            """
        let redirect = "  redirect scheme https code 301 if !{ ssl_fc } host_shop_example_com_shop_web\n"
        let middle = """

            frontend marathon_http_appid_in
              bind *:9091
              mode http
              acl app__shop_web hdr(x-marathon-app-id) -i /shop/web
              use_backend shop_web_10080 if app__shop_web

            frontend shop_web_10080
              bind *:10080
              mode http
              use_backend shop_web_10080

            backend shop_web_10080
              balance roundrobin
              mode http
              option forwardfor
              http-request set-header X-Forwarded-Port %[dst_port]
              http-request add-header X-Forwarded-Proto https if { ssl_fc }
              acl hdr_location res.hdr(Location) -m found

            """
        let oldRev = "  rspirep \"^Location: (https?://shop.example.com(:[0-9]+)?)?(/.*)\" \"Location:   /shop if hdr_location\"\n"
        let newRev = "  rspirep \"^Location: (https?://shop.example.com(:[0-9]+)?)?(/.*)\" \"Location:   /shop\" if hdr_location\n"
        let httpCheck = "  option  httpchk GET /\n  timeout check 5s\n"
        let servers = "  server agent-01_10_0_0_1_31001 10.0.0.1:31001 check inter 10s fall 3\n  server agent-02_10_0_0_2_31002 10.0.0.2:31002 check inter 10s fall 3\n"
        let serversWithIDs = "  server agent-01_10_0_0_1_31001 10.0.0.1:31001 id 21903 check inter 10s fall 3\n  server agent-02_10_0_0_2_31002 10.0.0.2:31002 id 9717 check inter 10s fall 3\n"
        let useBackend = "  use_backend shop_web_10080 if host_shop_example_com_shop_web\n"
        XCTAssertEqual(text(.baseline), http + redirect + middle + oldRev + httpCheck + servers, "v1.11.0")
        XCTAssertEqual(text(MarathonLBVersion(1, 11, 4)), http + redirect + middle + oldRev + servers, "v1.11.4: MESOS_TCP takes the TCP templates")
        XCTAssertEqual(text(MarathonLBVersion(1, 12, 2)), http + redirect + middle + oldRev + serversWithIDs, "v1.12.2: server ids")
        XCTAssertEqual(text(MarathonLBVersion(1, 13, 0)), http + useBackend + redirect + middle + newRev + serversWithIDs, "v1.13.0")
        XCTAssertEqual(text(MarathonLBVersion(1, 15, 0)), text(MarathonLBVersion(1, 13, 0)), "v1.15.0 writes these lines as v1.13.0")
        // what the traffic model reads: MESOS_TCP in http mode is a TCP check from 1.11.4
        XCTAssertEqual(generate(apps, .baseline).backends[0].servers[0].check?.httpPath, "/")
        XCTAssertNil(generate(apps, MarathonLBVersion(1, 11, 4)).backends[0].servers[0].check?.httpPath)
    }

    /// v1.15.0's whole file for a sticky http app and a tcp app whose BACKEND_SERVER_OPTIONS uses
    /// `{serverId}`; two of its server names collide (sha256 mod 32767 = 31921), the second takes
    /// the id of its name + " " + its digest (calculate_server_id). The head: no `daemon` (1.12.0),
    /// the prometheus exporter in `listen stats` (1.15.0). `haproxy -c` accepts it.
    func testV115FileWithServerIDsAndItsHead() throws {
        let web = T.app("/web", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "web.example.com", "HAPROXY_0_STICKY": "true"],
                        checks: [Self.http])
        let db = T.app("/db", ports: [15432], labels: ["HAPROXY_GROUP": "external",
                                                       "HAPROXY_0_BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port} id {serverId}{cookieOptions}{healthCheckOptions}{otherOptions} weight 10\n"])
        let apps = [(0, web, T.tasks([(0, [31007]), (1, [31002])])), (1, db, T.tasks([(0, [31007]), (0, [31207]), (1, [31003])]))]
        let v115 = MarathonLBVersion(1, 15, 0)
        let c = generate(apps, v115)
        XCTAssertFalse(c.text.contains("  daemon\n"))
        XCTAssertTrue(c.text.contains("  stats enable\n  http-request use-service prometheus-exporter if { path /metrics }\n  monitor-uri"))
        XCTAssertTrue(MarathonLBConfig.head(MarathonLBVersion(1, 12, 0)).hasPrefix("global\n  log /dev/log local0\n"), "no daemon from 1.12.0")
        XCTAssertFalse(MarathonLBConfig.head(MarathonLBVersion(1, 14, 2)).contains("prometheus"), "the exporter from 1.15.0")
        XCTAssertEqual(c.text, MarathonLBConfig.head(v115) + """

            frontend marathon_http_in
              bind *:80
              mode http
              acl host_web_example_com_web hdr(host) -i web.example.com
              use_backend web_10080 if host_web_example_com_web

            frontend marathon_http_appid_in
              bind *:9091
              mode http
              acl app__web hdr(x-marathon-app-id) -i /web
              use_backend web_10080 if app__web

            frontend db_15432
              bind *:15432
              mode tcp
              use_backend db_15432

            frontend web_10080
              bind *:10080
              mode http
              use_backend web_10080

            backend db_15432
              balance roundrobin
              mode tcp
              server agent-01_10_0_0_1_31007 10.0.0.1:31007 id 31921 weight 10
              server agent-01_10_0_0_1_31207 10.0.0.1:31207 id 3133 weight 10
              server agent-02_10_0_0_2_31003 10.0.0.2:31003 id 31602 weight 10

            backend web_10080
              balance roundrobin
              mode http
              option forwardfor
              http-request set-header X-Forwarded-Port %[dst_port]
              http-request add-header X-Forwarded-Proto https if { ssl_fc }
              cookie mesosphere_server_id insert indirect nocache
              option  httpchk GET /health
              timeout check 5s
              server agent-01_10_0_0_1_31007 10.0.0.1:31007 id 31921 check cookie b082ca5b95 check inter 10s fall 3
              server agent-02_10_0_0_2_31002 10.0.0.2:31002 id 9717 check cookie 296419717a check inter 10s fall 3

            """)
        guard let r = try F.haproxyCheck(c.text) else { throw XCTSkip("haproxy is not installed: cannot run haproxy -c") }
        XCTAssertEqual(r.status, 0, "\(r.output)\n\(c.text)")
    }

    /// `{serverId}` is a field of BACKEND_SERVER_OPTIONS from 1.12.2: before, str.format raises KeyError.
    func testServerIdFieldExistsFrom1122() {
        let db = T.app("/db", ports: [15432], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port} id {serverId}\n"])
        XCTAssertEqual(MarathonLBConfig.templateProblems(db, release: MarathonLBVersion(1, 12, 1)).map(\.message).first.map { $0.contains("KeyError: 'serverId'") }, true)
        XCTAssertEqual(MarathonLBConfig.templateProblems(db, release: MarathonLBVersion(1, 12, 2)), [])
    }

    /// set_label's normalize_line_endings (1.13.0): a template label with CRLF is written with LF.
    func testTemplateLineEndingsNormalizedFrom113() {
        let app = T.app("/db", ports: [15432], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_BACKEND_HEAD": "\r\nbackend {backend}\r\n  balance {balance}\r\n  mode {mode}\r\n"])
        let apps = [(0, app, T.tasks([(0, [31001])]))]
        XCTAssertTrue(generate(apps, MarathonLBVersion(1, 12, 3)).text.contains("\r\nbackend db_15432\r\n"))
        let t = generate(apps, MarathonLBVersion(1, 13, 0)).text
        XCTAssertTrue(t.contains("\nbackend db_15432\n  balance roundrobin\n  mode tcp\n") && !t.unicodeScalars.contains("\r"))
        XCTAssertEqual(MarathonLBConfig.crlfToLF("a\r\nb\rc\r"), "a\nb\rc\r")
    }

    /// calculate_server_id: sha256 of the name as a number mod 32767; 0 or taken: again with the
    /// name + " " + its hex digest. Figures from Python's hashlib.
    func testServerIDAsCalculateServerID() {
        var taken = Set<Int>()
        XCTAssertEqual(MarathonLBConfig.serverID("agent-01_10_0_0_1_31007", taken: &taken), 31921)
        XCTAssertEqual(MarathonLBConfig.serverID("agent-01_10_0_0_1_31207", taken: &taken), 3133, "31921 is taken")
        XCTAssertEqual(SHA256.digest(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined(),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.digest([]).map { String(format: "%02x", $0) }.joined(),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
