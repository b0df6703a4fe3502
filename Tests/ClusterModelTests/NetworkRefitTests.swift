@testable import ClusterModel
import XCTest

/// The bare-metal base costs refitted (docs/network.md, "Calibration"): the fit takes no step out of
/// what issue 15 states without a reference row, one TCP flow on a 40 Gbit jumbo-frame link bound by
/// one core (`NetworkCalibration.withinBounds`, `NetworkMechanismTests.testSingleFlowIsCPUBoundAt40Gbit`).
final class NetworkRefitTests: XCTestCase {
    static let line = 40e9 * 8948 / (9000 + 38)

    func hostAt40G(_ t: EnvironmentParameters) -> Double {
        NetworkPrediction.figures(env: t, mode: .host, mtu: 9000, nicGbit: 40, cores: 16, messageSize: 131072).bytesPerSecond * 8
    }

    /// A measurement at the line itself pulls the base costs down; the fit stops at the bound, and
    /// moves them freely in an environment the bound does not speak of.
    func testFitStaysWithinTheSingleFlowBound() {
        let row = NetworkMeasurement(source: "X", environment: .bareMetal, nicGbit: 40, cores: 16, mode: .host,
                                     messageSize: 131072, mtu: 9000, throughputMbit: Self.line / 1e6, line: 1)
        XCTAssertLessThan(hostAt40G(.bareMetal), 0.9 * Self.line)
        let f = NetworkCalibration.fit([row], environment: .bareMetal, start: .bareMetal, free: NetworkCalibration.baseCosts)
        XCTAssertTrue(NetworkCalibration.withinBounds(f.table, environment: .bareMetal))
        XCTAssertLessThan(hostAt40G(f.table), 0.9 * Self.line)
        XCTAssertGreaterThan(hostAt40G(f.table), 0.85 * Self.line, "the fit goes up to the bound")
        var fast = EnvironmentParameters.bareMetal
        fast.nsPerByte = 0.05
        XCTAssertFalse(NetworkCalibration.withinBounds(fast, environment: .bareMetal))
        XCTAssertTrue(NetworkCalibration.withinBounds(fast, environment: .cloudVM))
    }
}
