import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The `autoscale` section: autoscale.rb's flags by their command-line names, with OptionParser's
/// types and autoscale.rb's defaults.
final class AutoscaleSectionTests: XCTestCase {
    func scenario(_ autoscale: String) -> String {
        """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"masters": {"count": 3}},
         "marathon": {"apps": [
            {"id": "/courseware/web", "cmd": "web", "cpus": 0.5, "mem": 128, "instances": 2, "labels": {"HAPROXY_GROUP": "external"}, "portDefinitions": [{"port": 10000}]},
            {"id": "/api", "cmd": "api", "cpus": 0.5, "mem": 128, "instances": 2, "labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "10101"}, "portDefinitions": [{"port": 10001}]},
            {"id": "/batch", "cmd": "b", "cpus": 0.5, "mem": 128, "instances": 1, "portDefinitions": [{"port": 10002}]}]},
         "autoscale": \(autoscale)}
        """
    }
    func flags(_ f: String) -> String { scenario(#"{"flags": {"--marathon": "http://master-01:8080"\#(f.isEmpty ? "" : ", " + f)}}"#) }

    func testDefaultsAreAutoscaleRbs() throws {
        let s = try XCTUnwrap(loadOK(flags(""))?.spec.autoscale)
        XCTAssertEqual(s.targetRPS, 1000)
        XCTAssertEqual(s.interval, 60)
        XCTAssertEqual(s.samples, 10)
        XCTAssertEqual(s.cooldown, 5)
        XCTAssertEqual(s.thresholdPercent, 0.5)
        XCTAssertEqual(s.thresholdInstances, 3)
        XCTAssertEqual(s.intervalsPastThreshold, 3)
        XCTAssertEqual(s.maxInstances, 4_611_686_018_427_387_903)
        XCTAssertEqual(s.minInstances, 1)
        XCTAssertEqual(s.apps, [])
        XCTAssertEqual(s.haproxyHosts, [])
    }

    func testFlagsByTheirNames() throws {
        let s = try XCTUnwrap(loadOK(flags(#""--target-rps": 100, "--interval": 30.5, "--samples": "5", "--cooldown": 2, "--apps": "courseware_web_10000,api_10101,courseware_web_10000", "--threshold-percent": "0.25", "--threshold-instances": 1, "--max-instances": 20, "--min-instances": 2, "--haproxy": "http://master-01:9090,http://master-02:9090", "--marathonCredentials": "a:b""#))?.spec.autoscale)
        XCTAssertEqual(s.targetRPS, 100)
        XCTAssertEqual(s.interval, 30.5)
        XCTAssertEqual(s.samples, 5)
        XCTAssertEqual(s.thresholdPercent, 0.25)
        XCTAssertEqual(s.apps, ["courseware_web_10000", "api_10101"], "a Set: duplicates dropped, order kept")
        XCTAssertEqual(s.haproxyHosts, ["master-01", "master-02"])
        XCTAssertEqual(AutoscaleSpec.putAppID("courseware_web_10000"), "/courseware/web", "autoscale.rb:314 turns every _ into /")
        XCTAssertEqual(AutoscaleSpec.appPart("a_1_22").map(String.init), "a_1")
    }

    func testBadFlagsArePathNamedErrors() {
        assertSingleError(flags(#""--target-rsp": 100"#), path: "autoscale.flags.--target-rsp", ["unknown flag --target-rsp", "invalid option", "did you mean --target-rps"])
        assertSingleError(flags(#""--samples": 1.5"#), path: "autoscale.flags.--samples", ["invalid argument: --samples 1.5"])
        assertSingleError(flags(#""--interval": "soon""#), path: "autoscale.flags.--interval", ["invalid argument: --interval soon"])
        assertSingleError(flags(#""--target-rps": 0"#), path: "autoscale.flags.--target-rps", ["FloatDomainError"])
        assertSingleError(flags(#""--interval": 0"#), path: "autoscale.flags.--interval", ["spin"])
        assertSingleError(flags(#""--apps": "courseware_web""#), path: "autoscale.flags.--apps", ["not <app>_<service port>", "NoMethodError"])
        assertSingleError(flags(#""--apps": "nope_10000""#), path: "autoscale.flags.--apps", ["names no frontend", "no Marathon app"])
        assertSingleError(flags(#""--apps": "batch_10002""#), path: "autoscale.flags.--apps", ["no HAPROXY_GROUP"])
        assertSingleError(flags(#""--apps": "api_10002""#), path: "autoscale.flags.--apps", ["no frontend on port 10002"])
        // HAPROXY_0_PORT moves /api's frontend to 10101: its service port names no frontend, and the
        // message lists the frontends' ports (it listed the service ports, 10001 among them)
        assertSingleError(flags(#""--apps": "api_10001""#), path: "autoscale.flags.--apps", ["no frontend on port 10001", "its frontends' ports: 10101;"])
        assertSingleError(flags(#""--haproxy": "master-01:9090""#), path: "autoscale.flags.--haproxy", ["has no host"])
        assertSingleError(flags(#""-h": true"#), path: "autoscale.flags.-h", ["prints the usage"])
        assertSingleError(scenario(#"{"flags": {}}"#), path: "autoscale.flags.--marathon", ["missing required key", "line 277"])
        assertSingleError(flags(#""--max-instances": -1"#), path: "autoscale.flags.--max-instances", ["negative"])
        assertSingleError(scenario(#"{"flags": {"--marathon": "http://m:8080"}, "host": "lb-01"}"#), path: "autoscale.host", ["no host named"])
    }

    func testUnknownHAProxyHostWarns() throws {
        let l = try XCTUnwrap(loadOK(flags(#""--haproxy": "http://lb-01:9090""#)))
        XCTAssertTrue(l.warnings.joined().contains("nothing is polled"), l.warnings.joined(separator: "\n"))
    }
}
