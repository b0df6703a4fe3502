import Foundation
import XCTest

/// docs/heldout-ceph-harbor.md: the table's "simulated" column is what scripts/heldout-ceph-harbor.sh
/// gives with the tool as built now (five Ceph scenarios under scenarios/heldout/ceph-*.json, about a
/// second), row by row, so the page cannot go stale silently.
final class HeldOutCephHarborTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-ceph-harbor.md", script: "scripts/heldout-ceph-harbor.sh", minRows: 8)
    }

    /// Every held-out Ceph or Harbor scenario the page's script runs is one the page names.
    func testEveryScenarioIsOnThePage() throws {
        let page = try HeldOutPage.text("docs/heldout-ceph-harbor.md")
        let files = try HeldOutPage.scenarios(prefix: "ceph-") + HeldOutPage.scenarios(prefix: "harbor-")
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for f in files {
            XCTAssertTrue(page.contains("scenarios/heldout/\(f)"), "docs/heldout-ceph-harbor.md does not name scenarios/heldout/\(f)")
        }
    }
}
