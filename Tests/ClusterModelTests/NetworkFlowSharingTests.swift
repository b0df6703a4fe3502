@testable import ClusterModel
import SimKernel
import XCTest

/// Max-min fairness by progressive filling, and flows through ClusterNetwork's NICs.
final class NetworkFlowSharingTests: XCTestCase {
    func testTwoFlowsShareALinkEqually() {
        let s = MaxMinSharing()
        let link = s.addResource(capacity: 10)
        let a = s.addFlow(route: [link], coefficients: [1], bound: .infinity)
        let b = s.addFlow(route: [link], coefficients: [1], bound: .infinity)
        s.reshare(from: b)
        XCTAssertEqual(s.rate[Int(a)], 5, accuracy: 1e-9)
        XCTAssertEqual(s.rate[Int(b)], 5, accuracy: 1e-9)
        XCTAssertEqual(s.load(link), 10, accuracy: 1e-9)
    }

    func testAFlowLimitedElsewhereLeavesItsShareToOthers() {
        let s = MaxMinSharing()
        let link = s.addResource(capacity: 10)
        let narrow = s.addResource(capacity: 2)
        let a = s.addFlow(route: [link, narrow], coefficients: [1, 1], bound: .infinity)
        let b = s.addFlow(route: [link], coefficients: [1], bound: .infinity)
        let c = s.addFlow(route: [link], coefficients: [1], bound: 3)   // its own bound (one core)
        s.reshare(from: c)
        XCTAssertEqual(s.rate[Int(a)], 2, accuracy: 1e-9)
        XCTAssertEqual(s.rate[Int(c)], 3, accuracy: 1e-9)
        XCTAssertEqual(s.rate[Int(b)], 5, accuracy: 1e-9)
    }

    func testReshareWhenFlowsEnd() {
        let s = MaxMinSharing()
        let link = s.addResource(capacity: 12)
        let ids = (0..<3).map { _ in s.addFlow(route: [link], coefficients: [1], bound: .infinity) }
        s.reshare(from: ids[2])
        for f in ids { XCTAssertEqual(s.rate[Int(f)], 4, accuracy: 1e-9) }
        s.reshare(resources: s.removeFlow(ids[0]))
        XCTAssertEqual(s.rate[Int(ids[1])], 6, accuracy: 1e-9)
        XCTAssertEqual(s.rate[Int(ids[2])], 6, accuracy: 1e-9)
        XCTAssertEqual(Set(s.lastComponent), Set([ids[1], ids[2]]))
    }

    func testCoefficientsShareFairlyInPayloadTerms() {
        // a flow using 2 units of the link per payload unit (encapsulation, say) gets the same
        // payload rate as a plain one; together they fill the link
        let s = MaxMinSharing()
        let link = s.addResource(capacity: 9)
        let a = s.addFlow(route: [link], coefficients: [1], bound: .infinity)
        let b = s.addFlow(route: [link], coefficients: [2], bound: .infinity)
        s.reshare(from: b)
        XCTAssertEqual(s.rate[Int(a)], 3, accuracy: 1e-9)
        XCTAssertEqual(s.rate[Int(b)], 3, accuracy: 1e-9)
    }

    func testOnlyTheConnectedComponentIsReshared() {
        let s = MaxMinSharing()
        let l1 = s.addResource(capacity: 10), l2 = s.addResource(capacity: 10)
        let a = s.addFlow(route: [l1], coefficients: [1], bound: .infinity)
        s.reshare(from: a)
        let b = s.addFlow(route: [l2], coefficients: [1], bound: .infinity)
        s.reshare(from: b)
        XCTAssertEqual(s.lastComponent, [b])
        XCTAssertEqual(s.rate[Int(a)], 10, accuracy: 1e-9)
    }

    func testMaxMinMatchesABruteForceWaterFillOnRandomInstances() {
        let rng = RandomStream(seed: 7, name: "maxmin")
        for _ in 0..<200 {
            let s = MaxMinSharing()
            let nr = 1 + rng.int(below: 5), nf = 1 + rng.int(below: 8)
            let caps = (0..<nr).map { _ in 1 + Double(rng.int(below: 20)) }
            for c in caps { s.addResource(capacity: c) }
            var routes: [[Int32]] = [], coefs: [[Double]] = [], bounds: [Double] = []
            for _ in 0..<nf {
                var r: [Int32] = []
                for i in 0..<nr where rng.uniform() < 0.5 { r.append(Int32(i)) }
                if r.isEmpty { r = [Int32(rng.int(below: nr))] }
                routes.append(r); coefs.append(r.map { _ in 1 + Double(rng.int(below: 3)) })
                bounds.append(rng.uniform() < 0.3 ? 1 + Double(rng.int(below: 10)) : .infinity)
            }
            var ids: [Int32] = []
            for i in 0..<nf { ids.append(s.addFlow(route: routes[i], coefficients: coefs[i], bound: bounds[i])) }
            s.reshare(resources: (0..<nr).map { Int32($0) })
            // brute force: raise unfrozen flows in tiny steps
            var rate = [Double](repeating: 0, count: nf), frozen = [Bool](repeating: false, count: nf)
            while frozen.contains(false) {
                var step = Double.infinity
                for r in 0..<nr {
                    var used = 0.0, sum = 0.0
                    for f in 0..<nf { if let j = routes[f].firstIndex(of: Int32(r)) { used += coefs[f][j] * rate[f]; if !frozen[f] { sum += coefs[f][j] } } }
                    if sum > 0 { step = min(step, (caps[r] - used) / sum) }
                }
                for f in 0..<nf where !frozen[f] { step = min(step, bounds[f] - rate[f]) }
                for f in 0..<nf where !frozen[f] { rate[f] += step }
                for f in 0..<nf where !frozen[f] {
                    if rate[f] >= bounds[f] - 1e-9 { frozen[f] = true; continue }
                    for (j, r) in routes[f].enumerated() {
                        var used = 0.0
                        for g in 0..<nf { if let k = routes[g].firstIndex(of: r) { used += coefs[g][k] * rate[g] } }
                        if used >= caps[Int(r)] - 1e-9 { frozen[f] = true; _ = j; break }
                    }
                }
            }
            for f in 0..<nf { XCTAssertEqual(s.rate[Int(ids[f])], rate[f], accuracy: 1e-6) }
        }
    }

    // MARK: through ClusterNetwork

    final class Recorder: NetworkClient {
        var done: [(Int64, SimTime)] = []
        let model: ClusterSimulation
        init(_ m: ClusterSimulation) { model = m }
        func flowCompleted(_ flow: ClusterNetwork.FlowHandle, token: Int64, bytes: Double) { done.append((token, model.sim.now)) }
    }

    func model(hosts: Int, nic: Int64, cpus: Double = 32, env: NetworkEnvironment = .bareMetal) -> ClusterSimulation {
        var spec = ClusterSpec(name: "t", duration: .hours(1), hostGroups: [
            HostGroupSpec(name: "h", count: hosts, datacenter: "dc01", racks: ["r1"], cpus: cpus, memoryBytes: 1 << 30, diskBytes: 1 << 30, nicBitsPerSecond: nic)])
        spec.network = NetworkSpec(environment: env, mode: .host)
        return ClusterSimulation(spec: spec, observer: NullObserver())
    }

    func testFlowsIntoOneHostShareItsNICAndSpeedUpWhenOneEnds() throws {
        let m = model(hosts: 3, nic: 1_000_000_000)
        let net = try XCTUnwrap(m.network)
        let rec = Recorder(m)
        let wire = Datapath.wireBytesPerPayloadByte(.host, mtu: 1500)
        let payloadRate = 125_000_000 / wire              // payload bytes/s at 1 Gbit/s line rate
        let bytes = payloadRate                            // one second alone
        net.startFlow(from: NetworkEndpoint(host: 0), to: NetworkEndpoint(host: 2), bytes: bytes, client: rec, token: 1)
        net.startFlow(from: NetworkEndpoint(host: 1), to: NetworkEndpoint(host: 2), bytes: bytes / 2, client: rec, token: 2)
        m.run()
        XCTAssertEqual(rec.done.map(\.0), [2, 1])
        // both at half rate until the short one ends at 1 s; the long one has half left, at full rate: 1.5 s
        XCTAssertEqual(rec.done[0].1.seconds, 1.0, accuracy: 1e-6)
        XCTAssertEqual(rec.done[1].1.seconds, 1.5, accuracy: 1e-6)
        XCTAssertEqual(net.activeFlows, 0)
    }

    func testFlowCPUIsChargedToBothHosts() throws {
        let m = model(hosts: 2, nic: 10_000_000_000)
        let net = try XCTUnwrap(m.network)
        let a = NetworkEndpoint(host: 0, mode: .flannelVXLAN), b = NetworkEndpoint(host: 1, mode: .flannelVXLAN)
        net.startFlow(from: a, to: b, bytes: 1e9)
        m.run()
        let c = net.endCosts(a, b)
        XCTAssertEqual(net.cpuSeconds(host: 0), 1e9 * c.a.totalNsPerByte * 1e-9, accuracy: 1e-6)
        XCTAssertEqual(net.cpuSeconds(host: 1), 1e9 * c.b.totalNsPerByte * 1e-9, accuracy: 1e-6)
    }
}
