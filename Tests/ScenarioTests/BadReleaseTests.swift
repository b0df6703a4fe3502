import XCTest
@testable import ClusterModel
@testable import Scenario
import SimKernel

/// A bad release and its rollback (docs/marathon.md "A bad release"): a deploy action's
/// `behaviour` gives the new version's processes their own behaviour, and a restart kills the old
/// instances in the instance tracker's order (a seeded random permutation), not launch order.
final class BadReleaseTests: XCTestCase {
    /// Six instances of /shop/web on six agents; at 5m a release whose processes fail their health
    /// checks, at `rollbackAt` (if any) a forced deploy of the old image whose processes are healthy.
    func scenario(seed: Int = 3, rollbackAt: String? = nil, version: String = "1.4.9", release: String? = #"{"health": "unhealthy"}"#) -> String {
        let rollback = rollbackAt.map { #", {"at": "\#($0)", "kind": "deploy", "app": "/web", "force": true, "changes": {"container": {"docker": {"image": "web:1"}}}, "behaviour": {"health": "healthy"}}"# } ?? ""
        return #"""
        {"name": "bad-release", "seed": \#(seed), "duration": "20m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 6, "cpus": 8, "memory": "16GiB", "disk": "200GB"}],
         "mesos": {"masters": {"count": 1}},
         "marathon": {"version": "\#(version)",
           "apps": [{"id": "/web", "instances": 6, "cpus": 1, "mem": 256,
                     "container": {"type": "DOCKER", "docker": {"image": "web:1", "network": "BRIDGE",
                                   "portMappings": [{"containerPort": 80, "hostPort": 0}]}},
                     "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 30,
                                       "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]}],
           "behaviour": {"default": {"startupTime": "10s", "image": {"size": "100MB"}}}},
         "actions": [{"at": "5m", "kind": "deploy", "app": "/web", "changes": {"container": {"docker": {"image": "web:2"}}}\#(release.map { #", "behaviour": "# + $0 } ?? "")}\#(rollback)]}
        """#
    }

    func run(_ text: String) throws -> MemoryObserver {
        let loaded = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "bad-release.json")
        let o = MemoryObserver()
        XCTAssertTrue(ClusterSimulation(spec: loaded.spec, observer: o).run())
        return o
    }

    /// The new version's instances fail their checks and are killed (Marathon relaunches them, no
    /// back-off for a kill); the six old ones never stop being healthy (minimumHealthCapacity 1)
    /// and the deployment is still running at the end. Without the key every instance is healthy
    /// and the deployment finishes.
    func testABadReleaseLoopsWhileTheOldInstancesServe() throws {
        let o = try run(scenario())
        let firstNew = 7   // web.1 ... web.6 are the first version's
        let killedUnhealthy = o.events.filter { $0.event == "killUnhealthy" }
        XCTAssertGreaterThan(killedUnhealthy.count, 6)
        for e in killedUnhealthy { XCTAssertGreaterThanOrEqual(Int(e.subject.split(separator: ".").last!)!, firstNew, e.subject) }
        XCTAssertFalse(o.events.contains { $0.event == "killInstance" && Int($0.subject.split(separator: ".").last!)! < firstNew })
        XCTAssertFalse(o.events.contains { $0.event == "appBelowTarget" && $0.time.seconds > 300 })
        XCTAssertFalse(o.events.contains { $0.event == "deploymentFinished" && $0.subject == "deployment-2" })

        let healthy = try run(scenario(release: "{}"))
        XCTAssertFalse(healthy.events.contains { $0.event == "killUnhealthy" })
        XCTAssertTrue(healthy.events.contains { $0.event == "deploymentFinished" && $0.subject == "deployment-2" })
    }

    /// A crash-looping release: every new instance fails at start; Marathon backs off.
    func testAReleaseThatFailsAtStartBacksOff() throws {
        let o = try run(scenario(release: #"{"failAtStartProbability": 1}"#))
        let failed = o.events.filter { $0.event == "TASK_FAILED" }
        XCTAssertGreaterThan(failed.count, 2)
        XCTAssertTrue(failed.allSatisfy { Int($0.subject.split(separator: ".").last!)! >= 7 })
        XCTAssertFalse(o.events.contains { $0.event == "appBelowTarget" && $0.time.seconds > 300 })
    }

    /// The forced rollback at 12m: 12 old instances (6 healthy of the first version, 6 failing of
    /// the second), minHealthy 6, so 6 are killed at once, in the tracker's order. Over seeds the
    /// healthy ones left standing vary around 3; in launch order they were always the 6 healthy
    /// ones (0 of 6 healthy until the new ones pass their checks).
    func testTheRollbackKillsOldInstancesInNoFixedOrder() throws {
        var left: [Int] = []
        for seed in 1...8 {
            let o = try run(scenario(seed: seed, rollbackAt: "12m"))
            let start = try XCTUnwrap(o.events.first { $0.event == "restartStarted" && $0.time.seconds == 720 }, "seed \(seed)")
            XCTAssertTrue(start.detail.hasPrefix("replacing 12 old instance(s): kill 6 now"), start.detail)
            let killedNow = o.events.filter { $0.event == "killInstance" && $0.time.seconds == 720 && $0.detail == "replaced by a new version" }
            let firstVersionKilled = killedNow.filter { Int($0.subject.split(separator: ".").last!)! <= 6 }.count
            left.append(6 - firstVersionKilled)
            XCTAssertTrue(o.events.contains { $0.event == "deploymentFinished" && $0.time.seconds > 720 }, "seed \(seed)")
        }
        XCTAssertGreaterThan(Set(left).count, 1, "\(left)")
        XCTAssertTrue(left.contains { $0 > 0 }, "\(left)")
        XCTAssertTrue(left.contains { $0 < 6 }, "\(left)")
    }

    func testABehaviourLayersOverTheVersionBefore() throws {
        let text = scenario(release: #"{"startupTime": "40s"}"#).replacingOccurrences(of: #""behaviour": {"default": {"startupTime": "10s", "image": {"size": "100MB"}}}"#,
            with: #""behaviour": {"default": {"startupTime": "10s", "image": {"size": "100MB"}}, "/web": {"health": {"hangsAfter": "1h"}, "responseTime": "20ms"}}"#)
        let loaded = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json")
        guard case .deploy(_, let b?) = loaded.spec.actions[0].kind else { return XCTFail("\(loaded.spec.actions[0])") }
        XCTAssertEqual(b.task.startup, .constant(40))
        XCTAssertEqual(b.task.health, .hangsAfter(.constant(3600), responseTime: .constant(0.02)))
        XCTAssertEqual(b.imageSizeBytes, 100_000_000)
        // a deploy without the key keeps what the version before does (nil: the app's current behaviour)
        let plain = try ScenarioLoader.load(text: scenario(release: nil), baseDirectory: "/tmp", fileName: "s.json")
        guard case .deploy(_, nil) = plain.spec.actions[0].kind else { return XCTFail("\(plain.spec.actions[0])") }
    }

    /// scenarios/bad-release.json without marathon-lb's --health-check: the failing release's tasks
    /// become servers as soon as they run. HAProxy's HTTP check (the app's /health) fails on their
    /// 500s, so each new server, up until its first check, goes DOWN then and stays DOWN; lb.csv
    /// never shows more UP servers than the 6 healthy ones between the relaunches' first checks.
    /// Before, HAProxy's checks passed for them and the 12 were UP for minutes.
    func testWithoutHealthCheckHAProxyKeepsTheFailingReleaseDown() throws {
        let path = RangeCheckTests.root.appendingPathComponent("scenarios/bad-release.json").path
        let loaded = try ScenarioLoader.load(path: path, overrides: ["marathonLB.flags={}", "traffic.mode=\"fluid\""])
        let sim = ClusterSimulation(spec: loaded.spec, observer: MemoryObserver())
        var upAfterFirstChecks: [Int] = []
        // 40 s after the first launches of the release (300 s): their servers had their first checks
        _ = sim.run(shouldStop: { sim.sim.now >= SimTime.zero + .seconds(340) })
        guard let t = sim.subsystem(TrafficModel.self), let tab = t.haproxy else { return XCTFail("no HAProxy") }
        for b in tab.backends where !b.servers.isEmpty { upAfterFirstChecks.append(b.servers.indices.filter { b.isUp($0, now: sim.sim.now) }.count) }
        XCTAssertFalse(upAfterFirstChecks.isEmpty)
        XCTAssertEqual(upAfterFirstChecks.max(), 6, "\(upAfterFirstChecks)")
    }

    func errors(_ text: String) -> [String] {
        do { _ = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "s.json"); return [] } catch { return error.errors.map(\.description) }
    }

    func testBadBehaviourKeysAreErrorsNamingTheirPath() {
        let logs = errors(scenario(release: #"{"logs": {"rate": "nonsense"}}"#))
        XCTAssertEqual(logs.count, 1, "\(logs)")
        XCTAssertTrue(logs.first?.contains("actions[0].behaviour.logs") ?? false, "\(logs)")
        XCTAssertTrue(logs.first?.contains("set once per app, in marathon.behaviour") ?? false, "\(logs)")

        let scaleOnly = errors(scenario().replacingOccurrences(of: #""changes": {"container": {"docker": {"image": "web:2"}}}"#, with: #""changes": {"instances": 8}"#))
        XCTAssertEqual(scaleOnly.count, 1, "\(scaleOnly)")
        XCTAssertTrue(scaleOnly.first?.contains("actions[0].behaviour") ?? false, "\(scaleOnly)")
        XCTAssertTrue(scaleOnly.first?.contains("must change more than \"instances\"") ?? false, "\(scaleOnly)")

        let onScale = errors(scenario().replacingOccurrences(of: #"{"at": "5m", "kind": "deploy", "app": "/web", "changes": {"container": {"docker": {"image": "web:2"}}},"#,
                                                               with: #"{"at": "5m", "kind": "scale", "app": "/web", "instances": 8,"#))
        XCTAssertEqual(onScale.count, 1, "\(onScale)")
        XCTAssertTrue(onScale.first?.contains("\"behaviour\" is only allowed for kind \"deploy\"") ?? false, "\(onScale)")

        let badHealth = errors(scenario(release: #"{"health": "sick"}"#))
        XCTAssertEqual(badHealth.count, 1, "\(badHealth)")
        XCTAssertTrue(badHealth.first?.contains("actions[0].behaviour.health") ?? false, "\(badHealth)")
    }
}
