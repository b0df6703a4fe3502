import Foundation
import XCTest

/// marathon-lb's `--marathon` and `--max-backoff` (now modelled) through the real command: a bad
/// value is one error naming the JSON path, exit status 2, nothing written.
final class MarathonLBEventStreamCLITests: XCTestCase {
    func testBadMarathonURLAndMaxBackoffAreInvalidInput() throws {
        let parent = CLI.tempDir("mlbstream")
        for (set, path, text) in [(#"marathonLB.flags={"--max-backoff": -1}"#, "marathonLB.flags.--max-backoff", "0..86400"),
                                  (#"marathonLB.flags={"--marathon": ["http://master-01:8080", "master-02:8080"]}"#, "marathonLB.flags.--marathon[1]", "MissingSchema")] {
            let r = try CLI.run(["run", "scenarios/marathon-lb-releases.json", "--set", set, "--out", parent + "/o"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("\(path): "), r.stderr)
            XCTAssertTrue(r.stderr.contains(text), r.stderr)
            XCTAssertEqual(r.stderr.components(separatedBy: "\(path): ").count - 1, 1, "one error: \(r.stderr)")
            XCTAssertEqual(CLI.files(in: parent), [])
        }
    }
}
