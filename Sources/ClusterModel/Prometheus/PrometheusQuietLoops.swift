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

/// A loop ticking without events: its next tick and what a tick writes, kept apart from the loop
/// (a compact array swept at every catch-up).
struct QuietLoop {
    let loop: Int
    var next: SimTime
    let interval: SimDuration
    /// The store id of its `up` series (-1: not kept).
    let up: Int
    let job: Int
    let host: Int
    /// Whether its `up` samples are the store's implicit samples (`PrometheusStore.beginTail`):
    /// the catch-up then only counts its ticks.
    let implicit: Bool
}

extension PrometheusServer {
    /// Whether the scrape of loop `i` that just succeeded lets its next ticks go without events.
    func mayGoQuiet(_ i: Int, endpoint ep: MetricEndpoint, _ w: MetricWriter) -> Bool {
        // this scrape's series are the loop's `lastSeries` by now (`succeed` swapped them with the
        // writer's): a scrape that computed any series keeps ticking by events, whether or not its
        // series are tracked for staleness (cAdvisor's stamped ones are not: `prev` stays empty)
        guard lazyScrapes, ep.kind == .node || ep.kind == .cadvisor, ep.task == nil, loops[i].lastSeries.isEmpty, loops[i].prev.isEmpty,
              loops[i].target.interval > .zero, loops[i].target.host != nil,
              let r = loops[i].report, r.count == 5, r[1] < 0, r[2] < 0, r[3] < 0, r[4] < 0 else { return false }
        let worst = PrometheusServer.scrapeDuration(exposed: w.exposed + w.possiblyMore, saturation: 1)
        // nor exceed the job's sample_limit
        let limit = loops[i].sampleLimit
        return worst <= loops[i].target.timeout.seconds && (limit == 0 || w.exposed + w.possiblyMore <= limit)
    }

    /// Loop `i` stops ticking by events: its pending tick event is made stale (its generation
    /// moves on) and its next tick is kept in `quietLoops`.
    func goQuiet(_ i: Int) {
        guard let h = loops[i].target.host else { return }
        loops[i].gen &+= 1
        loops[i].quietAt = quietLoops.count
        let up = loops[i].report?[0] ?? -1
        // a recorded series is written sample by sample (samples.csv queues each one)
        let implicit = implicitUp && up >= 0
            && store.beginTail(of: up, firstNs: loops[i].next.nanoseconds, stepNs: loops[i].target.interval.nanoseconds, v: 1)
        quietLoops.append(QuietLoop(loop: i, next: loops[i].next, interval: loops[i].target.interval, up: up,
                                    job: loops[i].job, host: h, implicit: implicit))
        quietOnHost.grow(to: h + 1, with: [])
        quietOnHost[h].append(i)
    }

    /// Writes the ticks of quiet loop `q` before `now`: `up` 1 at each (visible at its timestamp,
    /// as a successful scrape's samples are; the store's implicit samples when `q.implicit`);
    /// returns how many.
    static func catchUp(_ q: inout QuietLoop, to now: SimTime, store: PrometheusStore, promTime: PromTime) -> Int {
        if q.implicit {
            guard q.next < now else { return 0 }
            let n = (now.nanoseconds - 1 - q.next.nanoseconds) / q.interval.nanoseconds + 1
            q.next = q.next + SimDuration(nanoseconds: n * q.interval.nanoseconds)
            return Int(n)
        }
        var n = 0
        while q.next < now {
            if q.up >= 0 {
                let t = promTime.ms(q.next)
                store.append(q.up, t: t, v: 1, appendedAt: t)
            }
            q.next = q.next + q.interval
            n += 1
        }
        return n
    }

    /// Counts `n` ticks of job `job` taken without events.
    func countQuiet(_ n: Int, job: Int) {
        guard n > 0 else { return }
        jobStats[job].scrapes += n
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
        // the implicit samples before now exist from here on (the ticks this catch-up takes)
        store.horizonNs = now.nanoseconds
        let store = self.store, promTime = self.promTime
        var perJob = [Int](repeating: 0, count: jobStats.count)
        var ties = 0
        quietLoops.withUnsafeMutableBufferPointer { qs in
            for k in qs.indices {
                perJob[qs[k].job] += PrometheusServer.catchUp(&qs[k], to: now, store: store, promTime: promTime)
                if qs[k].next == now { ties += 1 }
            }
        }
        quietTies += ties
        for (j, n) in perJob.enumerated() { countQuiet(n, job: j) }
    }

    /// Loop `i` leaves the quiet loops, caught up to now, with its next tick.
    func leaveQuiet(_ i: Int) {
        let k = loops[i].quietAt
        guard k >= 0 else { return }
        let now = model.sim.now
        var q = quietLoops[k]
        countQuiet(PrometheusServer.catchUp(&q, to: now, store: store, promTime: promTime), job: q.job)
        if q.implicit { store.endTail(of: q.up, before: now.nanoseconds) }
        if q.next == now { quietTies += 1 }
        loops[i].next = q.next
        let last = quietLoops.removeLast()
        if k < quietLoops.count { quietLoops[k] = last; loops[last.loop].quietAt = k }
        loops[i].quietAt = -1
        if q.host < quietOnHost.count, let p = quietOnHost[q.host].firstIndex(of: i) { quietOnHost[q.host].remove(at: p) }
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
