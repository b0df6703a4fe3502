import XCTest
@testable import ClusterModel
import SimKernel

final class ZooKeeperTests: XCTestCase, MesosTestHelpers {
    final class Client: ZooKeeperClient {
        var log: [(SimTime, String)] = []
        unowned let sim: Simulation
        init(_ sim: Simulation) { self.sim = sim }
        func zooKeeper(_ zk: ZooKeeperEnsemble, connected session: Int, reconnected: Bool) { log.append((sim.now, reconnected ? "reconnected" : "connected")) }
        func zooKeeper(_ zk: ZooKeeperEnsemble, disconnected session: Int) { log.append((sim.now, "disconnected")) }
        func zooKeeper(_ zk: ZooKeeperEnsemble, expired session: Int) { log.append((sim.now, "expired")) }
    }

    func testNegotiatedTimeoutIsClampedToTwoAndTwentyTicks() {
        let z = ZooKeeperSpec()
        XCTAssertEqual(z.negotiatedTimeout(.seconds(1)), .seconds(4))
        XCTAssertEqual(z.negotiatedTimeout(.seconds(10)), .seconds(10))
        XCTAssertEqual(z.negotiatedTimeout(.seconds(100)), .seconds(40))
    }

    func testSessionExpiresAtTheTickBucketAfterTheLastPing() {
        let (m, o, script) = cluster(agents: 1, duration: .seconds(60))
        let c = Client(m.sim)
        var sid = -1
        let zk = m.mesos!.zooKeeper
        script.at(.seconds(10)) { sid = zk.openSession(c, host: 0, requestedTimeout: .seconds(10)) }
        // pings at 10, 13.33, 16.67, 20, 23.33; dies at 25.5: last ping 23.333 s, +10 s = 33.333 s,
        // next 2 s bucket: 34 s
        script.at(.milliseconds(25_500)) { zk.clientDied(sid) }
        m.run()
        XCTAssertEqual(c.log.map(\.1), ["connected"])
        let exp = events(o, "sessionExpired").filter { $0.subject == "session-\(sid)" }
        XCTAssertEqual(exp.map(\.time), [SimTime.zero + .seconds(34)])
        XCTAssertEqual(zk.expiryBucket(lastTouch: SimTime.zero + .seconds(24), timeout: .seconds(10)), SimTime.zero + .seconds(36))
    }

    func testEphemeralZnodesVanishWithTheSessionAndWatchersAreTold() {
        let (m, _, script) = cluster(agents: 1, duration: .seconds(60))
        let zk = m.mesos!.zooKeeper
        final class W: ZooKeeperWatcher {
            var times: [SimTime] = []; unowned let sim: Simulation
            init(_ s: Simulation) { sim = s }
            func zooKeeper(_ zk: ZooKeeperEnsemble, childrenChanged path: String) { times.append(sim.now) }
        }
        let w = W(m.sim)
        let c = Client(m.sim)
        var sid = -1
        var node: ZNode?
        zk.watchChildren("/test", w)
        script.at(.seconds(10)) { sid = zk.openSession(c, host: 0, requestedTimeout: .seconds(4)) }
        script.at(.seconds(11)) { node = zk.createEphemeralSequential(session: sid, path: "/test", prefix: "n_", owner: 7) }
        script.at(.seconds(12)) { zk.closeSession(sid) }
        m.run()
        XCTAssertEqual(node?.name, "/test/n_0000000000")
        XCTAssertEqual(w.times, [SimTime.zero + .seconds(11) + .milliseconds(5), SimTime.zero + .seconds(12) + .milliseconds(5)])
        XCTAssertTrue(zk.children("/test").isEmpty)
    }

    func testLeaderIsTheHighestServerIdAndQuorumNeedsAMajority() {
        let (m, o, script) = cluster(agents: 1, duration: .seconds(60), zk: ZooKeeperSpec(servers: 3))
        let zk = m.mesos!.zooKeeper
        script.at(.seconds(10)) { zk.crashServer(2) }
        script.at(.seconds(20)) { zk.crashServer(1) }
        script.at(.seconds(30)) { zk.startServer(2) }
        m.run()
        let elected = events(o, "leaderElected")
        XCTAssertEqual(elected.map(\.time), [SimTime.zero + .milliseconds(2200), SimTime.zero + .milliseconds(12_200), SimTime.zero + .milliseconds(32_200)])
        XCTAssertTrue(elected[0].subject.hasPrefix("zk3@"))
        XCTAssertTrue(elected[1].subject.hasPrefix("zk2@"))
        XCTAssertTrue(elected[2].subject.hasPrefix("zk3@"))
        XCTAssertEqual(events(o, "quorumLost").map(\.time), [SimTime.zero + .seconds(20)])
    }
}
