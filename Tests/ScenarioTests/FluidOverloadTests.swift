import XCTest
import ClusterModel
import Scenario
import SimKernel

/// Fluid mode: an instance's queue sees every request it gets, whichever proxy sent it. With two
/// proxies in front (two marathon-lb HAProxy instances, or two nginx), each proxy's share alone is
/// below an instance's capacity while the sum is above it: the overload (backlog, timeouts) must be
/// the same as with one way in. Before the fix each proxy's share was queued on its own and an
/// overloaded app served everything.
final class FluidOverloadTests: XCTestCase {
    func scenario(via: String, instances: String = #"[{"hostGroup": "lb", "group": "external"}]"#) -> String {
        let entry = via == "direct" ? #""via": "direct""# : #""via": "marathon-lb", "frontend": "shop_web_10000""#
        return """
        {"name": "overload", "duration": "30m", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 16, "memory": "64GiB", "disk": "500GB"},
                        {"name": "lb", "count": 2, "cpus": 8, "memory": "16GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 1}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"version": "1.4", "apps": [{"id": "/shop/web", "instances": 2, "cpus": 1, "mem": 512,
            "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
              "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000, "protocol": "tcp"}]}},
            "labels": {"HAPROXY_GROUP": "external"}}]},
         "marathonLB": {"instances": \(instances)},
         "traffic": {"mode": "fluid", "services": [{"name": "web", "app": "/shop/web", \(entry),
            "arrivals": {"step": {"from": 100, "to": 1000, "at": "10m"}},
            "serviceTime": {"exponential": {"mean": "20ms"}}, "discipline": "fifo", "concurrency": 4}]}}
        """
    }

    func failed(_ text: String) throws -> Double {
        let s = try XCTUnwrap(loadOK(text))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let traffic = try XCTUnwrap(m.subsystems.first { $0.name == "traffic" })
        let f = try XCTUnwrap(traffic.headline().first { $0.key == "requests_failed" })
        guard case .int(let n) = f.value else { XCTFail("requests_failed: \(f.value)"); return 0 }
        return Double(n)
    }

    func testTwoHAProxyInstancesOverloadTheAppAsOneWayInDoes() throws {
        // two instances of 4 workers x 20 ms serve 400 requests a second; 1,000 arrive from 10 min
        let direct = try failed(scenario(via: "direct"))
        let viaLB = try failed(scenario(via: "marathon-lb"))
        XCTAssertGreaterThan(direct, 100_000, "the overloaded app times requests out")
        XCTAssertEqual(viaLB / direct, 1, accuracy: 0.05, "through two HAProxy instances: \(viaLB) failed, direct: \(direct)")
    }

    /// A marathon-lb of another HAPROXY_GROUP does not bind the frontend: requests never go there
    /// (before the fix, the round robin over every instance sent half of them to it: refused).
    func testOnlyTheGroupsInstancesTakeTheFrontendsRequests() throws {
        let external = try failed(scenario(via: "marathon-lb", instances: #"[{"hostGroup": "lb", "group": "external"}]"#))
        let mixed = try failed(scenario(via: "marathon-lb", instances: #"[{"hosts": ["lb-01"], "group": "external"}, {"hosts": ["lb-02"], "group": "internal"}]"#))
        XCTAssertEqual(mixed / external, 1, accuracy: 0.05, "one external and one internal instance: \(mixed) failed; two external: \(external)")
    }
}
