import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

final class IncludeTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    let slave = #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#

    func load(_ path: String, overrides: [String] = []) throws(ScenarioErrors) -> LoadedScenario {
        try ScenarioLoader.load(path: dir + "/" + path, overrides: overrides)
    }

    func errors(_ path: String) -> [ScenarioError] {
        do { _ = try load(path); XCTFail("expected errors"); return [] } catch { return error.errors }
    }

    func testNestedRelativeIncludes() throws {
        // main.json -> groups/all.json (an array) -> groups/db/db.json (relative to groups/db's parent)
        write(#"{"name": "x", "duration": "1h", "hostGroups": {"$include": "groups/all.json"}, "faults": [{"$include": "faults/one.json"}]}"#,
              to: dir + "/main.json")
        write("[\(slave), {\"$include\": \"db/db.json\"}]", to: dir + "/groups/all.json")
        write(#"{"name": "db", "count": 2, "cpus": 4, "memory": {"$include": "../../sizes/mem.json"}, "disk": "1TB"}"#, to: dir + "/groups/db/db.json")
        write(#""16GiB""#, to: dir + "/sizes/mem.json")
        write(#"{"at": "5m", "kind": "hostCrash", "host": "db-02"}"#, to: dir + "/faults/one.json")
        let s = try load("main.json")
        XCTAssertEqual(s.spec.hostGroups.map(\.name), ["slave", "db"])
        XCTAssertEqual(s.spec.hostGroups[1].memoryBytes, 16 << 30)
        XCTAssertEqual(s.spec.faults.first?.target, .host("db-02"))
        // the tree after includes has no $include left and keeps file order
        XCTAssertEqual(s.root["hostGroups"]?.arrayValue?[1]["memory"]?.stringValue, "16GiB")
        XCTAssertFalse(s.root.serialized().contains("$include"))
        // locations point into the included files
        XCTAssertEqual(s.root["hostGroups"]?.arrayValue?[1].location?.file, dir + "/groups/db/db.json")
        // overrides apply after includes, so they reach included values
        let o = try load("main.json", overrides: ["hostGroups[1].count=3", "hostGroups[1].memory=8GiB"])
        XCTAssertEqual(o.spec.hostGroups[1].count, 3)
        XCTAssertEqual(o.spec.hostGroups[1].memoryBytes, 8 << 30)
    }

    func testErrorsInsideIncludedFilesNameThatFileAndLine() {
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "g.json"}]}"#, to: dir + "/main.json")
        write("{\"name\": \"slave\",\n \"count\": 0, \"cpus\": 8, \"memory\": \"32GiB\", \"disk\": \"500GB\"}", to: dir + "/g.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.description), ["\(dir)/g.json:2:11: hostGroups[0].count: expected an integer from 1 to 100000, got 0"])
    }

    func testSyntaxErrorInIncludedFile() {
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "sub/g.json"}]}"#, to: dir + "/main.json")
        write("{\"name\": \"slave\",\n\n \"count\": 4,}", to: dir + "/sub/g.json")
        let e = errors("main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.file, dir + "/sub/g.json")
        XCTAssertEqual(e.first?.line, 3)
        XCTAssertEqual(e.first?.path, "hostGroups[0]")
        XCTAssertEqual(e.first?.message, "trailing comma before '}' is not allowed in JSON")
    }

    func testMissingIncludedFile() {
        write("{\"name\": \"x\", \"duration\": \"1h\",\n \"hostGroups\": [{\"$include\": \"groups/nothing.json\"}]}", to: dir + "/main.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.description), ["\(dir)/main.json:2:30: hostGroups[0].$include: cannot read included file \"groups/nothing.json\" (\(dir)/groups/nothing.json): no such file"])
    }

    func testIncludeEscapingTheFolderIsRefused() {
        // the scenario lives in dir/s; dir/secret.json is outside
        write(#"{"name": "y"}"#, to: dir + "/secret.json")
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "../secret.json"}]}"#, to: dir + "/s/main.json")
        let e = errors("s/main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.path, "hostGroups[0].$include")
        XCTAssertTrue(e.first!.message.hasPrefix("\"../secret.json\" resolves to \(dir)/secret.json, outside the scenario's folder \(dir)/s"), e.first!.message)
        // a sneakier spelling that goes out and back in is fine only if it ends inside
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "./g/../../s/g.json"}]}"#, to: dir + "/s/main2.json")
        write(slave, to: dir + "/s/g.json")
        XCTAssertNoThrow(try load("s/main2.json"))
        // absolute paths are refused
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "/etc/passwd"}]}"#, to: dir + "/s/main3.json")
        XCTAssertTrue(errors("s/main3.json").first!.message.contains("is an absolute path"))
    }

    func testIncludeEscapingThroughASymlinkIsRefused() throws {
        write(slave, to: dir + "/outside/g.json")
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "link/g.json"}]}"#, to: dir + "/s/main.json")
        try FileManager.default.createSymbolicLink(atPath: dir + "/s/link", withDestinationPath: dir + "/outside")
        let e = errors("s/main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.path, "hostGroups[0].$include")
        XCTAssertTrue(e.first!.message.contains("resolves through a symbolic link to \(dir)/outside/g.json, outside the scenario's folder"), e.first!.message)
        // a symlink that stays inside is fine
        try FileManager.default.createSymbolicLink(atPath: dir + "/s/alias.json", withDestinationPath: dir + "/s/real.json")
        write(slave, to: dir + "/s/real.json")
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "alias.json"}]}"#, to: dir + "/s/ok.json")
        XCTAssertEqual(try load("s/ok.json").spec.hostGroups.count, 1)
    }

    func testIncludeCycleIsReported() {
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "a.json"}]}"#, to: dir + "/main.json")
        write(#"{"$include": "b.json"}"#, to: dir + "/a.json")
        write(#"{"$include": "a.json"}"#, to: dir + "/b.json")
        let e = errors("main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.file, dir + "/b.json")
        XCTAssertEqual(e.first?.message, "include cycle: \(dir)/a.json -> \(dir)/b.json -> \(dir)/a.json")
        // including the top-level file itself
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "self.json"}]}"#, to: dir + "/self.json")
        XCTAssertEqual(errors("self.json").first?.message, "include cycle: \(dir)/self.json -> \(dir)/self.json")
    }

    func testIncludeObjectMustHaveNoOtherKeys() {
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "g.json", "count": 3}]}"#, to: dir + "/main.json")
        write(slave, to: dir + "/g.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.path), ["hostGroups[0].$include"])
        XCTAssertTrue(e[0].message.contains("must have no other keys; found \"count\""))
    }

    func testDisplayNamesFollowTheUsersPath() throws {
        // a relative top-level path gives relative names for included files
        write(#"{"name": "x", "duration": "1h", "hostGroups": [{"$include": "g/bad.json"}]}"#, to: dir + "/main.json")
        write(#"{"name": "slave", "count": 4, "cpus": -1, "memory": "32GiB", "disk": "500GB"}"#, to: dir + "/g/bad.json")
        let cwd = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(dir)
        defer { FileManager.default.changeCurrentDirectoryPath(cwd) }
        do {
            _ = try ScenarioLoader.load(path: "main.json")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.description, "g/bad.json:1:39: hostGroups[0].cpus: expected a number > 0, got -1")
        }
    }

    func testUnreadableTopLevelFile() {
        do {
            _ = try ScenarioLoader.load(path: dir + "/nope.json")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.description, "\(dir)/nope.json: cannot read the scenario file: no such file")
        }
        do {
            _ = try ScenarioLoader.load(path: dir)
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error.description.contains("it is a folder, not a file"))
        }
    }

    func testShippedStyleScenarioWithIncludeLoads() throws {
        write(#"{"name": "dc02-slave", "count": 6, "datacenter": "dc02", "racks": ["r1", "r2", "r3"], "cpus": 16, "memory": "64GiB", "disk": "1TB", "nic": "10Gbit"}"#,
              to: dir + "/groups/dc02.json")
        write("""
        {"name": "two-dcs", "duration": "24h", "seed": 7,
         "datacenters": [{"name": "dc01", "racks": ["rack-01", "rack-02"]}, {"name": "dc02", "racks": ["r1", "r2", "r3"]}],
         "hostGroups": [{"name": "slave", "count": 12, "datacenter": "dc01", "cpus": 24, "memory": "128GiB", "disk": "2TB"},
                        {"$include": "groups/dc02.json"}],
         "faults": [{"at": "12h", "kind": "hostCrash", "hostGroup": "dc02-slave", "count": 2, "recoverAfter": "45m"}]}
        """, to: dir + "/main.json")
        let s = try load("main.json")
        XCTAssertEqual(s.spec.hostGroups[0].racks, ["rack-01", "rack-02"])   // default: the datacenter's racks
        XCTAssertEqual(s.spec.hostGroups[1].datacenter, "dc02")
        XCTAssertEqual(s.spec.faults[0].target, .group("dc02-slave", count: 2))
    }
}

final class OverrideTests: XCTestCase {
    func testNestedPathIndexAndStringFallback() throws {
        let s = try XCTUnwrap(loadOK(minimalScenario, overrides: ["hostGroups[0].count=12", "duration=30m", "name=peak-test",
                                                                  "hostGroups[0].memory=\"128GiB\"", "seed=18446744073709551615"]))
        XCTAssertEqual(s.spec.hostGroups[0].count, 12)
        XCTAssertEqual(s.spec.duration, .minutes(30))
        XCTAssertEqual(s.spec.name, "peak-test")
        XCTAssertEqual(s.spec.hostGroups[0].memoryBytes, 128 << 30)
        XCTAssertEqual(s.spec.seed, UInt64.max)
        XCTAssertEqual(s.root["duration"]?.stringValue, "30m")
        XCTAssertEqual(s.root["duration"]?.location?.file, "--set duration=30m")
    }

    func testJSONValuesAndAddedKeys() throws {
        let s = try XCTUnwrap(loadOK(minimalScenario, overrides: [
            #"faults=[{"at": "10m", "kind": "hostCrash", "host": "slave-02"}]"#,
            #"hostGroups[0].attributes={"zone": "a", "cores": 8}"#,
            "description=",
        ]))
        XCTAssertEqual(s.spec.faults.map(\.target), [.host("slave-02")])
        XCTAssertEqual(s.spec.hostGroups[0].attributes, [Attribute(name: "zone", value: "a"), Attribute(name: "cores", value: "8")])
        XCTAssertEqual(s.spec.description, "")
        // a new key is added to the tree and then judged by strict decoding
        let e = assertSingleError(minimalScenario, path: "hostGroups[0].cpu", ["unknown key \"cpu\"; did you mean \"cpus\"?"],
                                  overrides: ["hostGroups[0].cpu=4"])
        XCTAssertEqual(e?.file, "--set hostGroups[0].cpu=4")
        XCTAssertEqual(e?.description, "--set hostGroups[0].cpu=4: hostGroups[0].cpu: unknown key \"cpu\"; did you mean \"cpus\"?")
        // values set by an override are checked like the file's, and say where they came from
        let bad = assertSingleError(minimalScenario, path: "hostGroups[0].cpus", ["expected a number > 0, got -1"],
                                    overrides: ["hostGroups[0].cpus=-1"])
        XCTAssertEqual(bad?.file, "--set hostGroups[0].cpus=-1")
    }

    func testLaterOverridesWinAndMissingObjectsAreCreated() throws {
        let root = try JSONParser.parseValue(#"{"a": {"b": [1, 2, {"c": 3}]}}"#)
        let out = try ScenarioLoader.applyOverrides(["a.b[2].c=4", "a.b[2].c=5", "x.y.z=true", #"["odd.key"]=1"#], to: root)
        XCTAssertEqual(out.serialized(), #"{"a":{"b":[1,2,{"c":5}]},"x":{"y":{"z":true}},"odd.key":1}"#)
    }

    func testBadPaths() throws {
        let root = try JSONParser.parseValue(#"{"name": "x", "hostGroups": [{"count": 1}], "n": 5}"#)
        func message(_ o: String) -> String {
            do { _ = try ScenarioLoader.applyOverrides([o], to: root); return "no error" } catch { return error.description }
        }
        XCTAssertEqual(message("hostGroups[7].count=3"),
                       "--set hostGroups[7].count=3: hostGroups[7]: index 7 is out of range: hostGroups has 1 element, [0] to [0]")
        XCTAssertEqual(message("name.first=3"),
                       "--set name.first=3: name: name is a string, not an object, so it has no key \"first\"")
        XCTAssertEqual(message("n[0]=1"), "--set n[0]=1: n: n is a number, not an array, so it cannot be indexed with [0]")
        XCTAssertEqual(message("faults[0].at=1m"),
                       "--set faults[0].at=1m: faults: there is no key \"faults\" at (top level), so it has no elements to index; set the whole array instead, like faults=[...]")
        XCTAssertEqual(message("count"), "--set count: expected PATH=VALUE, like hostGroups[0].count=40 or duration=2h")
        XCTAssertEqual(message("a..b=1"), "--set a..b=1: a..b: empty key in path a..b")
        XCTAssertEqual(message("a[x]=1"), "--set a[x]=1: a[x]: bad index in path a[x]: write [0], [1], ... (non-negative integers)")
        XCTAssertEqual(message("[0]=1"), "--set [0]=1: [0]: path [0] must start with a key: the scenario is an object")
        XCTAssertEqual(message("=1"), "--set =1: empty path; expected PATH=VALUE, like hostGroups[0].count=40")
    }

    func testOverrideErrorsAreReportedWithDecodingErrors() {
        let errs = loadErrors(minimalScenario, overrides: ["hostGroups[3].count=1", "hostGroups[0].count=0"])
        XCTAssertEqual(errs.map(\.path), ["hostGroups[0].count", "hostGroups[3]"])
    }

    func testSeedOverrideReplacesTheFilesSeed() throws {
        let s = try XCTUnwrap(loadOK(minimalScenario, seedOverride: 99))
        XCTAssertEqual(s.spec.seed, 99)
        XCTAssertEqual(loadOK(minimalScenario)?.spec.seed, 1)
    }
}
