import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// The `nginx` and `consulTemplate` sections: defaults, ranges, path-named errors, templates
/// checked when the scenario is read (with their file and line).
final class ConsulTemplateSectionTests: XCTestCase {
    static let templatesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("templates").path

    /// A scenario with nginx on edge-01 and consul-template rendering `template` (JSON object text).
    static func scenario(template: String = #"{"contents": "upstream a { server 10.0.0.2:1; }", "destination": "/etc/nginx/conf.d/a.conf", "command": "nginx -s reload"}"#,
                         consulTemplate extra: String = "", nginx: String = #""hostGroup": "edge""#) -> String {
        """
        {"name": "t", "duration": "1h",
         "hostGroups": [{"name": "edge", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "64GiB", "disk": "500GB"}],
         "consul": {"hostGroup": "slave"},
         "nginx": {\(nginx)},
         "consulTemplate": {\(extra.isEmpty ? "" : extra + ", ")"template": [\(template)]}}
        """
    }

    func testDefaultsAreConsulTemplates() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario())).spec
        let ct = try XCTUnwrap(s.consulTemplate)
        XCTAssertEqual(ct.wait, .disabled)
        XCTAssertEqual(ct.maxStale, .seconds(2))
        XCTAssertEqual(ct.blockQueryWait, .seconds(60))
        XCTAssertEqual(ct.retry.attempts, 12)
        XCTAssertEqual(ct.retry.backoff, .milliseconds(250))
        XCTAssertEqual(ct.retry.maxBackoff, .minutes(1))
        XCTAssertTrue(ct.retry.enabled)
        XCTAssertEqual(ct.templates.first?.commandTimeout, .seconds(30))
        XCTAssertEqual(s.nginx?.hosts, ["edge-01", "edge-02"])
        XCTAssertEqual(s.nginx?.workerStart, .milliseconds(100))
    }

    func testWaitForms() throws {
        func wait(_ w: String) throws -> ConsulTemplateWait? { try XCTUnwrap(loadOK(Self.scenario(consulTemplate: "\"wait\": \(w)"))).spec.consulTemplate?.wait }
        XCTAssertEqual(try wait(#"{"min": "5s", "max": "10s"}"#), ConsulTemplateWait(min: .seconds(5), max: .seconds(10)))
        XCTAssertEqual(try wait(#"{"min": "5s"}"#), ConsulTemplateWait(min: .seconds(5), max: .seconds(20)), "min only: max = 4 x min (wait.go)")
        XCTAssertEqual(try wait(#""5s:10s""#), ConsulTemplateWait(min: .seconds(5), max: .seconds(10)))
        XCTAssertEqual(try wait(#""2s""#), ConsulTemplateWait(min: .seconds(2), max: .seconds(8)))
        let t = try XCTUnwrap(loadOK(Self.scenario(template: #"{"contents": "", "destination": "/x.conf", "wait": "1s:3s"}"#))).spec
        XCTAssertEqual(t.consulTemplate?.templates.first?.wait, ConsulTemplateWait(min: .seconds(1), max: .seconds(3)))
    }

    /// With two or more templates waiting, consul-template's quiescence timers re-arm each other
    /// and every template is executed again every `min` (issues #1140, #1195): a 1ns min was 10^9
    /// executions per simulated second (a fuzz input that never ended). One template may wait
    /// any time; several must wait at least 100ms.
    func testSeveralTemplatesWaitingLessThan100msAreRefused() throws {
        let two = #"{"contents": "a", "destination": "/a.conf"}, {"contents": "b", "destination": "/b.conf"}"#
        assertSingleError(Self.scenario(template: two, consulTemplate: #""wait": "1ns:10s""#), path: "consulTemplate.wait",
                          ["wait min 1ns with 2 templates waiting", "#1140", "at least 100ms"])
        assertSingleError(Self.scenario(template: #"{"contents": "a", "destination": "/a.conf", "wait": "99ms"}, {"contents": "b", "destination": "/b.conf", "wait": "5s"}"#),
                          path: "consulTemplate.template[0].wait", ["wait min 99ms with 2 templates waiting"])
        // a template's own wait wins over the global one; the second template waits by the global one
        assertSingleError(Self.scenario(template: #"{"contents": "a", "destination": "/a.conf", "wait": "1s"}, {"contents": "b", "destination": "/b.conf"}"#,
                                        consulTemplate: #""wait": "50ms""#), path: "consulTemplate.wait", ["wait min 50ms with 2 templates waiting"])
        // allowed: 100ms; one template waiting 1ns; two templates of which only one waits
        XCTAssertNotNil(loadOK(Self.scenario(template: two, consulTemplate: #""wait": "100ms""#)))
        XCTAssertNotNil(loadOK(Self.scenario(consulTemplate: #""wait": "1ns""#)))
        XCTAssertNotNil(loadOK(Self.scenario(template: #"{"contents": "a", "destination": "/a.conf", "wait": "1ns"}, {"contents": "b", "destination": "/b.conf"}"#)))
    }

    func testBadValuesNameTheirPath() {
        assertSingleError(Self.scenario(consulTemplate: #""wait": {"min": "10s", "max": "5s"}"#), path: "consulTemplate.wait", ["must not be less than min"])
        assertSingleError(Self.scenario(consulTemplate: #""wait": "5s:x""#), path: "consulTemplate.wait", ["MIN:MAX"])
        assertSingleError(Self.scenario(consulTemplate: #""retry": {"attempts": -1}"#), path: "consulTemplate.retry.attempts", [])
        assertSingleError(Self.scenario(consulTemplate: #""retry": {"backof": "1s"}"#), path: "consulTemplate.retry.backof", ["did you mean \"backoff\""])
        assertSingleError(Self.scenario(consulTemplate: #""block_query_wait": "1h""#), path: "consulTemplate.block_query_wait", ["at most 10m"])
        assertSingleError(Self.scenario(consulTemplate: #""max_stal": "1s""#), path: "consulTemplate.max_stal", ["did you mean \"max_stale\"", "consul-template rejects it too"])
        assertSingleError(Self.scenario(template: #"{"contents": "", "destination": "relative.conf"}"#), path: "consulTemplate.template[0].destination", ["absolute path"])
        // any command loads (consul-template runs it); the ones that are not nginx reloads with a warning
        XCTAssertNotNil(loadOK(Self.scenario(template: #"{"contents": "", "destination": "/x.conf", "command": "rm -rf /"}"#)))
        assertSingleError(Self.scenario(template: #"{"destination": "/x.conf"}"#), path: "consulTemplate.template[0]", ["\"contents\"", "\"source\""])
        assertSingleError(Self.scenario(nginx: #""hostGroup": "edg""#), path: "nginx.hostGroup", ["unknown host group", "did you mean \"edge\""])
        assertSingleError(Self.scenario(nginx: #""hosts": ["edge-1"]"#), path: "nginx.hosts[0]", ["edge-01"])
        assertSingleError(Self.scenario(nginx: #""hosts": ["edge-01"], "workerStart": "2m""#), path: "nginx.workerStart", ["at most 60s"])
        assertSingleError(Self.scenario(nginx: #""hosts": ["edge-01"], "configuration": "upstream u { }""#), path: "nginx.configuration", ["no servers are inside upstream"])
        assertSingleError(Self.scenario(nginx: ""), path: "nginx", ["\"hostGroup\"", "\"hosts\""])
    }

    func testIgnoredConsulTemplateKeysWarn() throws {
        let l = try XCTUnwrap(loadOK(Self.scenario(consulTemplate: #""log_level": "info""#)))
        XCTAssertEqual(l.warnings.count, 1)
        XCTAssertTrue(l.warnings[0].contains("consulTemplate.log_level"), l.warnings[0])
    }

    func testConsulTemplateNeedsConsulAndNginx() {
        let noConsul = Self.scenario().replacingOccurrences(of: #""consul": {"hostGroup": "slave"},"#, with: "")
        assertSingleError(noConsul, path: "consulTemplate", ["needs a \"consul\" section"])
        let noNginx = Self.scenario().replacingOccurrences(of: #""nginx": {"hostGroup": "edge"},"#, with: "")
        assertSingleError(noNginx, path: "consulTemplate", ["needs an \"nginx\" section"])
    }

    func testTemplateErrorsAreValidationErrorsWithFileAndLine() {
        let e = assertSingleError(Self.scenario(template: #"{"source": "broken.ctmpl", "destination": "/x.conf"}"#), path: "consulTemplate.template[0].source",
                                  ["template: broken.ctmpl:3:", "can't evaluate field Prot"], line: 3, baseDirectory: Self.templatesFolder)
        XCTAssertEqual(e?.file, "broken.ctmpl")
        assertSingleError(Self.scenario(template: #"{"contents": "a\n{{range service \"web\"}}", "destination": "/x.conf"}"#), path: "consulTemplate.template[0].contents",
                          ["template: contents:2:", "{{range}} has no {{end}}"])
        assertSingleError(Self.scenario(template: #"{"contents": "{{nomadService \"a\"}}", "destination": "/x.conf"}"#), path: "consulTemplate.template[0].contents", ["function \"nomadService\" reads Nomad"])
        assertSingleError(Self.scenario(template: #"{"source": "../outside.ctmpl", "destination": "/x.conf"}"#), path: "consulTemplate.template[0].source",
                          ["outside the scenario's folder"], baseDirectory: Self.templatesFolder)
        assertSingleError(Self.scenario(template: #"{"source": "nosuch.ctmpl", "destination": "/x.conf"}"#), path: "consulTemplate.template[0].source",
                          ["no such file"], baseDirectory: Self.templatesFolder)
    }

    func testTemplateFromSourceLoads() throws {
        let s = try XCTUnwrap(loadOK(Self.scenario(template: #"{"source": "nginx.ctmpl", "destination": "/etc/nginx/conf.d/app.conf", "command": "service nginx reload"}"#),
                                     baseDirectory: Self.templatesFolder)).spec
        XCTAssertEqual(s.consulTemplate?.templates.first?.name, "nginx.ctmpl")
        XCTAssertTrue(s.consulTemplate?.templates.first?.text.contains("force a 502") ?? false)
    }
}

extension DeclaredDefaultsTests {
    func testNginxAndConsulTemplateDefaultsAreTheDeclaredOnes() {
        check(ScenarioSchema.consulTemplateKeys, at: "consulTemplate", in: ConsulTemplateSectionTests.scenario(), wordDefaults: ["template", "wait", "retry", "vaultServer", "config", "flagsFrom"])
        check(ScenarioSchema.retryKeys, at: "consulTemplate.retry", in: ConsulTemplateSectionTests.scenario(consulTemplate: #""retry": {}"#), wordDefaults: [])
        check(ScenarioSchema.templateStanzaKeys, at: "consulTemplate.template[0]", in: ConsulTemplateSectionTests.scenario(), wordDefaults: ["contents", "source", "destination", "wait"],
                only: ["command_timeout", "left_delimiter", "right_delimiter", "error_on_missing_key", "contents", "source", "destination", "wait"])
        check(ScenarioSchema.nginxKeys, at: "nginx", in: ConsulTemplateSectionTests.scenario(nginx: #""hosts": ["edge-01"]"#), wordDefaults: ["hostGroup", "hosts"],
                only: ["workerStart", "configuration", "hostGroup", "hosts"])
    }
}
