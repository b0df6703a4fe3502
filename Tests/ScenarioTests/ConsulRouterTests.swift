import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// A client agent's server (agent/router manager: one server at a time) dies under it: the
/// blocking query consul-template has open through its agent hangs on the dead connection until
/// the agent's yamux keepalive fails, U[10 s, 40 s) after the crash, then consul-template gets the
/// error, retries 250 ms later and its agent asks another server (docs/consul.md, "A client's server").
final class ConsulRouterTests: XCTestCase {
    static let scenario = #"""
    {"name": "router", "duration": "7m",
     \#(ConsulReplayTests.cluster(slaves: 2, edges: true)),
     "nginx": {"hostGroup": "edge"},
     "consulTemplate": {"template": [
       {"contents": "# {{range service \"web\"}}{{.Address}}:{{.Port}} {{end}}\n", "destination": "/etc/nginx/conf.d/web.conf"}]},
     "faults": [{"at": "5m", "kind": "hostCrash", "host": "consul-01"}],
     "actions": [{"at": "5m5s", "kind": "killTasks", "app": "/web", "scale": true}]}
    """#

    /// Over 16 seeds, edge-01's agent used consul-01 in some (probability 1/3 each): there the
    /// change committed at 5m5s (or at the election, when consul-01 led) reaches the file only
    /// after the keepalive's failure + 250 ms; in the others 1 ms after the commit. Mutation: the
    /// stall dropped from `issue` (the model until session 52: every client read the cluster as a
    /// whole): no seed has the retry row and every render comes 1 ms after the commit.
    func testAQueryOnACrashedServerWaitsForTheKeepalive() throws {
        var stalled = 0, late = 0, plain = 0
        for seed in UInt64(1)...16 {
            let s = try XCTUnwrap(loadOK(Self.scenario, seedOverride: seed))
            let o = MemoryObserver()
            ClusterSimulation(spec: s.spec, observer: o).run()
            let e = o.events
            let committed = try XCTUnwrap(e.first { $0.event == "consulServiceDeregistered" && $0.time.seconds >= 305 }, "seed \(seed)").time.seconds
            let rendered = try XCTUnwrap(e.first { $0.event == "templateRendered" && $0.time.seconds >= 300 && $0.detail.contains("edge-01") }, "seed \(seed)")
            XCTAssertTrue(rendered.detail.contains("web 2->1"), rendered.detail)
            if let retry = e.first(where: { $0.event == "consulTemplateRetry" && $0.subject == "edge-01" && $0.time.seconds >= 300 }) {
                stalled += 1
                XCTAssertTrue(retry.detail.contains("its server on consul-01") && retry.detail.contains("keepalive") && retry.detail.contains("retry 1/12 in 250ms"), retry.detail)
                let hang = retry.time.seconds - 300
                XCTAssertGreaterThanOrEqual(hang, 10, "seed \(seed)"); XCTAssertLessThan(hang, 40, "seed \(seed)")
                XCTAssertEqual(rendered.time.seconds, max(retry.time.seconds + 0.251, committed + 0.001), accuracy: 1e-6, "seed \(seed)")
                if committed + 0.001 < retry.time.seconds { late += 1 }
            } else {
                plain += 1
                XCTAssertEqual(rendered.time.seconds, committed + 0.001, accuracy: 1e-6, "seed \(seed)")
            }
        }
        XCTAssertGreaterThan(stalled, 0); XCTAssertGreaterThan(late, 0, "a change committed during the hang reaches the file late")
        XCTAssertGreaterThan(plain, 0)
        print("ConsulRouterTests: \(stalled) of 16 seeds on the crashed server (\(late) rendered late), \(plain) not")
    }

    /// A server rebooted in order (SIGTERM) closes its connections: the query fails at once and the
    /// agent asks another server, so nothing hangs. Mutation: the stall for reboots too: the retry
    /// rows come back.
    func testAnOrderlyRebootOfTheServerDoesNotHang() throws {
        let text = Self.scenario.replacingOccurrences(of: #"{"at": "5m", "kind": "hostCrash", "host": "consul-01"}"#,
                                                      with: #"{"at": "5m", "kind": "hostReboot", "host": "consul-01"}"#)
        XCTAssertNotEqual(text, Self.scenario)
        for seed in UInt64(1)...16 {
            let s = try XCTUnwrap(loadOK(text, seedOverride: seed))
            let o = MemoryObserver()
            ClusterSimulation(spec: s.spec, observer: o).run()
            XCTAssertFalse(o.events.contains { $0.event == "consulTemplateRetry" && $0.detail.contains("keepalive") }, "seed \(seed)")
        }
    }
}
