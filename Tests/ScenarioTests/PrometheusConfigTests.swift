import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import TestSupport
import XCTest

/// The `prometheus` section and prometheus.yml written as JSON: Prometheus 2.42's defaults, its
/// refusals with their reasons and JSON paths, and agreement with the real `promtool check config`.
final class PrometheusConfigTests: XCTestCase {
    static let hosts = """
        "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                       {"name": "slave", "count": 4, "cpus": 8, "memory": "32GiB", "disk": "500GB"}]
        """

    func scenario(_ prometheus: String) -> String {
        "{\"name\": \"t\", \"duration\": \"1h\", \(Self.hosts), \"prometheus\": \(prometheus)}"
    }

    func inline(_ config: String) -> String { scenario("{\"host\": \"master-01\", \"config\": \(config)}") }

    func testDefaultsAreThoseOfConfigGo() throws {
        let s = try XCTUnwrap(loadOK(inline("""
            {"global": {"scrape_interval": "5s"}, "scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["slave-01:9100"]}]},
             {"job_name": "b", "scrape_interval": "30s"}]}
            """))).spec.prometheus!
        XCTAssertEqual(s.config.scrapeTimeout, .seconds(5), "global timeout defaults to min(10s, interval)")
        XCTAssertEqual(s.config.evaluationInterval, .minutes(1))
        XCTAssertEqual(s.config.scrapeConfigs[0].interval, .seconds(5))
        XCTAssertEqual(s.config.scrapeConfigs[0].timeout, .seconds(5))
        XCTAssertEqual(s.config.scrapeConfigs[1].timeout, .seconds(5), "a job's timeout defaults to the global one")
        XCTAssertEqual(s.config.scrapeConfigs[0].metricsPath, "/metrics")
        XCTAssertEqual(s.config.scrapeConfigs[0].scheme, "http")
        XCTAssertEqual(s.startMs, PromTime.defaultBaseMs)
        XCTAssertEqual(s.flags, PrometheusFlags())
        XCTAssertEqual(s.flags.lookbackDelta, .minutes(5))
        XCTAssertEqual(s.record, .none)
        let d = try XCTUnwrap(loadOK(scenario("{}"))).spec.prometheus!
        XCTAssertEqual(d.host, "master-01", "the first host of the first group")
        XCTAssertEqual(d.config, PrometheusConfig())
    }

    func testRefusalsCarryPrometheusReasonsAndPaths() {
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "scrape_interval": "10s", "scrape_timeout": "20s"}]}"#),
                          path: "prometheus.config.scrape_configs[0].scrape_timeout", ["scrape timeout greater than scrape interval for scrape config with job name \"a\""])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a"}, {"job_name": "a"}]}"#),
                          path: "prometheus.config.scrape_configs[1].job_name", ["found multiple scrape configs with job name \"a\""])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "scrape_intervall": "1m"}]}"#),
                          path: "prometheus.config.scrape_configs[0].scrape_intervall", ["field scrape_intervall not found in type config.ScrapeConfig"])
        assertSingleError(inline(#"{"global": {"scrape_interval": "1.5m"}}"#), path: "prometheus.config.global.scrape_interval", ["not a valid duration string: \"1.5m\""])
        assertSingleError(inline(#"{"global": {"scrape_interval": "5s", "scrape_timeout": "6s"}}"#), path: "prometheus.config.global.scrape_timeout", ["global scrape timeout greater than scrape interval"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": ""}]}"#), path: "prometheus.config.scrape_configs[0].job_name", ["job_name is empty"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "hashmod", "target_label": "x"}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0]", ["relabel configuration for hashmod requires non-zero modulus"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"source_labels": ["a"]}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0]", ["relabel configuration for replace action requires 'target_label' value"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "keepp"}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0].action", ["unknown relabel action \"keepp\""])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "drop", "regex": "(["}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0].regex", ["error parsing regexp"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "labeldrop", "regex": "x", "target_label": "y"}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0]", ["labeldrop action requires only 'regex', and no other fields"])
        assertSingleError(inline(#"{"rule_files": ["a/*/b.json"]}"#), path: "prometheus.config.rule_files[0]", ["invalid rule file path \"a/*/b.json\""])
        assertSingleError(inline(#"{"global": {"external_labels": {"1dc": "x"}}}"#), path: "prometheus.config.global.external_labels.1dc", ["is not a valid label name"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["http://x:1"]}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].static_configs[0].targets[0]", ["is not a valid hostname"])
        assertSingleError(inline(#"{"scrape_configs": [{"job_name": "a", "marathon_sd_configs": [{}]}]}"#),
                          path: "prometheus.config.scrape_configs[0].marathon_sd_configs[0]", ["must contain at least one Marathon server"])
        assertSingleError(inline(#"{"alerting": {"alertmanagers": [{"api_version": "v3"}]}}"#),
                          path: "prometheus.config.alerting.alertmanagers[0].api_version", ["expected Alertmanager api version to be one of [v1 v2] but got v3"])
    }

    func testSectionKeysAreRangeChecked() {
        assertSingleError(scenario(#"{"host": "master-9"}"#), path: "prometheus.host", ["no host named \"master-9\""])
        assertSingleError(scenario(#"{"startTime": "yesterday"}"#), path: "prometheus.startTime", ["RFC 3339"])
        assertSingleError(scenario(#"{"record": "some"}"#), path: "prometheus.record", ["some"])
        assertSingleError(scenario(#"{"flags": {"query.lookback-delta": "0s"}}"#), path: #"prometheus.flags["query.lookback-delta"]"#, ["more than 0s"])
        assertSingleError(scenario(#"{"flags": {"query.lookback": "5m"}}"#), path: #"prometheus.flags["query.lookback"]"#, ["unknown long flag '--query.lookback'"])
        assertSingleError(scenario(#"{"exporters": {"node": {"hosts": ["slave-01"], "hostGroups": ["slave"]}}}"#), path: "prometheus.exporters.node", ["not both"])
        assertSingleError(scenario(#"{"exporters": {"node": {"port": 70000}}}"#), path: "prometheus.exporters.node.port", ["70000"])
        assertSingleError(scenario(#"{"config": 3}"#), path: "prometheus.config", ["a path to prometheus.yml"])
        let s = loadOK(scenario(#"{"startTime": "2019-03-01T12:00:00Z", "record": "rules", "exporters": {"cadvisor": false, "node": {"hostGroups": ["slave"], "port": 9200}}}"#))?.spec.prometheus
        XCTAssertEqual(s?.startMs, 1_551_441_600_000)
        XCTAssertEqual(s?.exporters, [ExporterPlacement(kind: .cadvisor, enabled: false), ExporterPlacement(kind: .node, hostGroups: ["slave"], port: 9200)])
    }

    func testAcceptedButUnusedFieldsWarn() throws {
        let l = try XCTUnwrap(loadOK(inline(#"{"remote_write": [{"url": "http://x"}], "scrape_configs": [{"job_name": "a", "tls_config": {}, "label_limit": 5}]}"#)))
        XCTAssertEqual(l.warnings.filter { $0.contains("accepted by Prometheus, not used by the simulator") }.count, 3, "\(l.warnings)")
    }

    /// `sample_limit` (uint) and `honor_timestamps` (bool, default true) are read as config.go 2.42
    /// and yaml.v2 read them, with promtool 2.42's verdicts: a float loads truncated, a negative
    /// float wraps to no limit, a negative integer, a string, a boolean or 1e30 are refused.
    func testSampleLimitAndHonorTimestampsAreRead() throws {
        func job(_ extra: String) -> String {
            inline(#"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["slave-01:9100"]}]"# + extra + "}]}")
        }
        let d = try XCTUnwrap(loadOK(job(""))).spec.prometheus!.config.scrapeConfigs[0]
        XCTAssertEqual(d.sampleLimit, 0)
        XCTAssertTrue(d.honorTimestamps)
        let l = try XCTUnwrap(loadOK(job(#", "sample_limit": 500, "honor_timestamps": false"#)))
        XCTAssertEqual(l.spec.prometheus!.config.scrapeConfigs[0].sampleLimit, 500)
        XCTAssertFalse(l.spec.prometheus!.config.scrapeConfigs[0].honorTimestamps)
        XCTAssertFalse(l.warnings.contains { $0.contains("sample_limit") || $0.contains("honor_timestamps") }, "\(l.warnings)")
        for (v, limit) in [("1.5", 1), ("-1.5", 0), ("-0.5", 0), ("1e3", 1000), ("null", 0), ("0", 0)] {
            XCTAssertEqual(loadOK(job(#", "sample_limit": "# + v))?.spec.prometheus!.config.scrapeConfigs[0].sampleLimit, limit, v)
        }
        for (v, reason) in [("-1", "cannot unmarshal !!int `-1` into uint"), (#""10""#, "cannot unmarshal !!str `10` into uint"),
                            ("true", "cannot unmarshal !!bool `true` into uint"), ("1e30", "cannot unmarshal !!float `1e30` into uint")] {
            assertSingleError(job(#", "sample_limit": "# + v), path: "prometheus.config.scrape_configs[0].sample_limit", [reason])
        }
        assertSingleError(job(#", "honor_timestamps": "no""#), path: "prometheus.config.scrape_configs[0].honor_timestamps", ["into bool"])
        XCTAssertEqual(loadOK(job(#", "target_limit": 40"#))?.spec.prometheus!.config.scrapeConfigs[0].targetLimit, 40)
        XCTAssertFalse(loadOK(job(#", "target_limit": 40"#))?.warnings.contains { $0.contains("target_limit") } ?? true)
        assertSingleError(job(#", "target_limit": -1"#), path: "prometheus.config.scrape_configs[0].target_limit", ["cannot unmarshal !!int `-1` into uint"])
        assertSingleError(job(#", "target_limit": "10""#), path: "prometheus.config.scrape_configs[0].target_limit", ["cannot unmarshal !!str `10` into uint"])
    }

    /// consul_sd_configs' `refresh_interval`, `allow_stale` and `tag_separator` are read (defaults
    /// 30s, true, ","); a non-positive refresh_interval is refused (Prometheus loads it and its
    /// discoverer panics in time.NewTicker), a non-boolean allow_stale or a non-string separator
    /// as yaml.v2 refuses them.
    func testConsulSDKeysAreRead() throws {
        func sd(_ extra: String) -> String {
            inline(#"{"scrape_configs": [{"job_name": "a", "consul_sd_configs": [{"services": ["web"]"# + extra + "}]}]}")
        }
        let d = try XCTUnwrap(loadOK(sd(""))).spec.prometheus!.config.scrapeConfigs[0].consulSD[0]
        XCTAssertEqual(d.refreshInterval, .seconds(30))
        XCTAssertTrue(d.allowStale)
        XCTAssertEqual(d.tagSeparator, ",")
        let l = try XCTUnwrap(loadOK(sd(#", "refresh_interval": "1m", "allow_stale": false, "tag_separator": ";""#)))
        let c = l.spec.prometheus!.config.scrapeConfigs[0].consulSD[0]
        XCTAssertEqual(c.refreshInterval, .minutes(1))
        XCTAssertFalse(c.allowStale)
        XCTAssertEqual(c.tagSeparator, ";")
        XCTAssertFalse(l.warnings.contains { $0.contains("allow_stale") || $0.contains("tag_separator") || $0.contains("refresh_interval") }, "\(l.warnings)")
        let path = "prometheus.config.scrape_configs[0].consul_sd_configs[0]."
        assertSingleError(sd(#", "refresh_interval": "0s""#), path: path + "refresh_interval", ["refresh_interval must be positive"])
        assertSingleError(sd(#", "refresh_interval": "30""#), path: path + "refresh_interval", ["not a valid duration string"])
        assertSingleError(sd(#", "allow_stale": "no""#), path: path + "allow_stale", ["into bool"])
        assertSingleError(sd(#", "tag_separator": [","]"#), path: path + "tag_separator", ["into string"])
    }

    func testFilesBesideTheScenario() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(#"{"scrape_configs": [{"job_name": "n", "file_sd_configs": [{"files": ["t/*.json"]}]}]}"#, to: dir + "/mon/prom.json")
        write(#"[{"targets": ["slave-01:9100"], "labels": {"team": "ops"}}]"#, to: dir + "/mon/t/a.json")
        write(#"[{"targets": ["slave-02:9100"]}]"#, to: dir + "/mon/t/b.json")
        let s = try XCTUnwrap(loadOK(scenario(#"{"config": "mon/prom.json"}"#), baseDirectory: dir)).spec.prometheus!
        XCTAssertEqual(s.config.scrapeConfigs[0].staticGroups, [TargetGroup(targets: ["slave-01:9100"], labels: [MetricLabel("team", "ops")], file: "mon/t/a.json"),
                                                                TargetGroup(targets: ["slave-02:9100"], file: "mon/t/b.json")])
        write(#"{"scrape_configs": [{"job_name": "n",\#n "honor_labels": "yes"}]}"#, to: dir + "/mon/bad.json")
        let e = assertSingleError(scenario(#"{"config": "mon/bad.json"}"#), path: "scrape_configs[0].honor_labels", ["into bool"], baseDirectory: dir)
        XCTAssertEqual(e?.file, "mon/bad.json")
        XCTAssertEqual(e?.line, 2)
    }

    // MARK: promtool

    static func promtool() -> String? {
        for p in ["/usr/bin/promtool", "/usr/local/bin/promtool"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }

    static func promtoolCheckConfig(_ path: String) throws -> (Int32, String) {
        try ToolRun.run(try XCTUnwrap(promtool()), ["check", "config", path])
    }

    /// The shipped configuration passes `promtool check config` (which loads its rule files too)
    /// and loads here; a set of edge cases gets the same verdict from both.
    func testPromtoolAgreesOnShippedAndEdgeConfigs() throws {
        guard Self.promtool() != nil else { throw XCTSkip("promtool is not installed (Debian package prometheus): cannot run promtool check config") }
        let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/scenarios"
        let (rc, out) = try Self.promtoolCheckConfig(scenarios + "/monitoring/prometheus.json")
        XCTAssertEqual(rc, 0, out)
        XCTAssertNotNil(loadOK(scenario(#"{"config": "monitoring/prometheus.json"}"#), baseDirectory: scenarios))
        let cases = [
            #"{"global": {"scrape_interval": "30s", "scrape_timeout": "30s"}}"#,
            #"{"global": {"scrape_interval": "30s", "scrape_timeout": "31s"}}"#,
            #"{"global": {"scrape_interval": "1h30m"}}"#,
            #"{"global": {"scrape_interval": "90"}}"#,
            #"{"global": {"scrape_intervals": "1m"}}"#,
            #"{"scrape_configs": [{"job_name": "a", "scrape_timeout": "2m"}]}"#,
            #"{"scrape_configs": [{"job_name": "a"}, {"job_name": "a"}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "labelmap", "regex": "x", "replacement": "1bad"}]}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "replace", "target_label": "${1}ok", "regex": "(.*)"}]}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "labelkeep", "regex": "x", "separator": ","}]}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "relabel_configs": [{"action": "hashmod", "target_label": "s", "modulus": 8}]}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["a:1"], "labels": {"b-c": "x"}}]}]}"#,
            #"{"scrape_configs": [{"job_name": "a", "file_sd_configs": [{"files": ["x.txt"]}]}]}"#,
            #"{"rule_files": ["r/*/x.json"]}"#,
            #"{"alerting": {"alertmanagers": [{"static_configs": [{"targets": ["m:9093"]}], "timeout": "5s"}]}}"#,
        ]
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, c) in cases.enumerated() {
            write(c, to: dir + "/c\(i).json")
            let (rc, out) = try Self.promtoolCheckConfig(dir + "/c\(i).json")
            let ours = (try? ScenarioLoader.load(text: scenario("{\"config\": \"c\(i).json\"}"), baseDirectory: dir, fileName: "s.json")) != nil
            XCTAssertEqual(ours, rc == 0, "\(c): promtool says \(rc == 0 ? "valid" : "invalid"):\n\(out)")
        }
    }
}
