import XCTest
@testable import Scenario
@testable import ClusterModel

/// docs/defaults-audit.md: Marathon gives a service port left at 0 the lowest free port of
/// [--local_port_min, --local_port_max) (GroupManagerActor assignDynamicServicePorts), so
/// marathon-lb's frontend of such an app is `<app>_10000`, not `<app>_0`.
final class MarathonServicePortTests: XCTestCase {
    func spec(_ marathon: String, file: StaticString = #filePath, line: UInt = #line) -> MarathonSpec? {
        loadOK(marathonScenario(marathon), file: file, line: line)?.spec.marathon
    }

    func testServicePortsLeftAtZeroTakeTheLowestFreePortsInDefinitionOrder() throws {
        let m = try XCTUnwrap(spec(#"""
        {"apps": [
          {"id": "/a", "cmd": "sleep 1000", "portDefinitions": [{"port": 0}, {"port": 10001}, {"port": 0}]},
          {"id": "/b", "cmd": "sleep 1000", "requirePorts": true, "portDefinitions": [{"port": 0}]},
          {"id": "/c", "cmd": "sleep 1000", "portDefinitions": [{"port": 10000}]}
        ]}
        """#))
        // 10000 and 10001 are held by /c and /a's own fixed port
        XCTAssertEqual(try XCTUnwrap(m.app("/a")).ports.map(\.servicePort), [10002, 10001, 10003])
        // requirePorts: the port definition's port is the host port as well
        XCTAssertEqual(try XCTUnwrap(m.app("/b")).ports.map(\.servicePort), [10004])
        XCTAssertEqual(try XCTUnwrap(m.app("/b")).ports.map(\.hostPort), [10004])
        XCTAssertEqual(try XCTUnwrap(m.app("/c")).ports.map(\.servicePort), [10000])
    }

    func testTheRangeFollowsTheFlagsAndItsExhaustionIsAnError() throws {
        let m = try XCTUnwrap(spec(#"{"flags": {"local_port_min": 20000, "local_port_max": 20002}, "apps": [{"id": "/a", "cmd": "sleep 1", "portDefinitions": [{"port": 0}, {"port": 0}]}]}"#))
        XCTAssertEqual(try XCTUnwrap(m.app("/a")).ports.map(\.servicePort), [20000, 20001])
        assertSingleError(marathonScenario(#"{"flags": {"local_port_min": 20000, "local_port_max": 20001}, "apps": [{"id": "/a", "cmd": "sleep 1", "portDefinitions": [{"port": 0}, {"port": 0}]}]}"#),
                          path: "marathon.apps[0]", ["PortRangeExhaustedException", "[20000, 20001)"])
    }

    /// A new version keeps the dynamic ports of the old one (the old version's ports in the range
    /// that the new one does not list come first).
    func testANewVersionKeepsItsDynamicServicePorts() {
        var old = AppDefinition(id: "/a", instances: 1, ports: [AppPort(servicePort: 10005)])
        var taken: Set<Int> = [10000, 10005]
        XCTAssertNil(MarathonServicePorts.assign(&old, taken: &taken, range: 10000..<20000))
        var new = AppDefinition(id: "/a", instances: 1, ports: [AppPort(servicePort: 0), AppPort(servicePort: 0)])
        XCTAssertNil(MarathonServicePorts.assign(&new, previous: old, taken: &taken, range: 10000..<20000))
        XCTAssertEqual(new.ports.map(\.servicePort), [10005, 10001])
    }
}
