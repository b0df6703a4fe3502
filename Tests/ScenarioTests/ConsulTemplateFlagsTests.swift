import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// consul-template's command line as deployed (`consulTemplate.flagsFrom`), parsed as its cli.go
/// ParseFlags parses it (Go's flag package). Our own command lines and files, in the style of a
/// systemd unit or a container command.
final class ConsulTemplateFlagsTests: XCTestCase {
    static let template = VaultTemplateTests.upstream + "\n"

    /// A folder with s.json (`ct` as its consulTemplate section) and `files`.
    func folder(ct: String, _ files: [String: String] = [:]) -> String {
        let dir = makeTempDir()
        var all = files
        if all["ct/templates/web.ctmpl"] == nil { all["ct/templates/web.ctmpl"] = Self.template }
        for (p, t) in all { write(t, to: dir + "/" + p) }
        write(ConsulTemplateDeployedFilesTests.scenario(ct: ct), to: dir + "/s.json")
        return dir
    }

    func load(_ dir: String) throws -> LoadedScenario { try ScenarioLoader.load(path: dir + "/s.json") }

    func errors(_ dir: String) -> [ScenarioError] {
        do { _ = try ScenarioLoader.load(path: dir + "/s.json"); XCTFail("expected errors"); return [] } catch { return error.errors }
    }

    /// The one error of a section with `flagsFrom` = [{"commandLine": line}].
    func singleError(_ line: String, extra: String = "", _ files: [String: String] = [:], file: StaticString = #filePath, line l: UInt = #line) -> ScenarioError? {
        let e = errors(folder(ct: #""flagsFrom": [{"commandLine": \#(JSONValue.quote(line))}], "sourceFolders": {"/etc/consul-template": "ct"}"# + extra, files))
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"), file: file, line: l)
        return e.first
    }

    static let web = "-template \"/etc/consul-template/templates/web.ctmpl:/etc/nginx/conf.d/web.conf:nginx -s reload\""

    func section(_ line: String, _ extra: String = "") -> String {
        #""flagsFrom": [{"commandLine": \#(JSONValue.quote(line))}], "sourceFolders": {"/etc/consul-template": "ct"}"# + extra
    }

    // MARK: a deployed command line

    func testTypicalDeploymentCommandLineLoads() throws {
        let line = "/usr/local/bin/consul-template -consul-addr=consul.service:8500 -wait=2s:10s "
            + "-template \"/etc/consul-template/templates/web.ctmpl:/etc/nginx/conf.d/web.conf:nginx -s reload\" "
            + "-config /etc/consul-template/config.hcl -log-level info --max-stale 7s -dedup=false"
        let dir = folder(ct: section(line), ["ct/config.hcl": "max_stale = \"1s\"\nconsul {\n  retry {\n    attempts = 3\n  }\n}\n"])
        let l = try load(dir)
        let ct = try XCTUnwrap(l.spec.consulTemplate)
        XCTAssertEqual(ct.templates.count, 1)
        XCTAssertEqual(ct.templates.first?.destination, "/etc/nginx/conf.d/web.conf")
        XCTAssertEqual(ct.templates.first?.text, Self.template)
        XCTAssertEqual(ct.templates.first?.commandArgs, ["nginx -s reload"])        // one element: sh -c
        XCTAssertEqual(ct.templates.first?.commandRun, .nginx(.signalAfterTest))
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .seconds(2), max: .seconds(10)))
        XCTAssertEqual(ct.maxStale, .seconds(7))            // the flag over the file's 1s
        XCTAssertEqual(ct.retry.attempts, 3)                // from the -config file
        let w = l.warnings.filter { $0.contains("consulTemplate.flagsFrom[0].commandLine") }
        XCTAssertEqual(w.count, 1, l.warnings.joined(separator: "\n"))
        XCTAssertTrue(w.first?.contains("-consul-addr, -log-level, -dedup; they change nothing") == true, w.first ?? "")
    }

    func testWaitMaxStaleAndRetryFromFlagsReachTheSpec() throws {
        let line = "consul-template \(Self.web) -wait 3s -max-stale=0s -consul-retry-attempts=5 -retry 2s -consul-retry-max-backoff 30s -consul-retry=false"
        let ct = try XCTUnwrap(load(folder(ct: section(line))).spec.consulTemplate)
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .seconds(3), max: .seconds(12)))   // ParseWaitConfig: max = 4 x min
        XCTAssertEqual(ct.maxStale, .zero)
        XCTAssertEqual(ct.retry.attempts, 5)
        XCTAssertEqual(ct.retry.backoff, .seconds(2))       // -retry sets consul retry backoff
        XCTAssertEqual(ct.retry.maxBackoff, .seconds(30))
        XCTAssertEqual(ct.retry.enabled, false)
        // a list of words, the same
        let words = #"["consul-template", "-template", "/etc/consul-template/templates/web.ctmpl:/etc/nginx/conf.d/web.conf", "-wait", " 1s : 2s "]"#
        let ct2 = try XCTUnwrap(load(folder(ct: #""flagsFrom": [{"commandLine": \#(words)}], "sourceFolders": {"/etc/consul-template": "ct"}"#)).spec.consulTemplate)
        XCTAssertEqual(ct2.wait, ConsulTemplateWait(min: .seconds(1), max: .seconds(2)))
        XCTAssertEqual(ct2.templates.first?.commandRun, TemplateCommandRun.none)
    }

    func testFlagsOverrideTheConfigFiles() throws {
        let hcl = """
            wait {
              min = "1s"
              max = "2s"
            }
            consul {
              retry {
                attempts = 3
                backoff  = "1s"
              }
            }
            template {
              source      = "/etc/consul-template/templates/web.ctmpl"
              destination = "/etc/nginx/conf.d/a.conf"
            }

            """
        let line = "consul-template -config=/etc/consul-template/conf.d -wait 500ms:4s -consul-retry-attempts 9 \(Self.web)"
        let ct = try XCTUnwrap(load(folder(ct: section(line), ["ct/conf.d/base.hcl": hcl])).spec.consulTemplate)
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .milliseconds(500), max: .seconds(4)))
        XCTAssertEqual(ct.retry.attempts, 9)                // the flag wins ...
        XCTAssertEqual(ct.retry.backoff, .seconds(1))       // ... field by field
        // TemplateConfigs.Merge: the flags' templates after the files'
        XCTAssertEqual(ct.templates.map(\.destination), ["/etc/nginx/conf.d/a.conf", "/etc/nginx/conf.d/web.conf"])
    }

    // MARK: Go's flag package and cli.go's errors

    func testUnknownFlagsAndFlagSyntax() {
        let p = "consulTemplate.flagsFrom[0].commandLine"
        for (line, message) in [
            ("consul-template -consul-adr x \(Self.web)", "flag provided but not defined: -consul-adr"),
            ("consul-template \(Self.web) extra -wait 2s", "cli: extra args: [\"extra\" \"-wait\" \"2s\"]"),
            ("consul-template \(Self.web) -- -wait 2s", "cli: extra args: [\"-wait\" \"2s\"]"),
            ("consul-template \(Self.web) -wait", "flag needs an argument: -wait"),
            ("consul-template \(Self.web) ---wait 2s", "bad flag syntax: ---wait"),
            ("consul-template \(Self.web) -=2s", "bad flag syntax: -=2s"),
            ("consul-template \(Self.web) -h", "flag: help requested (-h)"),
            ("consul-template \(Self.web) -once", "-once renders every template once and exits"),
            ("consul-template \(Self.web) -dry", "-dry prints the rendered templates"),
            ("consul-template \(Self.web) -dry=maybe", "invalid boolean value \"maybe\" for -dry: parse error"),
            ("consul-template \(Self.web) -consul-retry=maybe", "invalid boolean value \"maybe\" for -consul-retry: strconv.ParseBool: parsing \"maybe\": invalid syntax"),
            ("consul-template \(Self.web) -consul-retry-attempts 1e3", "invalid value \"1e3\" for flag -consul-retry-attempts: strconv.ParseInt: parsing \"1e3\": invalid syntax"),
            ("consul-template \(Self.web) -log-rotate-bytes 3000000000", "invalid value \"3000000000\" for flag -log-rotate-bytes: strconv.ParseInt: parsing \"3000000000\": value out of range"),
            ("consul-template \(Self.web) -kill-signal SIGFOO", "invalid value \"SIGFOO\" for flag -kill-signal: invalid signal \"SIGFOO\" - valid signals are [\"SIGABRT\""),
            ("consul-template -template \"  \"", "invalid value \"  \" for flag -template: template: cannot be empty"),
            ("consul-template -config /srv/ct.hcl \(Self.web)", "-config \"/srv/ct.hcl\" is an absolute path on consul-template's host; map its folder"),
        ] {
            let e = singleError(line)
            XCTAssertEqual(e?.path, p, line)
            XCTAssertTrue(e?.message.hasPrefix(message) == true || e?.message.contains(message) == true, "\(line): \(e?.message ?? "nil")")
        }
        // -kill-signal in any case loads (signals.Parse upper-cases)
        XCTAssertNoThrow(try load(folder(ct: section("consul-template -kill-signal sigterm \(Self.web)"))))
    }

    func testBadDurationsAndWaits() {
        for (line, message) in [
            ("-max-stale 5", "invalid value \"5\" for flag -max-stale: time: missing unit in duration \"5\""),
            ("-max-stale=5x", "invalid value \"5x\" for flag -max-stale: time: unknown unit \"x\" in duration \"5x\""),
            ("-consul-retry-backoff abc", "invalid value \"abc\" for flag -consul-retry-backoff: time: invalid duration \"abc\""),
            ("-wait 5s:1s", "invalid value \"5s:1s\" for flag -wait: wait: min must be less than max"),
            ("-wait 1s:2s:3s", "invalid value \"1s:2s:3s\" for flag -wait: wait: invalid format"),
            ("-wait=-1s", "invalid value \"-1s\" for flag -wait: wait: cannot be negative"),
            ("-wait ''", "invalid value \"\" for flag -wait: wait: cannot be empty"),
        ] {
            let e = singleError("consul-template \(Self.web) \(line)")
            XCTAssertEqual(e?.message, message, line)
        }
        // a value consul-template accepts but the section's range refuses: its error at the key
        let e = singleError("consul-template \(Self.web) -max-stale=-1s")
        XCTAssertEqual(e?.path, "consulTemplate.max_stale")
    }

    func testTemplateForms() {
        func t(_ s: String) -> String {
            switch ConsulTemplateFlags.parseTemplate(s) {
            case .failure(let e): return "error: " + e.message
            case .success(let x): return [x.source, x.destination ?? "-", x.command ?? "-"].joined(separator: "|")
            }
        }
        XCTAssertEqual(t("in.ctmpl"), "in.ctmpl|-|-")
        XCTAssertEqual(t("in.ctmpl:/out.conf"), "in.ctmpl|/out.conf|-")
        XCTAssertEqual(t("/a/in.ctmpl:/out.conf:nginx -s reload"), "/a/in.ctmpl|/out.conf|nginx -s reload")
        XCTAssertEqual(t(#"C:\ct\in.ctmpl:D:\out.conf:cmd"#), #"C:\ct\in.ctmpl|D:\out.conf|cmd"#)   // drive letters
        XCTAssertEqual(t("/in:/out:sh -c 'echo a:b'"), "/in|/out|sh -c 'echo a:b'")              // the rest joined by ":"
        XCTAssertEqual(t("/in::/out"), "/in|/out|-")                                              // empty parts are not parts
        XCTAssertEqual(t("/in:x:y"), "/in|x:y|-")                                                 // x: reads as a drive letter
        XCTAssertEqual(t(" \t"), "error: template: cannot be empty")
        XCTAssertEqual(t(":::"), "error: template: cannot be empty")
        // no destination: the section needs one
        let e = singleError("consul-template -template /etc/consul-template/templates/web.ctmpl")
        XCTAssertTrue(e?.message.contains("destination") == true, e?.message ?? "")
    }

    func testEnvironmentFileVariables() throws {
        let dir = folder(ct: #""flagsFrom": [{"commandLine": \#(JSONValue.quote("consul-template $CT_OPTS " + Self.web))}, {"environmentFile": "etc/default/consul-template"}], "sourceFolders": {"/etc/consul-template": "ct"}"#,
                         ["etc/default/consul-template": "# options\nCT_OPTS=\"-wait 4s:8s -max-stale 9s\"\n"])
        let ct = try XCTUnwrap(load(dir).spec.consulTemplate)
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .seconds(4), max: .seconds(8)))
        XCTAssertEqual(ct.maxStale, .seconds(9))
    }

    // MARK: the section's own keys

    func testAKeyGivenTwiceIsAnError() {
        // as for a key of `config`: given by the command line and by the section, an error
        var e = singleError("consul-template \(Self.web) -max-stale 7s", extra: #", "max_stale": "3s""#)
        XCTAssertEqual(e?.path, "consulTemplate.flagsFrom[0].commandLine")
        XCTAssertTrue(e?.message.contains("\"max_stale\" is given both in consul-template's command line and in the section") == true, e?.message ?? "")
        // the section's retry and a -consul-retry flag
        e = singleError("consul-template \(Self.web) -consul-retry-attempts 2", extra: #", "retry": {"attempts": 4}"#)
        XCTAssertTrue(e?.message.contains("given both in consul { retry { } } and as the section's \"retry\"") == true, e?.message ?? "")
        // -config and the section's config
        e = singleError("consul-template -config /etc/consul-template/config.hcl", extra: #", "config": {"$include": "ct/config.hcl"}"#,
                        ["ct/config.hcl": "template {\n  source = \"templates/web.ctmpl\"\n  destination = \"/etc/nginx/conf.d/web.conf\"\n}\n"])
        XCTAssertTrue(e?.message.contains("-config on the command line and consulTemplate.config") == true, e?.message ?? "")
    }

    func testSectionKeysBesideTheCommandLine() throws {
        // keys the command line does not give stay the section's
        let ct = try XCTUnwrap(load(folder(ct: section("consul-template \(Self.web)", #", "max_stale": "3s", "wait": "1s:2s""#))).spec.consulTemplate)
        XCTAssertEqual(ct.maxStale, .seconds(3))
        XCTAssertEqual(ct.wait, ConsulTemplateWait(min: .seconds(1), max: .seconds(2)))
        // a command line without flags gives nothing, and the section's template is needed
        let e = singleError("consul-template")
        XCTAssertTrue(e?.message.contains("missing required key \"template\"") == true, e?.message ?? "")
    }
    // MARK: hostile input

    /// Seeded random words from flag names, values and punctuation: the parser, the template and
    /// wait parses answer (a list or one error) and never trap.
    func testHostileCommandLinesNeverTrap() {
        let g = RandomStream(seed: 44, name: "ct-flags")
        let pieces = ["-", "--", "---", "=", ":", "::", "-wait", "-template", "--max-stale", "-consul-retry", "-dry", "-h", "C:", "z:",
                      "9223372036854775807h", "-9223372036854775808", "2147483648", "-2147483649", "1e9", "0", "5s", "1.5h", " ", "\t",
                      "é", "\u{0}", "-config", "-kill-signal", "sigterm", "true", "maybe", "a:b:c:d", "'", "\""]
        for _ in 0..<3000 {
            var words: [(word: String, location: SourceLocation?)] = []
            for _ in 0..<g.int(below: 8) {
                var w = ""
                for _ in 0..<g.int(below: 4) { w += pieces[g.int(below: pieces.count)] }
                words.append((w, nil))
            }
            _ = ConsulTemplateFlags.parse(words)
            let joined = words.map(\.word).joined()
            _ = ConsulTemplateFlags.parseTemplate(joined)
            _ = ConsulTemplateFlags.parseWait(joined)
            _ = ConsulTemplateFlags.parseInt32(joined)
        }
        // the int64 edges of -wait's 4 x min wrap as Go's do, then ParseWaitConfig's checks answer
        if case .success = ConsulTemplateFlags.parseWait("2562047h") { XCTFail("4 x 2562047h wraps negative in Go: wait: cannot be negative") }
    }
}
