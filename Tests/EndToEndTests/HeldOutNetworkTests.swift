import Foundation
import XCTest

/// docs/heldout-network.md: the table's "simulated" column is what scripts/heldout-network.sh gives
/// with the tool as built now, row by row (about a second with the debug build), so the page cannot
/// go stale silently; every held-out network scenario is one the script runs; and the counts the page
/// states (figures within 10 %, rankings kept) are those of its own table.
final class HeldOutNetworkTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        try HeldOutPage.check(page: "docs/heldout-network.md", script: "scripts/heldout-network.sh", minRows: 61)
        // every scenarios/heldout/net-*.json is run by the script (`S=NAME` then `run $S`)
        try HeldOutPage.checkEveryScenarioIsRun(script: "scripts/heldout-network.sh", prefix: "net-", count: 7) { $0.contains("S=\($1)\n") }
    }

    /// The page's "12 of 61 … within 10 %" is recounted from its table's measured and simulated cells.
    func testTheStatedCountOfFiguresWithinTenPercentIsTheTables() throws {
        let doc = try HeldOutPage.text("docs/heldout-network.md")
        var header: [String]?
        var total = 0, within = 0
        for l in doc.split(separator: "\n") where l.hasPrefix("| ") {
            let cells = l.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "row" { header = cells; continue }
            guard let h = header, cells.count == h.count, cells[0].hasPrefix("`"),
                  let mi = h.firstIndex(of: "measured"), let si = h.firstIndex(of: "simulated"), let ei = h.firstIndex(of: "error") else { continue }
            let number = { (s: String) in Double(s.prefix { $0.isNumber || $0 == "." || $0 == "-" }) }
            let m = try XCTUnwrap(number(cells[mi]), cells[0]), s = try XCTUnwrap(number(cells[si]), cells[0])
            let e = (s - m) / abs(m)
            // the error cell says the same, to a tenth of a percent
            XCTAssertEqual(cells[ei], String(format: "%+.1f %%", e * 100), cells[0])
            total += 1
            if abs(e) <= 0.10 { within += 1 }
        }
        XCTAssertEqual(total, 61)
        XCTAssertTrue(doc.contains("**\(within) of \(total) comparable figures within 10 %"), "the page's count differs from its table's: \(within) of \(total)")
    }
}
