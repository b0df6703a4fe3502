@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// The `prometheus` and `alertmanager` jobs of the example prometheus.yml files scrape the
/// server's own /metrics (`localhost:9090`) and each Alertmanager's (:9093). They answer (`up` 1)
/// with a few of the real families (PrometheusSelfMetrics.swift, AlertmanagerMetrics.swift); before,
/// both targets were refused at every scrape and a rule on `up == 0` fired and paged on them.
final class PrometheusSelfMetricsTests: XCTestCase {
    func simulate(extraJobs: String = "") throws -> (fired: [String], p: PrometheusServer) {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(#"""
            {"groups": [{"name": "self", "rules": [
              {"alert": "TargetDown", "expr": "up{instance!=\"slave-01:9090\"} == 0"},
              {"alert": "Unserved", "expr": "up{instance=\"slave-01:9090\"} == 0"},
              {"alert": "NodePool", "expr": "prometheus_target_scrape_pool_targets{scrape_job=\"node\"} == 2"},
              {"alert": "RuleGroup", "expr": "prometheus_rule_group_rules{rule_group=\"rules.json;self\"} == 6"},
              {"alert": "AMBuilt", "expr": "alertmanager_build_info{version=\"0.25.0\"} == 1 and on(instance) alertmanager_peer_position == 0 and on(instance) alertmanager_cluster_members == 1"},
              {"alert": "AMSent", "expr": "alertmanager_notifications_total{integration=\"webhook\"} > 0 and on() alertmanager_notifications_total{integration=\"email\"} == 0"}]}]}
            """#, to: dir + "/rules.json")
        let text = """
            {"name": "self", "seed": 3, "duration": "5m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "mon", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"}],
             "alertmanager": {"hosts": ["mon-01"], "config": {"route": {"receiver": "hook", "group_wait": "10s"}, "receivers": [{"name": "hook", "webhook_configs": [{"url": "http://hook:8080/"}]}]}},
             "prometheus": {"host": "mon-01",
               "config": {"global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["rules.json"],
                          "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["mon-01:9093"]}]}]},
                          "scrape_configs": [{"job_name": "prometheus", "static_configs": [{"targets": ["localhost:9090"]}]},
                                             {"job_name": "alertmanager", "static_configs": [{"targets": ["mon-01:9093"]}]},
                                             {"job_name": "node", "static_configs": [{"targets": ["slave-01:9100", "slave-02:9100"]}]}\(extraJobs)]}}}
            """
        let s = try XCTUnwrap(loadOK(text, baseDirectory: dir))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let p = try XCTUnwrap(m.subsystem(PrometheusServer.self))
        return (Array(Set(p.firings.map(\.alert))).sorted(), p)
    }

    func testPrometheusAndAlertmanagerServeTheirOwnMetrics() throws {
        let r = try simulate()
        XCTAssertEqual(r.fired, ["AMBuilt", "AMSent", "NodePool", "RuleGroup"], "no target is down; each family has its value")
    }

    func testOtherAddressesOfTheServerAnswerAndAnUnservedPortDoesNot() throws {
        // 127.0.0.1 and [::1] are the server too; slave-01:9090 serves nothing
        let r = try simulate(extraJobs: #", {"job_name": "more", "static_configs": [{"targets": ["127.0.0.1:9090", "[::1]:9090", "slave-01:9090"]}]}"#)
        XCTAssertEqual(r.fired, ["AMBuilt", "AMSent", "NodePool", "RuleGroup", "Unserved"])
    }
}
