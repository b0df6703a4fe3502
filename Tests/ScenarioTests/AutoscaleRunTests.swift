@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// marathon-lb-autoscale through the whole platform: marathon-lb's HAProxy instances serve a
/// flash crowd (150 → 1500 rps at 30 min for 20 min), their stats pages feed the autoscaler,
/// and its PUTs go through Marathon's deployment path.
final class AutoscaleRunTests: XCTestCase {
    static let scenario = #"""
{"name": "autoscale-flash", "duration": "2h", "seed": 7,
 "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                {"name": "slave", "count": 6, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                {"name": "lb", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB", "attributes": {"role": "lb"}}],
 "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
 "marathon": {"version": "1.4", "apps": [
   {"id": "/courseware/web", "instances": 2, "cpus": 0.5, "mem": 512, "constraints": [["role", "UNLIKE", "lb"]],
    "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
      "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}]}},
    "labels": {"HAPROXY_GROUP": "external"},
    "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 60,
      "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]}]},
 "marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}], "flags": {"--health-check": true}},
 "traffic": {"mode": "fluid", "services": [
   {"name": "web", "app": "/courseware/web", "via": "marathon-lb", "frontend": "courseware_web_10000",
    "arrivals": {"flashCrowd": {"base": 150, "peak": 1500, "at": "30m", "rise": "1m", "hold": "20m", "decay": "1m"}},
    "serviceTime": {"exponential": {"mean": "20ms"}}, "discipline": "ps", "timeout": "10s"}]},
 "autoscale": {"flags": {"--marathon": "http://master-01:8080", "--haproxy": "http://lb-01:9090,http://lb-02:9090",
                         "--apps": "courseware_web_10000", "--target-rps": 100}, "host": "master-01"}
}
"""#

    func testFlashCrowdIsScaledThroughMarathonLBStatsAndMarathon() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        XCTAssertTrue(m.run())
        let a = try XCTUnwrap(m.subsystem(Autoscaler.self))
        let puts = o.events.filter { $0.event == "autoscalePut" }
        // 150 rps at target 100: 2 instances = current, nothing before the crowd. The crowd
        // (1800 s) is in the window from the 1860 s sample; three past threshold → first PUT at
        // 1980 s at the earliest, the next not before 900 s later; then back down.
        XCTAssertGreaterThanOrEqual(puts.count, 2)
        XCTAssertGreaterThanOrEqual(puts.first!.time.seconds, 1980)
        XCTAssertLessThanOrEqual(puts.first!.time.seconds, 2100)
        for (p, q) in zip(puts, puts.dropFirst()) { XCTAssertGreaterThanOrEqual((q.time - p.time).seconds, 900) }
        XCTAssertTrue(puts.allSatisfy { $0.subject == "/courseware/web" && $0.detail.contains("deployment-") }, "\(puts.map(\.detail))")
        // the sample is the sum over both HAProxy instances of the frontend's rate: the offered 1500 rps
        let peak = a.pending.map(\.sample).max() ?? 0   // nobody drained the rows in this test
        XCTAssertEqual(Double(peak), 1500, accuracy: 30)
        let h = Dictionary(uniqueKeysWithValues: a.headline().map { ($0.key, $0.value) })
        guard case .number(let used, _)? = h["instance_hours"], case .number(let oracle, _)? = h["oracle_instance_hours"] else { return XCTFail("\(h)") }
        XCTAssertGreaterThan(used, 0)
        XCTAssertGreaterThan(oracle, 2 * 2 - 0.1, "at least min 2 instances (150 rps) for 2 h")
    }
}
