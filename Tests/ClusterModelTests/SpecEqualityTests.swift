import XCTest
@testable import ClusterModel
import SimKernel

/// Specs compare every field (synthesized Equatable): a scenario that changes only a stop time, a
/// Ceph mount or one Mesos flag is a different scenario.
final class SpecEqualityTests: XCTestCase {
    func testAppBehaviourComparesStopTimeAndCephMount() {
        let base = AppBehaviour()
        var stop = base
        stop.task.stopTime = .constant(3)
        XCTAssertNotEqual(base, stop)
        var ceph = base
        ceph.storage.cephMount = CephMountSpec(volume: "/db", pgs: 8)
        XCTAssertNotEqual(base, ceph)
        XCTAssertEqual(base, AppBehaviour())
    }

    func testMesosFlagsCompareEveryFlag() {
        var a = MesosMasterFlags(), b = MesosMasterFlags()
        XCTAssertEqual(a, b)
        b.maxCompletedFrameworks += 1
        XCTAssertNotEqual(a, b)
        a.maxCompletedFrameworks += 1
        a.agentRemovalRateLimit = (1, .minutes(20))
        XCTAssertNotEqual(a, b)
    }
}
