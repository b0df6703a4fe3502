import Foundation
import XCTest

/// A bad `consulCheckUpdate` action through the real command: exit status 2, one error naming the
/// JSON path, nothing written.
final class ConsulCheckUpdateCLITests: XCTestCase {
    static func scenario(_ action: String) -> String {
        #"""
        {"name": "t", "duration": "10m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "zookeeper": {"servers": 3},
         "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 1, "cpus": 0.5, "mem": 256, "cmd": "./web", "portDefinitions": [{"port": 0}]}]},
         "consul": {"services": {"/web": {"service": {"name": "web", "checks": [{"name": "heartbeat", "ttl": "30s"},
                                                                                  {"name": "http", "http": "http://localhost/", "interval": "10s"}]}}}},
         "actions": [\#(action)]}
        """#
    }

    func testBadValuesExitTwoAndWriteNothing() throws {
        let dir = CLI.tempDir("consul-check-update")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases = [(#""status": "fail""#, "actions[0].status"), (#""check": "http", "status": "critical""#, "actions[0].check"),
                     (#""host": "slave-7", "heartbeats": false"#, "actions[0].host"), (#""heartbeats": 0"#, "actions[0].heartbeats")]
        for (i, (keys, path)) in cases.enumerated() {
            let file = dir + "/s\(i).json"
            try Self.scenario(#"{"at": "1m", "kind": "consulCheckUpdate", "app": "/web", "# + keys + "}").write(toFile: file, atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", file, "--out", dir + "/out\(i)", "--quiet"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(path), "\(path): \(r.stderr)")
            XCTAssertEqual(r.stderr.components(separatedBy: path).count, 2, "one error: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out\(i)"), "nothing written")
        }
        let ok = dir + "/ok.json"
        try Self.scenario(#"{"at": "1m", "kind": "consulCheckUpdate", "app": "/web", "heartbeats": false}"#).write(toFile: ok, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", ok, "--out", dir + "/ok", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = try String(contentsOfFile: dir + "/ok/events.csv", encoding: .utf8)
        XCTAssertTrue(events.contains("heartbeat passing->critical"), "the check expires 30 s after the last update")
    }
}
