import Foundation
import XCTest

/// marathon-lb's other labels through the real command: a label or template marathon-lb would
/// raise on is one error at the label's path (exit 2, nothing written); a label it does not know is
/// a warning naming it; the labels it reads reach the written haproxy.cfg.
final class MarathonLBLabelsEndToEndTests: XCTestCase {
    func scenario(labels: String) -> String {
        HAProxyConfigAtTests.scenario.replacingOccurrences(of: #""labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com"}"#,
                                                           with: #""labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com", "#
                                                               + labels + "}")
    }

    func testBadTemplateOrLabelIsOneErrorAtItsPath() throws {
        let dir = CLI.tempDir("mlb-labels-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, [String])] = [
            (#""HAPROXY_0_BACKEND_HEAD": "\nbackend {backen}\n  balance {balance}\n""#,
             ["marathon.apps[/shop/web].labels.HAPROXY_0_BACKEND_HEAD: marathon-lb: marathon-lb cannot format this template: str.format raises KeyError: 'backen'"]),
            (#""HAPROXY_0_HTTP_FRONTEND_ACL": "  acl host_{cleanedUpHostname} hdr(host) -i {hostname\n""#,
             ["marathon.apps[/shop/web].labels.HAPROXY_0_HTTP_FRONTEND_ACL: ", "ValueError: expected '}' before end of string"]),
            (#""HAPROXY_0_AUTH": "realm-only""#,
             ["marathon.apps[/shop/web].labels.HAPROXY_0_AUTH: ", "not enough values to unpack (expected 3, got 1)"]),
        ]
        // a deploy's new labels are read as the first version's
        let deploy = scenario(labels: #""HAPROXY_0_STICKY": "true""#).replacingOccurrences(
            of: #""actions": ["#, with: #""actions": [{"at": "2m", "kind": "deploy", "app": "/db", "changes": {"labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_FRONTEND_HEAD": "{}"}}}, "#)
        let all = cases.map { (scenario(labels: $0.0), $0.1) }
            + [(deploy, ["actions[0].changes.labels.HAPROXY_0_FRONTEND_HEAD: marathon-lb: ", "IndexError: tuple index out of range"])]
        for (k, (text, needles)) in all.enumerated() {
            let file = dir + "/s\(k).json"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let out = dir + "/out\(k)"
            let r = try CLI.run(["run", file, "--out", out, "--quiet"])
            XCTAssertEqual(r.status, 2, r.stderr)
            for n in needles { XCTAssertTrue(r.stderr.contains(n), "\(n) in\n\(r.stderr)") }
            XCTAssertTrue(r.stderr.contains("1 error"), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no partial output")
        }
    }

    func testUnknownLabelIsAWarningAndKnownOnesReachTheFile() throws {
        let dir = CLI.tempDir("mlb-labels-ok")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try scenario(labels: #""HAPROXY_0_VHOTS": "x", "HAPROXY_0_PATH": "/shop", "HAPROXY_0_STICKY": "true""#)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let v = try CLI.run(["validate", file])
        XCTAssertEqual(v.status, 0, v.stderr)
        let hits = v.stderr.split(separator: "\n").filter {
            $0.hasPrefix("warning: ") && $0.contains("marathon.apps[0].labels.HAPROXY_0_VHOTS: marathon-lb (v1.11) reads no label \"HAPROXY_0_VHOTS\": ignored")
                && $0.contains("did you mean \"HAPROXY_0_VHOST\"?")
        }
        XCTAssertEqual(hits.count, 1, v.stderr)
        XCTAssertFalse(v.stderr.contains("labels.HAPROXY_0_PATH") || v.stderr.contains("labels.HAPROXY_0_STICKY"), "modelled: not listed as not modelled\n\(v.stderr)")
        let out = dir + "/out"
        let r = try CLI.run(["run", file, "--out", out, "--quiet", "--haproxy-config-at", "4m"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let cfg = try String(contentsOfFile: out + "/haproxy/lb-01-240s.cfg", encoding: .utf8)
        for line in ["  acl path_shop_web_10080 path_beg /shop\n  use_backend shop_web_10080 if host_shop_example_com_shop_web path_shop_web_10080\n",
                     "  cookie mesosphere_server_id insert indirect nocache\n"] {
            XCTAssertTrue(cfg.contains(line), "\(line) in\n\(cfg)")
        }
        guard let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("haproxy is not installed: cannot run haproxy -c")
        }
        let c = try CLI.runProgram(haproxy, ["-c", "-dW", "-f", out + "/haproxy/lb-01-240s.cfg"], environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(c.status, 0, c.stdout + c.stderr)
    }
}
