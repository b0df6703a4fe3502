@testable import ClusterModel
import Foundation
import Scenario
import SimKernel
import XCTest

/// The headline's network cost of the platform's traffic (NetworkTrafficCost, docs/network.md): each request served
/// priced as a request and a response between the client (host networking) and the instance in its app's mode.
final class NetworkTrafficCostTests: XCTestCase {
    /// Two apps on Marathon's default container network (network.mode) and one on BRIDGE; direct traffic for 2 minutes.
    func scenario(mode: String, environment: String = "cloud-vm", traffic: Bool = true, sizes: String = "") -> String {
        let services = #"""
            , "traffic": {"services": [
               {"name": "a", "app": "/a", "via": "direct", "arrivals": {"constant": 50}, "serviceTime": "5ms"},
               {"name": "b", "app": "/b", "via": "direct", "arrivals": {"constant": 20}, "serviceTime": "5ms"}]}
            """#
        return #"""
            {"name": "t", "seed": 3, "duration": "2m", "sampleInterval": "1m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
             "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
             "network": {"environment": "\#(environment)", "mode": "\#(mode)", "kvStore": "zookeeper"\#(sizes)},
             "marathon": {"version": "1.5", "apps": [
               {"id": "/a", "instances": 2, "cpus": 1, "mem": 512, "networks": [{"mode": "container"}],
                "container": {"type": "DOCKER", "docker": {"image": "a:1"}, "portMappings": [{"containerPort": 80}]}},
               {"id": "/b", "instances": 1, "cpus": 1, "mem": 512, "networks": [{"mode": "container/bridge"}],
                "container": {"type": "DOCKER", "docker": {"image": "b:1"}, "portMappings": [{"containerPort": 80, "hostPort": 0}]}}]}
            \#(traffic ? services : "")
            }
            """#
    }

    struct Cost { var cores: Double; var cpuPerRequestUs: Double?; var addedRTTUs: Double?; var served: Double; var model: ClusterSimulation }

    func run(_ text: String) throws -> Cost? {
        let s = try XCTUnwrap(loadOK(text))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        guard let cost = m.subsystems.first(where: { $0.name == "network-traffic" }) else { return nil }
        let h = Dictionary(uniqueKeysWithValues: cost.headline().map { ($0.key, $0.value) })
        func num(_ k: String) -> Double? { if case .number(let x, _) = h[k] { return x }; return nil }
        let t = try XCTUnwrap(m.subsystem(TrafficModel.self))
        let served = t.spec.services.indices.reduce(0.0) { $0 + t.total[$1].served + t.window[$1].served }
        return Cost(cores: try XCTUnwrap(num("network_traffic_cpu_cores")), cpuPerRequestUs: num("network_cpu_us_per_request"),
                    addedRTTUs: num("network_added_rtt_us"), served: served, model: m)
    }

    func testEachModeCostsWhatItsDatapathDoesPerRequest() throws {
        var perRequest: [String: Double] = [:], added: [String: Double] = [:]
        for mode in ["host", "calico-bgp", "overlay", "flannel-udp", "weave-sleeve"] {
            let c = try XCTUnwrap(try run(scenario(mode: mode)), mode)
            XCTAssertGreaterThan(c.served, 5000, mode)
            let net = try XCTUnwrap(c.model.subsystem(NetworkTrafficCost.self))
            // the headline is the served requests priced per request: 2/7 of them on /b's bridge, 5/7 on the mode
            let a = net.perRequest(mode: ContainerNetworkMode(rawValue: mode)!), b = net.perRequest(mode: .bridge)
            let t = try XCTUnwrap(c.model.subsystem(TrafficModel.self))
            let servedA = t.total[0].served + t.window[0].served, servedB = t.total[1].served + t.window[1].served
            XCTAssertEqual(c.cores, (servedA * a.cpuSeconds + servedB * b.cpuSeconds) / 120, accuracy: 1e-6, mode)
            XCTAssertEqual(try XCTUnwrap(c.cpuPerRequestUs), (servedA * a.cpuSeconds + servedB * b.cpuSeconds) / c.served * 1e6, accuracy: 1e-3, mode)
            perRequest[mode] = try XCTUnwrap(c.cpuPerRequestUs)
            added[mode] = try XCTUnwrap(c.addedRTTUs)
        }
        // with host as the default network only /b's bridge adds to the round trip, for 2 of every 7 requests
        let host = try XCTUnwrap(try run(scenario(mode: "host")))
        let net = try XCTUnwrap(host.model.subsystem(NetworkTrafficCost.self))
        let t = try XCTUnwrap(host.model.subsystem(TrafficModel.self))
        let bridgeUs = Double((net.perRequest(mode: .bridge).roundTrip - net.perRequest(mode: .host).roundTrip).nanoseconds) / 1e3
        XCTAssertGreaterThan(bridgeUs, 10, "veth + bridge + NAT at both ends of both messages")
        XCTAssertEqual(try XCTUnwrap(host.addedRTTUs), bridgeUs * (t.total[1].served + t.window[1].served) / host.served, accuracy: 1e-3)
        // the ranking of docs/network.md (CPU per Gbit and added latency): host < BGP < VXLAN < Flannel UDP < Weave sleeve
        let order = ["host", "calico-bgp", "overlay", "flannel-udp", "weave-sleeve"]
        for (x, y) in zip(order, order.dropFirst()) {
            XCTAssertLessThan(perRequest[x]!, perRequest[y]!, "CPU per request: \(x) < \(y)")
            XCTAssertLessThan(added[x]!, added[y]!, "added round trip: \(x) < \(y)")
        }
        // user-space forwarders cost several times the kernel's per request (docs/network.md, fact 3: 3-13x)
        XCTAssertGreaterThan(perRequest["weave-sleeve"]! - perRequest["host"]!, 3 * (perRequest["overlay"]! - perRequest["host"]!))
    }

    func testOffloadsMakeEveryModeCheaperOnBareMetal() throws {
        for mode in ["host", "overlay", "flannel-udp"] {
            let cloud = try XCTUnwrap(try run(scenario(mode: mode))?.cpuPerRequestUs)
            let metal = try XCTUnwrap(try run(scenario(mode: mode, environment: "bare-metal"))?.cpuPerRequestUs)
            XCTAssertLessThan(metal, cloud, mode)
        }
    }

    func testRequestAndResponseSizesAreTheScenarios() throws {
        // the defaults: 800-byte requests, 8 KiB responses
        let spec = try XCTUnwrap(loadOK(scenario(mode: "overlay"))?.spec.network)
        XCTAssertEqual(spec.requestBytes, 800)
        XCTAssertEqual(spec.responseBytes, 8192)
        let small = try XCTUnwrap(try run(scenario(mode: "overlay")))
        let big = try XCTUnwrap(try run(scenario(mode: "overlay", sizes: #", "requestSize": "2KiB", "responseSize": "256KiB""#)))
        XCTAssertEqual(big.model.spec.network?.responseBytes, 262144)
        XCTAssertGreaterThan(try XCTUnwrap(big.cpuPerRequestUs), 5 * (try XCTUnwrap(small.cpuPerRequestUs)), "a 32x larger response")
        XCTAssertGreaterThan(try XCTUnwrap(big.addedRTTUs), try XCTUnwrap(small.addedRTTUs))
    }

    func testSizesAreRangeChecked() {
        assertSingleError(scenario(mode: "host", sizes: #", "requestSize": 0"#), path: "network.requestSize", ["greater than 0"])
        assertSingleError(scenario(mode: "host", sizes: #", "responseSize": "2GiB""#), path: "network.responseSize", ["too large", "at most 1GiB"])
        assertSingleError(scenario(mode: "host", sizes: #", "responseSize": "lots""#), path: "network.responseSize", [])
    }

    func testOnlyWithBothANetworkAndTraffic() throws {
        // without traffic there is nothing to price: no such subsystem, no headline keys (golden results unchanged)
        XCTAssertNil(try run(scenario(mode: "overlay", traffic: false)))
        let s = try XCTUnwrap(loadOK(scenario(mode: "overlay", traffic: false)))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        XCTAssertFalse(m.subsystems.contains { $0.headline().contains { $0.key.hasPrefix("network_") } })
    }
}
