import Foundation

// Aggregation operators as promql/engine.go's aggregation() (Prometheus 2.42): groups in the order
// their first element arrives; `by` keeps the listed labels, `without` drops them and the name.

extension PromQLEvaluator {
    private struct Group {
        var labels: LabelSet
        var value: Double
        var mean: Double
        var count: Int
        var members: [VectorSample] = []
    }

    mutating func aggregate(_ a: PromQLAggregateNode, at t: Int64) throws(PromQLError) -> PromQLValue {
        let input = try vector(a.expr, at: t)
        var k = 0
        var q = Double.nan
        var valueLabel = ""
        if a.op == .topk || a.op == .bottomk {
            let f = try scalar(a.param!, at: t)
            guard f >= -9.223372036854775e18 && f <= 9.223372036854775e18 else {
                throw PromQLError("Scalar value \(PromQLFunctions.goFormatV(f)) overflows int64", position: a.pos)
            }
            k = Int(f.rounded(.towardZero))
            if k < 1 { return .vector([]) }
        } else if a.op == .quantile {
            q = try scalar(a.param!, at: t)
        } else if a.op == .countValues, case .string(let s, _)? = a.param?.unwrapped {
            valueLabel = s
            guard PromQLFunctions.isLabelName(valueLabel) else {
                throw PromQLError("invalid label name \"\(valueLabel)\"", position: a.pos)
            }
        }
        var grouping = Set(a.grouping)
        if a.op == .countValues && !a.without { grouping.insert(valueLabel) }
        if a.without { grouping.insert("__name__") }

        var index: [LabelSet: Int] = [:]
        var groups: [Group] = []
        for var s in input {
            if a.op == .countValues { s.labels = s.labels.setting(valueLabel, PromQLFunctions.goFormat(s.value)) }
            let key = a.without ? s.labels.removing(grouping) : s.labels.keeping(grouping)
            guard let g = index[key] else {
                index[key] = groups.count
                var new = Group(labels: key, value: s.value, mean: s.value, count: 1)
                switch a.op {
                case .stddev, .stdvar: new.value = 0
                case .group: new.value = 1
                case .topk, .bottomk, .quantile: new.members = [s]
                default: break
                }
                groups.append(new)
                continue
            }
            PromQLEvaluator.accumulate(&groups[g], s, a.op)
        }
        var out: [VectorSample] = []
        for g in groups {
            switch a.op {
            case .avg: out.append(VectorSample(labels: g.labels, value: g.mean))
            case .count, .countValues: out.append(VectorSample(labels: g.labels, value: Double(g.count)))
            case .stdvar: out.append(VectorSample(labels: g.labels, value: g.value / Double(g.count)))
            case .stddev: out.append(VectorSample(labels: g.labels, value: (g.value / Double(g.count)).squareRoot()))
            case .topk, .bottomk: out += PromQLEvaluator.topK(g.members, k, top: a.op == .topk)
            case .quantile: out.append(VectorSample(labels: g.labels, value: PromQLFunctions.quantile(q, g.members.map(\.value))))
            default: out.append(VectorSample(labels: g.labels, value: g.value))
            }
        }
        return .vector(out)
    }

    private static func accumulate(_ g: inout Group, _ s: VectorSample, _ op: PromQLAggregateOp) {
        let v = s.value
        switch op {
        case .sum: g.value += v
        case .avg:
            g.count += 1
            if g.mean.isInfinite {
                if v.isInfinite && (g.mean > 0) == (v > 0) { break }
                if !v.isInfinite && !v.isNaN { break }
            }
            g.mean += v / Double(g.count) - g.mean / Double(g.count)
        case .group: break
        case .max: if g.value < v || g.value.isNaN { g.value = v }
        case .min: if g.value > v || g.value.isNaN { g.value = v }
        case .count, .countValues: g.count += 1
        case .stddev, .stdvar:
            g.count += 1
            let delta = v - g.mean
            g.mean += delta / Double(g.count)
            g.value += delta * (v - g.mean)
        case .topk, .bottomk, .quantile: g.members.append(s)
        }
    }

    /// The k largest (smallest) elements, largest (smallest) first, NaN last; among equal values
    /// the first to arrive wins (Prometheus' heap keeps the incumbent on ties).
    private static func topK(_ members: [VectorSample], _ k: Int, top: Bool) -> [VectorSample] {
        let order = members.indices.sorted { i, j in
            let a = members[i].value, b = members[j].value
            if a.isNaN != b.isNaN { return !a.isNaN }
            if a != b && !a.isNaN { return top ? a > b : a < b }
            return i < j
        }
        return order.prefix(k).map { members[$0] }
    }
}
