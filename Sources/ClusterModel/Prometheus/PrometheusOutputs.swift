import SimKernel

// What Prometheus writes into a results folder: scrapes.csv, alerts.csv, prometheus.csv,
// samples.csv (with `record`), its headline figures and summary.json's `prometheus` object.

extension PrometheusServer {
    public static let outputs = SubsystemOutputs(
        tables: [scrapesTable, alertsTable, serverTable, samplesTable, metricsTable],
        plots: [
            SubsystemPlot(file: "prometheus_targets_up", title: "Prometheus targets up, per job", ylabel: "targets up",
                          source: "scrapes.csv", perKey: (keyColumn: "job", column: "up")),
            SubsystemPlot(file: "prometheus_alerts", title: "Prometheus alerts firing and pending", ylabel: "alerts",
                          source: "prometheus.csv", columns: [("alerts_firing", "firing"), ("alerts_pending", "pending")]),
        ],
        headline: [
            ("scrapes_failed", "scrapes that failed (refused, timed out, host down), count"),
            ("alerts_fired", "alert transitions to firing, count"),
            ("first_firing_s", "seconds from the first fault to the first transition to firing at or after it (empty: no fault, or nothing fired)"),
            ("storage_alert_lead_s", "seconds from the run's first firing alert to the first refused container launch (TASK_FAILED, REASON_CONTAINER_LAUNCH_FAILED): positive, the alert came first (the lead time monitoring gave); negative, the first alert came only after launches were refused (empty: no refused launch, or no alert at all)"),
        ],
        headlineIntro: "With a `prometheus` section the headline ends with Prometheus' figures (see docs/monitoring.md).",
        headlineNotes: "Prometheus' figures come from alerts.csv and scrapes.csv: `alerts_fired` counts alerts.csv rows whose `to` is firing, "
            + "`scrapes_failed` is the sum of scrapes.csv's `failed`. summary.json gets a `prometheus` object whose `faults` array has, per "
            + "fault of the scenario, `fault` (its index), `fired_at_s` (empty when it never fired), `first_firing_s` (seconds from the fault "
            + "to the first transition to firing at or after it) and `alert` (that alert's name).",
        detailsKey: "prometheus")

    static let scrapesTable = SubsystemTable(
        of: PrometheusServer.self, file: "scrapes.csv", when: "when the scenario has a `prometheus` section",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("job", "scrape job (`job_name`)"),
            ("targets", "targets of the job now (after relabeling)"),
            ("up", "targets whose last scrape succeeded"),
            ("scrapes", "scrapes started since the previous sample"),
            ("failed", "scrapes that failed since the previous sample (refused, timed out, host down)"),
            ("stale_markers", "staleness markers written since the previous sample (failed scrapes, vanished series, removed targets)"),
        ]) { p, time, w in
            p.catchUpQuietLoops()
            for (j, sc) in p.config.scrapeConfigs.enumerated() {
                w.field(time); w.field(sc.jobName); w.field(p.jobLoops[j].count)
                w.field(p.jobLoops[j].reduce(0) { $0 + (p.loops[$1].lastUp == true ? 1 : 0) })
                w.field(p.jobStats[j].scrapes); w.field(p.jobStats[j].failed); w.field(p.jobStats[j].staleMarkers)
                w.endRow()
                p.jobStats[j] = JobStats()
            }
        }

    static let alertsTable = SubsystemTable(
        of: PrometheusServer.self, file: "alerts.csv", when: "when the scenario has a `prometheus` section",
        columns: [
            ("time_s", "simulated time of the evaluation that changed the alert, seconds"),
            ("timestamp_ms", "the same instant in Prometheus' clock: Unix milliseconds (`prometheus.startTime` + time)"),
            ("group", "rule group"),
            ("alertname", "alerting rule"),
            ("labels", "the alert's labels, Prometheus' text form (`{alertname=\"X\", job=\"node\"}`)"),
            ("from", "state before: inactive, pending or firing"),
            ("to", "state after"),
            ("value", "the expression's value for this alert at that evaluation (NaN when it left the result)"),
        ]) { p, _, w in
            for c in p.pendingTransitions {
                let t = p.promTime.simTime(c.at)
                w.field(t); w.field(c.at); w.field(c.group); w.field(c.rule); w.field(c.labels.description)
                w.field(c.from.rawValue); w.field(c.to.rawValue); w.field(PrometheusServer.valueText(c.value))
                w.endRow()
            }
            p.pendingTransitions.removeAll(keepingCapacity: true)
        }

    static let serverTable = SubsystemTable(
        of: PrometheusServer.self, file: "prometheus.csv", when: "when the scenario has a `prometheus` section",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("running", "1 while the Prometheus process runs (its host is up), else 0"),
            ("alerts_firing", "alerts firing now, over all alerting rules"),
            ("alerts_pending", "alerts pending now (true, `for` not yet elapsed)"),
            ("series", "series the store has held (only those a rule reads, or every scraped one with `record: all`)"),
            ("samples_held", "samples the store holds now (trimmed to the longest range any rule reads plus the lookback delta)"),
        ]) { p, time, w in
            p.catchUpQuietLoops()
            w.field(time); w.field(p.running ? 1 : 0); w.field(p.alertsFiringNow); w.field(p.alertsPendingNow)
            w.field(p.store.seriesCount); w.field(p.store.samplesHeld)
            w.endRow()
        }

    static let samplesTable = SubsystemTable(
        of: PrometheusServer.self, file: "samples.csv", when: "when `prometheus.record` is `rules` or `all`",
        columns: [
            ("series", "the series, Prometheus' text form (`up{instance=\"slave-1:9100\", job=\"node\"}`)"),
            ("timestamp_ms", "Unix milliseconds of the sample"),
            ("value", "the value (shortest decimal text, `NaN`, `+Inf`, `-Inf`), or `stale` for a staleness marker"),
            ("appended_ms", "Unix milliseconds when it was stored and became visible to queries: the timestamp, or for a scrape that timed out, its start + `scrape_timeout` (Prometheus commits a scrape's samples when it ends)"),
        ], applies: { $0.spec.record != .none }) { p, time, w in
            // a timed-out scrape writes its samples up to a scrape timeout after their timestamp
            let final = time >= p.model.endTime ? Int64.max : p.promTime.ms(time) - p.maxTimeoutMs
            p.catchUpQuietLoops()
            for s in p.store.takePending(upTo: final) {
                w.field(s.labels.description); w.field(s.t)
                w.field(Sample(t: s.t, v: s.v).isStale ? "stale" : PrometheusServer.valueText(s.v))
                w.field(s.appended)
                w.endRow()
            }
        }

    static let metricsTable = SubsystemTable(
        of: PrometheusServer.self, file: "metrics.csv", when: "when `prometheus.record` is `rules` or `all`",
        columns: [
            ("family", "a metric family an exporter served (written when first scraped)"),
            ("type", "its `# TYPE`: counter, gauge, histogram, summary or untyped"),
            ("help", "its help text"),
        ], applies: { $0.spec.record != .none }) { p, _, w in
            while p.familiesWritten < p.families.count {
                let f = p.families[p.familiesWritten]
                w.field(f.name); w.field(f.type.rawValue); w.field(f.help); w.endRow()
                p.familiesWritten += 1
            }
        }

    /// Swift's shortest text for a double, with Prometheus' spellings of the special values.
    public static func valueText(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return "\(v)"
    }

    var maxTimeoutMs: Int64 { (config.scrapeConfigs.map(\.timeout).max() ?? .zero).nanoseconds / 1_000_000 }

    public func headline() -> [HeadlineFigure] {
        var first: HeadlineFigure.Value = .none
        if let f = model.faultInjector.fired.first, f.index < firstFiringAfter.count, let at = firstFiringAfter[f.index] {
            first = .number((at - f.time).seconds, decimals: 3)
        }
        var lead: HeadlineFigure.Value = .none
        if let refused = firstRefusedLaunch, let alert = firings.first {
            lead = .number(refused.seconds - alert.time.seconds, decimals: 3)
        }
        return [HeadlineFigure("scrapes_failed", .int(Int64(scrapesFailed))), HeadlineFigure("alerts_fired", .int(Int64(alertsFired))),
                HeadlineFigure("first_firing_s", first), HeadlineFigure("storage_alert_lead_s", lead)]
    }

    public func details() -> [(key: String, value: DetailValue)] {
        let fired = model.faultInjector.fired
        return [(key: "faults", value: .array(model.spec.faults.indices.map { i in
            let at = fired.first { $0.index == i }?.time
            let after: DetailValue = at.flatMap { a in firstFiringAfter[i].map { .number(($0 - a).seconds, decimals: 3) } } ?? .none
            return .object([(key: "fault", value: .int(Int64(i))), (key: "fired_at_s", value: .seconds(at)),
                            (key: "first_firing_s", value: after), (key: "alert", value: firstFiringAlert[i].map { .text($0) } ?? .none)])
        }))]
    }
}
