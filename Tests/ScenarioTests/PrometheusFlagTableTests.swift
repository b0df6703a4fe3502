import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Every Prometheus 2.42.0 and Alertmanager 0.25.0 flag loads as kingpin reads it (`flags` and
/// `flagsFrom`); the modelled ones keep their behaviour (KingpinFlags.swift).
final class PrometheusFlagTableTests: XCTestCase {
    static let amConfig = #"{"route": {"receiver": "w"}, "receivers": [{"name": "w", "webhook_configs": [{"url": "http://h/"}]}]}"#

    /// A scenario in a fresh folder with `files` beside it.
    static func folder(prometheus: String = "{}", alertmanager: String? = nil, files: [String: String] = [:]) -> String {
        let dir = makeTempDir()
        for (rel, text) in files { write(text, to: dir + "/" + rel) }
        let am = alertmanager.map { #", "alertmanager": \#($0)"# } ?? ""
        write("""
        {"name": "prometheus-flags", "duration": "10m",
         "hostGroups": [{"name": "mon", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}],
         "prometheus": \(prometheus)\(am)}
        """, to: dir + "/s.json")
        return dir
    }

    func load(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? { loadScenarioFolder(dir, file: file, line: line) }

    func errors(_ dir: String, file: StaticString = #filePath, line: UInt = #line) -> [ScenarioError] { scenarioFolderErrors(dir, file: file, line: line) }

    /// The one error of loading `flags` (a JSON object's text) for Prometheus; it must name `path` and contain `parts`.
    func assertFlagsError(_ flags: String, path: String, _ parts: [String], alertmanager: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        let dir = alertmanager ? Self.folder(alertmanager: #"{"hosts": ["mon-01", "mon-02"], "config": \#(Self.amConfig), "flags": \#(flags)}"#)
                               : Self.folder(prometheus: #"{"flags": \#(flags)}"#)
        let e = errors(dir, file: file, line: line)
        XCTAssertEqual(e.count, 1, "\(e)", file: file, line: line)
        guard let first = e.first else { return }
        XCTAssertEqual(first.path, path, "\(first)", file: file, line: line)
        for p in parts { XCTAssertTrue(first.message.contains(p), "\(first.message) lacks \(p)", file: file, line: line) }
    }

    func flagsLoad(_ flags: String, alertmanager: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> LoadedScenario? {
        let dir = alertmanager ? Self.folder(alertmanager: #"{"hosts": ["mon-01", "mon-02"], "config": \#(Self.amConfig), "flags": \#(flags)}"#)
                               : Self.folder(prometheus: #"{"flags": \#(flags)}"#)
        return load(dir, file: file, line: line)
    }

    func accepted(_ l: LoadedScenario) -> [String] { l.warnings.filter { $0.contains("flags accepted but not modelled") } }

    // MARK: Prometheus, the flags object

    func testTheFlagsOfADebianServerLoadWithOneWarning() throws {
        let l = try XCTUnwrap(flagsLoad("""
        {"config.file": "/etc/prometheus/prometheus.yml", "storage.tsdb.path": "/var/lib/prometheus/metrics2/",
         "storage.tsdb.retention.time": "30d", "storage.tsdb.retention.size": "50GB", "web.listen-address": "0.0.0.0:9090",
         "web.external-url": "https://mon.example.org/prometheus", "web.enable-lifecycle": true, "web.enable-admin-api": "false",
         "web.console.templates": "/etc/prometheus/consoles", "log.level": "warn", "log.format": "json",
         "query.max-samples": "5e7", "enable-feature": ["exemplar-storage", "native-histograms"],
         "query.lookback-delta": "10m", "rules.alert.resend-delay": "30s"}
        """))
        XCTAssertEqual(accepted(l).count, 1, "\(l.warnings)")
        XCTAssertTrue(accepted(l).first?.hasSuffix("flags accepted but not modelled: config.file, enable-feature, log.format, log.level, query.max-samples, storage.tsdb.path, storage.tsdb.retention.size, storage.tsdb.retention.time, web.console.templates, web.enable-admin-api, web.enable-lifecycle, web.external-url, web.listen-address") ?? false, "\(l.warnings)")
        XCTAssertEqual(l.warnings.count, 1, "\(l.warnings)")
        XCTAssertEqual(l.spec.prometheus?.flags.lookbackDelta, .minutes(10))
        XCTAssertEqual(l.spec.prometheus?.flags.resendDelay, .seconds(30))
    }

    func testValuesAsEachFlagTypeParsesThem() {
        // model.Duration (prometheus/common): no fractions, units y w d h m s ms
        XCTAssertNotNil(flagsLoad(#"{"storage.tsdb.retention.time": "1y2w"}"#))
        assertFlagsError(#"{"storage.tsdb.retention.time": "1.5h"}"#, path: #"prometheus.flags["storage.tsdb.retention.time"]"#,
                         ["Error parsing commandline arguments: not a valid duration string: \"1.5h\""])
        assertFlagsError(#"{"web.read-timeout": ""}"#, path: #"prometheus.flags["web.read-timeout"]"#, ["empty duration string"])
        // time.Duration (kingpin Duration()): Go's units, fractions, no days
        XCTAssertNotNil(flagsLoad(#"{"scrape.timestamp-tolerance": "1.5ms"}"#))
        assertFlagsError(#"{"scrape.timestamp-tolerance": "1d"}"#, path: #"prometheus.flags["scrape.timestamp-tolerance"]"#, [#"time: unknown unit "d" in duration "1d""#])
        assertFlagsError(#"{"scrape.timestamp-tolerance": "5"}"#, path: #"prometheus.flags["scrape.timestamp-tolerance"]"#, [#"time: missing unit in duration "5""#])
        // bool: strconv.ParseBool for a string; a JSON boolean
        XCTAssertNotNil(flagsLoad(#"{"web.enable-lifecycle": "T", "storage.tsdb.no-lockfile": false}"#))
        assertFlagsError(#"{"web.enable-lifecycle": "yes"}"#, path: #"prometheus.flags["web.enable-lifecycle"]"#, [#"strconv.ParseBool: parsing "yes": invalid syntax"#])
        assertFlagsError(#"{"web.enable-lifecycle": 1}"#, path: #"prometheus.flags["web.enable-lifecycle"]"#, ["expected a boolean"])
        // int: kingpin v2.2.6 reads it with strconv.ParseFloat ("5e7", "1_000" load) and truncates
        XCTAssertNotNil(flagsLoad(#"{"query.max-samples": "1_000.9", "query.max-concurrency": 8}"#))
        assertFlagsError(#"{"query.max-samples": "lots"}"#, path: #"prometheus.flags["query.max-samples"]"#, [#"strconv.ParseFloat: parsing "lots": invalid syntax"#])
        assertFlagsError(#"{"query.max-samples": "1e400"}"#, path: #"prometheus.flags["query.max-samples"]"#, ["value out of range"])
        assertFlagsError(#"{"query.max-samples": 1.5}"#, path: #"prometheus.flags["query.max-samples"]"#, ["expected an integer"])
        // units.Base2Bytes: a unit is required; KB and KiB are 1024
        XCTAssertNotNil(flagsLoad(#"{"storage.tsdb.retention.size": "1.5GiB", "storage.tsdb.wal-segment-size": "128MB"}"#))
        assertFlagsError(#"{"storage.tsdb.retention.size": "512"}"#, path: #"prometheus.flags["storage.tsdb.retention.size"]"#, ["units: unknown unit  in 512"])
        assertFlagsError(#"{"storage.tsdb.retention.size": "5kB"}"#, path: #"prometheus.flags["storage.tsdb.retention.size"]"#, ["units: unknown unit kB in 5kB"])
        // promlog's level and format
        assertFlagsError(#"{"log.level": "verbose"}"#, path: #"prometheus.flags["log.level"]"#, [#"unrecognized log level "verbose""#])
        assertFlagsError(#"{"log.format": "text"}"#, path: #"prometheus.flags["log.format"]"#, [#"unrecognized log format "text""#])
        // a repeatable flag: a string or strings
        XCTAssertNotNil(flagsLoad(#"{"enable-feature": "exemplar-storage,extra-scrape-metrics"}"#))
        assertFlagsError(#"{"enable-feature": [1]}"#, path: #"prometheus.flags.enable-feature[0]"#, ["expected a string"])
    }

    func testKingpinsErrorsAndTheBinarysChecks() throws {
        assertFlagsError(#"{"storage.tsdb.retentoin.time": "30d"}"#, path: #"prometheus.flags["storage.tsdb.retentoin.time"]"#,
                         ["Error parsing commandline arguments: unknown long flag '--storage.tsdb.retentoin.time'", #"did you mean "storage.tsdb.retention.time"?"#])
        assertFlagsError(#"{"help": true}"#, path: #"prometheus.flags.help"#, ["prints its usage and exits"])
        // main.go after the parse
        assertFlagsError(#"{"web.listen-address": "9090"}"#, path: #"prometheus.flags["web.listen-address"]"#, [#"parse external URL "": address 9090: missing port in address"#])
        XCTAssertNotNil(flagsLoad(#"{"web.listen-address": ":9090"}"#))
        assertFlagsError(#"{"web.external-url": "'http://mon/'"}"#, path: #"prometheus.flags["web.external-url"]"#, ["URL must not begin or end with quotes"])
        assertFlagsError(#"{"web.cors.origin": "https?://(a|b"}"#, path: #"prometheus.flags["web.cors.origin"]"#, ["could not compile CORS regex string", "missing closing )"])
        assertFlagsError(#"{"storage.agent.path": "/var/lib/agent"}"#, path: #"prometheus.flags["storage.agent.path"]"#,
                         [#"The following flag(s) can only be used in agent mode: ["--storage.agent.path"]"#])
        assertFlagsError(#"{"enable-feature": ["agent"]}"#, path: #"prometheus.flags.enable-feature"#, ["agent mode"])
        let l = try XCTUnwrap(flagsLoad(#"{"enable-feature": "promql-at-modifier,exemplar-storag"}"#))
        XCTAssertEqual(l.warnings.filter { $0.contains("Unknown option for --enable-feature: \"exemplar-storag\"") && $0.contains(#"did you mean "exemplar-storage"?"#) }.count, 1, "\(l.warnings)")
        XCTAssertEqual(l.warnings.filter { $0.contains("permanently enabled and therefore a no-op: promql-at-modifier") }.count, 1, "\(l.warnings)")
    }

    func testDeprecatedFlagsLoadWithTheBinarysWarning() throws {
        let l = try XCTUnwrap(flagsLoad(#"{"storage.tsdb.retention": "15d", "alertmanager.timeout": "10s", "storage.tsdb.allow-overlapping-blocks": true}"#))
        XCTAssertEqual(l.warnings.filter { $0.contains("'storage.tsdb.retention' flag is deprecated use 'storage.tsdb.retention.time' instead.") }.count, 1, "\(l.warnings)")
        XCTAssertEqual(l.warnings.filter { $0.contains("The flag --alertmanager.timeout has no effect") }.count, 1, "\(l.warnings)")
        XCTAssertTrue(accepted(l).first?.hasSuffix("alertmanager.timeout, storage.tsdb.allow-overlapping-blocks, storage.tsdb.retention") ?? false, "\(l.warnings)")
    }

    func testTheModelledFlagsKeepTheirChecks() {
        assertFlagsError(#"{"query.lookback-delta": "0s"}"#, path: #"prometheus.flags["query.lookback-delta"]"#, ["more than 0s"])
        assertFlagsError(#"{"rules.alert.for-grace-period": "2y"}"#, path: #"prometheus.flags["rules.alert.for-grace-period"]"#, ["at most 1y"])
        assertFlagsError(#"{"query.lookback-delta": "5 m"}"#, path: #"prometheus.flags["query.lookback-delta"]"#, [#"not a valid duration string: "5 m""#])
    }

    // MARK: Prometheus, flags as deployed

    func testADebianUnitWithItsEnvironmentFile() throws {
        let dir = Self.folder(prometheus: """
        {"flagsFrom": [{"commandLine": "/usr/bin/prometheus $ARGS --storage.tsdb.retention.time 30d --web.enable-lifecycle --no-storage.tsdb.no-lockfile --query.lookback-delta=2m"},
                       {"environmentFile": "default/prometheus"}],
         "flags": {"rules.alert.resend-delay": "45s"}}
        """, files: ["default/prometheus": """
        # Set the command-line arguments to pass to the server.
        # Due to shell escaping, to pass backslashes for regexes, you need to double
        # them (\\\\d for \\d). If running under systemd, you need to double them again
        # (\\\\\\\\d to mean \\d), and escape newlines too.
        ARGS="--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus/metrics2/ --enable-feature=exemplar-storage --enable-feature=native-histograms"
        """])
        let l = try XCTUnwrap(load(dir))
        XCTAssertEqual(l.spec.prometheus?.flags.lookbackDelta, .minutes(2))
        XCTAssertEqual(l.spec.prometheus?.flags.resendDelay, .seconds(45))
        XCTAssertEqual(accepted(l).count, 1, "\(l.warnings)")
        XCTAssertTrue(accepted(l).first?.hasSuffix("config.file, enable-feature, storage.tsdb.no-lockfile, storage.tsdb.path, storage.tsdb.retention.time, web.enable-lifecycle") ?? false, "\(l.warnings)")
        // the scenario's flags win over the deployed ones
        let own = Self.folder(prometheus: #"{"flagsFrom": [{"commandLine": "prometheus --query.lookback-delta=2m"}], "flags": {"query.lookback-delta": "7m"}}"#)
        XCTAssertEqual(load(own)?.spec.prometheus?.flags.lookbackDelta, .minutes(7))
        // only the environment file: its ARGS is the command line, as the Debian unit's ExecStart
        let envOnly = Self.folder(prometheus: #"{"flagsFrom": [{"environmentFile": "default/prometheus"}]}"#,
                                  files: ["default/prometheus": "ARGS='--query.lookback-delta=3m --web.listen-address=:9091'\n"])
        XCTAssertEqual(load(envOnly)?.spec.prometheus?.flags.lookbackDelta, .minutes(3))
        let none = Self.folder(prometheus: #"{"flagsFrom": [{"environmentFile": "default/prometheus"}]}"#, files: ["default/prometheus": "OTHER=1\n"])
        XCTAssertTrue(errors(none).first?.message.contains("ARGS") ?? false)
    }

    func testKingpinsCommandLineRules() {
        func commandLineError(_ line: String, file: StaticString = #filePath, l: UInt = #line) -> ScenarioError? {
            let dir = Self.folder(prometheus: #"{"flagsFrom": [{"commandLine": \#(JSONValue.quote(line))}]}"#)
            let e = errors(dir, file: file, line: l)
            XCTAssertEqual(e.count, 1, "\(e)", file: file, line: l)
            return e.first
        }
        // a boolean takes no value on a command line: `--x=true` leaves "true" as an argument
        XCTAssertEqual(commandLineError("prometheus --web.enable-lifecycle=true")?.message,
                       "Error parsing commandline arguments: unexpected true (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus --no-config.file")?.message.hasPrefix("Error parsing commandline arguments: unknown long flag '--no-config.file'"), true)
        XCTAssertEqual(commandLineError("prometheus --storage.tsdb.retentoin.time=30d")?.message,
                       #"Error parsing commandline arguments: unknown long flag '--storage.tsdb.retentoin.time' (prometheus exits); did you mean "storage.tsdb.retention.time"?"#)
        XCTAssertEqual(commandLineError("prometheus --config.file")?.message, "Error parsing commandline arguments: expected argument for flag '--config.file' (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus --config.file --web.enable-lifecycle")?.message, "Error parsing commandline arguments: expected argument for flag '--config.file' (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus --config.file=a.yml extra")?.message, "Error parsing commandline arguments: unexpected extra (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus -- --config.file=a.yml")?.message, "Error parsing commandline arguments: unexpected --config.file=a.yml (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus -x")?.message, "Error parsing commandline arguments: unknown short flag '-x' (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus --web.page-title -")?.message, "Error parsing commandline arguments: expected argument for flag '--web.page-title' (prometheus exits)")
        XCTAssertEqual(commandLineError("prometheus --config.file=a.yml --config.file=b.yml")?.message, "Error parsing commandline arguments: flag 'config.file' cannot be repeated (prometheus exits)")
        XCTAssertTrue(commandLineError("prometheus -h")?.message.contains("prints its usage and exits") ?? false)
        XCTAssertTrue(commandLineError("prometheus @args.txt")?.message.contains("argument files are not read here") ?? false)
        // values are still parsed by their type, at the command line's place
        XCTAssertTrue(commandLineError("prometheus --storage.tsdb.retention.time=1.5h")?.message.contains(#"not a valid duration string: "1.5h""#) ?? false)
        // what loads: --no-<bool>, a value that starts with "-" after "=", "--" before a value (every
        // later word is an argument then: "unexpected")
        XCTAssertNotNil(load(Self.folder(prometheus: #"{"flagsFrom": [{"commandLine": "prometheus --no-web.enable-lifecycle --web.route-prefix=-/ --web.page-title -- -x-"}]}"#)))
        XCTAssertEqual(commandLineError("prometheus --web.page-title -- -x- --web.route-prefix=/")?.message, "Error parsing commandline arguments: unexpected --web.route-prefix=/ (prometheus exits)")
        // no flag folders for kingpin's programs
        let dir = Self.folder(prometheus: #"{"flagsFrom": [{"folder": "etc"}]}"#)
        XCTAssertTrue(errors(dir).first?.message.contains("no flag folder") ?? false)
    }

    // MARK: Alertmanager

    func testAlertmanagersFlagsLoadWithOneWarning() throws {
        let l = try XCTUnwrap(flagsLoad("""
        {"config.file": "/etc/prometheus/alertmanager.yml", "storage.path": "/var/lib/prometheus/alertmanager",
         "web.listen-address": [":9093"], "web.external-url": "http://mon-01:9093/", "cluster.listen-address": "0.0.0.0:9094",
         "cluster.peer": ["mon-01:9094", "mon-02:9094"], "cluster.peer-timeout": "20s", "cluster.pushpull-interval": "1m0s",
         "log.level": "info", "web.get-concurrency": "4"}
        """, alertmanager: true))
        XCTAssertEqual(l.spec.alertmanager?.peerTimeout, .seconds(20))
        XCTAssertEqual(accepted(l).count, 1, "\(l.warnings)")
        XCTAssertTrue(accepted(l).first?.hasSuffix("flags accepted but not modelled: cluster.peer, cluster.pushpull-interval, config.file, log.level, storage.path, web.external-url, web.get-concurrency, web.listen-address") ?? false, "\(l.warnings)")
        // Go durations (kingpin Duration()), not Prometheus' days
        assertFlagsError(#"{"data.retention": "5d"}"#, path: #"alertmanager.flags["data.retention"]"#,
                         [#"alertmanager: error: time: unknown unit "d" in duration "5d", try --help"#], alertmanager: true)
        assertFlagsError(#"{"cluster.gossip-interval": "fast"}"#, path: #"alertmanager.flags["cluster.gossip-interval"]"#, [#"time: invalid duration "fast""#], alertmanager: true)
        assertFlagsError(#"{"cluster.peer-timout": "1s"}"#, path: #"alertmanager.flags["cluster.peer-timout"]"#,
                         ["alertmanager: error: unknown long flag '--cluster.peer-timout', try --help", #"did you mean "cluster.peer-timeout"?"#], alertmanager: true)
        // run()'s checks
        assertFlagsError(#"{"web.external-url": "mon-01:9093"}"#, path: #"alertmanager.flags["web.external-url"]"#,
                         [#"failed to determine external URL: "mon-01:9093": invalid "mon-01" scheme, only 'http' and 'https' are supported"#], alertmanager: true)
        assertFlagsError(#"{"cluster.listen-address": "0.0.0.0"}"#, path: #"alertmanager.flags["cluster.listen-address"]"#,
                         ["unable to initialize gossip mesh: invalid listen address: address 0.0.0.0: missing port in address"], alertmanager: true)
        assertFlagsError(#"{"cluster.listen-address": ""}"#, path: #"alertmanager.flags["cluster.listen-address"]"#, ["disables HA mode"], alertmanager: true)
        assertFlagsError(#"{"web.listen-address": "localhost"}"#, path: #"alertmanager.flags["web.listen-address"]"#, ["address localhost: missing port in address"], alertmanager: true)
    }

    func testAlertmanagerAsDeployed() throws {
        let dir = Self.folder(alertmanager: """
        {"hosts": ["mon-01", "mon-02"], "config": \(Self.amConfig),
         "flagsFrom": [{"environmentFile": "default/prometheus-alertmanager"},
                       {"commandLine": "/usr/bin/prometheus-alertmanager $ARGS --cluster.peer=mon-01:9094 --cluster.peer mon-02:9094 --cluster.peer-timeout=30s"}]}
        """, files: ["default/prometheus-alertmanager": #"ARGS="--storage.path=/var/lib/prometheus/alertmanager --data.retention=240h""# + "\n"])
        let l = try XCTUnwrap(load(dir))
        XCTAssertEqual(l.spec.alertmanager?.peerTimeout, .seconds(30))
        XCTAssertEqual(l.spec.alertmanager?.retention, .hours(240))
        XCTAssertTrue(accepted(l).first?.hasSuffix("flags accepted but not modelled: cluster.peer, storage.path") ?? false, "\(l.warnings)")
        let bad = Self.folder(alertmanager: """
        {"hosts": ["mon-01"], "config": \(Self.amConfig), "flagsFrom": [{"commandLine": "alertmanager --cluster.peer-timeout=1m --cluster.peer-timeout=2m"}]}
        """)
        XCTAssertEqual(errors(bad).first?.message, "alertmanager: error: flag 'cluster.peer-timeout' cannot be repeated, try --help (alertmanager exits)")
    }
}
