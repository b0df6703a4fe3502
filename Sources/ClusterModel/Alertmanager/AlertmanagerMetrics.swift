import SimKernel

// Each Alertmanager instance's own /metrics (:9093), which the `alertmanager` job of the example
// prometheus.yml files scrapes: a few families of the ones Alertmanager 0.25 exposes, those the
// model knows the value of (cmd/alertmanager/main.go build info and config reload,
// notify/notify.go NewMetrics, cluster/delegate.go). See docs/metrics.md.

extension AlertmanagerCluster: MetricsContributor {
    static let families = [
        MetricFamily("alertmanager_build_info", .gauge, "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which alertmanager was built."),
        MetricFamily("alertmanager_config_last_reload_successful", .gauge, "Whether the last configuration reload attempt was successful."),
        MetricFamily("alertmanager_notifications_total", .counter, "The total number of attempted notifications."),
        MetricFamily("alertmanager_notifications_failed_total", .counter, "The total number of failed notifications."),
        MetricFamily("alertmanager_notification_requests_total", .counter, "The total number of attempted notification requests."),
        MetricFamily("alertmanager_notification_requests_failed_total", .counter, "The total number of failed notification requests."),
        MetricFamily("alertmanager_cluster_members", .gauge, "Number indicating current number of members in cluster."),
        MetricFamily("alertmanager_peer_position", .gauge, "Position the Alertmanager instance believes it's in. The position determines a peer's behavior in the cluster."),
    ]
    /// notify.go NewMetrics initialises these integrations' counters at 0 (0.25); others appear
    /// when first used.
    static let initialisedIntegrations = ["email", "pagerduty", "wechat", "pushover", "slack", "opsgenie", "webhook", "victorops", "sns", "telegram"]

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] { kind == .alertmanager ? AlertmanagerCluster.families : [] }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        guard e.kind == .alertmanager, let k = instanceIndex(host: e.host), instances[k].up else { return }
        let f = AlertmanagerCluster.families
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, [("version", "0.25.0")], 1) }
        if w.begin(f[1], exposing: 1) { w.add(f[1].name, [], 1) }
        let counters = [instances[k].notificationsByType, instances[k].failedByType, instances[k].requestsByType, instances[k].requestsFailedByType]
        for (i, counts) in counters.enumerated() {
            let types = Set(AlertmanagerCluster.initialisedIntegrations).union(counts.keys).sorted()
            if w.begin(f[2 + i], exposing: types.count) {
                for t in types { w.add(f[2 + i].name, [("integration", t)], Double(counts[t] ?? 0)) }
            }
        }
        let live = instances.indices.filter { instances[$0].up }
        if w.begin(f[6], exposing: 1) { w.add(f[6].name, [], Double(live.count)) }
        if w.begin(f[7], exposing: 1) { w.add(f[7].name, [], Double(live.filter { $0 < k }.count)) }
    }
}
