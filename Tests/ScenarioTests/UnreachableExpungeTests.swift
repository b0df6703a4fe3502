import XCTest
@testable import ClusterModel
@testable import Scenario
import SimKernel

/// When Marathon expunges an unreachable instance (docs/marathon.md "Unreachable instances and
/// reconciliation"): the leader's expunge job (ExpungeOverdueLostTasksActor, 5 min after the leader
/// starts, then every 30 s) expunges an UnreachableInactive instance past `expungeAfterSeconds`;
/// from 1.7.236, 1.8.244 and 1.10 the update that changes it does too (mesosphere/marathon#7109).
/// Before, the model expunged at the TASK_UNREACHABLE update past the deadline, in every version.
final class UnreachableExpungeTests: XCTestCase {
    /// agent-loss (two agents crash at 20m) with a Marathon version: the first instance's
    /// unreachable, replacement and expunge times, and the leader's ready time.
    func times(_ version: String) throws -> (unreachable: Double, replaced: Double, expunged: Double, ready: Double) {
        let loaded = try ScenarioLoader.load(path: RangeCheckTests.root.appendingPathComponent("scenarios/agent-loss.json").path, overrides: ["marathon.version=\"\(version)\""])
        let o = MemoryObserver()
        XCTAssertTrue(ClusterSimulation(spec: loaded.spec, observer: o).run())
        let u = try XCTUnwrap(o.events.first { $0.event == "instanceUnreachable" }, version)
        func at(_ event: String) throws -> Double { try XCTUnwrap(o.events.first { $0.event == event && $0.subject == u.subject }, "\(version) \(event)").time.seconds }
        let ready = try XCTUnwrap(o.events.first { $0.event == "leaderReady" && $0.component == "marathon" }).time.seconds
        return (u.time.seconds, try at("replaceUnreachable"), try at("expungeUnreachable"), ready)
    }

    /// 1.4.0 (300 s / 600 s): inactive at the reconciliation after 300 s; expunged at the job's first
    /// tick after the 600 s deadline (1894.2 s), not at the next reconciliation (2419.2 s before).
    func testTheExpungeJobExpungesAtItsFirstTickPastTheDeadline() throws {
        let t = try times("1.4.0")
        XCTAssertEqual(t.unreachable, 1278.745, accuracy: 0.01)
        XCTAssertEqual(t.replaced, 1819.2, accuracy: 1e-6)
        XCTAssertEqual(t.expunged, 1894.2, accuracy: 1e-6)
        let sinceJobStart = t.expunged - (t.ready + 300)
        XCTAssertEqual(sinceJobStart.truncatingRemainder(dividingBy: 30), 0, accuracy: 1e-6)
        XCTAssertGreaterThanOrEqual(t.expunged, t.unreachable + 600)
        XCTAssertLessThan(t.expunged, t.unreachable + 600 + 30)
    }

    /// 0 s / 0 s (1.4.9+ defaults): replaced at the first TASK_UNREACHABLE in every version; 1.9.x
    /// expunges at the job's next tick, 1.10 and 1.8.244 at once (#7109).
    func testExpungeOnTheUpdateOnlyFromTheReleasesWithTheFix() throws {
        for v in ["1.9.109", "1.8.232", "1.6.322"] {
            let t = try times(v)
            XCTAssertEqual(t.replaced, t.unreachable, accuracy: 1e-9, v)
            XCTAssertGreaterThan(t.expunged, t.unreachable, v)
            XCTAssertLessThanOrEqual(t.expunged, t.unreachable + 30, v)
            XCTAssertEqual((t.expunged - (t.ready + 300)).truncatingRemainder(dividingBy: 30), 0, accuracy: 1e-6, v)
        }
        for v in ["1.10.5", "1.8.244"] {
            let t = try times(v)
            XCTAssertEqual(t.expunged, t.unreachable, accuracy: 1e-9, v)
        }
    }

    func testTheReleasesWithTheFix() {
        XCTAssertFalse(MarathonVersion(1, 7, 230).expungesUnreachableOnUpdate)
        XCTAssertTrue(MarathonVersion(1, 7, 236).expungesUnreachableOnUpdate)
        XCTAssertFalse(MarathonVersion(1, 8, 232).expungesUnreachableOnUpdate)
        XCTAssertTrue(MarathonVersion(1, 8, 244).expungesUnreachableOnUpdate)
        XCTAssertFalse(MarathonVersion(1, 9, 109).expungesUnreachableOnUpdate)
        XCTAssertTrue(MarathonVersion(1, 10, 0).expungesUnreachableOnUpdate)
        XCTAssertFalse(MarathonVersion(1, 4, 13).expungesUnreachableOnUpdate)
    }
}
