import Foundation
import XCTest

/// docs/heldout-monitoring.md: the table's "simulated" column is what scripts/heldout-monitoring.sh
/// gives with the tool as built now, row by row (about a second with the debug build), so the page
/// cannot go stale silently; and every held-out monitoring scenario is one the script runs.
final class HeldOutMonitoringTests: XCTestCase {
    func testDocTableSimulatedColumnMatchesTheTool() throws {
        let r = try CLI.runProgram("/bin/bash", ["scripts/heldout-monitoring.sh", CLI.binary],
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, r.stderr)
        var fromTool: [(String, String)] = []
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            XCTAssertEqual(f.count, 2, "bad line: \(line)")
            if f.count == 2 { fromTool.append((f[0], f[1])) }
        }
        XCTAssertGreaterThanOrEqual(fromTool.count, 11)

        let doc = try String(contentsOf: CLI.root.appendingPathComponent("docs/heldout-monitoring.md"), encoding: .utf8)
        var header: [String]?
        var fromDoc: [(String, String)] = []
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "row" { header = cells; continue }
            guard let h = header, let sim = h.firstIndex(of: "simulated"), cells.count == h.count,
                  cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            let id = String(cells[0].dropFirst().dropLast())
            // the first number of the cell ("75.9 s (8 services; ...)" -> "75.9")
            let number = cells[sim].prefix { $0.isNumber || $0 == "." || $0 == "-" }
            fromDoc.append((id, String(number)))
        }
        XCTAssertEqual(fromDoc.map(\.0), fromTool.map(\.0), "rows of the doc's table and of the script differ")
        for ((id, docValue), (_, toolValue)) in zip(fromDoc, fromTool) {
            XCTAssertEqual(docValue, toolValue, "docs/heldout-monitoring.md row \(id): the table says \(docValue), the tool gives \(toolValue)")
        }

        // every scenario among scenarios/heldout/mon-*.json (the files with hostGroups; the others are
        // their Prometheus configurations and rule files) is run by the script (none left without a row)
        let script = try String(contentsOf: CLI.root.appendingPathComponent("scripts/heldout-monitoring.sh"), encoding: .utf8)
        let folder = CLI.root.appendingPathComponent("scenarios/heldout")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("mon-") && $0.hasSuffix(".json") }.sorted()
            .filter { (try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))?.contains("\"hostGroups\"") == true }
        XCTAssertEqual(files.count, 11)
        for f in files {
            let name = f.dropLast(5)   // run by `run NAME`, `repeat_s NAME)` or `firings NAME)`
            XCTAssertTrue(script.contains(" \(name)\n") || script.contains(" \(name))"), "\(f) is not run by scripts/heldout-monitoring.sh")
        }
    }
}
