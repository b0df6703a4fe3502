import XCTest
@testable import ClusterModel
import SimKernel

extension ConsulTests {
    /// Issue 14: consul.csv's counts of catalog entries by status are kept per service and counted
    /// again only when the service's health index moved (`ConsulCluster.statusCounts`). After every
    /// event of a run with registrations and deregistrations (crashing tasks), checks going critical
    /// (hanging processes, a TTL), critical services reaped and a dead host's serfHealth, the kept
    /// counts equal a fresh count of the catalog. A change that moved no index would leave a stale
    /// count that the next comparison finds. `hasInstances` (consul-template's `services`) answers
    /// as the health endpoint's answer is empty or not, from hosts up and down.
    func testStatusCountsFollowTheCatalog() {
        let http = ConsulCheckDefinition(kind: .http, name: "http", interval: .seconds(10), deregisterCriticalServiceAfter: .minutes(3))
        let ttl = ConsulCheckDefinition(kind: .ttl, name: "ttl", ttl: .seconds(45))
        let (m, o, c) = platform(agents: 4, instances: 12, checks: [http, ttl],
                                 behaviour: .hangsAfter(.exponential(mean: 900), responseTime: .constant(0.01)),
                                 duration: .hours(1), faults: [FaultSpec(at: .minutes(20), kind: .hostCrash, target: .host("slave-02"),
                                                                         recoverAfter: .minutes(10))],
                                 crash: .exponential(mean: 1200))
        var seen: [String] = []
        var compared = 0, listedChanges = 0, unanswered = 0
        var lastListed: Bool? = nil
        let hosts = ["slave-01", "slave-02", "consul-01"].map { m.infrastructure.host(named: $0)!.index }
        m.run {
            // consul-template's `services` asks whether each service lists an instance
            for h in hosts {
                let quick = c.hasInstances(service: 0, from: h), full = c.health(service: 0, filter: .any, from: h).map { !$0.isEmpty }
                if quick != full { XCTFail("at \(m.sim.now) from host \(h): \(String(describing: quick)) vs \(String(describing: full))"); return true }
                if quick == nil { unanswered += 1 }
            }
            let listed = c.hasInstances(service: 0, from: hosts[0])
            if listed != lastListed { listedChanges += 1; lastListed = listed }
            let kept = c.statusCounts(service: 0), fresh = c.countStatuses(service: 0)
            let k = "\(kept)"
            if k != "\(fresh)" { XCTFail("at \(m.sim.now): kept \(kept), counted \(fresh)"); return true }
            if seen.last != k { seen.append(k) }
            compared += 1
            return false
        }
        XCTAssertGreaterThan(compared, 1000)
        XCTAssertGreaterThan(unanswered, 0, "a down host gets no answer")
        // unanswered before the first election, then listed: the registrations of the tasks that
        // start before it are held by the servers (rpc_hold_timeout) and committed at the election
        XCTAssertGreaterThanOrEqual(listedChanges, 1, "answered and listed")
        XCTAssertGreaterThan(seen.count, 30, "the counts changed often: \(seen.count)")
        XCTAssertTrue(seen.contains { !$0.contains("critical: 0") }, "critical entries")
        XCTAssertFalse(events(o, "consulMemberFailed").isEmpty)
        XCTAssertFalse(events(o, "consulCheckReaped").isEmpty)
    }
}
