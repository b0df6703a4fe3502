import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Scenario
import XCTest

/// Deep and large inputs are refused with one clear error, never crashed or hung on
/// (issue 17 point 5, issue 8 point 5 for `$include`).
final class DeepInputTests: XCTestCase {
    var dir = ""
    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    let groups = #""hostGroups": [{"name": "slave", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}]"#

    func errors(_ file: String, overrides: [String] = []) -> [ScenarioError] {
        do {
            _ = try ScenarioLoader.load(path: dir + "/" + file, overrides: overrides)
            XCTFail("expected errors")
            return []
        } catch { return error.errors }
    }

    // MARK: nesting across includes

    /// 20 files, each 150 levels deep and each under the limit on its own, used to overflow the
    /// stack (SIGSEGV): the limit now holds for the document after includes.
    func testNestingLimitHoldsAcrossAChainOfIncludes() {
        for i in 0..<20 {
            let inner = i < 19 ? "{\"$include\": \"f\(i + 1).json\"}" : "1"
            write(String(repeating: "[", count: 150) + inner + String(repeating: "]", count: 150), to: dir + "/f\(i).json")
        }
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups),\n \"deep\": {\"$include\": \"f0.json\"}}", to: dir + "/main.json")
        let e = errors("main.json")
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.file, dir + "/f1.json")
        XCTAssertEqual(e.first?.line, 1)
        XCTAssertEqual(e.first?.column, 50)   // the 50th "[" of f1.json stands at level 200
        XCTAssertEqual(e.first?.path.hasPrefix("deep[0][0][0]"), true)
        XCTAssertEqual(e.first?.message, "nesting deeper than 200 levels in the scenario after includes: this file's value stands at level 151 of \(dir)/main.json (\(dir)/main.json -> \(dir)/f0.json -> \(dir)/f1.json), so it may nest 49 more levels; the limit holds for the whole document, not for each file")
    }

    /// The boundary: an include at level 1 may hold 199 levels (the document then has 200), not 200.
    func testIncludedFileMayFillTheLimitExactly() {
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"deep\": {\"$include\": \"d.json\"}}", to: dir + "/main.json")
        write(String(repeating: "[", count: 199) + String(repeating: "]", count: 199), to: dir + "/d.json")
        // 200 levels load and reach decoding (which only finds the unknown key)
        XCTAssertEqual(errors("main.json").map(\.path), ["deep"])
        write(String(repeating: "[", count: 200) + String(repeating: "]", count: 200), to: dir + "/d.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.file), [dir + "/d.json"])
        XCTAssertEqual(e.first?.column, 200)
        XCTAssertTrue(e.first?.message.contains("stands at level 1 of") == true, e.first?.message ?? "")
    }

    // MARK: include limits

    func testIncludeChainDepthIsLimited() {
        // files that each just include the next add no nesting, only files
        for i in 0..<40 { write("{\"$include\": \"c\(i + 1).json\"}", to: dir + "/c\(i).json") }
        write(#""leaf""#, to: dir + "/c40.json")
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"description\": {\"$include\": \"c0.json\"}}", to: dir + "/main.json")
        let e = errors("main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.path, "description.$include")
        XCTAssertEqual(e.first?.file, dir + "/c31.json")   // main -> c0 ... c31 is 32 links; c32 would be the 33rd
        let m = e.first?.message ?? ""
        XCTAssertTrue(m.hasPrefix("includes nested more than 32 files deep: \(dir)/main.json -> \(dir)/c0.json -> "), m)
        XCTAssertTrue(m.contains("-> \(dir)/c32.json; at most 32 files may include one another in a chain"), m)
        // 32 links are fine
        write(#""leaf""#, to: dir + "/c31.json")
        XCTAssertNoThrow(try ScenarioLoader.load(path: dir + "/main.json"))
    }

    /// A diamond graph (each file includes the next twice) would need 2^30 includes.
    func testIncludeFanOutStopsAtTheIncludeCount() {
        for i in 0..<30 {
            let next = "d\(i + 1).json"
            write("[{\"$include\": \"\(next)\"}, {\"$include\": \"\(next)\"}]", to: dir + "/d\(i).json")
        }
        write("1", to: dir + "/d30.json")
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"fan\": {\"$include\": \"d0.json\"}}", to: dir + "/main.json")
        let e = errors("main.json")
        XCTAssertEqual(e.count, 1, "one error, not one per include")
        let m = e.first?.message ?? ""
        XCTAssertTrue(m.hasPrefix("more than 10000 includes in total (a file is counted each time it is included"), m)
        XCTAssertTrue(m.contains("reached at \(dir)/main.json -> \(dir)/d0.json -> \(dir)/d1.json -> "), m)
        XCTAssertTrue(m.hasSuffix("; at most 10000 are allowed"), m)
    }

    func testIncludedBytesAreLimitedInTotal() throws {
        // one file bigger than the limit is refused from its size, before it is read
        let big = dir + "/big.json"
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: nil))
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try h.truncate(atOffset: UInt64(IncludeLimits.maxTotalBytes + 1))
        try h.close()
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"description\": {\"$include\": \"big.json\"}}", to: dir + "/main.json")
        var e = errors("main.json")
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.message.hasPrefix("included files total more than 16777216 bytes (16 MiB; a file is counted each time it is included), reached at \(dir)/main.json -> \(dir)/big.json (16777217 bytes)") == true, e.first?.message ?? "")
        // a file is counted each time: 4 MiB + 1 byte included four times is over
        write("\"" + String(repeating: "a", count: 4 << 20) + "\"", to: dir + "/s.json")
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"x\": [" + Array(repeating: "{\"$include\": \"s.json\"}", count: 4).joined(separator: ", ") + "]}", to: dir + "/main.json")
        e = errors("main.json")
        XCTAssertEqual(e.map(\.path), ["x[3].$include"])
        XCTAssertTrue(e.first?.message.contains("reached at \(dir)/main.json -> \(dir)/s.json (4194306 bytes)") == true, e.first?.message ?? "")
    }

    func testCyclesAreStillReportedAsCycles() {
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups), \"description\": {\"$include\": \"a.json\"}}", to: dir + "/main.json")
        write(#"[{"$include": "b.json"}, {"$include": "b.json"}]"#, to: dir + "/a.json")
        write(#"{"$include": "a.json"}"#, to: dir + "/b.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.message), Array(repeating: "include cycle: \(dir)/a.json -> \(dir)/b.json -> \(dir)/a.json", count: 2))
    }

    // MARK: files that are not regular files

    func testFifoIncludeIsRefusedByItsKindWithoutBlocking() {
        XCTAssertEqual(mkfifo(dir + "/pipe.json", 0o600), 0)
        write("{\"name\": \"x\", \"duration\": \"1h\", \"hostGroups\": [{\"$include\": \"pipe.json\"}]}", to: dir + "/main.json")
        let e = errors("main.json")
        XCTAssertEqual(e.map(\.message), ["cannot read included file \"pipe.json\" (\(dir)/pipe.json): it is a FIFO (named pipe), not a regular file; scenarios and included files must be regular files"])
        // a folder, and as the top-level file a FIFO and a character device
        try? FileManager.default.createDirectory(atPath: dir + "/folder.json", withIntermediateDirectories: true)
        write("{\"name\": \"x\", \"duration\": \"1h\", \"hostGroups\": [{\"$include\": \"folder.json\"}]}", to: dir + "/main.json")
        XCTAssertTrue(errors("main.json").first?.message.hasSuffix("(\(dir)/folder.json): it is a folder, not a file") == true)
        XCTAssertEqual(errors("pipe.json").map(\.message), ["cannot read the scenario file: it is a FIFO (named pipe), not a regular file; scenarios and included files must be regular files"])
        do { _ = try ScenarioLoader.load(path: "/dev/null"); XCTFail("loaded /dev/null") } catch {
            XCTAssertEqual(error.description, "/dev/null: cannot read the scenario file: it is a character device, not a regular file; scenarios and included files must be regular files")
        }
    }

    func testUnreadableFileSaysPermissionDenied() throws {
        guard getuid() != 0 else { throw XCTSkip("root reads every file") }
        write("{}", to: dir + "/secret.json")
        XCTAssertEqual(chmod(dir + "/secret.json", 0), 0)
        write("{\"name\": \"x\", \"duration\": \"1h\", \"hostGroups\": [{\"$include\": \"secret.json\"}]}", to: dir + "/main.json")
        XCTAssertEqual(errors("main.json").first?.message.hasSuffix("(\(dir)/secret.json): permission denied: the file cannot be read"), true)
    }

    // MARK: --set

    func testLongSetPathIsRefused() {
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups)}", to: dir + "/main.json")
        let path = Array(repeating: "a", count: 3000).joined(separator: ".")
        let e = errors("main.json", overrides: [path + "=1"])
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.message, "the path has more than 200 components (keys and [index]es); a scenario nests at most 200 levels, so no value can be deeper")
        XCTAssertLessThan(e.first?.description.utf8.count ?? .max, 800)
        // 200 components are accepted (the new key is then judged by decoding)
        let ok = Array(repeating: "a", count: 200).joined(separator: ".")
        XCTAssertEqual(errors("main.json", overrides: [ok + "=1"]).map(\.path), ["a"])
        XCTAssertEqual(Overrides.maxPathComponents, 200)
        if case .success = Overrides.parsePath("a" + String(repeating: "[0]", count: 200)) { XCTFail("201 components accepted") }
        if case .failure(let f) = Overrides.parsePath("a" + String(repeating: "[0]", count: 199)) { XCTFail("200 components refused: \(f.message)") }
    }

    func testSetValueTooDeepForItsPlaceIsAnError() {
        write("{\"name\": \"x\", \"duration\": \"1h\", \(groups)}", to: dir + "/main.json")
        // at level 2 a value may nest 198 levels
        let fits = String(repeating: "[", count: 198) + String(repeating: "]", count: 198)
        XCTAssertEqual(errors("main.json", overrides: ["a.b=" + fits]).map(\.path), ["a"])
        let deep = String(repeating: "[", count: 199) + String(repeating: "]", count: 199)
        let e = errors("main.json", overrides: ["a.b=" + deep])
        XCTAssertEqual(e.map(\.path), ["a.b"], "an error, not silently a string")
        XCTAssertTrue(e.first?.message.hasPrefix("the value nests deeper than the scenario allows: it stands at level 2 (the length of the path), so it may nest 198 more levels") == true, e.first?.message ?? "")
    }

    // MARK: long values in messages

    func testLongValuesAreCutInEveryMessage() {
        let long = String(repeating: "a", count: 1 << 20)
        let e = loadErrors("{\"name\": \"\(long) b\", \"duration\": \"1h\", \(groups)}")
        XCTAssertEqual(e.count, 1)
        let quoted = "\"" + String(repeating: "a", count: 60) + "…\" (1048578 characters)"
        XCTAssertEqual(e.first?.message, "\(quoted) contains \" \"; use only letters A-Z a-z, digits 0-9 and '.' '_' '-'")
        // a long key: cut in the path and in the message, the did-you-mean list intact
        let k = loadErrors("{\"name\": \"x\", \"\(long)\": 1, \"duration\": \"1h\", \(groups)}")
        XCTAssertEqual(k.count, 1)
        XCTAssertEqual(k.first?.path, String(repeating: "a", count: 120) + "… (1048576 characters)")
        XCTAssertTrue(k.first?.message.hasPrefix("unknown key \"" + String(repeating: "a", count: 60) + "…\" (1048576 characters)") == true)
        XCTAssertLessThan(k.first?.description.utf8.count ?? .max, 1000)
        // a long bare word in a syntax error
        let s = loadErrors("{\"name\": " + long + "}")
        XCTAssertLessThan(s.first?.description.utf8.count ?? .max, 400)
        XCTAssertTrue(s.first?.message.hasPrefix("unexpected '" + String(repeating: "a", count: 119) + "… (1048579 characters) expected a value") == true, s.first?.message ?? "")
    }

    func testShortenKeepsShortTextsAndCountsTheRealString() {
        let msg = #"unknown key "cont"; did you mean "count"?"#
        XCTAssertEqual(ErrorText.shorten(msg), msg)
        // escapes are counted as the characters they stand for, and cut on whole characters
        let value = String(repeating: "\"é\n", count: 50)   // 150 characters, written with escapes
        let cut = ErrorText.shorten("got " + JSONValue.quote(value) + ", expected a name")
        XCTAssertEqual(cut, "got " + JSONValue.quote(String(value.prefix(60)) + "…") + " (150 characters), expected a name")
        // exactly at the limit: whole
        let hundred = "x " + JSONValue.quote(String(repeating: "b", count: 100))
        XCTAssertEqual(ErrorText.shorten(hundred), hundred)
        // a stray quote does not swallow the text up to the next one
        let stray = "unexpected '\"' before " + JSONValue.quote(String(repeating: "c", count: 200))
        XCTAssertEqual(ErrorText.shorten(stray), "unexpected '\"' before \"" + String(repeating: "c", count: 60) + "…\" (200 characters)")
        // the same in warnings and syntax errors, which go through the same initialisers
        XCTAssertEqual(JSONSyntaxError(file: nil, line: 1, column: 1, message: stray).message, ErrorText.shorten(stray))
    }

    // MARK: defaults that do not fit

    func testKVStoreDefaultServersNameTheDefaultAndTheGroupCount() {
        let text = """
        {"name": "x", "duration": "1h",
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"masters": {"count": 1}},
         "network": {"mode": "overlay", "kvStore": {"kind": "consul", "hostGroup": "master"}}}
        """
        let e = loadErrors(text)
        XCTAssertEqual(e.map(\.description), ["s.json:5:44: network.kvStore.servers: 3 servers but host group \"master\" has 1 host; network.kvStore.servers is not given, so its default 3 applied (set by network.kvStore at s.json:5:44); the host group's count is hostGroups[0].count = 1 (s.json:2:45)"])
        // given explicitly: at the value, still naming the group's count
        let given = loadErrors(text.replacingOccurrences(of: #""master"}}}"#, with: #""master", "servers": 2}}}"#))
        XCTAssertEqual(given.map(\.description), ["s.json:5:97: network.kvStore.servers: 2 servers but host group \"master\" has 1 host; the host group's count is hostGroups[0].count = 1 (s.json:2:45)"])
    }

    func testDefaultMesosMastersThatDoNotFitAreAValidationError() {
        let groups = """
         "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
        """
        // mesos: {} (this trapped in MesosCluster.init)
        XCTAssertEqual(loadErrors("{\"name\": \"x\", \"duration\": \"1h\",\n\(groups)\n \"mesos\": {}}").map(\.description),
                       ["s.json:4:11: mesos.masters.count: 3 masters need 3 hosts, but host group \"master\" has 1; one master runs per host; mesos.masters.count is not given, so its default 3 applied (set by mesos at s.json:4:11); the host group's count is hostGroups[0].count = 1 (s.json:2:45)"])
        // masters without count
        XCTAssertEqual(loadErrors("{\"name\": \"x\", \"duration\": \"1h\",\n\(groups)\n \"mesos\": {\"masters\": {\"restartDelay\": \"1s\"}}}").map(\.description),
                       ["s.json:4:23: mesos.masters.count: 3 masters need 3 hosts, but host group \"master\" has 1; one master runs per host; mesos.masters.count is not given, so its default 3 applied (set by mesos.masters at s.json:4:23); the host group's count is hostGroups[0].count = 1 (s.json:2:45)"])
        // marathon without mesos brings in a default Mesos
        let m = loadErrors("{\"name\": \"x\", \"duration\": \"1h\",\n\(groups)\n \"marathon\": {}}")
        XCTAssertEqual(m.map(\.path), ["mesos.masters.count"])
        XCTAssertEqual(m.first?.line, 4)
        XCTAssertTrue(m.first?.message.contains("mesos.masters.count is not given, so its default 3 applied (set by marathon at s.json:4:14, a \"marathon\" section without \"mesos\" runs on a Mesos with every default)") == true, m.first?.message ?? "")
        // a count that is given keeps its own position
        let c = loadErrors("{\"name\": \"x\", \"duration\": \"1h\",\n\(groups)\n \"mesos\": {\"masters\": {\"count\": 2}}}")
        XCTAssertEqual(c.map(\.description), ["s.json:4:33: mesos.masters.count: 2 masters need 2 hosts, but host group \"master\" has 1; one master runs per host; the host group's count is hostGroups[0].count = 1 (s.json:2:45)"])
        // one master fits
        XCTAssertNotNil(loadOK("{\"name\": \"x\", \"duration\": \"1h\",\n\(groups)\n \"mesos\": {\"masters\": {\"count\": 1}}}"))
    }

    func testValueSitesAndAppliedDefaultsRender() {
        let d = Diagnostics()
        d.document = try! JSONParser.parseValue("{\"hostGroups\": [{\"name\": \"a\", \"count\": 2},\n {\"name\": \"b\", \"count\": 5}]}", file: "f.json")
        XCTAssertEqual(d.site(in: "hostGroups", named: "b", key: "count")?.description, "hostGroups[1].count = 5 (f.json:2:25)")
        XCTAssertNil(d.site(in: "hostGroups", named: "c", key: "count"))
        XCTAssertNil(d.site("hostGroups[7]"))
        let def = AppliedDefault(key: "x.servers", value: "3", setBy: ValueSite(path: "x", value: nil, location: SourceLocation(file: "f.json", line: 9, column: 3)))
        XCTAssertEqual(def.description, "x.servers is not given, so its default 3 applied (set by x at f.json:9:3)")
        // without a document the error still names the default, only not the other value's position
        let bare = Diagnostics()
        bare.error("x.servers", at: nil, "3 servers but 2 hosts", defaulted: def, conflictsWith: bare.site("hostGroups[0].count"))
        XCTAssertEqual(bare.errors.map(\.description), ["f.json:9:3: x.servers: 3 servers but 2 hosts; x.servers is not given, so its default 3 applied (set by x at f.json:9:3)"])
    }
}
