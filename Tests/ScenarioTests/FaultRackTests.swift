@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Faults aimed at a rack (`"rack": "r2"`): every host of the rack, in every group, the fault
/// applies to when it fires (a rack loss is a hostCrash aimed at a rack).
final class FaultRackTests: XCTestCase {
    func scenario(faults: String) -> String {
        """
        {"name": "t", "duration": "20m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB", "rack": "r1"},
                        {"name": "slave", "count": 5, "cpus": 8, "memory": "32GiB", "disk": "500GB", "racks": ["r1", "r2", "r3"]},
                        {"name": "edge", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB", "racks": ["r2", "r4"]}],
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 2, "mem": 256}]},
         "faults": \(faults)}
        """
    }

    /// Hosts are spread round-robin over their group's racks: rack r2 holds slave-02, slave-05
    /// and edge-01, and a rack hostCrash downs exactly those (up) hosts at once.
    func testRackCrashDownsEveryHostOfTheRack() throws {
        let s = try XCTUnwrap(loadOK(scenario(faults: #"[{"at": "5m", "kind": "hostCrash", "rack": "r2"}]"#)))
        XCTAssertEqual(s.spec.faults[0].target, .rack("r2"))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        XCTAssertEqual(m.faultInjector.fired.first?.hosts, ["slave-02", "slave-05", "edge-01"])
        let down = m.infrastructure.hosts.filter { !$0.state.isUp }.map(\.name)
        XCTAssertEqual(down, ["slave-02", "slave-05", "edge-01"])
    }

    /// A rack reboot brings every host of the rack back; hostRecover aimed at a rack recovers its
    /// crashed hosts only.
    func testRackRecoverBringsBackTheRacksCrashedHosts() throws {
        let s = try XCTUnwrap(loadOK(scenario(faults: #"""
            [{"at": "2m", "kind": "hostCrash", "host": "slave-01"},
             {"at": "3m", "kind": "hostCrash", "rack": "r2"},
             {"at": "8m", "kind": "hostRecover", "rack": "r2"}]
            """#)))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        XCTAssertEqual(m.faultInjector.fired.map(\.hosts), [["slave-01"], ["slave-02", "slave-05", "edge-01"], ["slave-02", "slave-05", "edge-01"]])
        XCTAssertEqual(m.infrastructure.hosts.filter { !$0.state.isUp }.map(\.name), ["slave-01"])
    }

    /// The masters' rack loses power (the ZooKeeper servers, the Mesos masters and Marathon all run
    /// there) and comes back: the masters and Marathon elect leaders again, even when the process that
    /// led before comes first (a new process, so a new election), and Marathon replaces what was lost.
    /// Nobody marks an agent unreachable while no master leads (the pings are the leader's).
    func testTheCoreRecoversAfterTheMastersRackLosesPower() throws {
        let s = try XCTUnwrap(loadOK(scenario(faults: #"[{"at": "5m", "kind": "hostCrash", "rack": "r1", "recoverAfter": "5m"}]"#)
            .replacingOccurrences(of: #""duration": "20m""#, with: #""duration": "40m""#)))
        let o = MemoryObserver()
        let m = ClusterSimulation(spec: s.spec, observer: o)
        m.run()
        let back = SimTime.zero + .minutes(10)
        func times(_ component: String, _ event: String) -> [SimTime] {
            o.events.filter { $0.component == component && $0.event == event }.map(\.time)
        }
        XCTAssertEqual(times("mesos", "masterReady").filter { $0 > back }.count, 1)
        XCTAssertEqual(times("marathon", "leaderReady").filter { $0 > back }.count, 1)
        // the latch nodes of the processes that died with the rack come first until their sessions
        // expire: Marathon's new process waits for them, as Curator's LeaderLatch waits for the node
        // before its own
        let expired = try XCTUnwrap(times("zookeeper", "sessionExpired").first { $0 > back })
        XCTAssertTrue(times("marathon", "leaderElected").filter { $0 > back }.allSatisfy { $0 >= expired })
        XCTAssertTrue(m.mesos!.leaderReady)
        let readyAgain = try XCTUnwrap(times("mesos", "masterReady").last)
        XCTAssertTrue(times("mesos", "agentUnreachable").allSatisfy { $0 > readyAgain })
        let web = try XCTUnwrap(m.marathon?.apps.first { $0.id == "/web" })
        XCTAssertEqual(web.instances.filter { $0.state == .running }.count, 2)
    }

    func testRackErrors() {
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "rack": "r9"}]"#), path: "faults[0].rack",
                          ["no host group is in rack \"r9\"", "\"r1\", \"r2\", \"r3\", \"r4\""])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "rack": "r2", "hostGroup": "slave"}]"#),
                          path: "faults[0].hostGroup", ["either \"rack\""])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "rack": ""}]"#), path: "faults[0].rack", [])
    }
}
