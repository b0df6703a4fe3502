import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Consul incidents replayed to their end (session 48): what consul-template does while the
/// Consul servers have no leader.
final class ConsulReplayTests: XCTestCase {
    /// The scenario keys both replays share: 3 masters, 3 Consul servers on their own hosts, `slaves`
    /// agents (and an edge host with a Consul agent), /web with 2 instances on distinct agents.
    static func cluster(slaves: Int, edges: Bool) -> String {
        let edge = edges ? #", {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}"# : ""
        let agents = edges ? #"["slave", "edge"]"# : #"["slave"]"#
        return #"""
        "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "consul", "count": 3, "cpus": 2, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": \#(slaves), "cpus": 8, "memory": "32GiB", "disk": "500GB"}\#(edge)],
         "zookeeper": {"servers": 3},
         "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256, "cmd": "./web",
                                "portDefinitions": [{"port": 0}], "constraints": [["hostname", "UNIQUE"]]}]},
         "consul": {"servers": 3, "hostGroup": "consul", "agents": \#(agents)}
        """#
    }

    /// Two agents run /web (one instance each, registered without checks); consul-template on
    /// edge-01 renders the instances into a comment. edge-01 is down 5m-8m; slave-02 dies at 5m30s
    /// (the leader marks its node critical: web 2 -> 1); two of the three Consul servers die at 6m
    /// and come back at `serversBack`: no leader in between.
    static func scenario(maxStale: String, serversBack: String, duration: String) -> String {
        #"""
        {"name": "no-leader", "seed": 3, "duration": "\#(duration)",
         \#(Self.cluster(slaves: 2, edges: true)),
         "nginx": {"hostGroup": "edge"},
         "consulTemplate": {"max_stale": "\#(maxStale)", "template": [
           {"contents": "# {{range service \"web\"}}{{.Address}}:{{.Port}} {{end}}\n", "destination": "/etc/nginx/conf.d/web.conf"}]},
         "faults": [{"at": "5m", "kind": "hostCrash", "host": "edge-01", "recoverAfter": "3m"},
                    {"at": "5m30s", "kind": "hostCrash", "host": "slave-02"},
                    {"at": "6m", "kind": "hostCrash", "host": "consul-01", "recoverAfter": "\#(serversBack)"},
                    {"at": "6m", "kind": "hostCrash", "host": "consul-02", "recoverAfter": "\#(serversBack)"}]}
        """#
    }

    func run(maxStale: String, serversBack: String, duration: String) throws -> [LoggedEvent] {
        let s = try XCTUnwrap(loadOK(Self.scenario(maxStale: maxStale, serversBack: serversBack, duration: duration)))
        let o = MemoryObserver()
        ClusterSimulation(spec: s.spec, observer: o).run()
        return o.events
    }

    /// consul-template restarted while there is no leader reads stale (max_stale 2s): the live
    /// server answers, but its last contact with a leader is minutes old, so the view drops the
    /// answer and asks the leader, which fails (`No cluster leader`, after the server's 7 s hold).
    /// The stale answer resets the retry count (watch/view.go Poll's successCh), so it retries
    /// every 7.25 s without ever exiting and renders once a leader is elected. Without the fix the
    /// server's stale answer was taken (dns_config's allow_stale decided): it rendered at 8m.
    func testARestartWithoutLeaderWaitsForTheLeaderAndNeverExits() throws {
        let e = try run(maxStale: "2s", serversBack: "6m", duration: "15m")
        let elected = try XCTUnwrap(e.last { $0.event == "consulLeaderElected" }).time.seconds
        XCTAssertGreaterThan(elected, 720, "a leader only once the servers are back")
        let rendered = e.filter { $0.event == "templateRendered" && $0.time.seconds > 480 }
        XCTAssertEqual(rendered.first.map { $0.time.seconds > elected }, true, "no render before the leader: \(rendered.first?.time.seconds ?? -1)")
        XCTAssertTrue(rendered.first?.detail.contains("web 2->1") ?? false, rendered.first?.detail ?? "none")
        // the read held when the leader is elected is forwarded to it at the server's next check
        // (rpc.go `forward`: every RandomStagger(7 s / 16)), or the next one starts within 251 ms:
        // rendered within 0.44 + 0.251 s of the election. Until session 51 the held read failed at
        // the end of the hold and the template rendered at the retry after it (5.5 s later here).
        XCTAssertLessThan((rendered.first?.time.seconds ?? .infinity) - elected, 0.4375 + 0.251)
        let retries = e.filter { $0.event == "consulTemplateRetry" && $0.time.seconds > 480 }
        XCTAssertGreaterThan(retries.count, 20, "about one per 7.25 s from 8m until the leader")
        XCTAssertTrue(retries.allSatisfy { $0.detail.contains("(No cluster leader); retry 1/12 in 250ms") }, retries.first?.detail ?? "")
        XCTAssertTrue(retries.allSatisfy { $0.detail.contains("a stale answer") })
        if retries.count > 1 {
            XCTAssertEqual(retries[1].time.seconds - retries[0].time.seconds, 7.251, accuracy: 1e-6, "hold 7 s + 250 ms + the query's 1 ms")
        }
        XCTAssertFalse(e.contains { $0.event == "consulTemplateExit" })
    }

    /// The hold is the servers' `performance.rpc_hold_timeout`: with 2s the retries come 2.251 s apart.
    func testTheHoldIsTheServersRPCHoldTimeout() throws {
        let text = Self.scenario(maxStale: "2s", serversBack: "6m", duration: "10m").replacingOccurrences(
            of: #""consul": {"servers": 3, "hostGroup": "consul", "agents": ["slave", "edge"]}"#,
            with: #""consul": {"servers": 3, "hostGroup": "consul", "agents": ["slave", "edge"], "config": {"performance": {"rpc_hold_timeout": "2s"}}}"#)
        let s = try XCTUnwrap(loadOK(text))
        XCTAssertEqual(s.spec.consul?.config.rpcHoldTimeout, .seconds(2))
        let o = MemoryObserver()
        ClusterSimulation(spec: s.spec, observer: o).run()
        let retries = o.events.filter { $0.event == "consulTemplateRetry" && $0.time.seconds > 480 }
        XCTAssertGreaterThan(retries.count, 2)
        XCTAssertEqual(retries[1].time.seconds - retries[0].time.seconds, 2.251, accuracy: 1e-6)
        assertSingleError(text.replacingOccurrences(of: #""rpc_hold_timeout": "2s""#, with: #""rpc_hold_timeout": "-2s""#),
                          path: "consul.config.performance.rpc_hold_timeout", [])
    }

    /// With max_stale 0 every read goes to the leader: none answers, nothing resets the count, and
    /// after the 12 retries of the default policy consul-template exits when the 13th read fails
    /// (8m + 13 x 7 s holds + 303.75 s of back-off + 13 x 1 ms). Until session 51 the failure was
    /// taken at the start of the server's hold: each retry line and the exit came 7 s early
    /// (exit at 867.763 s).
    func testWithoutStaleReadsConsulTemplateExitsAfterItsRetries() throws {
        let e = try run(maxStale: "0s", serversBack: "20m", duration: "30m")
        let retries = e.filter { $0.event == "consulTemplateRetry" && $0.time.seconds > 480 }
        XCTAssertEqual(retries.count, 12)
        XCTAssertTrue(retries.allSatisfy { $0.detail.contains(": Unexpected response code: 500 (No cluster leader); retry") }, retries.first?.detail ?? "")
        let exit = try XCTUnwrap(e.first { $0.event == "consulTemplateExit" })
        XCTAssertEqual(exit.time.seconds, 480 + 91 + 303.75 + 0.013, accuracy: 1e-6)
        XCTAssertTrue(exit.detail.contains("after 12 retries"), exit.detail)
        XCTAssertFalse(e.contains { $0.event == "templateRendered" && $0.time.seconds > 480 })
    }
}

/// A `consulKV` action while the servers have no leader: Consul's KV writes go through Raft, so
/// the PUT fails (`No cluster leader`), the store keeps its value and nothing renders; the same
/// PUT after the election is committed and rendered. Without the fix the write was applied and
/// rendered during the quorum loss.
final class ConsulKVWithoutLeaderTests: XCTestCase {
    func testAKVWriteWithoutLeaderFailsAndChangesNothing() throws {
        let s = try XCTUnwrap(loadOK(#"""
        {"name": "kv-no-leader", "seed": 2, "duration": "10m",
         "hostGroups": [{"name": "consul", "count": 3, "cpus": 2, "memory": "8GiB", "disk": "100GB"},
                        {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "consul": {"servers": 3, "hostGroup": "consul", "agents": ["edge"], "kv": {"app/mode": "a"}},
         "nginx": {"hostGroup": "edge"},
         "consulTemplate": {"template": [{"contents": "# {{ key \"app/mode\" }}\n", "destination": "/etc/nginx/conf.d/m.conf"}]},
         "faults": [{"at": "1m", "kind": "hostCrash", "host": "consul-01", "recoverAfter": "3m"},
                    {"at": "1m", "kind": "hostCrash", "host": "consul-02", "recoverAfter": "3m"}],
         "actions": [{"at": "2m", "kind": "consulKV", "key": "app/mode", "value": "b"},
                     {"at": "3m", "kind": "consulKV", "key": "app/mode", "delete": true},
                     {"at": "6m", "kind": "consulKV", "key": "app/mode", "value": "c"}]}
        """#))
        let o = MemoryObserver()
        ClusterSimulation(spec: s.spec, observer: o).run()
        let actions = o.events.filter { $0.component == "action" }.map(\.detail)
        XCTAssertEqual(actions, [
            #"actions[0]: set "b"; failed: Error! Failed writing data: Unexpected response code: 500 (No cluster leader)"#,
            "actions[1]: delete; failed: Error! Did not delete key app/mode: Unexpected response code: 500 (No cluster leader)",
            #"actions[2]: set "c""#])
        let rendered = o.events.filter { $0.event == "templateRendered" }
        XCTAssertEqual(rendered.map { $0.time.seconds }, [360.001], "only the write with a leader renders")
        let elected = o.events.filter { $0.event == "consulLeaderElected" }.map(\.time.seconds)
        XCTAssertTrue(elected.contains { $0 > 240 && $0 < 360 }, "\(elected)")
    }
}

/// An agent's change made while the servers have no leader (a task killed during a quorum loss:
/// its deregistration waits in the agent's local state) reaches the catalog when the quorum is
/// back, not at the agent's next periodic anti-entropy sync: the server that rejoins triggers a
/// full sync on every agent within RandomStagger(3 s) (ServerUp → SyncFull, agent/ae/ae.go
/// serverUpIntv), and a sync the servers hold (rpc_hold_timeout, 7 s) goes through as soon as a
/// leader is elected. Without it the deregistration came a periodic sync later (1-2 min).
final class ConsulSyncAfterQuorumTests: XCTestCase {
    func testAChangeWaitingForALeaderIsSyncedWhenTheQuorumIsBack() throws {
        for seed in [1, 2, 3, 4] as [UInt64] {
            let s = try XCTUnwrap(loadOK(#"""
            {"name": "sync-after-quorum", "seed": \#(seed), "duration": "8m",
             \#(ConsulReplayTests.cluster(slaves: 3, edges: false)),
             "faults": [{"at": "2m", "kind": "hostCrash", "host": "consul-01", "recoverAfter": "2m"},
                        {"at": "2m", "kind": "hostCrash", "host": "consul-02", "recoverAfter": "2m"}],
             "actions": [{"at": "3m", "kind": "killTasks", "app": "/web", "count": 1}]}
            """#))
            let o = MemoryObserver()
            ClusterSimulation(spec: s.spec, observer: o).run()
            let elected = try XCTUnwrap(o.events.last { $0.event == "consulLeaderElected" }).time.seconds
            XCTAssertGreaterThan(elected, 240, "seed \(seed)")
            let killed = try XCTUnwrap(o.events.first { $0.event == "TASK_KILLED" }, "seed \(seed)")
            XCTAssertLessThan(killed.time.seconds, 240)
            let gone = try XCTUnwrap(o.events.first { $0.event == "consulServiceDeregistered" }, "seed \(seed)")
            XCTAssertTrue(gone.subject.contains(killed.subject), "\(gone.subject) \(killed.subject)")
            // at the election when the agent's sync (4m + < 3 s) was held for it, else at that sync
            XCTAssertGreaterThanOrEqual(gone.time.seconds, elected, "seed \(seed)")
            XCTAssertLessThanOrEqual(gone.time.seconds, max(elected, 243), "seed \(seed): \(gone.time.seconds), elected \(elected)")
        }
    }
}
