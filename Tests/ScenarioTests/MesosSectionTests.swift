import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

final class MesosSectionTests: XCTestCase {
    func scenario(_ sections: String) -> String {
        """
        {
          "name": "t", "duration": "2h",
          "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                         {"name": "slave", "count": 10, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
          \(sections)
        }
        """
    }

    func testDefaults() throws {
        let s = loadOK(scenario(#""mesos": {}"#))!.spec
        let m = try XCTUnwrap(s.mesos)
        XCTAssertEqual(m.masters, 3)
        XCTAssertEqual(m.masterHostGroup, "master")
        XCTAssertEqual(m.masterFlags, MesosMasterFlags())
        XCTAssertEqual(m.masterFlags.agentPingTimeout, .seconds(15))
        XCTAssertEqual(m.masterFlags.maxAgentPingTimeouts, 5)
        XCTAssertEqual(m.agentFlags.ports, PortSet([31000...32000]))
        XCTAssertEqual(s.zookeeper, ZooKeeperSpec(servers: 3, hostGroup: "master"))
    }

    func testEveryKeyIsRead() throws {
        let s = loadOK(scenario("""
        "zookeeper": {"servers": 5, "hostGroup": "slave", "tickTime": "3s", "initLimit": 5, "syncLimit": 2, "finalizeWait": "100ms", "notificationDelay": "1ms"},
        "mesos": {
          "version": "1.7",
          "masters": {"count": 3, "hostGroup": "master", "restartDelay": "30s", "registryFetchTime": "2s", "registryStoreTime": "10ms",
                      "flags": {"agent_ping_timeout": "5s", "max_agent_ping_timeouts": 3, "agent_reregister_timeout": "20m",
                                "agent_removal_rate_limit": "1/10m", "recovery_agent_removal_limit": "50%", "allocation_interval": "2s",
                                "min_allocatable_resources": "cpus:1;mem:64|disk:100", "offer_timeout": "30s", "zk_session_timeout": "20s",
                                "quorum": 2, "weights": "prod=2,dev=1", "role_sorter": "random", "framework_sorter": "random"}},
          "agents": {"hostGroups": ["slave"], "ports": "[20000-20999]", "containerStartTime": {"constant": "2s"}, "restartDelay": "1m",
                     "flags": {"registration_backoff_factor": "2s", "recovery_timeout": "5m", "executor_registration_timeout": "5m",
                               "executor_shutdown_grace_period": "10s", "resources": "cpus:6;mem:60000"}},
          "registry": {"bandwidth": "50MB/s"}
        }
        """))!.spec
        let z = try XCTUnwrap(s.zookeeper)
        XCTAssertEqual(z.servers, 5); XCTAssertEqual(z.tickTime, .seconds(3)); XCTAssertEqual(z.hostGroup, "slave")
        let m = try XCTUnwrap(s.mesos)
        XCTAssertEqual(m.masterRestartDelay, .seconds(30))
        XCTAssertEqual(m.masterFlags.agentPingTimeout, .seconds(5))
        XCTAssertEqual(m.masterFlags.agentRemovalRateCount, 1)
        XCTAssertEqual(m.masterFlags.agentRemovalRatePer, .minutes(10))
        XCTAssertEqual(m.masterFlags.recoveryAgentRemovalLimit, 0.5)
        XCTAssertEqual(m.masterFlags.minAllocatableResources, [Resources(cpus: Scalar(1), memMB: Scalar(64)), Resources(diskMB: Scalar(100))])
        XCTAssertEqual(m.masterFlags.offerTimeout, .seconds(30))
        XCTAssertEqual(m.masterFlags.weights, [RoleWeight(role: "prod", weight: 2), RoleWeight(role: "dev", weight: 1)])
        XCTAssertEqual(m.agentFlags.ports, PortSet([20000...20999]))
        XCTAssertEqual(m.agentFlags.cpus, 6)
        XCTAssertEqual(m.agentFlags.memMB, 60000)
        XCTAssertEqual(m.containerStartTime, .constant(2))
        XCTAssertEqual(m.registryBandwidth, 400_000_000)
    }

    func testOfferTimeoutNullMeansUnset() {
        let s = loadOK(scenario(#""mesos": {"masters": {"flags": {"offer_timeout": null}}}"#))!.spec
        XCTAssertNil(s.mesos?.masterFlags.offerTimeout)
    }

    func testValidationErrors() {
        assertSingleError(scenario(#""zookeeper": {"servers": 4}"#), path: "zookeeper.servers", ["3, 5 or 7"])
        assertSingleError(scenario(#""zookeeper": {"hostGroup": "mastr"}"#), path: "zookeeper.hostGroup", ["unknown host group", "did you mean \"master\""])
        assertSingleError(scenario(#""mesos": {"masters": {"count": 5}}"#), path: "mesos.masters.count", ["5 masters", "has 3"])
        assertSingleError(scenario(#""mesos": {"masters": {"hostGroup": "slaves"}}"#), path: "mesos.masters.hostGroup", ["did you mean \"slave\""])
        assertSingleError(scenario(#""mesos": {"masters": {"flags": {"agent_reregister_timeout": "5m"}}}"#),
                          path: "mesos.masters.flags.agent_reregister_timeout", ["at least 10m"])
        assertSingleError(scenario(#""mesos": {"masters": {"flags": {"agent_ping_timout": "5s"}}}"#),
                          path: "mesos.masters.flags.agent_ping_timout", ["did you mean \"agent_ping_timeout\""])
        // a deprecated name loads (FlagDeclarationTests); a bad value is an error at it
        assertSingleError(scenario(#""mesos": {"masters": {"flags": {"slave_ping_timeout": "0.5s"}}}"#),
                          path: "mesos.masters.flags.slave_ping_timeout", ["between 1s and 15m"])
        assertSingleError(scenario(#""mesos": {"masters": {"restartDelay": "-5s"}}"#), path: "mesos.masters.restartDelay", ["negative"])
        assertSingleError(scenario(#""mesos": {"agents": {"hostGroups": ["slave", "nope"]}}"#), path: "mesos.agents.hostGroups[1]", ["unknown host group"])
        assertSingleError(scenario(#""mesos": {"agents": {"flags": {"recovery_timout": "1m"}}}"#),
                          path: "mesos.agents.flags.recovery_timout", ["did you mean \"recovery_timeout\""])
        assertSingleError(scenario(#""mesos": {"agents": {"ports": "31000-32000"}}"#), path: "mesos.agents.ports", ["[31000-32000]"])
        assertSingleError(scenario(#""mesos": {"masters": {"flags": {"quorum": 1}}}"#), path: "mesos.masters.flags.quorum", ["majority"])
        assertSingleError(scenario(#""mesos": {"registry": {"bandwith": "1MB/s"}}"#), path: "mesos.registry.bandwith", ["did you mean \"bandwidth\""])
    }

    func testScenarioBuildsARunningCluster() {
        let s = loadOK(scenario(#""mesos": {}, "zookeeper": {"servers": 3}"#))!.spec
        let m = ClusterSimulation(spec: s, observer: NullObserver())
        m.run()
        XCTAssertEqual(m.mesos?.agents.count, 10)
        XCTAssertEqual(m.mesos?.metrics().agentsRegistered, 10)
        XCTAssertEqual(m.mesos?.metrics().leaderReady, true)
    }
}
