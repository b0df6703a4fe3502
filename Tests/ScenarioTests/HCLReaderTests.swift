import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// The HCL 1 reader: the shapes hashicorp/hcl v1's Decode gives (decoder.go), its lexing
/// (scanner.go), its syntax errors with positions, and the limits.
final class HCLReaderTests: XCTestCase {
    func json(_ hcl: String, reader: HCLParser.Reader = .consul, file: StaticString = #filePath, line: UInt = #line) -> String {
        let r = HCLParser.parse(hcl, file: "t.hcl", reader: reader)
        XCTAssertEqual(r.errors.map(\.description), [], file: file, line: line)
        return r.value?.serialized() ?? ""
    }

    func error(_ hcl: String, file: StaticString = #filePath, line: UInt = #line) -> JSONSyntaxError? {
        let r = HCLParser.parse(hcl, file: "t.hcl")
        XCTAssertNil(r.value, "expected an error", file: file, line: line)
        XCTAssertEqual(r.errors.count, 1, file: file, line: line)
        return r.errors.first
    }

    func testBlocksAreListsOfObjectsAndRepeatedBlocksAppend() {
        XCTAssertEqual(json("service {\n  name = \"web\"\n  port = 80\n  check { http = \"x\" }\n}\n"),
                       #"{"service":[{"name":"web","port":80,"check":[{"http":"x"}]}]}"#)
        // `= { }` is the same as a block; repeated blocks append; a repeated scalar is replaced
        XCTAssertEqual(json("a = { x = 1 }\na { x = 2 }\nb = 1\nb = 2\n"), #"{"a":[{"x":1},{"x":2}],"b":2}"#)
        // repeated lists append too (decodeSlice into the existing slice)
        XCTAssertEqual(json("tags = [\"a\"]\ntags = [\"b\", \"c\",]\n"), #"{"tags":["a","b","c"]}"#)
        // objects directly in a list are objects, not lists of one
        XCTAssertEqual(json("checks = [{ tcp = \"a\" }, { ttl = \"5s\", n { x = 1 } }]"), #"{"checks":[{"tcp":"a"},{"ttl":"5s","n":[{"x":1}]}]}"#)
        XCTAssertEqual(json(""), "{}")
        // items may be separated by commas
        XCTAssertEqual(json("a = 1, b = 2"), #"{"a":1,"b":2}"#)
    }

    func testLabelledBlocksNestPerLabel() {
        XCTAssertEqual(json("service \"web\" { port = 80 }\nservice \"db\" { port = 5432 }\n"),
                       #"{"service":[{"web":[{"port":80}]},{"db":[{"port":5432}]}]}"#)
        XCTAssertEqual(json("a b c { x = 1 }"), #"{"a":[{"b":[{"c":[{"x":1}]}]}]}"#)
        // Filter matches the first key without case: both items are under each spelling
        XCTAssertEqual(json("S \"a\" {}\ns \"b\" {}\n"), #"{"S":[{"a":[{}]},{"b":[{}]}],"s":[{"a":[{}]},{"b":[{}]}]}"#)
        // an unlabelled block then a labelled one with the same key: hcl's "map must have string keys"
        XCTAssertTrue(error("s { }\ns \"b\" {}\n")?.message.contains("map must have string keys") ?? false)
    }

    func testLiterals() {
        XCTAssertEqual(json(#"a = 0x1F, b = 017, c = -3, d = 1.5, e = 1e3, f = .5, g = 5., h = true, i = false, j = "x""#),
                       #"{"a":31,"b":15,"c":-3,"d":1.5,"e":1e3,"f":0.5,"g":5.0,"h":true,"i":false,"j":"x"}"#)
        XCTAssertEqual(json(#"s = "tab\t nl\n q\" bs\\ u\u00e9 U\U0001F600 x\x41 o\101""#),
                       JSONValue(.object([JSONMember(key: "s", value: .string("tab\t nl\n q\" bs\\ u\u{e9} U\u{1F600} xA oA"))])).serialized())
        // ${...} is kept as written, quotes and escapes inside it too
        XCTAssertEqual(HCLParser.parse(#"a = "${lookup(var.m, "k\n")} and \"b\"""#).value?["a"]?.stringValue, #"${lookup(var.m, "k\n")} and "b""#)
        // identifiers may hold '-' and '.', and keys may be strings
        XCTAssertEqual(json("a-b.c = 1\n\"x y\" = 2"), #"{"a-b.c":1,"x y":2}"#)
        XCTAssertEqual(error("a = 99999999999999999999")?.message, #"strconv.ParseInt: parsing "99999999999999999999": value out of range"#)
        XCTAssertEqual(error("a = 1e999")?.message, #"strconv.ParseFloat: parsing "1e999": value out of range"#)
        XCTAssertEqual(error("a = 09")?.message, "illegal octal number")
        XCTAssertEqual(error("a = 0x")?.message, "illegal hexadecimal number")
    }

    func testComments() {
        XCTAssertEqual(json("# one\n// two\n/* three\n four */ a = 1 # five\nb = /* six */ 2\n"), #"{"a":1,"b":2}"#)
        XCTAssertEqual(error("a = 1\n/* open")?.message, "comment not terminated")
        XCTAssertEqual(error("a = 1 / 2")?.message, "expected '/' for comment")
    }

    func testHeredocs() {
        XCTAssertEqual(HCLParser.parse("a = <<EOF\nline 1\n  line 2\nEOF\n").value?["a"]?.stringValue, "line 1\n  line 2\n")
        // <<- removes the indentation of the closing line from every line
        XCTAssertEqual(HCLParser.parse("a = <<-EOT\n    x\n      y\n    EOT\n").value?["a"]?.stringValue, "x\n  y\n")
        // a line less indented than the closing one: kept as is, the closing indentation trimmed
        XCTAssertEqual(HCLParser.parse("a = <<-EOT\n    x\n  y\n    EOT\n").value?["a"]?.stringValue, "    x\n  y\n")
        // hcl compares the line's length with the anchor as written ("-EOT"): an unindented EOT
        // does not close <<-EOT
        XCTAssertEqual(error("a = <<-EOT\n x\nEOT\n")?.message, "heredoc not terminated")
        XCTAssertEqual(error("a = <<EOF\nx\nEOF")?.message, "heredoc not terminated")
        XCTAssertEqual(error("a = <<EOF x\n")?.message, "invalid characters in heredoc anchor")
        XCTAssertEqual(error("a = <<\nx\n")?.message, "zero-length heredoc anchor")
    }

    func testSyntaxErrorsNameLineAndColumnWithHclsMessage() {
        let e = error("service {\n  name = web\n}\n")
        XCTAssertEqual(e?.line, 2); XCTAssertEqual(e?.column, 10)
        XCTAssertTrue(e?.message.hasPrefix("Unknown token: IDENT web") ?? false, e?.message ?? "")
        XCTAssertEqual(error("a = 1;")?.message, "illegal char")
        XCTAssertEqual(error("a = 1;")?.column, 6)
        XCTAssertEqual(error("a {\n b = 1\n")?.message, "object expected closing RBRACE got: EOF")
        XCTAssertEqual(error("a b = 1")?.message, "nested object expected: LBRACE got: ASSIGN")
        XCTAssertEqual(error("= 1")?.message, "no object keys found!")
        // a document that starts with '{' is JSON (hcl's lexMode): the JSON reader's error
        XCTAssertEqual(error("{ }  x")?.message, "unexpected 'x' after the end of the top-level value")
        XCTAssertEqual(error("a { b }")?.message, "key 'b' expected start of object ('{') or assignment ('=')")
        XCTAssertEqual(error("a = [1 2]")?.message, "error parsing list, expected comma or list end, got: NUMBER")
        XCTAssertEqual(error("a = \"x\ny\"")?.message, "literal not terminated")
        XCTAssertEqual(error(#"a = "\q""#)?.message, "illegal char escape")
        XCTAssertEqual(error("true = 1")?.message, "expected: IDENT | STRING | ASSIGN | LBRACE got: BOOL")
        // `key =` at the end of the input: hcl drops the item (errEofToken ends the list)
        XCTAssertEqual(json("a = 1\nb ="), #"{"a":1}"#)
    }

    func testEveryValueKeepsFileLineAndColumn() throws {
        let v = try XCTUnwrap(HCLParser.parse("service {\n  name = \"web\"\n  check {\n    ttl = \"5s\"\n  }\n}\n", file: "web.hcl").value)
        let svc = try XCTUnwrap(v["service"]?.arrayValue?.first)
        XCTAssertEqual(svc["name"]?.location, SourceLocation(file: "web.hcl", line: 2, column: 10))
        let check = try XCTUnwrap(svc["check"]?.arrayValue?.first)
        XCTAssertEqual(check["ttl"]?.location, SourceLocation(file: "web.hcl", line: 4, column: 11))
        XCTAssertEqual(svc.objectMembers?.first(where: { $0.key == "check" })?.keyLocation, SourceLocation(file: "web.hcl", line: 3, column: 3))
    }

    func testLimitsNeverTrap() {
        // nesting: blocks, lists, labels; each refused at the limit with the nesting flag
        for text in [String(repeating: "a {", count: 300), "a = " + String(repeating: "[", count: 300),
                     String(repeating: "a ", count: 300) + "{}", "a = " + String(repeating: "[{b = ", count: 300)] {
            let r = HCLParser.parse(text)
            XCTAssertNil(r.value)
            XCTAssertEqual(r.errors.first?.isNestingLimit, true, String(text.prefix(20)))
        }
        // many distinct labelled keys: Filter is indexed, not a scan per key (this took minutes as a scan)
        let many = (0..<50_000).map { "k\($0) \"x\" { }" }.joined(separator: "\n")
        XCTAssertEqual(HCLParser.parse(many).value?.objectMembers?.count, 50_000)
        // a block repeated 50,000 times appends in place (found by clustersim-fuzz, seed 11 input
        // 2142: the list was copied at every append, 7 minutes for a 3 MB file; now seconds)
        let repeated = "services {\n" + String(repeating: "  check { args = [\"/bin/x\"] interval = \"1m\" }\n  tags = [\"a\"]\n", count: 50_000) + "}\n"
        let decoded = HCLParser.parse(repeated).value?["services"]?.arrayValue?.first
        XCTAssertEqual(decoded?["check"]?.arrayValue?.count, 50_000)
        XCTAssertEqual(decoded?["tags"]?.arrayValue?.count, 50_000)
        // a truncated file at every length never traps
        let sample = "service {\n  name = \"web\" # c\n  tags = [\"a\", \"b\",]\n  check { args = [\"/bin/x\", \"${y}\"]\n interval = \"10s\" }\n  meta = <<-EOT\n  x\n  EOT\n}\n"
        for n in 0...sample.utf8.count { _ = HCLParser.parse(String(decoding: Array(sample.utf8)[0..<n], as: UTF8.self)) }
    }

    func testConsulTemplateFlattensItsBlocks() {
        // config/config.go Parse: wait (last block wins), consul, template[*].wait are flattened;
        // template stays a list; keys not in flattenKeys stay lists
        XCTAssertEqual(json("wait { min = \"1s\" }\nwait { min = \"2s\" max = \"9s\" }\nconsul { retry { attempts = 3 } }\ntemplate { source = \"a\" wait { min = \"3s\" } }\ntemplate { source = \"b\" }\nother { x = 1 }\n", reader: .consulTemplate),
                       #"{"wait":{"min":"2s","max":"9s"},"consul":{"retry":{"attempts":3}},"template":[{"source":"a","wait":{"min":"3s"}},{"source":"b"}],"other":[{"x":1}]}"#)
        // a list written with [ ] is not flattened (a []interface{}, not a []map)
        XCTAssertEqual(json("wait = [{ min = \"1s\" }]", reader: .consulTemplate), #"{"wait":[{"min":"1s"}]}"#)
    }
}

/// .hcl files where Consul and consul-template read them: the same decoded spec as their JSON
/// forms; refused elsewhere.
final class HCLIncludeTests: XCTestCase {
    static let scenario = """
    {"name": "t", "duration": "1h",
     "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                    {"name": "edge", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                    {"name": "slave", "count": 3, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
     "mesos": {"masters": {"count": 3}},
     "marathon": {"apps": [{"id": "/shop/web", "instances": 2, "cpus": 1, "mem": 128, "cmd": "x", "portDefinitions": [{"port": 0}]}]},
     "consul": {"hostGroup": "slave", "services": {"/shop/web": {"$include": "WEB"}}},
     "nginx": {"hostGroup": "edge"},
     "consulTemplate": CT}
    """

    static let webJSON = """
    {"service": {"name": "web", "tags": ["a", "b"], "port": 8080,
      "checks": [{"id": "h", "http": "http://localhost:8080/health", "interval": "10s", "timeout": "2s", "failures_before_critical": 2},
                 {"name": "tcp", "TCP": "localhost:8080", "Interval": "30s"}],
      "check": {"ttl": "30s", "status": "passing"}}}
    """
    static let webHCL = """
    # Consul's documentation writes service definitions this way
    service {
      name = "web"
      tags = ["a", "b",]
      port = 8080
      checks = [
        {
          id = "h"
          http = "http://localhost:8080/health"
          interval = "10s"
          timeout = "2s"
          failures_before_critical = 2
        },
        { name = "tcp", TCP = "localhost:8080", Interval = "30s" }
      ]
      check {
        ttl = "30s"
        status = "passing"
      }
    }
    """

    static let ctJSON = """
    {"wait": {"min": "2s", "max": "10s"}, "max_stale": "5s", "log_level": "warn",
     "template": [{"contents": "upstream a { server 10.0.0.2:1; }\\n", "destination": "/etc/nginx/conf.d/a.conf", "command": "nginx -s reload",
                   "wait": {"min": "1s", "max": "4s"}, "perms": 420}]}
    """
    static let ctHCL = """
    log_level = "warn"
    max_stale = "5s"
    wait {
      min = "2s"
      max = "10s"
    }
    template {
      contents    = <<EOF
    upstream a { server 10.0.0.2:1; }
    EOF
      destination = "/etc/nginx/conf.d/a.conf"
      command     = "nginx -s reload"
      perms       = 0644
      wait {
        min = "1s"
        max = "4s"
      }
    }
    """

    func folder(web: (String, String), ct: String) -> String {
        let dir = makeTempDir()
        write(web.1, to: dir + "/" + web.0)
        write(Self.ctJSON, to: dir + "/ct.json")
        write(Self.ctHCL, to: dir + "/ct.hcl")
        write(Self.scenario.replacingOccurrences(of: "WEB", with: web.0).replacingOccurrences(of: "CT", with: ct), to: dir + "/s.json")
        return dir
    }

    func load(_ dir: String) throws(ScenarioErrors) -> LoadedScenario {
        try ScenarioLoader.load(path: dir + "/s.json")
    }

    func testConsulServiceFileInHCLDecodesAsItsJSONForm() throws {
        let j = try load(folder(web: ("web.json", Self.webJSON), ct: #"{"config": {"$include": "ct.json"}}"#))
        let h = try load(folder(web: ("web.hcl", Self.webHCL), ct: #"{"config": {"$include": "ct.json"}}"#))
        let js = try XCTUnwrap(j.spec.consul?.services.first?.definitions)
        XCTAssertEqual(js.first?.checks.count, 3)
        XCTAssertEqual(h.spec.consul?.services.first?.definitions, js)
        XCTAssertEqual(h.spec.consul?.services.first?.appId, "/shop/web")
    }

    func testConsulTemplateConfigInHCLDecodesAsItsJSONForm() throws {
        let j = try load(folder(web: ("web.json", Self.webJSON), ct: #"{"config": {"$include": "ct.json"}, "queryLatency": "2ms"}"#))
        let h = try load(folder(web: ("web.json", Self.webJSON), ct: #"{"config": {"$include": "ct.hcl"}, "queryLatency": "2ms"}"#))
        let ct = try XCTUnwrap(j.spec.consulTemplate)
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .seconds(2), max: .seconds(10)))
        XCTAssertEqual(ct.templates.first?.wait, ConsulTemplateWait(min: .seconds(1), max: .seconds(4)))
        XCTAssertEqual(ct.maxStale, .seconds(5))
        XCTAssertEqual(ct.queryLatency, .milliseconds(2))
        XCTAssertEqual(h.spec.consulTemplate, ct)
        // and inline, as before
        let inline = try load(folder(web: ("web.json", Self.webJSON), ct: String(Self.ctJSON.dropLast()) + #", "queryLatency": "2ms"}"#))
        XCTAssertEqual(inline.spec.consulTemplate, ct)
    }

    func errors(_ dir: String) -> [ScenarioError] {
        do { _ = try load(dir); XCTFail("expected errors"); return [] } catch { return error.errors }
    }

    func testConsulTemplateConfigRefusesSimulatorKeysAndKeysGivenTwice() {
        let dir = folder(web: ("web.json", Self.webJSON), ct: #"{"config": {"$include": "ct2.hcl"}, "max_stale": "1s"}"#)
        write("max_stale = \"5s\"\nqueryLatency = \"1ms\"\ntemplate { contents = \"x\"\n destination = \"/etc/nginx/conf.d/a.conf\" }\n", to: dir + "/ct2.hcl")
        let e = errors(dir)
        XCTAssertEqual(e.count, 2, e.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(e.contains { $0.message.contains("\"max_stale\" is given both") && $0.file?.hasSuffix("/ct2.hcl") == true && $0.line == 1 }, e.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(e.contains { $0.message.contains("simulator's own key") && $0.line == 2 }, e.map(\.description).joined(separator: "\n"))
    }

    func testHCLSyntaxErrorNamesFileLineAndColumn() {
        let dir = folder(web: ("web.hcl", "service {\n  name = \"web\"\n  port = 80;\n}\n"), ct: #"{"config": {"$include": "ct.hcl"}}"#)
        let e = errors(dir)
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.file?.hasSuffix("/web.hcl") ?? false); XCTAssertEqual(e.first?.line, 3); XCTAssertEqual(e.first?.column, 12)
        XCTAssertEqual(e.first?.message, "illegal char")
    }

    func testDecodedValuesAreCheckedWithTheirHCLLine() {
        let dir = folder(web: ("web.hcl", "service {\n  name = \"web\"\n  check {\n    http = \"x\"\n    interval = 10\n  }\n}\n"), ct: #"{"config": {"$include": "ct.hcl"}}"#)
        let e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(e.first?.file?.hasSuffix("/web.hcl") ?? false); XCTAssertEqual(e.first?.line, 5)
        XCTAssertTrue(e.first?.message.contains("'interval' expected type 'string'") ?? false)
    }

    func testHCLIncludeElsewhereIsRefusedNamingWhereHCLIsRead() {
        let dir = folder(web: ("web.json", Self.webJSON), ct: #"{"$include": "ct.hcl"}"#)
        let e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.path, "consulTemplate.$include")
        XCTAssertTrue(e.first?.message.contains("HCL is read only where Consul or consul-template read it") ?? false)
        XCTAssertTrue(e.first?.message.contains("consulTemplate.config") ?? false)
        // a service definition's nested value is not a file Consul reads
        XCTAssertNil(HCLFiles.reader(sitePath: "consul.services[\"/shop/web\"].service"))
        XCTAssertNil(HCLFiles.reader(sitePath: "consul.servicesX.a"))
        XCTAssertNil(HCLFiles.reader(sitePath: "marathon.apps[0]"))
        XCTAssertEqual(HCLFiles.reader(sitePath: "consul.services[\"/shop/web\"]"), .consul)
        XCTAssertEqual(HCLFiles.reader(sitePath: "consul.services.web"), .consul)
        XCTAssertEqual(HCLFiles.reader(sitePath: "consulTemplate.config"), .consulTemplate)
    }

    func testConsulTemplateKeysItRefusesAreRefused() {
        // `once` is a command-line flag, `dedup` not a key: consul-template's mapstructure
        // decode (ErrorUnused) refuses both; `deduplicate` and `nomad` are accepted
        let dir = folder(web: ("web.json", Self.webJSON), ct: #"{"config": {"$include": "ct3.hcl"}}"#)
        write("once = true\ndeduplicate { enabled = true }\nnomad { address = \"x\" }\ntemplate {\n contents = \"x\"\n destination = \"/etc/nginx/conf.d/a.conf\"\n error_fatal = false\n}\n", to: dir + "/ct3.hcl")
        let e = errors(dir)
        XCTAssertEqual(e.map(\.message), ["unknown key \"once\" (consul-template rejects it too)"])
        // the blocks the simulator ignores still have consul-template's keys only (vault.renew
        // is renew_token since v0.2x: hashicorp/best-practices' nodejs.hcl is refused by v0.42)
        let sc = ConsulTemplateSectionTests.self
        assertSingleError(sc.scenario(consulTemplate: #""vault": {"address": "https://v:8200", "renew": true, "ssl": {"enabled": true}}"#),
                          path: "consulTemplate.vault.renew", ["invalid config key vault.renew (consul-template refuses unknown keys)"])
        assertSingleError(sc.scenario(consulTemplate: #""consul": {"address": "a", "retry": {"attempts": 3, "backof": "1s"}}"#),
                          path: "consulTemplate.consul.retry.backof", ["invalid config key consul.retry.backof"])
        XCTAssertNotNil(loadOK(sc.scenario(consulTemplate: #""consul": {"Address": "a", "retry": {"attempts": 3}, "ssl": {"enabled": true}}, "exec": {"command": "x", "env": {"pristine": false}}"#)))
        // WaitConfig.Enabled is tagged mapstructure:"bool": `enabled` is an unused key there
        assertSingleError(sc.scenario(consulTemplate: #""wait": {"min": "1s", "enabled": true}"#), path: "consulTemplate.wait.enabled", ["consul-template refuses wait.enabled"])
    }
}
