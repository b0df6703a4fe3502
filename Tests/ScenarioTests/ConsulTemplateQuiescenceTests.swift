import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// consul-template's quiescence with several templates (hashicorp/consul-template manager/runner.go
/// `Run` ticks every template's timer on every run; `quiescence.tick` cannot recall a timer that has
/// fired). Found by the held-out check of consul-template issue #998 (docs/heldout-discovery.md).
final class ConsulTemplateQuiescenceTests: XCTestCase {
    static func scenario(_ second: String) -> String {
        #"""
        {"name": "quiescence", "seed": 1, "duration": "2m",
         "hostGroups": [{"name": "consul", "count": 3, "cpus": 2, "memory": "8GiB", "disk": "100GB"},
                        {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "consul": {"servers": 3, "hostGroup": "consul", "agents": ["edge"], "kv": {"folder/test": "bar"}},
         "nginx": {"hostGroup": "edge"},
         "consulTemplate": {"template": [
           {"contents": "# {{ key \"folder/test\" }}\n", "destination": "/etc/nginx/conf.d/a.conf", "wait": {"min": "2s", "max": "8s"}},
           {"contents": \#(second), "destination": "/etc/nginx/conf.d/b.conf", "wait": {"min": "2s", "max": "8s"}}]},
         "actions": [{"at": "60s", "kind": "consulKV", "key": "folder/test", "value": "baz"}]}
        """#
    }

    func writes(_ second: String) throws -> [(String, SimDuration)] {
        let s = try XCTUnwrap(loadOK(Self.scenario(second)))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        return o.events.filter { $0.event == "templateRendered" }.map { ($0.subject, $0.time - SimTime.zero) }
    }

    /// Both templates read the key that changes: both timers start at the change and fire at the
    /// same instant, min later. The first one's run ticks the second's timer, which has fired
    /// already: both files are written at 62 s (the change at 60 s, its query back 1 ms later).
    func testTwoTemplatesWhoseTimersFireTogetherBothRenderThen() throws {
        let w = try writes(##""# {{ key \"folder/test\" }} b\n""##)
        XCTAssertEqual(w.map(\.0), ["/etc/nginx/conf.d/a.conf", "/etc/nginx/conf.d/b.conf"])
        XCTAssertEqual(w.map(\.1), [.seconds(62) + .milliseconds(1), .seconds(62) + .milliseconds(1)],
                       "both render min after the change, none is snoozed by the other's run")
    }

    /// Issue #998's pair: a key template and one that prints `timestamp "unix"`. After one change the
    /// runner never rests: each timer that fires runs every template and starts the other's fresh
    /// timer, so the two render in turn every `min` and each one every 2 x `min`; the timestamp
    /// file is written at 62, 66, 70 ... s.
    func testIssue998LoopRendersEachTemplateEveryTwoMin() throws {
        let w = try writes(##""# {{ timestamp \"unix\" }}\n""##).filter { $0.0.hasSuffix("b.conf") }.map(\.1)
        XCTAssertEqual(Array(w.prefix(4)), [62, 66, 70, 74].map { .seconds($0) + .milliseconds(1) })
    }
}
