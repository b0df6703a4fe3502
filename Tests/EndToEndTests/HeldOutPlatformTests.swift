import Foundation
import XCTest

/// docs/heldout-platform.md: the table's "simulated" column is what scripts/heldout-platform.sh gives
/// with the tool as built now, row by row, so the page cannot go stale silently.
final class HeldOutPlatformTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-platform.md", script: "scripts/heldout-platform.sh", minRows: 16)
    }
}
