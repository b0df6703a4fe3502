import Foundation
import XCTest

/// No user regex can hang the tool: a Marathon LIKE constraint `(x+)+y` against hostnames made of
/// 40 `x` (exponential for a backtracking engine, as Swift Regex was) runs to the end of the scenario.
final class RegexHangTests: XCTestCase {
    static let scenario = """
    {"name": "regex-hang", "duration": "5m", "seed": 7,
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "\(String(repeating: "x", count: 40))", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
     "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
     "marathon": {"version": "1.4", "apps": [
       {"id": "/web", "instances": 2, "cpus": 0.5, "mem": 512, "cmd": "web", "constraints": [["hostname", "LIKE", "(x+)+y"]]},
       {"id": "/api", "instances": 2, "cpus": 0.5, "mem": 512, "cmd": "api", "constraints": [["hostname", "UNLIKE", "(x+)+y"]]}]}}
    """

    func testExponentialPatternOnLongHostnamesFinishes() throws {
        let dir = CLI.tempDir("regex-hang")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", file, "--out", dir + "/out", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // nothing matches (x+)+y: /web never runs, /api runs on both agents
        let summary = try String(contentsOfFile: dir + "/out/summary.json", encoding: .utf8)
        XCTAssertFalse(summary.isEmpty)
    }
}
