import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Consul's agent as deployed (`consul.flagsFrom`, `consul.config` as files): its command line
/// read as Go's flag package reads AddFlags' flags, its -config-dir read as sourcesFromPath reads
/// it, the sources merged in Consul's order. Our own command lines and files, in the style of the
/// official packages' consul.service and /etc/consul.d.
final class ConsulAgentFlagsTests: XCTestCase {
    /// A platform with 5 master hosts (room for 5 servers), `consul` as its section.
    static func scenario(_ consul: String) -> String { consulScenario(consul, masters: 5) }

    func folder(_ consul: String, _ files: [String: String] = [:]) -> String {
        let dir = makeTempDir()
        for (p, t) in files { write(t, to: dir + "/" + p) }
        write(Self.scenario(consul), to: dir + "/s.json")
        return dir
    }

    func load(_ consul: String, _ files: [String: String] = [:]) throws -> LoadedScenario {
        try ScenarioLoader.load(path: folder(consul, files) + "/s.json")
    }

    func errors(_ consul: String, _ files: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] {
        scenarioFolderErrors(folder(consul, files), file: file, line: line)
    }

    /// The one error of a section whose flagsFrom runs `line` (with the machine's / at `m`).
    @discardableResult
    func singleError(_ line: String, _ files: [String: String] = [:], _ fragment: String, extra: String = "",
                     file: StaticString = #filePath, line l: UInt = #line) -> ScenarioError? {
        let e = errors(#"{"flagsFrom": [{"commandLine": \#(JSONValue.quote(line))}, {"root": "m"}]\#(extra)}"#, ["m/etc/consul.d/a.hcl": "log_level = \"INFO\"\n"].merging(files) { $1 },
                       file: file, line: l)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"), file: file, line: l)
        XCTAssertTrue(e.first?.message.contains(fragment) == true, "\(JSONValue.quote(e.first?.message ?? "")) lacks \(JSONValue.quote(fragment))", file: file, line: l)
        return e.first
    }

    static let consulHCL = """
    # /etc/consul.d/consul.hcl
    datacenter = "East"
    data_dir   = "/opt/consul"
    retry_join = ["master-01", "master-02"]
    performance {
      raft_multiplier = 2
    }
    """

    // MARK: a deployed agent

    func testTypicalDeploymentLoads() throws {
        let l = try load(#"""
        {"flagsFrom": [{"commandLine": "/usr/bin/consul agent -config-dir=/etc/consul.d/ $FLAGS --ui -client 0.0.0.0 -retry-join=a -retry-join=b"},
                       {"environmentFile": "consul.env"}, {"root": "machine"}]}
        """#, ["consul.env": "FLAGS='-datacenter=West'\n",
               "machine/etc/consul.d/consul.hcl": Self.consulHCL,
               "machine/etc/consul.d/server.json": #"{"server": true, "bootstrap_expect": 5}"#,
               "machine/etc/consul.d/consul.env": "CONSUL_HTTP_TOKEN=x\n",
               "machine/etc/consul.d/empty.json": "",
               "machine/etc/consul.d/old.hcl/broken.hcl": "this is { not read"])
        let c = try XCTUnwrap(l.spec.consul)
        XCTAssertEqual(c.config.datacenter, "west", "the flag (after the files) wins over consul.hcl's East")
        XCTAssertEqual(c.config.raftMultiplier, 2, "an HCL block: a list of one object, read as the object")
        XCTAssertEqual(c.servers, 5, "bootstrap_expect gives the servers when consul.servers is not given")
        let w = l.warnings.joined(separator: "\n")
        XCTAssertTrue(w.contains("skipping file /etc/consul.d/consul.env, extension must be .hcl or .json, or config format must be set"), w)
        XCTAssertTrue(w.contains("Consul accepts -ui, -client, -retry-join; they change nothing the simulator models"), w)
        XCTAssertTrue(w.contains("machine/etc/consul.d/consul.hcl:1:1: consul.flagsFrom[0].commandLine: accepted by Consul, not used by the simulator: data_dir, retry_join"), w)
        XCTAssertFalse(w.contains("broken") || w.contains("old.hcl"), "a sub-directory is not read, whatever its name: \(w)")
    }

    /// Consul's order: the files in lexical order, then the flags, then -hcl; the scenario's own
    /// `consul.config` last.
    func testSourcesMergeInConsulsOrder() throws {
        let files = ["m/etc/consul.d/10-a.json": #"{"datacenter": "a", "dns_config": {"allow_stale": false}}"#,
                     "m/etc/consul.d/20-b.hcl": "datacenter = \"b\"\n",
                     "m/etc/consul.d/B.json": #"{"datacenter": "upper"}"#, "m/etc/consul.d/a.json": #"{"datacenter": "lower"}"#]
        func dc(_ line: String, _ extra: String = "") throws -> ConsulAgentConfig {
            try XCTUnwrap(load(#"{"flagsFrom": [{"commandLine": \#(JSONValue.quote(line))}, {"root": "m"}]\#(extra)}"#, files).spec.consul).config
        }
        XCTAssertEqual(try dc("consul agent -config-dir /etc/consul.d").datacenter, "lower", "byName compares bytes: 10-a.json, 20-b.hcl, B.json, a.json")
        XCTAssertFalse(try dc("consul agent -config-dir /etc/consul.d").allowStale, "a key only the earlier file sets stays")
        XCTAssertEqual(try dc("consul agent -config-file=/etc/consul.d/20-b.hcl -config-file=/etc/consul.d/10-a.json").datacenter, "a", "in the flags' order")
        XCTAssertEqual(try dc("consul agent -datacenter=f -config-dir=/etc/consul.d").datacenter, "f", "the flags' values come after the files")
        XCTAssertEqual(try dc("consul agent -datacenter=f -datacenter=g").datacenter, "g")
        XCTAssertEqual(try dc("consul agent -hcl 'datacenter = \"h\"' -datacenter=f").datacenter, "h", "-hcl after the flags")
        XCTAssertEqual(try dc("consul agent -datacenter=f", #", "config": {"datacenter": "s"}"#).datacenter, "s", "the scenario's own config wins")
        XCTAssertEqual(try dc("consul agent -enable-script-checks").enableScriptChecks, true)
        XCTAssertEqual(try dc("consul agent -enable-script-checks=false").enableScriptChecks, false)
    }

    func testConfigAsAFileOrAList() throws {
        let files = ["consul.d/agent.hcl": "datacenter = \"dc9\"\ndns_config {\n  max_stale = \"10s\"\n}\n",
                     "consul.d/more.json": #"{"reconnect_timeout": "9h"}"#,
                     "consul.d/agent.yaml": "datacenter: x\n"]
        let one = try XCTUnwrap(load(#"{"config": "consul.d/agent.hcl"}"#, files).spec.consul).config
        XCTAssertEqual(one.datacenter, "dc9")
        XCTAssertEqual(one.maxStale, .seconds(10))
        let list = try XCTUnwrap(load(#"{"config": ["consul.d/agent.hcl", "consul.d/more.json", {"datacenter": "last"}]}"#, files).spec.consul).config
        XCTAssertEqual(list.datacenter, "last")
        XCTAssertEqual(list.reconnectTimeout, .hours(9))
        XCTAssertEqual(list.maxStale, .seconds(10))
        let e = errors(#"{"config": ["consul.d/agent.yaml"]}"#, files)
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e.first?.path, "consul.config[0]")
        XCTAssertTrue(e.first?.message.contains("file consul.d/agent.yaml has unknown extension; must be .hcl or .json") == true, "\(e)")
        XCTAssertTrue(errors(#"{"config": []}"#).first?.message.contains("empty list") == true)
        XCTAssertTrue(errors(#"{"config": 3}"#).first?.message.contains("a .json or .hcl file") == true)
        XCTAssertTrue(errors(#"{"config": "../outside.json"}"#).first?.message.contains("outside the scenario's folder") == true)
    }

    /// HookWeakDecodeFromSlice: a list of one element is that element, in a JSON object too.
    func testAListOfOneIsItsElement() throws {
        let c = try XCTUnwrap(load(#"{"config": {"performance": [{"raft_multiplier": 3}], "datacenter": ["one"], "gossip_lan": [{"probe_interval": ["2s"]}]}}"#).spec.consul).config
        XCTAssertEqual(c.raftMultiplier, 3)
        XCTAssertEqual(c.datacenter, "one")
        XCTAssertEqual(c.probeInterval, .seconds(2))
    }

    /// An error in a file of the folder: at the command line's path and the file's line.
    func testErrorsInAFileAreAtItsLine() {
        let unknown = errors(#"{"flagsFrom": [{"commandLine": "consul agent -config-dir=/etc/consul.d"}, {"root": "m"}]}"#,
                             ["m/etc/consul.d/a.hcl": "datacenter = \"x\"\ndata_dri = \"/opt\"\n"])
        XCTAssertEqual(unknown.count, 1, "\(unknown)")
        XCTAssertEqual(unknown.first?.path, "consul.flagsFrom[0].commandLine.data_dri")
        XCTAssertEqual(unknown.first?.file, "m/etc/consul.d/a.hcl")
        XCTAssertEqual(unknown.first?.line, 2)
        XCTAssertTrue(unknown.first?.message.contains("invalid config key data_dri") == true, "\(unknown)")
        let syntax = errors(#"{"flagsFrom": [{"commandLine": "consul agent -config-dir=/etc/consul.d"}, {"root": "m"}]}"#,
                            ["m/etc/consul.d/a.json": "{\n  \"datacenter\": \"x\",\n}\n"])
        XCTAssertEqual(syntax.count, 1, "\(syntax)")
        XCTAssertEqual(syntax.first?.file, "m/etc/consul.d/a.json")
        XCTAssertEqual(syntax.first?.line, 3)
        XCTAssertTrue(syntax.first?.message.hasPrefix("failed to parse m/etc/consul.d/a.json") == true, "\(syntax)")
        let notObject = errors(#"{"flagsFrom": [{"commandLine": "consul agent -config-dir=/etc/consul.d"}, {"root": "m"}]}"#, ["m/etc/consul.d/a.json": "[1]"])
        XCTAssertTrue(notObject.first?.message.contains("json: cannot unmarshal array into Go value of type map[string]interface {}") == true, "\(notObject)")
    }

    // MARK: the command line

    func testFlagSyntaxAndValuesAsGoReadsThem() {
        singleError("consul agent -bogus", [:], "flag provided but not defined: -bogus")
        singleError("consul agent ---x", [:], "bad flag syntax: ---x")
        singleError("consul agent -server=maybe", [:], #"invalid boolean value "maybe" for -server: strconv.ParseBool: parsing "maybe": invalid syntax"#)
        singleError("consul agent -bootstrap-expect", [:], "flag needs an argument: -bootstrap-expect")
        singleError("consul agent -server -bootstrap-expect=3x", [:], #"invalid value "3x" for flag -bootstrap-expect: strconv.Atoi: parsing "3x": invalid syntax"#)
        singleError("consul agent -server -bootstrap-expect=99999999999999999999", [:], "value out of range")
        singleError("consul agent -retry-interval=5", [:], #"invalid value "5" for flag -retry-interval: time: missing unit in duration "5""#)
        singleError("consul agent -server extra words", [:], "config: Unknown extra arguments: [extra words]")
        singleError("consul agent -help", [:], "help requested")
        singleError("consul agent -config-format=yaml", [:], "config: -config-format must be either 'hcl' or 'json'")
        singleError("consul agent -datacenter=a.b", [:], "-datacenter=a.b: datacenter cannot be \"a.b\"")
        // a boolean takes no separate value: "false" is then an extra argument
        singleError("consul agent -server false", [:], "config: Unknown extra arguments: [false]")
        // "--" ends the flags; -- and --x are flags as -x
        XCTAssertNoThrow(try load(#"{"flagsFrom": [{"commandLine": "consul agent --log-level=debug --node-meta rack:r1 -- "}]}"#))
    }

    func testWhatIsRefused() {
        singleError("consul agent -dev", [:], "-dev runs one in-memory server")
        singleError("consul members", [:], "`consul members` is not the agent")
        singleError("consul -server", [:], "comes before any subcommand")
        singleError("consul agent -config-dir=etc/consul.d", [:], "a relative path")
        singleError("consul agent -config-dir=/etc/missing", [:], "config: Open failed on /etc/missing. open /etc/missing: no such file or directory")
        singleError("consul agent -config-file=/etc/consul.d/a.txt", ["m/etc/consul.d/a.txt": "x"], "file /etc/consul.d/a.txt has unknown extension")
        let noRoot = errors(#"{"flagsFrom": [{"commandLine": "consul agent -config-dir=/etc/consul.d"}]}"#)
        XCTAssertTrue(noRoot.first?.message.contains("add {\"root\": \"DIR\"} to flagsFrom") == true, "\(noRoot)")
        let two = errors(#"{"flagsFrom": [{"commandLine": "consul agent"}, {"commandLine": "consul agent"}]}"#)
        XCTAssertTrue(two.first?.message.contains("a second command line") == true, "\(two)")
        let kind = errors(#"{"flagsFrom": [{"folder": "x"}]}"#)
        XCTAssertTrue(kind.first?.message.contains("unknown key \"folder\"") == true, "\(kind)")
    }

    func testConfigFormatReadsAnyName() throws {
        let c = try XCTUnwrap(load(#"{"flagsFrom": [{"commandLine": "consul agent -config-format=hcl -config-dir=/etc/consul.d"}, {"root": "m"}]}"#,
                                   ["m/etc/consul.d/agent.conf": "datacenter = \"conf\"\n"]).spec.consul)
        XCTAssertEqual(c.config.datacenter, "conf")
    }

    // MARK: the servers

    func testServerSettingsAgainstConsulServers() throws {
        func first(_ consul: String) -> ScenarioError? { errors(consul).first }
        XCTAssertTrue(first(#"{"servers": 3, "config": {"server": true, "bootstrap_expect": 5}}"#)?.message.contains("no leader would ever be elected") == true)
        XCTAssertTrue(first(#"{"config": {"bootstrap_expect": 3}}"#)?.message == "'bootstrap_expect > 0' requires 'server = true'")
        XCTAssertTrue(first(#"{"config": {"bootstrap": true}}"#)?.message == "'bootstrap = true' requires 'server = true'")
        XCTAssertTrue(first(#"{"config": {"server": true, "bootstrap": true, "bootstrap_expect": 3}}"#)?.message == "'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive")
        XCTAssertTrue(first(#"{"config": {"server": true, "bootstrap_expect": -1}}"#)?.message == "bootstrap_expect cannot be -1. Must be greater than or equal to zero")
        XCTAssertTrue(first(#"{"config": {"server": true, "bootstrap_expect": 1}}"#)?.message.contains("3, 5 or 7") == true)
        XCTAssertTrue(first(#"{"config": {"server": true, "bootstrap_expect": "3"}}"#)?.message == "'bootstrap_expect' expected type 'int', got unconvertible type 'string'")
        XCTAssertTrue(first(#"{"config": {"server": "yes"}}"#)?.message == "'server' expected type 'bool', got unconvertible type 'string'")
        XCTAssertTrue(first(#"{"config": {"server": true, "bootstrap_expect": 1e300}}"#)?.message.contains("out of the range") == true)
        let fromFlags = errors(#"{"servers": 3, "flagsFrom": [{"commandLine": "consul agent -server -bootstrap-expect=7"}]}"#)
        XCTAssertEqual(fromFlags.first?.path, "consul.flagsFrom[0].commandLine")
        XCTAssertTrue(fromFlags.first?.message.contains("bootstrap_expect = 7") == true, "\(fromFlags)")
        // loads, with a warning
        let fewer = try load(#"{"servers": 5, "config": {"server": true, "bootstrap_expect": 3}}"#)
        XCTAssertEqual(fewer.spec.consul?.servers, 5)
        XCTAssertTrue(fewer.warnings.contains { $0.contains("bootstrap_expect = 3 with 5 servers") }, "\(fewer.warnings)")
        let alone = try load(#"{"flagsFrom": [{"commandLine": "consul agent -server"}]}"#)
        XCTAssertEqual(alone.spec.consul?.servers, 3)
        XCTAssertTrue(alone.warnings.contains { $0.contains("server = true without bootstrap_expect or bootstrap") }, "\(alone.warnings)")
        let boot = try load(#"{"flagsFrom": [{"commandLine": "consul agent -server -bootstrap"}]}"#)
        XCTAssertTrue(boot.warnings.contains { $0.contains("bootstrap = true: this server elects itself leader alone") }, "\(boot.warnings)")
        // the last source wins: the scenario's own config turns the flag's bootstrap_expect off
        let off = try load(#"{"servers": 3, "flagsFrom": [{"commandLine": "consul agent -server -bootstrap-expect=7"}], "config": {"bootstrap_expect": 3}}"#)
        XCTAssertEqual(off.spec.consul?.servers, 3)
        XCTAssertEqual(try load(#"{"config": {"server": true, "bootstrap_expect": 3.9}}"#).spec.consul?.servers, 3, "mapstructure truncates a float to int")
    }

    /// No command line, value or file makes the reader trap or hang.
    func testHostileInputsNeverTrap() {
        let lines = ["consul agent " + String(repeating: "-retry-join=x ", count: 20_000), "consul agent -bootstrap-expect=-9223372036854775808 -server",
                     "consul agent -bootstrap-expect=9223372036854775807 -server", "consul agent -=", "consul agent - -", "consul", "",
                     "consul agent -hcl '{'", "consul agent -hcl 'a = [' -hcl ''", "consul agent -config-dir=/ -config-dir=/..",
                     "consul agent -node-meta=:", "consul agent -log-rotate-duration=9999999999h"]
        for l in lines {
            let dir = folder(#"{"flagsFrom": [{"commandLine": \#(JSONValue.quote(l))}, {"root": "m"}]}"#, ["m/etc/x.json": "{}"])
            do { _ = try ScenarioLoader.load(path: dir + "/s.json") } catch {
                XCTAssertFalse(error.errors.isEmpty, l)
            }
        }
    }
}
