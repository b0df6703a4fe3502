@testable import ClusterModel
import Foundation
import SimKernel
import XCTest

/// What marathon-lb v1.11.0 writes where the simulator used to differ (server names, the default
/// mode, health checks given by `port`, format specs, the app-id ACL): each expected text is the
/// output of v1.11.0's own get_apps + config() (marathon_lb.py, config.py of the tag, run under
/// Python with the same apps, tasks and host addresses), without its head and `marathon_https_in`
/// frontend (not written, docs/marathon-lb.md); each file is judged by `haproxy -c -dW`.
final class MarathonLBV111OutputTests: XCTestCase {
    typealias T = MarathonLBConfigTests
    typealias F = MarathonLBLabelFamilyTests
    static let hostNames = ["slave-01", "slave-02", "slave-03", "slave-1", "slave-10", "10.0.0.6"]

    func generate(_ apps: [(Int, AppDefinition, [MarathonLBTask])]) -> HAProxyConfiguration {
        MarathonLBConfig.generate(group: "external", strictMode: false, apps: apps.map { (index: $0.0, app: $0.1, tasks: $0.2) },
                                  hostName: { Self.hostNames[$0] })
    }

    func assertMarathonLBWrites(_ c: HAProxyConfiguration, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(c.text, MarathonLBConfig.head + "\n" + expected + "\n", file: file, line: line)
        guard let r = try F.haproxyCheck(c.text) else { throw XCTSkip("haproxy is not installed: cannot run haproxy -c") }
        XCTAssertEqual(r.status, 0, "\(r.output)\n\(c.text)", file: file, line: line)
    }

    // Server names `<host>_<ip>_<port>` (`<ip>_<port>` for a host that is its address), the sticky
    // cookie hashing that name; servers by (host, port), not by name (slave-1's 9000 before its
    // 31002, slave-1 before slave-10); the default mode: http for a VHOST without a check, tcp for
    // HTTPS and MESOS_HTTP checks (MarathonService.__init__ makes only 'HTTP' http).
    func testServerNamesOrderAndDefaultModeAsV111() throws {
        let vh = T.app("/vh", ports: [10080], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "VH.example.com"])
        let sec = T.app("/sec", ports: [10443], labels: ["HAPROXY_GROUP": "external"],
                        checks: [HealthCheck(protocol: .https, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)])
        let mh = T.app("/mh", ports: [10090], labels: ["HAPROXY_GROUP": "external"],
                       checks: [HealthCheck(protocol: .mesosHTTP, path: "/health", portIndex: 0, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)])
        let ip = T.app("/ip", ports: [10100], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_STICKY": "true", "HAPROXY_0_MODE": "http"])
        let c = generate([(0, vh, T.tasks([(4, [31001]), (3, [31002]), (3, [9000])])), (1, sec, T.tasks([(0, [31003])])),
                          (2, mh, T.tasks([(1, [31004])])), (3, ip, T.tasks([(5, [31005])]))])
        XCTAssertEqual(c.backends.map(\.mode), ["http", "tcp", "tcp", "http"])
        XCTAssertEqual(c.frontends.first { $0.name == "vh_10080" }?.mode, "http")
        try assertMarathonLBWrites(c, #"""
frontend marathon_http_in
  bind *:80
  mode http
  acl host_vh_example_com_vh hdr(host) -i vh.example.com
  use_backend vh_10080 if host_vh_example_com_vh

frontend marathon_http_appid_in
  bind *:9091
  mode http
  acl app__ip hdr(x-marathon-app-id) -i /ip
  use_backend ip_10100 if app__ip
  acl app__vh hdr(x-marathon-app-id) -i /vh
  use_backend vh_10080 if app__vh

frontend ip_10100
  bind *:10100
  mode http
  use_backend ip_10100

frontend mh_10090
  bind *:10090
  mode tcp
  use_backend mh_10090

frontend sec_10443
  bind *:10443
  mode tcp
  use_backend sec_10443

frontend vh_10080
  bind *:10080
  mode http
  use_backend vh_10080

backend ip_10100
  balance roundrobin
  mode http
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  cookie mesosphere_server_id insert indirect nocache
  server 10_0_0_6_31005 10.0.0.6:31005 check cookie 097d653e2e

backend mh_10090
  balance roundrobin
  mode tcp
  server slave-02_10_0_0_2_31004 10.0.0.2:31004 check inter 10s fall 4

backend sec_10443
  balance roundrobin
  mode tcp
  server slave-01_10_0_0_1_31003 10.0.0.1:31003 check inter 10s fall 4

backend vh_10080
  balance roundrobin
  mode http
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  server slave-1_10_0_0_4_9000 10.0.0.4:9000
  server slave-1_10_0_0_4_31002 10.0.0.4:31002
  server slave-10_10_0_0_5_31001 10.0.0.5:31001
"""#)
    }

    // get_health_check: the first check with a `port` serves every port index (unless a check of
    // that portIndex comes first in the list, /fx's second port); the servers check that fixed port
    // (` port 8080`), and the HTTP check makes its ports http.
    func testHealthCheckGivenByPortAsV111() throws {
        let tcp1 = HealthCheck(protocol: .tcp, portIndex: 1, interval: .seconds(30), timeout: .seconds(20), maxConsecutiveFailures: 2)
        let fixed = HealthCheck(protocol: .http, path: "/ping", port: 8080, interval: .seconds(10), timeout: .seconds(5), maxConsecutiveFailures: 3)
        let fx = T.app("/fx", ports: [10010, 10011], labels: ["HAPROXY_GROUP": "external"], checks: [tcp1, fixed])
        // the `port` check first: both ports take it, before the TCP check of portIndex 0
        let fy = T.app("/fy", ports: [10030, 10031], labels: ["HAPROXY_GROUP": "external"],
                       checks: [fixed, HealthCheck(protocol: .tcp, portIndex: 0, interval: .seconds(30), timeout: .seconds(20), maxConsecutiveFailures: 2)])
        let c = generate([(0, fx, T.tasks([(0, [31000, 31001]), (1, [31002, 31003])])), (1, fy, T.tasks([(2, [31004, 31005])]))])
        XCTAssertEqual(c.backends.map(\.mode), ["http", "tcp", "http", "http"])
        XCTAssertEqual(c.backends[0].servers.first?.check?.httpPath, "/ping")
        try assertMarathonLBWrites(c, #"""
frontend marathon_http_in
  bind *:80
  mode http

frontend marathon_http_appid_in
  bind *:9091
  mode http
  acl app__fx hdr(x-marathon-app-id) -i /fx
  use_backend fx_10010 if app__fx
  acl app__fy hdr(x-marathon-app-id) -i /fy
  use_backend fy_10030 if app__fy

frontend fx_10010
  bind *:10010
  mode http
  use_backend fx_10010

frontend fx_10011
  bind *:10011
  mode tcp
  use_backend fx_10011

frontend fy_10030
  bind *:10030
  mode http
  use_backend fy_10030

frontend fy_10031
  bind *:10031
  mode http
  use_backend fy_10031

backend fx_10010
  balance roundrobin
  mode http
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  option  httpchk GET /ping
  timeout check 5s
  server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 10s fall 4 port 8080
  server slave-02_10_0_0_2_31002 10.0.0.2:31002 check inter 10s fall 4 port 8080

backend fx_10011
  balance roundrobin
  mode tcp
  server slave-01_10_0_0_1_31001 10.0.0.1:31001 check inter 30s fall 3
  server slave-02_10_0_0_2_31003 10.0.0.2:31003 check inter 30s fall 3

backend fy_10030
  balance roundrobin
  mode http
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  option  httpchk GET /ping
  timeout check 5s
  server slave-03_10_0_0_3_31004 10.0.0.3:31004 check inter 10s fall 4 port 8080

backend fy_10031
  balance roundrobin
  mode http
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  option  httpchk GET /ping
  timeout check 5s
  server slave-03_10_0_0_3_31005 10.0.0.3:31005 check inter 10s fall 4 port 8080
"""#)
    }

    // Template overrides with format specs (fill, align, width, precision, sign, '#', ',', d/x/s,
    // !r/!s/!a, a replacement field inside a spec) formatted as Python formats them.
    func testFormatSpecsInTemplatesAsV111() throws {
        let sp = T.app("/sp", ports: [10020], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_BACKEND_HEAD": "\nbackend {backend:.20}\n  balance {balance:>12}\n  mode {mode!s:^6}\n", "HAPROXY_0_FRONTEND_HEAD": "\nfrontend {backend:s}\n  bind {bindAddr:>3.1}:{servicePort:d}{sslCert:10}{bindOptions}\n  mode {mode}\n  # {servicePort:+08d} {servicePort:#x} {servicePort:=+8,} {servicePort!r:*<8}|{backend!r}|{mode:{bindAddr}>6}|\n", "HAPROXY_0_BACKEND_SERVER_OPTIONS": "  server {serverName} {host_ipv4}:{port:d}{cookieOptions}{healthCheckOptions}{otherOptions} # {port:_^9} {host!a:.4} {port:7}\n"], checks: [F.http])
        XCTAssertEqual(MarathonLBConfig.templateProblems(sp), [])
        let c = generate([(0, sp, T.tasks([(0, [31000])]))])
        try assertMarathonLBWrites(c, #"""
frontend marathon_http_in
  bind *:80
  mode http

frontend marathon_http_appid_in
  bind *:9091
  mode http
  acl app__sp hdr(x-marathon-app-id) -i /sp
  use_backend sp_10020 if app__sp

frontend sp_10020
  bind   *:10020          
  mode http
  # +0010020 0x2724 + 10,020 10020***|'sp_10020'|**http|
  use_backend sp_10020

backend sp_10020
  balance   roundrobin
  mode  http 
  option forwardfor
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request add-header X-Forwarded-Proto https if { ssl_fc }
  option  httpchk GET /health
  timeout check 5s
  server slave-01_10_0_0_1_31000 10.0.0.1:31000 check inter 10s fall 4 # __31000__ 'sla   31000
"""#)
    }

    // The format-spec mini-language: results as Python prints them, errors as Python 3.5 (marathon-lb's
    // Debian stretch image) raises them (3.5: '0' makes a str's alignment '=', refused; None takes no spec).
    func testFormatSpecMiniLanguage() {
        func f(_ t: String, _ v: PyValue) -> String {
            switch PyFormat.format(t, ["v": v, "w": .int(6)]) { case .success(let x): x; case .failure(let e): "! " + e.message }
        }
        let ok: [(String, PyValue, String)] = [
            ("{v:>8}", .str("ab"), "      ab"), ("{v:*^7}", .str("ab"), "**ab***"), ("{v:.1}", .str("ab"), "a"), ("{v:<4.3}|", .str("abcdef"), "abc |"),
            ("{v!r}", .str("it's"), "\"it's\""), ("{v!r}", .str("say \"x\" 'y'"), "'say \"x\" \\'y\\''"), ("{v!r:>12}", .str("a\tb\\"), "    'a\\tb\\\\'"),
            ("{v:05}", .int(42), "00042"), ("{v:+d}", .int(42), "+42"), ("{v: d}", .int(-42), "-42"), ("{v:,}", .int(1234567), "1,234,567"),
            ("{v:=+9,d}", .int(-1234), "-   1,234"), ("{v:#X}", .int(255), "0XFF"), ("{v:#b}", .int(5), "0b101"), ("{v:o}", .int(8), "10"),
            ("{v:x<6}", .int(7), "7xxxxx"), ("{v!r:>4}", .int(7), "   7"), ("{v!s:>5}", .none, " None"), ("{v:>{w}}", .str("a"), "     a"),
            ("{v:}", .none, "None"),
        ]
        for (t, v, want) in ok { XCTAssertEqual(f(t, v), want, t) }
        let errors: [(String, PyValue, String)] = [
            ("{v:d}", .str("a"), "ValueError: Unknown format code 'd' for object of type 'str'"),
            ("{v:s}", .int(1), "ValueError: Unknown format code 's' for object of type 'int'"),
            ("{v:+}", .str("a"), "ValueError: Sign not allowed in string format specifier"),
            ("{v:#}", .str("a"), "ValueError: Alternate form (#) not allowed in string format specifier"),
            ("{v:03}", .str("a"), "ValueError: '=' alignment not allowed in string format specifier"),
            ("{v:.2}", .int(1), "ValueError: Precision not allowed in integer format specifier"),
            ("{v:,}", .str("a"), "ValueError: Cannot specify ',' with 's'."),
            ("{v:,x}", .int(1), "ValueError: Cannot specify ',' with 'x'."),
            ("{v:.}", .str("a"), "ValueError: Format specifier missing precision"),
            ("{v:>5ss}", .str("a"), "ValueError: Invalid format specifier"),
            ("{v:>5}", .none, "TypeError: non-empty format string passed to object.__format__"),
            ("{v:{w:{w}}}", .str("a"), "ValueError: Max string recursion exceeded"),
            ("{v:99999999999999999999}", .str("a"), "ValueError: Too many decimal digits in format string"),
        ]
        for (t, v, want) in errors { XCTAssertEqual(f(t, v), "! " + want, t) }
        XCTAssertTrue(f("{v:f}", .int(1)).contains("is not modelled"))
        XCTAssertTrue(f("{v!r}", .str("é")).contains("non-ASCII"))
    }

    // HTTP_FRONTEND_APPID_ACL is formatted only for the app's first http service (by service port,
    // apps_with_http_appid_backend): a broken override on another port is never formatted.
    func testAppIdACLOverrideCountsOnlyOnTheFirstHTTPPort() {
        func problems(_ labels: [String: String]) -> [String] {
            MarathonLBConfig.templateProblems(T.app("/x", ports: [10002, 10001], labels: ["HAPROXY_GROUP": "external", "HAPROXY_0_MODE": "http", "HAPROXY_1_MODE": "http"].merging(labels) { $1 },
                                                    checks: [F.http])).map(\.label)
        }
        // port index 1 (service port 10001) is the first http service
        XCTAssertEqual(problems(["HAPROXY_0_HTTP_FRONTEND_APPID_ACL": "{nope}"]), [])
        XCTAssertEqual(problems(["HAPROXY_1_HTTP_FRONTEND_APPID_ACL": "{nope}"]), ["HAPROXY_1_HTTP_FRONTEND_APPID_ACL"])
        // ... unless it is tcp: then index 0 is the first http one
        XCTAssertEqual(problems(["HAPROXY_0_HTTP_FRONTEND_APPID_ACL": "{nope}", "HAPROXY_1_MODE": "tcp"]), ["HAPROXY_0_HTTP_FRONTEND_APPID_ACL"])
        // a later broken template of the same port is still found where the app-id one is not formatted
        XCTAssertEqual(problems(["HAPROXY_0_HTTP_FRONTEND_APPID_ACL": "{nope}", "HAPROXY_0_FRONTEND_BACKEND_GLUE": "{nope}"]), ["HAPROXY_0_FRONTEND_BACKEND_GLUE"])
    }

    // {healthCheck} (Marathon's dict, printed in a per-process random order by Python 3.5) is refused, with the reason.
    func testHealthCheckDictIsRefusedWithTheReason() {
        let p = MarathonLBConfig.templateProblems(T.app("/x", ports: [10001], labels: ["HAPROXY_GROUP": "external",
            "HAPROXY_0_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS": "check # {healthCheck}"], checks: [F.http]))
        XCTAssertEqual(p.map(\.label), ["HAPROXY_0_BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS"])
        XCTAssertTrue(p.first?.message.contains("random string hashes") == true, "\(p)")
    }
}
