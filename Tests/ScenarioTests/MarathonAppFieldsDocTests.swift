import Foundation
@testable import Scenario
import XCTest

/// docs/marathon.md's "Modelled fields" table of Marathon app fields is hand-written (it follows
/// Marathon's schema); it must agree with the fields the app decoder reads.
final class MarathonAppFieldsDocTests: XCTestCase {
    /// Top-level field names in backticks in `text` (`container.type` gives `container`; a
    /// continuation like `.network` after `container.docker.image /` names none).
    static func fields(_ text: Substring) -> Set<String> {
        var out: Set<String> = []
        for (i, part) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() where i % 2 == 1 && !part.hasPrefix(".") {
            let name = part.split(separator: ".").first.map(String.init) ?? ""
            if !name.isEmpty, name.allSatisfy({ $0.isLetter }) { out.insert(name) }
        }
        return out
    }

    func testModelledFieldsTableAgreesWithTheDecoder() throws {
        let path = DocsTests.docsFolder.appendingPathComponent("marathon.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = try XCTUnwrap(text.range(of: "### Modelled fields"))
        let rest = text[section.upperBound...]
        let end = rest.range(of: "\n### ")?.lowerBound ?? rest.endIndex
        var table: Set<String> = [], accepted: Set<String> = []
        var inAccepted = false
        for line in rest[..<end].split(separator: "\n") {
            if line.hasPrefix("| `") { table.formUnion(Self.fields(line.split(separator: "|")[0])) }
            if line.hasPrefix("Accepted, not modelled") { inAccepted = true }
            // app fields only: the paragraph ends with the group fields ("For groups: ...")
            if inAccepted { accepted.formUnion(Self.fields(line.range(of: "For groups").map { line[..<$0.lowerBound] } ?? line)) }
        }
        let decoded = Set(MarathonAppKeys.modelled)
        XCTAssertFalse(table.isEmpty)
        XCTAssertEqual(table.subtracting(decoded), [], "fields in the table that the app decoder does not read")
        XCTAssertEqual(decoded.subtracting(table).subtracting(accepted), [], "fields the app decoder reads that docs/marathon.md does not name")
    }
}
