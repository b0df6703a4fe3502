import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Faults aimed at a role (`"role": "mesos-leader"`): the host holding it when the fault fires.
final class FaultRoleTests: XCTestCase {
    func scenario(faults: String, consul: Bool = false) -> String {
        """
        {"name": "t", "duration": "30m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"id": "/web", "cmd": "run", "instances": 2, "mem": 256}]},
         \(consul ? #""consul": {},"# : "")
         "faults": \(faults)}
        """
    }

    /// Each leader role hits the host its holder has when the fault fires, which the run then
    /// shows as crashed; the leader moves to another host afterwards.
    func testLeaderRolesHitTheLeadersHostWhenTheFaultFires() throws {
        for (role, check) in [("mesos-leader", { (m: ClusterSimulation) in m.mesos!.leader.map { m.mesos!.masters[$0].host } }),
                              ("marathon-leader", { (m: ClusterSimulation) in m.marathon!.host(holding: .marathonLeader) }),
                              ("zookeeper-leader", { (m: ClusterSimulation) in m.zooKeeper!.host(holding: .zookeeperLeader) })] {
            let s = try XCTUnwrap(loadOK(scenario(faults: #"[{"at": "10m", "kind": "hostCrash", "role": "\#(role)"}]"#)))
            XCTAssertEqual(s.spec.faults[0].target, .role(HostRole(rawValue: role)!))
            let o = MemoryObserver()
            let m = ClusterSimulation(spec: s.spec, observer: o)
            m.run(shouldStop: { m.sim.now >= SimTime.zero + .seconds(599) })
            let holder = try XCTUnwrap(check(m), role)
            m.run()
            XCTAssertEqual(m.faultInjector.fired.first?.hosts, [m.infrastructure.hosts[holder].name], role)
            XCTAssertFalse(m.infrastructure.hosts[holder].state.isUp, role)
            XCTAssertNotEqual(check(m), holder, "\(role): a new leader elsewhere")
        }
    }

    func testRoleErrors() {
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "role": "leader"}]"#), path: "faults[0].role",
                          ["\"consul-leader\"", "\"mesos-leader\""])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "role": "consul-leader"}]"#), path: "faults[0].role",
                          ["needs the scenario's \"consul\" section"])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostCrash", "role": "mesos-leader", "host": "slave-01"}]"#),
                          path: "faults[0].host", ["either \"role\""])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "hostRecover", "role": "mesos-leader"}]"#), path: "faults[0].role",
                          ["holds no role"])
        assertSingleError(scenario(faults: #"[{"at": "1m", "kind": "masterCrash", "role": "mesos-leader"}]"#), path: "faults[0].role",
                          ["not used by kind \"masterCrash\""])
    }
}
