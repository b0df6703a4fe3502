import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Rule files as rulefmt.Parse (Prometheus 2.42) loads them: strict decoding, Validate's messages
/// with the file, the JSON path, the group, the rule and the position in the expression. The
/// expression parser here is a stand-in (`sum(` and a trailing `==` do not parse) so that these
/// tests check the loader alone; RuleFilePromtoolTests runs the real PromQL parser and promtool.
final class RuleFileTests: XCTestCase {
    static func fakeCompile(_ s: String) -> PromQLError? {
        if s.hasSuffix("==") { return PromQLError("unexpected end of input", position: s.count) }
        if let r = s.range(of: "foo(") { return PromQLError("unknown function with name \"foo\"", position: s.distance(from: s.startIndex, to: r.lowerBound)) }
        return nil
    }

    func load(_ text: String) -> (groups: [RuleGroupSpec]?, errors: [String], warnings: [String]) {
        let d = Diagnostics()
        let g = RuleFileReader.parse(text, file: "rules/r.json", d, compile: Self.fakeCompile)
        return (g, d.errors.map(\.description), d.warnings.map(\.description))
    }

    func testAGoodFileLoadsEveryField() throws {
        let r = load("""
            {"groups": [{"name": "node", "interval": "30s", "limit": 10, "rules": [
              {"record": "instance:up:sum", "expr": "sum by (instance) (up)", "labels": {"team": "ops"}},
              {"alert": "HostDown", "expr": "up == 0", "for": "1m30s", "keep_firing_for": "5m",
               "labels": {"severity": "page", "n": 1}, "annotations": {"summary": "{{ $labels.instance }} down ({{ $value | humanize }})"}}
            ]}, {"name": "empty"}]}
            """)
        XCTAssertEqual(r.errors, [])
        let g = try XCTUnwrap(r.groups)
        XCTAssertEqual(g.map(\.name), ["node", "empty"])
        XCTAssertEqual(g[0].interval, .seconds(30))
        XCTAssertNil(g[1].interval, "no interval: the global evaluation_interval")
        XCTAssertEqual(g[0].limit, 10)
        XCTAssertEqual(g[0].file, "rules/r.json")
        XCTAssertEqual(g[0].rules[0], RuleSpec(kind: .recording(record: "instance:up:sum"), expr: "sum by (instance) (up)", labels: [("team", "ops")]))
        XCTAssertEqual(g[0].rules[1], RuleSpec(kind: .alerting(alert: "HostDown", forDuration: .seconds(90), keepFiringFor: .minutes(5),
                                                                annotations: [("summary", "{{ $labels.instance }} down ({{ $value | humanize }})")]),
                                               expr: "up == 0", labels: [("severity", "page"), ("n", "1")]))
    }

    func testEmptyDocumentsHaveNoGroups() {
        XCTAssertEqual(load("{}").groups, [])
        XCTAssertEqual(load("{\"groups\": null}").groups, [])
        XCTAssertEqual(load("{\"groups\": [{\"name\": \"g\", \"interval\": \"0s\", \"limit\": -1, \"rules\": []}]}").groups?.first?.interval, nil)
    }

    func testUnknownFieldsAreErrorsAsPrometheusStrictDecoding() {
        let r = load("{\"groups\": [{\"name\": \"g\", \"query_offset\": \"1m\", \"rules\": [{\"alert\": \"A\", \"expr\": \"up\", \"extra\": 1}]}], \"x\": 2}")
        XCTAssertEqual(r.groups, nil)
        XCTAssertEqual(r.errors, [
            "rules/r.json:1:104: x: field x not found in type rulefmt.RuleGroups",
            "rules/r.json:1:27: groups[0].query_offset: field query_offset not found in type rulefmt.RuleGroup",
            "rules/r.json:1:88: groups[0].rules[0].extra: field extra not found in type rulefmt.RuleNode",
        ])
    }

    func testDurationsAreModelParseDuration() {
        for (bad, msg) in [("1.5m", "not a valid duration string: \"1.5m\""), ("1h1d", "not a valid duration string: \"1h1d\""),
                           ("-1m", "not a valid duration string: \"-1m\""), ("", "empty duration string"), ("1 m", "not a valid duration string: \"1 m\""),
                           ("99999999y", "duration out of range"), ("5", "not a valid duration string: \"5\"")] {
            let r = load("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"alert\": \"A\", \"expr\": \"up\", \"for\": \(JSONValue.quote(bad))}]}]}")
            XCTAssertEqual(r.errors.count, 1, bad)
            XCTAssertTrue(r.errors.first?.hasSuffix("groups[0].rules[0].for: " + msg) ?? false, "\(bad): \(r.errors)")
        }
        for (good, ms) in [("0", 0), ("1d1h", 90_000_000), ("01m", 60_000), ("1y", 31_536_000_000), ("2w", 1_209_600_000), ("1m500ms", 60_500), ("5ms", 5)] as [(String, Int64)] {
            XCTAssertEqual(try? PromDuration.parse(good).get(), ms, good)
        }
        XCTAssertEqual(PromDuration.format(5_400_000), "1h30m")
        XCTAssertEqual(PromDuration.format(7_776_000_000), "90d")
        XCTAssertEqual(PromDuration.format(1_209_600_000), "2w")
    }

    func testWrongKindsAreYAMLUnmarshalErrors() {
        let r = load("{\"groups\": [{\"name\": \"g\", \"limit\": 1.5, \"rules\": [{\"alert\": \"A\", \"expr\": \"up\", \"labels\": {\"a\": [1]}, \"annotations\": \"x\"}]}]}")
        XCTAssertEqual(r.errors.map { $0.components(separatedBy: ": ").dropFirst().joined(separator: ": ") }, [
            "groups[0].limit: cannot unmarshal !!float `1.5` into int",
            "groups[0].rules[0].labels.a: cannot unmarshal !!seq into string",
            "groups[0].rules[0].annotations: cannot unmarshal !!str `x` into map[string]string",
        ])
    }

    func testValidateMessagesNameGroupRuleAndPosition() {
        let r = load("""
            {"groups": [{"name": "g", "rules": [
              {"record": "a:b", "expr": "sum(up)", "for": "1m"},
              {"alert": "B", "expr": "up =="},
              {"alert": "C", "expr": "up", "labels": {"__name__": "x"}, "annotations": {"a b": "y"}},
              {"record": "1a", "expr": "up", "annotations": {"x": "y"}},
              {"expr": "up"},
              {"alert": "", "record": "x", "expr": ""},
              {"alert": "D", "expr": "rate(\\n foo(up)"}
            ]}, {"name": "g"}, {"name": ""}]}
            """)
        XCTAssertNil(r.groups)
        XCTAssertEqual(r.errors, [
            "rules/r.json:2:14: groups[0].rules[0].record: group \"g\", rule 1, \"a:b\": invalid field 'for' in recording rule",
            "rules/r.json:3:26: groups[0].rules[1].expr: group \"g\", rule 2, \"B\": could not parse expression: 1:6: parse error: unexpected end of input",
            "rules/r.json:4:42: groups[0].rules[2].labels: group \"g\", rule 3, \"C\": invalid label name: __name__",
            "rules/r.json:4:76: groups[0].rules[2].annotations: group \"g\", rule 3, \"C\": invalid annotation name: a b",
            "rules/r.json:5:14: groups[0].rules[3].record: group \"g\", rule 4, \"1a\": invalid field 'annotations' in recording rule",
            "rules/r.json:5:14: groups[0].rules[3].record: group \"g\", rule 4, \"1a\": invalid recording rule name: 1a",
            "rules/r.json:6:3: groups[0].rules[4]: group \"g\", rule 5, \"\": one of 'record' or 'alert' must be set",
            "rules/r.json:7:40: groups[0].rules[5].expr: group \"g\", rule 6, \"x\": field 'expr' must be set in rule",
            "rules/r.json:8:26: groups[0].rules[6].expr: group \"g\", rule 7, \"D\": could not parse expression: 2:2: parse error: unknown function with name \"foo\"",
            "rules/r.json:9:5: groups[1]: groupname: \"g\" is repeated in the same file",
            "rules/r.json:9:20: groups[2]: Groupname must not be empty",
        ])
    }

    func testTemplatesMustParseInTheSubset() {
        func errors(_ tmpl: String) -> [String] {
            load("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"alert\": \"X\", \"expr\": \"up\", \"annotations\": {\"s\": \(JSONValue.quote(tmpl))}}]}]}").errors
        }
        XCTAssertEqual(errors("{{ $labels.instance"), ["rules/r.json:1:81: groups[0].rules[0].annotations: group \"g\", rule 1, \"X\": annotation \"s\": template: __alert_X:1: unclosed action"])
        XCTAssertTrue(errors("{{ foo }}").first?.hasSuffix("annotation \"s\": template: __alert_X:1: function \"foo\" not defined") ?? false)
        // Prometheus' own template functions the simulator does not run load (as in Prometheus), with a warning
        XCTAssertEqual(errors("{{ query \"up\" | first | value }}"), [])
        XCTAssertEqual(errors("{{ range $labels }}{{ end }}"), [])
        let q = load("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"alert\": \"X\", \"expr\": \"up\", \"annotations\": {\"s\": \"{{ with query \\\"up\\\" }}{{ . | first | value }}{{ end }}\"}}]}]}")
        XCTAssertEqual(q.warnings.count, 1, "\(q.warnings)")
        XCTAssertTrue(q.warnings.first?.contains("annotation \"s\" uses query, first, value: Prometheus template functions the simulator does not run") ?? false, "\(q.warnings)")
        XCTAssertTrue(errors("{{ $nope }}").first?.hasSuffix("undefined variable \"$nope\"") ?? false)
        XCTAssertEqual(errors("{{ if gt $value 80.0 }}high{{ else }}{{ $value | printf \"%.2f\" }}{{ end }} {{ .Labels.job | toUpper }}"), [])
        // a template that parses but cannot render: a warning (Prometheus writes <error expanding template: ...>)
        let r = load("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"alert\": \"X\", \"expr\": \"up\", \"labels\": {\"s\": \"{{ gt $value 80 }}\"}}]}]}")
        XCTAssertEqual(r.errors, [])
        XCTAssertTrue(r.warnings.first?.contains("incompatible types for comparison") ?? false, "\(r.warnings)")
    }

    func testRecordingRuleLabelsAreNotTemplated() {
        let r = load("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"record\": \"a\", \"expr\": \"up\", \"labels\": {\"x\": \"{{ $labels.y }}\"}}]}]}")
        XCTAssertEqual(r.errors, [])
        XCTAssertEqual(r.groups?.first?.rules.first?.labels.first?.1, "{{ $labels.y }}")
        XCTAssertEqual(r.warnings.count, 1)
    }

    func testJSONSyntaxErrorsNameTheFile() {
        XCTAssertEqual(load("{\"groups\": [").errors.first?.hasPrefix("rules/r.json:1:"), true)
        XCTAssertTrue(load("groups:\n- name: g\n").errors.first?.contains("a rule file is read as JSON here") ?? false)
        XCTAssertTrue(load("groups:\n- name: g\n").errors.first?.contains("scripts/yaml-to-json.py") ?? false)
    }

    func testFilesAreReadBesideTheScenario() {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write("{\"groups\": [{\"name\": \"g\", \"rules\": [{\"alert\": \"A\", \"expr\": \"up ==\"}]}]}", to: dir + "/rules/a.json")
        let d = Diagnostics()
        d.baseDirectory = dir
        XCTAssertNil(ScenarioSchema.decodeRuleFile("/etc/rules.json", path: "prometheus.rule_files[0]", at: nil, d))
        XCTAssertNil(ScenarioSchema.decodeRuleFile("rules/missing.json", path: "prometheus.rule_files[1]", at: nil, d))
        XCTAssertNil(ScenarioSchema.decodeRuleFile("rules/a.json", path: "prometheus.rule_files[2]", at: nil, d))
        XCTAssertEqual(d.errors.count, 3)
        XCTAssertTrue(d.errors[0].message.contains("absolute path"))
        XCTAssertTrue(d.errors[1].message.contains("no such file"))
        XCTAssertEqual(d.errors[2].file, "rules/a.json")
        XCTAssertTrue(d.errors[2].message.hasPrefix("group \"g\", rule 1, \"A\": could not parse expression: "), d.errors[2].message)
    }
}
