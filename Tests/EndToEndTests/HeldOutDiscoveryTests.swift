import Foundation
import XCTest

/// docs/heldout-discovery.md: the table's "simulated" column is what scripts/heldout-discovery.sh
/// gives with the tool as built now, row by row (about 15 s with the debug build), so the page cannot
/// go stale silently; and every held-out discovery scenario is one the script runs.
final class HeldOutDiscoveryTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-discovery.md", script: "scripts/heldout-discovery.sh", minRows: 8)
        // every scenarios/heldout/disc-*.json is run by the script (none left without a row)
        try HeldOutPage.checkEveryScenarioIsRun(script: "scripts/heldout-discovery.sh", prefix: "disc-", count: 8)
    }
}
