import Foundation
import XCTest

/// docs/heldout-discovery.md: the table's "simulated" column is what scripts/heldout-discovery.sh
/// gives with the tool as built now, row by row (about 15 s with the debug build), so the page cannot
/// go stale silently; and every held-out discovery scenario is one the script runs.
final class HeldOutDiscoveryTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        let r = try CLI.runProgram("/bin/bash", ["scripts/heldout-discovery.sh", CLI.binary],
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, r.stderr)
        var fromTool: [(String, String)] = []
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            XCTAssertEqual(f.count, 2, "bad line: \(line)")
            if f.count == 2 { fromTool.append((f[0], f[1])) }
        }
        XCTAssertGreaterThanOrEqual(fromTool.count, 8)

        let doc = try String(contentsOf: CLI.root.appendingPathComponent("docs/heldout-discovery.md"), encoding: .utf8)
        var header: [String]?
        var fromDoc: [(String, String)] = []
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "row" { header = cells; continue }
            guard let h = header, let sim = h.firstIndex(of: "simulated"), cells.count == h.count,
                  cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            let id = String(cells[0].dropFirst().dropLast())
            // the first number of the cell ("3.1 s (10 crashes; ...)" -> "3.1")
            let number = cells[sim].prefix { $0.isNumber || $0 == "." || $0 == "-" }
            fromDoc.append((id, String(number)))
        }
        XCTAssertEqual(fromDoc.map(\.0), fromTool.map(\.0), "rows of the doc's table and of the script differ")
        for ((id, docValue), (_, toolValue)) in zip(fromDoc, fromTool) {
            XCTAssertEqual(docValue, toolValue, "docs/heldout-discovery.md row \(id): the table says \(docValue), the tool gives \(toolValue)")
        }

        // every scenarios/heldout/disc-*.json is run by the script (none left without a row)
        let script = try String(contentsOf: CLI.root.appendingPathComponent("scripts/heldout-discovery.sh"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("scenarios/heldout").path)
            .filter { $0.hasPrefix("disc-") && $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files.count, 8)
        for f in files { XCTAssertTrue(script.contains(String(f.dropLast(5))), "\(f) is not run by scripts/heldout-discovery.sh") }
    }
}
