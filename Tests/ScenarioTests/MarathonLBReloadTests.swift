@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// marathon-lb's failed reloads (`marathonLB.reloadFailures`, marathon_lb.py reloadConfig and
/// writeConfigAndValidate): the retry loop spaced by `--reload-interval`, giving up after
/// `--max-reload-retries`, the old HAProxy serving the old configuration meanwhile and after.
/// The scenario is MarathonLBTests' (2 tasks of /shop/web, scaled to 3 at 5m) with a second scale
/// to 4 at 25m.
final class MarathonLBReloadTests: XCTestCase {
    static func scenario(_ lbExtra: String, flags: String = "{}") -> String {
        MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "flags": \#(flags)\#(lbExtra)}"#, duration: "40m")
            .replacingOccurrences(of: #""actions": [{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}]"#,
                                  with: #""actions": [{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}, {"at": "25m", "kind": "scale", "app": "/shop/web", "instances": 4}]"#)
    }

    func model(_ text: String) throws -> (ClusterSimulation, MemoryObserver, MarathonLB) {
        let s = try XCTUnwrap(loadOK(text))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        return (m, o, try XCTUnwrap(m.subsystem(MarathonLB.self)))
    }

    func run(_ m: ClusterSimulation, until t: SimDuration) { m.run { m.sim.now >= SimTime.zero + t } }

    func servers(_ lb: MarathonLB, _ i: Int) -> Int? { lb.instances[i].configs.last?.backends.first?.servers.count }

    /// lb-01's new HAProxy does not start from 4m to 14m. The scale at 5m: the first reload fails,
    /// the command is re-run every 10 s (9 retries), and at the 10th checkpoint (100 s) marathon-lb
    /// gives up. Each attempt drops SYNs for 0.1 s (HAProxy 1.7). lb-01 keeps serving the 2 old
    /// servers; the file on disk has 3, so after the window the 300 s resets reload nothing: still
    /// 2 at 24m. The scale to 4 at 25m changes the text, and that reload succeeds.
    func testHAProxyThatDoesNotStartIsRetriedEveryIntervalThenGivenUp() throws {
        let (m, o, lb) = try model(Self.scenario(#", "reloadFailures": [{"at": "4m", "for": "10m", "kind": "haproxyStart", "hosts": ["lb-01"]}]"#))
        run(m, until: .minutes(4))
        XCTAssertEqual(servers(lb, 0), 2)
        let reloads0 = lb.instances[0].reloads
        run(m, until: .minutes(9))
        let retries = o.events.filter { $0.event == "haproxyReloadRetry" && $0.subject == "lb-01" }.map(\.time)
        XCTAssertEqual(retries.count, 9, "--max-reload-retries 10: the first run and 9 more")
        for (a, b) in zip(retries, retries.dropFirst()) { XCTAssertEqual(b - a, .seconds(10), "--reload-interval 10") }
        let failed = o.events.filter { $0.event == "haproxyReloadFailed" }
        XCTAssertEqual(failed.map(\.subject), ["lb-01"])
        XCTAssertEqual(try XCTUnwrap(failed.first).time - retries[0], .seconds(90), "given up at the 10th checkpoint, 100 s after the first run")
        XCTAssertEqual(lb.instances[0].reloadRetries, 9)
        XCTAssertEqual(lb.instances[0].reloadFailures, 1)
        XCTAssertEqual(lb.instances[0].reloads, reloads0, "no new HAProxy: no reload")
        XCTAssertEqual(servers(lb, 0), 2, "the old process serves the old configuration: the new task is not routed")
        XCTAssertEqual(servers(lb, 1), 3, "lb-02 reloaded")
        XCTAssertTrue(lb.instances[0].stale)
        XCTAssertFalse(lb.instances[1].stale)
        XCTAssertEqual(lb.instances[0].gapUntil - lb.instances[0].gapFrom, MarathonLB.synDropBeforeReload, "each attempt's SYN drop")
        run(m, until: .minutes(24))
        XCTAssertEqual(servers(lb, 0), 2, "the file on disk already has 3 servers: the resets find it unchanged")
        XCTAssertEqual(lb.instances[0].reloads, reloads0)
        XCTAssertTrue(lb.instances[0].stale)
        run(m, until: .minutes(30))
        XCTAssertEqual(servers(lb, 0), 4, "the next change reloads, and HAProxy starts again")
        XCTAssertFalse(lb.instances[0].stale)
        let h = Dictionary(uniqueKeysWithValues: lb.headline().map { ($0.key, $0.value) })
        XCTAssertEqual(h["haproxy_reload_failures"], .int(1))
    }

    /// --max-reload-retries 0: reloadConfig never retries and waits for a new pid forever; the
    /// event processor is stuck, so lb-01 regenerates nothing more, even after the window.
    func testNoRetriesWaitsForeverAndRegeneratesNothingMore() throws {
        let (m, o, lb) = try model(Self.scenario(#", "reloadFailures": [{"at": "4m", "for": "2m", "hosts": ["lb-01"]}]"#,
                                                  flags: #"{"--max-reload-retries": 0}"#))
        run(m, until: .minutes(8))
        let regenerations = lb.instances[0].regenerations
        XCTAssertEqual(lb.instances[0].reloadFailures, 1)
        XCTAssertEqual(o.events.filter { $0.event == "haproxyReloadRetry" }.count, 0)
        m.run()
        XCTAssertEqual(lb.instances[0].regenerations, regenerations, "stuck in reloadConfig's loop")
        XCTAssertEqual(servers(lb, 0), 2)
        XCTAssertEqual(servers(lb, 1), 4)
    }

    /// The reload command exits non-zero: no retry, no SYN drop (the script did not run).
    func testFailingReloadCommandGivesUpAtOnce() throws {
        let (m, o, lb) = try model(Self.scenario(#", "reloadFailures": [{"at": "4m", "for": "10m", "kind": "reloadCommand", "hosts": ["lb-01"]}]"#))
        run(m, until: .minutes(4))
        let gapFrom = lb.instances[0].gapFrom
        run(m, until: .minutes(20))
        XCTAssertEqual(lb.instances[0].reloadFailures, 1)
        XCTAssertEqual(lb.instances[0].reloadRetries, 0)
        XCTAssertEqual(o.events.filter { $0.event == "haproxyReloadRetry" }.count, 0)
        XCTAssertEqual(lb.instances[0].gapFrom, gapFrom)
        XCTAssertEqual(servers(lb, 0), 2)
        XCTAssertTrue(lb.instances[0].stale)
    }

    /// `haproxy -c` refuses the candidates with /shop/web's backend from 4m to 8m: nothing is
    /// written, so the next regeneration after the window (the 300 s reset) tries again and reloads.
    /// With --skip-validation the file reaches HAProxy, which then does not start: retries.
    func testInvalidConfigurationIsNotWrittenAndTheNextRegenerationReloads() throws {
        let window = #", "reloadFailures": [{"at": "4m", "for": "4m", "kind": "validation", "app": "/shop/web"}]"#
        let (m, o, lb) = try model(Self.scenario(window))
        run(m, until: .minutes(7) + .seconds(59))
        XCTAssertEqual(servers(lb, 0), 2); XCTAssertEqual(servers(lb, 1), 2)
        XCTAssertGreaterThanOrEqual(lb.instances[0].invalidConfigs, 1)
        XCTAssertEqual(lb.instances[0].reloadRetries, 0)
        XCTAssertTrue(lb.instances.allSatisfy(\.stale))
        XCTAssertFalse(o.events.filter { $0.event == "haproxyConfigInvalid" }.isEmpty)
        run(m, until: .minutes(14))
        XCTAssertEqual(servers(lb, 0), 3, "the file was never replaced: a later regeneration differs and reloads")
        XCTAssertFalse(lb.instances[0].stale)
        XCTAssertEqual(lb.totalReloadFailures, lb.instances.reduce(0) { $0 + $1.invalidConfigs })

        let (m2, _, lb2) = try model(Self.scenario(window, flags: #"{"--skip-validation": true}"#))
        run(m2, until: .minutes(7) + .seconds(59))
        XCTAssertEqual(lb2.instances[0].invalidConfigs, 0)
        XCTAssertGreaterThan(lb2.instances[0].reloadRetries, 0, "not validated: the new HAProxy refuses the file and does not start")
        XCTAssertEqual(servers(lb2, 0), 2)
    }

    func testBadReloadFailuresAreRefusedWithTheirPath() {
        func s(_ w: String) -> String { Self.scenario(#", "reloadFailures": [\#(w)]"#) }
        assertSingleError(s(#"{"at": "1h", "kind": "haproxyStart"}"#), path: "marathonLB.reloadFailures[0].at", ["after the end of the run"])
        assertSingleError(s(#"{"at": "1m", "kind": "crash"}"#), path: "marathonLB.reloadFailures[0].kind", ["haproxyStart"])
        assertSingleError(s(#"{"at": "1m", "hosts": ["slave-01"]}"#), path: "marathonLB.reloadFailures[0].hosts[0]", ["runs no marathon-lb", "lb-01"])
        assertSingleError(s(#"{"at": "1m", "app": "/shop/web"}"#), path: "marathonLB.reloadFailures[0].app", ["validation"])
        assertSingleError(s(#"{"at": "1m", "kind": "validation", "app": "/shop/webb"}"#), path: "marathonLB.reloadFailures[0].app", ["unknown Marathon app"])
        assertSingleError(s(#"{"at": "1m", "for": "0s"}"#), path: "marathonLB.reloadFailures[0].for", ["greater than 0"])
        assertSingleError(s(#"{"for": "1m"}"#), path: "marathonLB.reloadFailures[0].at", ["missing"])
        assertSingleError(s(#"{"at": "1m", "until": "2m"}"#), path: "marathonLB.reloadFailures[0].until", [])
    }
}
