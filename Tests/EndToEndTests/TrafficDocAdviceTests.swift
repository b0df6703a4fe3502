import Foundation
import XCTest

/// docs/traffic.md "Two things to know before reading the figures": what it tells users holds.
final class TrafficDocAdviceTests: XCTestCase {
    static let scenario = """
    {"name": "advice", "duration": "20m", "sampleInterval": "1m",
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                    {"name": "agent", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
     "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 4, "cpus": 1, "mem": 512}]},
     "chronos": {"startTime": "2019-10-01T01:55:00Z",
                 "jobs": [{"name": "etl", "schedule": "R/2019-10-01T02:00:00Z/P1D", "cpus": 6, "mem": 8192, "command": "etl.sh"}],
                 "behaviour": {"etl": {"runTime": "10m"}}},
     "traffic": {"mode": "fluid", "services": [{"name": "web", "app": "/web", "via": "direct",
                 "arrivals": {"poisson": 100}, "serviceTime": "20ms"}]}}
    """

    func headline(_ extra: [String], _ tag: String) throws -> [String: Any] {
        let dir = CLI.tempDir(tag)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.scenario.write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/s.json", "--out", dir + "/out", "--quiet"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try SummaryFromEventsTests.json(dir + "/out/summary.json")["headline"] as! [String: Any]
    }

    /// Users from time 0 meet the initial deployment (failures); arriving from 2m they meet none.
    func testArrivalsAfterTheInitialDeploymentFailNothing() throws {
        let from0 = try headline([], "advice-0")
        XCTAssertGreaterThan((from0["requests_failed"] as! NSNumber).intValue, 0, "the initial deployment's window")
        let later = try headline(["--set", #"traffic.services[0].arrivals={"step": {"from": 0, "to": 100, "at": "2m"}}"#], "advice-2m")
        XCTAssertEqual((later["requests_failed"] as! NSNumber).intValue, 0)
    }

    /// A Chronos job taking 6 of an agent's 8 cores beside the web tier leaves the latency as it is
    /// without the job (it ran: chronos_runs 1).
    func testABatchJobBesideTheWebTierLeavesLatencyUnchanged() throws {
        let with = try headline([], "advice-batch")
        XCTAssertEqual((with["chronos_runs"] as! NSNumber).intValue, 1)
        let without = try headline(["--set", "chronos.jobs[0].disabled=true"], "advice-nobatch")
        XCTAssertEqual((without["chronos_runs"] as! NSNumber).intValue, 0)
        XCTAssertEqual((with["latency_p99_ms"] as! NSNumber).doubleValue, (without["latency_p99_ms"] as! NSNumber).doubleValue)
    }
}
