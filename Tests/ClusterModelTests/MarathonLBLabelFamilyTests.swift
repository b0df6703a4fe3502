@testable import ClusterModel
import Foundation
import SimKernel
import TestSupport
import XCTest

/// marathon-lb v1.11.0's other HAPROXY_{n}_* labels and per-app templates (config.py templates,
/// marathon_lb.py config() and generateHttpVhostAcl): the expected lines are written here by hand
/// from those templates, and the file is judged by Debian's `haproxy -c -dW` when it is installed.
final class MarathonLBLabelFamilyTests: XCTestCase {
    typealias T = MarathonLBConfigTests

    func generate(_ apps: [(Int, AppDefinition, [MarathonLBTask])]) -> HAProxyConfiguration {
        MarathonLBConfig.generate(group: "external", strictMode: false, apps: apps.map { (index: $0.0, app: $0.1, tasks: $0.2) },
                                  hostName: { T.hostNames[$0] })
    }

    static let http = HealthCheck(protocol: .http, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
    static let tcp = HealthCheck(protocol: .tcp, portIndex: 0, interval: .seconds(30), timeout: .seconds(20), maxConsecutiveFailures: 2)

    func assertContains(_ text: String, _ lines: [String], file: StaticString = #filePath, line: UInt = #line) {
        for l in lines { XCTAssertTrue(text.contains(l), "missing \(l.debugDescription) in\n\(text)", file: file, line: line) }
    }

    /// `haproxy -c -dW -f` of the text (and the cert files it names); nil when haproxy is not installed.
    static func haproxyCheck(_ text: String, zeroWarning: Bool = true) throws -> (status: Int32, output: String)? {
        guard let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlb-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("haproxy.cfg")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try run(haproxy, ["-c"] + (zeroWarning ? ["-dW"] : []) + ["-f", file.path])
    }

    static func run(_ program: String, _ args: [String]) throws -> (status: Int32, output: String) {
        try ToolRun.run(program, args)
    }

    func assertHAProxyAccepts(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let r = try Self.haproxyCheck(text) else { throw XCTSkip("haproxy is not installed: cannot run haproxy -c") }
        XCTAssertEqual(r.status, 0, "\(r.output)\n\(text)", file: file, line: line)
    }

    // HAPROXY_{n}_PATH and HAPROXY_{n}_BACKEND_WEIGHT: path ACLs, and the vhost entries of
    // marathon_http_in sorted by weight (largest first; PATH raises 0 to 1; ties keep app order).
    func testPathAndBackendWeightOrderTheVhostACLs() throws {
        let blog = T.app("/blog", ports: [10100], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "a.example.com,b.example.com",
                                                           "HAPROXY_0_PATH": "-i /x /y", "HAPROXY_0_BACKEND_WEIGHT": "5", "HAPROXY_0_MODE": "http"])
        let api = T.app("/shop/api", ports: [10090], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com", "HAPROXY_0_MODE": "http"])
        let web = T.app("/shop/web", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "Shop.example.com", "HAPROXY_0_PATH": "/api"],
                        checks: [Self.http])
        let c = generate([(0, web, T.tasks([(0, [31000])])), (1, api, T.tasks([(1, [31001])])), (2, blog, T.tasks([(2, [31002])]))])
        assertContains(c.text, ["""

            frontend marathon_http_in
              bind *:80
              mode http
              acl path_blog_10100 path_beg -i /x /y
              acl host_a_example_com_blog hdr(host) -i a.example.com
              acl host_a_example_com_blog hdr(host) -i b.example.com
              use_backend blog_10100 if host_a_example_com_blog path_blog_10100
              acl host_shop_example_com_shop_web hdr(host) -i shop.example.com
              acl path_shop_web_10080 path_beg /api
              use_backend shop_web_10080 if host_shop_example_com_shop_web path_shop_web_10080
              acl host_shop_example_com_shop_api hdr(host) -i shop.example.com
              use_backend shop_api_10090 if host_shop_example_com_shop_api

            frontend marathon_http_appid_in
              bind *:9091
              mode http
              acl app__blog hdr(x-marathon-app-id) -i /blog
              use_backend blog_10100 if app__blog
              acl app__shop_api hdr(x-marathon-app-id) -i /shop/api
              use_backend shop_api_10090 if app__shop_api
              acl app__shop_web hdr(x-marathon-app-id) -i /shop/web
              use_backend shop_web_10080 if app__shop_web

            frontend blog_10100
            """])
        XCTAssertEqual(MarathonLBLabels.parse(web).ports[0].backendWeight, 1, "PATH raises the default weight 0 to 1")
        XCTAssertEqual(MarathonLBLabels.parse(blog).ports[0].backendWeight, 5)
        XCTAssertEqual(c.frontends.map(\.name), ["blog_10100", "shop_api_10090", "shop_web_10080"], "the structure keeps (id, port) order")
        try assertHAProxyAccepts(c.text)
    }

    // HAPROXY_{n}_STICKY: the cookie line, and `check cookie <sha1 of the server name, 10 digits>` per server.
    func testStickyWritesTheCookieAndEachServersHash() throws {
        XCTAssertEqual(SHA1.hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hex(String(repeating: "a", count: 1000)), "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        let web = T.app("/web", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_STICKY": "true"], checks: [Self.http])
        let c = generate([(0, web, T.tasks([(1, [31002]), (0, [31000])]))])
        assertContains(c.text, ["""

            backend web_10080
              balance roundrobin
              mode http
              option forwardfor
              http-request set-header X-Forwarded-Port %[dst_port]
              http-request add-header X-Forwarded-Proto https if { ssl_fc }
              cookie mesosphere_server_id insert indirect nocache
              option  httpchk GET /health
              timeout check 5s
              server slave-01_10_0_0_1_31000 10.0.0.1:31000 check cookie e5e0485d1c check inter 10s fall 4
              server slave-02_10_0_0_2_31002 10.0.0.2:31002 check cookie bd3c47edf4 check inter 10s fall 4

            """])
        XCTAssertFalse(generate([(0, T.app("/web", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_STICKY": "1"]), T.tasks([(0, [31000])]))])
            .text.contains("cookie"), "string_to_bool: \"1\" is not true")
        try assertHAProxyAccepts(c.text)
    }

    // HAPROXY_{n}_REDIRECT_TO_HTTPS and HAPROXY_{n}_AUTH: the vhost entries, and the userlist before marathon_http_in.
    func testRedirectToHTTPSAndAuth() throws {
        let redirect = T.app("/b", ports: [10002], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "b.example.com", "HAPROXY_0_REDIRECT_TO_HTTPS": "yes",
                                                           "HAPROXY_0_MODE": "http"])
        let redirectPath = T.app("/c", ports: [10003], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "c.example.com,d.example.com",
                                                               "HAPROXY_0_REDIRECT_TO_HTTPS": "t", "HAPROXY_0_PATH": "/p", "HAPROXY_0_MODE": "http"])
        let r = generate([(0, redirect, T.tasks([(0, [31000])])), (1, redirectPath, T.tasks([(0, [31001])]))])
        assertContains(r.text, ["""
              mode http
              acl path_c_10003 path_beg /p
              acl host_c_example_com_c hdr(host) -i c.example.com
              acl host_c_example_com_c hdr(host) -i d.example.com
              redirect scheme https code 301 if !{ ssl_fc } host_c_example_com_c path_c_10003
              acl host_b_example_com_b hdr(host) -i b.example.com
              redirect scheme https code 301 if !{ ssl_fc } host_b_example_com_b

            """])
        try assertHAProxyAccepts(r.text)

        let auth = T.app("/a", ports: [10001], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "a.example.com",
                                                       "HAPROXY_0_AUTH": "realm:alice:$6$salt$abc", "HAPROXY_0_MODE": "http"])
        let authPath = T.app("/f", ports: [10006], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "h.example.com",
                                                           "HAPROXY_0_AUTH": "r3:carol:pw", "HAPROXY_0_PATH": "/w", "HAPROXY_0_MODE": "http"])
        let a = generate([(0, auth, T.tasks([(0, [31000])])), (1, authPath, T.tasks([(0, [31001])]))])
        assertContains(a.text, ["""
              monitor-uri /_haproxy_health_check

            userlist user_a_10001
              user alice password $6$salt$abc

            userlist user_f_10006
              user carol password pw

            frontend marathon_http_in
              bind *:80
              mode http
              acl host_h_example_com_f hdr(host) -i h.example.com
              acl auth_h_example_com_f http_auth(user_f_10006)
              acl path_f_10006 path_beg /w
              http-request auth realm "r3" if host_h_example_com_f path_f_10006 !auth_h_example_com_f
              use_backend f_10006 if host_h_example_com_f path_f_10006
              acl host_a_example_com_a hdr(host) -i a.example.com
              acl auth_a_example_com_a http_auth(user_a_10001)
              http-request auth realm "realm" if host_a_example_com_a !auth_a_example_com_a
              use_backend a_10001 if host_a_example_com_a

            """])
        try assertHAProxyAccepts(generate([(0, auth, T.tasks([(0, [31000])]))]).text)
        try assertHAProxyAccepts(generate([(1, authPath, T.tasks([(0, [31001])]))]).text)
        // several in one frontend: marathon-lb's order puts one app's http-request or redirect rule after
        // another's use_backend, which HAProxy accepts with a warning (so -dW refuses it)
        let both = generate([(0, auth, T.tasks([(0, [31000])])), (1, redirect, T.tasks([(0, [31001])]))])
        for (text, warning) in [(a.text, "a 'http-request' rule placed after a 'use_backend' rule"), (both.text, "a 'redirect' rule placed after a 'use_backend' rule")] {
            if let strict = try Self.haproxyCheck(text), let lax = try Self.haproxyCheck(text, zeroWarning: false) {
                XCTAssertEqual(lax.status, 0, lax.output)
                XCTAssertNotEqual(strict.status, 0)
                XCTAssertTrue(strict.output.contains(warning), strict.output)
            }
        }
    }

    // HAPROXY_{n}_BIND_ADDR, _BIND_OPTIONS, _SSL_CERT (the frontend's bind line) and
    // _BACKEND_NETWORK_ALLOWED_ACL (tcp and http).
    func testBindLineAndNetworkACLs() throws {
        let db = T.app("/db", ports: [10010], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_BIND_ADDR": "127.0.0.1", "HAPROXY_0_BIND_OPTIONS": "accept-proxy",
                                                      "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL": "10.0.0.0/8  192.168.1.1"], checks: [Self.tcp])
        let c = generate([(0, db, T.tasks([(0, [31000])]))])
        assertContains(c.text, ["""

            frontend db_10010
              bind 127.0.0.1:10010 accept-proxy
              mode tcp
              use_backend db_10010

            backend db_10010
              balance roundrobin
              mode tcp
              acl network_allowed src 10.0.0.0/8
              acl network_allowed src 192.168.1.1
              tcp-request content accept if network_allowed
              tcp-request content reject
              server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 30s fall 3

            """])
        try assertHAProxyAccepts(c.text)

        // SSL: marathon-lb writes the label's path; HAProxy needs the file, here a self-signed certificate
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { throw XCTSkip("openssl is not installed") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlb-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("key.pem").path, crt = dir.appendingPathComponent("crt.pem").path
        let o = try Self.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=web.example.com", "-days", "2",
                                                  "-keyout", key, "-out", crt])
        XCTAssertEqual(o.status, 0, o.output)
        let pem = dir.appendingPathComponent("web.pem").path
        try (String(contentsOfFile: crt, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)).write(toFile: pem, atomically: true, encoding: .utf8)
        let web = T.app("/web", ports: [10020], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_SSL_CERT": pem,
                                                        "HAPROXY_0_BACKEND_NETWORK_ALLOWED_ACL": "10.1.0.0/16"], checks: [Self.http])
        let w = generate([(0, web, T.tasks([(0, [31000])]))])
        assertContains(w.text, ["""

            frontend web_10020
              bind *:10020 ssl crt \(pem)
              mode http
              use_backend web_10020

            """, """
              http-request add-header X-Forwarded-Proto https if { ssl_fc }
              acl network_allowed src 10.1.0.0/16
              http-request allow if network_allowed
              http-request deny
              option  httpchk GET /health

            """])
        try assertHAProxyAccepts(w.text)
    }

    // HAPROXY_{n}_USE_HSTS, _HTTP_BACKEND_PROXYPASS_PATH, _HTTP_BACKEND_REVPROXY_PATH, _HTTP_BACKEND_REDIR:
    // v1.11's templates, written for HAProxy 1.7 (rspadd, reqirep, rspirep), which HAProxy 2.1 removed.
    func testHSTSAndProxyPathsAreMarathonLBsHAProxy17Lines() throws {
        let web = T.app("/web", ports: [10020], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "Web.example.com", "HAPROXY_0_USE_HSTS": "true",
                                                        "HAPROXY_0_HTTP_BACKEND_PROXYPASS_PATH": "/app", "HAPROXY_0_HTTP_BACKEND_REVPROXY_PATH": "/root",
                                                        "HAPROXY_0_HTTP_BACKEND_REDIR": "/home"], checks: [Self.http])
        let c = generate([(0, web, T.tasks([(0, [31000])]))])
        assertContains(c.text, [#"""

            backend web_10020
              balance roundrobin
              mode http
              rspadd  Strict-Transport-Security:\ max-age=15768000
              option forwardfor
              http-request set-header X-Forwarded-Port %[dst_port]
              http-request add-header X-Forwarded-Proto https if { ssl_fc }
              http-request set-header Host web.example.com
              reqirep  "^([^ :]*)\ /app/?(.*)" "\1\ /\2"
              acl hdr_location res.hdr(Location) -m found
              rspirep "^Location: (https?://web.example.com(:[0-9]+)?)?(/.*)" "Location:   /root if hdr_location"
              acl is_root path -i /
              acl is_domain hdr(host) -i web.example.com
              redirect code 301 location /home if is_domain is_root
              option  httpchk GET /health

            """#])
        if let r = try Self.haproxyCheck(c.text) {
            XCTAssertNotEqual(r.status, 0)
            for k in ["'rspadd' directive is not supported anymore since HAProxy 2.1", "'reqirep' directive is not supported anymore",
                      "'rspirep' directive is not supported anymore"] {
                XCTAssertTrue(r.output.contains(k), r.output)
            }
        }
        // REDIR alone (and without a VHOST: marathon-lb formats None) is valid for HAProxy 2.6
        let redir = T.app("/r", ports: [10030], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_HTTP_BACKEND_REDIR": "/home", "HAPROXY_0_MODE": "http"])
        let r = generate([(0, redir, T.tasks([(0, [31000])]))])
        assertContains(r.text, ["  acl is_domain hdr(host) -i None\n  redirect code 301 location /home if is_domain is_root\n"])
        try assertHAProxyAccepts(r.text)
    }

    // Per-app templates: formatted with config()'s fields; BACKEND_HTTP_OPTIONS and the sticky and
    // HSTS options are appended as they are (no format); the server check options are stripped and
    // prefixed with one blank.
    func testTemplateOverridesAreFormattedWithMarathonLBsFields() throws {
        let t = T.app("/t", ports: [10030], labels: [
            "HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "t.example.com",
            "HAPROXY_0_BACKEND_HEAD": "\nbackend {backend}\n  balance {balance}\n  mode {mode}\n  timeout server 1h\n",
            "HAPROXY_0_FRONTEND_HEAD": "\nfrontend {backend}\n  bind {bindAddr}:{servicePort}\n  mode {mode}\n  timeout client 1h\n",
            "HAPROXY_0_BACKEND_HTTP_OPTIONS": "  option forwardfor\n  http-request set-header X-App {backend}\n",
            "HAPROXY_0_BACKEND_HTTP_HEALTHCHECK_OPTIONS": "  option  httpchk GET {healthCheckPath}?from={healthCheckProtocol}\n  timeout check {healthCheckTimeoutSeconds}s\n",
            "HAPROXY_0_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS": "\n  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls} rise 2\n\n",
            "HAPROXY_0_BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port}{cookieOptions}{healthCheckOptions}{otherOptions} maxconn 100 # {host}\n",
            "HAPROXY_0_HTTP_FRONTEND_ACL": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname}\n  use_backend {backend} if host_{cleanedUpHostname} {{ src 10.0.0.0/8 }}\n",
            "HAPROXY_0_HTTP_FRONTEND_APPID_ACL": "  use_backend {backend} if {{ hdr(x-marathon-app-id) -i {appId} }}\n",
        ], checks: [Self.http])
        let u = T.app("/u", ports: [10040], labels: [
            "HAPROXY_GROUP": "external",
            "HAPROXY_0_BACKEND_TCP_HEALTHCHECK_OPTIONS": "  timeout check {healthCheckTimeoutSeconds}s\n  # port {healthCheckPort} index {healthCheckPortIndex!r}\n",
            "HAPROXY_0_FRONTEND_BACKEND_GLUE": "  default_backend {backend}\n",
        ], checks: [Self.tcp])
        let c = generate([(0, t, T.tasks([(0, [31000])])), (1, u, T.tasks([(1, [31001])]))])
        XCTAssertTrue(MarathonLBConfig.templateProblems(t).isEmpty && MarathonLBConfig.templateProblems(u).isEmpty)
        assertContains(c.text, ["""
              mode http
              acl host_t_example_com_t hdr(host) -i t.example.com
              use_backend t_10030 if host_t_example_com_t { src 10.0.0.0/8 }

            frontend marathon_http_appid_in
              bind *:9091
              mode http
              use_backend t_10030 if { hdr(x-marathon-app-id) -i /t }

            frontend t_10030
              bind *:10030
              mode http
              timeout client 1h
              use_backend t_10030

            frontend u_10040
              bind *:10040
              mode tcp
              default_backend u_10040

            backend t_10030
              balance roundrobin
              mode http
              timeout server 1h
              option forwardfor
              http-request set-header X-App {backend}
              option  httpchk GET /health?from=HTTP
              timeout check 5s
              server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 10s fall 4 rise 2 maxconn 100 # slave-01

            backend u_10040
              balance roundrobin
              mode tcp
              timeout check 20s
              # port 31001 index 0
              server slave-02_10_0_0_2_31001 10.0.0.2:31001 check inter 30s fall 3

            """])
        try assertHAProxyAccepts(c.text)
    }

    // A template marathon-lb cannot format: Python's exception, named by the label.
    func testTemplatesPythonCannotFormatAreProblemsOfTheirLabel() {
        func problems(_ labels: [String: String]) -> [MarathonLBLabelProblem] {
            MarathonLBConfig.templateProblems(T.app("/x", ports: [10001, 10002], labels: labels, checks: [Self.http]))
        }
        let cases: [(String, String, String)] = [
            ("HAPROXY_0_BACKEND_HEAD", "\nbackend {backen}\n", "KeyError: 'backen'"),
            ("HAPROXY_0_FRONTEND_HEAD", "\nfrontend {backend}\n  bind *:{servicePort} }\n", "ValueError: Single '}' encountered in format string"),
            ("HAPROXY_1_FRONTEND_BACKEND_GLUE", "  use_backend {backend", "ValueError: expected '}' before end of string"),
            ("HAPROXY_0_BACKEND_SERVER_OPTIONS", "  server {} {host_ipv4}:{port}\n", "IndexError: tuple index out of range"),
            ("HAPROXY_0_BACKEND_HTTP_HEALTHCHECK_OPTIONS", "  option httpchk GET {healthCheckPath!x}\n", "ValueError: Unknown conversion specifier x"),
            ("HAPROXY_0_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS", "check inter {healthCheckInterval}s", "KeyError: 'healthCheckInterval'"),
            ("HAPROXY_0_BACKEND_HEAD", "\nbackend {backend.name}\n", "AttributeError: 'str' object has no attribute 'name'"),
            ("HAPROXY_0_FRONTEND_HEAD", "\nfrontend {servicePort[0]}\n", "TypeError: 'int' object is not subscriptable"),
        ]
        for (label, value, python) in cases {
            let p = problems(["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "x.example.com", label: value])
            XCTAssertEqual(p.map(\.label), [label], value)
            XCTAssertTrue(p.first?.message.contains("str.format raises \(python)") == true, "\(label): \(p)")
        }
        // only templates config() formats: a vhost template of a port without VHOST is never formatted,
        // a disabled port is skipped, and the raw ones (BACKEND_HTTP_OPTIONS ...) are not formatted at all
        XCTAssertEqual(problems(["HAPROXY_1_HTTP_FRONTEND_ACL": "{nope}", "HAPROXY_1_ENABLED": "false", "HAPROXY_0_BACKEND_HEAD": "{nope}"]).map(\.label),
                       ["HAPROXY_0_BACKEND_HEAD"])
        XCTAssertTrue(problems(["HAPROXY_0_HTTP_FRONTEND_ACL": "{nope}", "HAPROXY_0_BACKEND_HTTP_OPTIONS": "{nope", "HAPROXY_0_BACKEND_STICKY_OPTIONS": "}"]).isEmpty)
        XCTAssertEqual(problems(["HAPROXY_0_HTTP_FRONTEND_ACL": "{nope}", "HAPROXY_0_VHOST": "x.example.com"]).first?.message.contains("KeyError: 'nope'"), true)
        // value labels marathon-lb's setters raise on
        let bad = MarathonLBLabels.parse(T.app("/y", ports: [10001, 10002], labels: ["HAPROXY_0_AUTH": "realm:user", "HAPROXY_1_BACKEND_WEIGHT": "heavy"])).problems
        XCTAssertEqual(bad.map(\.label), ["HAPROXY_0_AUTH", "HAPROXY_1_BACKEND_WEIGHT"])
        XCTAssertTrue(bad[0].message.contains("not enough values to unpack (expected 3, got 2)"), bad[0].message)
    }

    // HAPROXY_{n}_BACKEND_HEALTHCHECK_PORT_INDEX: a port without a check takes the check of that port
    // index (an HTTP one makes it http), and the servers' `port` is get_backend_port's: the idx-th server
    // of the index-th of the app's services sorted by service port (here 10080's, not 10070's).
    func testHealthCheckPortIndex() throws {
        let check = HealthCheck(protocol: .http, path: "/health", portIndex: 1, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
        let app = T.app("/hc", ports: [10080, 10070, 10090], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX": "1",
                                                                     "HAPROXY_1_BACKEND_HEALTHCHECK_PORT_INDEX": "9", "HAPROXY_2_BACKEND_HEALTHCHECK_PORT_INDEX": "1"],
                        checks: [check])
        let c = generate([(0, app, T.tasks([(1, [31002, 31003, 31004]), (0, [31000, 31001, 31005])]))])
        let http = "  mode http\n  option forwardfor\n  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n  option  httpchk GET /health\n  timeout check 5s\n"
        assertContains(c.text, [
            "\nbackend hc_10070\n  balance roundrobin\n" + http
                + "  server slave-01_10_0_0_1_31001 10.0.0.1:31001 check inter 10s fall 4 port 31001\n  server slave-02_10_0_0_2_31003 10.0.0.2:31003 check inter 10s fall 4 port 31003\n",
            "\nbackend hc_10080\n  balance roundrobin\n" + http
                + "  server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 10s fall 4 port 31000\n  server slave-02_10_0_0_2_31002 10.0.0.2:31002 check inter 10s fall 4 port 31002\n",
            "\nbackend hc_10090\n  balance roundrobin\n" + http
                + "  server slave-01_10_0_0_1_31005 10.0.0.1:31005 check inter 10s fall 4 port 31000\n  server slave-02_10_0_0_2_31004 10.0.0.2:31004 check inter 10s fall 4 port 31002\n",
        ])
        XCTAssertEqual(c.backends.map(\.mode), ["http", "http", "http"])
        try assertHAProxyAccepts(c.text)
        // an index equal to the number of the app's ports: IndexError in get_backend_port
        let bad2 = T.app("/hc", ports: [10080, 10070], labels: ["HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX": "2", "HAPROXY_1_BACKEND_HEALTHCHECK_PORT_INDEX": "x"],
                         checks: [HealthCheck(protocol: .tcp, portIndex: 0)])
        XCTAssertEqual(MarathonLBConfig.templateProblems(bad2).map(\.label), ["HAPROXY_0_BACKEND_HEALTHCHECK_PORT_INDEX"])
        XCTAssertEqual(MarathonLBLabels.parse(bad2).problems.map(\.label), ["HAPROXY_1_BACKEND_HEALTHCHECK_PORT_INDEX"])
    }

    // The default templates, split once for speed, render as Python's str.format renders them.
    func testCompiledDefaultsRenderAsStrFormat() {
        let fields: KeyValuePairs<String, PyValue> = [
            "appId": .str("/a"), "backend": .str("a_1"), "balance": .str("first"), "bindAddr": .str("*"), "bindOptions": .str(" x"),
            "cleanedUpAppId": .str("_a"), "cleanedUpHostname": .str("h_a"), "cookieOptions": .str(" c"), "haproxy_dir": .str("/etc/haproxy"),
            "healthCheckFalls": .int(4), "healthCheckIntervalSeconds": .int(10), "healthCheckOptions": .str(" check"), "healthCheckPath": .str("/h"),
            "healthCheckPortOptions": .str(" port 1"), "healthCheckTimeoutSeconds": .int(5), "hostname": .none, "mode": .str("http"),
            "network_allowed": .str("10.0.0.0/8"), "otherOptions": .str(""), "passwd": .str("p"), "path": .str("/p"), "port": .int(31000),
            "proxypath": .str("/pp"), "realm": .str("r"), "redirpath": .str("/rd"), "rootpath": .str("/rt"), "serverName": .str("s"),
            "servicePort": .int(10001), "sslCert": .str(""), "user": .str("u"), "host_ipv4": .str("10.0.0.1"), "host": .str("h"),
        ]
        XCTAssertEqual(MarathonLBTemplates.compiled.count, MarathonLBTemplates.defaults.count)
        // marathon-lb appends these three as they are (no str.format)
        for (name, text) in MarathonLBTemplates.defaults where !["BACKEND_HTTP_OPTIONS", "BACKEND_STICKY_OPTIONS", "BACKEND_HSTS_OPTIONS"].contains(name) {
            XCTAssertEqual(MarathonLBTemplates.render(name, fields), try PyFormat.format(text, fields).get(), name)
        }
        XCTAssertEqual(MarathonLBTemplates.render("BACKEND_REDIRECT_HTTP_TO_HTTPS", fields), "  redirect scheme https code 301 if !{ ssl_fc } host_h_a\n")
        for name in ["BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS", "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS"] {
            XCTAssertEqual(MarathonLBTemplates.render(name, fields, serverCheck: true), " check inter 10s fall 4 port 1", name)
        }
    }

    func testKnownLabelNames() {
        for n in ["HAPROXY_GROUP", "HAPROXY_0_VHOST", "HAPROXY_12_BACKEND_HEAD", "HAPROXY_DEPLOYMENT_GROUP", "HAPROXY_1_MAP_HTTP_FRONTEND_ACL", "OTHER"] {
            XCTAssertTrue(MarathonLBLabels.isKnown(n), n)
        }
        for n in ["HAPROXY_0_VHOTS", "HAPROXY_VHOST", "HAPROXY_0_HEAD", "HAPROXY_x_VHOST", "HAPROXY_0_HTTPS_FRONTEND_AUTH_ACL_ONLY"] {
            XCTAssertFalse(MarathonLBLabels.isKnown(n), n)
        }
    }
}
