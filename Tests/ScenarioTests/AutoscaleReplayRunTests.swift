@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Incidents replayed to their end through the whole platform (session 48): what the autoscaler
/// reads from marathon-lb's HAProxy stats pages when marathon-lb's configuration changes.
final class AutoscaleReplayRunTests: XCTestCase {
    /// /shop/web (3 instances) behind one marathon-lb of group `external`, 300 rps (fluid), the
    /// autoscaler at --target-rps 100 --min-instances 1. At 20 min an operator moves the app to
    /// HAPROXY_GROUP `internal`, which no marathon-lb serves.
    static let scenario = #"""
{"name": "autoscale-regroup", "duration": "45m", "seed": 3,
 "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                {"name": "lb", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB", "attributes": {"role": "lb"}}],
 "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
 "marathon": {"version": "1.4", "apps": [
   {"id": "/shop/web", "instances": 3, "cpus": 0.5, "mem": 256, "constraints": [["role", "UNLIKE", "lb"]],
    "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
      "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}]}},
    "labels": {"HAPROXY_GROUP": "external"}}]},
 "actions": [{"at": "20m", "kind": "deploy", "app": "/shop/web", "changes": {"labels": {"HAPROXY_GROUP": "internal"}}}],
 "marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}]},
 "traffic": {"mode": "fluid", "services": [
   {"name": "web", "app": "/shop/web", "via": "marathon-lb", "frontend": "shop_web_10000",
    "arrivals": {"constant": 300}, "serviceTime": {"exponential": {"mean": "10ms"}}, "discipline": "ps", "timeout": "10s"}]},
 "autoscale": {"flags": {"--marathon": "http://master-01:8080", "--haproxy": "http://lb-01:9090",
                         "--apps": "shop_web_10000", "--target-rps": 100, "--min-instances": 1}}
}
"""#

    /// marathon-lb reloads HAProxy without the frontend (its app left the group): the new process's
    /// stats page has no `shop_web_10000` row, so autoscale.rb adds nothing for it (line 262) and the
    /// samples are 0 from the first poll after the reload; the average falls and the autoscaler scales
    /// the app down (3 past threshold, then a PUT below 3). Before, the page kept the old process's
    /// row with its last rate (300) for ever and the autoscaler saw a steady load.
    func testFrontendGoneAfterReloadReadsNothing() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        XCTAssertTrue(m.run())
        let a = try XCTUnwrap(m.subsystem(Autoscaler.self))
        let reload = try XCTUnwrap(o.events.first { $0.event == "haproxyReloaded" && $0.time.seconds >= 1200 && $0.detail.contains("0 frontends") },
                                   "marathon-lb drops the frontend")
        let before = a.pending.filter { $0.time.seconds >= 600 && $0.time.seconds < 1200 && $0.decision != .failed }
        XCTAssertFalse(before.isEmpty)
        XCTAssertTrue(before.allSatisfy { abs($0.sample - 300) <= 3 }, "\(before.map(\.sample))")
        let after = a.pending.filter { $0.time > reload.time && $0.decision != .failed }
        XCTAssertFalse(after.isEmpty)
        XCTAssertEqual(Set(after.map(\.sample)), [0], "no row for the frontend on the new process's page")
        let t = try XCTUnwrap(m.subsystem(TrafficModel.self))
        XCTAssertEqual(t.haproxyFrontendStats(0, now: m.sim.now)?.map(\.name), [], "the new process's page has no FRONTEND row for it")
        let down = o.events.filter { $0.event == "autoscalePut" && $0.time > reload.time }
        XCTAssertFalse(down.isEmpty, "the autoscaler scales the app down")
        XCTAssertTrue(down.allSatisfy { !$0.detail.hasPrefix("instances 3") }, "\(down.map(\.detail))")
    }
}
