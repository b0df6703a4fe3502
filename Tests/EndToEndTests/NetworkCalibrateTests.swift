import Foundation
import XCTest

/// `clustersim calibrate` (docs/network.md, "Calibration"): the fit on the reference rows, the
/// leave-one-source-out table that docs/network.md shows, a results folder's network.csv as
/// input, and one clear error for a bad CSV.
final class NetworkCalibrateTests: XCTestCase {
    func testFitOnTheReferenceRowsPrintsTheTableAndResiduals() throws {
        let r = try CLI.run(["calibrate", "scripts/network-reference.csv", "--environment", "bare-metal"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 54 before [N3]'s 11 udp losses were compared, 65 before [N2d], [N8-f1816] and [N8-mflow] (docs/network.md, "More sources")
        XCTAssertTrue(r.stdout.contains("## bare-metal: 71 figures"), r.stdout)
        // one program beyond its conntrack lookup (1510 per skb, one program and one lookup, before the eBPF work was counted)
        XCTAssertTrue(r.stdout.contains("| `ebpfNsPerPacket` | 1425 |"), r.stdout)
        XCTAssertTrue(r.stdout.contains("| 62 | N3 | cilium-vxlan | cpu_ratio_to_flannel-vxlan | 1.785 |"), r.stdout)
        XCTAssertFalse(r.stdout.contains("cloud-vm"))
    }

    /// The table in docs/network.md is this command's output, so it cannot drift from the code.
    func testLeaveOneSourceOutTableIsTheOneInTheDocs() throws {
        let r = try CLI.run(["calibrate", "scripts/network-reference.csv", "--leave-one-source-out"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("| bare-metal | N3 | cpu ratio | 20 |"), r.stdout)
        // [N3]'s udp loss (udp_loss_pct in the reference CSV) is compared
        XCTAssertTrue(r.stdout.contains("| bare-metal | N3 | udp loss | 11 |"), r.stdout)
        let docs = try String(contentsOf: CLI.root.appendingPathComponent("docs/network.md"), encoding: .utf8)
        XCTAssertTrue(docs.contains("<!-- BEGIN GENERATED: clustersim calibrate scripts/network-reference.csv --leave-one-source-out -->\n" + r.stdout
                                    + "<!-- END GENERATED -->"), "docs/network.md's leave-one-source-out table differs from the command's output:\n\(r.stdout)")
    }

    /// The leave-one-source-out errors this model reaches (issue 15's goal is every ratio within
    /// 10 %). Before the forwarders were composed of system calls and hand-offs and before the
    /// fold kept the hardware's base costs, N1's throughput ratios were off by 94.6 % on average
    /// (440.7 % at most: Flannel UDP and Weave had no cost without N1), N3's throughputs by 35.2 %,
    /// N2's by 43.4 % and N8-cue's ratios by 14.1 %. Before stages ran once per skb, N3's CPU
    /// ratios were off by 32.5 % and N2b-same's bridge ratio by 19.7 %. With the sources' own
    /// kernels (N1 3.16, N8-cue 4.4: the same IPIP offloads) N1's IPIP (0.96 of host) and
    /// N8-cue's (0.64) cannot both be predicted from the other (docs/network.md, "What remains"):
    /// N8-cue's ratios 15 %, N1's added latency 59.5 %. With the driver per descriptor of a physical
    /// NIC (TSO on send, 3 KiB receive buffers) N3's CPU ratios went from 25 % to 22.7 %; with a
    /// UDP sender in a container charged for every datagram it offers, from 21.2 % to 20 %.
    func testLeaveOneSourceOutErrors() throws {
        let r = try CLI.run(["calibrate", "scripts/network-reference.csv", "--leave-one-source-out"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // (mean, largest) absolute error in percent of one line of the table
        func errors(_ env: String, _ source: String, _ metric: String) throws -> (mean: Double, max: Double) {
            let line = try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.hasPrefix("| \(env) | \(source) | \(metric) |") }, "\(source) \(metric)")
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func pct(_ s: String) throws -> Double { try XCTUnwrap(Double(s.replacingOccurrences(of: " %", with: "")), s) }
            return (try pct(cells[4]), try pct(cells[5]))
        }
        let n1 = try errors("cloud-vm", "N1", "throughput ratio")
        XCTAssertLessThan(n1.mean, 9); XCTAssertLessThan(n1.max, 11)
        XCTAssertLessThan(try errors("cloud-vm", "N8-cue", "throughput ratio").mean, 16)
        XCTAssertLessThan(try errors("bare-metal", "N2", "throughput").max, 7)
        XCTAssertLessThan(try errors("bare-metal", "N3", "throughput").mean, 8)
        let n3cpu = try errors("bare-metal", "N3", "cpu ratio")
        // 22.7 and 65.1 % while Weave fastdp sent per packet; 21.2 % while a UDP sender was charged per datagram delivered
        XCTAssertLessThan(n3cpu.mean, 20.5); XCTAssertLessThan(n3cpu.max, 60)
        XCTAssertLessThan(try errors("bare-metal", "N2b-same", "throughput ratio").max, 10)
        XCTAssertLessThan(try errors("cloud-vm", "N1", "added latency").mean, 60)
    }

    /// A results folder's network.csv has the columns: it loads as it is, and the closed form the
    /// fit uses predicts every figure of the simulated experiments with the shipped table.
    func testAResultsNetworkCSVLoadsAndThePredictionIsTheSimulation() throws {
        let r = try CLI.run(["calibrate", "results/network-modes/network.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("## cloud-vm"))
        let shipped = try XCTUnwrap(r.stdout.components(separatedBy: "Residuals with the shipped table:").last?
            .components(separatedBy: "Residuals with the fitted table:").first)
        let figures = shipped.split(separator: "\n").filter { $0.hasSuffix("% |") }
        XCTAssertGreaterThan(figures.count, 1000)
        // network.csv prints ratios with 3 decimals: a ratio below 0.1 (Weave sleeve's 0.082) is
        // off by up to 0.6 % from rounding alone, so the figures must agree to the printed digits
        let off = figures.filter { line in
            if line.hasSuffix("| 0 % |") || line.hasSuffix("| -0 % |") { return false }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 7, let m = Double(cells[4]), let p = Double(cells[5]) else { return true }
            return abs(p - m) > 0.0011
        }
        XCTAssertTrue(off.isEmpty, off.prefix(5).joined(separator: "\n"))
    }

    func testABadCSVIsOneErrorWithLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calibrate-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let header = "environment,mode,experiment,message_size_bytes,mtu_bytes,nic_gbit_s,cores,throughput_mbit_s\n"
        let cases: [(String, String)] = [
            (header + "bare-metal,host,tcp,65536,1500,10,8,9000\nbare-metal,host,tcp,65536,1500,10,8,fast\n", ":3:37: throughput_mbit_s: expected a number"),
            (header + "bare-metal,calico,tcp,65536,1500,10,8,9000\n", ":2:12: mode: unknown mode \"calico\""),
            (header + "bare-metal,host,tcp,65536,1500,1e308,8,9000\n", ":2:32: nic_gbit_s: expected a number from 0.001 to 1000"),
            (header + "bare-metal,host,tcp,65536,1500,10\n", ":2:35: 6 fields, the header has 8"),
            ("environment,mode,colour\n", ":1:18: unknown column \"colour\""),
            ("environment,mode\n", ":1:1: the header has no \"experiment\" column"),
            ("", ":1:1: no header row"),
        ]
        for (i, (text, fragment)) in cases.enumerated() {
            let f = dir.appendingPathComponent("m\(i).csv")
            try text.write(to: f, atomically: true, encoding: .utf8)
            let r = try CLI.run(["calibrate", f.path])
            XCTAssertEqual(r.status, 2, "case \(i): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(f.path + fragment), "case \(i): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one error: \(r.stderr)")
            XCTAssertEqual(r.stdout, "")
        }
    }
}
