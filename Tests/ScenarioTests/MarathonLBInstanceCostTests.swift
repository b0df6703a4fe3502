import XCTest
@testable import ClusterModel
import Scenario
import SimKernel

/// The cost of a round of HAProxy reloads grows with the marathon-lb instances, not with their
/// square (docs/benchmarks.md, "marathon-lb instances"). Every instance reloads at the same
/// instants, so the fluid step that follows a round finds every instance in its reload gap; it
/// used to look for an accepting instance once per instance, through all of them, and each
/// instance's first backend state of a new generation walked every instance's live backends and
/// swept every backend kept aside.
/// Work is counted, not timed: the instances `HAProxyFront.enter` looked at and the backends
/// those walks and sweeps went through, per instance, at 8 and 64 instances.
final class MarathonLBInstanceCostTests: XCTestCase {
    func scenario(lbHosts n: Int) -> String {
        """
        {"name": "many-lb", "duration": "20m", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 16, "memory": "64GiB", "disk": "500GB"},
                        {"name": "lb", "count": \(n), "cpus": 8, "memory": "16GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 1}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"version": "1.4", "apps": [{"id": "/shop/web", "instances": 3, "cpus": 1, "mem": 512,
            "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
              "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}]}},
            "labels": {"HAPROXY_GROUP": "external"}}]},
         "marathonLB": {"instances": [{"hostGroup": "lb", "group": "external"}]},
         "faults": [{"at": "5m", "kind": "hostCrash", "hostGroup": "slave", "count": 1},
                    {"at": "12m", "kind": "hostCrash", "hostGroup": "slave", "count": 1}],
         "traffic": {"mode": "fluid", "services": [{"name": "web", "app": "/shop/web", "via": "marathon-lb", "frontend": "shop_web_10000",
            "arrivals": {"constant": 300},
            "serviceTime": {"exponential": {"mean": "20ms"}}, "discipline": "fifo", "concurrency": 4}]}}
        """
    }

    /// Per instance: the instances `enter` looked at, the backends the first-state walks went
    /// through, and the reloads.
    func work(lbHosts n: Int) throws -> (scanned: Double, pruned: Double, swept: Double, reloads: Double) {
        let s = try XCTUnwrap(loadOK(scenario(lbHosts: n)))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let traffic = try XCTUnwrap(m.subsystem(TrafficModel.self))
        let table = try XCTUnwrap(traffic.haproxy)
        let scanned = traffic.fronts.compactMap { $0 as? HAProxyFront }.reduce(0) { $0 + $1.scanned }
        let reloads = try XCTUnwrap(m.subsystem(MarathonLB.self)).totalReloads
        return (Double(scanned) / Double(n), Double(table.pruneWalked) / Double(n), Double(table.swept) / Double(n), Double(reloads) / Double(n))
    }

    func testAReloadRoundCostsLinearlyInTheInstances() throws {
        let small = try work(lbHosts: 8), large = try work(lbHosts: 64)
        // the same rounds of reloads at both sizes (every instance reloads in each)
        XCTAssertGreaterThanOrEqual(small.reloads, 3, "rounds of reloads: \(small.reloads)")
        XCTAssertEqual(large.reloads, small.reloads)
        // per instance the same work at 8 and 64 instances (the square: 8 times as much)
        XCTAssertLessThan(large.scanned / small.scanned, 1.5, "instances looked at by enter, per instance: \(small.scanned) at 8, \(large.scanned) at 64")
        XCTAssertLessThan(large.pruned / max(small.pruned, 1), 1.5, "backends walked at first states, per instance: \(small.pruned) at 8, \(large.pruned) at 64")
        XCTAssertLessThan(large.swept / max(small.swept, 1), 1.5, "backends kept aside swept, per instance: \(small.swept) at 8, \(large.swept) at 64")
    }
}
