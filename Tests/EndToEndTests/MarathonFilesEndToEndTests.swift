import Foundation
import XCTest

/// Issue 8 point 3 through the real command: a public-style Marathon app file with fields Marathon
/// does not know and a dependency on an app that is not there validates (exit 0) and prints each
/// warning once, with its JSON path.
final class MarathonFilesEndToEndTests: XCTestCase {
    func testValidatePrintsEachIgnoredFieldOnceAndExitsZero() throws {
        let dir = CLI.tempDir("marathonfiles")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixtures = CLI.root.appendingPathComponent("Tests/ScenarioTests/marathon-files")
        for f in ["shop-web.json", "groups-export.json"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(f), to: URL(fileURLWithPath: dir + "/" + f))
        }
        let scenario = #"""
        {"name": "files", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": ["shop-web.json"], "groups": ["groups-export.json"]}}
        """#
        try scenario.write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["validate", dir + "/s.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        for needle in ["marathon.apps[0].healthChecks[0].portName: unknown field \"portName\" ignored",
                       "marathon.apps[0].container.docker.requirePorts: unknown field \"requirePorts\" ignored",
                       "marathon.apps[0].dependencies[0]: app /shop/web depends on /shop/web/db",
                       "marathon.groups[0].groups[0].apps[0].container.docker.requirePorts: unknown field",
                       "marathon.groups[0].groups[0].apps[0].dependencies[0]: app /billing/api depends on /billing/queue"] {
            let hits = lines.filter { $0.hasPrefix("warning: ") && $0.contains(needle) }
            XCTAssertEqual(hits.count, 1, "\(needle) in:\n\(r.stderr)")
        }
        XCTAssertTrue(r.stdout.contains("valid"), r.stdout)
    }
}
