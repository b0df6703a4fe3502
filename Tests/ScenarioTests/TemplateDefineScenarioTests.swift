import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// A consul-template file that defines its upstream block once and calls it per service
/// (`{{define}}` / `{{template}}`, `{{block}}`, `{{break}}`, as consul-template's Go text/template
/// runs them): the scenario loads, the rendered file follows the instances as they start, and real
/// nginx accepts it.
final class TemplateDefineScenarioTests: XCTestCase {
    static let template = #"""
        {{- define "upstream" -}}
        upstream {{.Name}} {
        {{- range $i, $s := service .Name}}{{if ge $i 8}}{{break}}{{end}}
          server {{$s.Address}}:{{$s.Port}};
        {{- else}}
          server 127.0.0.1:65535; # force a 502
        {{- end}}
        }
        {{end -}}
        {{- range services}}{{if ne .Name "consul"}}{{template "upstream" .}}{{end}}{{end -}}
        {{block "server" "web"}}server { listen 80; location / { proxy_pass http://{{.}}; } }{{end}}
        """#

    func testDefinedTemplatesRenderAnUpstreamNginxAccepts() throws {
        let text = ConsulTemplateInputsTests.scenario().replacingOccurrences(of: ConsulTemplateInputsTests.json(ConsulTemplateInputsTests.template),
                                                                             with: ConsulTemplateInputsTests.json(Self.template))
        XCTAssertNotEqual(text, ConsulTemplateInputsTests.scenario())
        let s = try XCTUnwrap(loadOK(text))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let ct = try XCTUnwrap(m.subsystem(ConsulTemplateRunner.self))
        let out = try XCTUnwrap(ct.destinationText(proxy: 0, template: 0))
        // web's two instances and api's one started after the first render: their servers came
        // through the called template on a later render
        XCTAssertEqual(out.split(separator: "\n").filter { $0.hasPrefix("  server 10.0.0.") }.count, 3, out)
        XCTAssertTrue(out.contains("upstream web {"), out)
        XCTAssertTrue(out.contains("upstream api {"), out)
        XCTAssertTrue(out.hasSuffix("server { listen 80; location / { proxy_pass http://web; } }"), out)
        if NginxRealToolTests.nginxBinary() != nil {
            let (status, log) = try NginxRealToolTests.nginxTest(out)
            XCTAssertEqual(status, 0, log)
        }
    }

    /// A refused template is still one error at its path, exit status 2 (assertSingleError).
    func testGoTemplateErrorsNameThePath() {
        func with(_ t: String) -> String {
            ConsulTemplateInputsTests.scenario().replacingOccurrences(of: ConsulTemplateInputsTests.json(ConsulTemplateInputsTests.template),
                                                                     with: ConsulTemplateInputsTests.json(t))
        }
        assertSingleError(with(#"{{define "a"}}x{{end}}{{define "a"}}y{{end}}"#), path: "consulTemplate.template[0].contents",
                          [#"multiple definition of template "a""#])
        assertSingleError(with("x\n{{break}}"), path: "consulTemplate.template[0].contents", ["{{break}} outside {{range}}"])
        assertSingleError(with(#"{{template "nope"}}"#), path: "consulTemplate.template[0].contents", [#"template "nope" not defined"#])
    }
}
