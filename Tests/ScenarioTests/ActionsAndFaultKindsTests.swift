import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `actions` and the Mesos-level fault kinds.
final class ActionsAndFaultKindsTests: XCTestCase {
    func scenario(actions: String = "[]", faults: String = "[]") -> String {
        """
        {"name": "t", "duration": "2h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 3, "mem": 256,
                                "container": {"type": "DOCKER", "docker": {"image": "web:1"}}}]},
         "actions": \(actions),
         "faults": \(faults)}
        """
    }

    func testDeployChangesApplyToTheAppAsEarlierActionsLeftIt() throws {
        let s = try XCTUnwrap(loadOK(scenario(actions: """
            [{"at": "30m", "kind": "deploy", "app": "/web", "changes": {"container": {"docker": {"image": "web:3"}}}},
             {"at": "10m", "kind": "deploy", "app": "web", "changes": {"mem": 512, "container": {"docker": {"image": "web:2"}}}},
             {"at": "20m", "kind": "scale", "app": "/web", "instances": 5},
             {"at": "40m", "kind": "killTasks", "app": "/web", "count": 2, "scale": true},
             {"at": "50m", "kind": "restart", "app": "/web", "force": true}]
            """)))
        let acts = s.spec.actions
        XCTAssertEqual(acts.map(\.name), ["deploy", "deploy", "scale", "killTasks", "restart"])   // file order kept
        guard case .deploy(let v3, _) = acts[0].kind, case .deploy(let v2, _) = acts[1].kind else { return XCTFail() }
        XCTAssertEqual(v2.image, "web:2")
        XCTAssertEqual(v2.mem, 512)
        XCTAssertEqual(v2.instances, 3)
        // the 30m deploy sees the 10m one (mem 512) and the 20m scale (5 instances)
        XCTAssertEqual(v3.image, "web:3")
        XCTAssertEqual(v3.mem, 512)
        XCTAssertEqual(v3.instances, 5)
        XCTAssertEqual(acts[3].kind, .killTasks(app: "/web", count: 2, scale: true))
        XCTAssertTrue(acts[4].force)
    }

    func testActionErrors() {
        assertSingleError(scenario(actions: #"[{"at": "5m", "kind": "deploy", "app": "/web"}]"#), path: "actions[0].changes",
                          ["missing required key \"changes\""])
        assertSingleError(scenario(actions: #"[{"at": "5m", "kind": "deploy", "app": "/web", "changes": {"id": "/api"}}]"#),
                          path: "actions[0].changes.id", ["cannot change the app id"])
        assertSingleError(scenario(actions: #"[{"at": "5m", "kind": "restart", "app": "/web", "instances": 2}]"#),
                          path: "actions[0].instances", ["only allowed for kind \"scale\""])
        assertSingleError(scenario(actions: #"[{"at": "5m", "kind": "rollback", "app": "/web"}]"#), path: "actions[0].kind",
                          ["\"deploy\", \"scale\", \"restart\", \"killTasks\""])
        assertSingleError(scenario(actions: #"[{"at": "3h", "kind": "restart", "app": "/web"}]"#), path: "actions[0].at",
                          ["after the end of the run"])
        assertSingleError(scenario(actions: #"[{"at": "5m", "kind": "deploy", "app": "/web", "changes": {"cpus": -1}}]"#),
                          path: "actions[0].changes.cpus", [])
    }

    func testMesosFaultKinds() throws {
        let s = try XCTUnwrap(loadOK(scenario(faults: """
            [{"at": "5m", "kind": "masterCrash"},
             {"at": "6m", "kind": "masterCrash", "master": 2, "restartAfter": "1m"},
             {"at": "7m", "kind": "zookeeperCrash", "server": 3},
             {"at": "8m", "kind": "agentCrash", "hostGroup": "slave", "count": 2, "restartAfter": "20s"},
             {"at": "9m", "kind": "networkPartition", "host": "slave-01", "healAfter": "2m"}]
            """)))
        let f = s.spec.faults
        XCTAssertEqual(f[0].target, .master(nil))
        XCTAssertEqual(f[1].target, .master(1))
        XCTAssertEqual(f[1].restartAfter, .minutes(1))
        XCTAssertEqual(f[2].target, .zookeeperServer(2))
        XCTAssertEqual(f[3].target, .group("slave", count: 2))
        XCTAssertEqual(f[4].healAfter, .minutes(2))
        assertSingleError(scenario(faults: #"[{"at": "5m", "kind": "zookeeperCrash"}]"#), path: "faults[0].server", ["missing required key \"server\""])
        assertSingleError(scenario(faults: #"[{"at": "5m", "kind": "zookeeperCrash", "server": 4}]"#), path: "faults[0].server", ["from 1 to 3"])
        assertSingleError(scenario(faults: #"[{"at": "5m", "kind": "masterCrash", "host": "master-01"}]"#), path: "faults[0].host",
                          ["not used by kind \"masterCrash\""])
        assertSingleError(scenario(faults: #"[{"at": "5m", "kind": "hostCrash", "host": "slave-01", "healAfter": "1m"}]"#),
                          path: "faults[0].healAfter", ["only allowed for kind \"networkPartition\""])
        // an unknown kind with a master's or a ZooKeeper server's target: one error, the kind's
        // (clustersim-fuzz string-span found `missing the target` and `unknown key "master"; did
        // you mean "master"?` beside it)
        for target in [#""master": 2"#, #""server": 1"#, #""master": "leader""#] {
            assertSingleError(scenario(faults: #"[{"at": "5m", "kind": "masterCrash=#/a", "# + target + "}]"),
                              path: "faults[0].kind", ["unknown fault kind \"masterCrash=#/a\"", "allowed: "])
        }
    }
}
