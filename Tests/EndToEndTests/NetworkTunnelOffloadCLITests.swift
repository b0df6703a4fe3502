import Foundation
import XCTest

/// `network.nicTunnelOffload` and the calibration CSV's `nic_tunnel_offload` through the real command: a bad value
/// is one error naming the JSON path (or the CSV's line and column), exit status 2, nothing written.
final class NetworkTunnelOffloadCLITests: XCTestCase {
    func testBadKeyValueIsInvalidInput() throws {
        let parent = CLI.tempDir("nicoffload")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        for set in ["network.nicTunnelOffload=yes", "network.nicTunnelOffload=1"] {
            let r = try CLI.run(["run", "scenarios/network-modes-bare-metal.json", "--set", set, "--out", parent + "/o"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("network.nicTunnelOffload: expected true or false"), r.stderr)
            XCTAssertEqual(r.stderr.components(separatedBy: "expected").count - 1, 1, "one error: \(r.stderr)")
            XCTAssertEqual(CLI.files(in: parent), [])
        }
    }

    func testBadCSVValueIsOneErrorAndAGoodOneIsFitted() throws {
        let dir = CLI.tempDir("nicoffload-csv")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = "source,nic_tunnel_offload,environment,kernel,nic_gbit_s,cores,mode,experiment,message_size_bytes,mtu_bytes,throughput_mbit_s,throughput_ratio_to_host\n"
        let bad = dir + "/bad.csv"
        try (header + "a,on,bare-metal,5.15,10,8,host,tcp,131072,1500,9190,\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["calibrate", bad])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(bad + ":2:3: nic_tunnel_offload: expected true, false or empty"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one error: \(r.stderr)")
        XCTAssertEqual(r.stdout, "")
        let good = dir + "/good.csv"
        try (header + "a,false,bare-metal,5.15,10,8,host,tcp,131072,1500,9190,\na,false,bare-metal,5.15,10,8,flannel-vxlan,tcp,131072,1450,,0.70\n")
            .write(toFile: good, atomically: true, encoding: .utf8)
        let g = try CLI.run(["calibrate", good])
        XCTAssertEqual(g.status, 0, g.stderr)
        XCTAssertTrue(g.stdout.contains("| 3 | a | flannel-vxlan | throughput_ratio_to_host | 0.7 | 0.557 |"), g.stdout)
    }
}
