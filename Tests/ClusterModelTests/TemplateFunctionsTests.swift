@testable import ClusterModel
import SimKernel
import XCTest

/// consul-template's functions beyond the catalog, in the shapes public nginx and HAProxy
/// templates use them (docs/discovery.md "Checked against public files"): the fixtures are
/// written here, each the smallest text with the shape of a corpus file.
final class TemplateFunctionsTests: XCTestCase {
    struct Data: TemplateData {
        func service(_ q: ServiceQuery) -> [TemplateInstance] {
            let all = [TemplateInstance(node: "slave-01", address: "10.0.0.2", id: "a", name: q.name, port: 31000, tags: ["http", "version=2"]),
                       TemplateInstance(node: "slave-02", address: "10.0.0.3", id: "b", name: q.name, port: 31001, tags: ["tcp"])]
            return q.name == "web" ? all.filter { q.tag == nil || $0.tags.contains(q.tag!) } : []
        }
        func services() -> [String] { ["api", "web"] }
        func serviceTags(_ name: String) -> [String] { name == "web" ? ["http", "tcp", "version=2"] : ["internal"] }
    }

    let inputs = TemplateInputs(kv: ["service/haproxy/maxconn": "4096", "/service/haproxy/timeouts/connect": "5s", "service/haproxy/timeouts/client": "50s",
                                     "service/haproxy/timeouts/deep/x": "1", "nginx/web/location/root/proxy_pass": "http://web",
                                     "nginx/web/location/api/proxy_pass": "http://api", "empty": ""],
                                environment: ["DOMAIN": "example.com", "WORKERS": "4"], baseMs: PromTime.defaultBaseMs)

    func render(_ t: String, now: SimTime = .zero, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let r = TemplateRenderer(data: Data(), inputs: inputs)
            r.now = now
            return try r.render(try TemplateParser.parse(t))
        } catch { XCTFail("\(error)", file: file, line: line); return "" }
    }

    func failure(_ t: String) -> String? {
        do { _ = try TemplateRenderer(data: Data(), inputs: inputs).render(try TemplateParser.parse(t)); return nil } catch { return error.message }
    }

    /// `service "web" "any"` (books-ms), `service .Name "passing"` (api gateways), a bare
    /// `service` (guniflask's nginx.conf), `service "tag.name"` (blue/green HAProxy).
    func testServiceArgumentsAndTagQueries() {
        XCTAssertEqual(render(#"{{range service "web" "any"}}{{.Port}} {{end}}|{{len (service)}}|{{range service "http.web"}}{{.ID}}{{end}}"#), "31000 31001 |0|a")
        XCTAssertEqual(render(#"{{range service "web" "passing"}}{{.Tags}}{{end}}"#), "[http version=2][tcp]")
        let r = TemplateRenderer(data: Data())
        _ = try? r.render(try! TemplateParser.parse(#"{{service "web" "any"}}{{service "tcp.web"}}"#))
        XCTAssertEqual(r.dependencies.map(\.description), ["web|any", "tcp.web"])
    }

    /// `byTag` over a service's instances and `.Tags` of `services` (consul-http-router's nginx.ctmpl:
    /// `range $tag, $services := service $s.Name | byTag`, `if eq "http" $tag`).
    func testByTagAndCatalogTags() {
        XCTAssertEqual(render(#"{{range $tag, $s := service "web" | byTag}}{{$tag}}={{range $s}}{{.Port}},{{end}};{{end}}"#),
                       "http=31000,;tcp=31001,;version=2=31000,;")
        XCTAssertEqual(render(#"{{range services}}{{.Name}}{{.Tags}}{{if .Tags | contains "http"}}!{{end}} {{end}}"#), "api[internal] web[http tcp version=2]! ")
        XCTAssertEqual(render(#"{{range services}}{{if in .Tags "internal"}}{{.Name}}{{end}}{{end}}"#), "api")
        XCTAssertEqual(render(#"{{len (byTag (service "api"))}}"#), "0")
    }

    /// The KV functions (HAProxy templates' `key "service/haproxy/maxconn"`, `range ls ".../timeouts"`,
    /// `keyOrDefault`, a `tree | byKey` of nginx locations), with Consul's answers: ls top-level
    /// keys only, tree every key, keys relative to the prefix.
    func testKeyValueStore() {
        XCTAssertEqual(render(#"maxconn {{key "service/haproxy/maxconn"}} {{key "/service/haproxy/maxconn"}}"#), "maxconn 4096 4096")
        XCTAssertEqual(render(#"{{range ls "service/haproxy/timeouts"}}timeout {{.Key}} {{.Value}};{{end}}"#), "timeout client 50s;timeout connect 5s;")
        XCTAssertEqual(render(#"{{range tree "service/haproxy/timeouts/"}}{{.Key}}={{.Value}} {{end}}"#), "client=50s connect=5s deep/x=1 ")
        XCTAssertEqual(render(#"{{keyOrDefault "nope" "d"}} {{keyOrDefault "empty" "e"}} {{keyOrDefault "service/haproxy/maxconn" "1"}} {{keyExists "empty"}} {{keyExists "nope"}}"#),
                       "d e 4096 true false")
        XCTAssertEqual(render(#"{{range $loc, $pairs := tree "nginx/web/location" | byKey}}{{$loc}}:{{range $pairs}}{{.Key}}={{.Value}}{{end}} {{end}}"#),
                       "api:proxy_pass=http://api root:proxy_pass=http://web ")
        // a key that does not exist blocks the template; ls of an empty prefix does not, safeLs does
        for (t, blocked) in [(#"{{key "nope"}}"#, "key \"nope\""), (#"{{ls "nope"}}"#, nil), (#"{{safeLs "nope"}}"#, "safeLs \"nope\""), (#"{{key "empty"}}"#, nil)] {
            let r = TemplateRenderer(data: Data(), inputs: inputs)
            _ = try? r.render(try! TemplateParser.parse(t))
            XCTAssertEqual(r.blockedOn, blocked, t)
        }
    }

    /// `explode` (consul-template template/funcs.go): `ls`/`tree` pairs as a nested map, each "/" one
    /// map down, in the pairs' order; universalcore/consular's nginx.ctmpl reads
    /// `ls (print "consular/" .Name) | explode` and tests `$labels.domain`.
    func testExplodeNestsTheKeyPairs() {
        XCTAssertEqual(render(#"{{with tree "service/haproxy" | explode}}{{.maxconn}} {{.timeouts.connect}} {{.timeouts.deep.x}} {{len .timeouts}}{{end}}"#),
                       "4096 5s 1 3")
        XCTAssertEqual(render(#"{{range $k, $v := tree "nginx/web/location" | explode}}{{$k}}={{$v.proxy_pass}};{{end}}"#),
                       "api=http://api;root=http://web;")
        XCTAssertEqual(render(#"{{$l := ls "service/haproxy/timeouts" | explode}}{{$l.client}}|{{if $l.domain}}d{{else}}no domain{{end}}|{{len (ls "nope" | explode)}}"#),
                       "50s|no domain|0")
        // a key that is a value at one depth and a folder at the next: the error of explodeHelper,
        // naming the key as it stood one depth up (its `p` argument)
        let kv = TemplateInputs(kv: ["x/a": "1", "x/a/b": "2", "y/p/q": "3", "y/p/q/r/s": "4", "z/a/b/c": "5", "z/a/b/c/d": "6"])
        func fails(_ t: String) -> String? {
            do { _ = try TemplateRenderer(data: Data(), inputs: kv).render(try TemplateParser.parse(t)); return nil } catch { return error.message }
        }
        XCTAssertEqual(fails(#"{{tree "x" | explode}}"#), #"error calling explode: explode: not a map: "a/b": "a" already has value "1""#)
        XCTAssertEqual(fails(#"{{tree "y" | explode}}"#), #"error calling explode: explode: not a map: "p/q/r/s": "q" already has value "3""#)
        XCTAssertEqual(fails(#"{{tree "z" | explode}}"#), #"error calling explode: explode: not a map: "b/c/d": "c" already has value "5""#)
        XCTAssertEqual(failure(#"{{explode "a/b"}}"#), "wrong type for value; expected []*dependency.KeyPair; got string")
        // explodeMap: a map's keys (sorted) the same way; parseJSON's objects are such maps
        XCTAssertEqual(render(#"{{with parseJSON `{"b/c": 2, "a": "x", "b/d/e": true}` | explodeMap}}{{.a}} {{.b.c}} {{.b.d.e}} {{len .b}}{{end}}"#),
                       "x 2 true 2")
        XCTAssertEqual(failure(#"{{parseJSON `{"a": 1, "a/b": 2}` | explodeMap}}"#),
                       #"error calling explodeMap: explodeMap: not a map: "a/b": "a" already has value %!q(float64=1)"#)
    }

    /// `executeTemplate` (hashicorp/consul-template@1deacb7 template/funcs.go executeTemplateFunc): runs a
    /// `define`d template of the file into a buffer and gives its text as a value; a second argument is
    /// its dot (and `$`), none is nil. Fourth corpus: mclueppers/haproxy-consul-template@546bdd9
    /// `.docker/base/etc/consul-template/templates/haproxy.conf.ctmpl` writes `bind {{executeTemplate
    /// "getBindSocket"}}`; it was refused as not modelled.
    func testExecuteTemplateGivesADefinedTemplatesText() {
        XCTAssertEqual(render(#"{{define "sock"}}*:{{or . 80}}{{end}}bind {{executeTemplate "sock"}};{{executeTemplate "sock" 8080 | len}};{{define "d"}}{{$}}{{end}}{{executeTemplate "d" "x"}}"#),
                       "bind *:80;6;x")
        XCTAssertEqual(failure(#"{{executeTemplate "none"}}"#), #"error calling executeTemplate: template: no template "none" associated with template """#)
        XCTAssertEqual(failure(#"{{define "a"}}a{{end}}{{executeTemplate "a" 1 2}}"#),
                       "error calling executeTemplate: executeTemplate: wrong number of arguments, expected 1 or 2, but got 3")
    }

    /// `env` (an unset variable is ""), `envOrDefault`, `mustEnv`, `timestamp` on simulated time.
    func testEnvironmentAndTimestamp() {
        XCTAssertEqual(render(#"server_name {{env "DOMAIN"}};[{{env "UNSET"}}]{{or (env "UNSET") "http"}} {{envOrDefault "UNSET" "x"}}"#),
                       "server_name example.com;[]http x")
        XCTAssertEqual(failure(#"{{mustEnv "UNSET"}}"#), "error calling mustEnv: environment variable UNSET not set")
        XCTAssertEqual(render("{{timestamp}} {{timestamp \"unix\"}}", now: SimTime.zero + .seconds(90_061)), "2017-06-02T01:01:01Z 1496365261")
    }

    /// Strings and regular expressions (tag parsing in HAProxy templates: `regexMatch "^version=.+"`,
    /// `index (. | split "=") 1`; host names: `split "_" | join "."`, `regexReplaceAll`, `replaceAll`).
    func testStringsAndRegularExpressions() {
        XCTAssertEqual(render(#"{{range $t := (index (service "web") 0).Tags}}{{if $t | regexMatch "^version=.+"}}{{index ($t | split "=") 1}}{{end}}{{end}}"#), "2")
        XCTAssertEqual(render(#"{{"www_example_com" | split "_" | join "."}} {{"a.b.c" | regexReplaceAll `^[a-z]+\.` ""}} {{"a.b" | replaceAll "." "_"}}"#),
                       "www.example.com b.c a_b")
        XCTAssertEqual(render(#"{{"a-1 b-22" | regexReplaceAll "([a-z])-([0-9]+)" "${2}$1"}}|{{trimSpace "  x \n"}}|{{trimPrefix "/" "/api"}}|{{split "," ""}}|{{len (split "," " ")}}"#),
                       "1a 22b|x|api|[]|0")
        XCTAssertEqual(failure(#"{{regexMatch "(" "x"}}"#)?.hasPrefix("error calling regexMatch: "), true)
        XCTAssertEqual(render(#"{{contains "b" "abc"}} {{in "abc" "d"}} {{containsAny (split "," "x,tcp") (index (service "web") 1).Tags}} {{containsAll (split "," "x,tcp") (index (service "web") 1).Tags}}"#),
                       "true false true false")
    }

    /// parseJSON of a KV value (nginx configuration kept as JSON in Consul), fields and ranges over
    /// its maps in key order, toJSON; numbers, arithmetic and loop.
    func testJSONNumbersAndLoop() {
        let t = #"{{with $c := `{"Servers":[{"Name":"a.com","Listen":80,"Options":{"b":"2","a":"1"}}]}` | parseJSON}}{{range $c.Servers}}server_name {{.Name}}; listen {{.Listen}};{{range $k, $v := .Options}} {{$k}}={{$v}}{{end}}{{.Missing}}{{end}}{{end}}"#
        XCTAssertEqual(render(t), "server_name a.com; listen 80; a=1 b=2<no value>")
        XCTAssertEqual(render(#"{{`{"b":[1,2.5,true,null],"a":"<x>"}` | parseJSON | toJSON}}"#), #"{"a":"\u003cx\u003e","b":[1,2.5,true,null]}"#)
        XCTAssertEqual(render(#"{{add 1 2}} {{subtract 1 5}} {{multiply 3 4}} {{divide 2 9}} {{modulo 4 10}} {{add 0.5 (parseInt "2")}} {{maximum 3 7}}"#), "3 4 12 4 2 2.5 7")
        XCTAssertEqual(failure("{{divide 0 1}}"), "error calling divide: runtime error: integer divide by zero")
        XCTAssertEqual(render(#"{{range $i := loop 3}}{{$i}}{{end}} {{range loop 5 7}}{{.}}{{end}} {{parseBool "true"}} {{parseFloat "1e6"}}"#), "012 56 true 1e+06")
        XCTAssertNotNil(failure("{{range loop 100000000}}{{end}}"))
        // Fifth corpus: zhenik-poc/consul-template-workshop `examples/test5.ctpl` is `{{service "minio" | toJSON}}`,
        // which consul-template renders (json.Marshal of []*dependency.HealthService); the simulator does not
        // hold a service entry's every field, and says so rather than giving a Go error Go would not give.
        XCTAssertEqual(failure(#"{{service "web" | toJSON}}"#),
                       "error calling toJSON: toJSON of a *dependency.HealthService is not modelled: consul-template json.Marshals the struct, whose fields the simulator does not hold")
        XCTAssertEqual(failure(#"{{parseFloat "NaN" | toJSONPretty}}"#), "error calling toJSONPretty: toJSONPretty: json: unsupported value: NaN")
    }

    /// Names consul-template defines but the simulator cannot answer are refused when the template
    /// is read, naming the function and why; names nobody defines stay Go's error.
    func testRefusedFunctionsNameTheirReason() {
        for (t, why) in [("{{nomadVar \"kv/x\"}}", "reads Nomad"), ("{{range partitions}}{{end}}", "partitions"), ("{{file \"/etc/hosts\"}}", "not modelled"),
                         ("{{plugin \"x\"}}", "not modelled"), ("{{key_or_default \"a\" \"b\"}}", "not defined")] {
            do { _ = try TemplateParser.parse(t); XCTFail(t) } catch { XCTAssertTrue(error.message.contains(why), "\(t): \(error.message)") }
        }
    }

    /// `scratch` as template/scratch.go: Set/SetX/Get/Key, MapSet/MapSetX/MapValues (sorted by
    /// map key), a key that is not a map refused as consul-template refuses it, and a pad that
    /// starts empty at every render (funcMap makes a new one per execution). The shapes are those
    /// of HAProxy templates that collect backends once and print them later.
    func testScratch() throws {
        let t = #"""
            {{- range service "web" "any"}}{{scratch.MapSet "ports" .ID (print .Port)}}{{scratch.SetX "first" .Node}}{{end -}}
            {{scratch.Key "first"}} {{scratch.Get "first"}} {{scratch.MapValues "ports"}} {{scratch.Key "x"}}
            {{- scratch.Set "x" 1}}{{scratch.SetX "x" 2}} {{scratch.Get "x"}}{{scratch.MapSetX "ports" "a" "9"}} {{scratch.MapValues "ports"}}
            {{- $s := scratch}}{{$s.Set "y" "z"}} {{$s.Get "y"}} {{scratch.Get "nothing"}} {{len (scratch.MapValues "none")}}
            """#
        let parsed = try TemplateParser.parse(t)
        let r = TemplateRenderer(data: Data(), inputs: inputs)
        XCTAssertEqual(try r.render(parsed), "true slave-01 [31000 31001] false 1 [31000 31001] z <no value> 0")
        XCTAssertEqual(try r.render(parsed), "true slave-01 [31000 31001] false 1 [31000 31001] z <no value> 0", "a fresh pad per render")
        XCTAssertEqual(render(#"{{scratch.MapSet "m" "b" 2}}{{scratch.MapSet "m" "a" 1}}{{scratch.MapSet "m" "b" 3}}{{scratch.MapValues "m"}}"#), "[1 3]")
        XCTAssertEqual(failure(#"{{scratch.Set "k" "v"}}{{scratch.MapSet "k" "a" "b"}}"#), #"error calling MapSet: "k" is not a map"#)
        XCTAssertNotNil(failure(#"{{scratch.Push "k"}}"#))
        XCTAssertEqual(render(#"{{range service "web"}}{{service .Name | len}}{{end}}"#), "22", "`service .Name`: a field after a space is an argument, not a chain")
    }

    /// `timestamp` with Go's reference-time layouts (time.Format on the UTC clock), at simulated
    /// 2017-06-02 01:01:01.5 (a Friday, day 153).
    func testTimestampLayouts() {
        let now = SimTime.zero + .milliseconds(90_061_500)
        for (layout, want) in [("2006-01-02 15:04:05", "2017-06-02 01:01:01"), ("Mon Jan _2 15:04:05 MST 2006", "Fri Jun  2 01:01:01 UTC 2017"),
                               ("Monday, 02-Jan-06 15:04:05 MST", "Friday, 02-Jun-17 01:01:01 UTC"), ("3:04PM pm", "1:01AM am"),
                               ("2006-01-02T15:04:05.000Z07:00", "2017-06-02T01:01:01.500Z"), ("05.999 05,000000 .9", "01.5 01,500000 .5"),
                               ("-0700 -07:00 Z0700", "+0000 +00:00 Z"), ("002 __2 January 1 2", "153 153 June 6 2"),
                               ("Janx Mond 20060102 _2006 .00x .001", "Janx Mond 20170602 _2017 .50x .006"), ("unix", "1496365261")] {
            XCTAssertEqual(render("{{timestamp \"\(layout)\"}}", now: now), want, layout)
        }
        XCTAssertEqual(render("{{timestamp}}", now: now), "2017-06-02T01:01:01Z")
    }
}
