import Scenario
import XCTest

final class ExperimentScaffoldTests: XCTestCase {
    func testRequirementComparisons() {
        let r = ExperimentRequirement(figure: "latency_p99_ms", comparison: .lt, value: 200)
        XCTAssertTrue(r.holds(199.9))
        XCTAssertFalse(r.holds(200))
        XCTAssertTrue(ExperimentRequirement(figure: "x", comparison: .eq, value: 0).holds(0))
        XCTAssertFalse(ExperimentRequirement(figure: "x", comparison: .ge, value: 1).holds(0.5))
    }
}
