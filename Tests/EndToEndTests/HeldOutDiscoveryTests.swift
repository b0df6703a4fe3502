import Foundation
import XCTest

/// docs/heldout-discovery.md: the table's "simulated" column is what scripts/heldout-discovery.sh
/// gives with the tool as built now, row by row (about 15 s with the debug build), so the page cannot
/// go stale silently; and every held-out discovery scenario is one the script runs.
final class HeldOutDiscoveryTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-discovery.md", script: "scripts/heldout-discovery.sh", minRows: 8)
        // every scenarios/heldout/disc-*.json is run by the script (none left without a row)
        let script = try HeldOutPage.text("scripts/heldout-discovery.sh")
        let files = try HeldOutPage.scenarios(prefix: "disc-")
        XCTAssertEqual(files.count, 8)
        for f in files { XCTAssertTrue(script.contains(String(f.dropLast(5))), "\(f) is not run by scripts/heldout-discovery.sh") }
    }
}
