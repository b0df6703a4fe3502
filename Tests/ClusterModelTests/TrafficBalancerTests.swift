import XCTest
@testable import ClusterModel
import SimKernel

/// nginx's peer choice (ngx_http_upstream_round_robin.c, ngx_http_upstream_least_conn_module.c)
/// on one worker's balancer, without a simulation.
final class TrafficBalancerTests: XCTestCase {
    func servers(_ weights: [Int], maxFails: Int = 1, failTimeout: SimDuration = .seconds(10)) -> [UpstreamServer] {
        weights.enumerated().map { UpstreamServer(address: "10.0.0.\($0.offset + 1)", port: 80, instance: nil, weight: $0.element,
                                                  maxFails: maxFails, failTimeout: failTimeout) }
    }
    let t0 = SimTime.zero + .seconds(100)

    /// The sequence nginx's smooth weighted round robin gives for weights 5, 1, 1 (the example
    /// in the commit that introduced it, nginx changeset 1.1.x: "a a b a c a a").
    func testSmoothWeightedRoundRobinOrderIsNginxs() {
        let b = UpstreamBalancer(ProxyUpstream(name: "u", servers: servers([5, 1, 1])))
        var seq: [Int] = []
        for _ in 0..<14 {
            let p = b.pick(now: t0, tried: [])!
            seq.append(p)
            b.free(p, failed: false, now: t0)
        }
        XCTAssertEqual(seq, [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0])
        // equal weights: plain rotation
        let e = UpstreamBalancer(ProxyUpstream(name: "u", servers: servers([1, 1, 1])))
        let order = (0..<6).map { _ -> Int in let p = e.pick(now: t0, tried: [])!; e.free(p, failed: false, now: t0); return p }
        XCTAssertEqual(order, [0, 1, 2, 0, 1, 2])
    }

    /// max_fails=1, fail_timeout=10s: a failed peer is skipped for 10 s (whole seconds), then
    /// tried again; a success after that clears its failures.
    func testMaxFailsTakesAPeerOutForFailTimeout() {
        let b = UpstreamBalancer(ProxyUpstream(name: "u", servers: servers([1, 1])))
        let p = b.pick(now: t0, tried: [])!
        XCTAssertEqual(p, 0)
        XCTAssertTrue(b.free(p, failed: true, now: t0), "the first failure reaches max_fails 1")
        for s in 0...10 {
            let now = t0 + .seconds(Int64(s))
            XCTAssertFalse(b.isAvailable(0, now: now), "out at +\(s)s")
            let q = b.pick(now: now, tried: [])!
            XCTAssertEqual(q, 1)
            b.free(q, failed: false, now: now)
        }
        let later = t0 + .seconds(11)
        XCTAssertTrue(b.isAvailable(0, now: later))
        // its effective weight dropped to 0 on the failure and climbs back: within a few picks it is chosen
        var picks: [Int] = []
        while picks.last != 0 && picks.count < 4 {
            let q = b.pick(now: later, tried: [])!
            picks.append(q)
            b.free(q, failed: false, now: later)
        }
        XCTAssertEqual(picks, [1, 1, 0], "back after fail_timeout once its effective weight recovered (0, then +1 per pick)")
        XCTAssertEqual(b.fails(0), 0, "a success after the check clears the failures")
    }

    /// max_fails=3: two failures keep the peer in; the third takes it out.
    func testMaxFailsCountsFailures() {
        let b = UpstreamBalancer(ProxyUpstream(name: "u", servers: servers([1, 1], maxFails: 3)))
        XCTAssertFalse(b.free(b.pick(now: t0, tried: [1])!, failed: true, now: t0))
        XCTAssertFalse(b.free(b.pick(now: t0, tried: [1])!, failed: true, now: t0))
        XCTAssertTrue(b.isAvailable(0, now: t0))
        XCTAssertTrue(b.free(b.pick(now: t0, tried: [1])!, failed: true, now: t0))
        XCTAssertFalse(b.isAvailable(0, now: t0))
    }

    /// Every peer out: NGX_BUSY (nil, a 502) and every peer's failures reset, so the next
    /// request tries them again; backup servers are used only when no primary is available.
    func testAllPeersOutResetsAndBackupTakesOver() {
        var list = servers([1, 1])
        list.append(UpstreamServer(address: "10.0.0.9", port: 80, instance: nil, backup: true))
        let b = UpstreamBalancer(ProxyUpstream(name: "u", servers: list))
        for _ in 0..<4 { let p = b.pick(now: t0, tried: [])!; XCTAssertNotEqual(p, 2); b.free(p, failed: false, now: t0) }
        b.free(b.pick(now: t0, tried: [])!, failed: true, now: t0)
        b.free(b.pick(now: t0, tried: [])!, failed: true, now: t0)
        XCTAssertEqual(b.pick(now: t0, tried: []), 2, "the backup serves while both primaries are out")
        b.free(2, failed: true, now: t0)
        XCTAssertNil(b.pick(now: t0, tried: []), "no live upstreams")
        XCTAssertEqual((0..<3).map { b.fails($0) }, [0, 0, 0], "reset for quick recovery")
        XCTAssertNotNil(b.pick(now: t0, tried: []))
    }

    /// One server and no backup (`peers->single`): max_fails is not applied, it is always tried;
    /// a `down` server is never picked.
    func testSingleServerIgnoresMaxFailsAndDownIsSkipped() {
        let b = UpstreamBalancer(ProxyUpstream(name: "u", servers: servers([1])))
        for _ in 0..<3 { XCTAssertEqual(b.pick(now: t0, tried: []), 0); b.free(0, failed: true, now: t0) }
        var two = servers([1, 1]); two[0].down = true
        let d = UpstreamBalancer(ProxyUpstream(name: "u", servers: two))
        for _ in 0..<3 { XCTAssertEqual(d.pick(now: t0, tried: []), 1); d.free(1, failed: false, now: t0) }
    }

    /// least_conn: the peer with the fewest active connections per weight; ties by weighted round robin.
    func testLeastConnPicksTheLeastLoadedPeer() {
        let b = UpstreamBalancer(ProxyUpstream(name: "u", method: .leastConn, servers: servers([1, 1, 1])))
        let a = b.pick(now: t0, tried: [])!, c = b.pick(now: t0, tried: [])!, d = b.pick(now: t0, tried: [])!
        XCTAssertEqual(Set([a, c, d]), [0, 1, 2], "one connection each")
        b.free(c, failed: false, now: t0)
        XCTAssertEqual(b.pick(now: t0, tried: []), c, "the one that finished has the fewest")
    }
}
