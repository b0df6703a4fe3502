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
    public private(set) var appended = 0

    public init(retentionMs: Int64, record: ((LabelSet) -> Bool)? = nil) {
        self.retentionMs = retentionMs; self.record = record
    }

    public var seriesCount: Int { series.count }
    /// Samples held now (memory).
    public var samplesHeld: Int { series.reduce(0) { $0 + $1.t.count - $1.head } }
    public func labels(of id: Int) -> LabelSet { series[id].labels }
    public func lastTime(of id: Int) -> Int64 { series[id].lastT }

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
    public func append(_ id: Int, t: Int64, v: Double) -> Bool {
        guard t > series[id].lastT else { return false }
        appended += 1
        series[id].lastT = t
        series[id].t.append(t); series[id].v.append(v)
        let cutoff = t - retentionMs
        var h = series[id].head
        while h < series[id].t.count - 1 && series[id].t[h] < cutoff { h += 1 }
        if h > 32 && h * 2 > series[id].t.count {
            series[id].t.removeFirst(h); series[id].v.removeFirst(h); h = 0
        }
        series[id].head = h
        if series[id].recorded { pending.append((Int32(id), t, v, nowMs())) }
        return true
    }

    public func append(_ labels: LabelSet, t: Int64, v: Double) { append(id(for: labels), t: t, v: v) }

    /// The queued samples with `t <= upTo` for samples.csv, in time order then series order; they
    /// leave the queue.
    public func takePending(upTo: Int64 = .max) -> [(labels: LabelSet, t: Int64, v: Double, appended: Int64)] {
        var due: [(id: Int32, t: Int64, v: Double, appended: Int64)] = [], rest: [(id: Int32, t: Int64, v: Double, appended: Int64)] = []
        for p in pending { if p.t <= upTo { due.append(p) } else { rest.append(p) } }
        pending = rest
        due.sort { a, b in a.t != b.t ? a.t < b.t : (a.id != b.id && series[Int(a.id)].labels < series[Int(b.id)].labels) }
        return due.map { (series[Int($0.id)].labels, $0.t, $0.v, $0.appended) }
    }

    /// The ids of the series every matcher accepts, in label order.
    private func matching(_ matchers: [LabelMatcher]) -> [Int] {
        if let m = matchers.first(where: { $0.name == "__name__" && $0.type == .equal }) {
            // byName is in label order already
            return (byName[m.value] ?? []).filter { i in matchers.allSatisfy { $0.matches(series[i].labels) } }
        }
        return (0..<series.count).filter { i in matchers.allSatisfy { $0.matches(series[i].labels) } }
            .sorted { series[$0].labels < series[$1].labels }
    }

    /// The first index of series `s` holding a sample at or after `mint`.
    private func lowerBound(_ s: Series, _ mint: Int64) -> Int {
        var lo = s.head, hi = s.t.count
        while lo < hi { let m = (lo + hi) / 2; if s.t[m] < mint { lo = m + 1 } else { hi = m } }
        return lo
    }

    public func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [SeriesSamples] {
        var out: [SeriesSamples] = []
        for i in matching(matchers) {
            let s = series[i]
            let lo = lowerBound(s, mint)
            var end = lo
            while end < s.t.count && s.t[end] <= maxt { end += 1 }
            guard end > lo else { continue }
            var samples: [Sample] = []
            samples.reserveCapacity(end - lo)
            for k in lo..<end { samples.append(Sample(t: s.t[k], v: s.v[k])) }
            out.append(SeriesSamples(labels: s.labels, samples: samples))
        }
        return out
    }

    /// Per matching series, its newest sample in `mint ... maxt`, without copying the others.
    public func selectLatest(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) -> [(labels: LabelSet, sample: Sample)] {
        var out: [(labels: LabelSet, sample: Sample)] = []
        for i in matching(matchers) {
            let s = series[i]
            // the last sample at or before maxt: the one before the first after it
            var lo = s.head, hi = s.t.count
            while lo < hi { let m = (lo + hi) / 2; if s.t[m] <= maxt { lo = m + 1 } else { hi = m } }
            guard lo > s.head, s.t[lo - 1] >= mint else { continue }
            out.append((s.labels, Sample(t: s.t[lo - 1], v: s.v[lo - 1])))
        }
        return out
    }
}
