import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// `consulCheckUpdate` actions: PUT /v1/agent/check/pass|warn|fail on the agents of an app's
/// instances, for their TTL checks (agent/agent.go `updateTTLCheck`). What loads and each error:
/// one error naming the JSON path.
final class ConsulCheckUpdateActionTests: XCTestCase {
    static func scenario(action: String, consul: Bool = true) -> String {
        let section = consul ? #"""
         ,"consul": {"servers": 3, "hostGroup": "consul", "services": {
            "/web": {"service": {"name": "web", "checks": [{"name": "heartbeat", "ttl": "30s"},
                                                           {"id": "web-http", "name": "http", "http": "http://localhost:8080/", "interval": "10s"}]}},
            "/api": {"service": {"name": "api", "check": {"http": "http://localhost:9000/", "interval": "10s"}}}}}
        """# : ""
        return #"""
        {"name": "t", "seed": 1, "duration": "10m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "consul", "count": 3, "cpus": 2, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "zookeeper": {"servers": 3},
         "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256, "cmd": "./web", "portDefinitions": [{"port": 0}]},
                               {"id": "/api", "instances": 1, "cpus": 0.5, "mem": 256, "cmd": "./api", "portDefinitions": [{"port": 0}]}]}
         \#(section),
         "actions": [\#(action)]}
        """#
    }

    func testWhatLoads() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/web", "heartbeats": false}"#)))
        XCTAssertEqual(s.spec.actions.first?.kind, .consulCheckUpdate(app: "/web", host: nil, check: nil, status: .passing, heartbeats: false))
        let w = try XCTUnwrap(loadOK(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "web", "host": "slave-02", "check": "heartbeat", "status": "warning"}"#)))
        XCTAssertEqual(w.spec.actions.first?.kind, .consulCheckUpdate(app: "/web", host: "slave-02", check: "heartbeat", status: .warning, heartbeats: true))
    }

    func testEachBadValueIsOneErrorAtItsPath() {
        let a = #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/web", "#
        assertSingleError(Self.scenario(action: a + #""status": "pass"}"#), path: "actions[0].status", ["passing", "warning", "critical"])
        assertSingleError(Self.scenario(action: a + #""status": "passing", "heartbeats": "no"}"#), path: "actions[0].heartbeats", [])
        assertSingleError(Self.scenario(action: a + #""host": "slave-09", "status": "critical"}"#), path: "actions[0].host", ["slave-09", "slave-01 to slave-02"])
        assertSingleError(Self.scenario(action: a + #""check": "web-http", "status": "critical"}"#), path: "actions[0].check",
                          ["is a http check", "does not have associated TTL"])
        assertSingleError(Self.scenario(action: a + #""check": "heartbeet", "status": "critical"}"#), path: "actions[0].check", ["no check named", "heartbeat"])
        assertSingleError(Self.scenario(action: a + #""force": true, "status": "critical"}"#), path: "actions[0].force", ["only allowed"])
        assertSingleError(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/web"}"#), path: "actions[0].status", ["heartbeats"])
        assertSingleError(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/api", "status": "critical"}"#),
                          path: "actions[0].app", ["registers no TTL check", "does not have associated TTL"])
        assertSingleError(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/db", "status": "critical"}"#),
                          path: "actions[0].app", ["no Marathon app"])
        assertSingleError(Self.scenario(action: a + #""status": "critical"}"#, consul: false), path: "actions[0].kind", ["needs a \"consul\" section"])
        assertSingleError(Self.scenario(action: #"{"at": "3m", "kind": "consulKV", "key": "k", "value": "v", "status": "critical"}"#),
                          path: "actions[0].status", ["only allowed", "consulCheckUpdate"])
    }

    /// Through the loader and a run: the app stops heartbeating at 3m, both instances are critical
    /// at 3m30s (ttl 30 s), and the action's row says what was updated.
    func testARunThroughTheLoader() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(action: #"{"at": "3m", "kind": "consulCheckUpdate", "app": "/web", "check": "heartbeat", "heartbeats": false}"#)))
        let o = MemoryObserver()
        ClusterSimulation(spec: s.spec, observer: o).run()
        let expired = o.events.filter { $0.event == "consulCheck" && $0.detail == "heartbeat passing->critical" }
        XCTAssertEqual(expired.map(\.time), [.zero + .seconds(210), .zero + .seconds(210)])
        XCTAssertEqual(o.events.first { $0.component == "action" }?.detail, "actions[0]: passing on 2 TTL checks, heartbeats stop")
    }
}
