import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// consul-template configuration files as they are deployed: absolute template sources mapped
/// into the scenario's folder, any `command`, destinations nginx does not read, `consul { retry }`.
/// Our own files, in the style of the public ones (docs/discovery.md, "Sixth corpus").
final class ConsulTemplateDeployedFilesTests: XCTestCase {
    /// The web upstream with its placeholder (the Vault tests' own), ending with a newline.
    static let upstreamTemplate = VaultTemplateTests.upstream + "\n"

    /// A scenario with one app (2 instances starting after 5s), nginx on edge-01, and
    /// consul-template's section `ct` (JSON members).
    static func scenario(ct: String) -> String {
        """
        {"name": "deployed", "seed": 3, "duration": "1m",
         "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                        {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                        {"name": "edge", "count": 1, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "mesos": {"agents": {"hostGroups": ["slave"]}},
         "marathon": {"apps": [{"id": "/web", "instances": 2, "cpus": 0.5, "mem": 256, "container": {"type": "DOCKER", "docker": {"image": "x:1", "network": "BRIDGE", "portMappings": [{"containerPort": 8080, "hostPort": 0}]}}}],
                      "behaviour": {"default": {"startupTime": "5s"}}},
         "consul": {"agents": ["slave", "edge"], "services": {"/web": {"service": {"name": "web", "port": 8080}}}},
         "nginx": {"hostGroup": "edge"},
         "consulTemplate": {\(ct)}}
        """
    }

    /// A folder with s.json (`ct` as its consulTemplate section) and `files` (relative path → text).
    func folder(ct: String, _ files: [String: String]) -> String {
        let dir = makeTempDir()
        for (p, t) in files { write(t, to: dir + "/" + p) }
        write(Self.scenario(ct: ct), to: dir + "/s.json")
        return dir
    }

    func errors(_ dir: String) -> [ScenarioError] {
        do { _ = try ScenarioLoader.load(path: dir + "/s.json"); XCTFail("expected errors"); return [] } catch { return error.errors }
    }

    static let deployedHCL = """
        consul {
          address = "127.0.0.1:8500"
        }
        template {
          source      = "/etc/consul-template/templates/web.ctmpl"
          destination = "/etc/nginx/conf.d/web.conf"
          command     = "service nginx reload"
        }

        """

    // MARK: absolute sources

    func testAbsoluteSourceIsReadThroughTheLongestMappedFolder() throws {
        let dir = folder(ct: #""config": {"$include": "ct/consul-template.hcl"}, "sourceFolders": {"/etc/consul-template": "wrong", "/etc/consul-template/templates": "tpl"}"#,
                         ["ct/consul-template.hcl": Self.deployedHCL, "tpl/web.ctmpl": Self.upstreamTemplate, "wrong/templates/web.ctmpl": "{{ broken"])
        let s = try ScenarioLoader.load(path: dir + "/s.json")
        let t = try XCTUnwrap(s.spec.consulTemplate?.templates.first)
        XCTAssertEqual(t.text, Self.upstreamTemplate)
        XCTAssertEqual(t.name, "/etc/consul-template/templates/web.ctmpl")
        XCTAssertEqual(t.commandRun, .nginx(.signalAfterTest))
        // a template error names the file it was read from, relative to the scenario
        write("{{ range service \"web\" }}\n{{ .Nope }}{{ end }}\n", to: dir + "/tpl/web.ctmpl")
        let e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.path, "consulTemplate.template[0].source")
        XCTAssertEqual(e.first?.file, "tpl/web.ctmpl")
        XCTAssertEqual(e.first?.line, 2)
    }

    func testAbsoluteSourceIsReadBesideTheConfigurationFile() throws {
        let dir = folder(ct: #""config": {"$include": "ct/consul-template.hcl"}"#,
                         ["ct/consul-template.hcl": Self.deployedHCL, "ct/web.ctmpl": Self.upstreamTemplate])
        let t = try XCTUnwrap(ScenarioLoader.load(path: dir + "/s.json").spec.consulTemplate?.templates.first)
        XCTAssertEqual(t.text, Self.upstreamTemplate)
        // a mapped folder wins over the file beside the configuration
        write("{{ broken", to: dir + "/ct/web.ctmpl")
        write(Self.scenario(ct: #""config": {"$include": "ct/consul-template.hcl"}, "sourceFolders": {"/etc/consul-template/templates": "tpl"}"#), to: dir + "/s.json")
        write(Self.upstreamTemplate, to: dir + "/tpl/web.ctmpl")
        XCTAssertEqual(try ScenarioLoader.load(path: dir + "/s.json").spec.consulTemplate?.templates.first?.text, Self.upstreamTemplate)
    }

    func testUnresolvableAbsoluteSourceIsOneErrorNamingTheWaysToMapIt() {
        let dir = folder(ct: #""config": {"$include": "ct/consul-template.hcl"}"#, ["ct/consul-template.hcl": Self.deployedHCL])
        var e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.path, "consulTemplate.template[0].source")
        XCTAssertEqual(e.first?.line, 5)
        for f in ["\"/etc/consul-template/templates/web.ctmpl\" is an absolute path on consul-template's host", "consulTemplate.sourceFolders",
                  "{\"/etc/consul-template/templates\": \"templates\"}", "put \"web.ctmpl\" beside the configuration file"] {
            XCTAssertTrue(e.first?.message.contains(f) ?? false, "\(e.first?.message ?? "") lacks \(f)")
        }
        // mapped to a folder that does not hold it
        write(Self.scenario(ct: #""config": {"$include": "ct/consul-template.hcl"}, "sourceFolders": {"/etc/consul-template/": "tpl"}"#), to: dir + "/s.json")
        e = errors(dir)
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.message.contains("maps \"/etc/consul-template\" to \"tpl\", and \"tpl/templates/web.ctmpl\" (relative to the scenario's folder) does not exist") ?? false, e.first?.message ?? "")
        // the mapped folder stays inside the scenario's folder
        write(Self.scenario(ct: #""config": {"$include": "ct/consul-template.hcl"}, "sourceFolders": {"/etc/consul-template": "../elsewhere"}"#), to: dir + "/s.json")
        e = errors(dir)
        XCTAssertTrue(e.contains { $0.path == "consulTemplate.sourceFolders./etc/consul-template" || $0.path.hasPrefix("consulTemplate.sourceFolders") }, e.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(e.contains { $0.message.contains("inside it") })
        // a symbolic link out of the scenario's folder is refused as for includes
        let outside = makeTempDir()
        write(Self.upstreamTemplate, to: outside + "/web.ctmpl")
        try? FileManager.default.createSymbolicLink(atPath: dir + "/tpl", withDestinationPath: outside)
        write(Self.scenario(ct: #""config": {"$include": "ct/consul-template.hcl"}, "sourceFolders": {"/etc/consul-template/templates": "tpl"}"#), to: dir + "/s.json")
        e = errors(dir)
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.message.contains("outside the scenario's folder") ?? false, e.first?.message ?? "")
        // and it is the simulator's key: refused in consul-template's file
        write(Self.deployedHCL + "sourceFolders = { \"/etc\" = \"tpl\" }\n", to: dir + "/ct/consul-template.hcl")
        XCTAssertTrue(errors(dir).contains { $0.message.contains("\"sourceFolders\" in consul-template's configuration") })
    }

    // MARK: commands

    /// The warnings about exactly `path`.
    func warnings(_ l: LoadedScenario, _ path: String) -> [String] { l.warnings.filter { $0.contains(" \(path): ") } }

    func testAnyCommandLoadsAndOnlyNginxReloadsAreModelled() throws {
        let ct = #""template": [{"contents": \#(ConsulTemplateInputsTests.json(Self.upstreamTemplate)), "destination": "/etc/haproxy/haproxy.cfg", "command": "service haproxy reload"}]"#
        let l = try XCTUnwrap(loadOK(Self.scenario(ct: ct)))
        let w = warnings(l, "consulTemplate.template[0].command")
        XCTAssertEqual(w.count, 1, "\(l.warnings)")
        XCTAssertTrue(w.first?.contains("\"service haproxy reload\" is not one of the nginx reloads") ?? false)
        XCTAssertTrue(w.first?.contains("sh -c") ?? false)
        XCTAssertTrue(w.first?.contains("exits 0 at once (command_timeout never expires") ?? false)
        XCTAssertTrue(warnings(l, "consulTemplate.template[0].destination").first?.contains("not a file nginx reads") ?? false)
        let (m, o) = try runToEnd(Self.scenario(ct: ct))
        // the file is written at each change, the command logged as run; nginx neither reads nor reloads
        XCTAssertFalse(o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/haproxy/haproxy.cfg" }.isEmpty)
        let cmds = o.events.filter { $0.event == "templateCommand" }
        XCTAssertFalse(cmds.isEmpty)
        XCTAssertTrue(cmds.allSatisfy { $0.detail.hasSuffix("service haproxy reload: exit 0 (not modelled: the simulator does not run it)") }, "\(cmds.map(\.detail))")
        XCTAssertTrue(o.events.filter { $0.component == "nginx" }.isEmpty, "\(o.events.filter { $0.component == "nginx" }.map(\.event))")
        let nginx = try XCTUnwrap(m.subsystem(NginxProxies.self))
        XCTAssertEqual(nginx.includedText(proxy: 0, at: m.sim.now), "")
        XCTAssertEqual(nginx.totalReloads, 0)
    }

    func testCommandsAsConsulTemplateHoldsThem() throws {
        let sc = ConsulTemplateSectionTests.self
        func stanza(_ command: String) throws -> TemplateStanza {
            try XCTUnwrap(loadOK(sc.scenario(template: #"{"contents": "upstream a { server 10.0.0.2:1; }", "destination": "/etc/nginx/conf.d/a.conf", "command": \#(command)}"#))?.spec.consulTemplate?.templates.first)
        }
        // a list runs as it is; an nginx reload in list form is the same reload
        XCTAssertEqual(try stanza(#"["nginx", "-s", "reload"]"#).commandRun, .nginx(.signalAfterTest))
        XCTAssertEqual(try stanza(#"["nginx", "-s", "reload"]"#).commandArgs, ["nginx", "-s", "reload"])
        XCTAssertEqual(try stanza(#""/usr/local/bin/reload-lb""#).commandRun, .notModelled)
        XCTAssertEqual(try stanza(#""docker kill -s HUP nginx""#).commandRun, .notModelled)
        // a string is split at commas: the first part is executed as a program, and with spaces it is none
        let split = try stanza(#""sh -c 'nginx -t, nginx -s reload'""#)
        XCTAssertEqual(split.commandArgs, ["sh -c 'nginx -t", " nginx -s reload'"])
        guard case .cannotStart = split.commandRun else { return XCTFail("\(split.commandRun)") }
        let l = try XCTUnwrap(loadOK(sc.scenario(template: #"{"contents": "x", "destination": "/etc/nginx/conf.d/a.conf", "command": "sh -c 'a, b'"}"#)))
        XCTAssertTrue(warnings(l, "consulTemplate.template[0].command").first?.contains("splits a command string at its commas") ?? false)
        // not a string or a list of strings
        assertSingleError(sc.scenario(template: #"{"contents": "x", "destination": "/etc/nginx/conf.d/a.conf", "command": ["nginx", 1]}"#),
                          path: "consulTemplate.template[0].command", ["a list of strings"])
        // command_timeout 0: consul-template does not wait
        XCTAssertEqual(try XCTUnwrap(loadOK(sc.scenario(template: #"{"contents": "x", "destination": "/etc/nginx/conf.d/a.conf", "command_timeout": "0s"}"#))?.spec.consulTemplate?.templates.first).commandTimeout, .zero)
    }

    func testACommandThatCannotStartEndsConsulTemplateAfterTheOthersRan() throws {
        let tpl = ConsulTemplateInputsTests.json(Self.upstreamTemplate)
        let second = ConsulTemplateInputsTests.json("upstream web2 {\n{{range service \"web\"}}  server {{.Address}}:{{.Port}};\n{{else}}  server 127.0.0.1:65535;\n{{end}}}\n")
        let ct = #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/conf.d/web.conf", "command": "sh -c 'a, b'"},"#
            + #"{"contents": \#(second), "destination": "/etc/nginx/sites-enabled/web", "command": "nginx -s reload"}]"#
        let (_, o) = try runToEnd(Self.scenario(ct: ct))
        let cmds = o.events.filter { $0.event == "templateCommand" }
        XCTAssertEqual(cmds.count, 2, "\(cmds.map(\.detail))")
        XCTAssertTrue(cmds.first?.detail.contains("cannot start") ?? false)
        XCTAssertTrue(cmds.last?.detail.hasSuffix("nginx -s reload: exit 0") ?? false)
        let exit = try XCTUnwrap(o.events.first { $0.event == "consulTemplateExit" })
        XCTAssertTrue(exit.detail.contains("failed to execute command sh -c 'a, b'"), exit.detail)
        XCTAssertEqual(o.events.filter { $0.event == "nginxReload" }.count, 1)
    }

    func testCommandTimeoutZeroDoesNotWaitForTheExitStatus() throws {
        // unbalanced braces once the instances come: nginx -s reload tests the text and exits 1
        let broken = ConsulTemplateInputsTests.json("{{range service \"web\"}}upstream x { server {{.Address}}:{{.Port}};\n{{end}}")
        func exits(_ timeout: String) throws -> ([LoggedEvent], [LoggedEvent]) {
            let (_, o) = try runToEnd(Self.scenario(ct: #""template": [{"contents": \#(broken), "destination": "/etc/nginx/conf.d/x.conf", "command": "nginx -s reload", "command_timeout": "\#(timeout)"}]"#))
            return (o.events.filter { $0.event == "consulTemplateExit" }, o.events.filter { $0.event == "templateCommand" })
        }
        let (waited, _) = try exits("30s")
        XCTAssertEqual(waited.count, 1)
        XCTAssertTrue(waited.first?.detail.contains("exited with a non-zero exit status (1)") ?? false)
        let (notWaited, cmds) = try exits("0s")
        XCTAssertTrue(notWaited.isEmpty, "\(notWaited.map(\.detail))")
        XCTAssertTrue(cmds.contains { $0.detail.hasSuffix("nginx -s reload: exit 1 (command_timeout 0: not waited for)") }, "\(cmds.map(\.detail))")
    }

    // MARK: destinations nginx reads

    func testADestinationOutsideNginxsIncludesIsNotParsedByNginx() throws {
        let tpl = ConsulTemplateInputsTests.json(Self.upstreamTemplate)
        let junk = ConsulTemplateInputsTests.json("[web]\n{{range service \"web\"}}backend = {{.Address}}:{{.Port}}\n{{end}}")
        let ct = #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/conf.d/web.conf", "command": "nginx -s reload"},"#
            + #"{"contents": \#(junk), "destination": "/etc/nginx/conf.d/.web.ini", "command": "nginx -s reload"},"#
            + #"{"contents": \#(junk), "destination": "/etc/app/web.ini", "command": "nginx -s reload"}]"#
        let (m, o) = try runToEnd(Self.scenario(ct: ct))
        XCTAssertTrue(o.events.filter { $0.event == "nginxReloadFailed" || $0.event == "consulTemplateExit" }.isEmpty,
                      "\(o.events.filter { $0.event == "nginxReloadFailed" || $0.event == "consulTemplateExit" }.map(\.detail))")
        XCTAssertFalse(o.events.filter { $0.event == "templateRendered" && $0.subject == "/etc/app/web.ini" }.isEmpty)
        XCTAssertFalse(o.events.filter { $0.event == "nginxReload" }.isEmpty)
        let nginx = try XCTUnwrap(m.subsystem(NginxProxies.self))
        XCTAssertFalse(nginx.includedText(proxy: 0, at: m.sim.now).contains("backend ="))
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: nginx.generation(ofProxy: 0)).first?.servers.count, 2)
    }

    /// An nginx.conf that includes another folder (`include upstreams/*.conf;` in
    /// nginx.configuration, relative to /etc/nginx as Debian's nginx resolves it): a destination
    /// there is read, without the warning; one outside both is still only written.
    func testTheConfigurationsOwnIncludesAreRead() throws {
        let tpl = ConsulTemplateInputsTests.json(Self.upstreamTemplate)
        let ct = #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/upstreams/web.conf", "command": "nginx -s reload"}]"#
        let text = Self.scenario(ct: ct).replacingOccurrences(of: #""nginx": {"hostGroup": "edge"}"#,
                                                                with: #""nginx": {"hostGroup": "edge", "configuration": "include upstreams/*.conf;\nserver_tokens off;"}"#)
        XCTAssertNotEqual(text, Self.scenario(ct: ct))
        let l = try XCTUnwrap(loadOK(text))
        XCTAssertTrue(warnings(l, "consulTemplate.template[0].destination").isEmpty, "\(l.warnings)")
        let (m, _) = try runToEnd(text)
        let nginx = try XCTUnwrap(m.subsystem(NginxProxies.self))
        XCTAssertEqual(nginx.upstreams(proxy: 0, generation: nginx.generation(ofProxy: 0)).first?.servers.count, 2)
        // without the include the same destination is a file nginx does not read
        let l2 = try XCTUnwrap(loadOK(Self.scenario(ct: ct)))
        let w = warnings(l2, "consulTemplate.template[0].destination")
        XCTAssertEqual(w.count, 1, "\(l2.warnings)")
        XCTAssertTrue(w.first?.contains("add the same `include` line to nginx.configuration") ?? false)
        XCTAssertEqual(NginxIncludes.includes(in: "upstream a { server 10.0.0.1; include /etc/nginx/up/*.conf; }\nserver { include snippets/x.conf; }\ninclude snippets/x.conf;"),
                       ["/etc/nginx/up/*.conf", "/etc/nginx/snippets/x.conf"])
        XCTAssertEqual(NginxIncludes.includes(in: "include "), [], "a text nginx refuses gives none")
    }

    /// A template's `exec { command, timeout }` is what consul-template runs (config/template.go
    /// `Finalize`: exec.command before `command`, exec.timeout before `command_timeout`); its
    /// other keys load with a warning, an unknown one is refused.
    func testTheTemplatesExecBlockIsItsCommand() throws {
        let tpl = ConsulTemplateInputsTests.json(Self.upstreamTemplate)
        func load(_ extra: String) throws -> LoadedScenario {
            try XCTUnwrap(loadOK(Self.scenario(ct: #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/conf.d/web.conf"\#(extra)}]"#)))
        }
        let l = try load(#", "command": "service haproxy reload", "command_timeout": "10s", "exec": {"command": "nginx -s reload", "timeout": "5s", "splay": "3s"}"#)
        let t = try XCTUnwrap(l.spec.consulTemplate?.templates.first)
        XCTAssertEqual(t.command, "nginx -s reload")
        XCTAssertEqual(t.commandTimeout, .seconds(5))
        XCTAssertEqual(warnings(l, "consulTemplate.template[0].command").count, 1, "\(l.warnings)")
        XCTAssertTrue(warnings(l, "consulTemplate.template[0].command").first?.contains("consul-template runs that one and never this") ?? false)
        XCTAssertEqual(warnings(l, "consulTemplate.template[0].exec.splay").count, 1, "\(l.warnings)")
        // a command not modelled is warned at exec.command
        let h = try load(#", "exec": {"command": ["systemctl", "reload", "haproxy"]}"#)
        XCTAssertEqual(h.spec.consulTemplate?.templates.first?.commandTimeout, .seconds(30), "command_timeout's default")
        XCTAssertEqual(warnings(h, "consulTemplate.template[0].exec.command").count, 1, "\(h.warnings)")
        // consul-template refuses a key ExecConfig does not have, and a timeout out of range is refused
        assertSingleError(Self.scenario(ct: #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/conf.d/web.conf", "exec": {"comand": "nginx -s reload"}}]"#),
                          path: "consulTemplate.template[0].exec.comand", ["consul-template refuses unknown keys"])
        assertSingleError(Self.scenario(ct: #""template": [{"contents": \#(tpl), "destination": "/etc/nginx/conf.d/web.conf", "exec": {"command": "nginx -s reload", "timeout": "2h"}}]"#),
                          path: "consulTemplate.template[0].exec.timeout", ["at most 1h"])
    }

    func testNginxIncludeGlobs() {
        for p in ["/etc/nginx/conf.d/web.conf", "/etc/nginx/conf.d/a.b.conf", "/etc/nginx/sites-enabled/default", "/etc/nginx/sites-enabled/web.conf",
                  "/etc/nginx/nginx.conf"] { XCTAssertTrue(NginxIncludes.reads(p), p) }
        for p in ["/etc/nginx/conf.d/web.conf.bak", "/etc/nginx/conf.d/.web.conf", "/etc/nginx/conf.d/sub/web.conf", "/etc/nginx/sites-available/web",
                  "/etc/nginx/sites-enabled/.hidden", "/etc/nginx/upstreams.conf", "/etc/haproxy/haproxy.cfg", "/x.conf", "/etc/nginx/conf.d/conf"] {
            XCTAssertFalse(NginxIncludes.reads(p), p)
        }
        XCTAssertTrue(NginxIncludes.globMatches("/a/[a-c]?x*", "/a/bqxyz"))
        XCTAssertFalse(NginxIncludes.globMatches("/a/[!a-c]*", "/a/b"))
        XCTAssertTrue(NginxIncludes.globMatches("/a/*.*.conf", "/a/x.y.conf"))
        XCTAssertTrue(NginxIncludes.globMatches("/a/[x", "/a/[x"))
        XCTAssertFalse(NginxIncludes.globMatches("/a/*", "/a/b/c"))
    }

    // MARK: consul { retry }

    func testConsulRetryIsTheSectionsRetryPolicy() throws {
        let hcl = Self.deployedHCL.replacingOccurrences(of: "  address = \"127.0.0.1:8500\"\n",
                                                       with: "  address = \"127.0.0.1:8500\"\n  retry {\n    enabled = true\n    attempts = 5\n    backoff = \"1s\"\n    max_backoff = \"8s\"\n  }\n")
        let dir = folder(ct: #""config": {"$include": "ct/consul-template.hcl"}"#, ["ct/consul-template.hcl": hcl, "ct/web.ctmpl": Self.upstreamTemplate])
        let l = try ScenarioLoader.load(path: dir + "/s.json")
        let r = try XCTUnwrap(l.spec.consulTemplate?.retry)
        XCTAssertEqual(r.attempts, 5); XCTAssertEqual(r.backoff, .seconds(1)); XCTAssertEqual(r.maxBackoff, .seconds(8)); XCTAssertTrue(r.enabled)
        XCTAssertTrue(warnings(l, "consulTemplate.consul").first?.contains("its retry is read as the section's retry policy") ?? false)
        // given also as the scenario's retry: one error
        write(Self.scenario(ct: #""config": {"$include": "ct/consul-template.hcl"}, "retry": {"attempts": 2}"#), to: dir + "/s.json")
        let e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.path, "consulTemplate.consul.retry")
        XCTAssertTrue(e.first?.message.contains("given both") ?? false)
        // its values are range-checked where they are read
        let sc = ConsulTemplateSectionTests.self
        assertSingleError(sc.scenario(consulTemplate: #""consul": {"retry": {"backoff": "2h"}}"#), path: "consulTemplate.consul.retry.backoff", ["at most 1h"])
        XCTAssertEqual(loadOK(sc.scenario(consulTemplate: #""consul": {"Retry": {"Attempts": 0, "enabled": false}}"#))?.spec.consulTemplate?.retry.enabled, false)
    }

    // MARK: several configuration files

    static let baseHCL = "consul {\n  address = \"127.0.0.1:8500\"\n  retry {\n    attempts = 3\n  }\n}\nmax_stale = \"5s\"\n"
    static let webHCL = "max_stale = \"7s\"\nconsul {\n  retry {\n    backoff = \"2s\"\n  }\n}\n"
        + "template {\n  source = \"/etc/consul-template/templates/web.ctmpl\"\n  destination = \"/etc/nginx/conf.d/web.conf\"\n  command = \"nginx -s reload\"\n}\n"
    static let apiJSON = ##"{"template": [{"contents": "# api {{range service \"web\"}}{{.Address}} {{end}}", "destination": "/etc/nginx/conf.d/api.conf"}]}"##

    func testSeveralConfigurationFilesMergeAsConsulTemplateMergesThem() throws {
        // a list, merged in order: templates appended, a block field by field, other keys the later wins
        let dir = folder(ct: #""config": [{"$include": "ct/base.hcl"}, {"$include": "ct/web.hcl"}, {"$include": "ct/api.json"}]"#,
                         ["ct/base.hcl": Self.baseHCL, "ct/web.hcl": Self.webHCL, "ct/api.json": Self.apiJSON, "ct/web.ctmpl": Self.upstreamTemplate])
        let ct = try XCTUnwrap(ScenarioLoader.load(path: dir + "/s.json").spec.consulTemplate)
        XCTAssertEqual(ct.maxStale, .seconds(7))
        XCTAssertEqual(ct.retry.attempts, 3); XCTAssertEqual(ct.retry.backoff, .seconds(2))
        XCTAssertEqual(ct.templates.map(\.destination), ["/etc/nginx/conf.d/web.conf", "/etc/nginx/conf.d/api.conf"])
        XCTAssertEqual(ct.templates.first?.text, Self.upstreamTemplate)     // beside its own file
        // a folder: every file under it, in lexical order, into subfolders, whatever its name
        // (the template is kept out of it: consul-template would read it as a configuration file too)
        let d2 = folder(ct: #""config": "ct.d", "sourceFolders": {"/etc/consul-template/templates": "tpl"}"#,
                        ["ct.d/20-web.hcl": Self.webHCL, "ct.d/10-base.hcl": Self.baseHCL, "ct.d/a/api.conf": Self.apiJSON, "tpl/web.ctmpl": Self.upstreamTemplate])
        XCTAssertEqual(try XCTUnwrap(ScenarioLoader.load(path: d2 + "/s.json").spec.consulTemplate), ct)
        // the later file wins: base after web
        write(Self.webHCL, to: d2 + "/ct.d/05-web.hcl"); try FileManager.default.removeItem(atPath: d2 + "/ct.d/20-web.hcl")
        XCTAssertEqual(try ScenarioLoader.load(path: d2 + "/s.json").spec.consulTemplate?.maxStale, .seconds(5))
    }

    func testConfigurationFolderErrors() {
        // a syntax error names the file in the folder and its line
        let dir = folder(ct: #""config": "ct.d""#, ["ct.d/10-base.hcl": Self.baseHCL, "ct.d/20-bad.hcl": "template {\n  source = \n}\n"])
        var e = errors(dir)
        XCTAssertEqual(e.count, 1, e.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(e.first?.file, "ct.d/20-bad.hcl"); XCTAssertEqual(e.first?.path, "consulTemplate.config")
        // outside the scenario's folder, absolute, empty, missing, an empty list
        for (cfg, fragment) in [(#""../x""#, "outside the scenario's folder"), (#""/etc/consul-template.d""#, "absolute path"),
                                (#""empty.d""#, "holds no configuration file"), (#""none.d""#, "no such file"), ("[]", "empty list"), ("[1]", "a list of them")] {
            try? FileManager.default.createDirectory(atPath: dir + "/empty.d", withIntermediateDirectories: true)
            write(Self.scenario(ct: #""config": \#(cfg)"#), to: dir + "/s.json")
            e = errors(dir)
            XCTAssertEqual(e.count, 1, "\(cfg): " + e.map(\.description).joined(separator: "\n"))
            XCTAssertTrue(e.first?.message.contains(fragment) ?? false, "\(cfg): \(e.first?.message ?? "")")
        }
        // a symbolic link in the folder to a file outside the scenario's folder
        let outside = makeTempDir()
        write(Self.baseHCL, to: outside + "/base.hcl")
        try? FileManager.default.createSymbolicLink(atPath: dir + "/ct.d/30-link.hcl", withDestinationPath: outside + "/base.hcl")
        write(Self.scenario(ct: #""config": "ct.d""#), to: dir + "/s.json")
        write("", to: dir + "/ct.d/20-bad.hcl")
        e = errors(dir)
        XCTAssertTrue(e.contains { $0.message.contains("outside the scenario's folder") }, e.map(\.description).joined(separator: "\n"))
    }
}
