@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// marathon-lb's options as marathon_lb.py v1.11.0's argparse takes them (`marathonLB.flags`) and
/// as deployed (`marathonLB.flagsFrom`: the image's run script, a Marathon app, an environment file).
final class MarathonLBFlagsTests: XCTestCase {
    func lb(_ body: String) -> String { MarathonLBTests.scenario(lb: body) }

    func spec(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> (MarathonLBSpec, [String])? {
        guard let l = loadOK(lb(body), file: file, line: line), let s = l.spec.marathonLB else { return nil }
        return (s, l.warnings)
    }

    /// A scenario in a fresh folder with `files` beside it.
    func folder(_ body: String, files: [String: String]) -> String {
        let dir = makeTempDir()
        for (rel, text) in files { write(text, to: dir + "/" + rel) }
        write(lb(body), to: dir + "/s.json")
        return dir
    }

    func load(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? { loadScenarioFolder(dir, file: file, line: line) }

    func errors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] { scenarioFolderErrors(dir, file: file, line: line) }

    // MARK: the options object

    /// Every option of v1.11.0 loads; the unmodelled ones are named in one warning; short names
    /// and the abbreviations argparse takes resolve to the option.
    func testEveryOptionLoadsAndTheUnmodelledAreNamedOnce() throws {
        let (s, warnings) = try XCTUnwrap(spec(#"""
        {"instances": [{"hostGroup": "lb"}], "flags": {
          "-m": ["http://marathon-1:8080", "http://marathon-2:8080"], "--haproxy-config": "/marathon-lb/haproxy.cfg",
          "-c": "sv reload /marathon-lb/service/haproxy", "--max-reload-retries": "3", "--reload-interval": 5,
          "--strict-mode": true, "-s": true, "-H": true, "--lru-cache-capacity": 4000, "--haproxy-map": true,
          "--dont-bind-http-https": false, "--ssl-certs": "/etc/ssl/cert.pem", "--skip-validation": true, "-d": false,
          "--min-serv-port-ip-per-task": 10050, "--max-serv-port-ip-per-task": "10100", "--syslog-socket": "/dev/null",
          "--log-format": "%(message)s", "--log-level": "INFO", "--marathon-auth-credential-file": "/creds",
          "--auth-credentials": "u:p", "--dcos-auth-credentials": "{}", "--marathon-ca-cert": "/ca.pem", "--longhelp": false}}
        """#))
        XCTAssertTrue(s.flags.healthCheck && s.flags.strictMode && s.flags.skipValidation)
        XCTAssertEqual(s.flags.maxReloadRetries, 3)
        XCTAssertEqual(s.flags.reloadInterval, 5)
        XCTAssertEqual(s.mode, .sse)
        let w = warnings.filter { $0.contains("options accepted but not modelled") }
        XCTAssertEqual(w.count, 1, "\(warnings)")
        XCTAssertEqual(s.flags.marathonHosts, ["marathon-1", "marathon-2"], "-m is modelled (the event stream and the API)")
        XCTAssertFalse(w.first?.contains("--marathon,") == true || w.first?.hasPrefix("--marathon ") == true, "\(w)")
        for o in ["--haproxy-config", "--command", "--lru-cache-capacity", "--haproxy-map", "--ssl-certs", "--syslog-socket",
                  "--log-format", "--log-level", "--marathon-auth-credential-file", "--auth-credentials", "--dcos-auth-credentials", "--marathon-ca-cert"] {
            XCTAssertTrue(w.first?.contains(o) == true, "\(o) in \(w)")
        }
        XCTAssertFalse(w.first?.contains("--dont-bind-http-https") == true, "false leaves a store_true option out")
        // argparse's abbreviations: a unique prefix is the option
        let (a, _) = try XCTUnwrap(spec(#"{"instances": [{"hostGroup": "lb"}], "flags": {"--health": true, "--reload-i": 7}}"#))
        XCTAssertTrue(a.flags.healthCheck)
        XCTAssertEqual(a.flags.reloadInterval, 7)
    }

    /// What argparse and marathon_lb.py refuse, in their words, at the option's path.
    func testRefusalsInMarathonLBsWords() {
        let base = #"{"instances": [{"hostGroup": "lb"}], "flags": "#
        assertSingleError(lb(base + #"{"--ma": "x"}}"#), path: "marathonLB.flags.--ma",
                          ["ambiguous option: --ma could match --marathon, --max-reload-retries, --max-serv-port-ip-per-task, --marathon-auth-credential-file, --marathon-ca-cert"])
        assertSingleError(lb(base + #"{"--health-checks": true}}"#), path: "marathonLB.flags.--health-checks",
                          ["marathon_lb.py: error: unrecognized arguments: --health-checks", "did you mean \"--health-check\""])
        assertSingleError(lb(base + #"{"health-check": true}}"#), path: "marathonLB.flags.health-check", ["unrecognized arguments", "with their dashes"])
        assertSingleError(lb(base + #"{"--reload-interval": "10s"}}"#), path: "marathonLB.flags.--reload-interval",
                          ["argument --reload-interval: invalid int value: '10s'"])
        assertSingleError(lb(base + #"{"--reload-interval": -1}}"#), path: "marathonLB.flags.--reload-interval", ["0..86400"])
        assertSingleError(lb(base + #"{"--archive-versions": 5}}"#), path: "marathonLB.flags.--archive-versions", ["exists from marathon-lb 1.12.0", "v1.11.0"])
        assertSingleError(lb(base + #"{"--help": true}}"#), path: "marathonLB.flags.--help", ["prints its help and exits"])
        assertSingleError(lb(base + #"{"-H": true, "--health-check": true}}"#), path: "marathonLB.flags.--health-check", ["given twice"])
        assertSingleError(lb(base + #"{"--health-check": "yes"}}"#), path: "marathonLB.flags.--health-check", ["true or false"])
        assertSingleError(lb(base + #"{"--min-serv-port-ip-per-task": 0}}"#), path: "marathonLB.flags.--min-serv-port-ip-per-task",
                          ["either specify both --min-serv-port-ip-per-task and --max-serv-port-ip-per-task or neither"])
        XCTAssertNotNil(loadOK(lb(base + #"{"--min-serv-port-ip-per-task": 0, "--max-serv-port-ip-per-task": 0}}"#)), "both 0: no assignment")
        assertSingleError(lb(base + #"{"--sse": true}, "mode": "poll"}"#), path: "marathonLB.mode", ["contradicts", "sse"])
    }

    /// `--group` (repeatable) is the group of every instance that names none; an instance's own
    /// `group` (a name or a list) wins; several groups serve the apps of each.
    func testGroupsFromTheOptionAndPerInstance() throws {
        let (s, _) = try XCTUnwrap(spec(#"{"instances": [{"hosts": ["lb-01"]}, {"hosts": ["lb-02"], "group": ["internal", "external"]}], "flags": {"--group": ["a", "b", "a"]}}"#))
        XCTAssertEqual(s.instances.map(\.groups), [["a", "b"], ["internal", "external"]])
        XCTAssertEqual(s.instances[1].group, "internal,external")
        // an instance of two groups serves an app of either; one of neither serves none
        let app = try XCTUnwrap(loadOK(MarathonLBTests.scenario(webLabels: #""HAPROXY_GROUP": "internal""#))?.spec.marathon?.apps.first)
        XCTAssertTrue(MarathonLBConfig.serves(app, groups: ["internal", "external"] as Set, strictMode: false))
        XCTAssertTrue(MarathonLBConfig.serves(app, groups: ["external", "internal"] as Set, strictMode: false), "any of the groups, not the first")
        XCTAssertTrue(MarathonLBConfig.serves(app, groups: ["*"] as Set, strictMode: false))
        XCTAssertFalse(MarathonLBConfig.serves(app, groups: ["external", "edge"] as Set, strictMode: false))
    }

    // MARK: argparse

    /// The options a command line gives (`--name=value=value`), or argparse's error.
    func parse(_ line: String) -> (given: [String]?, error: String?) {
        let words = line.split(separator: " ").map { (word: String($0), location: SourceLocation?.none) }
        switch MarathonLBArgparse.parse(words) {
        case .failure(let f): return (nil, f.message)
        case .success(let p): return (p.given.map { ([$0.option.long] + $0.values).joined(separator: "=") }, nil)
        }
    }

    /// Python 3's argparse: `=` or the next word, short options and their clusters, nargs="+",
    /// negative numbers as values, `--`, and its errors.
    func testArgparsesRules() {
        XCTAssertEqual(parse("--group external -m http://a:8080 http://b:8080 -sH --reload-interval=3").given,
                       ["--group=external", "--marathon=http://a:8080=http://b:8080", "--sse", "--health-check", "--reload-interval=3"])
        XCTAssertEqual(parse("-mhttp://a:8080 --max-reload-retries -1 --health").given,
                       ["--marathon=http://a:8080", "--max-reload-retries=-1", "--health-check"])
        func fails(_ line: String, _ message: String, file: StaticString = #filePath, l: UInt = #line) {
            let r = parse(line)
            XCTAssertNil(r.given, "\(line) parsed", file: file, line: l)
            XCTAssertEqual(r.error, message, file: file, line: l)
        }
        fails("--group", "argument --group: expected one argument")
        fails("--group --sse", "argument --group: expected one argument")
        fails("-m --sse", "argument --marathon/-m: expected at least one argument")
        fails("--health-check=true", "argument --health-check/-H: ignored explicit argument 'true'")
        fails("-sX", "argument --sse/-s: ignored explicit argument 'X'")
        fails("--reload-interval ten", "argument --reload-interval: invalid int value: 'ten'")
        fails("--group a extra --foo", "unrecognized arguments: extra --foo")
        fails("--group a -- --sse", "unrecognized arguments: -- --sse")
        fails("--group a -H -1", "unrecognized arguments: -1")
        fails("--group a --marathon=http://x y", "unrecognized arguments: y")
        fails("--m x", "ambiguous option: --m could match --marathon, --max-reload-retries, --min-serv-port-ip-per-task, --max-serv-port-ip-per-task, --marathon-auth-credential-file, --marathon-ca-cert")
        fails("-h", "-h/--help: marathon_lb.py prints its help and exits; the load balancer does not start")
        XCTAssertEqual(MarathonLBArgparse.pythonInt(" +12 "), 12)
        XCTAssertNil(MarathonLBArgparse.pythonInt("1_000"), "Python 3.5 (Debian stretch, the v1.11.0 image) has no underscores in int()")
        XCTAssertNil(MarathonLBArgparse.pythonInt("0x10"))
        XCTAssertEqual(MarathonLBArgparse.repr("it's"), "\"it's\"")
    }

    // MARK: flags as deployed

    /// The Marathon app that runs marathon-lb (the image's run script: `sse` first), as the
    /// README and the DC/OS package deploy it: its args are read as argparse reads them.
    func testTheMarathonAppThatRunsMarathonLB() throws {
        let dir = folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"marathonApp": "deploy/marathon-lb.json"}], "flags": {"--reload-interval": 2}}"#, files: [
            "deploy/marathon-lb.json": #"""
            {"id": "/marathon-lb", "instances": 2, "cpus": 2, "mem": 1024,
             "container": {"type": "DOCKER", "docker": {"image": "mesosphere/marathon-lb:v1.11.0", "network": "HOST", "privileged": true}},
             "args": ["sse", "-m", "http://marathon.mesos:8080", "--health-check", "--haproxy-map", "--group", "external", "--group", "internal",
                      "--reload-interval", "9"],
             "env": {"HAPROXY_SSL_CERT": ""}}
            """#])
        let l = try XCTUnwrap(load(dir))
        let s = try XCTUnwrap(l.spec.marathonLB)
        XCTAssertEqual(s.mode, .sse)
        XCTAssertTrue(s.flags.healthCheck)
        XCTAssertEqual(s.flags.reloadInterval, 2, "the scenario's flags win over the deployed ones")
        XCTAssertEqual(s.instances.map(\.groups), [["external", "internal"]])
        XCTAssertTrue(l.warnings.contains { $0.contains("not modelled") && $0.contains("--haproxy-map") && !$0.contains("--marathon") }, "\(l.warnings)")
        XCTAssertEqual(s.flags.marathonHosts, ["marathon.mesos"], "--marathon is modelled: the event stream and the API")
    }

    /// `run poll` with POLL_INTERVAL from an environment file; marathon_lb.py's own arguments
    /// without --sse poll too; `$VAR` from the environment file.
    func testPollModeAndTheEnvironment() throws {
        let dir = folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "/marathon-lb/run poll --group $GROUP --strict-mode"}, {"environmentFile": "lb.env"}]}"#,
                         files: ["lb.env": "GROUP=internal\nPOLL_INTERVAL=2m\nPORTS=80,443\n"])
        let s = try XCTUnwrap(load(dir)?.spec.marathonLB)
        XCTAssertEqual(s.mode, .poll)
        XCTAssertEqual(s.pollInterval, .minutes(2))
        XCTAssertTrue(s.flags.strictMode)
        XCTAssertEqual(s.instances.map(\.groups), [["internal"]])
        let own = folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": ["python3", "/marathon-lb/marathon_lb.py", "--group", "external"]}], "pollInterval": "30s"}"#, files: [:])
        let p = try XCTUnwrap(load(own)?.spec.marathonLB)
        XCTAssertEqual(p.mode, .poll, "marathon_lb.py without --sse regenerates once per run")
        XCTAssertEqual(p.pollInterval, .seconds(30))
        let sse = folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "marathon_lb.py --sse --group external"}]}"#, files: [:])
        XCTAssertEqual(load(sse)?.spec.marathonLB?.mode, .sse)
    }

    /// marathon-lb does not start without --group; the first argparse error of a command line is
    /// the error, at the word's source; two command lines are one too many.
    func testDeployedRefusals() {
        let noGroup = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "sse -m http://m:8080"}]}"#, files: [:]))
        XCTAssertEqual(noGroup.count, 1, "\(noGroup)")
        XCTAssertTrue(noGroup.first?.message.contains("argument --group is required") == true, "\(noGroup)")
        let bad = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "sse --group external --reload-interval 1m"}]}"#, files: [:]))
        XCTAssertEqual(bad.map(\.message), ["marathon_lb.py: error: argument --reload-interval: invalid int value: '1m'"])
        XCTAssertEqual(bad.first?.path, "marathonLB.flagsFrom[0].commandLine")
        let two = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "sse --group a"}, {"commandLine": "sse --group b"}]}"#, files: [:]))
        XCTAssertTrue(two.count == 1 && two[0].message.contains("a second command line"), "\(two)")
        let app = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"marathonApp": "app.json"}]}"#,
                                files: ["app.json": #"{"id": "/lb", "cmd": "run sse", "args": ["sse"]}"#]))
        XCTAssertTrue(app.count == 1 && app[0].message.contains("both args and cmd"), "\(app)")
        let poll = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "poll --group a"}, {"environmentFile": "e"}]}"#,
                                 files: ["e": "POLL_INTERVAL=soon\n"]))
        XCTAssertTrue(poll.count == 1 && poll[0].message.contains("POLL_INTERVAL"), "\(poll)")
        let outside = errors(folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"marathonApp": "../app.json"}]}"#, files: [:]))
        XCTAssertTrue(outside.count == 1 && outside[0].message.contains("outside the scenario's folder"), "\(outside)")
    }
}
