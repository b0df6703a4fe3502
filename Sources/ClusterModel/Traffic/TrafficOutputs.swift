import SimKernel

// What the traffic subsystem writes: traffic.csv (per sample and service), three charts and the
// traffic headline figures, with a `traffic` details object listing the failures per fault.

extension TrafficModel {
    public static let outputs = SubsystemOutputs(
        tables: [trafficTable, lbTable],
        plots: trafficPlots,
        headline: [
            ("requests_total", "requests users sent, over every service (fluid mode: expected count, rounded)"),
            ("requests_failed", "requests that ended in an error: connection refused or reset, no live upstream (502), timeout (504 or the client's own), no proxy"),
            ("availability", "1 - requests_failed / requests_total (1 without requests)"),
            ("latency_p99_ms", "99th percentile of the response time of the requests served, ms (empty without any)"),
            ("peak_p99_latency_ms", "the largest 99th percentile of a service's response times over the sample windows (traffic.csv's largest `latency_p99_ms`), ms (empty without any request served)"),
            ("requests_failed_per_fault", "mean over the faults that fired of the requests that failed between the fault and the next one (or the end); empty without faults; per fault in summary.json `traffic.faults`"),
            ("dead_routing_s", "summed over the faults that fired: seconds from the fault to the last request a proxy (or a direct client) sent to an instance on a host the fault hit that was dead, hung or not listening, before the next fault"),
        ],
        figures: [lbFigures],
        headlineIntro: "With a `traffic` section the headline ends with the user-traffic figures (see docs/traffic.md); summary.json gains a `traffic` object whose `faults` array has, per fault that fired, `fault` (its index in `faults`), `at_s`, `requests_failed` and `dead_routing_s`.",
        detailsKey: "traffic")

    /// With marathon-lb: what HAProxy did to the requests sent through it, after marathon-lb's own figures.
    static let lbFigures = ContributedFigures(
        of: TrafficModel.self, into: "marathon-lb", after: "marathonlb_regenerations",
        keys: [
            ("lb_requests_failed", "requests of the services `via: marathon-lb` that failed: answered 503 (no server UP, `timeout queue`), 502 or 504 by HAProxy, refused (no HAProxy instance binding the frontend), SYNs unanswered through a reload gap, or the client's own timeout (fluid mode: expected count, rounded; empty without traffic)"),
            ("lb_queue_timeouts", "of those, requests that waited in a backend queue (a server's maxconn reached) past `timeout queue` and were answered 503"),
            ("lb_syn_drops", "SYNs the kernel dropped because a frontend at its maxconn had its accept queue (min(backlog, somaxconn)) full: the client retransmits 1, 2, 4 ... s later (the LB host's TcpExtListenDrops; HAProxy's stats page does not count them; fluid mode: expected count, rounded)"),
            ("lb_listen_resets", "connections waiting in a full frontend's accept queue that a reload reset (HAProxy before 1.8 closes the old process's listeners; fluid mode: expected count, rounded)"),
        ],
        absent: [.none, .none, .none, .none]) { tr in
            [HeadlineFigure("lb_requests_failed", .int(Int64(tr.lbRequestsFailed.rounded()))),
             HeadlineFigure("lb_queue_timeouts", .int(Int64(tr.haproxyQueueTimeouts))),
             HeadlineFigure("lb_syn_drops", .int(Int64(tr.haproxySynDrops))),
             HeadlineFigure("lb_listen_resets", .int(Int64(tr.haproxyListenResets)))]
        }

    /// Failures of the services that go through marathon-lb, over the run so far.
    var lbRequestsFailed: Double {
        spec.services.indices.reduce(0.0) { sum, i in
            guard case .marathonLB = spec.services[i].entry else { return sum }
            return sum + total[i].failed + window[i].failed
        }
    }

    /// The largest per-service 99th percentile over the closed sample windows and the open one.
    var peakP99SoFar: Double? {
        var peak = peakP99
        for w in window {
            var c = w
            c.materialize()
            if let p = c.latency.quantile(0.99) { peak = max(peak ?? p, p) }
        }
        return peak
    }

    static let trafficTable = SubsystemTable(
        of: TrafficModel.self, file: "traffic.csv",
        when: "when the scenario has a `traffic` section (long format: one row per service and sample; counts over the time since the previous sample)",
        columns: [
            ("time_s", "simulated time of the sample, seconds"),
            ("service", "the service's name (`traffic.services[].name`)"),
            ("offered_rps", "requests users sent per second"),
            ("served_rps", "requests answered per second (2xx from an instance)"),
            ("errors_dead_upstream", "requests that failed on a refused or reset connection to an instance (502 after the last try; direct: at once)"),
            ("errors_no_upstream", "requests answered 502 because no peer was live (nginx's `no live upstreams`, the 127.0.0.1:65535 placeholder, no instance for a direct client)"),
            ("errors_timeout", "requests that timed out: proxy_connect_timeout or proxy_read_timeout on the last try (504), or the client's own `timeout`"),
            ("errors_no_proxy", "requests refused because the proxy's host was down"),
            ("latency_p50_ms", "median response time of the requests served in the window, ms (empty without any)"),
            ("latency_p95_ms", "95th percentile of the response time, ms"),
            ("latency_p99_ms", "99th percentile of the response time, ms"),
        ]) { tr, time, w in
            let secs = (time - tr.windowStart).seconds
            for (i, s) in tr.spec.services.enumerated() {
                tr.window[i].materialize()
                let c = tr.window[i]
                w.field(time); w.field(s.name)
                w.field(secs > 0 ? c.offered / secs : 0, decimals: 3)
                w.field(secs > 0 ? c.served / secs : 0, decimals: 3)
                w.field(c.errorsDeadUpstream, decimals: 3); w.field(c.errorsNoUpstream, decimals: 3)
                w.field(c.errorsTimeout, decimals: 3); w.field(c.errorsNoProxy, decimals: 3)
                for q in [0.5, 0.95, 0.99] {
                    if let v = c.latency.quantile(q) { w.field(v, decimals: 3) } else { w.field("") }
                }
                w.endRow()
            }
            tr.closeWindow()
        }

    static let trafficPlots: [SubsystemPlot] = [
        SubsystemPlot(file: "traffic_served", title: "Requests served per second, per service (faults marked)", ylabel: "requests/s",
                      source: "traffic.csv", perKey: ("service", "served_rps")),
        SubsystemPlot(file: "traffic_failed", title: "Requests failed (timeouts) per sample, per service (faults marked)", ylabel: "requests per sample",
                      source: "traffic.csv", perKey: ("service", "errors_timeout")),
        SubsystemPlot(file: "traffic_failed_dead", title: "Requests failed on dead upstreams per sample, per service (faults marked)", ylabel: "requests per sample",
                      source: "traffic.csv", perKey: ("service", "errors_dead_upstream")),
        SubsystemPlot(file: "traffic_failed_no_upstream", title: "Requests answered 502/503 without a live server or past timeout queue, per service (faults marked)",
                      ylabel: "requests per sample", source: "traffic.csv", perKey: ("service", "errors_no_upstream")),
        SubsystemPlot(file: "traffic_latency_p99", title: "99th percentile response time per service (faults marked)", ylabel: "ms",
                      source: "traffic.csv", perKey: ("service", "latency_p99_ms")),
    ]

    /// Totals over the run so far (closed windows and the open one).
    func runTotals() -> TrafficCounters {
        var t = TrafficCounters()
        for i in total.indices { t.add(total[i]); t.add(window[i]) }
        t.materialize()
        return t
    }

    /// Per fault that fired: its index, time, failures and dead-routing seconds.
    func faultRows() -> [(fault: Int, at: SimTime, failed: Double, deadRouting: Double)] {
        let fired = model.faultInjector.fired
        return fired.enumerated().map { k, f in
            let failed = k < faultFailures.count ? faultFailures[k] : 0
            let dead = (k < faultDeadUntil.count ? faultDeadUntil[k] : nil).map { max(0, ($0 - f.time).seconds) } ?? 0
            return (f.index, f.time, failed, dead)
        }
    }

    public func headline() -> [HeadlineFigure] {
        let t = runTotals()
        let rows = faultRows()
        let failed = t.failed
        return [
            HeadlineFigure("requests_total", .int(Int64(t.offered.rounded()))),
            HeadlineFigure("requests_failed", .int(Int64(failed.rounded()))),
            HeadlineFigure("availability", .number(t.offered > 0 ? max(0, 1 - failed / t.offered) : 1, decimals: 6)),
            HeadlineFigure("latency_p99_ms", t.latency.quantile(0.99).map { .number($0, decimals: 3) } ?? .none),
            HeadlineFigure("peak_p99_latency_ms", peakP99SoFar.map { .number($0, decimals: 3) } ?? .none),
            HeadlineFigure("requests_failed_per_fault", rows.isEmpty ? .none : .number(rows.reduce(0) { $0 + $1.failed } / Double(rows.count), decimals: 3)),
            HeadlineFigure("dead_routing_s", .number(rows.reduce(0) { $0 + $1.deadRouting }, decimals: 3)),
        ]
    }

    public func details() -> [(key: String, value: DetailValue)] {
        [(key: "faults", value: .array(faultRows().map { r in
            .object([(key: "fault", value: .int(Int64(r.fault))), (key: "at_s", value: .seconds(r.at)),
                     (key: "requests_failed", value: .number(r.failed, decimals: 3)),
                     (key: "dead_routing_s", value: .number(r.deadRouting, decimals: 3))])
        }))]
    }
}
