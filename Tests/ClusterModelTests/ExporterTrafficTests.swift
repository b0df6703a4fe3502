import XCTest
@testable import ClusterModel
import SimKernel

/// An app's own /metrics (http_requests_total, the latency histogram), the containers' CPU and
/// nginx's stub_status counters against the traffic model, per request and fluid.
final class ExporterTrafficTests: XCTestCase {
    func appScrapes(_ model: ClusterSimulation) throws -> [[String: Double]] {
        let marathon = try XCTUnwrap(model.marathon)
        let cs = ExporterProbe.contributors(model)
        return marathon.marathonSDTasks().map { t in
            ExporterProbe.scrape(cs, MetricEndpoint(kind: .app, host: t.host, port: t.ports.first ?? 0, task: t.task), model.sim.now).values
        }
    }

    /// Per request: the instances' http_requests_total add up to the requests traffic served, the
    /// histogram's _count equals it, its buckets are cumulative with +Inf = _count, and its _sum
    /// is the traffic model's latency sum (a direct client meets the instance at once).
    func testRequestCountsAndHistogramAgreeWithTrafficPerRequest() throws {
        let traffic = TrafficSpec(services: [ExporterSpecs.directService(rate: 40)])
        let spec = ExporterSpecs.platform(duration: .minutes(6), traffic: traffic)
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        let t = try XCTUnwrap(model.subsystems.compactMap { $0 as? TrafficModel }.first)
        let totals = t.runTotals()
        XCTAssertGreaterThan(totals.served, 5_000)
        XCTAssertEqual(totals.failed, 0)
        let apps = try appScrapes(model)
        XCTAssertEqual(apps.count, 2)
        let requests = apps.reduce(0) { $0 + $1.sum("http_requests_total") }
        let count = apps.reduce(0) { $0 + $1.sum("http_request_duration_seconds_count") }
        let sum = apps.reduce(0) { $0 + $1.sum("http_request_duration_seconds_sum") }
        XCTAssertEqual(requests, totals.served)
        XCTAssertEqual(count, totals.served)
        XCTAssertEqual(sum, totals.latencySumMs / 1000, accuracy: 1e-6 * max(1, sum))
        for a in apps {
            let buckets = TrafficExporterCounters.buckets.map { a["http_request_duration_seconds_bucket{le=\"\(MetricWriter.formatLe($0))\"}"] ?? -1 }
            XCTAssertEqual(buckets, buckets.sorted(), "cumulative")
            XCTAssertGreaterThan(buckets[0], 0)
            XCTAssertEqual(a["http_request_duration_seconds_bucket{le=\"+Inf\"}"], a["http_request_duration_seconds_count"])
        }
        // CPU: each served request's work, on its container and its host's root cgroup
        let cs = ExporterProbe.contributors(model)
        var containers = 0.0, roots = 0.0
        for a in model.mesos!.agents {
            let c = ExporterProbe.scrape(cs, MetricEndpoint(kind: .cadvisor, host: a.host.index, port: 8080), model.sim.now).values
            for (k, v) in c.named("container_cpu_usage_seconds_total") { if k.contains("id=\"/\"") { roots += v } else { containers += v } }
        }
        XCTAssertGreaterThan(containers, totals.served * 0.015, "about 20 ms of work per request")
        XCTAssertEqual(containers, roots, accuracy: 1e-6 * containers)
    }

    /// Fluid mode: the same counts integrated from the instances' rates agree with what the fluid
    /// model served (within its steady-state tolerance of 1 %).
    func testRequestCountsAgreeWithTrafficInFluidMode() throws {
        let traffic = TrafficSpec(mode: .fluid, services: [ExporterSpecs.directService(rate: 40)])
        let spec = ExporterSpecs.platform(duration: .minutes(6), traffic: traffic)
        let model = ClusterSimulation(spec: spec, observer: NullObserver())
        model.run()
        let t = try XCTUnwrap(model.subsystems.compactMap { $0 as? TrafficModel }.first)
        let totals = t.runTotals()
        XCTAssertGreaterThan(totals.served, 5_000)
        let apps = try appScrapes(model)
        let requests = apps.reduce(0) { $0 + $1.sum("http_requests_total") }
        let count = apps.reduce(0) { $0 + $1.sum("http_request_duration_seconds_count") }
        XCTAssertEqual(requests, totals.served, accuracy: totals.served * 0.01)
        XCTAssertEqual(count, requests)
        let inf = apps.reduce(0) { $0 + ($1["http_request_duration_seconds_bucket{le=\"+Inf\"}"] ?? 0) }
        let tenMs = apps.reduce(0) { $0 + ($1["http_request_duration_seconds_bucket{le=\"0.01\"}"] ?? 0) }
        XCTAssertEqual(inf, count)
        XCTAssertGreaterThan(tenMs, 0)
        XCTAssertLessThan(tenMs, count)
    }

    /// nginx's stub_status: every request the proxy accepted is counted once.
    func testNginxRequestsCountWhatTheProxyAccepted() throws {
        let arrivals = ArrivalProcess(profile: RateProfile(points: [.init(at: .zero, rate: 0), .init(at: .seconds(61), rate: 0),
                                                                    .init(at: .seconds(61), rate: 20)]), poisson: true)
        let spec = TrafficHarness.spec(instances: 2, duration: .minutes(4), traffic: TrafficSpec(services: [TrafficHarness.service(arrivals)]))
        let (model, t, _) = TrafficHarness.run(spec) { f in f.autoReloadAt = [SimTime.zero + .seconds(60)] }
        let c = t.runTotals()
        XCTAssertGreaterThan(c.offered, 2_000)
        let w = ExporterProbe.scrape([t], MetricEndpoint(kind: .nginx, host: 0, port: 9113), model.sim.now).values
        XCTAssertEqual(w["nginx_http_requests_total"], c.offered - c.errorsNoProxy - c.errorsNoUpstream)
        XCTAssertEqual(w["nginx_connections_accepted"], w["nginx_http_requests_total"])
        XCTAssertNotNil(w["nginx_connections_active"])
    }
}
