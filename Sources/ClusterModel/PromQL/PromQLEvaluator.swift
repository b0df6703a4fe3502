// Instant evaluation as promql/engine.go (Prometheus 2.42) does it for one step:
// - an instant selector takes each series' newest sample in [t − offset − lookback, t − offset]
//   (both ends included: vectorSelectorSingle), none when that sample is a staleness marker;
// - a range selector takes the samples in [t − offset − range, t − offset] (matrixIterSlice keeps
//   t ≥ mint: left-closed in 2.x), staleness markers dropped;
// - a subquery evaluates its expression at the multiples of its step in that window.

struct PromQLEvaluator {
    let store: SeriesStore
    let lookbackMs: Int64
    let defaultStepMs: Int64
    /// Reused for a series' samples without staleness markers.
    var buffer: [Sample] = []

    init(store: SeriesStore, lookbackMs: Int64, defaultStepMs: Int64) {
        self.store = store; self.lookbackMs = lookbackMs; self.defaultStepMs = defaultStepMs
    }

    mutating func eval(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> PromQLValue {
        switch node {
        case .number(let v, _): return .scalar(v)
        case .string(let s, _): return .string(s)
        case .paren(let e, _): return try eval(e, at: t)
        case .vector(let vs): return .vector(instantSelect(vs, at: t).map { VectorSample(labels: $0.labels, value: $0.sample.v) })
        case .matrix(let vs, let r): return .matrix(rangeSelect(vs, rangeMs: r, at: t))
        case .subquery(let s): return .matrix(try subquery(s, at: t))
        case .negate(let e, let pos):
            switch try eval(e, at: t) {
            case .scalar(let v): return .scalar(-v)
            case .vector(let vec):
                let out = vec.map { VectorSample(labels: $0.labels.withoutName, value: -$0.value) }
                try PromQLEvaluator.checkUnique(out, pos)
                return .vector(out)
            case let other: return other
            }
        case .binary(let b): return try binary(b, at: t)
        case .aggregate(let a): return try aggregate(a, at: t)
        case .call(let c): return try call(c, at: t)
        }
    }

    func vector(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> [VectorSample] {
        var ev = self
        if case .vector(let v) = try ev.eval(node, at: t) { return v }
        return []
    }

    func scalar(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> Double {
        var ev = self
        if case .scalar(let v) = try ev.eval(node, at: t) { return v }
        return .nan
    }

    /// rangeEval's check: a vector cannot hold two elements with the same labels.
    static func checkUnique(_ v: [VectorSample], _ pos: Int) throws(PromQLError) {
        if v.count < 2 { return }
        var seen = Set<LabelSet>(minimumCapacity: v.count)
        for s in v where !seen.insert(s.labels).inserted {
            throw PromQLError("vector cannot contain metrics with the same labelset", position: pos)
        }
    }

    // MARK: selectors

    /// Each matching series' newest sample in the lookback window, with its labels.
    func instantSelect(_ vs: PromQLVectorSelector, at t: Int64) -> [(labels: LabelSet, sample: Sample)] {
        let ref = t - vs.offsetMs
        var out: [(labels: LabelSet, sample: Sample)] = []
        for s in store.select(vs.matchers, mint: ref - lookbackMs, maxt: ref) {
            guard let last = s.samples.last(where: { $0.t <= ref }), last.t >= ref - lookbackMs, !last.isStale else { continue }
            out.append((s.labels, last))
        }
        return out
    }

    func rangeSelect(_ vs: PromQLVectorSelector, rangeMs: Int64, at t: Int64) -> [SeriesSamples] {
        let maxt = t - vs.offsetMs
        var out: [SeriesSamples] = []
        for var s in store.select(vs.matchers, mint: maxt - rangeMs, maxt: maxt) {
            if s.samples.contains(where: { $0.isStale || $0.t < maxt - rangeMs || $0.t > maxt }) {
                s.samples.removeAll { $0.isStale || $0.t < maxt - rangeMs || $0.t > maxt }
            }
            if !s.samples.isEmpty { out.append(s) }
        }
        return out
    }

    /// The subquery's points: its expression at every multiple of the step in
    /// [t − offset − range, t − offset] (evalSubquery's alignment), series in label order.
    mutating func subquery(_ s: PromQLSubqueryNode, at t: Int64) throws(PromQLError) -> [SeriesSamples] {
        let step = s.stepMs > 0 ? s.stepMs : defaultStepMs
        let end = t - s.offsetMs
        let first = end - s.rangeMs
        var ts = PromQLEvaluator.floorDiv(first, step) * step
        if ts < first { ts += step }
        var index: [LabelSet: Int] = [:]
        var out: [SeriesSamples] = []
        var steps = 0
        while ts <= end {
            steps += 1
            if steps > 11_000 { throw PromQLError("subquery has more than 11000 steps", position: s.pos) }
            for v in try vector(s.expr, at: ts) {
                if let k = index[v.labels] { out[k].samples.append(Sample(t: ts, v: v.value)); continue }
                index[v.labels] = out.count
                out.append(SeriesSamples(labels: v.labels, samples: [Sample(t: ts, v: v.value)]))
            }
            ts += step
        }
        return out.sorted { $0.labels < $1.labels }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    // MARK: calls

    mutating func call(_ c: PromQLCallNode, at t: Int64) throws(PromQLError) -> PromQLValue {
        let name = c.function.name
        if let m = c.args.firstIndex(where: { $0.unwrapped.type == .matrix }) {
            return .vector(try rangeCall(c, matrixArg: m, at: t))
        }
        switch name {
        case "time": return .scalar(Double(t) / 1000)
        case "pi": return .scalar(Double.pi)
        case "scalar":
            let v = try vector(c.args[0], at: t)
            return .scalar(v.count == 1 ? v[0].value : .nan)
        case "vector": return .vector([VectorSample(labels: LabelSet(), value: try scalar(c.args[0], at: t))])
        case "timestamp":
            if case .vector(let vs) = c.args[0].unwrapped {
                let out = instantSelect(vs, at: t).map { VectorSample(labels: $0.labels.withoutName, value: Double($0.sample.t) / 1000) }
                try PromQLEvaluator.checkUnique(out, c.pos)
                return .vector(out)
            }
        default: break
        }
        var scalars: [Double] = []
        var strings: [String] = []
        var input: [VectorSample] = []
        for (k, a) in c.args.enumerated() {
            switch a.type {
            case .scalar: scalars.append(try scalar(a, at: t))
            case .string: if case .string(let s, _) = a.unwrapped { strings.append(s) }
            default: if k == 0 { input = try vector(a, at: t) }
            }
        }
        if name == "histogram_quantile" { input = try vector(c.args[1], at: t) }
        let out = try PromQLFunctions.instant(c, input: input, scalars: scalars, strings: strings, at: t)
        try PromQLEvaluator.checkUnique(out, c.pos)
        return .vector(out)
    }

    /// A function over a range vector: applied to each series' samples (funcs over []Point).
    mutating func rangeCall(_ c: PromQLCallNode, matrixArg m: Int, at t: Int64) throws(PromQLError) -> [VectorSample] {
        let name = c.function.name
        var param = Double.nan
        for (k, a) in c.args.enumerated() where k != m { param = try scalar(a, at: t) }
        let (series, rangeMs, offsetMs) = try matrixArgument(c.args[m].unwrapped, at: t)
        let window = PromQLFunctions.Window(t: t, start: t - offsetMs - rangeMs, end: t - offsetMs, rangeMs: rangeMs)
        var out: [VectorSample] = []
        out.reserveCapacity(series.count)
        for s in series {
            guard let v = PromQLFunctions.overRange(name, s.samples, window, param: param) else { continue }
            out.append(VectorSample(labels: name == "last_over_time" ? s.labels : s.labels.withoutName, value: v))
        }
        if name == "absent_over_time" {
            return out.isEmpty ? [VectorSample(labels: PromQLFunctions.absentLabels(c.args[m]), value: 1)] : []
        }
        try PromQLEvaluator.checkUnique(out, c.pos)
        return out
    }

    private mutating func matrixArgument(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> ([SeriesSamples], Int64, Int64) {
        switch node {
        case .matrix(let vs, let r): return (rangeSelect(vs, rangeMs: r, at: t), r, vs.offsetMs)
        case .subquery(let s): return (try subquery(s, at: t), s.rangeMs, s.offsetMs)
        default: return ([], 0, 0)
        }
    }
}
