import SimKernel

// Quiet scrape loops (issue 14): a node_exporter or cAdvisor target whose scrape keeps nothing but
// `up` (no family of its exporter is read by a rule or an export, and none of the other scrape_*
// series is) gives the same result at every tick while its host is up: `up` 1 at the tick's
// timestamp, one scrape counted for scrapes.csv. Such a loop takes its ticks without an event:
// it remembers its next tick and writes the skipped ticks' `up` samples, in tick order with the
// same timestamps, whenever something could read them (a rule group's evaluation, the tables,
// the bench) or when the loop must tick again (`wake`). Exact: what each skipped tick would have
// done depends only on
//
// - the host being up: a host goes down only with `.hostDown`, which wakes its loops;
// - the endpoint answering: node_exporter and cAdvisor answer while their host is up (no
//   contributor has an opinion on them: `endpointUp` is nil for these kinds);
// - the scrape not timing out: its duration grows with the exposition and the host's CPU
//   saturation; the loop stays quiet only while the largest exposition it can reach before a
//   signal names its host (`MetricWriter.possiblyMore`: every task on the agent with a
//   container) takes less than the timeout at full saturation; a task joins an agent only with
//   its TASK_STAGING `.statusUpdate`, which wakes the host's loops;
// - its kept series: nothing of the exposition is kept (the writer wrote no sample), so no
//   staleness marker and no scrape cache change is due; scrape_duration_seconds and the sample
//   counts are not kept.
//
// A tick at exactly the instant of the reading event could have run before or after it in
// event order; it is taken after it (as if its event came later) and counted in `quietTies`.

extension PrometheusServer {
    /// Whether the scrape of loop `i` that just succeeded lets its next ticks go without events.
    func mayGoQuiet(_ i: Int, endpoint ep: MetricEndpoint, _ w: MetricWriter) -> Bool {
        guard lazyScrapes, ep.kind == .node || ep.kind == .cadvisor, ep.task == nil, w.series.isEmpty, loops[i].prev.isEmpty,
              let r = loops[i].report, r.count == 5, r[1] < 0, r[2] < 0, r[3] < 0, r[4] < 0 else { return false }
        let worst = PrometheusServer.scrapeDuration(exposed: w.exposed + w.possiblyMore, saturation: 1)
        return worst <= loops[i].target.timeout.seconds
    }

    /// Loop `i` stops ticking by events: its pending tick event is made stale (its generation
    /// moves on) and `next` stays its next tick.
    func goQuiet(_ i: Int) {
        guard let h = loops[i].target.host else { return }
        loops[i].gen &+= 1
        loops[i].quietAt = quietLoops.count
        quietLoops.append(i)
        quietOnHost.grow(to: h + 1, with: [])
        quietOnHost[h].append(i)
    }

    /// Writes loop `i`'s ticks before `now`: `up` 1 at each, one scrape each.
    func catchUp(_ i: Int, to now: SimTime) {
        let iv = loops[i].target.interval
        guard iv > .zero else { return }
        let up = loops[i].report?[0] ?? -1
        var n = 0
        while loops[i].next < now {
            if up >= 0 {
                let t = promTime.ms(loops[i].next)
                // a successful scrape's samples are visible at its timestamp
                store.append(up, t: t, v: 1, appendedAt: t)
            }
            loops[i].next = loops[i].next + iv
            n += 1
        }
        if loops[i].next == now { quietTies += 1 }
        jobStats[loops[i].job].scrapes += n
        scrapesCounted += n
        quietTicks += n
    }

    /// Brings every quiet loop's samples and counts up to now (before anything reads them; the
    /// store calls it before every read). Once per instant: a loop that goes quiet later at the
    /// same instant has its next tick after it.
    public func catchUpQuietLoops() {
        let now = model.sim.now
        guard !quietLoops.isEmpty, now != caughtUpAt else { return }
        caughtUpAt = now
        for i in quietLoops { catchUp(i, to: now) }
    }

    /// Loop `i` leaves the quiet loops (caught up first).
    func leaveQuiet(_ i: Int) {
        let k = loops[i].quietAt
        guard k >= 0 else { return }
        catchUp(i, to: model.sim.now)
        let last = quietLoops.removeLast()
        if last != i { quietLoops[k] = last; loops[last].quietAt = k }
        loops[i].quietAt = -1
        if let h = loops[i].target.host, h < quietOnHost.count, let p = quietOnHost[h].firstIndex(of: i) { quietOnHost[h].remove(at: p) }
    }

    /// Loop `i` ticks by events again, from its next tick.
    func wake(_ i: Int) {
        guard loops[i].quietAt >= 0 else { return }
        leaveQuiet(i)
        _ = model.sim.schedule(at: loops[i].next, target: target, kind: Kind.scrape.rawValue, arg: IndexGeneration.pack(i, loops[i].gen))
    }

    /// A signal named host `h` (down, or a task's status on it): its quiet loops tick again.
    func wakeHost(_ h: Int) {
        guard h >= 0, h < quietOnHost.count else { return }
        while let i = quietOnHost[h].last { wake(i) }
    }
}
