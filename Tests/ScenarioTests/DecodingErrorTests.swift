import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// Malformed scenarios: each asserts its path, its specific message and (where it matters) its line.
final class DecodingErrorTests: XCTestCase {
    let group = #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#

    func scenario(_ extra: String = "", groups: String? = nil, faults: String? = nil) -> String {
        var s = "{\"name\": \"x\", \"duration\": \"1h\", \"hostGroups\": [\(groups ?? group)]"
        if let f = faults { s += ", \"faults\": [\(f)]" }
        if !extra.isEmpty { s += ", " + extra }
        return s + "}"
    }

    // 1
    func testSyntaxErrorHasFileLineAndColumn() {
        let text = "{\"name\": \"x\", \"duration\": \"1h\",\n \"hostGroups\": [\(group)]\n \"faults\": []}"
        let e = assertSingleError(text, path: "", ["expected ',' or '}' after object member"], line: 3)
        XCTAssertEqual(e?.column, 2)
        XCTAssertEqual(e?.description, "s.json:3:2: expected ',' or '}' after object member, found '\"'")
    }

    // 2
    func testUnknownTopLevelKeySuggestsClosest() {
        let errs = loadErrors("{\"name\": \"x\", \"duratoin\": \"1h\", \"hostGroups\": [\(group)]}")
        XCTAssertEqual(errs.map(\.description), [
            "s.json:1:1: duration: missing required key \"duration\" (how much time to simulate, a Go duration like \"2h\")",
            "s.json:1:15: duratoin: unknown key \"duratoin\"; did you mean \"duration\"?",
        ])
    }

    // 3
    func testUnknownKeyInHostGroup() {
        let e = assertSingleError(scenario(groups: #"{"name": "slave", "cont": 4, "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                                  path: "hostGroups[0].cont", ["unknown key \"cont\"; did you mean \"count\"?"])
        XCTAssertEqual(e?.description, "s.json:1:66: hostGroups[0].cont: unknown key \"cont\"; did you mean \"count\"?")
    }

    // 4
    func testUnknownKeyInFault() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-01", "recoverAftr": "5m"}"#),
                          path: "faults[0].recoverAftr", ["unknown key \"recoverAftr\"; did you mean \"recoverAfter\"?"])
    }

    // 5
    func testUnknownKeyFarFromAnyListsAllowedKeys() {
        assertSingleError(scenario("\"zzzzzz\": 1"), path: "zzzzzz",
                          ["unknown key \"zzzzzz\"; allowed keys here: name, description, seed, duration, sampleInterval, datacenters, hostGroups, zookeeper, mesos, marathon, actions, storage, faults"])
    }

    // 6
    func testWrongTypeForCount() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": "four", "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].count", ["expected an integer from 1 to 100000, got string \"four\""])
    }

    // 7
    func testWrongTypeForCpusAndNonIntegerCount() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": "eight", "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].cpus", ["expected a number > 0, got string \"eight\""])
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 2.5, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].count", ["got 2.5"])
    }

    // 8
    func testBadDuration() {
        let e = assertSingleError(#"{"name": "x", "duration": "10 minutes", "hostGroups": [\#(group)]}"#, path: "duration", [])
        XCTAssertEqual(e?.message, "\"10 minutes\" is not a duration; use a Go duration like \"90s\", \"15m\", \"1h30m\", or a number of seconds")
    }

    // 9
    func testNegativeSize() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "-32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].memory", ["\"-32GiB\" is negative"])
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": -1}"#),
                          path: "hostGroups[0].disk", ["-1 is negative"])
    }

    // 10
    func testBadSizeUnit() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GX", "disk": "500GB"}"#),
                          path: "hostGroups[0].memory", ["\"32GX\" is not a size: unknown unit \"GX\"", "KiB, MiB, GiB"])
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32g", "disk": "500GB"}"#),
                          path: "hostGroups[0].memory", ["unit \"g\" is ambiguous; write \"32GB\" (powers of 1000) or \"32GiB\" (powers of 1024)"])
    }

    // 11
    func testBadRate() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB", "nic": "10Mb/s"}"#),
                          path: "hostGroups[0].nic", ["ambiguous (bits or bytes?)"])
    }

    // 12
    func testUnknownHost() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-07"}"#), path: "faults[0].host",
                          ["no host named \"slave-07\": host group \"slave\" has 4 hosts, slave-01 to slave-04"])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-3"}"#), path: "faults[0].host",
                          ["did you mean \"slave-03\"?"])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "db-1"}"#), path: "faults[0].host",
                          ["no host named \"db-1\"; hosts are named <hostGroup>-<nn>: slave-01 to slave-04 (group \"slave\")"])
    }

    // 13
    func testUnknownHostGroup() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "hostGroup": "slaves", "count": 1}"#),
                          path: "faults[0].hostGroup", ["unknown host group \"slaves\"; did you mean \"slave\"?; host groups: \"slave\""])
    }

    // 14
    func testFaultAfterTheEnd() {
        assertSingleError(scenario(faults: #"{"at": "2h", "kind": "hostCrash", "host": "slave-01"}"#), path: "faults[0].at",
                          ["fault at 2h0m0s is after the end of the run (duration 1h0m0s)"])
        assertSingleError(scenario(faults: #"{"at": "-1m", "kind": "hostCrash", "host": "slave-01"}"#), path: "faults[0].at",
                          ["\"-1m\" is negative; the duration must be >= 0"])
    }

    // 15
    func testEmptyHostGroups() {
        assertSingleError(#"{"name": "x", "duration": "1h", "hostGroups": []}"#, path: "hostGroups", ["must not be empty"])
    }

    // 16
    func testMissingRequiredKeys() {
        assertSingleError(#"{"name": "x", "hostGroups": [\#(group)]}"#, path: "duration", ["missing required key \"duration\""], line: 1)
        assertSingleError(scenario(groups: "{\"name\": \"slave\", \"count\": 4, \"cpus\": 8, \"memory\": \"32GiB\"}"),
                          path: "hostGroups[0].disk", ["missing required key \"disk\""])
        assertSingleError(#"{"name": "x", "duration": "1h"}"#, path: "hostGroups", ["missing required key \"hostGroups\""])
        assertSingleError(scenario(faults: #"{"kind": "hostCrash", "host": "slave-01"}"#), path: "faults[0].at", ["missing required key \"at\""])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash"}"#), path: "faults[0].host",
                          ["missing the target: give \"host\"", "\"hostGroup\" with \"count\"", "\"role\"", "or \"rack\""])
    }

    // 17
    func testCountZero() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 0, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].count", ["expected an integer from 1 to 100000, got 0"])
    }

    // 18
    func testDuplicateGroupName() {
        assertSingleError(scenario(groups: group + ", " + group), path: "hostGroups[1].name",
                          ["duplicate host group name \"slave\" (also used by hostGroups[0])"])
    }

    // 19
    func testHostAndHostGroupBoth() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-01", "hostGroup": "slave", "count": 1}"#),
                          path: "faults[0].hostGroup", ["give either \"host\" (one host by name) or \"hostGroup\" with \"count\", not both"])
    }

    // 20
    func testCountBeyondGroupSize() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostReboot", "hostGroup": "slave", "count": 5}"#),
                          path: "faults[0].count", ["count 5 is more than the 4 hosts of host group \"slave\"; it must be from 1 to 4"])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-01", "count": 1}"#),
                          path: "faults[0].count", ["\"count\" goes with \"hostGroup\""])
    }

    // 21
    func testUnknownFaultKindListsValidKinds() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostExplode", "host": "slave-01"}"#), path: "faults[0].kind",
                          ["unknown fault kind \"hostExplode\"; allowed: \"hostCrash\", \"hostRecover\", \"hostReboot\""])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostcrash", "host": "slave-01"}"#), path: "faults[0].kind",
                          ["did you mean \"hostCrash\"?"])
    }

    // 22
    func testKeysThatDoNotBelongToTheKind() {
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostReboot", "host": "slave-01", "recoverAfter": "5m"}"#),
                          path: "faults[0].recoverAfter", ["\"recoverAfter\" is only allowed for kind \"hostCrash\"; a hostReboot is down for \"downFor\""])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-01", "downFor": "5m"}"#),
                          path: "faults[0].downFor", ["\"downFor\" is only allowed for kind \"hostReboot\""])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostRecover", "host": "slave-01", "downFor": "5m"}"#),
                          path: "faults[0].downFor", ["only allowed for kind \"hostReboot\""])
        assertSingleError(scenario(faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-01", "recoverAfter": "0s"}"#),
                          path: "faults[0].recoverAfter", ["must be greater than 0"])
        // a process crash ends with restartAfter, a partition with healAfter: the error says so (it
        // said "a hostRecover brings a host back" to a user who wanted the agent to restart)
        let mesos = #""zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 1}}"#
        assertSingleError(scenario(mesos, faults: #"{"at": "1m", "kind": "agentCrash", "host": "slave-01", "recoverAfter": "5m"}"#),
                          path: "faults[0].recoverAfter", ["only allowed for kind \"hostCrash\"; the supervisor restarts the process after \"restartAfter\""])
        assertSingleError(scenario(mesos, faults: #"{"at": "1m", "kind": "networkPartition", "host": "slave-01", "downFor": "5m"}"#),
                          path: "faults[0].downFor", ["only allowed for kind \"hostReboot\"; a partition heals after \"healAfter\""])
    }

    // 23
    func testUnknownDatacenter() {
        assertSingleError(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}, {"name": "dc02"}], "hostGroups": [{"name": "slave", "count": 4, "datacenter": "dc03", "cpus": 8, "memory": "32GiB", "disk": "500GB"}]}"#,
                          path: "hostGroups[0].datacenter", ["unknown datacenter \"dc03\"", "declared datacenters: \"dc01\", \"dc02\""])
        assertSingleError(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}, {"name": "dc02"}], "hostGroups": [\#(group)]}"#,
                          path: "hostGroups[0].datacenter", ["2 datacenters are declared, so each host group must name one of \"dc01\", \"dc02\""])
        assertSingleError(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01"}, {"name": "dc01"}], "hostGroups": [\#(group)]}"#,
                          path: "datacenters[1].name", ["duplicate datacenter name \"dc01\""])
    }

    // 24
    func testRackNotInDatacenter() {
        assertSingleError(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01", "racks": ["r1", "r2"]}], "hostGroups": [{"name": "slave", "count": 4, "rack": "r9", "cpus": 8, "memory": "32GiB", "disk": "500GB"}]}"#,
                          path: "hostGroups[0].rack", ["rack \"r9\" is not a rack of datacenter \"dc01\"", "its racks are \"r1\", \"r2\""])
        assertSingleError(#"{"name": "x", "duration": "1h", "datacenters": [{"name": "dc01", "racks": ["r1", "r2"]}], "hostGroups": [{"name": "slave", "count": 4, "racks": ["r1", "r3"], "cpus": 8, "memory": "32GiB", "disk": "500GB"}]}"#,
                          path: "hostGroups[0].racks[1]", ["rack \"r3\" is not a rack of datacenter \"dc01\"; did you mean \"r1\"?"])
    }

    // 25
    func testRackAndRacksBoth() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "rack": "a", "racks": ["a"], "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].racks", ["give either \"rack\" (one rack) or \"racks\""])
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "racks": [], "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].racks", ["must not be empty"])
    }

    // 26
    func testSampleIntervalLongerThanDuration() {
        assertSingleError(#"{"name": "x", "duration": "1h", "sampleInterval": "2h", "hostGroups": [\#(group)]}"#, path: "sampleInterval",
                          ["sampleInterval 2h0m0s is longer than the scenario duration 1h0m0s"])
        // the default (15s) against a shorter run
        assertSingleError(#"{"name": "x", "duration": 10, "hostGroups": [\#(group)]}"#, path: "sampleInterval",
                          ["sampleInterval 15s (the default) is longer than the scenario duration 10s"])
    }

    // 27
    func testBadNameCharacters() {
        assertSingleError(#"{"name": "my scenario/1", "duration": "1h", "hostGroups": [\#(group)]}"#, path: "name",
                          ["\"my scenario/1\" contains \" \"; use only letters A-Z a-z, digits 0-9 and '.' '_' '-'"])
        assertSingleError(#"{"name": "..", "duration": "1h", "hostGroups": [\#(group)]}"#, path: "name", ["must not start with '.' or '-'"])
        assertSingleError(#"{"name": "", "duration": "1h", "hostGroups": [\#(group)]}"#, path: "name", ["must not be empty"])
        assertSingleError(scenario(groups: #"{"name": "sl.ave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                          path: "hostGroups[0].name", ["contains \".\"; use only letters A-Z a-z, digits 0-9 and '_' '-'"])
    }

    // 28
    func testSeedMustBeANonNegativeInteger() {
        assertSingleError(scenario("\"seed\": -3"), path: "seed", ["expected a non-negative integer (0 to 18446744073709551615), got -3"])
        assertSingleError(scenario("\"seed\": 18446744073709551616"), path: "seed", ["got 18446744073709551616"])
        assertSingleError(scenario("\"seed\": \"7\""), path: "seed", ["got string \"7\""])
    }

    // 29
    func testMultipleErrorsAreReportedTogetherInFileOrder() {
        let text = """
        {
          "name": "x",
          "duration": "1h",
          "seed": -3,
          "hostGroups": [
            {"name": "slave", "count": 4, "cpus": 0, "memory": "32GiB", "disk": "500GB", "nic": "fast"},
            {"name": "db", "count": 2, "cpus": 4, "memory": "lots", "disk": "1TB", "colour": "red"}
          ],
          "faults": [
            {"at": "5h", "kind": "hostCrash", "host": "db-03"}
          ]
        }
        """
        let errs = loadErrors(text)
        XCTAssertEqual(errs.map(\.path), ["seed", "hostGroups[0].cpus", "hostGroups[0].nic", "hostGroups[1].memory",
                                          "hostGroups[1].colour", "faults[0].at", "faults[0].host"])
        XCTAssertEqual(errs.map { $0.line! }, [4, 6, 6, 7, 7, 10, 10])
        // the same text, one error per line, in every process
        XCTAssertEqual(ScenarioErrors(errs.reversed()).description, ScenarioErrors(errs).description)
        XCTAssertEqual(ScenarioErrors(errs).description.split(separator: "\n").count, 7)
    }

    // 30
    func testTopLevelMustBeAnObject() {
        let e = assertSingleError(#"["name", "x"]"#, path: "", ["expected an object, got array"])
        XCTAssertEqual(e?.description, "s.json:1:1: expected an object, got array [\"name\",\"x\"]")
    }

    // 31
    func testDuplicateKeyIsReportedWithOtherErrors() {
        let errs = loadErrors(#"{"name": "x", "name": "y", "duration": "1h", "hostGroups": [{"name": "slave", "count": 0, "cpus": 8, "memory": "32GiB", "disk": "500GB"}]}"#)
        XCTAssertEqual(errs.map(\.description), [
            "s.json:1:15: duplicate key \"name\" (first given at line 1, column 2)",
            "s.json:1:88: hostGroups[0].count: expected an integer from 1 to 100000, got 0",
        ])
    }

    // 32
    func testAttributesAreStringsOrNumbers() {
        assertSingleError(scenario(groups: #"{"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB", "attributes": {"ssd": true}}"#),
                          path: "hostGroups[0].attributes.ssd", ["attribute values are strings or numbers", "got boolean true"])
    }

    // 33
    func testWrongContainerTypes() {
        assertSingleError(scenario(groups: "\"slave\""), path: "hostGroups[0]", ["expected an object, got string \"slave\""])
        assertSingleError(#"{"name": "x", "duration": "1h", "hostGroups": {"name": "slave"}}"#, path: "hostGroups",
                          ["expected an array of host groups, got object"])
        assertSingleError(scenario("\"faults\": {}"), path: "faults", ["expected an array of faults, got object"])
    }

    // 34
    func testNothingIsReportedAboutHostsOfAGroupThatFailed() {
        // the group's count is wrong, so "slave-07" cannot be judged: only the count error is reported
        assertSingleError(scenario(groups: #"{"name": "slave", "count": "x", "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#,
                                   faults: #"{"at": "1m", "kind": "hostCrash", "host": "slave-07"}"#),
                          path: "hostGroups[0].count", ["got string \"x\""])
    }

    // 35
    func testDistributionsUseThePathOfTheirKey() {
        let d = Diagnostics()
        let v = try! JSONParser.parseValue(#"{"startup": {"lognormal": {"median": "1.2s"}}}"#, file: "f.json")
        _ = decodeDistribution(v["startup"]!, path: "apps[0].startup", unit: .seconds, diagnostics: d)
        XCTAssertEqual(d.errors.map(\.description), ["f.json:1:27: apps[0].startup.lognormal.sigma: missing required key \"sigma\""])
    }

    /// null is named once ("got null"), not as its type and then its text ("got null null").
    func testNullIsNamedOnce() {
        let e = assertSingleError(scenario(groups: #"{"name": "slave", "count": null, "cpus": 8, "memory": "32GiB", "disk": "500GB"}"#),
                                  path: "hostGroups[0].count", ["got null"])
        XCTAssertEqual(e.map { $0.message.hasSuffix("got null") }, true, e?.message ?? "")
        XCTAssertEqual(e?.message.contains("null null"), false)
    }
}

extension DecodingErrorTests {
    /// An error about a value the scenario leaves to its default (no value of its own) is shown at
    /// the deepest value of its path the document has: the object lacking the key, else an
    /// ancestor. Without it, the command line printed such an error without its file (clustersim-fuzz
    /// seed 95 input 1040).
    func testAnErrorWithoutAValueIsPlacedAtItsNearestAncestor() throws {
        let text = """
        {"a": {"b": [
            {"c": 1},
            {"d": {"odd key": 2}}
          ]}}
        """
        let doc = try XCTUnwrap(JSONParser.parse(text, file: "s.json").value)
        let d = Diagnostics()
        d.document = doc
        d.error("a.b[1].d.missing", at: nil, "x")
        d.error("a.b[0].c", location: nil, "y")
        d.error(#"a.b[1].d["odd key"].deeper"#, at: nil, "z")
        d.error("a.b[7].c", at: nil, "w")
        d.error("nowhere.x", at: nil, "v")
        XCTAssertEqual(d.errors.map { "\($0.line ?? 0):\($0.column ?? 0)" }, ["3:11", "2:11", "3:23", "1:13", "0:0"])
        XCTAssertEqual(d.errors[0].file, "s.json")
    }
}
