import Foundation
import XCTest

/// The check shared by the held-out pages whose script prints `<row>\t<simulated>` (docs/heldout-platform.md,
/// heldout-discovery.md, heldout-monitoring.md): the page's results table (a header whose first cell is `row`,
/// a `simulated` column, each row's id in backticks) lists the script's rows in the script's order, and the
/// first number of each simulated cell ("3.1 s (10 crashes; ...)" -> "3.1") is what the tool gives now. So a
/// page cannot go stale silently.
enum HeldOutPage {
    static func check(page: String, script: String, minRows: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLI.runProgram("/bin/bash", [script, CLI.binary], environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        var fromTool: [(String, String)] = []
        for l in r.stdout.split(separator: "\n") {
            let f = l.split(separator: "\t").map(String.init)
            XCTAssertEqual(f.count, 2, "\(script): bad line: \(l)", file: file, line: line)
            if f.count == 2 { fromTool.append((f[0], f[1])) }
        }
        XCTAssertGreaterThanOrEqual(fromTool.count, minRows, script, file: file, line: line)

        let doc = try String(contentsOf: CLI.root.appendingPathComponent(page), encoding: .utf8)
        var header: [String]?
        var fromDoc: [(String, String)] = []
        for l in doc.split(separator: "\n", omittingEmptySubsequences: false) where l.hasPrefix("| ") {
            let cells = l.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "row" { header = cells; continue }
            guard let h = header, let sim = h.firstIndex(of: "simulated"), cells.count == h.count,
                  cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            let number = cells[sim].prefix { $0.isNumber || $0 == "." || $0 == "-" }
            fromDoc.append((String(cells[0].dropFirst().dropLast()), String(number)))
        }
        XCTAssertEqual(fromDoc.map(\.0), fromTool.map(\.0), "\(page): rows of the table and of \(script) differ", file: file, line: line)
        for ((id, docValue), (_, toolValue)) in zip(fromDoc, fromTool) {
            XCTAssertEqual(docValue, toolValue, "\(page) row \(id): the table says \(docValue), the tool gives \(toolValue)", file: file, line: line)
        }
    }

    /// The held-out scenarios whose file name starts with `prefix`, sorted (`scenariosOnly`: the files with
    /// `hostGroups`, not the configuration files beside them).
    static func scenarios(prefix: String, scenariosOnly: Bool = false) throws -> [String] {
        let folder = CLI.root.appendingPathComponent("scenarios/heldout")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
            .filter { f in
                !scenariosOnly || (try? String(contentsOf: folder.appendingPathComponent(f), encoding: .utf8))?.contains("\"hostGroups\"") == true
            }
    }

    /// Every held-out scenario with this prefix (`count` of them) is one the page's script runs:
    /// `isRun(script text, scenario name without .json)` says how the script names it.
    static func checkEveryScenarioIsRun(script: String, prefix: String, scenariosOnly: Bool = false, count: Int,
                                        isRun: (String, Substring) -> Bool = { $0.contains($1) },
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try text(script)
        let files = try scenarios(prefix: prefix, scenariosOnly: scenariosOnly)
        XCTAssertEqual(files.count, count, file: file, line: line)
        for f in files { XCTAssertTrue(isRun(text, f.dropLast(5)), "\(f) is not run by \(script)", file: file, line: line) }
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: CLI.root.appendingPathComponent(path), encoding: .utf8)
    }
}
