@testable import ClusterModel
import XCTest

/// The Go text/template subset with consul-template's functions.
final class TemplateLanguageTests: XCTestCase {
    struct Data: TemplateData {
        var byService: [String: [TemplateInstance]]
        func service(_ q: ServiceQuery) -> [TemplateInstance] { byService[q.name] ?? [] }
        func services() -> [String] { byService.keys.sorted() }
    }

    let data = Data(byService: [
        "web": [TemplateInstance(node: "slave-01", address: "10.0.0.2", id: "a", name: "web", port: 31000, tags: ["x", "y"]),
                TemplateInstance(node: "slave-02", address: "10.0.0.3", id: "b", name: "web", port: 31001)],
        "api": [],
    ])

    func render(_ t: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do { return try TemplateRenderer(data: data).render(try TemplateParser.parse(t)) } catch {
            XCTFail("\(error)", file: file, line: line); return ""
        }
    }

    func error(_ t: String) -> TemplateError? {
        do {
            let p = try TemplateParser.parse(t)
            if case .failure(let e) = TemplateValidation.check(p) { return e }
            return nil
        } catch { return error }
    }

    func testRangeElseFieldsAndTrimming() {
        XCTAssertEqual(render(#"{{range service "web"}}server {{.Address}}:{{.Port}};{{end}}"#), "server 10.0.0.2:31000;server 10.0.0.3:31001;")
        XCTAssertEqual(render(#"{{range service "api"}}x{{else}}server 127.0.0.1:65535;{{end}}"#), "server 127.0.0.1:65535;")
        XCTAssertEqual(render("a  \n  {{- \"b\" -}}  \n  c"), "abc")
        XCTAssertEqual(render(#"{{range service "web"}}{{.ID}} {{.Node}} {{.Name}} {{.Tags}}|{{end}}"#), "a slave-01 web [x y]|b slave-02 web []|")
        XCTAssertEqual(render(#"{{/* a comment */}}x{{- /* trimmed */ -}}  y"#), "xy")
    }

    func testVariablesIfWithAndFunctions() {
        XCTAssertEqual(render(#"{{range $i, $s := service "web"}}{{$i}}={{$s.Port}} {{end}}"#), "0=31000 1=31001 ")
        XCTAssertEqual(render(#"{{$n := len (service "web")}}{{if eq $n 2}}two{{else if eq $n 1}}one{{else}}none{{end}}"#), "two")
        XCTAssertEqual(render(#"{{with service "api"}}has{{else}}empty{{end}} {{with service "web"}}{{len .}}{{end}}"#), "empty 2")
        XCTAssertEqual(render(#"{{range services}}{{.Name}},{{end}}"#), "api,web,")
        XCTAssertEqual(render(#"{{printf "%s:%d" "a" 5}} {{ne 1 2}} {{and 1 0}} {{or 0 "x"}} {{not true}}"#), "a:5 true 0 x false")
        XCTAssertEqual(render(#"{{keyOrDefault "nginx/workers" "4"}} {{"A" | toLower}} {{range service "web|any"}}{{.Tags | join ","}};{{end}}"#), "4 a x,y;;")
        XCTAssertEqual(render(#"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"#), "2")
        XCTAssertEqual(render(#"[[range service "web"]][[.Port]] [[end]]"#.replacingOccurrences(of: "[[", with: "{{").replacingOccurrences(of: "]]", with: "}}")), "31000 31001 ")
    }

    func testCustomDelimiters() throws {
        let t = try TemplateParser.parse("<% range service \"web\" %><% .Port %>,<% end %>{{ not an action }}", leftDelimiter: "<%", rightDelimiter: "%>")
        XCTAssertEqual(try TemplateRenderer(data: data).render(t), "31000,31001,{{ not an action }}")
    }

    func testServiceQueries() {
        XCTAssertEqual(try ServiceQuery.parse("web").get(), ServiceQuery(name: "web", filter: .passing))
        XCTAssertEqual(try ServiceQuery.parse("web|any").get(), ServiceQuery(name: "web", filter: .any))
        XCTAssertEqual(try ServiceQuery.parse("web|passing,warning").get(), ServiceQuery(name: "web", filter: .passingOrWarning))
        XCTAssertEqual(try ServiceQuery.parse("web|warning,passing").get(), ServiceQuery(name: "web", filter: .passingOrWarning))
        XCTAssertEqual(try ServiceQuery.parse("prod.web").get(), ServiceQuery(name: "web", filter: .passing, tag: "prod"))
        XCTAssertEqual(try ServiceQuery.parse("v=1.x.web|any").get(), ServiceQuery(name: "web", filter: .any, tag: "v=1.x"))
        XCTAssertEqual(try ServiceQuery.parse("prod.web|any").get().description, "prod.web|any")
        for bad in ["web|critical", "web@dc2", "", ".web", "web~node"] {
            if case .success = ServiceQuery.parse(bad) { XCTFail(bad) }
        }
    }

    /// `@dc` naming the agent's own datacenter is the same catalog (health_service.go's
    /// `name@dc`); another datacenter is refused, naming the one there is. Public templates loop
    /// `{{range datacenters}}{{range service (print "web@" .)}}`: with one datacenter, its services.
    func testTheAgentsOwnDatacenterMayBeNamed() throws {
        XCTAssertEqual(try ServiceQuery.parse("prod.web@dc1|any", datacenter: "dc1").get(), ServiceQuery(name: "web", filter: .any, tag: "prod"))
        guard case .failure(let e) = ServiceQuery.parse("web@east-aws", datacenter: "dc1") else { return XCTFail("@east-aws accepted") }
        XCTAssertTrue(e.message.contains("other datacenters (@east-aws) are not modelled (the simulator has one datacenter, dc1)"), e.message)
        XCTAssertEqual(render(#"{{range datacenters}}{{range service (print "web@" .)}}{{.Port}},{{end}}{{end}}"#), "31000,31001,")
        let kv = TemplateInputs(kv: ["a/b": "x"])
        XCTAssertEqual(try TemplateRenderer(data: data, inputs: kv).render(try TemplateParser.parse(#"{{key "a/b@dc1"}}"#)), "x")
        XCTAssertThrowsError(try TemplateRenderer(data: data, inputs: kv).render(try TemplateParser.parse(#"{{key "a/b@dc2"}}"#)))
    }

    func testErrorsWithLines() {
        let cases: [(String, Int, String)] = [
            ("a\n{{range service \"web\"}}\nx\n", 2, "{{range}} has no {{end}}"),
            ("a\n\n{{end}}", 3, "unexpected {{end}}"),
            ("{{foo 1}}", 1, "function \"foo\" not defined"),
            ("x\n{{nomadServices}}", 2, "reads Nomad"),
            ("{{peerings}}", 1, "peerings"),
            ("\n{{range service \"web\"}}{{.Adress}}{{end}}", 2, "can't evaluate field Adress"),
            ("{{.Address}}", 1, "can't evaluate field Address"),
            ("{{$y}}", 1, "undefined variable"),
            ("{{service \"web|critical\"}}", 1, "health filter"),
            ("{{range service \"web\"}}{{else}}{{.Port}}{{end}}", 1, "can't evaluate field Port"),
            ("{{if}}{{end}}", 1, "missing value for if"),
            ("{{\"unterminated}}", 1, "unterminated quoted string"),
            ("{{ 1 }", 1, "unclosed action"),
            ("{{" + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + "}}", 1, "nested more than"),
            (String(repeating: "{{if true}}", count: 5000), 1, "nested too deeply"),
        ]
        for (t, line, fragment) in cases {
            guard let e = error(t) else { XCTFail("no error for \(t)"); continue }
            XCTAssertEqual(e.line, line, "\(t): \(e)")
            XCTAssertTrue(e.message.contains(fragment), "\(t): \(e.message)")
        }
    }

    func testPrintfWidthIsBounded() {
        XCTAssertEqual(render(#"{{printf "%999999999d" 1}}"#).count, 4096)
    }

    func testValidationCollectsDependencies() throws {
        let t = try TemplateParser.parse(#"{{range service "web"}}{{end}}{{if service "api|any"}}{{range service "db"}}{{end}}{{end}}{{range services}}{{end}}"#)
        let v = try TemplateValidation.check(t).get()
        XCTAssertEqual(v.queries.map(\.description), ["web", "api|any", "db"])
        XCTAssertTrue(v.usesServices)
    }
}
