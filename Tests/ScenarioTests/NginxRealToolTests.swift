import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import TestSupport
import XCTest

/// Real nginx judges what the simulator renders: `nginx -t` (Debian's nginx, installed by
/// scripts/install-deps.sh) on the canonical templates rendered with 0, 1 and several instances,
/// included inside `http { }` as /etc/nginx/conf.d/*.conf is. It runs as any user: pid, error
/// log and temp paths point into a temporary prefix.
final class NginxRealToolTests: XCTestCase {
    struct Answers: TemplateData {
        var n: Int
        func service(_ q: ServiceQuery) -> [TemplateInstance] {
            (0..<n).map { TemplateInstance(node: "slave-0\($0 + 1)", address: Host.address(ofIndex: $0 + 1), id: "slave-0\($0 + 1):\(q.name):\(31000 + $0)", name: q.name, port: 31000 + $0) }
        }
        func services() -> [String] { n == 0 ? [] : ["api", "web"] }
    }

    static func nginxBinary() -> String? {
        for p in ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }

    /// `nginx -t` on `included` as a conf.d file; returns (exit status, nginx's output).
    static func nginxTest(_ included: String) throws -> (Int32, String) {
        let nginx = try XCTUnwrap(nginxBinary())
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(included, to: dir + "/conf.d/app.conf")
        let main = """
            pid \(dir)/nginx.pid;
            error_log \(dir)/error.log;
            events {}
            http {
                access_log off;
                client_body_temp_path \(dir)/body; proxy_temp_path \(dir)/proxy; fastcgi_temp_path \(dir)/fastcgi;
                uwsgi_temp_path \(dir)/uwsgi; scgi_temp_path \(dir)/scgi;
                include \(dir)/conf.d/*.conf;
            }
            """
        write(main, to: dir + "/nginx.conf")
        return try ToolRun.run(nginx, ["-t", "-q", "-p", dir + "/", "-c", dir + "/nginx.conf", "-e", dir + "/error.log"])
    }

    func render(_ file: String, instances n: Int) throws -> String {
        let text = try String(contentsOfFile: ConsulTemplateSectionTests.templatesFolder + "/" + file, encoding: .utf8)
        return try TemplateRenderer(data: Answers(n: n)).render(try TemplateParser.parse(text))
    }

    func testRealNginxAcceptsTheRenderedCanonicalTemplates() throws {
        guard Self.nginxBinary() != nil else {
            throw XCTSkip("nginx is not installed (Debian package nginx; scripts/install-deps.sh installs it): cannot run nginx -t")
        }
        for file in ["nginx.ctmpl", "examples-nginx.ctmpl"] {
            for n in [0, 1, 5] {
                let conf = try render(file, instances: n)
                // our parser accepts it too, and finds what the request path needs
                let parsed = try NginxConfiguration.parse(conf)
                XCTAssertFalse(parsed.upstreams.isEmpty && file == "nginx.ctmpl")
                let (status, out) = try Self.nginxTest(conf)
                XCTAssertEqual(status, 0, "\(file) with \(n) instances: nginx -t says:\n\(out)\n--- rendered:\n\(conf)")
            }
        }
        // the placeholder of the 0-instance render is what the model routes to (refused: 502)
        let empty = try NginxConfiguration.parse(try render("nginx.ctmpl", instances: 0))
        XCTAssertEqual(empty.upstreams.first?.servers.map { "\($0.address):\($0.port)" }, ["127.0.0.1:65535"])
        XCTAssertEqual(try NginxConfiguration.parse(try render("nginx.ctmpl", instances: 5)).upstreams.first?.servers.count, 5)
    }

    /// Times as nginx parses them: the model accepts exactly what nginx -t accepts, for the
    /// milliseconds directives (proxy_connect_timeout) and the seconds parameters (fail_timeout).
    func testTimeValuesAgreeWithRealNginx() throws {
        guard Self.nginxBinary() != nil else {
            throw XCTSkip("nginx is not installed (Debian package nginx; scripts/install-deps.sh installs it): cannot run nginx -t")
        }
        let values = ["60", "60s", "1m30s", "1m30", "500ms", "30s1m", "1s1s", "1.5s", "2d", "1y", "1M", "1w2d", "0", "1m 30s",
                      "10x", "1h30m", "1s500ms", "30 1m", "1m1m", "1d1h1m1s"]
        for v in values {
            let msec = "upstream u { server 10.0.0.2:1; } server { listen 8080; location / { proxy_connect_timeout \"\(v)\"; proxy_pass http://u; } }\n"
            XCTAssertEqual(try Self.nginxTest(msec).0 == 0, NginxConfigText.time(v) != nil, "proxy_connect_timeout \(v)")
            guard !v.contains(" ") else { continue }
            let sec = "upstream u { server 10.0.0.2:1 fail_timeout=\(v); }\n"
            XCTAssertEqual(try Self.nginxTest(sec).0 == 0, NginxConfigText.time(v, seconds: true) != nil, "fail_timeout=\(v)")
        }
    }

    /// The judge works: what our parser rejects, nginx rejects too.
    func testRealNginxRejectsWhatTheModelRejects() throws {
        guard Self.nginxBinary() != nil else {
            throw XCTSkip("nginx is not installed (Debian package nginx; scripts/install-deps.sh installs it): cannot run nginx -t")
        }
        for bad in ["upstream app { }\n", "upstream app { server 10.0.0.2:1 weight=0; }\n",
                    "server { listen 8080; location / { proxy_pass http://nosuchupstream; } }\n",
                    "upstream a { server 10.0.0.2:1; }\nupstream a { server 10.0.0.3:1; }\n"] {
            XCTAssertThrowsError(try NginxConfiguration.parse(bad), bad)
            let (status, _) = try Self.nginxTest(bad)
            XCTAssertNotEqual(status, 0, "nginx accepted:\n\(bad)")
        }
    }
}
