import ClusterModel
@testable import Scenario
import XCTest

/// `network.nicTunnelOffload` and the calibration CSV's `nic_tunnel_offload` column (issue 15): default, values,
/// bad values.
final class NetworkTunnelOffloadKeysTests: XCTestCase {
    let base = #"{"name": "t", "duration": "1h", "hostGroups": [{"name": "node", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "10Gbit"}], "network": NET}"#

    func scenario(_ net: String) -> String { base.replacingOccurrences(of: "NET", with: net) }

    func testUnstatedIsTheEnvironments() throws {
        for (env, offload) in [("bare-metal", true), ("cloud-vm", false)] {
            let s = try XCTUnwrap(loadOK(scenario(#"{"environment": "\#(env)"}"#))?.spec.network)
            XCTAssertNil(s.host.nicTunnelOffload)
            XCTAssertEqual(s.parameters.tunnelOffload, offload)
        }
    }

    func testTheKeyReachesTheParameters() throws {
        let s = try XCTUnwrap(loadOK(scenario(#"{"environment": "bare-metal", "nicTunnelOffload": false}"#))?.spec.network)
        XCTAssertEqual(s.host, HostEnvironmentSpec(nicTunnelOffload: false))
        XCTAssertFalse(s.parameters.tunnelOffload)
        XCTAssertFalse(Datapath.keepsAggregation(.flannelVXLAN, s.parameters))
        let c = try XCTUnwrap(loadOK(scenario(#"{"environment": "cloud-vm"}"#), overrides: ["network.nicTunnelOffload=true"])?.spec.network)
        XCTAssertEqual(c.host.nicTunnelOffload, true)
        XCTAssertTrue(c.parameters.tunnelOffload)
        XCTAssertTrue(Datapath.keepsAggregation(.flannelVXLAN, c.parameters))
    }

    func testBadValuesNameThePath() {
        assertSingleError(scenario(#"{"nicTunnelOffload": "yes"}"#), path: "network.nicTunnelOffload", ["true or false", "\"yes\""])
        assertSingleError(scenario(#"{"nicTunnelOffload": 1}"#), path: "network.nicTunnelOffload", ["true or false"])
        assertSingleError(scenario(#"{"nicTunnelOffload": null}"#), path: "network.nicTunnelOffload", ["true or false"])
        assertSingleError(scenario(#"{"nicTunnelOfload": true}"#), path: "network.nicTunnelOfload", ["did you mean \"nicTunnelOffload\"?"])
    }

    let header = "source,nic_tunnel_offload,environment,kernel,nic_gbit_s,cores,mode,experiment,message_size_bytes,mtu_bytes,throughput_mbit_s,throughput_ratio_to_host\n"

    func testTheCSVColumnIsReadPerRow() throws {
        let rows = try NetworkMeasurementsCSV.parse(header + """
            a,true,bare-metal,5.15,10,8,host,tcp,131072,1500,9190,
            b,false,bare-metal,5.15,10,8,flannel-vxlan,tcp,131072,1450,,0.7
            c,,bare-metal,5.15,10,8,flannel-vxlan,tcp,131072,1450,,0.7

            """)
        XCTAssertEqual(rows.map(\.tunnelOffload), [true, false, nil])
        // without the column every row keeps the environment's
        let plain = try NetworkMeasurementsCSV.parse("environment,mode,experiment,message_size_bytes,mtu_bytes,nic_gbit_s,cores,throughput_mbit_s\nbare-metal,host,tcp,65536,1500,10,8,9000\n")
        XCTAssertEqual(plain.map(\.tunnelOffload), [nil])
    }

    func testABadCSVValueIsOneErrorWithLineAndColumn() {
        XCTAssertThrowsError(try NetworkMeasurementsCSV.parse(header + "a,yes,bare-metal,5.15,10,8,host,tcp,131072,1500,9190,\n")) { e in
            let m = e as? MeasurementsError
            XCTAssertEqual(m?.line, 2); XCTAssertEqual(m?.column, 3)
            XCTAssertTrue(m?.message.contains("nic_tunnel_offload: expected true, false or empty") == true, "\(e)")
        }
    }
}
