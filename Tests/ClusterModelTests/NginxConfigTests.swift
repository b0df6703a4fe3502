@testable import ClusterModel
import SimKernel
import XCTest

/// nginx configuration text as nginx reads it: syntax, units, upstream parameters and defaults,
/// proxy settings inherited from http and server level.
final class NginxConfigTests: XCTestCase {
    func testTimesAndSizesAsNginxParsesThem() {
        XCTAssertEqual(NginxConfigText.time("60"), .seconds(60), "a bare number is seconds")
        XCTAssertEqual(NginxConfigText.time("60s"), .seconds(60))
        XCTAssertEqual(NginxConfigText.time("1m"), .seconds(60))
        XCTAssertEqual(NginxConfigText.time("500ms"), .milliseconds(500))
        XCTAssertEqual(NginxConfigText.time("1m30s"), .seconds(90))
        XCTAssertEqual(NginxConfigText.time("1h"), .hours(1))
        XCTAssertEqual(NginxConfigText.time("2d"), .hours(48))
        XCTAssertEqual(NginxConfigText.time("1m30"), .seconds(90), "a bare number at the end is seconds")
        XCTAssertEqual(NginxConfigText.time("1m 30s"), .seconds(90), "groups may be separated by spaces")
        XCTAssertEqual(NginxConfigText.time("1s500ms"), .milliseconds(1500))
        XCTAssertEqual(NginxConfigText.time("1y", seconds: true), .hours(365 * 24))
        XCTAssertEqual(NginxConfigText.time("1M", seconds: true), .hours(30 * 24))
        // what nginx 1.22's nginx -t refuses (msec directives; is_sec parameters)
        for bad in ["", "s", "1.5s", "10x", "30s1m", "-1s", "1s1s", "30 1m", "1m1m", "1y", "1M"] { XCTAssertNil(NginxConfigText.time(bad), bad) }
        for bad in ["500ms", "1s500ms", "1m1m"] { XCTAssertNil(NginxConfigText.time(bad, seconds: true), bad) }
        XCTAssertEqual(NginxConfigText.size("512"), 512)
        XCTAssertEqual(NginxConfigText.size("64k"), 65536)
        XCTAssertEqual(NginxConfigText.size("1M"), 1 << 20)
        XCTAssertEqual(NginxConfigText.size("2g"), 2 << 30)
        for bad in ["", "k", "1.5m", "1t"] { XCTAssertNil(NginxConfigText.size(bad), bad) }
    }

    func testUpstreamDefaultsAndParameters() throws {
        let c = try NginxConfiguration.parse("""
            upstream a {
                server 10.0.0.2:31000;
                server 10.0.0.3:31001 weight=5 max_fails=0 fail_timeout=30s;
                server 10.0.0.4 backup;
                server 10.0.0.5:80 down;
            }
            upstream b { ip_hash; server 10.0.0.2:1; }
            upstream c { random two least_conn; server 10.0.0.2:1; }
            """)
        XCTAssertEqual(c.upstreams.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(c.upstreams.map(\.method), [.roundRobin, .ipHash, .random])
        let s = c.upstreams[0].servers
        XCTAssertEqual(s[0], NginxUpstreamServer(address: "10.0.0.2", port: 31000), "weight 1, max_fails 1, fail_timeout 10s")
        XCTAssertEqual(s[0].maxFails, 1); XCTAssertEqual(s[0].failTimeout, .seconds(10)); XCTAssertEqual(s[0].weight, 1)
        XCTAssertEqual([s[1].weight, s[1].maxFails], [5, 0]); XCTAssertEqual(s[1].failTimeout, .seconds(30))
        XCTAssertEqual(s[2].port, 80, "no port: 80"); XCTAssertTrue(s[2].backup)
        XCTAssertTrue(s[3].down)
    }

    func testProxySettingsAreInheritedFromHttpAndServer() throws {
        let c = try NginxConfiguration.parse("""
            user www-data;
            events { worker_connections 768; }
            http {
                proxy_connect_timeout 5s;
                proxy_next_upstream error timeout http_502;
                upstream web { server 10.0.0.2:31000; }
                server {
                    listen 80 default_server;
                    proxy_read_timeout 2m;
                    location / { proxy_pass http://web; }
                    location /api/ { proxy_pass http://web/; proxy_connect_timeout 500ms; proxy_next_upstream off; proxy_next_upstream_tries 3; }
                    location /static/ { root /srv; }
                }
            }
            """)
        XCTAssertEqual(c.locations.map(\.prefix), ["/api/", "/"], "longest prefix first")
        let root = c.locations[1].route, api = c.locations[0].route
        XCTAssertEqual(root.connectTimeout, .seconds(5), "from http")
        XCTAssertEqual(root.readTimeout, .minutes(2), "from server")
        XCTAssertEqual(root.sendTimeout, .seconds(60), "nginx default")
        XCTAssertEqual(root.nextUpstream, [.error, .timeout, .http502])
        XCTAssertEqual(root.nextUpstreamTries, 0); XCTAssertEqual(root.nextUpstreamTimeout, .zero)
        XCTAssertEqual(api.connectTimeout, .milliseconds(500))
        XCTAssertEqual(api.readTimeout, .minutes(2))
        XCTAssertEqual(api.nextUpstream, [])
        XCTAssertEqual(api.nextUpstreamTries, 3)
        XCTAssertEqual(c.upstreams.count, 1)
    }

    func testDefaultsWithoutProxyDirectives() throws {
        let c = try NginxConfiguration.parse("upstream u { server 10.0.0.2:1; } server { listen 80; location / { proxy_pass http://u; } }")
        let r = c.locations[0].route
        XCTAssertEqual([r.connectTimeout, r.readTimeout, r.sendTimeout], [.seconds(60), .seconds(60), .seconds(60)])
        XCTAssertEqual(r.nextUpstream, .standard)
    }

    func testWhatNginxRejects() {
        let cases: [(String, String)] = [
            ("upstream u { }", "no servers are inside upstream"),
            ("upstream u { server 10.0.0.2:1; } upstream u { server 10.0.0.2:2; }", "duplicate upstream \"u\""),
            ("upstream u { server 10.0.0.2:1 weight=0; }", "invalid parameter \"weight=0\""),
            ("upstream u { server 10.0.0.2:1 fail_timeout=1.5s; }", "invalid parameter"),
            ("upstream u { server 10.0.0.2:99999; }", "invalid port"),
            ("upstream u { ip_hash; server 10.0.0.2:1 backup; }", "backup"),
            ("server { listen 80; location / { proxy_pass http://nosuch; } }", "host not found in upstream \"nosuch\""),
            ("server { listen 80; location / { proxy_connect_timeout 5x; } }", "invalid value"),
            ("upstream u { server 10.0.0.2:1 }", "unexpected \"}\""),
            ("upstream u { server 10.0.0.2:1;", "unexpected end of file"),
            ("}", "unexpected \"}\""),
            ("server { listen 80; location / { proxy_next_upstream bogus; } }", "invalid value \"bogus\""),
        ]
        for (text, fragment) in cases {
            do {
                _ = try NginxConfiguration.parse(text)
                XCTFail("accepted: \(text)")
            } catch {
                XCTAssertTrue(error.message.contains(fragment), "\(text): \(error.message)")
            }
        }
    }

    func testErrorLineNumbers() {
        do {
            _ = try NginxConfiguration.parse("# comment\nupstream a {\n  server 10.0.0.2:1;\n}\nupstream a {\n  server 1.2.3.4:5;\n}\n")
            XCTFail()
        } catch { XCTAssertEqual(error.line, 5) }
    }

    func testReloadCommands() {
        XCTAssertEqual(NginxReloadCommand.classify("nginx -s reload"), .signalAfterTest)
        XCTAssertEqual(NginxReloadCommand.classify("  service   nginx reload "), .signalAfterTest)
        XCTAssertEqual(NginxReloadCommand.classify("kill -HUP $(cat /run/nginx.pid)"), .hangUp)
        XCTAssertNil(NginxReloadCommand.classify("rm -rf /"))
    }
}
