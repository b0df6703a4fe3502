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
        return rows.dropFirst().map { perMarathon(Event(time: Double($0[0])!, component: $0[1], event: $0[2], subject: $0[3], detail: $0[4])) }
    }

    /// With one Marathon per data center (component `marathon-dc01`) the summary names apps
    /// `marathon-dc01:<id>` and deployments `marathon-dc01/deployment-N` (docs/marathon.md): the
    /// row as one Marathon would log it under those names.
    static func perMarathon(_ e: Event) -> Event {
        guard e.component.hasPrefix("marathon-") else { return e }
        var out = e
        out.component = "marathon"
        switch e.event {
        case "appDeploymentStarted", "appDeployed":
            out.subject = e.component + ":" + e.subject
            out.detail = e.component + "/" + e.detail
        case "appBelowTarget", "appAtTarget":
            out.subject = e.component + ":" + e.subject
        case "deploymentStarted", "deploymentFinished", "deploymentCancelled":
            out.subject = e.component + "/" + e.subject
        default: break
        }
        return out
    }

    /// The figures docs/outputs.md defines from events.csv, recomputed from it.
    struct FromEvents {
        /// app -> (deployment, started, deployed): the app's first appDeployed and its deployment's start.
        var deploys: [String: (deployment: String, started: Double, deployed: Double)] = [:]
        var launched = 0, failed = 0, killed = 0, lost = 0
        var hostCrashes = 0, hostReboots = 0
        /// Periods during which at least one app was below target (appBelowTarget .. appAtTarget).
        var degraded: [(start: Double, end: Double?)] = []
        var below: Set<String> = []
        /// appBelowTarget rows naming the fault-hit hosts where the app's missing instances are
        /// (`; not on h1, h2 (a fault hit it)`): (time, hosts).
        var belowOnHitHosts: [(time: Double, hosts: [String])] = []
        /// When each fault fired: the first row whose detail starts with `fault[k]`, in firing order.
        var faultTimes: [Double] = []
        /// Each fault's kind and the subjects of its rows (the hosts it hit), in firing order.
        var faultKinds: [String] = [], faultSubjects: [[String]] = []
        /// How long each fault lasts, from its first row (`recovers after 5m0s`, `back after`, `restarts
        /// after`): nil when it is not undone.
        var faultUndoneAfter: [Double?] = []
        /// agentUnreachable rows (agent, time); master failovers (leaderLost .. masterReady).
        var unreachable: [(agent: String, time: Double)] = []
        var failovers: [(lost: Double, ready: Double?)] = []
        /// deployment-N -> (started, finished, cancelled), in order of start.
        var deployments: [(id: String, started: Double, finished: Double?, cancelled: Double?)] = []

        /// "1h30m0s", "5m0s", "1m18.5s", "300ms" (SimDuration's description) in seconds.
        static func goDuration(_ t: String) -> Double? {
            var total = 0.0, number = "", rest = Substring(t)
            while let c = rest.first {
                if c.isNumber || c == "." { number.append(c); rest = rest.dropFirst(); continue }
                let unit = rest.hasPrefix("ms") ? "ms" : String(c)
                guard let v = Double(number) else { return nil }
                switch unit { case "h": total += v * 3600; case "m": total += v * 60; case "s": total += v; case "ms": total += v / 1000; default: return nil }
                number = ""; rest = rest.dropFirst(unit.count)
            }
            return number.isEmpty ? total : nil
        }

        init(_ events: [Event]) {
            var lastStart: [String: (String, Double)] = [:]
            var counted: Set<String> = [], staged: Set<String> = []
            var faultsSeen: Set<Substring> = [], faultSeenOrder: [Substring] = []
            for e in events {
                if e.detail.hasPrefix("fault["), let close = e.detail.firstIndex(of: "]") {
                    if faultsSeen.insert(e.detail[...close]).inserted {
                        faultTimes.append(e.time)
                        faultKinds.append(String(e.detail[e.detail.index(close, offsetBy: 2)...].prefix { $0 != ";" && $0 != " " }))
                        faultSubjects.append([])
                        faultUndoneAfter.append(["recovers after ", "back after ", "restarts after "].lazy.compactMap { key in
                            e.detail.range(of: key).flatMap { Self.goDuration(String(e.detail[$0.upperBound...].prefix { $0 != ";" && $0 != " " })) }
                        }.first)
                    }
                    if let k = faultSeenOrder.firstIndex(of: e.detail[...close]) { faultSubjects[k].append(e.subject) }
                    else { faultSeenOrder.append(e.detail[...close]); faultSubjects[faultSubjects.count - 1].append(e.subject) }
                }
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
                case ("mesos", _) where e.subject.hasPrefix("ct:"):
                    break   // a Chronos task (TaskUtils.getTaskId): not a Marathon instance
                case ("mesos", "TASK_STAGING"):
                    launched += 1
                    staged.insert(e.subject)
                case ("mesos", "TASK_ERROR"):
                    if counted.insert(e.subject).inserted {
                        failed += 1
                        if !staged.contains(e.subject) { launched += 1 }   // refused by the master unstaged
                    }
                case ("mesos", "TASK_FAILED"):
                    if counted.insert(e.subject).inserted { failed += 1 }
                case ("mesos", "TASK_KILLED"):
                    if counted.insert(e.subject).inserted { killed += 1 }
                case ("mesos", "TASK_LOST"), ("mesos", "TASK_GONE"), ("mesos", "TASK_GONE_BY_OPERATOR"), ("mesos", "TASK_DROPPED"):
                    if counted.insert(e.subject).inserted { lost += 1 }
                case ("marathon", "expungeUnreachable"):
                    counted.insert(e.subject)
                case ("marathon", "appBelowTarget"):
                    if below.insert(e.subject).inserted, below.count == 1 { degraded.append((e.time, nil)) }
                    if let r = e.detail.range(of: "; not on "), let end = e.detail.range(of: " (a fault hit it)") {
                        belowOnHitHosts.append((e.time, e.detail[r.upperBound..<end.lowerBound].components(separatedBy: ", ")))
                    }
                case ("marathon", "appAtTarget"):
                    if below.remove(e.subject) != nil, below.isEmpty { degraded[degraded.count - 1].end = e.time }
                case ("mesos", "agentUnreachable"): unreachable.append((e.subject, e.time))
                case ("mesos", "leaderLost"): failovers.append((e.time, nil))
                case ("mesos", "masterReady"):
                    if let i = failovers.indices.last, failovers[i].ready == nil { failovers[i].ready = e.time }
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
        let end = (head["simulated_s"] as! NSNumber).doubleValue
        both("apps_degraded_s", ev.degraded.reduce(0) { $0 + ($1.end ?? end) - $1.start })
        // a fault's recovery (docs/outputs.md): in its window (to the next fault at a later instant),
        // the first app below target missing instances on a host the fault hit, or the first degraded
        // period that began while no master led after a leader lost in the window; the end of the
        // degraded period that holds it. max_recovery_s is the longest of those that ended.
        var recoveries: [Double] = []
        for (k, t) in ev.faultTimes.enumerated() where ev.faultKinds[k] != "hostRecover" {
            let next = ev.faultTimes[(k + 1)...].first { $0 > t } ?? .infinity
            let hosts = ["masterCrash", "zookeeperCrash"].contains(ev.faultKinds[k]) ? [] : ev.faultSubjects[k]
            var from = ev.belowOnHitHosts.first { $0.time >= t && $0.time < next && $0.hosts.contains(where: hosts.contains) }?.time
            if let u = ev.faultUndoneAfter[k], let p = ev.degraded.first(where: { $0.start >= t && $0.start < min(next, t + u) }) {
                from = min(from ?? p.start, p.start)
            }
            for f in ev.failovers where f.lost >= t && f.lost < next {
                if let p = ev.degraded.first(where: { $0.start >= f.lost && $0.start <= (f.ready ?? .infinity) }) { from = min(from ?? p.start, p.start) }
            }
            if let at = from, let p = ev.degraded.first(where: { $0.start <= at && ($0.end ?? .infinity) >= at }), let e = p.end { recoveries.append(e - t) }
        }
        both("max_recovery_s", recoveries.max())
        // Mesos: master failovers (leaderLost to the next masterReady) and, per fault, detection: the
        // worst first agentUnreachable of a host it hit, or for a master crash the next failover's end
        both("master_failovers", Double(ev.failovers.count))
        both("max_master_failover_s", ev.failovers.compactMap { f in f.ready.map { $0 - f.lost } }.max())
        var detections: [Double] = []
        for (k, t) in ev.faultTimes.enumerated() {
            switch ev.faultKinds[k] {
            case "hostCrash", "hostReboot", "agentCrash", "networkPartition":
                let seen = ev.faultSubjects[k].compactMap { h in ev.unreachable.first { $0.agent == h && $0.time >= t }.map { $0.time - t } }
                if let w = seen.max() { detections.append(w) }
            case "masterCrash":
                if let f = ev.failovers.first(where: { $0.lost >= t }), let r = f.ready { detections.append(r - t) }
            default: break
            }
        }
        both("faults_detected", Double(detections.count))
        both("max_detection_s", detections.max())
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

    /// Consul's figures and its `detections` in summary.json are the `consulMemberFailed` rows of
    /// events.csv (time, subject, detail = seconds since the host went down) and the
    /// `consulLeaderElected` rows, for every shipped scenario with Consul.
    func testConsulFiguresAgreeWithTheirEvents() throws {
        var checked = 0
        for file in CLI.shippedScenarios() {
            let name = String(file.dropLast(5))
            let folder = CLI.root.appendingPathComponent("results/\(name)").path
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))) as? [String: Any])
            guard let consul = json["consul"] as? [String: Any] else { continue }
            let head = try XCTUnwrap(json["headline"] as? [String: Any])
            let events = try Self.events(folder)
            let failed = events.filter { $0.component == "consul" && $0.event == "consulMemberFailed" }
            let elected = events.filter { $0.component == "consul" && $0.event == "consulLeaderElected" }
            let list = try XCTUnwrap(consul["detections"] as? [[String: Any]])
            XCTAssertEqual(list.count, failed.count, name)
            XCTAssertEqual((head["consul_detections"] as? NSNumber)?.intValue, failed.count, name)
            XCTAssertEqual((head["consul_leader_elections"] as? NSNumber)?.intValue, elected.count, name)
            for (d, e) in zip(list, failed) {
                XCTAssertEqual(d["node"] as? String, e.subject, name)
                XCTAssertEqual((d["failed_at_s"] as? NSNumber)?.doubleValue ?? -1, e.time, accuracy: 1e-6, name)
                XCTAssertEqual((d["detection_s"] as? NSNumber)?.doubleValue ?? -1, Double(e.detail) ?? -2, accuracy: 1e-3, name)
            }
            let secs = failed.compactMap { Double($0.detail) }
            if let mx = secs.max() {
                XCTAssertEqual((head["consul_detection_max_s"] as? NSNumber)?.doubleValue ?? -1, mx, accuracy: 1e-3, name)
                XCTAssertEqual((head["consul_detection_mean_s"] as? NSNumber)?.doubleValue ?? -1, secs.reduce(0, +) / Double(secs.count), accuracy: 1e-3, name)
            }
            checked += failed.count
        }
        XCTAssertGreaterThanOrEqual(checked, 2, "the shipped scenarios with Consul detect node failures")
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
            {"id": "/db", "instances": 1, "cmd": "./serve", "cpus": 0.5, "mem": 256},
            {"id": "/web", "instances": 2, "cmd": "./serve", "cpus": 0.5, "mem": 256, "dependencies": ["/db"]},
            {"id": "/later", "instances": 0, "cmd": "./serve", "cpus": 0.5, "mem": 256}],
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

    /// An app no deployment step reached has null: /huge's second instance never finds room (one
    /// 2-cpu agent), so the initial deployment's step holding it is never done.
    func testAnAppNeverDeployedHasNull() throws {
        let dir = CLI.tempDir("never")
        let scenario = dir + "/never.json"
        try """
        {"name": "never", "duration": "5m", "sampleInterval": "1m", "seed": 3,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 1, "cpus": 2, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {},
         "marathon": {"apps": [{"id": "/ok", "instances": 1, "cmd": "./serve", "cpus": 0.5, "mem": 256},
                               {"id": "/huge", "instances": 2, "cmd": "./serve", "cpus": 1.5, "mem": 256}]}}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", scenario, "--out", dir + "/out", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try check(folder: dir + "/out", name: "never")
        let js = try Self.json(dir + "/out/summary.json")
        let deploys = (js["platform"] as! [String: Any])["deploys"] as! [[String: Any]]
        XCTAssertTrue(deploys.first { $0["app"] as? String == "/huge" }!["deploy_s"] is NSNull)
        // /ok runs, but it shares the step with /huge: as Marathon's deployment_step_success, the
        // step (and so the app's deployment) is done only when every app of it is
        XCTAssertTrue(deploys.first { $0["app"] as? String == "/ok" }!["deploy_s"] is NSNull)
        let head = js["headline"] as! [String: Any]
        XCTAssertEqual(head["apps_deployed"] as? Int, 0)
        XCTAssertTrue(head["slowest_deploy_s"] is NSNull)
        let events = try Self.events(dir + "/out")
        XCTAssertTrue(events.contains { $0.event == "appDeploymentStarted" && $0.subject == "/huge" && $0.time == 0 })
        XCTAssertFalse(events.contains { $0.event == "appDeployed" })
        XCTAssertTrue(events.contains { $0.event == "TASK_RUNNING" && $0.subject.hasPrefix("ok.") })
    }
}

/// `clustersim run scenarios/quickstart.json` shows the platform and ends with a summary of what
/// happened whose figures are summary.json's.
final class QuickstartReportTests: XCTestCase {
    /// The number printed right after `prefix` in `line` ("... after 78.9 s" -> 78.9).
    func number(after prefix: String, in line: String, file: StaticString = #filePath, line l: UInt = #line) -> Double? {
        guard let r = line.range(of: prefix) else { XCTFail("no \"\(prefix)\" in: \(line)", file: file, line: l); return nil }
        let digits = line[r.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" }
        return Double(digits)
    }

    func testClosingSummaryCarriesTheFiguresOfSummaryJSON() throws {
        let out = CLI.tempDir("qs") + "/quickstart"
        let r = try CLI.run(["run", "scenarios/quickstart.json", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let js = try SummaryFromEventsTests.json(out + "/summary.json")
        let head = js["headline"] as! [String: Any]
        let platform = js["platform"] as! [String: Any]
        let lines = r.stdout.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> String {
            guard let l = lines.first(where: { $0.hasPrefix(prefix) }) else { XCTFail("no line \"\(prefix)...\" in:\n\(r.stdout)"); return "" }
            return l
        }
        func num(_ any: Any?) -> Double { (any as! NSNumber).doubleValue }
        XCTAssertLessThanOrEqual(lines.count, 10, "a closing summary of a few lines:\n\(r.stdout)")
        XCTAssertTrue(line("quickstart: ").contains("\(head["hosts"]!) hosts, 1h0m0s simulated, \(head["events_processed"]!) events"), lines[0])

        // the platform: three apps with health checks, deployed by the initial deployment
        let deploys = platform["deploys"] as! [[String: Any]]
        XCTAssertEqual(deploys.count, 3)
        let apps = line("apps deployed: ")
        XCTAssertTrue(apps.hasPrefix("apps deployed: \(head["apps_deployed"]!) of 3"), apps)
        for d in deploys {
            XCTAssertEqual(number(after: "\(d["app"]!) ", in: apps) ?? -1, num(d["deploy_s"]), accuracy: 0.05, "\(d["app"]!): \(apps)")
        }
        // the agent loss: detected, instances replaced
        let faults = platform["faults"] as! [[String: Any]]
        XCTAssertEqual(faults.count, 1)
        XCTAssertEqual(faults[0]["kind"] as? String, "hostCrash")
        XCTAssertEqual((platform["agent_detections"] as! [Any]).count, 1)
        let f = line("fault 0 hostCrash of slave-02 at 900.0 s")
        XCTAssertEqual(number(after: "unreachable after ", in: f) ?? -1, num(faults[0]["detected_after_s"]), accuracy: 0.05, f)
        XCTAssertEqual(number(after: "healthy target after ", in: f) ?? -1, num(faults[0]["recovered_after_s"]), accuracy: 0.05, f)
        XCTAssertEqual(num(faults[0]["detected_after_s"]), num(head["max_detection_s"]), accuracy: 1e-9)
        // the rolling upgrade: the second deployment, a new version of /shop/web
        let deployments = platform["deployments"] as! [[String: Any]]
        XCTAssertEqual(deployments.count, 2)
        XCTAssertEqual(deployments[1]["name"] as? String, "deploy /shop/web version 2")
        let up = line("deployment-2 (deploy /shop/web version 2) at 2400.0 s: done in ")
        XCTAssertEqual(number(after: "done in ", in: up) ?? -1, num(deployments[1]["duration_s"]), accuracy: 0.05, up)
        let events = try SummaryFromEventsTests.events(out)
        XCTAssertTrue(events.contains { $0.event == "restartStarted" && $0.subject == "/shop/web" && $0.time == 2400 })
        // failed and lost tasks
        let t = line("tasks: ")
        XCTAssertEqual(t, "tasks: \(head["tasks_launched"]!) launched, \(head["tasks_failed"]!) failed, \(head["tasks_killed"]!) killed, "
                       + "\(head["tasks_lost"]!) lost; \(head["apps_below_target_at_end"]!) apps below target at the end")
        // where the files are
        XCTAssertTrue(line("results: ").hasPrefix("results: \(out)/"), r.stdout)
        XCTAssertTrue(line("plots: ").contains(" plot \(out)"), r.stdout)
        // the charts this run's subsystems declare, not a fixed list (no Chronos, traffic or Prometheus here)
        XCTAssertTrue(line("plots: ").contains(": those of hosts, cpus, memory, mesos_agents, mesos_leader, mesos_allocation, mesos_workdir, mesos_sandboxes, apps_healthy, apps_backoff the run has data for"), r.stdout)

        let quiet = try CLI.run(["run", "scenarios/quickstart.json", "--out", CLI.tempDir("qsq") + "/q", "--quiet"])
        XCTAssertEqual(quiet.status, 0, quiet.stderr)
        XCTAssertEqual(quiet.stdout, "", "--quiet prints nothing")
    }

    /// With one Marathon per data center, the closing summary lists every Marathon's deployments
    /// (not only the first's), each under the label summary.json gives it.
    /// A ZooKeeper server's crash names the server and says what the ensemble did (before: "of  at 2100.0
    /// s:;"), as summary.json's `targets` does.
    func testZooKeeperCrashLinesNameTheServerAndTheQuorum() throws {
        let out = CLI.tempDir("mf") + "/master-failover"
        let r = try CLI.run(["run", "scenarios/master-failover.json", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let faults = r.stdout.split(separator: "\n").filter { $0.hasPrefix("fault ") }.map(String.init)
        XCTAssertEqual(faults.count, 3, r.stdout)
        XCTAssertTrue(faults[1].hasPrefix("fault 1 zookeeperCrash of zk1@master-01 at 2100.0 s: the ensemble lost its quorum, serving again after 182.2 s; "), faults[1])
        XCTAssertTrue(faults[2].hasPrefix("fault 2 zookeeperCrash of zk2@master-02 at 2100.0 s: the ensemble lost its quorum"), faults[2])
        let platform = try SummaryFromEventsTests.json(out + "/summary.json")["platform"] as! [String: Any]
        XCTAssertEqual((platform["faults"] as! [[String: Any]]).map { $0["targets"] as! [String] }, [["master-01"], ["zk1@master-01"], ["zk2@master-02"]])
    }

    /// A deployment still running at the end says what it waits for: quickstart's /shop/worker asked
    /// for 7 instances, one per host, on 6 agents. Its step never ends, so /shop/api (healthy) and
    /// /shop/web (in the next step, never started) read "never" in the deploys line; the deployment's
    /// line and summary.json's `waiting_for` give the reason (Marathon's `currentActions`). Finished
    /// deployments wait for nothing.
    func testADeploymentStillRunningNamesTheAppsItWaitsFor() throws {
        let out = CLI.tempDir("wait") + "/qs"
        let r = try CLI.run(["run", "scenarios/quickstart.json", "--out", out, "--set", "marathon.apps[2].instances=7",
                             "--set", #"marathon.apps[2].constraints=[["hostname","UNIQUE"]]"#, "--set", "faults=[]"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("deployment-1 (initial deployment of 3 apps) at 0.0 s: still running at the end, step 1 of 2 waiting for /shop/worker (6 of 7 healthy)"), r.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("apps deployed: 0 of 3") }, r.stdout)
        let deployments = (try SummaryFromEventsTests.json(out + "/summary.json")["platform"] as! [String: Any])["deployments"] as! [[String: Any]]
        // the image rollout of /shop/web at 40 minutes is refused (HTTP 409): the app is in deployment-1
        XCTAssertEqual(deployments.map { $0["waiting_for"] as! [String] }, [["/shop/worker"]])
        let shipped = (try SummaryFromEventsTests.json("results/quickstart/summary.json")["platform"] as! [String: Any])["deployments"] as! [[String: Any]]
        XCTAssertEqual(shipped.map { $0["waiting_for"] as! [String] }, [[], []])
        // the waitingForOffers row says why the offers did not take an instance (Marathon's NoOfferMatchReason)
        let waiting = try SummaryFromEventsTests.events(out).filter { $0.event == "waitingForOffers" }
        XCTAssertEqual(waiting.map(\.subject), ["/shop/worker"])
        XCTAssertTrue(waiting.first.map { $0.detail.contains("(since its last launch: ") && $0.detail.contains(" offers UnfulfilledConstraint)") } ?? false, "\(waiting)")

        // 13 instances of 4 cpus on 6 agents of 8, three of them running /shop/api (1 cpu): 9 fit. The
        // offers are declined by `offerOutlook` (fidelity.offers fast, the default: no constraint), which counts them too.
        let full = CLI.tempDir("wait") + "/cpus"
        let r2 = try CLI.run(["run", "scenarios/quickstart.json", "--out", full, "--set", "marathon.apps[2].instances=13",
                              "--set", "marathon.apps[2].cpus=4", "--set", "faults=[]", "--set", "actions=[]", "--quiet"])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        let cpus = try SummaryFromEventsTests.events(full).filter { $0.event == "waitingForOffers" }
        XCTAssertEqual(cpus.map(\.subject), ["/shop/worker"])
        XCTAssertTrue(cpus.first.map { $0.detail.hasPrefix("4 instance(s) not placeable") && $0.detail.contains(" offers InsufficientCpus") } ?? false, "\(cpus)")
    }

    func testRunSummaryListsTheDeploymentsOfEveryDataCentersMarathon() throws {
        let out = CLI.tempDir("rp") + "/release"
        let r = try CLI.run(["run", "scenarios/release-pipeline.json", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let js = try SummaryFromEventsTests.json(out + "/summary.json")
        let deployments = (js["platform"] as! [String: Any])["deployments"] as! [[String: Any]]
        let later = deployments.filter { !(($0["deployment"] as? String) ?? "").hasSuffix("/deployment-1") }
        let labels = Set(later.compactMap { ($0["deployment"] as? String)?.split(separator: "/").first.map(String.init) })
        XCTAssertEqual(labels, ["marathon-dc01", "marathon-dc02"], "the release deploys through both Marathons")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        for d in later {
            let label = d["deployment"] as! String, name = d["name"] as! String
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(label) (\(name)) at ") }, "no line for \(label) in:\n\(r.stdout)")
        }
    }

    /// The plots tell the story: every series has its own dash type, and the crash and the
    /// rolling upgrade are marked on the charts.
    func testQuickstartPlotsMarkTheCrashAndTheUpgrade() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gnuplot") else { throw XCTSkip("gnuplot not installed") }
        let base = CLI.tempDir("qsplot")
        XCTAssertEqual(try CLI.run(["run", "scenarios/quickstart.json", "--out", base + "/r", "--quiet"]).status, 0)
        let r = try CLI.run(["plot", base + "/r", "--out", base + "/p", "--format", "png"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for f in ["apps_healthy.png", "mesos_agents.png", "mesos_allocation.png"] { XCTAssertTrue(CLI.files(in: base + "/p").contains(f), f) }
        let gp = try String(contentsOfFile: base + "/p/plot.gp", encoding: .utf8)
        XCTAssertTrue(gp.contains("set label 1 'slave-02 crashed' at 15,"), gp)
        XCTAssertTrue(gp.contains("'deploy /shop/web' at 40,"), gp)
        for plot in gp.components(separatedBy: "\nplot ").dropFirst() {
            let series = plot.components(separatedBy: "\nunset output")[0].components(separatedBy: ", \\\n")
            let dashes = series.map { $0.components(separatedBy: " dt ")[1].prefix { $0.isNumber } }
            XCTAssertEqual(Set(dashes).count, min(series.count, 5), "series without their own dash type: \(plot)")
        }
    }
}
