import Foundation
import XCTest

/// `clustersim run --haproxy-config-at`: the haproxy.cfg each marathon-lb instance runs at an
/// instant, written beside the results and accepted by the real `haproxy -c`.
final class HAProxyConfigAtTests: XCTestCase {
    static let scenario = #"""
    {"name": "haproxy-config-at", "duration": "10m", "seed": 7,
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                    {"name": "lb", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB", "attributes": {"role": "lb"}}],
     "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
     "marathon": {"version": "1.4", "apps": [
       {"id": "/shop/web", "instances": 2, "cpus": 0.5, "mem": 512, "constraints": [["role", "UNLIKE", "lb"]],
        "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
          "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10080, "protocol": "tcp"}]}},
        "labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com"},
        "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 60,
          "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]},
       {"id": "/db", "instances": 1, "cpus": 0.5, "mem": 512, "constraints": [["role", "UNLIKE", "lb"]],
        "container": {"type": "DOCKER", "docker": {"image": "db:1", "network": "BRIDGE",
          "portMappings": [{"containerPort": 5432, "hostPort": 0, "servicePort": 10010, "protocol": "tcp"}]}},
        "labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "15432"}}]},
     "marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}], "flags": {"--health-check": true}},
     "actions": [{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}]}
    """#

    func testWritesEachInstancesConfigurationAndHAProxyAcceptsIt() throws {
        let dir = CLI.tempDir("haproxy-at")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let out = dir + "/out"
        let r = try CLI.run(["run", file, "--out", out, "--quiet", "--haproxy-config-at", "4m", "--haproxy-config-at", "9m"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(CLI.files(in: out + "/haproxy"), ["lb-01-240s.cfg", "lb-01-540s.cfg", "lb-02-240s.cfg", "lb-02-540s.cfg"])
        let before = try String(contentsOfFile: out + "/haproxy/lb-01-240s.cfg", encoding: .utf8)
        let after = try String(contentsOfFile: out + "/haproxy/lb-01-540s.cfg", encoding: .utf8)
        func servers(_ t: String, _ backend: String) -> Int {
            guard let r = t.range(of: "\nbackend \(backend)\n") else { return -1 }
            return t[r.upperBound...].components(separatedBy: "\n\n")[0].components(separatedBy: "\n").filter { $0.hasPrefix("  server ") }.count
        }
        XCTAssertEqual(servers(before, "shop_web_10080"), 2, before)
        XCTAssertEqual(servers(after, "shop_web_10080"), 3, after)
        XCTAssertEqual(servers(after, "db_15432"), 1, after)
        XCTAssertTrue(after.contains("frontend db_15432\n  bind *:15432\n  mode tcp\n"), after)
        XCTAssertTrue(after.contains("use_backend shop_web_10080 if host_shop_example_com"), after)
        let csv = try String(contentsOfFile: out + "/marathonlb.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("time_s,host,group,generation,reloads,regenerations,frontends,servers,accepting,reload_retries,reload_failures,invalid_configs,stale\n0,lb-01,external,0,0,1,0,0,1,0,0,0,0\n"), csv)
        // the real HAProxy accepts both, without a warning: -dW (zero-warning mode, HAProxy 2.5 and later) makes a
        // warning fail the check, so a keyword a later release deprecates (it warns before it refuses) is seen
        // here (Debian 12's 2.6.12 and Debian 13's 3.0.11 both accept them so, scripts/fresh-machine-check.sh)
        guard let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("haproxy is not installed (Debian package haproxy; scripts/install-deps.sh installs it): cannot run haproxy -c")
        }
        for f in ["lb-01-240s.cfg", "lb-02-540s.cfg"] {
            let r = try CLI.runProgram(haproxy, ["-c", "-dW", "-f", out + "/haproxy/" + f], environment: ProcessInfo.processInfo.environment)
            XCTAssertEqual(r.status, 0, "\(f): \(r.stdout)\(r.stderr)")
        }
        // a second run without the option replaces the folder, haproxy/ included (it is ours)
        let plain = try CLI.run(["run", file, "--out", out, "--quiet"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/haproxy"))
    }

    func testBadInstantsAreRefused() throws {
        try CLI.assertBadInstantsRefused(scenario: Self.scenario, option: "--haproxy-config-at")
    }
}
