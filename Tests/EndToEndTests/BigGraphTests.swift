import Foundation
import XCTest

/// Dependency graphs of tens of thousands of apps or jobs cost what reading them costs, and none
/// overflows the stack. Before: the cycle searches (Marathon apps, Chronos jobs) and the initial
/// deployment's step order recursed once per link and crashed (SIGSEGV) on a cycle or chain of a
/// few thousand; every dependency on an unknown id compared it with every app id for a "did you
/// mean" (20,000 of them: about 1.5 hours), and a group dependency scanned every app.
final class BigGraphTests: XCTestCase {
    static let n = 20_000

    static func scenario(apps: [String], chronos: String? = nil) -> String {
        """
        {"name": "big-graph", "duration": "2m", "seed": 1,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
         "marathon": {"version": "1.9", "apps": [\(apps.joined(separator: ",\n"))]}\(chronos.map { ", \"chronos\": " + $0 } ?? "")}
        """
    }

    static func app(_ id: String, _ deps: [String]) -> String {
        let d = deps.map { "\"\($0)\"" }.joined(separator: ", ")
        return #"{"id": "\#(id)", "cmd": "x", "cpus": 0.01, "mem": 32, "instances": 0, "portDefinitions": [], "dependencies": [\#(d)]}"#
    }

    func run(_ text: String, _ args: [String], _ name: String) throws -> (status: Int32, stdout: String, stderr: String, dir: String) {
        let dir = CLI.tempDir(name)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        // a hang guard, not a timing assertion (exit 124 then); a crash is a signal, not 2
        let r = try CLI.runProgram("/usr/bin/timeout", ["300", CLI.binary] + args.map { $0 == "FILE" ? file : $0 == "DIR" ? dir + "/out" : $0 },
                                   environment: ProcessInfo.processInfo.environment)
        return (r.status, r.stdout, r.stderr, dir)
    }

    /// A ring of apps, each depending on the next app's group and on an id nobody defines: one
    /// error naming the cycle in one line, one warning per unknown id.
    func testACycleThroughTwentyThousandAppsIsOneErrorAndUnknownIdsAreWarnings() throws {
        let n = Self.n
        let apps = (0..<n).map { i in Self.app("/g\(i)/a", ["/g\((i + 1) % n)", "/g\(i)/b"]) }
        let r = try run(Self.scenario(apps: apps), ["validate", "FILE"], "big-graph-cycle")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("dependency cycle") }
        XCTAssertEqual(errors.count, 1, String(r.stderr.prefix(2000)))
        XCTAssertTrue(errors.first?.contains("marathon.apps[0].dependencies: dependency cycle: /g0/a -> /g1/a -> /g2/a -> /g3/a -> /g4/a -> (\(n - 10) more) -> /g\(n - 5)/a") ?? false,
                      String(errors.first?.prefix(500) ?? ""))
        XCTAssertTrue(r.stderr.contains("1 error;"), String(r.stderr.suffix(500)))
        XCTAssertLessThan(errors.first?.count ?? 0, 400)
    }

    /// The same apps as a chain (each on the previous one's group) run: the initial deployment
    /// has one step per link, and the closing report stays a few lines long.
    func testAChainOfTwentyThousandAppsDeploysInOrder() throws {
        let n = Self.n
        let apps = (0..<n).map { i in Self.app("/g\(i)/a", i == 0 ? [] : ["/g\(i - 1)"]) }
        let r = try run(Self.scenario(apps: apps), ["run", "FILE", "--out", "DIR"], "big-graph-chain")
        XCTAssertEqual(r.status, 0, String(r.stderr.prefix(2000)))
        XCTAssertTrue(r.stdout.contains("apps deployed: \(n) of \(n)"), String(r.stdout.prefix(1000)))
        XCTAssertTrue(r.stdout.contains(", and \(n - 20) more (events.csv: appDeployed rows)"), String(r.stdout.prefix(3000)))
        XCTAssertLessThan(r.stdout.count, 4000)
        let events = try String(contentsOfFile: r.dir + "/out/events.csv", encoding: .utf8)
        XCTAssertTrue(events.contains("initial deployment of \(n) apps; \(n) steps"), String(events.prefix(2000)))
    }

    /// A ring of Chronos jobs, each the parent of the previous one: one error naming the cycle.
    func testACycleOfTwentyThousandChronosJobsIsOneError() throws {
        let n = Self.n
        let jobs = (0..<n).map { i in #"{"name": "j\#(i)", "parents": ["j\#((i + 1) % n)"], "cpus": 0.1, "mem": 32, "command": "x"}"# }
        let chronos = #"{"version": "2.x", "jobs": [\#(jobs.joined(separator: ", "))]}"#
        let r = try run(Self.scenario(apps: [Self.app("/a", [])], chronos: chronos), ["validate", "FILE"], "big-graph-chronos")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("dependency cycle") }
        XCTAssertEqual(errors.count, 1, String(r.stderr.prefix(2000)))
        XCTAssertTrue(errors.first?.contains("dependency cycle: j0 -> j1 -> j2 -> j3 -> j4 -> (\(n - 10) more) -> j\(n - 5)") ?? false, String(errors.first?.prefix(500) ?? ""))
    }
}

extension BigGraphTests {
    /// Two thousand actions naming misspelt apps among twenty thousand: one short error each
    /// (before: each listed every app id, 0.3 MB a line, and compared its id with all of them).
    func testMisspeltReferencesAmongTwentyThousandAppsGiveShortErrors() throws {
        let n = Self.n
        let apps = (0..<n).map { i in Self.app("/shop/a\(i)", []) }
        var text = Self.scenario(apps: apps)
        let actions = (0..<2000).map { i in #"{"at": "1m", "kind": "scale", "app": "/shop/b\#(i)", "instances": 1}"# }
        text = String(text.dropLast()) + #", "actions": [\#(actions.joined(separator: ", "))]}"#
        let r = try run(text, ["validate", "FILE"], "big-graph-actions")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let errors = r.stderr.split(separator: "\n").filter { $0.contains("no Marathon app") }
        XCTAssertEqual(errors.count, 2000, String(r.stderr.prefix(2000)))
        XCTAssertTrue(errors[0].contains(#"actions[0].app: no Marathon app "/shop/b0"; did you mean "/shop/a0"?; apps: "/shop/a0", "/shop/a1""#), String(errors[0]))
        XCTAssertTrue(errors[0].hasSuffix("... (\(n) in all)"), String(errors[0].suffix(300)))
        XCTAssertLessThan(errors.map(\.count).max() ?? 0, 500)
    }
}

extension BigGraphTests {
    /// Fifty thousand apps, each with its Consul service definition: loaded and run in linear
    /// time (the catalog's service names were found by scanning the names seen so far, and each
    /// app's definition by scanning the definitions: 16,000 ran 52.7 s in a debug build, 7.5 s now).
    func testFiftyThousandConsulServiceDefinitionsRun() throws {
        let n = 50_000
        let apps = (0..<n).map { i in Self.app("/a\(i)", []) }
        let services = (0..<n).map { i in #""/a\#(i)": {"service": {"name": "s\#(i)", "tags": ["t\#(i % 7)"], "check": {"http": "http://localhost/", "interval": "10s"}}}"# }
        let text = String(Self.scenario(apps: apps).dropLast()) + #", "consul": {"services": {\#(services.joined(separator: ", "))}}}"#
        let r = try run(text, ["run", "FILE", "--out", "DIR", "--quiet"], "big-graph-consul")
        XCTAssertEqual(r.status, 0, String(r.stderr.prefix(2000)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: r.dir + "/out/consul.csv"))
    }
}
