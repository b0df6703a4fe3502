import Foundation
import XCTest

/// `clustersim run --nginx-config-at`: the configuration each nginx reads at an instant, written
/// beside the results, loadable by the real `nginx -t`.
final class NginxConfigAtTests: XCTestCase {
    static let scenario = #"""
    {"name": "nginx-config-at", "duration": "10m",
     "hostGroups": [{"name": "edge", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                    {"name": "consul", "count": 3, "cpus": 2, "memory": "4GiB", "disk": "50GB"}],
     "consul": {"hostGroup": "consul"},
     "nginx": {"hostGroup": "edge",
               "configuration": "upstream static { server 10.0.0.9:8080 max_fails=2; }\nserver { listen 8080; location / { proxy_pass http://static; } }\n"},
     "consulTemplate": {"template": [{"contents": "{{range service \"web\"}}# {{.Address}}\n{{end}}", "destination": "/etc/nginx/conf.d/web.conf",
                                      "command": "nginx -s reload"}]}}
    """#

    func testWritesTheConfigurationOfEachNginxAtEachInstant() throws {
        let dir = CLI.tempDir("nginx-at")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let out = dir + "/out"
        let r = try CLI.run(["run", file, "--out", out, "--quiet", "--nginx-config-at", "0", "--nginx-config-at", "5m"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(CLI.files(in: out + "/nginx"), ["edge-01-0s.conf", "edge-01-300s.conf", "edge-02-0s.conf", "edge-02-300s.conf"])
        let text = try String(contentsOfFile: out + "/nginx/edge-01-300s.conf", encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("upstream static { server 10.0.0.9:8080 max_fails=2; }"), text)
        XCTAssertTrue(CLI.files(in: out).contains("nginx.csv"))
        let csv = try String(contentsOfFile: out + "/nginx.csv", encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("time_s,proxy,generation,upstreams,servers,servers_known,reloads\n0,edge-01,0,1,1,0,0\n"), csv)
        // the real nginx accepts what was written
        guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("nginx is not installed (Debian package nginx; scripts/install-deps.sh installs it): cannot run nginx -t")
        }
        let main = "pid \(dir)/nginx.pid; error_log \(dir)/error.log; events {} http { access_log off; client_body_temp_path \(dir)/b; proxy_temp_path \(dir)/p; fastcgi_temp_path \(dir)/f; uwsgi_temp_path \(dir)/u; scgi_temp_path \(dir)/s; include \(out)/nginx/edge-01-300s.conf; }\n"
        try main.write(toFile: dir + "/nginx.conf", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: nginx)
        p.arguments = ["-t", "-q", "-p", dir + "/", "-c", dir + "/nginx.conf", "-e", dir + "/error.log"]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        // a second run into the same folder replaces it, nginx/ included (it is ours)
        let again = try CLI.run(["run", file, "--out", out, "--quiet", "--nginx-config-at", "2m"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(CLI.files(in: out + "/nginx"), ["edge-01-120s.conf", "edge-02-120s.conf"])
        let plain = try CLI.run(["run", file, "--out", out, "--quiet"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/nginx"))
        // a folder of ours with anything else in nginx/ is not replaced
        try FileManager.default.createDirectory(atPath: out + "/nginx", withIntermediateDirectories: true)
        try "x".write(toFile: out + "/nginx/notes.txt", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["run", file, "--out", out, "--quiet"])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/nginx/notes.txt"))
    }

    func testBadInstantsAreRefused() throws {
        try CLI.assertBadInstantsRefused(scenario: Self.scenario, option: "--nginx-config-at")
    }
}
