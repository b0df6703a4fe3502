import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

final class TrafficSectionTests: XCTestCase {
    static func scenario(_ traffic: String, nginx: Bool = false) -> String {
        """
        {"name": "t", "duration": "2h",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
         "marathon": {"apps": [{"cmd": "run", "id": "/web"}, {"cmd": "run", "id": "/api"}]},\(nginx ? "\n \"nginx\": {}," : "")
         "traffic": \(traffic)}
        """
    }
    static func service(_ extra: String) -> String {
        #"{"services": [{"name": "web", "app": "/web", "via": "direct", "arrivals": {"poisson": 100}, "serviceTime": "20ms"\#(extra)}]}"#
    }

    func testDefaultsAndShapes() throws {
        let t = try XCTUnwrap(loadOK(Self.scenario(Self.service("")))?.spec.traffic)
        XCTAssertEqual(t.mode, .request)
        let s = t.services[0]
        XCTAssertEqual(s.entry, .direct)
        XCTAssertEqual(s.discipline, .processorSharing)
        XCTAssertNil(s.timeout)
        XCTAssertEqual(s.arrivals, .poisson(100))
        XCTAssertEqual(s.serviceTime, .constant(0.02))
        let daily = try XCTUnwrap(loadOK(Self.scenario(#"{"mode": "fluid", "tick": "5s", "services": [{"name": "web", "app": "/web", "via": "direct", "arrivals": {"daily": [["0h", 100], ["12h", 500]]}, "serviceTime": {"exponential": {"mean": "20ms"}}, "discipline": "fifo", "concurrency": 8, "timeout": "3s"}]}"#))?.spec.traffic)
        XCTAssertEqual(daily.tick, .seconds(5))
        let p = daily.services[0].arrivals.profile
        XCTAssertEqual(p.rate(at: SimTime.zero + .hours(6)), 300, accuracy: 1e-9)
        XCTAssertEqual(p.rate(at: SimTime.zero + .hours(18)), 300, accuracy: 1e-9, "the last point joins the next day's first")
        XCTAssertEqual(p.rate(at: SimTime.zero + .hours(36)), 500, accuracy: 1e-9, "repeats daily")
        XCTAssertEqual(p.expected(from: .zero, to: SimTime.zero + .hours(24)), 300 * 86_400, accuracy: 1)
        XCTAssertEqual(daily.services[0].discipline, .fifo(concurrency: 8))
        let step = try XCTUnwrap(loadOK(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"step": {"from": 10, "to": 50, "at": "1h"}}"#)))?.spec.traffic)
        let sp = step.services[0].arrivals.profile
        XCTAssertEqual(sp.rate(at: SimTime.zero + .minutes(59)), 10)
        XCTAssertEqual(sp.rate(at: SimTime.zero + .hours(1)), 50)
        XCTAssertEqual(sp.expected(from: .zero, to: SimTime.zero + .hours(2)), 3600 * 60, accuracy: 1e-3)
        let flash = try XCTUnwrap(loadOK(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"flashCrowd": {"base": 10, "peak": 1000, "at": "30m"}}"#)))?.spec.traffic)
        let fp = flash.services[0].arrivals.profile
        XCTAssertEqual(fp.rate(at: SimTime.zero + .minutes(31) + .seconds(5)), 1000)
        XCTAssertEqual(fp.rate(at: SimTime.zero + .minutes(46)), 505, accuracy: 1e-9, "halfway down the 10 min decay")
    }

    func testBadInputNamesThePath() {
        let svc = "traffic.services[0]"
        assertSingleError(Self.scenario(Self.service(#", "concurrency": 4"#)), path: svc + ".concurrency", ["\"discipline\": \"fifo\""])
        assertSingleError(Self.scenario(Self.service(#", "discipline": "fifo", "concurrency": 0"#)), path: svc + ".concurrency", ["1 to 100000"])
        assertSingleError(Self.scenario(Self.service(#", "timeout": "0s""#)), path: svc + ".timeout", [])
        assertSingleError(Self.scenario(Self.service(#", "path": "/x""#)), path: svc + ".path", ["via"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: "/web\", \"via\"", with: "/wbe\", \"via\"")), path: svc + ".app", ["unknown Marathon app", "/web"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"poisson": -1}"#)), path: svc + ".arrivals.poisson", [])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"poison": 100}"#)), path: svc + ".arrivals.poison", ["did you mean", "poisson"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"daily": [["1h", 5], ["30m", 7]]}"#)), path: svc + ".arrivals.daily[1][0]", ["must not go back"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"daily": [["25h", 5]]}"#)), path: svc + ".arrivals.daily", ["before 24h"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: "\"20ms\"", with: #"{"pareto": {"shape": 1, "scale": "1ms"}}"#)), path: svc + ".serviceTime", ["finite mean"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #""via": "direct", "#, with: "")), path: svc + ".via", ["needs an `nginx` section"])
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: #"{"services""#, with: #"{"tick": "1s", "services""#)), path: "traffic.tick", ["fluid"])
        assertSingleError(Self.scenario(#"{"services": [], "mode": "fluid"}"#), path: "traffic.services", ["must not be empty"])
        // a `marathon` section with an error is not "no `marathon` section": one error, the app's
        assertSingleError(Self.scenario(Self.service("")).replacingOccurrences(of: #"{"cmd": "run", "id": "/api"}"#, with: #"{"cmd": "run", "id": "/api", "instances": -1}"#),
                          path: "marathon.apps[1].instances", [])
        assertSingleError(Self.scenario(Self.service("")).replacingOccurrences(of: #""marathon": {"apps": [{"cmd": "run", "id": "/web"}, {"cmd": "run", "id": "/api"}]},"#, with: ""),
                          path: svc + ".app", ["no `marathon` section"])
        // a per-request run of 1e6 requests/s for 2 h is too many events: fluid is for that
        assertSingleError(Self.scenario(Self.service("").replacingOccurrences(of: "100}", with: "1000000}")), path: "traffic.mode", ["fluid"])
    }

    func testRateFileBesideTheScenario() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let body = Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"csv": "rates.csv"}"#))
        write(body, to: dir + "/s.json")
        write("time_s,rate\n0,10\n# the morning peak\n1h,100\n7200,40\n", to: dir + "/rates.csv")
        let loaded = try ScenarioLoader.load(path: dir + "/s.json")
        let p = try XCTUnwrap(loaded.spec.traffic).services[0].arrivals.profile
        XCTAssertEqual(p.rate(at: SimTime.zero + .minutes(30)), 55, accuracy: 1e-9)
        XCTAssertEqual(p.rate(at: SimTime.zero + .hours(5)), 40, "held after the last row")
        write("0,10\n1h,abc\n", to: dir + "/rates.csv")
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/s.json")) { e in
            let s = String(describing: e)
            XCTAssertTrue(s.contains("traffic.services[0].arrivals.csv") && s.contains("rates.csv line 2"), s)
        }
        write(body.replacingOccurrences(of: "rates.csv", with: "../outside.csv"), to: dir + "/s.json")
        write("0,1\n", to: Paths.directory(dir) + "/outside.csv")
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/s.json")) { e in
            XCTAssertTrue(String(describing: e).contains("outside the scenario's folder"), String(describing: e))
        }
    }

    /// A scenario named as users type it (`./peak.json`, `clustersim run peak.json` in its own
    /// folder, a path through `/./`) reads its rate file beside it: the folder `.` or `a/./b` used
    /// to be compared unnormalized with the normalized file path, so `rates.csv` "resolved outside
    /// the scenario's folder .". The relative spelling is reached from the current folder through
    /// `..` up to `/`, so the test needs no chdir.
    func testRateFileBesideAScenarioNamedWithDotSlash() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"csv": "rates.csv"}"#)), to: dir + "/s.json")
        write("0,10\n1h,100\n", to: dir + "/rates.csv")
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let up = String(repeating: "../", count: depth)
        for path in ["./" + up + String(dir.dropFirst()) + "/s.json", dir + "/./s.json", up + String(dir.dropFirst()) + "/./s.json"] {
            let loaded = try ScenarioLoader.load(path: path)
            let p = try XCTUnwrap(loaded.spec.traffic).services[0].arrivals.profile
            XCTAssertEqual(p.rate(at: SimTime.zero + .minutes(30)), 55, accuracy: 1e-9, path)
        }
        // still refused: a rate file that climbs out of the scenario's folder, however it is named
        write(Self.scenario(Self.service("").replacingOccurrences(of: #"{"poisson": 100}"#, with: #"{"csv": "../x/rates.csv"}"#)), to: dir + "/s.json")
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/./s.json")) { e in
            XCTAssertTrue(String(describing: e).contains("outside the scenario's folder"), String(describing: e))
        }
    }

    func testPathsIsInsideTheCurrentFolder() {
        XCTAssertTrue(Paths.isInside("rates.csv", "."))
        XCTAssertTrue(Paths.isInside("a/b.csv", "."))
        XCTAssertFalse(Paths.isInside("../b.csv", "."))
        XCTAssertFalse(Paths.isInside("..", "."))
        XCTAssertFalse(Paths.isInside(".", "."))
        XCTAssertFalse(Paths.isInside("/etc/passwd", "."))
    }
}
