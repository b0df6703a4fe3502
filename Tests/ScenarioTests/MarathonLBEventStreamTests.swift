@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// marathon-lb's event stream and its reads of Marathon's API across a Marathon leader failover
/// (marathon_lb.py `__main__`, Marathon.get_event_stream / api_req_raw, utils.py
/// CurlHttpEventStream at the release tags; docs/marathon-lb.md "The event stream").
final class MarathonLBEventStreamTests: XCTestCase {
    /// MarathonLBTests' scenario (/shop/web 2 tasks with an HTTP check, scaled to 3 at 6m, once
    /// the new leader runs) at marathon-lb `version`, the leading Marathon's host crashing at 4m50s.
    static func scenario(version: String, flags: String = "{}", recoverAfter: String? = nil, duration: String = "12m") -> String {
        let fault = #"[{"at": "4m50s", "kind": "hostCrash", "role": "marathon-leader"\#(recoverAfter.map { #", "recoverAfter": "\#($0)""# } ?? "")}]"#
        return MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb", "group": "external"}], "version": "\#(version)", "flags": \#(flags)}"#,
                                        duration: duration, faults: fault)
            .replacingOccurrences(of: #"{"at": "5m", "kind": "scale""#, with: #"{"at": "6m", "kind": "scale""#)
    }

    func model(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (ClusterSimulation, MemoryObserver, MarathonLB)? {
        guard let s = loadOK(text, file: file, line: line) else { return nil }
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        guard let lb = m.subsystem(MarathonLB.self) else { XCTFail("no marathon-lb", file: file, line: line); return nil }
        return (m, o, lb)
    }
    func run(_ m: ClusterSimulation, until t: SimDuration) { m.run { m.sim.now >= SimTime.zero + t } }

    /// Servers of /shop/web in the configuration instance 0 runs.
    func webServers(_ lb: MarathonLB) -> Int {
        lb.instances[0].configs.last?.backends.first { $0.name == "shop_web_10080" }?.servers.count ?? 0
    }

    /// The leader's host crashes: no FIN, the stream goes silent, and marathon-lb learns of it only
    /// when curl's LOW_SPEED_TIME (300 s) trips (error 28: reconnect at once, from 1.11.2 with a
    /// full resync). The scale to 3 at 6m (its status updates, its health event) comes from the
    /// new leader meanwhile and is not seen: no regeneration in the window but the one 300 s reset.
    func testACrashedLeaderSilencesTheStreamForLowSpeedTime() throws {
        let (m, o, lb) = try XCTUnwrap(model(Self.scenario(version: "1.14.2")))
        run(m, until: .seconds(291))
        XCTAssertFalse(lb.instances[0].stream.connected)
        let before = lb.instances[0].regenerations
        run(m, until: .seconds(589))
        XCTAssertEqual(m.subsystem(MarathonScheduler.self)?.leaderReady, true, "the new leader runs (and sends events) meanwhile")
        XCTAssertEqual(lb.marathon.apps[0].instances.filter { $0.state == .running }.count, 3)
        XCTAssertLessThanOrEqual(lb.instances[0].regenerations - before, 1, "only the processor's 300 s reset")
        XCTAssertEqual(webServers(lb), 2)
        run(m, until: .seconds(591))
        let lost = try XCTUnwrap(o.events.first { $0.event == "eventStreamLost" && $0.subject == "lb-01" })
        XCTAssertEqual(lost.time, SimTime.zero + .seconds(590))
        XCTAssertTrue(lost.detail.contains("curl error 28"), lost.detail)
        XCTAssertTrue(o.events.contains { $0.event == "eventStreamConnected" && $0.subject == "lb-01" && $0.time == SimTime.zero + .seconds(590) })
        XCTAssertEqual(webServers(lb), 3, "the reconnect's reset_from_tasks read the scale")
    }

    /// Before 1.11.2 the processor stops with the stream and a new one starts with the next
    /// without a resync; a stream that ended by an error waits random() * 4.5 s.
    func testBefore1112TheReconnectDoesNotResync() throws {
        for v in ["1.11.0", "1.14.2"] {
            let (m, o, lb) = try XCTUnwrap(model(Self.scenario(version: v)), v)
            run(m, until: .seconds(589))
            let before = lb.instances[0].regenerations
            run(m, until: .seconds(590) + .milliseconds(1))
            let atReconnect = lb.instances[0].regenerations
            run(m, until: .seconds(596))
            let connected = try XCTUnwrap(o.events.first { $0.event == "eventStreamConnected" && $0.subject == "lb-01" }, v)
            let lost = try XCTUnwrap(o.events.first { $0.event == "eventStreamLost" && $0.subject == "lb-01" }, v)
            if v == "1.11.0" {
                XCTAssertGreaterThan(connected.time, lost.time, "an exception: random() * 4.5 s")
                XCTAssertLessThan(connected.time, lost.time + .seconds(5))
                XCTAssertEqual(lb.instances[0].regenerations, before, "no reset at the reconnect")
                XCTAssertEqual(atReconnect, before)
                XCTAssertEqual(webServers(lb), 2)
            } else {
                XCTAssertEqual(connected.time, lost.time, "error 28: at once")
                XCTAssertEqual(atReconnect, before + 1, "processor.start(): reset_from_tasks")
            }
        }
    }

    /// api_req_raw before 1.13.0 raises on a connection error to the first `--marathon` URL, so
    /// with master-01 down marathon-lb regenerates nothing until it is back (the stream on the
    /// next URL is fine); from 1.13.0 it tries the next URL.
    func testADownFirstMarathonURLBlocksRegenerationBefore113() throws {
        let flags = #"{"--marathon": ["http://master-01:8080", "http://master-02:8080", "http://master-03:8080"]}"#
        for v in ["1.12.3", "1.13.0"] {
            let (m, o, lb) = try XCTUnwrap(model(Self.scenario(version: v, flags: flags, recoverAfter: "10m", duration: "16m")), v)
            XCTAssertEqual(lb.marathonHosts.count, 3)
            run(m, until: .minutes(14))
            XCTAssertEqual(lb.marathon.apps[0].instances.filter { $0.state == .running }.count, 3, v)
            if v == "1.12.3" {
                XCTAssertEqual(webServers(lb), 2, "every GET /v2/apps raised on master-01")
                XCTAssertTrue(o.events.contains { $0.event == "marathonUnreachable" }, v)
                run(m, until: .minutes(15) + .seconds(30))
                XCTAssertEqual(webServers(lb), 3, "master-01 back at 14m50s")
            } else {
                XCTAssertEqual(webServers(lb), 3, v)
            }
        }
    }

    /// waitSeconds grows 1.5x per wait and stops at `--max-backoff` (1.13.0; 300 before).
    func testTheWaitStopsAtMaxBackoff() throws {
        for (v, flags, cap) in [("1.13.0", #"{"--max-backoff": 20}"#, 20.0), ("1.12.3", "{}", 300.0)] {
            let (m, _, lb) = try XCTUnwrap(model(Self.scenario(version: v, flags: flags)), v)
            run(m, until: .seconds(30))
            for _ in 0..<30 { lb.streamEnded(0, .error, why: "test") }
            XCTAssertEqual(lb.instances[0].stream.wait, cap, v)
        }
    }

    func testTheNewFlagsDecodeAndBadValuesNameTheirPath() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(version: "1.13.0", flags: #"{"-m": ["http://master-02:8080/", "https://user:pw@marathon.mesos:8443"], "--max-backoff": "60"}"#))?.spec.marathonLB)
        XCTAssertEqual(s.flags.marathonHosts, ["master-02", "marathon.mesos"])
        XCTAssertEqual(s.flags.maxBackoff, 60)
        for (flags, path, text) in [(#"{"--max-backoff": 100000}"#, "marathonLB.flags.--max-backoff", "0..86400"),
                                    (#"{"--marathon": "master-01:8080"}"#, "marathonLB.flags.--marathon", "MissingSchema"),
                                    (#"{"--marathon": ["http://master-01:8080", "http://"]}"#, "marathonLB.flags.--marathon[1]", "MissingSchema")] {
            let errs = loadErrors(Self.scenario(version: "1.13.0", flags: flags))
            XCTAssertEqual(errs.count, 1, "\(errs)")
            XCTAssertEqual(errs.first?.path, path)
            XCTAssertTrue(errs.first?.message.contains(text) ?? false, "\(errs)")
        }
    }

    /// A state Marathon learns later than the master records it is an event when Marathon learns
    /// it. marathon-lb-releases with marathon-lb 1.11.0, the Marathon leader's host crashing at
    /// 4m50s and slave-02 at 5m: the new Mesos master never sees slave-02 re-register and marks it
    /// unreachable after agent_reregister_timeout without knowing its tasks; Marathon finds them
    /// unreachable at its reconciliation (917.005 s) and publishes `status_update_event` then, so
    /// marathon-lb regenerates at once (it waited for its 300 s reset, 1191 s, while it reacted only
    /// to the master's records).
    func testAStateMarathonLearnsByReconciliationTriggersARegeneration() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scenarios/marathon-lb-releases.json").standardized.path
        let spec = try ScenarioLoader.load(path: path, overrides: [
            "marathonLB.version=1.11.0",
            #"faults=[{"at":"4m50s","kind":"hostCrash","role":"marathon-leader"},{"at":"5m","kind":"hostCrash","host":"slave-02"}]"#]).spec
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: spec, observer: o)
        _ = m.run { m.sim.now >= SimTime.zero + .seconds(1000) }
        let unreachable = try XCTUnwrap(o.events.first { $0.event == "instanceUnreachable" })
        XCTAssertFalse(o.events.contains { $0.event == "TASK_UNREACHABLE" && $0.time == unreachable.time }, "no record by the master then")
        let reload = try XCTUnwrap(o.events.first { $0.event == "haproxyReloaded" && $0.time >= unreachable.time })
        XCTAssertLessThan(reload.time.seconds - unreachable.time.seconds, 1, "regenerated and reloaded at once")
    }
}
