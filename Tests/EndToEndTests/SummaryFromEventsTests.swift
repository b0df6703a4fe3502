import Foundation
import XCTest

/// The headline figures of summary.json / summary.csv agree with the event log: each one that
/// docs/outputs.md defines from events.csv is recomputed here from the rows a user can read.
final class SummaryFromEventsTests: XCTestCase {
    /// One row of events.csv.
    struct Event { var time: Double; var component: String; var event: String; var subject: String; var detail: String }

    /// RFC 4180 fields of one CSV file (the writer quotes fields holding a comma or a quote).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        let it = Array(text.unicodeScalars)
        var i = 0
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < it.count && it[i + 1] == "\"" { field.unicodeScalars.append(c); i += 1 } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.unicodeScalars.append(c) }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    static func events(_ folder: String) throws -> [Event] {
        let rows = parseCSV(try String(contentsOfFile: folder + "/events.csv", encoding: .utf8))
        XCTAssertEqual(rows.first, ["time_s", "component", "event", "subject", "detail"])
        return rows.dropFirst().map { Event(time: Double($0[0])!, component: $0[1], event: $0[2], subject: $0[3], detail: $0[4]) }
    }

    /// The figures docs/outputs.md defines from events.csv, recomputed from it.
    struct FromEvents {
        /// app -> (deployment, started, deployed): the app's first appDeployed and its deployment's start.
        var deploys: [String: (deployment: String, started: Double, deployed: Double)] = [:]
        var launched = 0, failed = 0, killed = 0, lost = 0
        var hostCrashes = 0, hostReboots = 0
        /// deployment-N -> (started, finished, cancelled), in order of start.
        var deployments: [(id: String, started: Double, finished: Double?, cancelled: Double?)] = []

        init(_ events: [Event]) {
            var lastStart: [String: (String, Double)] = [:]
            var counted: Set<String> = []
            for e in events {
                switch (e.component, e.event) {
                case ("marathon", "appDeploymentStarted"):
                    lastStart[e.subject] = (String(e.detail.prefix { $0 != ":" }), e.time)
                case ("marathon", "appDeployed"):
                    guard deploys[e.subject] == nil else { break }
                    let dep = String(e.detail.prefix { $0 != " " })
                    guard let (sd, st) = lastStart[e.subject] else { XCTFail("\(e.subject): appDeployed without appDeploymentStarted"); break }
                    XCTAssertEqual(sd, dep, "\(e.subject): appDeployed of another deployment than its last start")
                    deploys[e.subject] = (dep, st, e.time)
                case ("marathon", "deploymentStarted"):
                    deployments.append((e.subject, e.time, nil, nil))
                case ("marathon", "deploymentFinished"):
                    if let i = deployments.firstIndex(where: { $0.id == e.subject }) { deployments[i].finished = e.time }
                case ("marathon", "deploymentCancelled"):
                    if let i = deployments.firstIndex(where: { $0.id == e.subject }) { deployments[i].cancelled = e.time }
                case ("mesos", "TASK_STAGING"):
                    launched += 1
                case ("mesos", "TASK_FAILED"), ("mesos", "TASK_ERROR"):
                    if counted.insert(e.subject).inserted { failed += 1 }
                case ("mesos", "TASK_KILLED"):
                    if counted.insert(e.subject).inserted { killed += 1 }
                case ("mesos", "TASK_LOST"), ("mesos", "TASK_GONE"), ("mesos", "TASK_GONE_BY_OPERATOR"), ("mesos", "TASK_DROPPED"),
                     ("marathon", "expungeInstance"):
                    if counted.insert(e.subject).inserted { lost += 1 }
                case ("marathon", "expungeUnreachable"):
                    counted.insert(e.subject)
                case ("host", "crashed"): hostCrashes += 1
                case ("host", "rebootStarted"): hostReboots += 1
                default: break
                }
            }
        }
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    /// summary.csv as key -> field.
    static func csvSummary(_ folder: String) throws -> [String: String] {
        let rows = parseCSV(try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8))
        XCTAssertEqual(rows.count, 2)
        return Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
    }

    func assertClose(_ a: Any?, _ b: Double?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let b else { XCTAssertTrue(a == nil || a is NSNull, "\(what): \(String(describing: a)) where events say null", file: file, line: line); return }
        guard let x = (a as? NSNumber)?.doubleValue ?? (a as? String).flatMap(Double.init) else {
            XCTFail("\(what): \(String(describing: a)) where events say \(b)", file: file, line: line); return
        }
        XCTAssertEqual(x, b, accuracy: 1e-6, what, file: file, line: line)
    }

    /// Recomputes the summary of one results folder from its events.csv and compares.
    func check(folder: String, name: String) throws {
        let ev = FromEvents(try Self.events(folder))
        let js = try Self.json(folder + "/summary.json")
        let head = js["headline"] as! [String: Any]
        let csv = try Self.csvSummary(folder)
        func both(_ key: String, _ v: Double?) {
            assertClose(head[key], v, "\(name) summary.json \(key)")
            assertClose(csv[key].flatMap { $0.isEmpty ? nil : $0 }, v, "\(name) summary.csv \(key)")
        }
        both("host_crashes", Double(ev.hostCrashes))
        both("host_reboots", Double(ev.hostReboots))
        guard let platform = js["platform"] as? [String: Any] else {
            XCTAssertTrue(ev.deploys.isEmpty && ev.launched == 0, "\(name): events of a platform but no platform summary")
            XCTAssertNil(head["slowest_deploy_s"])
            return
        }
        both("tasks_launched", Double(ev.launched))
        both("tasks_failed", Double(ev.failed))
        both("tasks_killed", Double(ev.killed))
        both("tasks_lost", Double(ev.lost))
        both("apps_deployed", Double(ev.deploys.count))
        both("slowest_deploy_s", ev.deploys.values.map { $0.deployed - $0.started }.max())
        let deployments = platform["deployments"] as! [[String: Any]]
        XCTAssertEqual(deployments.map { $0["deployment"] as! String }, ev.deployments.map(\.id), "\(name) deployments")
        for (d, e) in zip(deployments, ev.deployments) {
            assertClose(d["started_at_s"], e.started, "\(name) \(e.id) started_at_s")
            assertClose(d["finished_at_s"], e.finished, "\(name) \(e.id) finished_at_s")
            assertClose(d["cancelled_at_s"], e.cancelled, "\(name) \(e.id) cancelled_at_s")
            assertClose(d["duration_s"], e.finished.map { $0 - e.started }, "\(name) \(e.id) duration_s")
        }
        let deploys = platform["deploys"] as! [[String: Any]]
        let apps = Set(deploys.map { $0["app"] as! String })
        XCTAssertEqual(apps.count, deploys.count, "\(name): an app twice in platform.deploys")
        XCTAssertTrue(Set(ev.deploys.keys).isSubset(of: apps), "\(name): appDeployed of an app missing from the summary")
        for d in deploys {
            let app = d["app"] as! String
            let e = ev.deploys[app]
            assertClose(d["deploy_s"], e.map { $0.deployed - $0.started }, "\(name) \(app) deploy_s")
            assertClose(d["started_at_s"], e?.started, "\(name) \(app) started_at_s")
            assertClose(d["deployed_at_s"], e?.deployed, "\(name) \(app) deployed_at_s")
            if let e { XCTAssertEqual(d["deployment"] as? String, e.deployment, "\(name) \(app)") }
            if let s = (d["deploy_s"] as? NSNumber)?.doubleValue { XCTAssertGreaterThanOrEqual(s, 0, "\(name) \(app): negative deploy time") }
        }
    }

    /// Every shipped scenario's golden summary agrees with its golden events.csv (the golden test
    /// checks that a fresh run reproduces both).
    func testEveryShippedSummaryAgreesWithItsEvents() throws {
        let scenarios = CLI.shippedScenarios()
        XCTAssertGreaterThanOrEqual(scenarios.count, 10)
        var deployedApps = 0
        for file in scenarios {
            let name = String(file.dropLast(5))
            let folder = CLI.root.appendingPathComponent("results/\(name)").path
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/events.csv"), "results/\(name) missing: run `make results`")
            try check(folder: folder, name: name)
            deployedApps += FromEvents(try Self.events(folder)).deploys.count
        }
        XCTAssertGreaterThan(deployedApps, 10, "the shipped scenarios deploy apps: the comparison must have had something to compare")
    }

    /// The two cases of issue 8: apps of a later step of a deployment are not all given the
    /// deployment's end, and an app created with 0 instances then scaled has a short, positive
    /// deploy time (its initial deployment), not the gap between its first launch and that deployment.
    func testDeployTimesOfStepsAndOfAnAppCreatedAtZeroInstances() throws {
        let dir = CLI.tempDir("deploys")
        let scenario = dir + "/zero.json"
        try """
        {"name": "zero", "duration": "20m", "sampleInterval": "1m", "seed": 3,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "mesos": {},
         "marathon": {"apps": [
            {"id": "/db", "instances": 1, "cpus": 0.5, "mem": 256},
            {"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256, "dependencies": ["/db"]},
            {"id": "/later", "instances": 0, "cpus": 0.5, "mem": 256}],
          "behaviour": {"default": {"startupTime": "30s"}}},
         "actions": [{"at": "10m", "kind": "scale", "app": "/later", "instances": 3}]}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", scenario, "--out", dir + "/out", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try check(folder: dir + "/out", name: "zero")
        let events = try Self.events(dir + "/out")
        let deploys = (try Self.json(dir + "/out/summary.json")["platform"] as! [String: Any])["deploys"] as! [[String: Any]]
        func deploy(_ app: String) -> Double { (deploys.first { $0["app"] as? String == app }!["deploy_s"] as! NSNumber).doubleValue }
        // /later: deployed by the initial deployment at 0 instances, in its first step with /db
        let step1 = events.first { $0.event == "deploymentStep" && $0.detail.hasPrefix("step 1/2") }!
        XCTAssertTrue(step1.detail.contains("/later") && step1.detail.contains("/db"), step1.detail)
        XCTAssertEqual(deploy("/later"), step1.time, accuracy: 1e-6)
        XCTAssertEqual(deploy("/db"), step1.time, accuracy: 1e-6)
        XCTAssertGreaterThan(deploy("/later"), 0)
        XCTAssertLessThan(deploy("/later"), 120)
        // the scale at 10 min is a second deployment of /later: logged, not its deploy time
        XCTAssertEqual(events.filter { $0.event == "appDeployed" && $0.subject == "/later" }.count, 2)
        XCTAssertTrue(events.contains { $0.event == "appDeploymentStarted" && $0.subject == "/later" && $0.time == 600 })
        // /web waits for /db's step: its deploy time is the end of step 2, later than /db's
        let step2 = events.first { $0.event == "deploymentStep" && $0.detail.hasPrefix("step 2/2") }!
        XCTAssertEqual(deploy("/web"), step2.time, accuracy: 1e-6)
        XCTAssertGreaterThan(deploy("/web"), deploy("/db"))
        let head = try Self.json(dir + "/out/summary.json")["headline"] as! [String: Any]
        XCTAssertEqual((head["slowest_deploy_s"] as! NSNumber).doubleValue, deploy("/web"), accuracy: 1e-9)
        XCTAssertEqual(head["apps_deployed"] as? Int, 3)
    }

    /// An app no deployment reached (its only deployment crash-loops and is never done) has null.
    func testAnAppNeverDeployedHasNull() throws {
        let dir = CLI.tempDir("never")
        let scenario = dir + "/never.json"
        try """
        {"name": "never", "duration": "5m", "sampleInterval": "1m", "seed": 3,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 2, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {},
         "marathon": {"apps": [{"id": "/ok", "instances": 1, "cpus": 0.5, "mem": 256},
                               {"id": "/huge", "instances": 1, "cpus": 64, "mem": 256}]}}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", scenario, "--out", dir + "/out", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try check(folder: dir + "/out", name: "never")
        let js = try Self.json(dir + "/out/summary.json")
        let deploys = (js["platform"] as! [String: Any])["deploys"] as! [[String: Any]]
        XCTAssertTrue(deploys.first { $0["app"] as? String == "/huge" }!["deploy_s"] is NSNull)
        XCTAssertTrue((deploys.first { $0["app"] as? String == "/ok" }!["deploy_s"] as? NSNumber) != nil)
        XCTAssertEqual((js["headline"] as! [String: Any])["apps_deployed"] as? Int, 1)
    }
}
