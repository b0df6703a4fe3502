@testable import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// `marathonLB.version`: the options each release's marathon_lb.py takes (get_arg_parser at each
/// tag), the image's HAProxy and reload script, the release a deployed Marathon app's image names,
/// and make_config_valid_and_regenerate (docs/marathon-lb.md "Releases 1.12 to 1.15").
final class MarathonLBReleasesTests: XCTestCase {
    /// A scenario in a fresh folder with `files` beside it (as MarathonLBFlagsTests).
    struct Folder {
        let test: MarathonLBReleasesTests
        func folder(_ body: String, files: [String: String]) -> String {
            let dir = makeTempDir()
            for (rel, text) in files { write(text, to: dir + "/" + rel) }
            write(test.lb(body), to: dir + "/s.json")
            return dir
        }
        func load(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? { loadScenarioFolder(dir, file: file, line: line) }
        func errors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] { scenarioFolderErrors(dir, file: file, line: line) }
    }
    var flags: Folder { Folder(test: self) }

    func model(_ text: String) -> (ClusterSimulation, MarathonLB)? {
        guard let s = loadOK(text) else { return nil }
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        guard let lb = m.subsystem(MarathonLB.self) else { XCTFail("no marathon-lb"); return nil }
        return (m, lb)
    }
    func run(_ m: ClusterSimulation, until t: SimDuration) { m.run { m.sim.now >= SimTime.zero + t } }

    func lb(_ body: String) -> String { MarathonLBTests.scenario(lb: body) }
    func spec(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> (MarathonLBSpec, [String])? {
        guard let l = loadOK(lb(body), file: file, line: line), let s = l.spec.marathonLB else { return nil }
        return (s, l.warnings)
    }

    // MARK: options

    /// 1.13.0 takes `--archive-versions`, `--group-https-by-vhost` (named in the one warning),
    /// `--max-backoff` and `--skip-config-cleanup` (modelled); each is an error naming the release
    /// that has it for a release without it; `--max-reload-retries` needs 1.11.0.
    func testEachReleaseTakesItsOwnOptions() throws {
        let (s, warnings) = try XCTUnwrap(spec(#"""
            {"instances": [{"hostGroup": "lb"}], "version": "1.13.0", "flags": {"--archive-versions": 3, "--group-https-by-vhost": true,
             "--max-backoff": "60", "--skip-config-cleanup": true, "--max-reload-retries": 5}}
            """#))
        XCTAssertTrue(s.flags.skipConfigCleanup)
        XCTAssertEqual(s.flags.maxReloadRetries, 5)
        XCTAssertEqual(warnings.filter { $0.contains("not modelled") }.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.contains("--archive-versions, --group-https-by-vhost") && !$0.contains("--max-backoff") && $0.contains("1.13.0") }, "\(warnings)")
        XCTAssertEqual(s.flags.maxBackoff, 60, "--max-backoff is modelled: the event stream's reconnect wait")
        let base = #"{"instances": [{"hostGroup": "lb"}], "#
        assertSingleError(lb(base + #""version": "1.12.3", "flags": {"--max-backoff": 60}}"#), path: "marathonLB.flags.--max-backoff",
                          ["exists from marathon-lb 1.13.0", "1.12.3"])
        assertSingleError(lb(base + #""version": "1.12.3", "flags": {"--skip-config-cleanup": true}}"#), path: "marathonLB.flags.--skip-config-cleanup",
                          ["exists from marathon-lb 1.13.0"])
        assertSingleError(lb(base + #""version": "1.11.4", "flags": {"--group-https-by-vhost": true}}"#), path: "marathonLB.flags.--group-https-by-vhost",
                          ["exists from marathon-lb 1.11.5"])
        XCTAssertNotNil(spec(base + #""version": "1.11.5", "flags": {"--group-https-by-vhost": true}}"#), "v1.11.5 has it (backported before 1.12.0)")
        assertSingleError(lb(base + #""version": "1.11.5", "flags": {"--archive-versions": 2}}"#), path: "marathonLB.flags.--archive-versions",
                          ["exists from marathon-lb 1.12.0"])
        assertSingleError(lb(base + #""version": "1.10.3", "flags": {"--reload-interval": 2}}"#), path: "marathonLB.flags.--reload-interval",
                          ["exists from marathon-lb 1.11.0"])
        assertSingleError(lb(base + #""version": "1.13.0", "flags": {"--max-backoff": "5m"}}"#), path: "marathonLB.flags.--max-backoff",
                          ["argument --max-backoff: invalid int value: '5m'"])
        // argparse's abbreviations and ambiguity over the release's own options (Python 3.7, declaration order)
        assertSingleError(lb(base + #""version": "1.13.0", "flags": {"--ma": "x"}}"#), path: "marathonLB.flags.--ma",
                          ["could match --marathon, --max-reload-retries, --max-serv-port-ip-per-task, --max-backoff, --marathon-auth-credential-file, --marathon-ca-cert"])
        XCTAssertNotNil(spec(base + #""version": "1.13.0", "flags": {"--skip-config": true}}"#)?.0.flags.skipConfigCleanup == true ? 1 : nil)
    }

    /// A command line is read as the release's argparse reads it: `--max-b` is `--max-backoff` at
    /// 1.13.0 and unrecognized at 1.11.0 (the message names the release that has it).
    func testCommandLineFollowsTheRelease() {
        let ok = flags.folder(#"{"instances": [{"hostGroup": "lb"}], "version": "1.13.0", "flagsFrom": [{"commandLine": "sse --group external --max-b 30 --skip-config-cleanup"}]}"#, files: [:])
        XCTAssertEqual(flags.load(ok)?.spec.marathonLB?.flags.skipConfigCleanup, true)
        let old = flags.errors(flags.folder(#"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"commandLine": "sse --group external --max-backoff 30"}]}"#, files: [:]))
        XCTAssertEqual(old.map(\.message), ["marathon_lb.py: error: unrecognized arguments: --max-backoff 30; --max-backoff exists from marathon-lb 1.13.0, marathonLB.version is 1.11.0"])
    }

    // MARK: the version and the image's HAProxy

    func testVersionKeyAndTheImagesHAProxy() throws {
        let base = #"{"instances": [{"hostGroup": "lb"}], "#
        let cases: [(String, Int, Int, Bool)] = [("1.11", 1, 7, false), ("1.11.5", 1, 7, false), ("1.12.0", 1, 8, true), ("1.13.1", 1, 9, true),
                                                 ("1.14.2", 2, 0, true), ("1.15.0", 2, 0, true), ("1.5", 1, 7, false)]
        for (v, major, minor, seamless) in cases {
            let s = try XCTUnwrap(spec(base + #""version": "\#(v)"}"#)?.0, v)
            XCTAssertEqual(s.version, MarathonLBVersion(parsing: v), v)
            XCTAssertEqual([s.haproxyMajor, s.haproxyMinor], [major, minor], v)
            XCTAssertEqual(s.seamlessReload, seamless, v)
        }
        XCTAssertEqual(try XCTUnwrap(spec(base + #""version": "1.14.2", "haproxyVersion": "2.2"}"#)?.0).haproxyMinor, 2, "an explicit haproxyVersion wins")
        assertSingleError(lb(base + #""version": "1.12.0", "haproxyVersion": "1.7"}"#), path: "marathonLB.haproxyVersion", ["-W", "expose-fd listeners", "1.8"])
        assertSingleError(lb(base + #""version": "1.11.9"}"#), path: "marathonLB.version", ["no release", "1.11.5"])
        assertSingleError(lb(base + #""version": "1.4.3"}"#), path: "marathonLB.version", ["not supported", "1.5.0 to 1.15.0"])
        assertSingleError(lb(base + #""version": "1.16"}"#), path: "marathonLB.version", ["not supported"])
        assertSingleError(lb(base + #""version": "v1.14.2"}"#), path: "marathonLB.version", ["major.minor"])
        let number = loadErrors(lb(base + #""version": 1.12}"#))
        XCTAssertTrue(number.contains { $0.path == "marathonLB.version" && $0.message.contains("as a string") }, "\(number)")
    }

    /// The Marathon app that runs marathon-lb names its release by its image tag: without
    /// `version` that release reads the command line (1.14.2 takes --max-backoff) and is the
    /// spec's; an explicit version the image contradicts is a warning; a tag that is no release
    /// the simulator has is an error without an explicit version.
    func testTheImageTagOfTheDeployedAppNamesTheRelease() throws {
        func app(_ image: String, _ args: String = #"["sse", "--group", "external", "--max-backoff", "60"]"#) -> [String: String] {
            ["lb.json": #"{"id": "/marathon-lb", "container": {"type": "DOCKER", "docker": {"image": "\#(image)", "network": "HOST"}}, "args": \#(args)}"#]
        }
        let body = #"{"instances": [{"hostGroup": "lb"}], "flagsFrom": [{"marathonApp": "lb.json"}]}"#
        let s = try XCTUnwrap(flags.load(flags.folder(body, files: app("mesosphere/marathon-lb:v1.14.2")))?.spec.marathonLB)
        XCTAssertEqual(s.version, MarathonLBVersion(1, 14, 2))
        XCTAssertEqual([s.haproxyMajor, s.haproxyMinor], [2, 0])
        XCTAssertTrue(s.seamlessReload)
        XCTAssertEqual(try XCTUnwrap(flags.load(flags.folder(body, files: app("docker.io/mesosphere/marathon-lb:v1.13.0")))?.spec.marathonLB).version,
                       MarathonLBVersion(1, 13, 0))
        // explicit version: it wins, with a warning; here it also refuses --max-backoff (1.13.0)
        let explicit = #"{"instances": [{"hostGroup": "lb"}], "version": "1.12.3", "flagsFrom": [{"marathonApp": "lb.json"}]}"#
        let l = try XCTUnwrap(flags.load(flags.folder(explicit, files: app("mesosphere/marathon-lb:v1.14.2", #"["sse", "--group", "external"]"#))))
        XCTAssertEqual(l.spec.marathonLB?.version, MarathonLBVersion(1, 12, 3))
        XCTAssertTrue(l.warnings.contains { $0.contains("mesosphere/marathon-lb:v1.14.2") && $0.contains("1.12.3") }, "\(l.warnings)")
        let refused = flags.errors(flags.folder(explicit, files: app("mesosphere/marathon-lb:v1.14.2")))
        XCTAssertTrue(refused.count == 1 && refused[0].message.contains("--max-backoff exists from marathon-lb 1.13.0"), "\(refused)")
        let old = flags.errors(flags.folder(body, files: app("mesosphere/marathon-lb:v1.4.3")))
        XCTAssertTrue(old.count == 1 && old[0].message.contains("\"v1.4.3\" is no marathon-lb release"), "\(old)")
        let latest = try XCTUnwrap(flags.load(flags.folder(body, files: app("mesosphere/marathon-lb:latest", #"["sse", "--group", "external"]"#))))
        XCTAssertEqual(latest.spec.marathonLB?.version, .baseline)
        XCTAssertTrue(latest.warnings.contains { $0.contains("names no release") }, "\(latest.warnings)")
        // another image (a fork) says nothing of mesosphere's releases
        let fork = try XCTUnwrap(flags.load(flags.folder(body, files: app("vixns/marathon-lb:v1.14.2", #"["sse", "--group", "external"]"#))))
        XCTAssertEqual(fork.spec.marathonLB?.version, .baseline)
        XCTAssertFalse(fork.warnings.contains { $0.contains("release") }, "\(fork.warnings)")
        XCTAssertEqual(ScenarioSchema.marathonLBImageRelease("mesosphere/marathon-lb:v1.15.0@sha256:00"), .release(MarathonLBVersion(1, 15, 0)))
        XCTAssertEqual(ScenarioSchema.marathonLBImageRelease("mesosphere/marathon-lb"), .untagged(nil))
        XCTAssertEqual(ScenarioSchema.marathonLBImageRelease("registry:5000/mesosphere/marathon-lb:v1.15.0"), .other)
    }

    // MARK: the run

    /// With marathon-lb 1.12.0+ a reload is seamless: no SYN is dropped (gapUntil never set) and the
    /// reload holds no lock afterwards.
    func testSeamlessReloadFrom112() throws {
        let t = self
        let (m, lb) = try XCTUnwrap(t.model(MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "version": "1.14.2"}"#)))
        t.run(m, until: .minutes(6))
        XCTAssertGreaterThanOrEqual(lb.instances[0].reloads, 2)
        XCTAssertEqual(lb.instances[0].gapUntil, SimTime.zero)
        let (m2, lb2) = try XCTUnwrap(t.model(MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "version": "1.11.5", "haproxyVersion": "2.0"}"#)))
        t.run(m2, until: .minutes(6))
        XCTAssertEqual(lb2.instances[0].gapUntil - lb2.instances[0].gapFrom, .milliseconds(100), "v1.11.5's reload script drops SYNs whatever the HAProxy")
    }

    /// `haproxy -c` refuses the files with /shop/api's backend from 4m to 8m. v1.11.0 reloads
    /// nothing meanwhile (the scale of /shop/web at 5m waits for the window's end); from 1.11.2
    /// make_config_valid_and_regenerate reloads the file without /shop/api at once; 1.13.0 with
    /// --skip-config-cleanup behaves as 1.11.0.
    func testInvalidFileIsCleanedUpFrom1112() throws {
        let api = #"""
            {"id": "/shop/api", "instances": 1, "cpus": 0.5, "mem": 256, "constraints": [["role", "UNLIKE", "lb"]],
             "container": {"type": "DOCKER", "docker": {"image": "api:1", "network": "BRIDGE",
               "portMappings": [{"containerPort": 9000, "hostPort": 0, "servicePort": 10090, "protocol": "tcp"}]}},
             "labels": {"HAPROXY_GROUP": "external"}},
            """#
        func scenario(_ extra: String) -> String {
            MarathonLBTests.scenario(lb: #"{"instances": [{"hostGroup": "lb"}], "reloadFailures": [{"at": "4m", "for": "4m", "kind": "validation", "app": "/shop/api"}]\#(extra)}"#)
                .replacingOccurrences(of: #""apps": ["#, with: #""apps": ["# + api)
        }
        let t = self
        func state(_ extra: String) throws -> (web: Int?, api: Bool, invalid: Int) {
            let (m, lb) = try XCTUnwrap(t.model(scenario(extra)))
            t.run(m, until: .minutes(7))
            let c = try XCTUnwrap(lb.instances[0].configs.last)
            return (c.backends.first { $0.name == "shop_web_10080" }?.servers.count, c.backends.contains { $0.name == "shop_api_10090" }, lb.instances[0].invalidConfigs)
        }
        let v1110 = try state("")
        XCTAssertEqual(v1110.web, 2); XCTAssertTrue(v1110.api); XCTAssertGreaterThan(v1110.invalid, 0)
        let v1112 = try state(#", "version": "1.11.2""#)
        XCTAssertEqual(v1112.web, 3, "the file without /shop/api was reloaded"); XCTAssertFalse(v1112.api); XCTAssertGreaterThan(v1112.invalid, 0)
        let skip = try state(#", "version": "1.13.0", "flags": {"--skip-config-cleanup": true}"#)
        XCTAssertEqual(skip.web, 2); XCTAssertTrue(skip.api)
    }
}
