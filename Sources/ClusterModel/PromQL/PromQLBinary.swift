import Foundation

// Binary operators as promql/engine.go (Prometheus 2.42): scalarBinop, VectorscalarBinop,
// VectorBinop (one-to-one, many-to-one, one-to-many with its errors), VectorAnd/Or/Unless.

extension PromQLEvaluator {
    mutating func binary(_ b: PromQLBinaryNode, at t: Int64) throws(PromQLError) -> PromQLValue {
        let lhs = try eval(b.lhs, at: t)
        let rhs = try eval(b.rhs, at: t)
        switch (lhs, rhs) {
        case let (.scalar(l), .scalar(r)):
            return .scalar(PromQLEvaluator.scalarBinop(b.op, l, r))
        case let (.vector(l), .scalar(r)):
            return .vector(try checked(PromQLEvaluator.vectorScalar(b.op, l, r, swap: false, returnBool: b.returnBool), b))
        case let (.scalar(l), .vector(r)):
            return .vector(try checked(PromQLEvaluator.vectorScalar(b.op, r, l, swap: true, returnBool: b.returnBool), b))
        case let (.vector(l), .vector(r)):
            let m = b.matching ?? PromQLVectorMatching()
            switch b.op {
            case .and: return .vector(PromQLEvaluator.setOp(l, r, m, keepMatched: true))
            case .unless: return .vector(PromQLEvaluator.setOp(l, r, m, keepMatched: false))
            case .or:
                let seen = Set(l.map { PromQLEvaluator.signature($0.labels, m) })
                return .vector(try checked(l + r.filter { !seen.contains(PromQLEvaluator.signature($0.labels, m)) }, b))
            default: return .vector(try checked(try PromQLEvaluator.vectorBinop(b, l, r, m), b))
            }
        default:
            return .vector([])
        }
    }

    private func checked(_ v: [VectorSample], _ b: PromQLBinaryNode) throws(PromQLError) -> [VectorSample] {
        try PromQLEvaluator.checkUnique(v, b.pos)
        return v
    }

    /// vectorElemBinop: the value and, for a comparison, whether the element is kept.
    static func elemBinop(_ op: PromQLBinaryOp, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (GoMath.pow(l, r), true)
        case .mod: return (fmod(l, r), true)
        case .atan2: return (GoMath.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        }
    }

    static func scalarBinop(_ op: PromQLBinaryOp, _ l: Double, _ r: Double) -> Double {
        let (v, keep) = elemBinop(op, l, r)
        return op.isComparison ? (keep ? 1 : 0) : v
    }

    static func vectorScalar(_ op: PromQLBinaryOp, _ vec: [VectorSample], _ s: Double, swap: Bool, returnBool: Bool) -> [VectorSample] {
        var out: [VectorSample] = []
        out.reserveCapacity(vec.count)
        for e in vec {
            var (v, keep) = swap ? elemBinop(op, s, e.value) : elemBinop(op, e.value, s)
            if op.isComparison && swap { v = e.value }
            if returnBool { v = keep ? 1 : 0; keep = true }
            guard keep else { continue }
            out.append(VectorSample(labels: op.dropsMetricName || returnBool ? e.labels.withoutName : e.labels, value: v))
        }
        return out
    }

    /// The labels two elements are matched on: `on(...)` keeps the listed labels, `ignoring(...)`
    /// (or no modifier) drops them and the metric name.
    static func signature(_ l: LabelSet, _ m: PromQLVectorMatching) -> LabelSet {
        m.on ? l.keeping(Set(m.labels)) : l.removing(Set(m.labels + ["__name__"]))
    }

    static func setOp(_ l: [VectorSample], _ r: [VectorSample], _ m: PromQLVectorMatching, keepMatched: Bool) -> [VectorSample] {
        let right = Set(r.map { signature($0.labels, m) })
        return l.filter { right.contains(signature($0.labels, m)) == keepMatched }
    }

    /// Labels as Go's labels.Labels.String prints them (in error messages).
    static func goString(_ l: LabelSet) -> String {
        "{" + l.labels.map { "\($0.name)=\"\(LabelSet.escape($0.value))\"" }.joined(separator: ", ") + "}"
    }

    static func vectorBinop(_ b: PromQLBinaryNode, _ lhsIn: [VectorSample], _ rhsIn: [VectorSample],
                            _ m: PromQLVectorMatching) throws(PromQLError) -> [VectorSample] {
        let swapped = m.card == .oneToMany
        let (lhs, rhs) = swapped ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        var right: [LabelSet: VectorSample] = [:]
        for rs in rhs {
            let sig = signature(rs.labels, m)
            if let dup = right[sig] {
                throw PromQLError("found duplicate series for the match group \(goString(sig)) on the \(swapped ? "left" : "right") "
                    + "hand-side of the operation: [\(goString(rs.labels)), \(goString(dup.labels))];many-to-many matching not allowed: "
                    + "matching labels must be unique on one side", position: b.pos)
            }
            right[sig] = rs
        }
        var matched: [LabelSet: Set<LabelSet>] = [:]
        var out: [VectorSample] = []
        for ls in lhs {
            let sig = signature(ls.labels, m)
            guard let rs = right[sig] else { continue }
            let (vl, vr) = swapped ? (rs.value, ls.value) : (ls.value, rs.value)
            var (v, keep) = elemBinop(b.op, vl, vr)
            if b.returnBool { v = keep ? 1 : 0 } else if !keep { continue }
            var metric = resultMetric(ls.labels, rs.labels, b.op, m)
            if b.returnBool { metric = metric.withoutName }
            if m.card == .oneToOne {
                if matched[sig] != nil {
                    throw PromQLError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)", position: b.pos)
                }
                matched[sig] = []
            } else if matched[sig, default: []].insert(metric).inserted == false {
                throw PromQLError("multiple matches for labels: grouping labels must ensure unique matches", position: b.pos)
            }
            out.append(VectorSample(labels: metric, value: v))
        }
        return out
    }

    /// resultMetric: the "many" side's labels, the name dropped by arithmetic, one-to-one matching
    /// reduced to the `on` labels (or without the `ignoring` ones), `group_x` labels from the "one" side.
    static func resultMetric(_ l: LabelSet, _ r: LabelSet, _ op: PromQLBinaryOp, _ m: PromQLVectorMatching) -> LabelSet {
        var out = op.dropsMetricName ? l.withoutName : l
        if m.card == .oneToOne {
            out = m.on ? out.keeping(Set(m.labels)) : out.removing(Set(m.labels))
        }
        if m.include.isEmpty { return out }
        var labels = out.labels.filter { !m.include.contains($0.name) }
        for name in m.include { if let v = r[name], !v.isEmpty { labels.append(MetricLabel(name, v)) } }
        return LabelSet(labels)
    }
}
