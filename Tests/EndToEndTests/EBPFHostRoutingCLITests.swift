import Foundation
import XCTest

/// `network.ebpfHostRouting` / `network.kubeProxyReplacement` through the real command: a bad value is
/// one error naming the JSON path, exit status 2, nothing written.
final class EBPFHostRoutingCLITests: XCTestCase {
    func testBadHostRoutingValueIsInvalidInput() throws {
        let parent = CLI.tempDir("ebpfkeys")
        for (set, path) in [("network.ebpfHostRouting=yes", "network.ebpfHostRouting"), ("network.kubeProxyReplacement=2", "network.kubeProxyReplacement")] {
            let r = try CLI.run(["run", "scenarios/network-modes-40g.json", "--set", set, "--out", parent + "/o"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(path): expected true or false"), r.stderr)
            XCTAssertEqual(r.stderr.components(separatedBy: "expected").count - 1, 1, "one error: \(r.stderr)")
            XCTAssertEqual(CLI.files(in: parent), [])
        }
    }
}
