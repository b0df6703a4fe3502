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
        // a hang guard, not a timing assertion: a backtracking engine runs for hours here (exit 124 then)
        let r = try CLI.runProgram("/usr/bin/timeout", ["300", CLI.binary, "run", file, "--out", dir + "/out", "--quiet"],
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, r.stderr)
        // nothing matches (x+)+y: /web never runs (both instances wait in the launch queue), /api runs on both agents
        let rows = try String(contentsOfFile: dir + "/out/apps.csv", encoding: .utf8).split(separator: "\n")
        let last = Dictionary(rows.dropFirst().map { r -> (String, [Substring]) in
            let f = r.split(separator: ",", omittingEmptySubsequences: false); return (String(f[1]), f) }) { $1 }
        XCTAssertEqual(last["/web"].map { [$0[5], $0[10]] }, ["0", "2"], "running, launch_queue of /web")
        XCTAssertEqual(last["/api"].map { $0[5] }, "2", "running of /api")
    }
}
