import Foundation
import XCTest

/// The closing summary of `clustersim run` answers the question a scenario was written for:
/// what users saw, what monitoring noticed and paged, how the batch jobs ran. Each figure is
/// summary.json's headline figure of the same name. Before, these were in summary.json only, so
/// a run asking "how long from the crash to the page?" printed nothing about alerts or pages, and
/// a crash of a host without a Mesos agent (a master, a Consul server) read "not detected by Mesos".
final class RunReportSubsystemTests: XCTestCase {
    func run(_ scenario: String, _ tag: String) throws -> (lines: [String], head: [String: Any]) {
        let out = CLI.tempDir(tag) + "/r"
        let r = try CLI.run(["run", scenario, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let js = try SummaryFromEventsTests.json(out + "/summary.json")
        return (r.stdout.split(separator: "\n").map(String.init), js["headline"] as! [String: Any])
    }

    func line(_ prefix: String, _ lines: [String], file: StaticString = #filePath, line l: UInt = #line) -> String {
        guard let found = lines.first(where: { $0.hasPrefix(prefix) }) else {
            XCTFail("no line \"\(prefix)...\" in:\n\(lines.joined(separator: "\n"))", file: file, line: l); return ""
        }
        return found
    }

    func fixed(_ any: Any?, _ decimals: Int) -> String { String(format: "%.\(decimals)f", (any as! NSNumber).doubleValue) }

    /// agent-loss-paging.json: HostDown fires 83 s and pages 113 s after the crash (its description).
    func testAlertsAndNotificationsAfterTheFirstFault() throws {
        let (lines, head) = try run("scenarios/agent-loss-paging.json", "rr-page")
        let alerts = line("alerts: ", lines)
        XCTAssertEqual(alerts, "alerts: \(head["alerts_fired"]!) fired, the first \(fixed(head["first_firing_s"], 1)) s after the first fault "
                       + "(fault 0 at 1200.0 s); \(head["scrapes_failed"]!) scrapes failed (alerts.csv)")
        let pages = line("notifications: ", lines)
        XCTAssertEqual(pages, "notifications: \(head["notifications_sent"]!) sent, the first \(fixed(head["first_notification_s"], 1)) s after "
                       + "the first fault (fault 0 at 1200.0 s) (notifications.csv)")
        XCTAssertTrue(pages.contains("113.2 s"), pages)
        let a = lines.firstIndex { $0.hasPrefix("alerts: ") } ?? .max, n = lines.firstIndex { $0.hasPrefix("notifications: ") } ?? .max
        XCTAssertLessThan(a, n, "alerts come before the notifications they lead to")
    }

    func testChronosRuns() throws {
        let (lines, head) = try run("scenarios/chronos-batch.json", "rr-chronos")
        XCTAssertEqual(line("chronos: ", lines),
                       "chronos: \(head["chronos_runs"]!) runs, \(head["chronos_failures"]!) failed, \(head["chronos_retries"]!) retries, "
                       + "\(head["chronos_runs_skipped"]!) skipped; lateness max \(fixed(head["chronos_max_lateness_s"], 1)) s, "
                       + "mean \(fixed(head["chronos_mean_lateness_s"], 1)) s (chronos.csv)")
    }

    /// Users' traffic, and a crash of a master's host: no agent there, so nothing for Mesos to detect.
    func testUsersLineAndAHostWithoutAnAgent() throws {
        let dir = CLI.tempDir("rr-users")
        let scenario = dir + "/s.json"
        try """
        {"name": "report-users", "duration": "30m", "sampleInterval": "1m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "agent", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {"agents": {"hostGroups": ["agent"]}},
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 4, "cpus": 1, "mem": 512}]},
         "traffic": {"mode": "fluid", "services": [{"name": "web", "app": "/web", "via": "direct",
                     "arrivals": {"poisson": 50}, "serviceTime": "20ms"}]},
         "faults": [{"at": "10m", "kind": "hostCrash", "host": "master-02"},
                    {"at": "20m", "kind": "hostCrash", "host": "agent-01"}]}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let (lines, head) = try run(scenario, "rr-users-out")
        XCTAssertEqual(line("users: ", lines),
                       "users: \(head["requests_total"]!) requests, \(head["requests_failed"]!) failed (availability \(fixed(head["availability"], 6))); "
                       + "p99 latency \(fixed(head["latency_p99_ms"], 1)) ms over the run, \(fixed(head["peak_p99_latency_ms"], 1)) ms in the worst "
                       + "sample; \(fixed(head["requests_failed_per_fault"], 1)) failed per fault (traffic.csv)")
        XCTAssertTrue(line("fault 0 hostCrash of master-02 at 600.0 s", lines)
            .hasPrefix("fault 0 hostCrash of master-02 at 600.0 s: the host runs no Mesos agent (nothing for Mesos to mark unreachable)"))
        XCTAssertTrue(line("fault 1 hostCrash of agent-01 at 1200.0 s", lines).contains(": agent marked unreachable after "))
        XCTAssertNil(lines.first { $0.hasPrefix("alerts: ") || $0.hasPrefix("notifications: ") || $0.hasPrefix("chronos: ") },
                     "no line for a subsystem the scenario does not have")
    }

    /// `validate`'s line counts in English: "1 fault", not "1 faults".
    func testValidateLineSingular() throws {
        let r = try CLI.run(["validate", "scenarios/agent-loss-paging.json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "scenarios/agent-loss-paging.json: valid (agent-loss-paging: 12 hosts in 3 groups, 1 fault, duration 1h0m0s, seed 11)\n")
    }
}
