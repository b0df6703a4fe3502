@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// The `marathonLB` section and marathon-lb's behaviour over a run: regeneration on Marathon's
/// events with marathon_lb.py's coalescing, no reload when nothing changed, the reload gap.
final class MarathonLBTests: XCTestCase {
    static func scenario(lb: String = #"{"instances": [{"hostGroup": "lb", "group": "external"}]}"#, webLabels: String = #""HAPROXY_GROUP": "external""#,
                         duration: String = "10m", faults: String = "[]") -> String {
        #"""
        {"name": "mlb", "duration": "\#(duration)", "seed": 7,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                        {"name": "lb", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB", "attributes": {"role": "lb"}}],
         "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
         "marathon": {"version": "1.4", "apps": [
           {"id": "/shop/web", "instances": 2, "cpus": 0.5, "mem": 512, "constraints": [["role", "UNLIKE", "lb"]],
            "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
              "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10080, "protocol": "tcp"}]}},
            "labels": {\#(webLabels)},
            "healthChecks": [{"protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 60,
              "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]}]},
         "marathonLB": \#(lb),
         "actions": [{"at": "5m", "kind": "scale", "app": "/shop/web", "instances": 3}], "faults": \#(faults)}
        """#
    }

    func model(_ text: String) -> (ClusterSimulation, MemoryObserver, MarathonLB)? {
        guard let s = loadOK(text) else { return nil }
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        guard let lb = m.subsystem(MarathonLB.self) else { XCTFail("no marathon-lb"); return nil }
        return (m, o, lb)
    }

    /// Runs until the first event at or after `t`.
    func run(_ m: ClusterSimulation, until t: SimDuration) {
        m.run { m.sim.now >= SimTime.zero + t }
    }

    // MARK: decoding

    func testSectionDecodesWithMarathonLBsDefaults() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario())?.spec.marathonLB)
        XCTAssertEqual(s.instances, [MarathonLBInstanceSpec(hosts: ["lb-01", "lb-02"], hostGroup: "lb", group: "external")])
        XCTAssertEqual(s.flags, MarathonLBFlags())
        XCTAssertFalse(s.flags.healthCheck); XCTAssertFalse(s.flags.strictMode)
        XCTAssertEqual(s.flags.reloadInterval, 10); XCTAssertEqual(s.flags.maxReloadRetries, 10)
        XCTAssertEqual(s.mode, .sse); XCTAssertEqual(s.pollInterval, .seconds(60))
        XCTAssertFalse(s.seamlessReload)
        let t = try XCTUnwrap(loadOK(Self.scenario(lb: #"{"instances": [{"hosts": ["lb-02"]}], "flags": {"--health-check": true, "--strict-mode": true}, "mode": "poll", "pollInterval": "30s", "haproxyVersion": "1.8", "version": "1.12"}"#))?.spec.marathonLB)
        XCTAssertEqual(t.instances.map(\.hosts), [["lb-02"]])
        XCTAssertTrue(t.flags.healthCheck && t.flags.strictMode && t.seamlessReload)
        XCTAssertEqual(t.mode, .poll); XCTAssertEqual(t.pollInterval, .seconds(30))
    }

    func testBadInputIsRefusedWithItsPath() {
        func lb(_ s: String) -> String { Self.scenario(lb: s) }
        let unknownFlag = loadErrors(lb(#"{"instances": [{"hostGroup": "lb"}], "flags": {"--health-checks": true}}"#))
        XCTAssertEqual(unknownFlag.count, 1, "\(unknownFlag)")
        XCTAssertTrue(unknownFlag.first?.path.contains("--health-checks") == true && unknownFlag.first?.path.hasPrefix("marathonLB.flags") == true, "\(unknownFlag)")
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lb"}], "flags": {"--reload-interval": -1}}"#), path: "marathonLB.flags.--reload-interval", [])
        assertSingleError(lb(#"{"instances": [{"hosts": ["lb-09"]}]}"#), path: "marathonLB.instances[0].hosts[0]", ["unknown host", "lb-09"])
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lbs"}]}"#), path: "marathonLB.instances[0].hostGroup", ["unknown host group"])
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lb"}], "haproxyVersion": "1.x"}"#), path: "marathonLB.haproxyVersion", ["major.minor"])
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lb"}], "mode": "push"}"#), path: "marathonLB.mode", ["sse", "poll"])
        assertSingleError(lb(#"{"instances": []}"#), path: "marathonLB.instances", [])
        // at most 4096 instances in all (a run's cost grows with their number): 2 + 4095 hosts is refused, 2 + 4094 loads
        let many = (1...4095).map { "\"lb-\(String(format: "%02d", ($0 % 2) + 1))\"" }.joined(separator: ", ")
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lb"}, {"hosts": [\#(many)]}]}"#), path: "marathonLB.instances", ["4097 marathon-lb instances", "at most 4096"])
        XCTAssertNotNil(loadOK(lb(#"{"instances": [{"hostGroup": "lb"}, {"hosts": [\#(many.components(separatedBy: ", ").dropFirst().joined(separator: ", "))]}]}"#)))
        assertSingleError(lb(#"{"instances": [{"hostGroup": "lb"}], "flags": {"--min-serv-port-ip-per-task": 20000}}"#),
                          path: "marathonLB.flags.--min-serv-port-ip-per-task", ["cannot set"])
        // marathon-lb's refusals of labels, at the label
        assertSingleError(Self.scenario(webLabels: #""HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "ten""#),
                          path: "marathon.apps[/shop/web].labels.HAPROXY_0_PORT", ["\"ten\"", "1..65535"])
        assertSingleError(Self.scenario(webLabels: #""HAPROXY_0_MODE": "udp""#), path: "marathon.apps[/shop/web].labels.HAPROXY_0_MODE", ["http or tcp"])
        assertSingleError(Self.scenario(webLabels: #""HAPROXY_0_BALANCE": "fastest""#), path: "marathon.apps[/shop/web].labels.HAPROXY_0_BALANCE", ["roundrobin"])
        // with the label's file and line (clustersim-fuzz string-hostile found them missing)
        let vhost = assertSingleError(Self.scenario(webLabels: #""HAPROXY_0_VHOST": "shop.example.com\uFFFF""#),
                                      path: "marathon.apps[/shop/web].labels.HAPROXY_0_VHOST", ["comma-separated host names"])
        XCTAssertNotNil(vhost?.line, "\(String(describing: vhost))")
    }

    // MARK: behaviour

    /// A burst of events while idle: one regeneration at once and one for the pending flag;
    /// neither reloads, since the text did not change. Quiet afterwards: one reset per 300 s.
    func testBurstsCoalesceAndAnUnchangedConfigurationIsNotReloaded() throws {
        let (m, _, lb) = try XCTUnwrap(model(Self.scenario(duration: "40m")))
        run(m, until: .minutes(7))
        let regen0 = lb.instances.map(\.regenerations), reloads0 = lb.instances.map(\.reloads)
        XCTAssertTrue(lb.instances.allSatisfy { !$0.busy && $0.configs.last?.frontends.count == 1 })
        for k in 0..<50 { lb.receive(.appScaled(app: 0, from: 3, to: 3 + k % 2)) }
        run(m, until: .minutes(7) + .seconds(30))
        XCTAssertEqual(lb.instances.map(\.regenerations), regen0.map { $0 + 2 }, "50 events: the regeneration they started and the pending one")
        XCTAssertEqual(lb.instances.map(\.reloads), reloads0, "the same text: no reload")
        let handled = lb.eventsHandled
        run(m, until: .minutes(37) + .seconds(30))
        XCTAssertEqual(lb.instances.map(\.regenerations), regen0.map { $0 + 2 + 6 }, "30 quiet minutes: the 300 s reset, 6 times")
        XCTAssertEqual(lb.instances.map(\.reloads), reloads0)
        XCTAssertEqual(lb.eventsHandled - handled, 2 * 2 * 6, "per instance and reset: its timer and the generation's end")
    }

    /// The scale at 5m reloads both instances once; with marathon-lb before 1.12.0 SYNs are dropped
    /// for 0.1 s whatever the HAProxy (its reload script removes its iptables rules as soon as the new
    /// HAProxy has started, then sleeps 1 s holding its lock: service/haproxy/run at v1.5.0 to
    /// v1.11.5); from 1.12.0 (HAProxy 1.8 master-worker, `-x`, `expose-fd listeners`) not at all.
    func testReloadGapBelowHAProxy18Only() throws {
        for (version, gap) in [(#""haproxyVersion": "1.7""#, SimDuration.milliseconds(100)), (#""haproxyVersion": "1.8""#, SimDuration.milliseconds(100)),
                               (#""version": "1.12.0""#, SimDuration.zero)] {
            let (m, o, lb) = try XCTUnwrap(model(Self.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], \#(version)}"#)))
            run(m, until: .minutes(5))
            let before = lb.instances.map(\.reloads)
            run(m, until: .minutes(5) + .seconds(50))
            XCTAssertEqual(lb.instances.map(\.reloads), before.map { $0 + 1 }, version)
            XCTAssertEqual(lb.instances.map { $0.configs.last?.backends.first?.servers.count }, [3, 3], version)
            let x = lb.instances[0]
            XCTAssertEqual(x.gapUntil - x.gapFrom, gap, version)
            let activated = try XCTUnwrap(x.activatedAt.last)
            if gap > .zero {
                XCTAssertEqual(activated - x.gapFrom, .milliseconds(100), "reloaded after the 0.1 s SYN drop")
                XCTAssertFalse(lb.haproxyAccepts(0, now: x.gapFrom))
                XCTAssertFalse(lb.haproxyAccepts(0, now: x.gapUntil - .milliseconds(1)))
                XCTAssertTrue(lb.haproxyAccepts(0, now: x.gapUntil))
                XCTAssertTrue(lb.haproxyAccepts(0, now: x.gapFrom + .milliseconds(500)),
                              "the rules are gone once the new HAProxy runs: the script's 1 s sleep drops nothing")
            } else {
                XCTAssertTrue(lb.haproxyAccepts(0, now: activated))
            }
            XCTAssertEqual(o.events.filter { $0.event == "haproxyReloaded" }.count, lb.totalReloads)
        }
    }

    /// Below 1.8 the reload script holds its lock 1 s after removing the SYN rules (`sleep 1` in
    /// service/haproxy/run `reload()`, v1.5.0 to v1.11.0): the instance accepts SYNs again 0.1 s
    /// after the reload started but regenerates nothing more until 1.1 s after it.
    func testReloadScriptHoldsTheLockOneSecondAfterTheSYNDrop() throws {
        let (m, _, lb) = try XCTUnwrap(model(Self.scenario()))
        run(m, until: .minutes(5))
        let n = lb.instances[0].activatedAt.count
        var t = SimDuration.minutes(5)
        while lb.instances[0].activatedAt.count == n && t < .minutes(6) { t = t + .milliseconds(10); run(m, until: t) }
        let x = lb.instances[0]
        XCTAssertEqual(x.activatedAt.count, n + 1, "the scale at 5m reloads")
        XCTAssertTrue(lb.haproxyAccepts(0, now: m.sim.now), "SYNs pass once the new HAProxy runs")
        XCTAssertTrue(x.busy, "the script still sleeps under its lock")
        // `run(until:)` stops after the first event at or after its time: step 1 ms at a time
        while lb.instances[0].busy && m.sim.now < x.gapFrom + .seconds(5) { run(m, until: (m.sim.now - SimTime.zero) + .milliseconds(1)) }
        XCTAssertFalse(lb.instances[0].busy)
        XCTAssertEqual(m.sim.now - x.gapFrom, .milliseconds(1100), "the lock is released 1.1 s after the reload started")
    }

    /// A down host's instance regenerates nothing and accepts nothing; back up, it regenerates at once.
    func testInstanceOnADownHostWaitsAndRegeneratesWhenBack() throws {
        let crash = #"[{"at": "4m", "kind": "hostCrash", "host": "lb-01", "recoverAfter": "3m"}]"#
        let (m, _, lb) = try XCTUnwrap(model(Self.scenario(faults: crash)))
        run(m, until: .minutes(4) + .seconds(1))
        let down = lb.instances.map(\.regenerations)
        XCTAssertFalse(lb.haproxyAccepts(0, now: m.sim.now))
        XCTAssertTrue(lb.haproxyAccepts(1, now: m.sim.now))
        run(m, until: .minutes(6) + .seconds(59))
        XCTAssertEqual(lb.instances[0].regenerations, down[0], "nothing while down (the scale at 5m included)")
        XCTAssertGreaterThan(lb.instances[1].regenerations, down[1])
        run(m, until: .minutes(7) + .milliseconds(300))
        XCTAssertEqual(lb.instances[0].regenerations, down[0] + 1, "back up at 7m: one regeneration at once")
        XCTAssertEqual(lb.instances[0].configs.last?.backends.first?.servers.count, lb.instances[1].configs.last?.backends.first?.servers.count, "back up: what the other instance serves, at once")
        XCTAssertEqual(lb.instances[1].configs.last?.backends.first?.servers.count, 3, "the scale at 5m")
        XCTAssertEqual(lb.instances[0].activatedAt.last, SimTime.zero + .minutes(7) + .milliseconds(250), "150 ms to generate, 100 ms of SYN drop")
    }

    /// Poll mode: no event subscriptions, a regeneration every pollInterval.
    func testPollModeRegeneratesEveryInterval() throws {
        let (m, _, lb) = try XCTUnwrap(model(Self.scenario(lb: #"{"instances": [{"hosts": ["lb-01"]}], "mode": "poll", "pollInterval": "30s"}"#)))
        m.run()
        // at 0, then every 30 s after the previous one ended (150 ms; 1.1 s more with a reload)
        let r = lb.instances[0]
        XCTAssertEqual(r.regenerations, 20, "10 minutes / (30 s + its own time)")
        XCTAssertEqual(r.configs.last?.backends.first?.servers.count, 3)
    }

    /// --health-check: tasks become servers once Marathon's check says alive, not when running.
    func testHealthCheckFlagWaitsForAliveTasks() throws {
        var firstServed: [Bool: SimTime] = [:]
        for flag in [false, true] {
            let (m, _, lb) = try XCTUnwrap(model(Self.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "flags": {"--health-check": \#(flag)}}"#)))
            run(m, until: .minutes(3))
            let x = lb.instances[0]
            let g = try XCTUnwrap(x.configs.firstIndex { !$0.backends.isEmpty })
            firstServed[flag] = x.activatedAt[g]
        }
        let plain = try XCTUnwrap(firstServed[false]), checked = try XCTUnwrap(firstServed[true])
        XCTAssertLessThan(plain, checked, "running first, alive later")
    }
}

extension DeclaredDefaultsTests {
    func testMarathonLBDefaultsAreTheDeclaredOnes() {
        let s = MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "flags": {}}"#)
        check(ScenarioSchema.marathonLBKeys, at: "marathonLB", in: s, wordDefaults: ["instances", "flags"])
        check(ScenarioSchema.marathonLBFlagKeys, at: "marathonLB.flags", in: s, wordDefaults: ["--group", "--marathon", "--max-backoff", "others", "--skip-config-cleanup"])
        check(ScenarioSchema.marathonLBInstanceKeys, at: "marathonLB.instances[0]", in: s, wordDefaults: ["hosts", "hostGroup"], only: ["group"])
        let f = MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "reloadFailures": [{"at": "1m"}]}"#)
        check(ScenarioSchema.marathonLBReloadFailureKeys, at: "marathonLB.reloadFailures[0]", in: f, wordDefaults: [], only: ["kind"])
    }
}
