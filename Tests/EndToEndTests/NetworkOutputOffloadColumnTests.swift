import Foundation
import XCTest

/// network.csv states the NIC UDP-tunnel offload it was computed with (`nic_tunnel_offload`), so a results folder
/// refitted with `clustersim calibrate` is predicted with its hosts' NIC, not the environment's default: the model's
/// own output, refitted, gives back the shipped costs.
final class NetworkOutputOffloadColumnTests: XCTestCase {
    func testAResultsFolderRefitsWithItsOwnNIC() throws {
        let dir = CLI.tempDir("offload-column")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", "scenarios/network-modes-bare-metal.json", "--set", "network.nicTunnelOffload=false", "--out", dir + "/o"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try String(contentsOfFile: dir + "/o/network.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let col = try XCTUnwrap(lines[0].firstIndex(of: "nic_tunnel_offload"))
        XCTAssertGreaterThan(lines.count, 10)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0[col] == "false" }, "every row states the NIC it was computed with")

        // refitted as written: the VXLAN rows are predicted without offload, so the fit keeps the shipped cost
        let fit = try CLI.run(["calibrate", dir + "/o/network.csv", "--environment", "bare-metal"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        XCTAssertTrue(fit.stdout.contains("| `vxlanNsPerPacket` | 150 | 150 |"), fit.stdout)
        // the same rows with the column emptied are predicted with the environment's NIC (offload) and refit apart
        let blank = dir + "/blank.csv"
        let text = lines.enumerated().map { i, f in f.enumerated().map { j, v in i > 0 && j == col ? "" : v }.joined(separator: ",") }
        try (text.joined(separator: "\n") + "\n").write(toFile: blank, atomically: true, encoding: .utf8)
        let other = try CLI.run(["calibrate", blank, "--environment", "bare-metal"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertFalse(other.stdout.contains("| `vxlanNsPerPacket` | 150 | 150 |"), other.stdout)
    }
}
