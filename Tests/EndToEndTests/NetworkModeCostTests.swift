import Foundation
import XCTest

/// The shipped network-mode-cost experiment (scenarios/experiments/network-mode-cost.json, docs/network.md): it
/// validates, and its shipped aggregate says what docs/network.md says the modes cost.
final class NetworkModeCostTests: XCTestCase {
    static let experiment = "scenarios/experiments/network-mode-cost.json"

    func testTheExperimentValidates() throws {
        let r = try CLI.run(["validate", Self.experiment])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("24 points × 3 replications = 72 runs"), r.stdout)
    }

    /// points.csv as rows of (environment, mode) -> figure means.
    func shipped() throws -> [String: [String: Double]] {
        let text = try String(contentsOfFile: CLI.root.appendingPathComponent("results/network-mode-cost/points.csv").path, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        var rows: [String: [String: Double]] = [:]
        for line in lines {
            // the point id is quoted (it holds a comma); the other fields are plain
            let rest = line[line.index(after: line.dropFirst().firstIndex(of: "\"")!)...].dropFirst()
            let fields = ["id"] + rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields.count, header.count, line)
            var row: [String: Double] = [:]
            for (k, v) in zip(header, fields) { if let x = Double(v) { row[k] = x } }
            rows[fields[1] + "/" + fields[2]] = row
        }
        return rows
    }

    func testTheShippedAggregateRanksTheModesAsTheDatapathModelDoes() throws {
        let rows = try shipped()
        XCTAssertEqual(rows.count, 24)
        for env in ["cloud-vm", "bare-metal"] {
            func mean(_ mode: String, _ figure: String) throws -> Double { try XCTUnwrap(rows["\(env)/\(mode)"]?[figure + "_mean"], "\(env)/\(mode) \(figure)") }
            XCTAssertEqual(try mean("host", "network_added_rtt_us"), 0, env)
            let order = ["host", "calico-bgp", "overlay", "flannel-udp", "weave-sleeve"]
            for (a, b) in zip(order, order.dropFirst()) {
                XCTAssertLessThan(try mean(a, "network_cpu_us_per_request"), try mean(b, "network_cpu_us_per_request"), "\(env): \(a) < \(b)")
                XCTAssertLessThan(try mean(a, "network_added_rtt_us"), try mean(b, "network_added_rtt_us"), "\(env): \(a) < \(b)")
            }
        }
        // offloads and faster cores: bare metal is cheaper per request in every mode
        for mode in ["host", "overlay", "weave-sleeve"] {
            XCTAssertLessThan(try XCTUnwrap(rows["bare-metal/\(mode)"]?["network_cpu_us_per_request_mean"]),
                              try XCTUnwrap(rows["cloud-vm/\(mode)"]?["network_cpu_us_per_request_mean"]), mode)
        }
    }
}
