import XCTest
@testable import ClusterModel
@testable import Scenario
import SimKernel

/// A restart deployment (TaskReplaceActor) sees an instance as gone at every InstanceChanged to a
/// condition InstanceChangedPredicates.considerTerminal lists, which has Unreachable and
/// UnreachableInactive besides the terminal ones (v1.4.9 to v1.10.5). Before, the model took an
/// unreachable instance as gone only once it was UnreachableInactive, so a restart whose old
/// instance was on a dead host waited for the next reconciliation past `inactiveAfterSeconds`.
final class MarathonRestartUnreachableTests: XCTestCase {
    /// One Mesos master and `slaves` agents of 4 cpus.
    static func cluster(slaves: Int) -> String {
        #"""
        "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                       {"name": "slave", "count": \#(slaves), "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 1}}
        """#
    }

    /// Three instances of /web, one per agent; slave-01 loses power at `crashAt`; the deploy at
    /// 300 s replaces the instances (a new command, no constraint, minimumHealthCapacity 1 and
    /// maximumOverCapacity 0: one new instance at a time beside the old ones).
    func scenario(version: String, crashAt: String, host: String = "slave-01", newStartup: String = "5s", duration: String = "25m") -> String {
        #"""
        {"name": "restart-unreachable", "seed": 4, "duration": "\#(duration)",
         \#(Self.cluster(slaves: 3)),
         "marathon": {"version": "\#(version)",
           "apps": [{"id": "/web", "instances": 3, "cpus": 1, "mem": 256, "cmd": "sleep 1000000",
                     "portDefinitions": [{"port": 0}], "constraints": [["hostname", "UNIQUE"]],
                     "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 3600,
                                       "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}],
                     "unreachableStrategy": {"inactiveAfterSeconds": 300, "expungeAfterSeconds": 600}}]},
         "actions": [{"at": "300s", "kind": "deploy", "app": "/web",
                      "changes": {"cmd": "sleep 2000000", "constraints": [],
                                  "upgradeStrategy": {"minimumHealthCapacity": 1, "maximumOverCapacity": 0}},
                      "behaviour": {"startupTime": "\#(newStartup)"}}],
         "faults": [{"at": "\#(crashAt)", "kind": "hostCrash", "host": "\#(host)"}]}
        """#
    }

    func events(_ text: String) throws -> [LoggedEvent] {
        let (_, o) = try runToEnd(text)
        return o.events
    }

    /// The old instance on the dead agent holds the restart until Marathon hears TASK_UNREACHABLE
    /// for it (about 90 s after the crash), not until it is inactive (the reconciliation at
    /// 1219.2 s before). The same in 1.4.9 (`oldInstanceIds -= id`) and 1.10.5 (decommissioned,
    /// then `oldActiveInstanceIds -= id`).
    func testAnUnreachableOldInstanceNoLongerHoldsTheRestart() throws {
        for version in ["1.4.9", "1.10.5"] {
            let ev = try events(scenario(version: version, crashAt: "290s"))
            let lost = try XCTUnwrap(ev.first { $0.event == "TASK_UNREACHABLE" && $0.detail.hasPrefix("slave-01") }, version)
            XCTAssertGreaterThan(lost.time.seconds, 300, version)
            let done = try XCTUnwrap(ev.first { $0.event == "deploymentFinished" && $0.time.seconds >= 300 }, version)
            XCTAssertEqual(done.time, lost.time, version)
            XCTAssertFalse(ev.contains { $0.event == "replaceUnreachable" && $0.time <= done.time }, version)
            // three instances of the new version run, none of the old one is relaunched
            let staged = ev.filter { $0.event == "TASK_STAGING" && $0.time.seconds >= 300 }
            XCTAssertEqual(staged.count, 3, version)
        }
    }

    /// A new instance on the dead agent: Marathon 1.4.9 un-counts it and launches another at its
    /// TASK_UNREACHABLE (`instancesStarted -= 1; launchInstances()`), and again at each later
    /// InstanceChanged the restart still sees (UnreachableInactive, the expunge's Killed), so a
    /// restart that has not finished by then launches one more each time. 1.10.5 keeps its goal
    /// Running and relaunches it only when it is UnreachableInactive.
    func testAnUnreachableNewInstanceIsRelaunchedAtOnceBefore110() throws {
        // The old instances stay until a new one is healthy: new instances need 30 min to serve,
        // so the restart runs all along. The host of the first new instance (found by a run that
        // stops at 6 min) loses power at 330 s.
        for version in ["1.4.9", "1.10.5"] {
            let probe = try events(scenario(version: version, crashAt: "5m50s", newStartup: "30m", duration: "6m"))
            let first = try XCTUnwrap(probe.first { $0.event == "TASK_STAGING" && $0.time.seconds >= 300 }, version)
            let host = String(first.detail.prefix { $0 != " " })
            let ev = try events(scenario(version: version, crashAt: "330s", host: host, newStartup: "30m", duration: "40m"))
            let lostNew = try XCTUnwrap(ev.first { $0.event == "TASK_UNREACHABLE" && $0.subject == first.subject }, version)
            let stagedAfter = ev.filter { $0.event == "TASK_STAGING" && $0.time >= lostNew.time }
            let inactive = try XCTUnwrap(ev.first { $0.event == "replaceUnreachable" && $0.subject == lostNew.subject }, version)
            // The old instance on that host goes unreachable at the same instant and frees its
            // place: one launch in both versions. The new one adds one in 1.4.9 only.
            XCTAssertEqual(stagedAfter.filter { $0.time == lostNew.time }.count, version == "1.4.9" ? 2 : 1, version)
            // UnreachableInactive: 1.4.9 launches again (the second InstanceChanged), 1.10.5
            // relaunches the instance (goal Running).
            XCTAssertEqual(stagedAfter.filter { $0.time == inactive.time }.count, 1, version)
            if version == "1.4.9" {
                // and the expunge job's Killed, a third
                let expunged = try XCTUnwrap(ev.first { $0.event == "expungeUnreachable" && $0.subject == lostNew.subject }, version)
                XCTAssertGreaterThan(expunged.time, inactive.time, version)
                XCTAssertEqual(stagedAfter.filter { $0.time == expunged.time }.count, 1, version)
                XCTAssertEqual(stagedAfter.filter { $0.time != lostNew.time && $0.time != inactive.time && $0.time != expunged.time
                                                    && $0.time.seconds < 2000 }.count, 0, version)
            } else {
                XCTAssertEqual(stagedAfter.filter { $0.time != lostNew.time && $0.time != inactive.time && $0.time.seconds < 2000 }.count, 0, version)
            }
        }
    }

    /// A scale-down is done when its kills are answered, and an instance on a dead agent answers
    /// with TASK_UNREACHABLE (KillService's considerTerminal): a scale to 0 ten seconds after
    /// slave-01 lost power is done at that update, not when the instance becomes inactive.
    func testAScaleDownIsDoneWhenTheKilledInstanceIsUnreachable() throws {
        for version in ["1.4.9", "1.10.5"] {
            var text = scenario(version: version, crashAt: "290s")
            text = text.replacingOccurrences(of: #"{"at": "300s", "kind": "deploy""#, with: #"{"at": "300s", "kind": "scale", "instances": 0, "app": "/web"}, {"at": "24m", "kind": "deploy""#)
            let ev = try events(text)
            XCTAssertEqual(ev.filter { $0.event == "killInstance" && $0.time.seconds == 300 }.count, 3, version)
            let lost = try XCTUnwrap(ev.first { $0.event == "TASK_UNREACHABLE" && $0.detail.hasPrefix("slave-01") }, version)
            let done = try XCTUnwrap(ev.first { $0.event == "deploymentFinished" && $0.time.seconds >= 300 }, version)
            XCTAssertEqual(done.time, lost.time, version)
            XCTAssertTrue(done.detail.hasPrefix("scale /web to 0"), "\(version): \(done.detail)")
        }
    }

    /// /web (three instances on four agents, one per agent, killSelection OLDEST_FIRST, expunged
    /// after 600 s) with `actions`; the host of the oldest instance loses power at 290 s.
    func scaleScenario(version: String, host: String, actions: String, inactiveAfter: Int = 300) -> String {
        #"""
        {"name": "scale-kill-pending", "seed": 4, "duration": "25m",
         \#(Self.cluster(slaves: 4)),
         "marathon": {"version": "\#(version)",
           "apps": [{"id": "/web", "instances": 3, "cpus": 1, "mem": 256, "cmd": "sleep 1000000",
                     "constraints": [["hostname", "UNIQUE"]], "killSelection": "OLDEST_FIRST",
                     "unreachableStrategy": {"inactiveAfterSeconds": \#(inactiveAfter), "expungeAfterSeconds": 600}}]},
         "actions": \#(actions),
         "faults": [{"at": "290s", "kind": "hostCrash", "host": "\#(host)"}]}
        """#
    }

    func oldestHost(_ version: String) throws -> String {
        let ev = try events(scaleScenario(version: version, host: "slave-01", actions: "[]"))
        let first = try XCTUnwrap(ev.first { $0.event == "TASK_RUNNING" }, version)
        return String(first.detail.prefix { $0 != " " })
    }

    /// A scale to 2 at 300 s kills the oldest instance, on the dead agent: the kill is never
    /// answered. The scale back to 3 at 450 s (the instance is unreachable by then): Marathon 1.4-1.7
    /// count every active instance not in TASK_KILLING (SchedulerActions.scale, ScalingProposition at
    /// v1.4.9), so the unreachable one still counts, nothing starts and the deployment is done at
    /// once; the app runs two instances until the dead one is UnreachableInactive (a scale check
    /// then). 1.10.5 counts goal Running only: one instance starts at 450 s.
    func testBefore18TheScaleCountsAnInstanceWhoseKillIsPending() throws {
        let actions = #"[{"at": "300s", "kind": "scale", "app": "/web", "instances": 2}, {"at": "450s", "kind": "scale", "app": "/web", "instances": 3}]"#
        for version in ["1.4.9", "1.10.5"] {
            let host = try oldestHost(version)
            let ev = try events(scaleScenario(version: version, host: host, actions: actions))
            let killed = try XCTUnwrap(ev.first { $0.event == "killInstance" && $0.time.seconds == 300 }, version)
            let lost = try XCTUnwrap(ev.first { $0.event == "TASK_UNREACHABLE" && $0.subject == killed.subject }, version)
            XCTAssertLessThan(lost.time.seconds, 450, version)
            let finished = ev.filter { $0.event == "deploymentFinished" && $0.time.seconds >= 300 }
            XCTAssertEqual(finished.first?.time, lost.time, "\(version): the scale-down is done when its kill is answered by TASK_UNREACHABLE")
            let staged = ev.filter { $0.event == "TASK_STAGING" && $0.time.seconds >= 450 }
            if version == "1.4.9" {
                XCTAssertEqual(finished.count, 2, version)
                XCTAssertEqual(finished.last?.time.seconds, 450, "\(version): a scale that starts and kills nothing is done at once")
                let inactive = try XCTUnwrap(ev.first { $0.event == "replaceUnreachable" && $0.subject == killed.subject }, version)
                XCTAssertEqual(staged.first?.time, inactive.time, "\(version): the third instance starts only when the dead one is inactive")
            } else {
                XCTAssertEqual(staged.first?.time.seconds, 450, version)
            }
        }
    }

    /// An UnreachableInactive instance is not active: a scale-down never picks it (it would kill
    /// nothing). Unreachable after 0 s, so the oldest instance is inactive (and replaced) at its
    /// TASK_UNREACHABLE; the scale to 2 at 600 s kills one of the two running instances (before, the
    /// model killed the inactive one first, by the Unreachable-first order, and three ran on).
    func testAScaleDownDoesNotPickAnInactiveInstance() throws {
        let actions = #"[{"at": "600s", "kind": "scale", "app": "/web", "instances": 2}]"#
        for version in ["1.4.9", "1.10.5"] {
            let host = try oldestHost(version)
            let ev = try events(scaleScenario(version: version, host: host, actions: actions, inactiveAfter: 0))
            let inactive = try XCTUnwrap(ev.first { $0.event == "replaceUnreachable" }, version)
            XCTAssertLessThan(inactive.time.seconds, 600, version)
            XCTAssertFalse(ev.contains { $0.event == "expungeUnreachable" && $0.time.seconds <= 600 }, version)
            let kills = ev.filter { $0.event == "killInstance" && $0.time.seconds == 600 }
            XCTAssertEqual(kills.count, 1, version)
            XCTAssertNotEqual(kills.first?.subject, inactive.subject, version)
            XCTAssertEqual(ev.filter { $0.event == "TASK_KILLED" && $0.time.seconds > 600 }.count, 1, version)
        }
    }

    /// 1.4-1.7: a scale that starts instances is done when the instances it started are healthy
    /// and ready (TaskStartActor's `targetCountReached(nrToStart)`), whatever the state of the
    /// instances there before. Scale to 2 at 300 s (the oldest instance, on the dead agent, is
    /// killed and never answers), to 4 at 450 s: 1.4.9 counts the killed one, starts one and is
    /// done when it runs (the app has no health checks).
    func testBefore18AScaleUpIsDoneWhenWhatItStartedIsHealthy() throws {
        let actions = #"[{"at": "300s", "kind": "scale", "app": "/web", "instances": 2}, {"at": "450s", "kind": "scale", "app": "/web", "instances": 4}]"#
        let host = try oldestHost("1.4.9")
        let ev = try events(scaleScenario(version: "1.4.9", host: host, actions: actions))
        let staged = ev.filter { $0.event == "TASK_STAGING" && $0.time.seconds >= 450 && $0.time.seconds < 1000 }
        XCTAssertEqual(staged.count, 1)
        let running = try XCTUnwrap(ev.first { $0.event == "TASK_RUNNING" && $0.subject == staged.first?.subject })
        let finished = try XCTUnwrap(ev.first { $0.event == "deploymentFinished" && $0.time.seconds >= 450 })
        XCTAssertEqual(finished.time, running.time)
    }

    /// 1.4-1.7: a terminal update asks for a scale check (ScaleAppUpdateStepImpl), which is refused
    /// while a deployment holds the app (MarathonSchedulerActor `withLockFor`); the periodic check
    /// (every `scale_apps_interval` from `scale_apps_initial_delay` after the leader started) scales
    /// it later. Scale to 1 at 300 s (two kills, answered at 305 s), forced scale to 4 at 301 s:
    /// the two still count, one instance starts and the deployment holds the app until it is
    /// healthy (30 s); the app runs 2 of 4 until the periodic check at 619.2 s starts two more.
    func testBefore18ThePeriodicScaleCheckScalesAnAppLeftBelowTarget() throws {
        let text = #"""
        {"name": "periodic-scale", "seed": 4, "duration": "15m",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 1}},
         "marathon": {"version": "1.4.9",
           "apps": [{"id": "/web", "instances": 3, "cpus": 1, "mem": 256, "cmd": "sleep 1000000", "portDefinitions": [{"port": 0}],
                     "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "gracePeriodSeconds": 300,
                                       "intervalSeconds": 10, "timeoutSeconds": 5, "maxConsecutiveFailures": 3}]}],
           "behaviour": {"default": {"startupTime": "30s"}}},
         "actions": [{"at": "300s", "kind": "scale", "app": "/web", "instances": 1},
                     {"at": "301s", "kind": "scale", "app": "/web", "instances": 4, "force": true}]}
        """#
        let ev = try events(text)
        let ready = try XCTUnwrap(ev.first { $0.event == "leaderReady" && $0.component == "marathon" }).time.seconds
        XCTAssertEqual(ev.filter { $0.event == "TASK_KILLED" && $0.time.seconds < 310 }.count, 2)
        let staged = ev.filter { $0.event == "TASK_STAGING" && $0.time.seconds >= 300 }
        XCTAssertEqual(staged.count, 3)
        XCTAssertEqual(staged.first?.time.seconds ?? 0, 301, accuracy: 2)
        let tick = ready + 15 + 600
        XCTAssertEqual(staged.dropFirst().map(\.time.seconds), [tick, tick])
        let done = try XCTUnwrap(ev.first { $0.event == "deploymentFinished" && $0.time.seconds > 301 })
        XCTAssertLessThan(done.time.seconds, tick - 240)
    }
}
