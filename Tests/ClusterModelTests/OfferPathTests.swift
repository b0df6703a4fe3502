import XCTest
@testable import ClusterModel
import SimKernel

/// The offer path's flat tables (issue 14): offers kept on their agents and found by id, decline
/// filters in a slot per agent, Marathon's instances in a slot per task id. Behaviour must be the
/// one of the hashed tables they replace; these check the bookkeeping a user sees (mesos.csv's
/// outstanding offers and filters, stale ids ignored).
final class OfferPathTests: XCTestCase, MesosTestHelpers {

    func testOfferIDsFindTheirAgentAndStaleOrForeignIDsAreIgnored() {
        let (m, _, script) = cluster(agents: 3, duration: .seconds(30))
        var f: TestFramework!, g: TestFramework!
        var checked = false
        script.at(.zero) { f = self.addFramework(m, "f"); f.hold = true }
        script.at(.seconds(20)) {
            let mesos = m.mesos!
            XCTAssertEqual(f.offers.count, 3)
            XCTAssertEqual(mesos.metrics().outstandingOffers, 3)
            let ids = f.offers.map(\.offer.id)
            XCTAssertEqual(Set(ids).count, 3)
            for (_, o) in f.offers {
                // the record is on the offer's agent
                XCTAssertEqual(mesos.offerRecord(o.id).map { mesos.agents[$0.record.agent].host.index }, o.agent)
            }
            // a second framework cannot use f's offer; forged ids are nothing
            g = self.addFramework(m, "g")
            g.driver.decline(offer: ids[0], refuseSeconds: 5)
            for bogus: Int64 in [0, -1, 7, Int64.max, ids[2] + 1, (ids[2] >> 22 + 100) << 22 | 1] {
                f.driver.decline(offer: bogus, refuseSeconds: 5)
                XCTAssertNil(f.driver.launch(offer: bogus, tasks: [self.task("x")], refuseSeconds: 0))
            }
            XCTAssertEqual(mesos.metrics().outstandingOffers, 3)
            XCTAssertEqual(mesos.metrics().offersDeclined, 0)
            // declined once only; a launch on a declined offer is refused
            f.driver.decline(offer: ids[0], refuseSeconds: 5)
            f.driver.decline(offer: ids[0], refuseSeconds: 5)
            XCTAssertNil(f.driver.launch(offer: ids[0], tasks: [self.task("x")], refuseSeconds: 0))
            XCTAssertEqual(mesos.metrics().outstandingOffers, 2)
            XCTAssertEqual(mesos.metrics().offersDeclined, 1)
            XCTAssertEqual(mesos.metrics().filtersActive, 1)
            XCTAssertNotNil(f.driver.launch(offer: ids[1], tasks: [self.task("t")], refuseSeconds: 0))
            XCTAssertEqual(mesos.metrics().outstandingOffers, 1)
            XCTAssertNil(mesos.offerRecord(ids[1]))
            XCTAssertNotNil(mesos.offerRecord(ids[2]))
            checked = true
        }
        m.run()
        XCTAssertTrue(checked)
    }

    func testDeclinedPortsComeBackWholeAndReviveClearsEveryFilter() {
        let (m, _, script) = cluster(agents: 4, duration: .seconds(40))
        var f: TestFramework!
        script.at(.zero) { f = self.addFramework(m, "f"); f.refuseSeconds = 3600 }
        script.at(.seconds(20)) {
            let mesos = m.mesos!
            XCTAssertEqual(mesos.metrics().filtersActive, 4)
            // every agent's ports are free again, as detected ([31000-32000])
            for a in mesos.agents { XCTAssertEqual(a.freePorts, a.total.ports) }
            f.driver.reviveOffers()
            XCTAssertEqual(mesos.metrics().filtersActive, 0)
        }
        m.run()
        // 4 offers at the start, 4 again right after the revive (then filtered for an hour)
        XCTAssertEqual(f.offers.count, 8)
        XCTAssertTrue(f.offers.suffix(4).allSatisfy { $0.time == SimTime.zero + .seconds(20) })
        XCTAssertEqual(m.mesos!.metrics().filtersActive, 4)
    }

    func testAgentFiltersCountAndClear() {
        var t = AgentFilters()
        let flt = OfferFilter(refused: .empty, expires: SimTime.zero + .seconds(5), gen: 1)
        XCTAssertNil(t[7])
        t[7] = nil                 // clearing an unknown slot is nothing
        XCTAssertEqual(t.count, 0)
        t[7] = flt; t[2] = flt; t[7] = flt
        XCTAssertEqual(t.count, 2)
        XCTAssertTrue(t.isSet(7)); XCTAssertTrue(t.isSet(2)); XCTAssertFalse(t.isSet(3)); XCTAssertFalse(t.isSet(-1))
        XCTAssertEqual(t[7]?.gen, 1)
        XCTAssertNil(t[3])
        t[2] = nil
        XCTAssertEqual(t.count, 1)
        t.removeAll()
        XCTAssertEqual(t.count, 0)
        XCTAssertNil(t[7]); XCTAssertFalse(t.isSet(7))
        // after a revive's removeAll, the slots of the earlier filters stay empty while new ones count
        t[2] = flt
        XCTAssertEqual(t.count, 1)
        XCTAssertNil(t[7])
        t[7] = nil                 // an old slot cleared again does not count down
        XCTAssertEqual(t.count, 1)
        t[7] = flt
        XCTAssertEqual(t.count, 2)
        t.removeAll(); t.removeAll()
        XCTAssertEqual(t.count, 0)
        XCTAssertNil(t[2]); XCTAssertNil(t[7])
    }

    func testInstanceTableByTaskID() {
        var t = InstanceTable()
        func inst(_ id: TaskID) -> MarathonInstance {
            MarathonInstance(task: id, name: "a.\(id)", app: 0, version: 1, host: 0, launchedAt: .zero, checks: 0, hasReadiness: false,
                             changes: ChangeCount(app: 0))
        }
        for id in [9, 3, 12, 0] { t[id] = inst(id) }
        XCTAssertEqual(t.count, 4)
        XCTAssertEqual(t.indices, [0, 3, 9, 12])
        XCTAssertEqual(t[9]?.task, 9)
        XCTAssertNil(t[4]); XCTAssertNil(t[-1]); XCTAssertNil(t[1000])
        t[3] = nil; t[3] = nil; t[-1] = nil; t[500] = nil
        XCTAssertEqual(t.count, 3)
        XCTAssertEqual(t.indices, [0, 9, 12])
    }
}
