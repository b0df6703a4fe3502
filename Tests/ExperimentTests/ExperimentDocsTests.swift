import Foundation
import Scenario
import XCTest

/// docs/experiments.md's key tables are what `make docs` writes from the declarations, one per section.
final class ExperimentDocsTests: XCTestCase {
    func testGeneratedKeyTablesAreUpToDate() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/experiments.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        XCTAssertTrue(try ScenarioReference.fill(text, file: "experiments.md") == text,
                      "docs/experiments.md differs from the declared keys: run `make docs`")
        XCTAssertEqual(ScenarioReference.regions(in: text), ExperimentSchema.sections.map(\.id))
    }
}
