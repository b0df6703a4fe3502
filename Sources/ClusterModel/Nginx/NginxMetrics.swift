import SimKernel

// nginx-prometheus-exporter (:9113) next to each nginx, reading its stub_status page
// (nginxinc/nginx-prometheus-exporter collector/nginx.go). nginx owns the endpoints and says
// whether nginx answers; the counts of connections and requests come from the traffic model
// (TrafficNginxMetrics.swift), which is what sends requests through the proxies. See docs/metrics.md.

extension NginxProxies: MetricsContributor {
    static let families = [MetricFamily("nginx_up", .gauge, "Status of the last metric scrape")]

    public func metricEndpoints() -> [MetricEndpoint] {
        proxies.map { MetricEndpoint(kind: .nginx, host: $0.host, port: ExporterKind.nginx.defaultPort) }
    }

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .nginx ? NginxProxies.families : [] }

    /// nginx runs whenever its host is up (the model has no nginx crash): the exporter reads
    /// stub_status and reports nginx_up 1.
    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.kind == .nginx, proxy(onHost: e.host) != nil else { return }
        if w.begin(NginxProxies.families[0], exposing: 1) { w.add("nginx_up", [], 1) }
    }
}
