import SimKernel

// Scrape loops (scrape/scrape.go 2.42): one per target, first scrape at the target's offset, then
// every interval. A scrape of a dead host waits for the connection until `scrape_timeout`; a port
// with nothing listening is refused at once; a target whose exposition takes longer than the
// timeout (`scrapeDuration`) fails at the timeout. A failed scrape reports `up` 0 and marks every
// series of the last scrape stale; series missing from a scrape are marked stale; a target that
// discovery drops gets markers at its next would-be scrape (`endOfRunStaleness`).

struct ScrapeLoop {
    var target: DiscoveredTarget
    var job: Int
    var gen: Int32 = 0
    var active = true
    /// The next tick of its ticker.
    var next = SimTime.zero
    /// The target's public labels (no `__` prefix): what its samples get.
    var publicLabels: [MetricLabel]
    /// Scraped label set → store id (-1: dropped by metric relabeling), as the scrape cache.
    var cache: [LabelSet: Int] = [:]
    /// Store ids of the series the last successful scrape appended (what staleness marks).
    var prev: [Int] = []
    /// Per sample of the last successful scrape, in exposition order: its series as written, its
    /// label set and its store id (-1: dropped). A sample equal to the one at its position reuses
    /// them (`ScrapeCache`).
    var lastSeries: [ScrapedSeries] = []
    var lastSets: [LabelSet] = []
    var lastIds: [Int] = []
    /// Store ids of up, scrape_duration_seconds, ..., -1 where no rule or export reads it.
    var report: [Int]?
    var lastUp: Bool?
    var scraped = false
    /// Start (Unix ms) of a scrape waiting for its timeout.
    var pendingStart: Int64 = 0
    /// A scrape is waiting for its timeout (its `scrapeFinish` event has not run yet).
    var timingOut = false
    /// Its place in `quietLoops` while it ticks without events (PrometheusQuietLoops.swift), else -1.
    var quietAt = -1
    /// The job's `honor_timestamps`: when true, series the exposition stamps are not tracked for
    /// staleness (`MetricWriter.stamped`).
    var honorTimestamps = true
    /// The job's `sample_limit` (0: none).
    var sampleLimit = 0
    /// The pool holds more targets than its `target_limit`: every scrape fails before any request
    /// (scrape.go `setForcedError`).
    var overTargetLimit = false
}

/// Per job, what scrapes.csv reports for the sample period.
struct JobStats {
    var scrapes = 0
    var failed = 0
    var staleMarkers = 0
}

extension PrometheusServer {
    static let reportNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"]

    /// Connection set-up to a live target (a LAN round trip); documented model choice.
    static let connectSeconds = 0.0005
    /// Exporter time per sample it exposes on an idle host; documented model choice.
    static let perSampleSeconds = 2e-6

    /// How long a scrape takes: connection + exposition, the exposition slowed by the host's CPU
    /// saturation s (Mesos allocation over CPUs): 0.5 ms + exposed × 2 µs / max(0.05, 1 − s).
    public static func scrapeDuration(exposed: Int, saturation: Double) -> Double {
        connectSeconds + Double(exposed) * perSampleSeconds / max(0.05, 1 - min(1, max(0, saturation)))
    }

    func startLoop(_ t: DiscoveredTarget, job: Int) -> Int {
        var loop = ScrapeLoop(target: t, job: job, publicLabels: t.labels.labels.filter { !$0.name.hasPrefix("__") })
        loop.honorTimestamps = config.scrapeConfigs[job].honorTimestamps
        loop.sampleLimit = config.scrapeConfigs[job].sampleLimit
        let i: Int
        if let f = freeLoops.popLast() { loop.gen = loops[f].gen &+ 1; loops[f] = loop; i = f } else { i = loops.count; loops.append(loop) }
        let nowNs = promTime.baseMs &* 1_000_000 &+ model.sim.now.nanoseconds
        let wait = PromHash.scrapeOffset(intervalNs: t.interval.nanoseconds, hash: t.hash, seed: offsetSeed, nowUnixNs: nowNs)
        loops[i].next = model.sim.now + SimDuration(nanoseconds: wait)
        _ = model.sim.schedule(at: loops[i].next, target: target, kind: Kind.scrape.rawValue, arg: IndexGeneration.pack(i, loops[i].gen))
        return i
    }

    /// Discovery dropped the target: markers after two more ticks and a tenth of an interval.
    func stopLoop(_ i: Int) {
        leaveQuiet(i)
        loops[i].active = false
        loops[i].gen &+= 1
        guard loops[i].scraped else { freeLoops.append(i); return }
        let iv = loops[i].target.interval
        _ = model.sim.schedule(at: loops[i].next + iv + SimDuration(nanoseconds: iv.nanoseconds / 10), target: target,
                               kind: Kind.loopStale.rawValue, arg: IndexGeneration.pack(i, loops[i].gen))
    }

    func endOfRunStaleness(_ i: Int) {
        let t = promTime.ms(loops[i].next)
        markStale(i, at: t)
        for id in loops[i].report ?? [] where id >= 0 { if store.append(id, t: t, v: Sample.staleNaN) { jobStats[loops[i].job].staleMarkers += 1 } }
        loops[i].gen &+= 1
        freeLoops.append(i)
    }

    func scrape(_ i: Int) {
        // A scrape whose timeout equals the interval (config.go lets a job's timeout reach its
        // interval, and a job's interval below the global timeout takes the interval as its
        // timeout) ends at this tick: scrape.go's loop is sequential, so the timed-out scrape is
        // appended (up 0, markers, at its own start) before the loop takes the buffered tick.
        if loops[i].timingOut { finishTimedOut(i) }
        let now = model.sim.now
        let iv = loops[i].target.interval
        loops[i].next = now + iv
        _ = model.sim.schedule(at: loops[i].next, target: target, kind: Kind.scrape.rawValue, arg: IndexGeneration.pack(i, loops[i].gen))
        let start = promTime.ms(now)
        jobStats[loops[i].job].scrapes += 1
        scrapesCounted += 1
        loops[i].scraped = true
        // scrapeAndReport@v2.42.0: a forced error (the pool over its target_limit) appends nothing
        // but staleness markers for the last scrape's series and reports up 0, with no request
        if loops[i].overTargetLimit { fail(i, at: start, seconds: 0); return }
        // the target's fields read one by one (a copy of the whole target retains its labels)
        // a scheme the http client refuses fails before any connection (PrometheusTargets.populate)
        guard !loops[i].target.unsupportedScheme else { fail(i, at: start, seconds: 0); return }
        guard let h = loops[i].target.host else { fail(i, at: start, seconds: 0); return }
        let hostState = model.infrastructure.hosts[h]
        guard hostState.state.isUp else { timeOut(i, at: start); return }
        // a partition between Prometheus' host and the target's: no answer, as a host down
        if let m = model.mesos, m.cut(host, h) { timeOut(i, at: start); return }
        guard let ep = loops[i].target.endpoint ?? endpoints[h << 16 | loops[i].target.port], endpointUp(ep, now) else {
            fail(i, at: start, seconds: PrometheusServer.connectSeconds); return
        }
        let w = writers[kindIndex(ep.kind)]
        w.reset()
        for c in contributorsOfKind[kindIndex(ep.kind)] { c.collect(ep, now: now, into: w) }
        if ep.kind == .prometheus { collectSelf(into: w) }
        let saturation = hostState.cpus > 0 ? hostState.allocatedCpus / hostState.cpus : 0
        let seconds = PrometheusServer.scrapeDuration(exposed: w.exposed, saturation: saturation)
        guard seconds <= loops[i].target.timeout.seconds else { timeOut(i, at: start); return }
        succeed(i, at: start, w, seconds: seconds)
        if mayGoQuiet(i, endpoint: ep, w) { goQuiet(i) }
    }

    /// The exporter kinds in `allCases` order, built once (`allCases` makes a new array per call).
    static let exporterKinds = ExporterKind.allCases

    func kindIndex(_ k: ExporterKind) -> Int { PrometheusServer.exporterKinds.firstIndex(of: k) ?? 0 }

    func endpointUp(_ ep: MetricEndpoint, _ now: SimTime) -> Bool {
        for c in contributors { if c.endpointUp(ep, now: now) == false { return false } }
        return true
    }

    /// The scrape's context deadline passes: `up` 0 at the scrape's timestamp, written at the deadline.
    func timeOut(_ i: Int, at start: Int64) {
        loops[i].pendingStart = start
        loops[i].timingOut = true
        _ = model.sim.schedule(after: loops[i].target.timeout, target: target, kind: Kind.scrapeFinish.rawValue,
                               arg: IndexGeneration.pack(i, loops[i].gen))
    }

    func finishTimedOut(_ i: Int) {
        guard loops[i].timingOut else { return }
        loops[i].timingOut = false
        fail(i, at: loops[i].pendingStart, seconds: loops[i].target.timeout.seconds)
    }

    func fail(_ i: Int, at t: Int64, seconds: Double) {
        jobStats[loops[i].job].failed += 1
        scrapesFailed += 1
        markStale(i, at: t)
        loops[i].prev.removeAll(keepingCapacity: true)
        loops[i].lastUp = false
        report(i, at: t, up: 0, seconds: seconds, scraped: 0, kept: 0, added: 0)
    }

    /// Staleness markers at `t` for the last scrape's series that have no sample at `t`.
    func markStale(_ i: Int, at t: Int64) {
        for id in loops[i].prev where store.lastTime(of: id) < t {
            if store.append(id, t: t, v: Sample.staleNaN) { jobStats[loops[i].job].staleMarkers += 1 }
        }
    }

    func succeed(_ i: Int, at t: Int64, _ w: MetricWriter, seconds: Double) {
        // this scrape's ids, label sets and appended ids go into the spare arrays, which then
        // change places with the loop's (no allocation per scrape once they have grown)
        var ids = spareIds, sets = spareSets, cur = spareCur
        spareIds = []; spareSets = []; spareCur = []
        ids.removeAll(keepingCapacity: true); sets.removeAll(keepingCapacity: true); cur.removeAll(keepingCapacity: true)
        var added = 0, dropped = 0, stored = 0
        // read through locals: elements are compared in place rather than copied out of the loop
        let written = w.series, lastSeries = loops[i].lastSeries, lastSets = loops[i].lastSets, lastIds = loops[i].lastIds
        let stamped = w.stamped, honorTimestamps = loops[i].honorTimestamps
        let reusable = reuseSeries ? lastIds.count : 0
        // `sample_limit` can only be exceeded when the exposition is larger: then nothing is
        // appended before the samples left after metric relabeling are counted
        let limit = loops[i].sampleLimit
        let mayExceed = limit > 0 && w.exposed > limit
        if mayExceed { limitNew.removeAll(keepingCapacity: true) }
        for k in written.indices {
            var id = -2, labels: LabelSet
            if k < reusable, lastSeries[k] == written[k] {
                // the series at this position last time: the same label set; when it was kept, it
                // is in the cache with that id (pruning keeps the last scrape's), so the lookup
                // would find exactly this; a dropped one is looked up (pruning may have removed it)
                labels = lastSets[k]
                if lastIds[k] >= 0 { id = lastIds[k] }
            } else {
                labels = written[k].labelSet
                labelSetsBuilt += 1
            }
            var isNew = false
            if id == -2 {
                id = loops[i].cache[labels] ?? -2
                if id == -2 {
                    // the job's configuration is read only on a miss (a copy retains all its arrays)
                    let sc = config.scrapeConfigs[loops[i].job]
                    if let final = RelabelConfig.process(mutate(labels.labels, loops[i].publicLabels, honor: sc.honorLabels), sc.metricRelabel) {
                        let ls = LabelSet(final)
                        // kept, but no rule or export reads it: not stored (-3)
                        id = ls.metricName.map(wants) ?? false ? store.id(for: ls) : -3
                    } else { id = -1 }
                    loops[i].cache[labels] = id
                    isNew = true
                    if id >= 0 { added += 1 }
                }
            }
            ids.append(id); sets.append(labels)
            if mayExceed { limitNew.append(isNew) }
            if id == -1 { dropped += 1; continue }
            if id < 0 { continue }
            stored += 1
            if !mayExceed { store.append(id, t: t, v: w.values[k]) }
            // a sample with its own timestamp is not tracked for staleness (scrape.go append)
            if !(honorTimestamps && stamped[k]) { cur.append(id) }
        }
        let kept = w.exposed - dropped
        if mayExceed {
            if kept > limit {
                sampleLimitExceeded(i, at: t, w, ids: ids, seconds: seconds, dropped: dropped)
                // the series seen stay in the scrape cache and the position memo (the cache is
                // not pruned: scrape.go iterDone runs only after an append without error)
                swap(&loops[i].lastIds, &ids); swap(&loops[i].lastSets, &sets)
                swap(&loops[i].lastSeries, &w.series)
                spareIds = ids; spareSets = sets; spareCur = cur
                return
            }
            for k in ids.indices where ids[k] >= 0 { store.append(ids[k], t: t, v: w.values[k]) }
        }
        if spec.record != .none {
            for fam in w.families where familyIndex[fam.name] == nil { familyIndex[fam.name] = families.count; families.append(fam) }
        }
        markStale(i, at: t)
        // the cache keeps what the last scrape returned (scrape.go iterDone drops entries unseen for two scrapes)
        if loops[i].cache.count > 2 * stored + 64 {
            var c: [LabelSet: Int] = [:]
            for (k, id) in zip(sets, ids) where id >= 0 { c[k] = id }
            loops[i].cache = c
        }
        swap(&loops[i].prev, &cur); swap(&loops[i].lastIds, &ids); swap(&loops[i].lastSets, &sets)
        swap(&loops[i].lastSeries, &w.series)
        spareIds = ids; spareSets = sets; spareCur = cur
        loops[i].lastUp = true
        report(i, at: t, up: 1, seconds: seconds, scraped: Double(w.exposed), kept: Double(kept), added: Double(added))
    }

    /// A scrape that returned more samples after metric relabeling than `sample_limit`, as
    /// scrape.go 2.42 takes it: `scrapeLoop.append` keeps parsing (scrape_samples_scraped and
    /// _post_metric_relabeling count everything), the appender refuses every sample past the limit
    /// (`limitAppender`), the append fails with `sample limit exceeded` and is rolled back (nothing
    /// of the scrape is stored), `up` is 0; scrape_series_added counts the new series before the
    /// limit. Staleness then follows the scrape cache as `scrapeAndReport` leaves it: the series
    /// the failed append tracked (those within the limit, and every series new to the cache) are
    /// not marked; the other series of the last scrape are, and the tracked ones become the set
    /// the next scrape compares with (`iterDone` of the empty append that writes the markers).
    /// So while a target stays over its limit, the series within the limit get no marker: their
    /// last samples stay visible for the lookback delta.
    func sampleLimitExceeded(_ i: Int, at t: Int64, _ w: MetricWriter, ids: [Int], seconds: Double, dropped: Int) {
        let limit = loops[i].sampleLimit, honorTimestamps = loops[i].honorTimestamps
        var tracked: [Int] = [], seriesAdded = 0
        var droppedBefore = 0
        for (j, id) in ids.enumerated() {
            if id == -1 { droppedBefore += 1; continue }
            // the sample's place among those metric relabeling kept (drops among the families
            // not computed are not known: as for scrape_samples_post_metric_relabeling)
            let within = w.positions[j] - droppedBefore < limit
            guard id >= 0 else { continue }
            if within && limitNew[j] { seriesAdded += 1 }
            if honorTimestamps && w.stamped[j] { continue }
            if within || limitNew[j] { tracked.append(id) }
        }
        let trackedSet = Set(tracked)
        for id in loops[i].prev where !trackedSet.contains(id) && store.lastTime(of: id) < t {
            if store.append(id, t: t, v: Sample.staleNaN) { jobStats[loops[i].job].staleMarkers += 1 }
        }
        loops[i].prev = tracked
        jobStats[loops[i].job].failed += 1
        scrapesFailed += 1
        sampleLimitFailures += 1
        loops[i].lastUp = false
        report(i, at: t, up: 0, seconds: seconds, scraped: Double(w.exposed), kept: Double(w.exposed - dropped), added: Double(seriesAdded))
    }

    /// scrape.go mutateSampleLabels: the target's labels win unless `honor_labels`; a scraped
    /// label they override is kept as `exported_<name>`.
    func mutate(_ scraped: [MetricLabel], _ target: [MetricLabel], honor: Bool) -> [MetricLabel] {
        var out = scraped
        if honor {
            for l in target where !scraped.contains(where: { $0.name == l.name }) { out.append(l) }
            return out
        }
        var conflicts: [MetricLabel] = []
        for l in target {
            if let e = scraped.first(where: { $0.name == l.name && !$0.value.isEmpty }) { conflicts.append(e) }
            out = out.filter { $0.name != l.name } + [l]
        }
        for (k, c) in conflicts.enumerated() {
            var name = c.name
            repeat { name = "exported_" + name } while scraped.contains { $0.name == name } || target.contains { $0.name == name }
                || conflicts[..<k].contains { $0.name == name }
            conflicts[k].name = name
        }
        for c in conflicts { out = out.filter { $0.name != c.name } + [c] }
        return out
    }

    /// up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling,
    /// scrape_series_added, with the target's labels, at the scrape's timestamp.
    func report(_ i: Int, at t: Int64, up: Double, seconds: Double, scraped: Double, kept: Double, added: Double) {
        if loops[i].report == nil {
            loops[i].report = PrometheusServer.reportNames.map { n in
                wants(n) ? store.id(for: LabelSet([MetricLabel("__name__", n)] + loops[i].publicLabels)) : -1
            }
        }
        guard let ids = loops[i].report else { return }
        if ids[0] >= 0 { store.append(ids[0], t: t, v: up) }
        if ids[1] >= 0 { store.append(ids[1], t: t, v: seconds) }
        if ids[2] >= 0 { store.append(ids[2], t: t, v: scraped) }
        if ids[3] >= 0 { store.append(ids[3], t: t, v: kept) }
        if ids[4] >= 0 { store.append(ids[4], t: t, v: added) }
    }
}
