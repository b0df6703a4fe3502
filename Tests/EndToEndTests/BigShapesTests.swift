import Foundation
import XCTest

/// Large valid shapes of the sections that name each other (Alertmanager routes, receivers and
/// time intervals; marathon-lb-autoscale's `--apps`; log volumes; Harbor images) are read in
/// linear time. Each was found by timing `clustersim validate` at n and 4n (a ratio near 16 is
/// quadratic): every name was looked up by scanning the names read so far. The guard below is a
/// hang guard, not a timing assertion: without the indexes each file takes minutes in a debug
/// build (the release build before the fix: 54 s, 59 s, over 120 s); with them a few seconds.
final class BigShapesTests: XCTestCase {
    /// `marathon`: more keys of the marathon section; `top`: more top-level sections.
    static func scenario(apps: [String], marathon: String = "", top: String = "") -> String {
        """
        {"name": "big-shapes", "duration": "2m", "seed": 1,
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                        {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                        {"name": "hub", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "2TB"}],
         "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}},
         "marathon": {"version": "1.9", "apps": [\(apps.joined(separator: ",\n"))]\(marathon.isEmpty ? "" : ", " + marathon)}\(top.isEmpty ? "" : ", " + top)}
        """
    }

    static func app(_ id: String, _ more: String = "") -> String {
        #"{"id": "\#(id)", "cmd": "x", "cpus": 0.01, "mem": 32, "instances": 0, "portDefinitions": []\#(more)}"#
    }

    func validate(_ text: String, _ name: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let dir = CLI.tempDir(name)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/s.json"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        // a hang guard (exit 124), not a timing assertion
        let r = try CLI.runProgram("/usr/bin/timeout", ["60", CLI.binary, "validate", file], environment: ProcessInfo.processInfo.environment)
        return (r.status, r.stdout, r.stderr)
    }

    func errors(_ stderr: String) -> [Substring] { stderr.split(separator: "\n").filter { $0.contains(": ") && !$0.hasSuffix("nothing was run or written.") } }

    /// 40,000 receivers, a route per receiver, 40,000 time intervals muted by one route and a
    /// group_by of 40,000 labels: the names are checked through sets (config.go keeps maps too),
    /// and the three mistakes at the end are still found.
    func testFortyThousandReceiversRoutesAndTimeIntervals() throws {
        let n = 40_000
        let routes = (0..<n).map { i in #"{"matchers": ["alertname=\"A\#(i)\""], "receiver": "r\#(n - 1 - i)"}"# }
            + [#"{"matchers": ["severity=\"page\""], "mute_time_intervals": [\#((0..<n).map { "\"t\($0)\"" }.joined(separator: ", ")), "t-missing"]}"#,
               #"{"matchers": ["severity=\"info\""], "receiver": "nobody"}"#]
        let receivers = (0..<n).map { #"{"name": "r\#($0)"}"# } + [#"{"name": "r0"}"#]
        let intervals = (0..<n).map { #"{"name": "t\#($0)", "time_intervals": [{"weekdays": ["saturday"]}]}"# }
        let am = #""alertmanager": {"hosts": ["master-01"], "config": {"route": {"receiver": "r0", "group_by": [\#((0..<n).map { "\"l\($0)\"" }.joined(separator: ", "))], "routes": [\#(routes.joined(separator: ", "))]}, "receivers": [\#(receivers.joined(separator: ", "))], "time_intervals": [\#(intervals.joined(separator: ", "))]}}"#
        let r = try validate(Self.scenario(apps: [Self.app("/a")], top: am), "big-shapes-am")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let e = errors(r.stderr)
        XCTAssertEqual(e.count, 3, String(r.stderr.prefix(2000)))
        XCTAssertTrue(r.stderr.contains(#"alertmanager.config.receivers[\#(n)]: notification config name "r0" is not unique"#), String(r.stderr.prefix(2000)))
        XCTAssertTrue(r.stderr.contains(#"alertmanager.config.route.routes[\#(n)].mute_time_intervals: undefined time interval "t-missing" used in route"#), String(r.stderr.prefix(2000)))
        XCTAssertTrue(r.stderr.contains(#"alertmanager.config.route.routes[\#(n + 1)].receiver: undefined receiver "nobody" used in route"#), String(r.stderr.prefix(2000)))
    }

    /// A route muting 40,000 time intervals runs: the routing tree finds each by name (before:
    /// each name was searched among all intervals when the tree was built, 1.6 billion string
    /// comparisons here).
    func testARouteMutingFortyThousandTimeIntervalsRuns() throws {
        let n = 40_000
        let intervals = (0..<n).map { #"{"name": "t\#($0)", "time_intervals": [{"weekdays": ["saturday"]}]}"# }
        let am = #""alertmanager": {"hosts": ["master-01"], "config": {"route": {"receiver": "r", "routes": [{"matchers": ["severity=\"page\""], "mute_time_intervals": [\#((0..<n).map { "\"t\($0)\"" }.joined(separator: ", "))]}]}, "receivers": [{"name": "r"}], "time_intervals": [\#(intervals.joined(separator: ", "))]}}"#
        let dir = CLI.tempDir("big-shapes-am-run")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try Self.scenario(apps: [Self.app("/a")], top: am).write(toFile: dir + "/s.json", atomically: true, encoding: .utf8)
        let r = try CLI.runProgram("/usr/bin/timeout", ["60", CLI.binary, "run", dir + "/s.json", "--out", dir + "/out", "--quiet"], environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(r.status, 0, String(r.stderr.prefix(2000)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out/summary.json"))
    }

    /// 40,000 apps with their own log volume: conflicts are found through an index of the paths
    /// (before: every pair compared); the two nested volumes, one below an earlier app's and one
    /// above it, are the only errors.
    func testTwentyThousandLogVolumes() throws {
        // 20,000, not more: the guard is a hang guard, and a debug build on a busy 2-core machine
        // took up to 24 s for 40,000 (the scan took 200 s in release at 20,000)
        let n = 20_000
        let apps = [Self.app("/v/deep")] + (0..<n).map { Self.app("/v/a\($0)") } + [Self.app("/v/last")]
        let behaviour = ([#""/v/deep": {"logs": {"hostVolume": "/var/log/a3/deep"}}"#] + (0..<n).map { #""/v/a\#($0)": {"logs": {"hostVolume": "/var/log/a\#($0)"}}"# }
                         + [#""/v/last": {"logs": {"hostVolume": "/var/log/a7/sub/"}}"#]).joined(separator: ", ")
        let text = Self.scenario(apps: apps, marathon: #""behaviour": {\#(behaviour)}"#, top: #""storage": {"hostGroups": [{"hostGroup": "slave"}]}"#)
        let r = try validate(text, "big-shapes-volumes")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let e = errors(r.stderr)
        XCTAssertEqual(e.count, 2, String(r.stderr.prefix(2000)))
        XCTAssertTrue(e.first?.contains(#"marathon.behaviour["/v/a3"].logs.hostVolume: host path "/var/log/a3" of app /v/a3 is nested with the host path "/var/log/a3/deep" mapped by app /v/deep; each app needs its own log volume"#) ?? false, String(r.stderr.prefix(2000)))
        XCTAssertTrue(e.last?.contains(#"marathon.behaviour["/v/last"].logs.hostVolume: host path "/var/log/a7/sub" of app /v/last is nested with the host path "/var/log/a7" mapped by app /v/a7; each app needs its own log volume"#) ?? false, String(r.stderr.prefix(2000)))
    }

    /// marathon-lb-autoscale watching 10,000 frontends of 10,000 apps: each `--apps` entry finds
    /// its app by key (before: a scan of every app per entry, over 120 s in a release build);
    /// a repeated entry is read once, an unknown one is the only error.
    func testAutoscaleWatchingTenThousandFrontends() throws {
        let n = 10_000
        let apps = (0..<n).map { i in #"{"id": "/s/a\#(i)", "cmd": "x", "cpus": 0.01, "mem": 32, "instances": 0, "portDefinitions": [{"port": \#(10000 + i)}], "labels": {"HAPROXY_GROUP": "external"}}"# }
        let entries = (0..<n).map { "s_a\($0)_\(10000 + $0)" } + ["s_a0_10000", "s_missing_10000"]
        let text = Self.scenario(apps: apps, top: #""marathonLB": {"instances": [{"hostGroup": "hub", "group": "external"}]}, "autoscale": {"host": "master-01", "flags": {"--marathon": "http://master-01:8080", "--haproxy": "http://hub-01:9090", "--apps": "\#(entries.joined(separator: ","))"}}"#)
        let r = try validate(text, "big-shapes-autoscale")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        let e = errors(r.stderr)
        XCTAssertEqual(e.count, 1, String(r.stderr.prefix(2000)))
        XCTAssertTrue(e.first?.contains(#"autoscale.flags.--apps: --apps entry \#(n + 2) "s_missing_10000" names no frontend marathon-lb generates: no Marathon app whose id is "s_missing" with / as _ (autoscale.rb:285)"#) ?? false, String(r.stderr.prefix(2000)))
    }

    /// 40,000 Harbor images pulled by 40,000 apps: the apps' images are looked up by name
    /// (before: every app against every image, and every image against those read before it:
    /// 20,000 took 54 s in a release build); the one app whose image no registry holds is the only error.
    /// A small file with a registry and an image given twice: each is still one error.
    func testTwentyThousandHarborImagesAndTheirApps() throws {
        func text(_ n: Int, registries: String, images extra: [String]) -> String {
            let apps = (0..<n).map { Self.app("/h/a\($0)", #", "container": {"type": "DOCKER", "docker": {"image": "hub.example.com/p/i\#($0):1"}}"#) }
                + [Self.app("/h/missing", #", "container": {"type": "DOCKER", "docker": {"image": "hub.example.com/p/none:1"}}"#)]
            let images = ((0..<n).map { #"{"name": "p/i\#($0):1", "layers": ["sha256:l"]}"# } + extra).joined(separator: ", ")
            return Self.scenario(apps: apps, top: #""harbor": {"domain": "hub.example.com", "registries": [\#(registries)], "layers": [{"digest": "sha256:l", "size": "1MB"}], "images": [\#(images)]}"#)
        }
        // 20,000, not more: a debug build on a busy 2-core machine took up to 33 s for 40,000, near
        // the hang guard; the scan took 54 s in release at 20,000
        let n = 20_000
        let r = try validate(text(n, registries: #"{"name": "r1", "host": "hub-01"}, {"name": "r2", "host": "hub-02"}"#, images: []), "big-shapes-harbor")
        XCTAssertEqual(r.status, 2, String(r.stderr.prefix(2000)))
        XCTAssertEqual(errors(r.stderr).count, 1, String(r.stderr.prefix(2000)))
        XCTAssertTrue(r.stderr.contains(#"app /h/missing: image "hub.example.com/p/none:1" is in no Harbor registry"#), String(r.stderr.prefix(2000)))
        let small = try validate(text(3, registries: #"{"name": "r1", "host": "hub-01"}, {"name": "r2", "host": "hub-02"}, {"name": "r1", "host": "hub-02"}"#,
                                      images: [#"{"name": "p/i0:1", "layers": ["sha256:l"]}"#]), "big-shapes-harbor-small")
        XCTAssertEqual(small.status, 2, String(small.stderr.prefix(2000)))
        XCTAssertEqual(errors(small.stderr).count, 2, small.stderr)
        XCTAssertTrue(small.stderr.contains(#"harbor.registries[2].name: duplicate registry name "r1""#), small.stderr)
        XCTAssertTrue(small.stderr.contains(#"harbor.images[3].name: duplicate image "p/i0:1""#), small.stderr)
    }
}
