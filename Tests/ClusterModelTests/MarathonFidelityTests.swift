import XCTest
@testable import ClusterModel
import SimKernel

/// Issue 18: Marathon and Mesos as the upstream code has them (accept filters, revives, launch
/// tokens, reconciliation-driven unreachable handling, Mesos-level health checks, kills).
final class MarathonFidelityTests: XCTestCase {
    typealias Run = MarathonRuntimeTests.Run

    /// Item 3: Marathon accepts with refuse_seconds 0, so an agent with room left is offered again
    /// at the next allocation (1 s), not after a 5 s filter: 30 instances on 2 agents of 16 slots
    /// go out 10 per allocation (5 per offer, max_instances_per_offer), not in 5-second batches.
    func testAcceptingAnOfferLeavesNoFilterSoTwoAgentsAreNotBatched() {
        let r = Run(apps: [MarathonRuntimeTests.app("/web", instances: 30)], agents: 2, duration: .minutes(5))
        r.run()
        let a = r.app("/web")
        XCTAssertEqual(a.instances.count, 30)
        var byHost: [Int: [SimTime]] = [:]
        for i in a.instances { byHost[i.host, default: []].append(i.launchedAt) }
        XCTAssertEqual(byHost.count, 2)
        for h in byHost.keys.sorted() {
            var distinct: [SimTime] = []
            for t in byHost[h]!.sorted() where distinct.last != t { distinct.append(t) }
            // 5 per offer, one offer per allocation_interval (1 s) while the agent has room
            for k in 1..<distinct.count { XCTAssertLessThanOrEqual(distinct[k] - distinct[k - 1], .seconds(1), "\(distinct)") }
        }
        let times = a.instances.map(\.launchedAt)
        XCTAssertLessThanOrEqual(times.max()! - times.min()!, .seconds(3))
    }
}
