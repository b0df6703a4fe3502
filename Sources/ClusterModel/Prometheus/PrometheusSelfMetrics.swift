import SimKernel

// The Prometheus server's own /metrics (:9090), which the `prometheus` job of every example
// prometheus.yml scrapes (`localhost:9090`): a few families of the ones Prometheus 2.42 exposes,
// those the model knows the value of (web/web.go, config reload in cmd/prometheus/main.go,
// scrape/manager.go, rules/manager.go, notifier/notifier.go). Without them the target was refused
// at every scrape and a rule on `up == 0` fired on it. See docs/metrics.md.

extension PrometheusServer {
    static let selfFamilies = [
        MetricFamily("prometheus_build_info", .gauge, "A metric with a constant '1' value labeled by version, revision, branch, and goversion from which prometheus was built."),
        MetricFamily("prometheus_config_last_reload_successful", .gauge, "Whether the last configuration reload attempt was successful."),
        MetricFamily("prometheus_target_scrape_pool_targets", .gauge, "Current number of targets in this scrape pool."),
        MetricFamily("prometheus_rule_group_rules", .gauge, "The number of rules."),
        MetricFamily("prometheus_notifications_alertmanagers_discovered", .gauge, "The number of alertmanagers discovered and active."),
    ]

    /// The server's own families as of now (the server scraping itself, or another host's job
    /// reaching its :9090).
    func collectSelf(into w: MetricWriter) {
        let f = PrometheusServer.selfFamilies
        if w.begin(f[0], exposing: 1) { w.add(f[0].name, [("version", "2.42.0")], 1) }
        if w.begin(f[1], exposing: 1) { w.add(f[1].name, [], 1) }
        if w.begin(f[2], exposing: jobLoops.count) {
            for (j, sc) in config.scrapeConfigs.enumerated() { w.add(f[2].name, [("scrape_job", sc.jobName)], Double(jobLoops[j].count)) }
        }
        if w.begin(f[3], exposing: groups.count) {
            // rules/manager.go GroupKey: file;name
            for g in groups { w.add(f[3].name, [("rule_group", g.spec.file + ";" + g.spec.name)], Double(g.spec.rules.count)) }
        }
        if w.begin(f[4], exposing: 1) { w.add(f[4].name, [], Double(alertManagers.count)) }
    }
}
