import Foundation
import XCTest

/// `marathonLB.somaxconn` through the real command: a bad value is one error naming the JSON path,
/// exit status 2, nothing written.
final class MarathonLBSomaxconnCLITests: XCTestCase {
    func testBadSomaxconnIsInvalidInput() throws {
        let parent = CLI.tempDir("somaxconn")
        for v in ["0", "65536", "1.5", "\"128\""] {
            let r = try CLI.run(["run", "scenarios/flash-crowd.json", "--set", "marathonLB.somaxconn=\(v)", "--out", parent + "/o"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("marathonLB.somaxconn"), r.stderr)
            XCTAssertTrue(r.stderr.contains("an integer from 1 to 65535"), r.stderr)
            XCTAssertEqual(CLI.files(in: parent), [], v)
        }
    }

    /// The value reaches HAProxy's listening sockets: on the flash crowd (HAProxy 1.7), somaxconn
    /// 10000 holds 10000 connections per instance in the accept queues instead of 128, so fewer
    /// SYNs are dropped and the reload during the crowd resets far more of them (7500 per instance).
    func testSomaxconnSizesTheAcceptQueues() throws {
        let parent = CLI.tempDir("somaxconn-run")
        func figures(_ extra: [String], _ tag: String) throws -> [String: Any] {
            let r = try CLI.run(["run", "scenarios/flash-crowd.json", "--out", parent + "/" + tag, "--quiet"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let data = try Data(contentsOf: URL(fileURLWithPath: parent + "/" + tag + "/summary.json"))
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            return json["headline"] as? [String: Any] ?? [:]
        }
        func int(_ f: [String: Any], _ k: String) -> Int { (f[k] as? NSNumber)?.intValue ?? -1 }
        let small = try figures([], "128"), big = try figures(["--set", "marathonLB.somaxconn=10000"], "10000")
        XCTAssertEqual(int(small, "lb_queue_timeouts"), 0, "no server maxconn: no 503")
        XCTAssertGreaterThan(int(small, "lb_syn_drops"), 0)
        XCTAssertLessThan(int(big, "lb_syn_drops"), int(small, "lb_syn_drops"))
        XCTAssertGreaterThan(int(big, "lb_listen_resets"), 50 * int(small, "lb_listen_resets"))
    }
}
