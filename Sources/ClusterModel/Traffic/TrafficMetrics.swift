import SimKernel

// What an app task's own /metrics serves (client_golang's promhttp instrumentation:
// http_requests_total{code,method} and the http_request_duration_seconds histogram with the
// default buckets), and the containers' CPU for cAdvisor and node_exporter (ContainerWorkSource).
//
// Per-request mode: each request an instance finishes is counted when it finishes (its time in
// the instance: queueing and service), exactly. Fluid mode: each full step of a service sets, per
// instance, the rate of served requests, of CPU seconds and of each bucket (the share of the
// instance's latency sketch, shifted by its backlog wait, under the bucket's bound); a scrape
// integrates those rates since the last change in closed form. A steady stretch keeps the rates.
// See docs/metrics.md.

/// Per instance (a slot per task that served) and per host cumulative counters, with the rates
/// fluid mode integrates.
struct TrafficExporterCounters {
    /// client_golang's DefBuckets (prometheus/client_golang prometheus/histogram.go).
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let nb = buckets.count

    var slotOfTask: [TaskID: Int32] = [:]
    var host: [Int] = []
    /// served, duration sum (s), CPU seconds, then the buckets' cumulative counts: per slot
    /// `3 + nb` settled values and as many rates (per second, fluid mode).
    var value: [Double] = []
    var rate: [Double] = []
    var since: [SimTime] = []
    /// Fluid mode: per service, the slots its last full step gave a rate.
    var fluidSlots: [[Int32]] = []
    /// Per host: CPU seconds since boot (settled), its rate, when settled, the boot it counts.
    var hostCPU: [Double] = [], hostRate: [Double] = [], hostSince: [SimTime] = [], hostBoot: [Int32] = []
    /// Per host: requests inside its instances now (per-request mode: counted; fluid: Little's law).
    var inside: [Double] = []

    static var width: Int { 3 + nb }
}

extension TrafficModel: ContainerWorkSource, MetricsContributor {
    static let appFamilies = [
        MetricFamily("http_requests_total", .counter, "Total number of HTTP requests by status code and method."),
        MetricFamily("http_request_duration_seconds", .histogram, "A histogram of latencies for requests."),
    ]

    public func metricFamilies(for kind: ExporterKind) -> [MetricFamily] {
        switch kind {
        case .app: return TrafficModel.appFamilies
        case .nginx: return TrafficModel.nginxFamilies
        default: return []
        }
    }

    public func collect(_ e: MetricEndpoint, now: SimTime, into w: MetricWriter) {
        if e.kind == .nginx { collectNginx(e, now: now, into: w); return }
        guard e.kind == .app, let task = e.task, let q = exporterCounters.slotOfTask[task] else { return }
        let v = exporterValues(Int(q), now: now)
        let labels: [(String, String)] = [("code", "200"), ("method", "get")]
        if w.begin(TrafficModel.appFamilies[0], exposing: 1) { w.add("http_requests_total", labels, v[0]) }
        let nb = TrafficExporterCounters.nb
        if w.begin(TrafficModel.appFamilies[1], exposing: nb + 3) {
            w.addHistogram("http_request_duration_seconds", [], le: TrafficExporterCounters.buckets,
                           cumulative: Array(v[3..<(3 + nb)]), sum: v[1], count: v[0])
        }
    }

    // MARK: ContainerWorkSource

    public func containerCPUSeconds(task: TaskID, now: SimTime) -> Double {
        guard let q = exporterCounters.slotOfTask[task] else { return 0 }
        let c = exporterCounters, i = Int(q) * TrafficExporterCounters.width + 2
        return c.value[i] + c.rate[i] * max(0, (now - c.since[Int(q)]).seconds)
    }

    public func hostContainerCPUSeconds(host h: Int, now: SimTime) -> Double {
        let c = exporterCounters
        guard h < c.hostCPU.count, c.hostBoot[h] == model.infrastructure.hosts[h].generation else { return 0 }
        return c.hostCPU[h] + c.hostRate[h] * max(0, (now - c.hostSince[h]).seconds)
    }

    public func hostRunnable(host h: Int) -> Double { h < exporterCounters.inside.count ? exporterCounters.inside[h] : 0 }

    // MARK: counting

    /// The values of a slot as of `now` (settled plus rates since).
    func exporterValues(_ q: Int, now: SimTime) -> [Double] {
        let c = exporterCounters, w = TrafficExporterCounters.width, base = q * w
        let dt = max(0, (now - c.since[q]).seconds)
        var out = [Double](repeating: 0, count: w)
        for k in 0..<w { out[k] = c.value[base + k] + c.rate[base + k] * dt }
        return out
    }

    /// The slot of a task (made on its first served request).
    func exporterSlot(task: TaskID, host: Int) -> Int {
        if let q = exporterCounters.slotOfTask[task] { return Int(q) }
        let q = exporterCounters.host.count
        exporterCounters.slotOfTask[task] = Int32(q)
        exporterCounters.host.append(host)
        exporterCounters.value.grow(to: (q + 1) * TrafficExporterCounters.width, with: 0)
        exporterCounters.rate.grow(to: (q + 1) * TrafficExporterCounters.width, with: 0)
        exporterCounters.since.append(now)
        return q
    }

    /// Brings a host's CPU counter to now (restarting it when the host booted since).
    func exporterSettleHost(_ h: Int) {
        let n = model.infrastructure.hosts.count
        if exporterCounters.hostCPU.count < n {
            exporterCounters.hostCPU.grow(to: n, with: 0); exporterCounters.hostRate.grow(to: n, with: 0)
            exporterCounters.hostSince.grow(to: n, with: .zero); exporterCounters.hostBoot.grow(to: n, with: 0)
            exporterCounters.inside.grow(to: n, with: 0)
        }
        let gen = model.infrastructure.hosts[h].generation
        if exporterCounters.hostBoot[h] != gen {
            exporterCounters.hostBoot[h] = gen; exporterCounters.hostCPU[h] = 0
        } else {
            exporterCounters.hostCPU[h] += exporterCounters.hostRate[h] * max(0, (now - exporterCounters.hostSince[h]).seconds)
        }
        exporterCounters.hostSince[h] = now
    }

    /// Per-request mode: a request joined an instance's queue.
    func exporterArrived(host h: Int) {
        exporterSettleHost(h)
        exporterCounters.inside[h] += 1
    }

    /// Per-request mode: an instance finished a request (before its answer travels back).
    func exporterServed(_ slot: Int32) {
        let i = Int(slot)
        guard let inst = requests[i].instance else { return }
        let q = exporterSlot(task: inst.task, host: inst.host)
        let d = (now - requests[i].sentAt).seconds, work = requests[i].work
        let base = q * TrafficExporterCounters.width
        exporterCounters.value[base] += 1
        exporterCounters.value[base + 1] += d
        exporterCounters.value[base + 2] += work
        for (k, le) in TrafficExporterCounters.buckets.enumerated() where d <= le { exporterCounters.value[base + 3 + k] += 1 }
        exporterSettleHost(inst.host)
        exporterCounters.hostCPU[inst.host] += work
        exporterCounters.inside[inst.host] = max(0, exporterCounters.inside[inst.host] - 1)
    }

    /// Fluid mode, at the start of a service's full step: its instances' rates end now.
    func exporterFluidStep(_ s: Int) {
        while exporterCounters.fluidSlots.count <= s { exporterCounters.fluidSlots.append([]) }
        for q in exporterCounters.fluidSlots[s] { exporterAddRates(Int(q), nil) }
        exporterCounters.fluidSlots[s].removeAll(keepingCapacity: true)
    }

    /// Fluid mode: an instance serves `perSecond` requests per second with these response times
    /// (sketch points in ms, shifted by `shiftMs`) and `work` CPU seconds each, until its
    /// service's next full step. The rates are a function of the arguments alone (`sketch`
    /// identifies `points` and `meanMs`): the last ones computed are reused while they repeat, as
    /// they do for every instance of a balanced service (`fluidMemo`; off: computed every time).
    func exporterFluidServe(_ s: Int, task: TaskID, perSecond: Double, sketch: Int, points: [Double], meanMs: Double, shiftMs: Double, work: Double) {
        guard perSecond > 0, let h = hostOf(task: task) else { return }
        let q = exporterSlot(task: task, host: h)
        exporterCounters.fluidSlots[s].append(Int32(q))
        let key = ExporterRatesKey(perSecond: perSecond.bitPattern, sketch: sketch, meanMs: meanMs.bitPattern,
                                   shiftMs: shiftMs.bitPattern, work: work.bitPattern)
        if !fluidMemo || exporterRatesKey != key {
            exporterRatesKey = fluidMemo ? key : nil
            exporterServeRates(&exporterRates, perSecond: perSecond, points: points, meanMs: meanMs, shiftMs: shiftMs, work: work)
        }
        exporterAddRates(q, exporterRates)
    }

    /// The rates `exporterFluidServe` adds (per second: served, duration sum, CPU seconds, each bucket).
    private func exporterServeRates(_ r: inout [Double], perSecond: Double, points: [Double], meanMs: Double, shiftMs: Double, work: Double) {
        if r.count != TrafficExporterCounters.width { r = [Double](repeating: 0, count: TrafficExporterCounters.width) }
        r[0] = perSecond
        r[1] = perSecond * (meanMs + shiftMs) / 1000
        r[2] = perSecond * work
        let n = Double(max(1, points.count))
        for (k, le) in TrafficExporterCounters.buckets.enumerated() {
            // points are ascending quantiles: count those at or under the bound
            let bound = le * 1000 - shiftMs
            var lo = 0, hi = points.count
            while lo < hi { let m = (lo + hi) / 2; if points[m] <= bound { lo = m + 1 } else { hi = m } }
            r[3 + k] = perSecond * Double(lo) / n
        }
    }

    /// Settles a slot to now and adds `r` to its rates (an instance behind several proxies is
    /// served once per entry point); nil: its rates end. Its host's CPU rate follows, and the
    /// requests inside its instances: the rate of response time is requests x mean time in the
    /// instance, the number inside (Little's law). One exclusive access to the counters and their
    /// arrays (the arithmetic, and its order, of a settle-then-add per value).
    private func exporterAddRates(_ q: Int, _ r: [Double]?) {
        let h = exporterCounters.host[q]
        exporterSettleHost(h)
        Self.addRates(&exporterCounters, slot: q, r, now: now)
    }

    private static func addRates(_ c: inout TrafficExporterCounters, slot q: Int, _ r: [Double]?, now: SimTime) {
        let w = TrafficExporterCounters.width, base = q * w
        let dt = max(0, (now - c.since[q]).seconds)
        let h = c.host[q]
        let oldCPU = c.rate[base + 2], oldInside = c.rate[base + 1]
        c.value.withUnsafeMutableBufferPointer { value in
            c.rate.withUnsafeMutableBufferPointer { rate in
                if let r {
                    r.withUnsafeBufferPointer { r in
                        for k in 0..<w {
                            value[base + k] += rate[base + k] * dt
                            rate[base + k] = rate[base + k] + r[k]
                        }
                    }
                } else {
                    for k in 0..<w {
                        value[base + k] += rate[base + k] * dt
                        rate[base + k] = 0
                    }
                }
            }
        }
        c.since[q] = now
        c.hostRate[h] = max(0, c.hostRate[h] + c.rate[base + 2] - oldCPU)
        c.inside[h] = max(0, c.inside[h] + c.rate[base + 1] - oldInside)
    }
}

/// The arguments `exporterFluidServe` last computed rates for (bit patterns: equal bits, equal rates).
struct ExporterRatesKey: Equatable {
    var perSecond: UInt64, sketch: Int, meanMs: UInt64, shiftMs: UInt64, work: UInt64
}
