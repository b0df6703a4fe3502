import Foundation
import XCTest

/// docs/heldout-monitoring.md: the table's "simulated" column is what scripts/heldout-monitoring.sh
/// gives with the tool as built now, row by row (about a second with the debug build), so the page
/// cannot go stale silently; and every held-out monitoring scenario is one the script runs.
final class HeldOutMonitoringTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-monitoring.md", script: "scripts/heldout-monitoring.sh", minRows: 11)
        // every scenario among scenarios/heldout/mon-*.json (the files with hostGroups; the others are
        // their Prometheus configurations and rule files) is run by the script (none left without a row)
        // (run by `run NAME`, `repeat_s NAME)` or `firings NAME)`)
        try HeldOutPage.checkEveryScenarioIsRun(script: "scripts/heldout-monitoring.sh", prefix: "mon-", scenariosOnly: true, count: 11) {
            $0.contains(" \($1)\n") || $0.contains(" \($1))")
        }
    }
}
