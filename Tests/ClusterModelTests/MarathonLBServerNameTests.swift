import XCTest
@testable import ClusterModel

/// marathon-lb's server names, `re.sub(r'[^a-zA-Z0-9\-]', '_', host + '_' + port)`: the byte
/// path for printable ASCII gives what the character path gives.
final class MarathonLBServerNameTests: XCTestCase {
    func reference(_ host: String, _ port: Int) -> String {
        String((host + "_\(port)").map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" ? $0 : "_" })
    }

    func testServerNamesMatchTheSubstitution() {
        let hosts = ["slave-01", "10.0.0.7", "Host.Example.COM", "a b~c{}|@[`/:", "dc1.rack-2.node_3", "café", "主机-1", "x\r\ny", ""]
        for h in hosts {
            XCTAssertEqual(MarathonLBConfig.serverName(h, 31000), reference(h, 31000), h)
        }
        XCTAssertEqual(MarathonLBConfig.serverName("slave.01", 31005), "slave_01_31005")
        XCTAssertEqual(MarathonLBConfig.serverName("café", 1), "caf__1")
    }
}
