@testable import Scenario
import XCTest

/// A field the modelled release does not know is refused with the release named, so a user whose newer
/// Prometheus or Alertmanager takes the field reads why the simulator does not (docs/monitoring.md,
/// docs/alertmanager.md: prometheus.yml is read as 2.42 reads it, alertmanager.yml as 0.25).
final class ModelledReleaseMessageTests: XCTestCase {
    func testPrometheusNamesItsRelease() {
        let errs = loadErrors(#"{"name": "t", "duration": "1h", "hostGroups": [{"name": "master", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"}], "prometheus": {"host": "master-01", "config": {"global": {"sample_limit": 1000}}}}"#)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertEqual(errs.first?.path, "prometheus.config.global.sample_limit")
        XCTAssertTrue(errs.first?.message.contains("Prometheus 2.42") == true, "\(errs)")
    }

    func testAlertmanagerNamesItsRelease() {
        let errs = AlertmanagerConfigTests.loaderErrors(#"{"route": {"receiver": "w"}, "receivers": [{"name": "w"}], "tracing": {}}"#)
        XCTAssertEqual(errs.count, 1, "\(errs)")
        XCTAssertTrue(errs.first?.message.contains("Alertmanager 0.25") == true, "\(errs)")
    }
}
