@testable import ClusterModel
@testable import Scenario
import SimKernel
import XCTest

/// A Prometheus server restarted while an alert is pending takes the alert's `for` state back from
/// the ALERTS_FOR_STATE series its TSDB kept (rules/manager.go RestoreForState, 2.42), after the
/// restarted process' second evaluation; `--rules.alert.for-grace-period` and
/// `--rules.alert.for-outage-tolerance` decide when it does not.
final class PrometheusRestoreTests: XCTestCase {
    /// slave-01 crashes at 5m; Prometheus' host reboots at 12m and is down 3m; HostDown has `for`
    /// 20m; scrapes and evaluations every 15s. Returns when HostDown first fires (s).
    func firesAt(flags: String = "") throws -> Double? {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(#"{"groups": [{"name": "hosts", "rules": [{"alert": "HostDown", "expr": "up{job=\"node\"} == 0", "for": "20m"}]}]}"#,
              to: dir + "/rules.json")
        let text = """
            {"name": "restore", "seed": 3, "duration": "50m",
             "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "100GB"},
                            {"name": "slave", "count": 2, "cpus": 8, "memory": "32GiB", "disk": "500GB"},
                            {"name": "monitor", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "100GB"}],
             "faults": [{"at": "5m", "kind": "hostCrash", "host": "slave-01"},
                        {"at": "12m", "kind": "hostReboot", "host": "monitor-01", "downFor": "3m"}],
             "prometheus": {"host": "monitor-01", "flags": {\(flags)},
               "config": {"global": {"scrape_interval": "15s", "evaluation_interval": "15s"}, "rule_files": ["rules.json"],
                          "scrape_configs": [{"job_name": "node", "static_configs": [{"targets": ["slave-01:9100", "slave-02:9100"]}]}]}}}
            """
        let s = try XCTUnwrap(loadOK(text, baseDirectory: dir))
        let m = ClusterSimulation(spec: s.spec, observer: MemoryObserver())
        m.run()
        let p = try XCTUnwrap(m.subsystem(PrometheusServer.self))
        XCTAssertEqual(p.restarts, 1)
        return p.firings.first { $0.alert == "HostDown" }?.time.seconds
    }

    func testAPendingAlertKeepsItsTimeAcrossARestart() throws {
        // pending at 325.495 s (ActiveAt 325 s as ALERTS_FOR_STATE stores it), last sample at
        // 715.495 s, restored after the second evaluation at 925.495 s: 810 s of `for` were left
        // (more than the 10m grace), so ActiveAt moves by the time down, 925.495 s + the restore's
        // lag (RestoreForState(time.Now()) runs after that evaluation) - 715 s: ActiveAt + 20m is
        // just after the evaluation at 1735.495 s, so it fires at the next one, 1750.495 s (without
        // the restore: 910.495 + 1200 s)
        XCTAssertEqual(try XCTUnwrap(try firesAt()), 1750.495, accuracy: 1e-3)
    }

    func testGraceAndToleranceFlagsDecideWhetherItIsRestored() throws {
        // `for` 20m is shorter than a 30m grace period: not restored, the alert waits 20m from the
        // restarted process' first evaluation
        XCTAssertEqual(try XCTUnwrap(try firesAt(flags: #""rules.alert.for-grace-period": "30m""#)), 910.495 + 1200, accuracy: 1e-3)
        // the last sample (715 s) is older than a 3m outage tolerance at the restore (925.495 s)
        XCTAssertEqual(try XCTUnwrap(try firesAt(flags: #""rules.alert.for-outage-tolerance": "3m""#)), 910.495 + 1200, accuracy: 1e-3)
    }
}
