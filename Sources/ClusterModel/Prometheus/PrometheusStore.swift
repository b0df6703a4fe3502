import SimKernel

/// Prometheus' storage as the simulator keeps it: one buffer per series holding only the last
/// `retentionMs` (the longest range + offset any rule reads, plus the lookback delta), trimmed on
/// append, so memory stays flat in simulated time. Appends that do not move a series' time forward
/// are rejected (out of order or duplicate), as the TSDB head does. Samples appended while
/// `recording` are also queued for samples.csv (`takePending`), with the instant they were
/// appended: a timed-out scrape's samples carry its start but become visible at the timeout.
public final class PrometheusStore: SeriesStore {
    struct Series {
        let labels: LabelSet
        var t: [Int64] = []
        var v: [Double] = []
        var head = 0
        var lastT = Int64.min
        let recorded: Bool
        /// Its implicit samples (an index in `tails`), -1: none.
        var tail = -1
    }
    private(set) var series: [Series] = []
    private var index: [LabelSet: Int] = [:]
    private var byName: [String: [Int]] = [:]
    private var unnamed: [Int] = []
    public var retentionMs: Int64
    /// Which series go to samples.csv (nil: none).
    let record: ((LabelSet) -> Bool)?
    private(set) var pending: [(id: Int32, t: Int64, v: Double, appended: Int64)] = []
    /// Prometheus' clock now (Unix ms): when a recorded sample became visible to queries.
    public var nowMs: () -> Int64 = { 0 }
    /// Samples appended in total (for the bench and tests).
    public var appended: Int {
        beforeRead?()
        return tails.reduce(appendedCount) { $0 + $1.count(before: horizonNs) }
    }
    private var appendedCount = 0
    /// Called before anything reads the samples: the server writes the samples of the scrape
    /// ticks it took without events (PrometheusQuietLoops.swift).
    var beforeRead: (() -> Void)?

    public init(retentionMs: Int64, record: ((LabelSet) -> Bool)? = nil) {
        self.retentionMs = retentionMs; self.record = record
    }

    public var seriesCount: Int { series.count }
    /// Samples held now (memory).
    public var samplesHeld: Int {
        beforeRead?()
        return series.withUnsafeBufferPointer { all in
            tails.withUnsafeBufferPointer { tails in
                var n = 0
                for i in all.indices {
                    let k = all[i].tail
                    guard k >= 0, let (cut, ticks) = tailView(tails[k]) else { n += all[i].t.count - all[i].head; continue }
                    // the explicit samples are read only while some may still be held
                    n += ticks.hi - ticks.lo + (tails[k].explicitLastMs < cut ? 0 : all[i].t.count - PrometheusStore.lowerBound(all[i], cut))
                }
                return n
            }
        }
    }
    public func labels(of id: Int) -> LabelSet { series[id].labels }
    public func lastTime(of id: Int) -> Int64 {
        let k = series[id].tail
        guard k >= 0 else { return series[id].lastT }
        let n = tails[k].count(before: horizonNs)
        return n > 0 ? tailMs(tails[k], n - 1) : series[id].lastT
    }

    /// The id of a series, created on first use.
    public func id(for labels: LabelSet) -> Int {
        if let i = index[labels] { return i }
        let i = series.count
        series.append(Series(labels: labels, recorded: record?(labels) ?? false))
        index[labels] = i
        // per name, ids in label order (series are created rarely; selects read them often)
        if let n = labels.metricName {
            var ids = byName[n] ?? []
            var lo = 0, hi = ids.count
            while lo < hi { let m = (lo + hi) / 2; if series[ids[m]].labels < labels { lo = m + 1 } else { hi = m } }
            ids.insert(i, at: lo)
            byName[n] = ids
        } else { unnamed.append(i) }
        return i
    }

    /// Appends; false when `t` is not after the series' last sample (rejected).
    @discardableResult
    public func append(_ id: Int, t: Int64, v: Double) -> Bool { append(id, t: t, v: v, appendedAt: nil) }

    /// Appends a sample that became visible at `appendedAt` (Unix ms; nil: now): a skipped scrape
    /// tick is written later than it happened (PrometheusQuietLoops.swift).
    @discardableResult
    func append(_ id: Int, t: Int64, v: Double, appendedAt: Int64?) -> Bool {
        if series[id].tail >= 0 { endTail(of: id, before: horizonNs) }
        guard PrometheusStore.push(&series[id], t: t, v: v, retentionMs: retentionMs) else { return false }
        appendedCount += 1
        if series[id].recorded { pending.append((Int32(id), t, v, appendedAt ?? nowMs())) }
        return true
    }

    /// One append to one series (a single access to it), trimming what the retention no longer needs.
    private static func push(_ s: inout Series, t: Int64, v: Double, retentionMs: Int64) -> Bool {
        guard t > s.lastT else { return false }
        s.lastT = t
        s.t.append(t); s.v.append(v)
        let cutoff = t - retentionMs
        var h = s.head
        while h < s.t.count - 1 && s.t[h] < cutoff { h += 1 }
        if h > 32 && h * 2 > s.t.count {
            s.t.removeFirst(h); s.v.removeFirst(h); h = 0
        }
        s.head = h
        return true
    }

    public func append(_ labels: LabelSet, t: Int64, v: Double) { append(id(for: labels), t: t, v: v) }

    /// The queued samples with `t <= upTo` for samples.csv, in time order then series order; they
    /// leave the queue.
    public func takePending(upTo: Int64 = .max) -> [(labels: LabelSet, t: Int64, v: Double, appended: Int64)] {
        beforeRead?()
        var due: [(id: Int32, t: Int64, v: Double, appended: Int64)] = [], rest: [(id: Int32, t: Int64, v: Double, appended: Int64)] = []
        for p in pending { if p.t <= upTo { due.append(p) } else { rest.append(p) } }
        pending = rest
        due.sort { a, b in a.t != b.t ? a.t < b.t : (a.id != b.id && series[Int(a.id)].labels < series[Int(b.id)].labels) }
        return due.map { (series[Int($0.id)].labels, $0.t, $0.v, $0.appended) }
    }

    /// Per selector's matchers, the ids it matched and the series count then: series are only ever
    /// added (a series' labels never change), so the answer holds until a series is created.
    private var matched: [[LabelMatcher]: (count: Int, ids: [Int])] = [:]
    /// Whether `matching` answers from `matched` (false: every select matches every series, the
    /// reference the tests compare with).
    public var cacheMatching = true

    /// The ids of the series every matcher accepts, in label order.
    private func matching(_ matchers: [LabelMatcher]) -> [Int] {
        guard cacheMatching else { return match(matchers) }
        if let m = matched[matchers], m.count == series.count { return m.ids }
        let ids = match(matchers)
        matched[matchers] = (series.count, ids)
        return ids
    }

    private func match(_ matchers: [LabelMatcher]) -> [Int] {
        if let k = matchers.firstIndex(where: { $0.name == "__name__" && $0.type == .equal }) {
            // byName is in label order already, and its series all pass the name's matcher
            let ids = byName[matchers[k].value] ?? []
            if matchers.count == 1 { return ids }
            let rest = matchers.indices.filter { $0 != k }.map { matchers[$0] }
            return ids.filter { i in rest.allSatisfy { $0.matches(series[i].labels) } }
        }
        return (0..<series.count).filter { i in matchers.allSatisfy { $0.matches(series[i].labels) } }
            .sorted { series[$0].labels < series[$1].labels }
    }

    /// The first index of series `s` holding a sample at or after `mint`.
    private static func lowerBound(_ s: borrowing Series, _ mint: Int64) -> Int {
        var lo = s.head, hi = s.t.count
        while lo < hi { let m = (lo + hi) / 2; if s.t[m] < mint { lo = m + 1 } else { hi = m } }
        return lo
    }

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [SeriesSamples] {
        beforeRead?()
        var out: [SeriesSamples] = []
        for i in matching(matchers) {
            let s = series[i]
            let view = s.tail >= 0 ? tailView(tails[s.tail]) : nil
            let lo = PrometheusStore.lowerBound(s, max(mint, view?.cut ?? .min))
            var end = lo
            while end < s.t.count && s.t[end] <= maxt { end += 1 }
            var samples: [Sample] = []
            samples.reserveCapacity(end - lo)
            for k in lo..<end { samples.append(Sample(t: s.t[k], v: s.v[k])) }
            if let (_, ticks) = view {
                // the implicit samples in the window (all after the explicit ones)
                let q = tails[s.tail]
                var k = max(ticks.lo, q.first(atOrAfterMs: mint, baseMs: baseMs))
                while k < ticks.hi && tailMs(q, k) <= maxt { samples.append(Sample(t: tailMs(q, k), v: q.v)); k += 1 }
            }
            guard !samples.isEmpty else { continue }
            out.append(SeriesSamples(labels: s.labels, samples: samples))
        }
        return out
    }

    /// Per matching series, its newest sample in `mint ... maxt`, without copying the others.
    public func selectLatest(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [(labels: LabelSet, sample: Sample)] {
        beforeRead?()
        let ids = matching(matchers)
        var out: [(labels: LabelSet, sample: Sample)] = []
        out.reserveCapacity(ids.count)
        series.withUnsafeBufferPointer { all in tails.withUnsafeBufferPointer { tails in
            for i in ids {
                if all[i].tail >= 0, let (cut, ticks) = tailView(tails[all[i].tail]) {
                    // its newest implicit sample at or before maxt, else its newest explicit one
                    let q = tails[all[i].tail]
                    let k = min(ticks.hi, q.first(atOrAfterMs: maxt + 1, baseMs: baseMs)) - 1
                    if k >= ticks.lo {
                        let t = tailMs(q, k)
                        if t >= mint { out.append((all[i].labels, Sample(t: t, v: q.v))) }
                        continue
                    }
                    if let found = PrometheusStore.latest(all[i], from: PrometheusStore.lowerBound(all[i], cut), mint: mint, maxt: maxt) {
                        out.append((all[i].labels, found))
                    }
                    continue
                }
                if let found = PrometheusStore.latest(all[i], from: all[i].head, mint: mint, maxt: maxt) { out.append((all[i].labels, found)) }
            }
        } }
        return out
    }

    /// Series `s`'s newest explicit sample in `mint ... maxt` among those from index `head` on.
    private static func latest(_ s: borrowing Series, from head: Int, mint: Int64, maxt: Int64) -> Sample? {
        // the last sample at or before maxt: the one before the first after it
        s.t.withUnsafeBufferPointer { t in
            var lo = head, hi = t.count
            while lo < hi { let m = (lo + hi) / 2; if t[m] <= maxt { lo = m + 1 } else { hi = m } }
            guard lo > head, t[lo - 1] >= mint else { return nil }
            return Sample(t: t[lo - 1], v: s.v[lo - 1])
        }
    }

    // MARK: implicit samples

    /// A series written implicitly (a quiet scrape loop's `up`, PrometheusQuietLoops.swift): value
    /// `v` at simulated instants `firstNs + k × stepNs`, every one before the store's horizon.
    struct Tail {
        let id: Int
        let firstNs: Int64
        let stepNs: Int64
        let v: Double
        /// The series' newest explicit sample (Unix ms) when its implicit samples began.
        let explicitLastMs: Int64
        /// How many of its instants are before `horizon` (ns).
        func count(before horizon: Int64) -> Int { horizon > firstNs ? Int((horizon - 1 - firstNs) / stepNs) + 1 : 0 }
        /// The first k whose sample's Unix ms is at or after `ms` (instants truncated to the ms).
        func first(atOrAfterMs ms: Int64, baseMs: Int64) -> Int {
            // ms(x) >= ms  <=>  x >= (ms - baseMs) × 1e6 (x >= 0)
            let x = (ms - baseMs) * 1_000_000 - firstNs
            return x <= 0 ? 0 : Int((x + stepNs - 1) / stepNs)
        }
    }
    private var tails: [Tail] = []
    /// Implicit samples exist before this simulated instant (ns): the server sets it when it takes
    /// its quiet loops' ticks up to an instant.
    var horizonNs: Int64 = .min
    /// Unix ms at simulated time 0 (the implicit samples' instants are simulated).
    var baseMs: Int64 = 0

    private func tailMs(_ q: Tail, _ k: Int) -> Int64 { baseMs + (q.firstNs + Int64(k) * q.stepNs) / 1_000_000 }

    /// Of a series' implicit samples `q`: the retention cut-off its newest sample sets, and the
    /// range of its implicit samples at or after it (nil: no implicit sample yet).
    private func tailView(_ q: Tail) -> (cut: Int64, ticks: (lo: Int, hi: Int))? {
        let n = q.count(before: horizonNs)
        guard n > 0 else { return nil }
        // what trimming on append would have left: the samples at or after newest − retention
        let cut = tailMs(q, n - 1) - retentionMs
        return (cut, (q.first(atOrAfterMs: cut, baseMs: baseMs), n))
    }

    /// Series `id` gets value `v` at `firstNs + k × stepNs` (simulated ns) for every such instant
    /// before the horizon, without an append per sample; false (nothing done) when it is recorded
    /// (samples.csv queues each sample) or has implicit samples already (two loops, one series).
    func beginTail(of id: Int, firstNs: Int64, stepNs: Int64, v: Double) -> Bool {
        guard series[id].tail < 0, !series[id].recorded, stepNs > 0 else { return false }
        series[id].tail = tails.count
        tails.append(Tail(id: id, firstNs: firstNs, stepNs: stepNs, v: v, explicitLastMs: series[id].lastT))
        return true
    }

    /// Series `id`'s implicit samples before `horizon` (ns) become ordinary ones: those retention
    /// keeps are appended, all are counted; the series is written explicitly from then on.
    func endTail(of id: Int, before horizon: Int64) {
        let k = series[id].tail
        guard k >= 0 else { return }
        let q = tails[k]
        let n = q.count(before: horizon)
        if n > 0 {
            let cut = tailMs(q, n - 1) - retentionMs
            for j in q.first(atOrAfterMs: cut, baseMs: baseMs)..<n {
                _ = PrometheusStore.push(&series[id], t: tailMs(q, j), v: q.v, retentionMs: retentionMs)
            }
            appendedCount += n
        }
        series[id].tail = -1
        let last = tails.removeLast()
        if k < tails.count { tails[k] = last; series[last.id].tail = k }
    }
}
