import XCTest
@testable import ClusterModel
import SimKernel

/// `NginxParseCache` (what `NginxProxies` parses with, issue 14): a configuration that differs from
/// the last one in a few upstream blocks reads only those again, and gives exactly what a full
/// parse gives: the same configuration, or the same error with the same line.
final class NginxParseCacheTests: XCTestCase {
    /// The shape consul-template renders for nginx (as the bench's template): an upstream per
    /// service, then a server with a location per service; comments and quoted words on the way.
    static func text(_ services: [[String]], proxySettings: String = "") -> String {
        var t = "# rendered by consul-template\n"
        for (k, servers) in services.enumerated() {
            t += "upstream svc\(k) {\n  least_conn;\n"
            for s in servers { t += "  server \(s) max_fails=3 fail_timeout=60;\n" }
            if servers.isEmpty { t += "  server 127.0.0.1:65535; # force a 502\n" }
            t += "}\n"
        }
        t += "server {\n  listen 80 default_server;\n  \(proxySettings)\n"
        for k in services.indices { t += "  location \"/svc\(k)/\" { proxy_pass http://svc\(k); }\n" }
        return t + "}\n"
    }

    func outcome(_ r: () throws(NginxConfigError) -> NginxConfiguration) -> String {
        do { return "\(try r())" } catch { return "error \(error.line): \(error.message)" }
    }

    func testSameConfigurationsAndErrorsAsAFullParse() {
        var cache = NginxParseCache()
        // 40 services of 0-6 instances; each step moves one instance, adds or drops one, or breaks the text
        var rng: UInt64 = 42
        func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(n)) }
        var services = (0..<40).map { k in (0..<(k % 7)).map { "10.0.\(k).\($0 + 1):\(31000 + $0)" } }
        var texts: [String] = []
        for step in 0..<120 {
            let k = next(services.count)
            switch next(4) {
            case 0: services[k].append("10.0.\(k).\(100 + step):\(32000 + step)")
            case 1: if !services[k].isEmpty { services[k].removeFirst() }
            case 2: if !services[k].isEmpty { services[k][0] = "10.1.\(k).\(step):\(33000 + step)" }
            default: break
            }
            var t = Self.text(services, proxySettings: step % 10 == 3 ? "proxy_read_timeout 5s;" : "")
            // now and then a text nginx rejects (or reads differently): the cache must not hide it
            switch step % 15 {
            case 4: t = t.replacingOccurrences(of: "upstream svc3 {", with: "upstream svc2 {")        // duplicate upstream
            case 7: t += "upstream broken {\n  server 10.0.0.9:1 bogus=1;\n}\n"                     // bad parameter, line
            case 9: t = t.replacingOccurrences(of: "server {\n  listen", with: "server {\n  listen \"80")  // unclosed quote
            case 11: t += "}\n"                                                                        // a brace too many
            case 13: t = "http {\n" + t + "}\n"                                                        // a whole nginx.conf
            case 14: t += "worker_processes"                                                           // no end
            default: break
            }
            texts.append(t)
        }
        var errors = 0
        for t in texts {
            let full = outcome { () throws(NginxConfigError) in try NginxConfiguration.parse(t) }
            let cached = outcome { () throws(NginxConfigError) in try cache.parse(t) }
            XCTAssertEqual(cached, full)
            if full.hasPrefix("error") { errors += 1 }
        }
        XCTAssertGreaterThan(errors, 30, "the rejected texts are compared too")
        // most blocks are read once: each step changes at most a few of the 41 directives
        XCTAssertGreaterThan(cache.hits, 5 * cache.misses, "hits \(cache.hits), misses \(cache.misses)")
    }

    /// Only the last text's directives are held: memory follows one configuration.
    func testHoldsOnlyTheLastTextsDirectives() {
        var cache = NginxParseCache()
        for step in 0..<50 {
            let services = (0..<10).map { k in ["10.0.\(k).\(step + 1):31000"] }   // every block changes
            _ = try? cache.parse(Self.text(services))
        }
        XCTAssertEqual(cache.held, 11, "10 upstream blocks and the server block")
    }
}
