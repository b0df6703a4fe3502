@testable import ClusterModel
import XCTest

// Go text/template's actions and builtins that consul-template templates may use (Go
// src/text/template exec.go, funcs.go, parse/parse.go; consul-template parses each file once with
// template.New("").Delims(...).Funcs(...).Parse, template/template.go Execute at 1deacb7). The
// expected texts are worked out from Go's code.

/// Renders with two `web` instances and an empty `api`.
private struct GoData: TemplateData {
    func service(_ q: ServiceQuery) -> [TemplateInstance] {
        q.name == "web" ? [TemplateInstance(node: "slave-01", address: "10.0.0.2", id: "a", name: "web", port: 31000, tags: ["x"]),
                           TemplateInstance(node: "slave-02", address: "10.0.0.3", id: "b", name: "web", port: 31001)] : []
    }
    func services() -> [String] { ["api", "web"] }
}

private func render(_ t: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    do { return try TemplateRenderer(data: GoData()).render(try TemplateParser.parse(t)) } catch {
        XCTFail("\(error)", file: file, line: line); return ""
    }
}

/// The parse error, or the first execution error of TemplateValidation (what reading a scenario reports).
private func failure(_ t: String) -> String? {
    do {
        let p = try TemplateParser.parse(t)
        if case .failure(let e) = TemplateValidation.check(p) { return "\(e.line): \(e.message)" }
        return nil
    } catch { return "\(error.line): \(error.message)" }
}

/// `{{define}}`, `{{template}}`, `{{block}}`.
final class TemplateDefineTests: XCTestCase {
    func testDefineAndTemplate() {
        // defined after its use; with a pipeline dot and $ are its value, without one nil
        XCTAssertEqual(render(#"{{template "a" "x"}}|{{template "a"}}{{define "a"}}[{{.}} {{$}}]{{end}}"#), "[x x]|[<no value> <no value>]")
        // the definition itself emits nothing, the text around it stays
        XCTAssertEqual(render("A\n{{define \"u\"}}server {{.Address}}:{{.Port}};\n{{end}}B\n{{range service \"web\"}}{{template \"u\" .}}{{end}}"),
                       "A\nB\nserver 10.0.0.2:31000;\nserver 10.0.0.3:31001;\n")
        // a called template sees only $; variables its pipeline declares stay in the caller
        XCTAssertEqual(render(#"{{define "v"}}{{$}}{{end}}{{template "v" $x := 7}}{{$x}}"#), "77")
        XCTAssertEqual(failure(#"{{define "v"}}{{$y}}{{end}}{{$y := 1}}{{template "v"}}"#), #"1: undefined variable "$y""#)
        // templates call templates, and themselves (bounded recursion ending on its own)
        XCTAssertEqual(render(#"{{define "n"}}{{.}}{{if lt . 3}}{{template "n" add . 1}}{{end}}{{end}}{{template "n" 0}}"#), "0123")
    }

    func testBlockIsDefineAndTemplate() {
        XCTAssertEqual(render(#"{{block "b" .}}x{{end}}-{{template "b"}}"#), "x-x")
        // a later non-empty {{define}} of a block's name is a redefinition; an empty one changes nothing
        XCTAssertEqual(failure(#"{{block "b" .}}x{{end}}{{define "b"}}y{{end}}"#), #"1: template: multiple definition of template "b""#)
        XCTAssertEqual(render(#"{{block "b" .}}x{{end}}{{define "b"}}  {{end}}"#), "x")
        XCTAssertEqual(render(#"{{define "b"}} {{end}}{{block "b" .}}x{{end}}"#), "x")
        XCTAssertEqual(failure(#"{{block "b"}}x{{end}}"#), "1: missing value for block clause")
    }

    func testGoParseErrors() {
        XCTAssertEqual(failure("{{define \"a\"}}x{{end}}\n{{define \"a\"}}y{{end}}"), #"2: template: multiple definition of template "a""#)
        XCTAssertEqual(failure(#"{{if true}}{{define "a"}}x{{end}}{{end}}"#), "1: unexpected <define> in command")
        XCTAssertEqual(failure(#"{{define "a"}}x{{else}}y{{end}}"#), "1: unexpected {{else}} in define clause")
        XCTAssertEqual(failure(#"{{template .Name}}"#), #"1: unexpected ".Name" in template clause"#)
        XCTAssertEqual(failure(#"{{template}}"#), #"1: unexpected "}}" in template clause"#)
        // a placeholder a script fills (fourth corpus: ORingnet/nginx-consul-template@6a94c39 `nginx.ctmpl`,
        // `{{range service #service}}`): parse.go command()'s t.unexpected(token, "operand")
        XCTAssertEqual(failure("upstream app {\n  {{range service #service}}x{{end}}\n}"), ##"2: unexpected "#" in operand"##)
        XCTAssertEqual(failure("{{range service \u{7}x}}x{{end}}"), "1: unrecognized character in action: U+0007")
    }

    /// A called template's body reads the same queries as inline text: its dependencies are the
    /// template's, and a change of a service it reads re-renders it, also when the calling range
    /// body comes from the range-body cache.
    func testServiceChangeReRendersThroughATemplateCall() throws {
        let a = RangeBodyCacheTests.Answers()
        a.set("api", ports: [32000]); a.set("web", ports: [31000, 31001])
        let t = try TemplateParser.parse("{{define \"up\"}}upstream {{.Name}}{{range service .Name}} {{.Port}}{{end}}\n{{end}}{{range services}}{{template \"up\" .}}{{end}}")
        let cache = RangeBodyCache()
        let first = TemplateRenderer(data: a, cache: cache)
        XCTAssertEqual(try first.render(t), "upstream api 32000\nupstream web 31000 31001\n")
        XCTAssertEqual(first.dependencies.map(\.name), ["api", "web"])
        a.set("web", ports: [31002])
        let second = TemplateRenderer(data: a, cache: cache)
        XCTAssertEqual(try second.render(t), "upstream api 32000\nupstream web 31002\n")
        XCTAssertEqual(second.dependencies.map(\.name), ["api", "web"], "api's body came from the cache with its dependency")
        XCTAssertEqual(cache.hits, 1)
    }

    /// Go reports an unknown name when the call executes (exec.go walkTemplate); the simulator
    /// executes templates when the scenario is read, so a call that runs there is refused then.
    func testUnknownTemplateIsAnExecutionError() {
        XCTAssertEqual(failure(#"{{template "nope"}}"#), #"1: template "nope" not defined"#)
        XCTAssertNoThrow(try TemplateParser.parse(#"{{template "nope"}}"#))
        // a call that does not run renders
        XCTAssertEqual(render(#"{{if false}}{{template "nope"}}{{end}}ok"#), "ok")
    }

    /// A self-recursive template ends with Go's error at the simulator's bound, never a crash:
    /// also when every level nests ten range bodies (the deepest stack per level) with the cache on.
    func testRecursionEndsWithGoError() throws {
        XCTAssertEqual(failure(#"{{define "a"}}{{template "a" .}}{{end}}{{template "a"}}"#), "1: exceeded maximum template depth (256)")
        let ranges = String(repeating: "{{range 1}}", count: 10) + #"{{template "a" (print (print (print (print (print (print 1))))))}}"# + String(repeating: "{{end}}", count: 10)
        let t = try TemplateParser.parse(#"{{define "a"}}"# + ranges + #"{{end}}{{range service "web"}}{{template "a" .}}{{end}}"#)
        for cache in [nil, RangeBodyCache()] {
            XCTAssertThrowsError(try TemplateRenderer(data: GoData(), cache: cache).render(t)) { e in
                XCTAssertEqual((e as? TemplateError)?.message, "exceeded maximum template depth (256)")
            }
        }
    }
}

/// `{{break}}` and `{{continue}}` (Go 1.18).
final class TemplateBreakContinueTests: XCTestCase {
    func testBreakAndContinue() {
        XCTAssertEqual(render(#"{{range $i, $s := service "web"}}{{if eq $i 1}}{{break}}{{end}}{{.Port}};{{end}}"#), "31000;")
        XCTAssertEqual(render(#"{{range service "web"}}{{if eq .Port 31000}}{{continue}}{{end}}{{.Port}};{{end}}"#), "31001;")
        // inner loop's break leaves only the inner loop; inside with/if they reach the range
        XCTAssertEqual(render(#"{{range 3}}{{range 5}}{{if eq . 1}}{{break}}{{end}}{{.}}{{end}}|{{end}}"#), "0|0|0|")
        XCTAssertEqual(render(#"{{range 4}}{{with .}}{{if eq . 2}}{{continue}}{{end}}{{end}}{{.}}{{end}}"#), "013")
        // text after break in the same body is not written
        XCTAssertEqual(render(#"{{range 3}}a{{break}}b{{end}}c"#), "ac")
    }

    func testOutsideRangeIsAParseError() {
        XCTAssertEqual(failure("x\n{{break}}"), "2: {{break}} outside {{range}}")
        XCTAssertEqual(failure(#"{{if true}}{{continue}}{{end}}"#), "1: {{continue}} outside {{range}}")
        // a range's else is outside it; a define body inside a range's file is a template of its own
        XCTAssertEqual(failure(#"{{range 0}}{{else}}{{break}}{{end}}"#), "1: {{break}} outside {{range}}")
        XCTAssertEqual(failure(#"{{range 1}}{{block "b" .}}{{break}}{{end}}{{end}}"#), "1: {{break}} outside {{range}}")
        XCTAssertEqual(failure(#"{{range 1}}{{break 1}}{{end}}"#), #"1: unexpected "1" in {{break}}"#)
    }

    /// A body that broke out of the loop is replayed from the range-body cache with its break.
    func testCachedBodyKeepsItsBreak() throws {
        let t = try TemplateParser.parse(#"{{range service "web"}}{{.Port}}{{break}}{{end}}"#)
        let cache = RangeBodyCache()
        struct Versioned: TemplateData {
            func service(_ q: ServiceQuery) -> [TemplateInstance] { GoData().service(q) }
            func services() -> [String] { [] }
            func answerVersion(_ q: ServiceQuery?) -> Int? { 1 }
        }
        XCTAssertEqual(try TemplateRenderer(data: Versioned(), cache: cache).render(t), "31000")
        XCTAssertEqual(try TemplateRenderer(data: Versioned(), cache: cache).render(t), "31000")
        XCTAssertEqual(cache.hits, 1)
    }

    /// Go 1.24 ranges over an integer (consul-template at 1deacb7 builds with Go 1.26).
    func testRangeOverInteger() {
        XCTAssertEqual(render(#"{{range 3}}{{.}}{{end}}|{{range $i := 2}}{{$i}}{{end}}|{{range 0}}x{{else}}none{{end}}|{{range -1}}x{{else}}none{{end}}"#), "012|01|none|none")
        XCTAssertEqual(failure(#"{{range $i, $x := 3}}{{end}}"#), "1: can't use 3 to iterate over more than one variable")
    }
}

/// `slice`, `html`, `js`, `urlquery`, `call` (funcs.go).
final class TemplateBuiltinsTests: XCTestCase {
    func testSlice() {
        XCTAssertEqual(render(#"{{slice "abc" 1 2}} {{slice "abc" 1}} {{slice "abc"}} {{slice "abc" 3}}|"#), "b bc abc |")
        XCTAssertEqual(render(#"{{range slice (service "web") 1}}{{.Port}}{{end}} {{len (slice (service "web") 0 1 2)}}"#), "31001 1")
        XCTAssertEqual(failure(#"{{slice "abc" 4}}"#), "1: error calling slice: index out of range: 4")
        XCTAssertEqual(failure(#"{{slice "abc" 2 1}}"#), "1: error calling slice: invalid slice index: 2 > 1")
        XCTAssertEqual(failure(#"{{slice "abc" 1 2 3}}"#), "1: error calling slice: cannot 3-index slice a string")
        XCTAssertEqual(failure(#"{{slice "abc" "1"}}"#), "1: error calling slice: cannot index slice/array with type string")
        XCTAssertEqual(failure(#"{{slice 5 1}}"#), "1: error calling slice: can't slice item of type int")
    }

    func testEscapers() {
        XCTAssertEqual(render(#"{{html "<a href=\"x\">'&'</a>"}}"#), "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(render(#"{{js "it's \"<x>\" & a=b\\c"}}"#), #"it\'s \"\u003Cx\u003E\" \u0026 a\u003Db\\c"#)
        XCTAssertEqual(render("{{js \"\\t\u{e9}\u{200b}\"}}"), "\\u0009\u{e9}\\u200B")
        XCTAssertEqual(render(#"{{urlquery "a b&c=d/é~_.-"}}"#), "a+b%26c%3Dd%2F%C3%A9~_.-")
        // several arguments print as fmt.Sprint would, then escape; a pipeline's value is the last
        XCTAssertEqual(render(#"{{"<b>" | html}} {{html "a" "<"}}"#), "&lt;b&gt; a&lt;")
        XCTAssertEqual(render(#"{{html 1 "<" 2 3}}|{{urlquery 1 2}}"#), "1&lt;2 3|1+2")
    }

    /// fmt.Sprint: a space between two operands when neither is a string (print.go doPrint).
    func testPrintSpacesOperandsThatAreNotStrings() {
        XCTAssertEqual(render(#"{{print 1 2}}|{{print "a" 1}}|{{print 1 "a" 2}}|{{print "a" "b"}}|{{print 1 true 2.5}}"#), "1 2|a1|1a2|ab|1 true 2.5")
        XCTAssertEqual(render(#"{{range service "web"}}{{print .Port .Port}};{{end}}"#), "31000 31000;31001 31001;")
        XCTAssertEqual(render(#"{{println 1 "a" 2}}"#), "1 a 2\n")
    }

    func testCallOfANonFunction() {
        XCTAssertEqual(failure(#"{{call "x"}}"#), #"1: error calling call: non-function "x" of type string"#)
        XCTAssertEqual(failure(#"{{range service "web"}}{{call .Port 1}}{{end}}"#), "1: error calling call: non-function .Port of type int")
        XCTAssertEqual(failure(#"{{call nil}}"#), "1: error calling call: call of nil")
    }
}

/// consul-template's functions at 1deacb7 the simulator lacked (template/funcs.go): base64 and
/// unescaped JSON run; hashes and the sprig_* family are refused with a reason, not as undefined.
final class TemplateConsulFuncMapTests: XCTestCase {
    func testBase64() {
        XCTAssertEqual(render(#"{{base64Encode "hello"}} {{base64URLEncode "?>>"}} {{base64Encode "?>>"}} {{base64Encode ""}}|"#), "aGVsbG8= Pz4- Pz4+ |")
        XCTAssertEqual(render(#"{{base64Decode "aGVsbG8="}} {{base64URLDecode "Pz4-"}} {{"aGVs\nbG8=" | base64Decode}}"#), "hello ?>> hello")
        XCTAssertEqual(failure(#"{{base64Decode "aGVsbG8"}}"#), "1: error calling base64Decode: base64Decode: illegal base64 data at input byte 4")
        XCTAssertEqual(failure(#"{{base64Decode "aGV*"}}"#), "1: error calling base64Decode: base64Decode: illegal base64 data at input byte 3")
        XCTAssertEqual(failure(#"{{base64Decode "aG=="}}{{base64Decode "aGVsbG8=x"}}"#), "1: error calling base64Decode: base64Decode: illegal base64 data at input byte 8")
        XCTAssertEqual(failure(#"{{base64Decode "aG=x"}}"#), "1: error calling base64Decode: base64Decode: illegal base64 data at input byte 2")
        XCTAssertEqual(failure(#"{{base64Decode "aG="}}"#), "1: error calling base64Decode: base64Decode: illegal base64 data at input byte 3")
        XCTAssertEqual(failure(#"{{base64URLDecode "Pz4+"}}"#), "1: error calling base64URLDecode: base64URLDecode: illegal base64 data at input byte 3")
    }

    func testUnescapedJSON() {
        XCTAssertEqual(render(#"{{parseJSON "{\"a\":\"<b>&\"}" | toUnescapedJSON}} {{parseJSON "{\"a\":\"<b>&\"}" | toJSON}}"#),
                       #"{"a":"<b>&"} {"a":"\u003cb\u003e\u0026"}"#)
        XCTAssertEqual(render(#"{{parseJSON "[\"<\"]" | toUnescapedJSONPretty}}"#), "[\n  \"<\"\n]")
    }

    func testRefusedWithAReason() {
        XCTAssertEqual(failure(#"{{sha256Hex "x"}}"#), #"1: function "sha256Hex" computes a cryptographic hash, which the simulator does not implement"#)
        XCTAssertEqual(failure(#"{{sprig_upper "x"}}"#), #"1: function "sprig_upper" is one of the Masterminds/sprig functions consul-template adds as sprig_*, which the simulator does not implement"#)
    }
}
