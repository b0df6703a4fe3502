import ClusterModel
import Foundation
@testable import Scenario
import XCTest

/// Issue 8 point 3: Marathon files load under Marathon's own rule. What Marathon accepts loads (a
/// field it does not know is a warning with its path, listed once; a dependency on an id it does not
/// hold is ignored with a warning); what it rejects is an error with its reason. Plus range checks of
/// the app numbers the simulator cannot represent. Fixtures: Tests/ScenarioTests/marathon-files.
final class MarathonFilePolicyTests: XCTestCase {
    static let files = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("marathon-files").path

    func scenario(version: String = "1.4", apps: String = "[]", groups: String = "[]") -> String {
        marathonScenario(#"{"version": "\#(version)", "apps": \#(apps), "groups": \#(groups)}"#)
    }

    func load(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> LoadedScenario {
        try XCTUnwrap(loadOK(text, baseDirectory: Self.files, file: file, line: line), file: file, line: line)
    }

    /// The warnings about `path` (exactly that path, before the message).
    func warnings(_ l: LoadedScenario, at path: String) -> [String] {
        l.warnings.filter { $0.contains(" \(path): ") }
    }

    // MARK: accepted: unknown fields

    func testUnknownFieldsOfAPublicAppFileAreWarningsListedOnceWithTheirPath() throws {
        let l = try load(scenario(apps: #"["shop-web.json", "db.json"]"#))
        let web = try XCTUnwrap(l.spec.marathon?.app("/shop/web"))
        XCTAssertEqual(web.instances, 2)
        XCTAssertEqual(web.healthChecks.first?.interval, .seconds(10))
        XCTAssertEqual(web.networkMode, .bridge)
        for path in ["marathon.apps[0].healthChecks[0].portName", "marathon.apps[0].container.docker.requirePorts"] {
            let w = warnings(l, at: path)
            XCTAssertEqual(w.count, 1, "\(path): \(l.warnings)")
            XCTAssertTrue(w.first?.contains("ignored, as Marathon ignores fields it does not know") ?? false, "\(w)")
            XCTAssertTrue(w.first?.hasPrefix("shop-web.json:") ?? false, "names the file it is in: \(w)")
        }
        // validate then run prints the same list: a second load gives the same warnings
        XCTAssertEqual(try load(scenario(apps: #"["shop-web.json", "db.json"]"#)).warnings, l.warnings)
    }

    func testUnknownFieldsInEveryNestedObjectAreWarningsNotErrors() throws {
        let app = #"""
        {"id": "/x", "cmd": "x", "colour": "red",
         "portDefinitions": [{"port": 0, "name": "http", "hostPort": 1}],
         "healthChecks": [{"protocol": "COMMAND", "command": {"value": "true", "shell": true}}],
         "readinessChecks": [{"portName": "http", "intervalSeconds": 30, "timeoutSeconds": 10, "retries": 3}],
         "upgradeStrategy": {"minimumHealthCapacity": 1, "maximumOverCapacity": 0.2, "batchSize": 2},
         "unreachableStrategy": {"inactiveAfterSeconds": 10, "expungeAfterSeconds": 20, "mode": "x"}}
        """#
        let l = try load(scenario(apps: "[\(app)]"))
        for path in ["colour", "portDefinitions[0].hostPort", "healthChecks[0].command.shell", "readinessChecks[0].retries",
                     "upgradeStrategy.batchSize", "unreachableStrategy.mode"] {
            XCTAssertEqual(warnings(l, at: "marathon.apps[0]." + path).count, 1, "\(path): \(l.warnings)")
        }
        XCTAssertEqual(l.spec.marathon?.app("/x")?.upgradeStrategy.maximumOverCapacity, 0.2)
        // a group's unknown field too
        let g = try load(scenario(groups: #"[{"id": "/g", "owner": "team-a", "apps": [{"id": "a", "cmd": "x"}]}]"#))
        XCTAssertEqual(warnings(g, at: "marathon.groups[0].owner").count, 1, "\(g.warnings)")
    }

    func testOurOwnMarathonKeysStayStrict() {
        assertSingleError(scenario().replacingOccurrences(of: #""apps""#, with: #""instanses": 3, "apps""#),
                          path: "marathon.instanses", ["unknown key \"instanses\"", "did you mean \"instances\""])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/web", "cmd": "x"}], "behaviour": {"/web": {"startupTim": "1s"}}}"#),
                          path: "marathon.behaviour[\"/web\"].startupTim", ["did you mean \"startupTime\""])
    }

    func testADeployActionWarnsAboutTheUnknownFieldsItsChangesBring() throws {
        var text = scenario(apps: #"[{"id": "/web", "cmd": "x", "flavour": 1}]"#)
        text.removeLast(2)
        text += #", "actions": [{"at": "10m", "app": "/web", "kind": "deploy", "changes": {"cmd": "y", "colour": "red"}}]}"#
        let l = try load(text)
        XCTAssertEqual(warnings(l, at: "actions[0].changes.colour").count, 1, "\(l.warnings)")
        XCTAssertEqual(warnings(l, at: "marathon.apps[0].flavour").count, 1, "\(l.warnings)")
        XCTAssertTrue(warnings(l, at: "actions[0].changes.flavour").isEmpty, "the old definition's field is listed once: \(l.warnings)")
    }

    // MARK: accepted: groups and dependencies

    func testAGroupExportWithoutIdIsTheRootGroup() throws {
        let l = try load(scenario(groups: #"["groups-export.json"]"#))
        let m = try XCTUnwrap(l.spec.marathon)
        XCTAssertEqual(m.apps.map(\.id), ["/billing/api"])
        XCTAssertEqual(m.groups.map(\.id), ["/", "/billing"])
        // the read-only fields of the export are accepted, not unknown
        XCTAssertTrue(l.warnings.allSatisfy { !$0.contains("tasksRunning: unknown") }, "\(l.warnings)")
        // the dependency on an app that is not there is ignored, with a warning
        let dep = warnings(l, at: "marathon.groups[0].groups[0].apps[0].dependencies[0]")
        XCTAssertEqual(dep.count, 1, "\(l.warnings)")
        XCTAssertTrue(dep.first?.contains("app /billing/api depends on /billing/queue, which is neither an app nor a group here") ?? false)
        XCTAssertTrue(dep.first?.contains("ignored") ?? false)
        XCTAssertEqual(m.apps.first?.effectiveDependencies, [])
        XCTAssertEqual(m.apps.first?.dependencies, [])
        // {"apps": [...]} in marathon.apps is the root group too
        let r = try load(scenario(apps: #"[{"apps": [{"id": "web", "cmd": "x"}]}]"#))
        XCTAssertEqual(r.spec.marathon?.apps.map(\.id), ["/web"])
        // a nested group still needs an id
        assertSingleError(scenario(groups: #"[{"groups": [{"apps": [{"id": "a", "cmd": "x"}]}]}]"#),
                          path: "marathon.groups[0].groups[0].id", ["missing required key \"id\"", "No group id was given!"])
    }

    /// A saved `GET /v2/apps/{id}` answer, `{"app": {AppInfo}}`, is the app it holds (its status fields and
    /// `tasks` accepted); an `app` member beside others, or holding a group, is not read that way.
    func testAGetAppAnswerIsTheAppItHolds() throws {
        let answer = #"{"app": {"id": "/shop/web", "cmd": "x", "instances": 3, "tasksRunning": 3, "deployments": [], "#
            + #""tasks": [{"id": "shop_web.1", "host": "slave-01", "state": "TASK_RUNNING"}], "#
            + #""lastTaskFailure": {"appId": "/shop/web", "state": "TASK_FAILED"}}}"#
        let l = try load(scenario(apps: "[\(answer)]"))
        XCTAssertEqual(l.spec.marathon?.apps.map(\.id), ["/shop/web"])
        XCTAssertEqual(l.spec.marathon?.app("/shop/web")?.instances, 3)
        XCTAssertEqual(warnings(l, at: "marathon.apps[0]").count, 1, "\(l.warnings)")
        XCTAssertTrue(warnings(l, at: "marathon.apps[0]").first?.contains("GET /v2/apps/{id}") ?? false, "\(l.warnings)")
        XCTAssertTrue(l.warnings.allSatisfy { !$0.contains("tasksRunning: unknown") }, "\(l.warnings)")
        // the inner app's errors carry the inner path
        assertSingleError(scenario(apps: #"[{"app": {"id": "/a", "cmd": "x", "instances": -1}}]"#),
                          path: "marathon.apps[0].app.instances", ["expected an integer from 0"])
        // `app` beside an id is an unknown field of that app, as Marathon reads it
        let beside = try load(scenario(apps: #"[{"id": "/b", "cmd": "x", "app": {"id": "/c", "cmd": "y"}}]"#))
        XCTAssertEqual(beside.spec.marathon?.apps.map(\.id), ["/b"])
    }

    /// A file holding an array of apps (a `PUT /v2/apps` body) or pods (a `GET /v2/pods` answer) is read
    /// element by element; an element that is not an object is an error at its own path.
    func testAnArrayOfAppsIsEachApp() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let apps = #"[{"id": "/a", "cmd": "x"}, {"id": "/b", "cmd": "y", "instances": 2}, "#
            + #"{"id": "/p", "containers": [{"name": "c", "resources": {"cpus": 0.1, "mem": 32}, "exec": {"command": {"shell": "sleep 1"}}}]}]"#
        write(apps, to: dir + "/apps.json")
        write(#"[{"id": "/c", "cmd": "x"}, 7]"#, to: dir + "/bad.json")
        write(scenario(apps: #"["apps.json", {"id": "/d", "cmd": "z"}]"#), to: dir + "/s.json")
        let l = try XCTUnwrap(try? ScenarioLoader.load(path: dir + "/s.json"))
        XCTAssertEqual(l.spec.marathon?.apps.map(\.id), ["/a", "/b", "/p", "/d"])
        XCTAssertEqual(l.spec.marathon?.app("/b")?.instances, 2)
        write(scenario(apps: #"["bad.json"]"#), to: dir + "/t.json")
        do { _ = try ScenarioLoader.load(path: dir + "/t.json"); XCTFail("loaded") } catch {
            XCTAssertEqual(error.errors.count, 1, "\(error)")
            XCTAssertEqual(error.errors.first?.path, "marathon.apps[0][1]", "\(error)")
            XCTAssertTrue(error.errors.first?.message.contains("PUT /v2/apps") ?? false, "\(error)")
        }
    }

    func testAMissingDependencyIsIgnoredButCyclesAndTheRootGroupStayErrors() throws {
        let l = try load(scenario(apps: #"[{"id": "/a", "cmd": "x", "dependencies": ["/b", "/gone"]}, {"id": "/b", "cmd": "x"}]"#))
        XCTAssertEqual(l.spec.marathon?.app("/a")?.effectiveDependencies, ["/b"])
        XCTAssertEqual(warnings(l, at: "marathon.apps[0].dependencies[1]").count, 1)
        // depending on the root group "/" depends on every app, the app itself included: a cycle
        assertSingleError(scenario(apps: #"[{"id": "/a", "cmd": "x", "dependencies": ["/"]}]"#),
                          path: "marathon.apps[0].dependencies", ["dependency cycle: /a -> /a"])
    }

    func testRelativeDependenciesOfAStandaloneAppResolveAsTheVersionDoes() throws {
        // 1.4: against the app's own id (/shop/web + "db" = /shop/web/db, not there: ignored, with a hint)
        let old = try load(scenario(version: "1.4", apps: #"["shop-web.json", "db.json"]"#))
        XCTAssertEqual(old.spec.marathon?.app("/shop/web")?.effectiveDependencies, [])
        let w = warnings(old, at: "marathon.apps[0].dependencies[0]")
        XCTAssertEqual(w.count, 1, "\(old.warnings)")
        XCTAssertTrue(w.first?.contains("depends on /shop/web/db") ?? false, "\(w)")
        XCTAssertTrue(w.first?.contains("against the app's own id (/shop/web), so \"db\" is not /db before Marathon 1.5: write \"/db\"") ?? false, "\(w)")
        // 1.5 and later: against "/"
        for v in ["1.5", "1.10"] {
            let new = try load(scenario(version: v, apps: #"["shop-web.json", "db.json"]"#))
            XCTAssertEqual(new.spec.marathon?.app("/shop/web")?.effectiveDependencies, ["/db"], v)
            XCTAssertTrue(warnings(new, at: "marathon.apps[0].dependencies[0]").isEmpty, v)
        }
        // inside a group, every version resolves against the group
        for v in ["1.4", "1.10"] {
            let g = try load(scenario(version: v, groups: #"[{"id": "/shop", "apps": [{"id": "web", "cmd": "x", "dependencies": ["db"]}, {"id": "db", "cmd": "x"}]}]"#))
            XCTAssertEqual(g.spec.marathon?.app("/shop/web")?.effectiveDependencies, ["/shop/db"], v)
        }
    }

    // MARK: rejected, with Marathon's reason

    func testIpAddressDiscoveryOnADockerBridgeAppIsRejected() throws {
        assertSingleError(scenario(version: "1.4", apps: #"["ipaddress-bridge.json"]"#), path: "marathon.apps[0].ipAddress.discovery",
                          ["ipAddress/discovery is not allowed for Docker containers using BRIDGE or USER networks"], baseDirectory: Self.files)
        assertSingleError(scenario(version: "1.10", apps: #"["ipaddress-bridge.json"]"#), path: "marathon.apps[0].ipAddress.discovery",
                          ["ipAddress/discovery is not allowed for Docker containers"], baseDirectory: Self.files)
        // 1.4: a USER network app with ipAddress but without discovery ports is how 1.4 did it: fine
        let user = #"[{"id": "/u", "container": {"type": "DOCKER", "docker": {"image": "x", "network": "USER"}}, "ipAddress": {"networkName": "dev", "discovery": {"ports": []}}}]"#
        XCTAssertNotNil(try load(scenario(version: "1.4", apps: user)).spec.marathon?.app("/u"))
    }

    func testMarathonsOtherValidationsAreErrorsWithItsReason() {
        func oneIn(_ version: String, _ app: String, _ path: String, _ fragments: [String], line: UInt = #line) {
            assertSingleError(scenario(version: version, apps: "[\(app)]"), path: "marathon.apps[0]." + path, fragments, line: nil, file: #filePath, line: line)
        }
        func one(_ app: String, _ path: String, _ fragments: [String], line: UInt = #line) { oneIn("1.4", app, path, fragments, line: line) }
        one(#"{"id": "/x", "cmd": "x", "ipAddress": {}, "portDefinitions": [{"port": 0}]}"#, "portDefinitions", ["IP address and ports are not allowed at the same time"])
        oneIn("1.5", #"{"id": "/x", "cmd": "x", "ipAddress": {}, "portDefinitions": [{"port": 0}]}"#, "portDefinitions", ["cannot specify both an IP address and port"])
        oneIn("1.5", #"{"id": "/x", "cmd": "x", "ipAddress": {}, "networks": [{"mode": "container", "name": "a"}]}"#, "ipAddress", ["must not specify both networks and ipAddress"])
        oneIn("1.5", #"{"id": "/x", "networks": [{"mode": "container/bridge"}], "container": {"docker": {"image": "x", "network": "BRIDGE"}}}"#,
            "container.docker.network", ["must not specify both container.docker.network and networks"])
        one(#"{"id": "/x", "cmd": "x", "portDefinitions": [{"port": 0, "name": "a"}, {"port": 0, "name": "a"}]}"#, "portDefinitions", ["Port names must be unique."])
        one(#"{"id": "/x", "cmd": "x", "portDefinitions": [{"port": 8080}, {"port": 8080}]}"#, "portDefinitions", ["Ports must be unique."])
        one(#"{"id": "/x", "cmd": "x", "portDefinitions": [{"port": 0, "name": "http"}], "readinessChecks": [{"portName": "http", "intervalSeconds": 5, "timeoutSeconds": 5}]}"#,
            "readinessChecks[0].timeoutSeconds", ["timeoutSeconds (5) must be less than intervalSeconds (5)"])
        one(#"{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "TCP", "port": 80, "portIndex": 0}]}"#, "healthChecks[0].port",
            ["HealthCheck must specify either a port or a portIndex"])
        one(#"{"id": "/Bad_Id", "cmd": "x"}"#, "id", ["not a valid Marathon id"])
        one(#"{"id": "/x", "cmd": "x", "instances": -1}"#, "instances", ["expected an integer from 0"])
        one(#"{"id": "/x", "cmd": "x", "mem": -1}"#, "mem", ["expected a number >= 0 (MB), got -1", "should be >= 0.0"])
        one(#"{"id": "/x", "cmd": "x", "upgradeStrategy": {"maximumOverCapacity": 1.5}}"#, "upgradeStrategy.maximumOverCapacity", ["<= 1"])
        one(#"{"id": "/x", "cmd": "x", "constraints": [["hostname", "UNIQUE", "x"]]}"#, "constraints[0][2]", [])
        // cpus: >= 0 in 1.4, >= 0.001 from 1.5 (app.raml)
        XCTAssertNotNil(loadOK(scenario(version: "1.4", apps: #"[{"id": "/x", "cmd": "x", "cpus": 0}]"#)))
        oneIn("1.5", #"{"id": "/x", "cmd": "x", "cpus": 0}"#, "cpus", ["expected a number >= 0.001, got 0", "app.raml: minimum 0.001"])
    }

    // MARK: numbers the simulator cannot represent

    func testHugeResourcesAreErrorsNotTraps() {
        for x in ["1e19", "1e308", "18446744073709551616"] {
            for key in ["cpus", "mem", "disk"] {
                assertSingleError(scenario(apps: #"[{"id": "/x", "cmd": "x", "\#(key)": \#(x)}]"#), path: "marathon.apps[0].\(key)",
                                  ["is more than the simulator can represent", "at most 1000000000000", "Marathon sets no upper limit"])
            }
        }
        // the limit itself loads (and is then too big for every agent: the capacity check says so)
        assertSingleError(scenario(apps: #"[{"id": "/x", "cmd": "x", "cpus": 1e12}]"#), path: "marathon.apps[0]", ["can never be placed"])
    }

    func testUnreachableSecondsBeyondSixtyFourBitNanosecondsAreErrorsNotTraps() {
        assertSingleError(scenario(apps: #"[{"id": "/x", "cmd": "x", "unreachableStrategy": {"inactiveAfterSeconds": 1, "expungeAfterSeconds": 2000000000}}]"#),
                          path: "marathon.apps[0].unreachableStrategy.expungeAfterSeconds", ["cannot be simulated", "at most 1000000000"])
    }

    func testAZeroHealthCheckIntervalIsRejectedAsNotSimulable() {
        assertSingleError(scenario(apps: #"[{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "TCP", "intervalSeconds": 0}]}]"#),
                          path: "marathon.apps[0].healthChecks[0].intervalSeconds", ["Marathon accepts it", "cannot be simulated"])
        XCTAssertNotNil(loadOK(scenario(apps: #"[{"id": "/x", "cmd": "x", "healthChecks": [{"protocol": "TCP", "intervalSeconds": 1, "timeoutSeconds": 0}]}]"#)))
    }

    func testABackoffFactorBeyondSixtyFourBitNanosecondsIsRejected() {
        assertSingleError(scenario(apps: #"[{"id": "/x", "cmd": "x", "backoffFactor": 1e9}]"#), path: "marathon.apps[0].backoffFactor",
                          ["cannot be simulated with backoffSeconds 1 and maxLaunchDelaySeconds 3600", "use at most 2500000"])
        XCTAssertNotNil(loadOK(scenario(apps: #"[{"id": "/x", "cmd": "x", "backoffFactor": 2000000}]"#)))
    }
}
