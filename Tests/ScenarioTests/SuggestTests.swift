import XCTest
@testable import Scenario

/// "Did you mean" stays right and stays cheap: the banded distance agrees with the full one, a
/// scenario's suggestions have a budget, and long lists and cycles are cut in messages.
final class SuggestTests: XCTestCase {
    /// Words from a small alphabet (many near misses), drawn by a fixed linear congruential
    /// generator: the same cases on every run.
    func testBandedDistanceAgreesWithTheFullOneWithinItsLimit() {
        var x: UInt64 = 12345
        func next() -> Int { x = x &* 6364136223846793005 &+ 1442695040888963407; return Int(x >> 33) }
        let alphabet = Array("abcAB-").map { $0 }
        func word() -> String { String((0..<(next() % 9)).map { _ in alphabet[next() % alphabet.count] }) }
        var checked = 0
        for _ in 0..<20_000 {
            let a = word(), b = word()
            let full = Suggest.distance(a, b)
            for limit in 1...3 {
                let banded = Suggest.boundedDistance(Array(a.lowercased().unicodeScalars), Array(b.lowercased().unicodeScalars), limit: limit)
                XCTAssertEqual(banded, full <= limit ? full : nil, "\(a) / \(b) limit \(limit)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 60_000)
    }

    func testSuggestionsStopWhenTheScenarioBudgetIsSpent() {
        let candidates = (0..<1000).map { "app-\($0)" }
        // unbounded (no scenario being read): found
        XCTAssertEqual(Suggest.closest("app-99x", among: candidates), "app-99")
        Suggest.$budget.withValue(Suggest.Budget(cells: 100_000)) {
            // each comparison of a 7-letter word costs 8 × 5 cells: the first lookups find it ...
            XCTAssertEqual(Suggest.closest("app-99x", among: candidates), "app-99")
            var found = 1
            for _ in 0..<10 where Suggest.closest("app-99x", among: candidates) != nil { found += 1 }
            // ... until the budget is spent; then no suggestion, and no comparison
            XCTAssertLessThan(found, 4)
            XCTAssertNil(Suggest.closest("app-99x", among: candidates))
        }
        // the budget was the scenario's only
        XCTAssertEqual(Suggest.closest("app-99x", among: candidates), "app-99")
    }

    func testLongListsAndCyclesAreCutInMessages() {
        XCTAssertEqual(Suggest.listed(["a", "b"]), #""a", "b""#)
        let many = (0..<100).map { "g\($0)" }
        XCTAssertEqual(Suggest.listed(many), #""g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10", "g11", ... (100 in all)"#)
        XCTAssertEqual(Suggest.cycle(["a", "b", "c"]), "a -> b -> c -> a")
        XCTAssertEqual(Suggest.cycle(many), "g0 -> g1 -> g2 -> g3 -> g4 -> (90 more) -> g95 -> g96 -> g97 -> g98 -> g99 -> g0")
    }
}
