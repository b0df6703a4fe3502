import XCTest
@testable import ClusterModel

/// marathon-lb v1.11's server names (config()), `re.sub(r'[^a-zA-Z0-9\-]', '_', host + '_' + ip +
/// '_' + port)`, or `ip + '_' + port` when the host is its address: the byte path for printable
/// ASCII gives what the character path gives.
final class MarathonLBServerNameTests: XCTestCase {
    func reference(_ host: String, _ port: Int) -> String {
        String((host + "_10.0.0.9_\(port)").map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "_" })
    }

    func testServerNamesMatchTheSubstitution() {
        let hosts = ["slave-01", "10.0.0.7", "Host.Example.COM", "a b~c{}|@[`/:", "dc1.rack-2.node_3", "café", "主机-1", "x\r\ny", ""]
        for h in hosts {
            XCTAssertEqual(MarathonLBConfig.serverName(h, "10.0.0.9", 31000), reference(h, 31000), h)
        }
        XCTAssertEqual(MarathonLBConfig.serverName("slave.01", "10.0.1.2", 31005), "slave_01_10_0_1_2_31005")
        XCTAssertEqual(MarathonLBConfig.serverName("café", "10.0.0.1", 1), "caf__10_0_0_1_1")
        // `if backendServer.host != backendServer.ip` ... else ip + '_' + port
        XCTAssertEqual(MarathonLBConfig.serverName("10.0.0.7", "10.0.0.7", 31000), "10_0_0_7_31000")
    }
}
