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
    /// Subquery steps left for this evaluation (shared by the evaluator's copies): a bound on work
    /// for nested subqueries.
    final class Budget { var steps = PromQLEvaluator.maxSubquerySteps }
    static let maxSubquerySteps = 100_000
    let budget = Budget()
    /// The query's time: what `@ start()` and `@ end()` mean.
    let queryTime: Int64

    init(store: SeriesStore, lookbackMs: Int64, defaultStepMs: Int64, queryTime: Int64) {
        self.store = store; self.lookbackMs = lookbackMs; self.defaultStepMs = defaultStepMs; self.queryTime = queryTime
    }

    /// Where a selector's window ends: its `@` time (or t) less its offset.
    func refTime(_ at: PromQLAt?, _ offsetMs: Int64, _ t: Int64) -> Int64 {
        (at?.base(t, queryTime: queryTime) ?? t) - offsetMs
    }

    func eval(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> PromQLValue {
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
        if case .vector(let v) = try eval(node, at: t) { return v }
        return []
    }

    func scalar(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> Double {
        if case .scalar(let v) = try eval(node, at: t) { return v }
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
        let ref = refTime(vs.at, vs.offsetMs, t)
        var out: [(labels: LabelSet, sample: Sample)] = []
        for s in store.selectLatest(vs.matchers, mint: ref - lookbackMs, maxt: ref) where !s.sample.isStale { out.append(s) }
        return out
    }

    func rangeSelect(_ vs: PromQLVectorSelector, rangeMs: Int64, at t: Int64) -> [SeriesSamples] {
        let maxt = refTime(vs.at, vs.offsetMs, t)
        var out: [SeriesSamples] = []
        for var s in store.select(vs.matchers, mint: maxt - rangeMs, maxt: maxt) {
            if s.samples.contains(where: { $0.v.isNaN && $0.isStale }) { s.samples.removeAll { $0.isStale } }
            if !s.samples.isEmpty { out.append(s) }
        }
        return out
    }

    /// The subquery's points: its expression at every multiple of the step in
    /// [t − offset − range, t − offset] (evalSubquery's alignment), series in label order.
    func subquery(_ s: PromQLSubqueryNode, at t: Int64) throws(PromQLError) -> [SeriesSamples] {
        let step = s.stepMs > 0 ? s.stepMs : defaultStepMs
        let end = refTime(s.at, s.offsetMs, t)
        let first = end - s.rangeMs
        var ts = PromQLEvaluator.floorDiv(first, step) * step
        if ts < first { ts += step }
        var index: [LabelSet: Int] = [:]
        var out: [SeriesSamples] = []
        while ts <= end {
            budget.steps -= 1
            if budget.steps < 0 {
                throw PromQLError("subqueries need more than \(PromQLEvaluator.maxSubquerySteps) steps in one evaluation", position: s.pos)
            }
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

    func call(_ c: PromQLCallNode, at t: Int64) throws(PromQLError) -> PromQLValue {
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
    func rangeCall(_ c: PromQLCallNode, matrixArg m: Int, at t: Int64) throws(PromQLError) -> [VectorSample] {
        let name = c.function.name
        guard let f = PromQLFunctions.RangeFunction(rawValue: name) else { return [] }
        let keepName = f == .lastOverTime
        var params: [Double] = []
        for (k, a) in c.args.enumerated() where k != m { params.append(try scalar(a, at: t)) }
        let (series, rangeMs, end) = try matrixArgument(c.args[m].unwrapped, at: t)
        let window = PromQLFunctions.Window(t: t, start: end - rangeMs, end: end, rangeMs: rangeMs)
        var out: [VectorSample] = []
        out.reserveCapacity(series.count)
        for s in series {
            if f == .holtWinters { try PromQLFunctions.checkHoltWinters(params, c.pos) }
            guard let v = PromQLFunctions.overRange(f, s.samples, window, params: params) else { continue }
            out.append(VectorSample(labels: keepName ? s.labels : s.labels.withoutName, value: v))
        }
        if f == .absentOverTime {
            return out.isEmpty ? [VectorSample(labels: PromQLFunctions.absentLabels(c.args[m]), value: 1)] : []
        }
        try PromQLEvaluator.checkUnique(out, c.pos)
        return out
    }

    /// A range argument's series, its range and where its window ends.
    private func matrixArgument(_ node: PromQLNode, at t: Int64) throws(PromQLError) -> ([SeriesSamples], Int64, Int64) {
        switch node {
        case .matrix(let vs, let r): return (rangeSelect(vs, rangeMs: r, at: t), r, refTime(vs.at, vs.offsetMs, t))
        case .subquery(let s): return (try subquery(s, at: t), s.rangeMs, refTime(s.at, s.offsetMs, t))
        default: return ([], 0, 0)
        }
    }
}
