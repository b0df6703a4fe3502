import Foundation
import XCTest

/// Long lists in a scenario cost what reading them costs: 100,000 host groups, port definitions
/// and pod endpoints are read and checked in seconds. Each of these checks was quadratic (a
/// duplicate check scanning the earlier entries, a host-group lookup scanning every group, an
/// app's host-port count recounted per agent), which made this file run for more than ten minutes.
final class BigListTests: XCTestCase {
    static func scenario(_ n: Int) -> String {
        let groups = (0..<n).map { #"{"name": "g\#($0)", "count": 1, "cpus": 1, "memory": "1GiB", "disk": "1GB"}"# }
        let ports = (0..<n).map { #"{"port": 0, "name": "p\#($0)"}"# }
        let endpoints = (0..<n).map { #"{"name": "e\#($0)", "hostPort": 0}"# }
        return """
        {"name": "big-lists", "duration": "5m", "seed": 1,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}, \(groups.joined(separator: ", "))],
         "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
         "marathon": {"version": "1.9", "apps": [
           {"id": "/ports", "cmd": "x", "cpus": 0.1, "mem": 32, "portDefinitions": [\(ports.joined(separator: ", "))]},
           {"id": "/pod", "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}, "endpoints": [\(endpoints.joined(separator: ", "))]}]}]}}
        """
    }

    func testHundredThousandEntriesAreReadInLinearTime() throws {
        let dir = CLI.tempDir("big-lists")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try Self.scenario(100_000).write(toFile: file, atomically: true, encoding: .utf8)
        // a hang guard, not a timing assertion: the quadratic checks ran for more than ten minutes (exit 124 then)
        let r = try CLI.runProgram("/usr/bin/timeout", ["300", CLI.binary, "validate", file],
                                   environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 2, r.stderr)
        // the errors this file has, and no other: both apps need more host ports than an agent offers,
        // the ports app more service ports than the range has; no duplicate (every name is distinct)
        let errors = r.stderr.split(separator: "\n").filter { $0.contains(": marathon.") }
        XCTAssertEqual(errors.count, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("app /ports can never be placed: 100000 host ports is more than any agent offers"), r.stderr)
        XCTAssertTrue(r.stderr.contains("app /pod can never be placed: 100000 host ports"), r.stderr)
        XCTAssertTrue(r.stderr.contains("all service ports in [10000, 20000) are taken"), r.stderr)
        XCTAssertFalse(r.stderr.contains("twice") || r.stderr.contains("duplicate"), r.stderr)
    }

    /// The same checks still find the duplicates, at the entry that repeats an earlier one.
    func testDuplicatesAreStillFoundAtTheRepeatedEntry() throws {
        let dir = CLI.tempDir("big-lists-dup")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        var text = Self.scenario(50)
        text = text.replacingOccurrences(of: #"{"name": "g40", "count""#, with: #"{"name": "g7", "count""#)
        text = text.replacingOccurrences(of: #"{"port": 0, "name": "p30"}"#, with: #"{"port": 0, "name": "p3"}"#)
        text = text.replacingOccurrences(of: #"{"name": "e20", "hostPort": 0}"#, with: #"{"name": "e2", "hostPort": 0}"#)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.runProgram(CLI.binary, ["validate", file], environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(#"hostGroups[42].name: duplicate host group name "g7" (also used by hostGroups[9])"#), r.stderr)
        XCTAssertTrue(r.stderr.contains(#"marathon.apps[0].portDefinitions: port name "p3" is used twice"#), r.stderr)
        XCTAssertTrue(r.stderr.contains(#"marathon.apps[1].containers[0].endpoints[20].name: endpoint name "e2" is used twice"#), r.stderr)
    }
}
