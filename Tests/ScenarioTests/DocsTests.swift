import Foundation
@testable import Scenario
import XCTest

/// docs/scenarios.md lists exactly the keys the decoder knows, section by section.
final class DocsTests: XCTestCase {
    static let docsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/scenarios.md").path

    /// Keys in the table under the heading `### <title>`.
    func documentedKeys(_ title: String) throws -> [String] {
        let text = try String(contentsOfFile: Self.docsPath, encoding: .utf8)
        var keys: [String] = []
        var inSection = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("### ") { inSection = line == "### \(title)"; continue }
            if line.hasPrefix("## ") { inSection = false }
            if inSection, line.hasPrefix("| `") {
                let rest = line.dropFirst(3)
                keys.append(String(rest[..<rest.firstIndex(of: "`")!]))
            }
        }
        return keys.sorted()
    }

    /// Keys the decoder asks about at `path`, read back from its unknown-key message.
    func decoderKeys(_ path: String, scenario: String = minimalScenario) -> [String] {
        let key = "zzzzzzzzzzzzzzzz"
        let errs = loadErrors(scenario, overrides: [path.isEmpty ? "\(key)=1" : "\(path).\(key)=1"])
        guard let e = errs.first(where: { $0.message.hasPrefix("unknown key \"\(key)\"") }),
              let r = e.message.range(of: "allowed keys here: ") else {
            XCTFail("no unknown-key error: \(errs)"); return []
        }
        return e.message[r.upperBound...].components(separatedBy: ", ").sorted()
    }

    func testEveryKeyIsDocumentedAndEveryDocumentedKeyExists() throws {
        XCTAssertEqual(try documentedKeys("Top level"), decoderKeys(""))
        XCTAssertEqual(try documentedKeys("`hostGroups[i]`"), decoderKeys("hostGroups[0]"))
        let withAll = #"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}], "hostGroups": [{"name": "a", "count": 2, "cpus": 1, "memory": 1, "disk": 1}], "faults": [{"at": 0, "kind": "hostCrash", "host": "a-01"}]}"#
        XCTAssertEqual(try documentedKeys("`datacenters[i]`"), decoderKeys("datacenters[0]", scenario: withAll))
        XCTAssertEqual(try documentedKeys("`faults[i]`"), decoderKeys("faults[0]", scenario: withAll))
    }
}
