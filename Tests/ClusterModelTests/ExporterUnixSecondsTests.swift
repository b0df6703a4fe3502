import XCTest
import SimKernel
@testable import ClusterModel

/// The times the exporters write are whole Unix seconds, as the real exporters write them:
/// cAdvisor's `container_last_seen` (`float64(time.Now().Unix())`) and `container_start_time_seconds`
/// (`float64(CreationTime.Unix())`, google/cadvisor metrics/prometheus.go), node_exporter's
/// `node_boot_time_seconds` (/proc/stat `btime`, an integer).
final class ExporterUnixSecondsTests: XCTestCase {
    func testExporterTimesAreWholeUnixSeconds() throws {
        let spec = ExporterSpecs.platform(duration: .minutes(3))
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        // simulated time 0 a quarter second past a Unix second, and a scrape 0.6 s past a simulated
        // second: every instant the exporters see has a fraction
        let base = PromTime.defaultBaseMs + 250
        let host = HostMetrics(model: model, promTime: PromTime(baseMs: base))
        let cs: [MetricsContributor] = [model.mesos!, host]
        let agentHost = model.mesos!.agents[0].host.index
        let now = model.sim.now + .milliseconds(600)
        let nowMs = base + now.nanoseconds / 1_000_000
        XCTAssertNotEqual(nowMs % 1000, 0)
        let cadvisor = ExporterProbe.scrape(cs, MetricEndpoint(kind: .cadvisor, host: agentHost, port: 8080), now).values
        let seen = cadvisor.named("container_last_seen")
        XCTAssertGreaterThan(seen.count, 1, "the root cgroup and at least one container")
        for (series, v) in seen {
            XCTAssertEqual(v, Double(nowMs / 1000), "\(series): time.Now().Unix() at the scrape")
        }
        let started = cadvisor.named("container_start_time_seconds")
        XCTAssertFalse(started.isEmpty)
        for (series, v) in started {
            XCTAssertEqual(v, v.rounded(.down), "\(series): CreationTime.Unix() is whole seconds")
            XCTAssertLessThanOrEqual(v, Double(nowMs / 1000))
            XCTAssertGreaterThan(v, Double(base / 1000))
        }
        let node = ExporterProbe.scrape(cs, MetricEndpoint(kind: .node, host: agentHost, port: 9100), now).values
        let boot = try XCTUnwrap(node["node_boot_time_seconds"])
        XCTAssertEqual(boot, boot.rounded(.down), "btime is an integer")
        XCTAssertLessThanOrEqual(boot, Double(nowMs / 1000))
    }

    func testUnixSecondsFloorAsGoDoes() {
        let p = PromTime(baseMs: -1_500)
        XCTAssertEqual(p.seconds(.zero), -2, "time.Unix(-1, -5e8).Unix() is -2")
        XCTAssertEqual(p.seconds(SimTime(nanoseconds: 1_500_000_000)), 0)
        XCTAssertEqual(p.seconds(SimTime(nanoseconds: 2_499_000_000)), 0)
        XCTAssertEqual(p.seconds(SimTime(nanoseconds: 2_500_000_000)), 1)
    }
}
