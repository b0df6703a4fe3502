import XCTest
@testable import ClusterModel
@testable import Scenario
import SimKernel

/// Marathon's scheduler driver is told `disconnected` whenever the leading Mesos master fails or
/// another leads (src/sched/sched.cpp@1.4.0 `detected`); MarathonScheduler.disconnected (v1.4.9 to
/// v1.10.5) stops the driver, and MarathonSchedulerService abdicates when the driver's `run()`
/// returns on its own: the latch is closed, the next Marathon instance leads, and the process exits
/// and is restarted by its supervisor (docs/marathon.md "Leader election").
final class MarathonMasterFailoverTests: XCTestCase {
    func scenario(version: String, fault: String) -> String {
        #"""
        {"name": "mesos-master-failover", "seed": 5, "duration": "20m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "16GiB", "disk": "200GB"}],
         "zookeeper": {"servers": 3},
         "mesos": {"masters": {"count": 3}},
         "marathon": {"version": "\#(version)",
           "apps": [{"id": "/web", "instances": 3, "cpus": 1, "mem": 256, "cmd": "sleep 1000000"}],
           "behaviour": {"default": {"startupTime": "5s"}}},
         "faults": [\#(fault)]}
        """#
    }

    func run(_ text: String) throws -> [LoggedEvent] {
        let loaded = try ScenarioLoader.load(text: text, baseDirectory: "/tmp", fileName: "mesos-master-failover.json")
        let o = MemoryObserver()
        XCTAssertTrue(ClusterSimulation(spec: loaded.spec, observer: o).run())
        return o.events
    }

    /// The Mesos leader's process is killed at 10 min: when the next master is elected, the Marathon
    /// leader abdicates at that instant, another instance leads (its latch node is next) and is ready
    /// after its preparation; the old process comes back as a standby. The tasks keep running.
    func testAMesosMasterFailoverMakesTheMarathonLeaderAbdicate() throws {
        for version in ["1.4.9", "1.10.5"] {
            let ev = try run(scenario(version: version, fault: #"{"at": "10m", "kind": "masterCrash", "master": "leader", "restartAfter": "30s"}"#))
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
}
