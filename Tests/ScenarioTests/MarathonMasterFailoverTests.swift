import XCTest
@testable import ClusterModel
@testable import Scenario
import SimKernel

/// Marathon's scheduler driver is told `disconnected` whenever the leading Mesos master fails or
/// another leads (src/sched/sched.cpp@1.4.0 `detected`); MarathonScheduler.disconnected (v1.4.9 to
/// v1.10.5) stops the driver, and MarathonSchedulerService abdicates when the driver's `run()`
/// returns on its own: the latch is closed, the next Marathon instance leads, and the process exits
/// and is restarted by its supervisor (docs/marathon.md "Leader election").
final class MarathonMasterFailoverTests: XCTestCase, ThreeMasterScenarios {
    /// Marathon on hosts of its own (`mara`), Mesos agents on `slave`; the Marathon leader's host
    /// (mara-01) crashes at 600 s.
    func marathonHostCrash(behaviour: String = "{}", actions: String = "[]") -> String {
        #"""
        {"name": "marathon-host-crash", "seed": 3, "duration": "15m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "mara", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "16GiB", "disk": "200GB"}],
         "zookeeper": {"servers": 3},
         "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}},
         "marathon": {"version": "1.4.9", "hostGroup": "mara",
           "apps": [{"id": "/web", "instances": 3, "cpus": 1, "mem": 256, "cmd": "sleep 1000000"}],
           "behaviour": \#(behaviour)},
         "actions": \#(actions),
         "faults": [{"at": "600s", "kind": "hostCrash", "host": "mara-01", "recoverAfter": "5m"}]}
        """#
    }

    /// The Mesos leader's process is killed at 10 min: when the next master is elected, the Marathon
    /// leader abdicates at that instant, another instance leads (its latch node is next) and is ready
    /// after its preparation; the old process comes back as a standby. The tasks keep running.
    func testAMesosMasterFailoverMakesTheMarathonLeaderAbdicate() throws {
        for version in ["1.4.9", "1.10.5"] {
            let ev = try run(scenario(seed: 5, version: version, fault: #"{"at": "10m", "kind": "masterCrash", "master": "leader", "restartAfter": "30s"}"#))
            let before = try XCTUnwrap(ev.last { $0.component == "marathon" && $0.event == "leaderReady" && $0.time.seconds < 600 }, version)
            let elected = try XCTUnwrap(ev.first { $0.component == "mesos" && $0.event == "masterElected" && $0.time.seconds >= 600 }, version)
            let abdicated = try XCTUnwrap(ev.first { $0.component == "marathon" && $0.event == "leaderAbdicated" }, version)
            XCTAssertEqual(abdicated.subject, before.subject, version)
            XCTAssertEqual(abdicated.time, elected.time, version)
            XCTAssertEqual(abdicated.detail, LeaderLatch.LossReason.abdicated.rawValue, version)
            let next = try XCTUnwrap(ev.first { $0.component == "marathon" && $0.event == "leaderReady" && $0.time > abdicated.time }, version)
            XCTAssertNotEqual(next.subject, before.subject, version)
            XCTAssertLessThan(next.time.seconds - abdicated.time.seconds, 3, version)
            XCTAssertFalse(ev.contains { $0.component == "mesos" && ["TASK_LOST", "TASK_KILLED", "TASK_FAILED"].contains($0.event) }, version)
        }
    }

    /// A Marathon leader's host crashes at 10 min while the app's three tasks fail (595 s after they
    /// serve): the failures reach no scheduler process and are not acknowledged. The next leader is
    /// ready 12 s after the crash; each TASK_FAILED reaches it when its agent sends it again, 10 s
    /// after the first try, and only then does Marathon delay and relaunch the instance (before: all
    /// three when the leader was ready). The explicit reconciliation, 15 s after readiness, comes later.
    func testUpdatesLostBetweenMarathonLeadersArriveWithTheAgentsResend() throws {
        let text = marathonHostCrash(behaviour: #"{"default": {"startupTime": "5s", "timeToCrash": {"constant": 595}}}"#)
        let ev = try run(text)
        let ready = try XCTUnwrap(ev.first { $0.component == "marathon" && $0.event == "leaderReady" && $0.time.seconds > 600 })
        let failed = ev.filter { $0.component == "mesos" && $0.event == "TASK_FAILED" }
        XCTAssertEqual(failed.count, 3)
        for f in failed {
            XCTAssertGreaterThan(f.time.seconds, 600)
            XCTAssertLessThan(f.time, ready.time)
            let resent = try XCTUnwrap(ev.first { $0.event == "statusUpdateResent" && $0.subject == f.subject }, f.subject)
            XCTAssertEqual(resent.time.seconds - f.time.seconds, 10, accuracy: 1e-6)
            XCTAssertGreaterThan(resent.time, ready.time)
            let delayed = try XCTUnwrap(ev.first { $0.component == "marathon" && $0.event == "launchDelayed" && $0.detail.hasSuffix("TASK_FAILED of \(f.subject)") }, f.subject)
            XCTAssertEqual(delayed.time, resent.time, f.subject)
        }
        let reconcile = try XCTUnwrap(ev.first { $0.event == "reconcileTasks" && $0.time > ready.time })
        XCTAssertEqual(reconcile.time.seconds - ready.time.seconds, 15, accuracy: 1e-6)
    }

    /// Between a leader's host crash and the expiry of its session the other instances still see it
    /// lead, and proxy a write to it: the proxy times out (LeaderProxyFilter.scala@v1.4.9, 504
    /// "Connection to leader timed out."), so the scale is refused; once the next leader leads, the
    /// same request is taken.
    func testAWriteToALeaderWhoseHostIsDownIsRefused() throws {
        let text = marathonHostCrash(actions: #"[{"at": "605s", "kind": "scale", "app": "/web", "instances": 4}, "#
                                        + #"{"at": "700s", "kind": "scale", "app": "/web", "instances": 5}]"#)
        let ev = try run(text)
        let refused = ev.filter { $0.event == "actionRefused" }
        XCTAssertEqual(refused.map(\.time.seconds), [605])
        XCTAssertEqual(refused.first?.detail, "leader marathon1@mara-01 is down: 504 Connection to leader timed out.")
        let lost = try XCTUnwrap(ev.first { $0.component == "marathon" && $0.event == "leadershipLost" })
        XCTAssertGreaterThan(lost.time.seconds, 605, "the crashed leader still leads in ZooKeeper at the request")
        XCTAssertEqual(ev.filter { $0.component == "mesos" && $0.event == "TASK_RUNNING" }.count, 5)
    }
}
