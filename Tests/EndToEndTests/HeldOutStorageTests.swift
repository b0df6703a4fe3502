import Foundation
import XCTest

/// docs/heldout-storage.md prints the simulated column of its held-out storage checks and the
/// output of scripts/heldout-storage.sh that produced it. This runs the script with the built
/// clustersim (about a second) and checks that both still say what the tool gives now.
final class HeldOutStorageTests: XCTestCase {
    func testTheDocPrintsWhatTheScenariosGiveNow() throws {
        let doc = try String(contentsOf: CLI.root.appendingPathComponent("docs/heldout-storage.md"), encoding: .utf8)
        let r = try CLI.runProgram("/bin/bash", ["scripts/heldout-storage.sh", CLI.binary],
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, r.stderr)
        let output = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(output.count, 11, r.stdout)

        // the fenced block between the markers is the script's output, line for line
        let begin = try XCTUnwrap(doc.range(of: "<!-- BEGIN heldout-storage.sh output -->"))
        let end = try XCTUnwrap(doc.range(of: "<!-- END heldout-storage.sh output -->"))
        let block = doc[begin.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("```") && !$0.isEmpty }
        XCTAssertEqual(block, output, "docs/heldout-storage.md: the printed output of scripts/heldout-storage.sh is stale")

        // every results row names a figure id in its first cell; its "simulated" cell starts with
        // the value the script prints for that id
        var value: [String: String] = [:]
        for line in output {
            let f = line.split(separator: " ")
            if f.count == 3 { value[String(f[0])] = String(f[1]) }
        }
        var rows = 0
        var header: [String] = []
        for line in doc.split(separator: "\n").map(String.init) where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "id" { header = cells; continue }
            guard let first = cells.first, first.hasPrefix("`"), let simCol = header.firstIndex(of: "simulated"),
                  cells.count == header.count else { continue }
            let id = String(first.dropFirst().prefix { $0 != "`" })
            let v = try XCTUnwrap(value[id], "docs/heldout-storage.md: row \(id) is not printed by scripts/heldout-storage.sh")
            XCTAssertTrue(cells[simCol].hasPrefix(v), "docs/heldout-storage.md: row \(id) says \(cells[simCol]), the scenarios give \(v)")
            rows += 1
        }
        XCTAssertEqual(rows, 10, "results rows checked")
    }
}
