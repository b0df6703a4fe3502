import XCTest
@testable import ClusterModel
import SimKernel

/// Incidents replayed to their end (session 48): what autoscale.rb does when the platform around it
/// fails. Expected decisions are worked by hand from mesosphere/marathon-lb-autoscale:autoscale.rb
/// (line numbers in docs/autoscale.md); the runs reuse AutoscaleTests' recorded HAProxy.
final class AutoscaleReplayTests: XCTestCase {
    typealias Run = AutoscaleTests.Run

    /// 100 rps until 1200 s, then 1000 rps (as AutoscaleTests' step).
    static func step(_ now: SimTime) -> [(String, Int)]? { [("web_10000", now.seconds < 1200 ? 100 : 1000)] }

    /// `--marathon http://master-02:8080` and master-02 down from 1100 s to 2500 s. Net::HTTP cannot
    /// connect there (autoscale.rb:277), so every iteration from 1140 to 2460 s is rescued at 188 after
    /// its sample was added (172): no PUT while the host is down, total_samples and the counter stay.
    /// At 2520 s the window holds ten samples of 1000 (avg 1000, target 10, current 1): counter 1,
    /// 2580: 2, 2640: 3 → PUT 10. Before, the model's Marathon answered whatever host the URL named
    /// and the PUT came at 1320 s, as if master-02 were up.
    func testMarathonURLHostDownFailsEveryIterationUntilItIsBack() {
        let crash = FaultSpec(at: .seconds(1100), kind: .hostCrash, target: .host("master-02"), recoverAfter: .seconds(1400))
        let r = Run(flags: AutoscaleTests.flags { $0.marathon = "http://master-02:8080" }, apps: [AutoscaleTests.web()],
                    duration: .seconds(3000), faults: [crash], rates: Self.step)
        r.run()
        let d = r.decisions("web_10000")
        let failedWhileDown = d.filter { $0.t >= 1100 && $0.t < 2500 }
        XCTAssertEqual(failedWhileDown.map(\.t), Array(stride(from: 1140, to: 2500, by: 60)))
        XCTAssertEqual(Set(failedWhileDown.map(\.d)), ["failed"])
        let why = r.rows.first { $0[0] == "1140" }?.last ?? ""
        XCTAssertTrue(why.contains("--marathon host") && why.contains("autoscale.rb:277"), why)
        XCTAssertEqual(r.puts.map { Int($0.time.seconds) }, [2640], "\(r.puts.map(\.time))")
        XCTAssertTrue(r.puts.first?.detail.hasPrefix("instances 10") == true, "\(r.puts.map(\.detail))")
        let byTime = Dictionary(uniqueKeysWithValues: d.map { ($0.t, $0) })
        XCTAssertEqual(byTime[2520]?.counter, 1)
        XCTAssertEqual(byTime[2580]?.d, "past_threshold")
        XCTAssertEqual(byTime[2640]?.d, "scale")
    }

    /// A host of the scenario that runs no Marathon (an agent) refuses the connection every interval:
    /// the autoscaler only samples and never scales.
    func testMarathonURLOnAHostWithoutMarathonNeverScales() {
        let r = Run(flags: AutoscaleTests.flags { $0.marathon = "http://slave-01:8080" }, apps: [AutoscaleTests.web()],
                    duration: .seconds(2400), rates: Self.step)
        r.run()
        XCTAssertEqual(Set(r.decisions("web_10000").map(\.d)), ["failed"])
        XCTAssertTrue(r.puts.isEmpty)
    }

    /// A Marathon that does not lead proxies GET and PUT to the leader (marathon v1.4.9
    /// LeaderProxyFilter.scala): the step scales at 1320 s and 2220 s as through the leader.
    func testMarathonURLOnANonLeaderIsProxied() {
        let r = Run(flags: AutoscaleTests.flags { $0.marathon = "http://master-03:8080" }, apps: [AutoscaleTests.web()],
                    duration: .seconds(2400), rates: Self.step)
        r.run()
        XCTAssertNotEqual(r.model.marathon!.leaderHost, 2, "master-03 must not lead for this test to show the proxy")
        XCTAssertEqual(r.puts.map { Int($0.time.seconds) }, [1320, 2220])
    }

    /// The leader's host crashes 5 s before the iteration that would PUT (1320 s). Until ZooKeeper
    /// expires its session the other Marathons still take it for the leader, and master-03's
    /// LeaderProxyFilter proxies the GET to a host that does not answer (v1.4.9: 503 or 504 after
    /// `leader_proxy_connection_timeout`): line 284 cannot parse the body, the iteration is rescued
    /// at 188. The new leader then takes the PUT, one interval later. Before, the model answered from
    /// the dead leader and PUT at 1320 s into a Marathon whose process was gone.
    func testADeadLeaderNotYetExpiredAnswersNothing() {
        let crash = FaultSpec(at: .seconds(1315), kind: .hostCrash, target: .host("master-01"))
        let r = Run(flags: AutoscaleTests.flags { $0.marathon = "http://master-03:8080" }, apps: [AutoscaleTests.web()],
                    duration: .seconds(1500), faults: [crash], rates: Self.step)
        r.run()
        XCTAssertEqual(r.model.marathon!.leaderChanges.first?.leader?.hasSuffix("@master-01"), true, "master-01 leads first")
        let d = Dictionary(uniqueKeysWithValues: r.decisions("web_10000").map { ($0.t, $0) })
        XCTAssertEqual(d[1320]?.d, "failed")
        XCTAssertEqual(r.puts.map { Int($0.time.seconds) }, [1380], "\(r.puts.map(\.time))")
        XCTAssertTrue(r.puts.first.map { $0.detail.hasPrefix("instances ") && $0.detail.contains(": deployment-") } == true, "\(r.puts.map(\.detail))")
    }

    /// /a/b (1 instance) and /a_b (4) share autoscale.rb:285's key `a_b`; the `--apps` check reads the
    /// first, /a/b, which the PUT id of `a_b_10000` names too. At 100 rps the target is 1 = /a/b's 1:
    /// `equal`, no PUT. Before, `current` read the last app, /a_b's 4, and the autoscaler PUT /a/b 1
    /// every 15 minutes for ever while `current` stayed 4.
    func testAppsSharingAKeyReadTheFirstAsTheCheckDoes() {
        let apps = [MarathonRuntimeTests.app("/a/b", instances: 1, cpus: 0.1, mem: 64), MarathonRuntimeTests.app("/a_b", instances: 4, cpus: 0.1, mem: 64)]
        let r = Run(flags: AutoscaleTests.flags { $0.apps = ["a_b_10000"] }, apps: apps, duration: .seconds(2400)) { _ in [("a_b_10000", 100)] }
        r.run()
        let decided = r.decisions("a_b_10000").filter { $0.d != "sampling" && $0.d != "failed" }
        XCTAssertFalse(decided.isEmpty)
        XCTAssertTrue(decided.allSatisfy { $0.d == "equal" && $0.current == 1 }, "\(decided)")
        XCTAssertTrue(r.puts.isEmpty, "\(r.puts.map(\.detail))")
    }
}
