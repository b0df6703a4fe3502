import SimKernel

// Decoders of an experiment's axes (values, range, linked) and of its plan (docs/experiments.md).

extension ExperimentLoader {
    /// The text `--set` takes for a value, and what points.csv shows for it (strings unquoted).
    static func valueText(_ v: JSONValue) -> (json: String, label: String) {
        let json = v.serialized()
        return (json, v.stringValue ?? json)
    }

    static func checkPath(_ p: String) -> String? {
        if case .failure(let e) = Overrides.parsePath(p) { return e.message }
        return nil
    }

    static var axisDecoder: ValueDecoder<ExperimentAxis> {
        .object(keys: ExperimentSchema.axisKeys) { r in
            let d = r.diagnostics
            let name = r.optional("name", axisNameDecoder)
            let given = ["values", "range", "linked"].filter { r.has($0) }
            if given.count != 1 {
                let what = given.isEmpty ? "none of them is given" : "it has " + given.map { JSONValue.quote($0) }.joined(separator: " and ")
                d.error(r.path, at: r.value, "an axis takes exactly one of \"values\", \"range\", \"linked\"; \(what)")
                r.declare("path", "values", "range", "linked")
                _ = r.value("path"); _ = r.value("values"); _ = r.value("range"); _ = r.value("linked")
                return nil
            }
            if given[0] == "linked" {
                r.reject("path", "an axis with \"linked\" has no \"path\": its paths are the keys of \"linked\"")
                guard let linked = r.value("linked") else { return nil }
                let axis = decodeLinked(linked, path: r.keyPath("linked"), d)
                guard let name else {
                    d.error(r.keyPath("name"), at: r.value, "missing required key \"name\" (a linked axis needs a name for points.csv and plots)")
                    return nil
                }
                return axis.map { ExperimentAxis(name: name, paths: $0.paths, values: $0.values, labels: $0.labels) }
            }
            let path = r.required("path", ValueDecoder<String>.nonEmptyString.check(checkPath), hint: "a scenario path like hostGroups[0].count")
            var values: [(json: String, label: String)]?
            if let v = r.value("values") {
                values = ValueDecoder<[JSONValue]>.array(of: .json, nonEmpty: true).decode(v, r.keyPath("values"), d)?.map(valueText)
                if let vs = values, let a = v.arrayValue { checkDistinct(vs.map(\.json), path: r.keyPath("values"), elements: a, d) }
            } else if let v = r.value("range") {
                values = rangeDecoder.decode(v, r.keyPath("range"), d)?.map { ($0, $0) }
            }
            guard let path, let values else { return nil }
            return ExperimentAxis(name: name ?? path, paths: [path], values: values.map { [$0.json] }, labels: values.map(\.label))
        }
    }

    static func checkDistinct(_ texts: [String], path: String, elements: [JSONValue], _ d: Diagnostics) {
        var seen: [String: Int] = [:]
        for (i, t) in texts.enumerated() {
            if let j = seen[t] {
                d.error(JSONPath.index(path, i), at: elements[i], "the value \(ErrorText.shorten(t)) appears twice (also at \(JSONPath.index(path, j))); each value is one point")
            } else { seen[t] = i }
        }
    }

    static func decodeLinked(_ v: JSONValue, path: String, _ d: Diagnostics) -> ExperimentAxis? {
        guard let members = v.objectMembers else { d.error(path, at: v, typeMismatch("an object of paths to arrays of values", v)); return nil }
        if members.isEmpty { d.error(path, at: v, "must not be empty: give at least one path with its values"); return nil }
        let before = d.errorCount
        var paths: [String] = []
        var columns: [[(json: String, label: String)]] = []
        for m in members {
            let p = JSONPath.key(path, m.key)
            if let e = checkPath(m.key) { d.error(p, location: m.keyLocation ?? m.value.location, e); continue }
            if paths.contains(m.key) { d.error(p, location: m.keyLocation, "path \(m.key) appears twice"); continue }
            guard let a = ValueDecoder<[JSONValue]>.array(of: .json, nonEmpty: true).decode(m.value, p, d) else { continue }
            if let first = columns.first, first.count != a.count {
                d.error(p, at: m.value, "has \(a.count) values, but \(JSONPath.key(path, paths[0])) has \(first.count); linked paths move together, so they need as many values each")
                continue
            }
            paths.append(m.key)
            columns.append(a.map(valueText))
        }
        guard d.errorCount == before, let first = columns.first else { return nil }
        let rows = (0..<first.count).map { k in columns.map { $0[k].json } }
        let elements = members[0].value.arrayValue ?? []
        checkDistinct(rows.map { $0.joined(separator: "\u{0}") }, path: JSONPath.key(path, paths[0]), elements: elements, d)
        guard d.errorCount == before else { return nil }
        return ExperimentAxis(name: "", paths: paths, values: rows, labels: first.map(\.label))
    }

    /// A plain decimal as an integer count of 10^-decimals: "2.50" -> (250, 2). Nil for an
    /// exponent or more than 9 decimals.
    static func scaledDecimal(_ text: String) -> (value: Int64, decimals: Int)? {
        guard !text.contains(where: { $0 == "e" || $0 == "E" }) else { return nil }
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        let frac = parts.count == 2 ? String(parts[1]) : ""
        guard frac.count <= 9, frac.allSatisfy(\.isASCII) else { return nil }
        var v = whole
        for ch in frac { guard let digit = Int64(String(ch)) else { return nil }; v = v * 10 + digit }
        return (negative ? -v : v, frac.count)
    }

    /// `scaled` (in units of 10^-decimals) as a plain decimal without trailing zeros.
    static func decimalText(_ scaled: Int64, decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let sign = scaled < 0 ? "-" : ""
        let m = scaled.magnitude
        let whole = m / UInt64(scale)
        var frac = decimals == 0 ? "" : String(m % UInt64(scale))
        while frac.count < decimals { frac = "0" + frac }
        while frac.hasSuffix("0") { frac.removeLast() }
        return sign + String(whole) + (frac.isEmpty ? "" : "." + frac)
    }

    /// `{from, to, step}` to the JSON texts of its values.
    static var rangeDecoder: ValueDecoder<[String]> {
        .object(keys: ExperimentSchema.rangeKeys) { r in
            let number = ValueDecoder<Double>.number()
            let keys = ["from", "to", "step"]
            var scaled: [(value: Int64, decimals: Int)] = []
            for k in keys {
                guard r.required(k, number) != nil, let n = r.value(k)?.numberValue else { continue }
                guard let s = scaledDecimal(n.text) else {
                    r.diagnostics.error(r.keyPath(k), at: r.value(k), "write \(n.text) as a plain decimal number (no exponent, at most 9 decimals)")
                    continue
                }
                scaled.append(s)
            }
            guard scaled.count == 3 else { return nil }
            let decimals = scaled.map(\.decimals).max() ?? 0
            var s: [Int64] = []
            for x in scaled {
                var v = x.value
                for _ in x.decimals..<decimals {
                    let (m, o) = v.multipliedReportingOverflow(by: 10)
                    if o || m.magnitude > 1 << 60 { r.diagnostics.error(r.path, at: r.value, "the range's numbers have too many digits together (integer part and decimals)"); return nil }
                    v = m
                }
                s.append(v)
            }
            let (from, to, step) = (s[0], s[1], s[2])
            if step <= 0 { r.diagnostics.error(r.keyPath("step"), at: r.value("step"), "expected a number > 0, got \(r.value("step")?.brief ?? "")"); return nil }
            if to < from { r.diagnostics.error(r.keyPath("to"), at: r.value("to"), "must be >= from (\(decimalText(from, decimals: decimals))), got \(decimalText(to, decimals: decimals))"); return nil }
            let count = (to - from) / step + 1
            if count > Int64(maxPoints) {
                r.diagnostics.error(r.path, at: r.value, "the range has \(count) values; at most \(maxPoints) are allowed")
                return nil
            }
            return (0..<count).map { decimalText(from + $0 * step, decimals: decimals) }
        }
    }

    static func requirementDecoder(_ known: [String]) -> ValueDecoder<ExperimentRequirement> {
        ValueDecoder<String>.string.map { s, v, p, d in
            let ops: [ExperimentRequirement.Comparison] = [.le, .ge, .eq, .lt, .gt]   // two-character ones first
            let usage = "expected FIGURE OP NUMBER, like \"latency_p99_ms < 200\" (OP one of <, <=, ==, >=, >)"
            for op in ops {
                guard let range = s.range(of: op.rawValue) else { continue }
                let figure = s[..<range.lowerBound].trimmingSpaces
                let number = s[range.upperBound...].trimmingSpaces
                guard !figure.isEmpty, let x = Double(number), x.isFinite, !number.contains(where: { $0 == "<" || $0 == ">" || $0 == "=" }) else {
                    d.error(p, at: v, "\(usage); got \(JSONValue.quote(s))"); return nil
                }
                guard known.contains(figure) else {
                    d.error(p, at: v, "unknown headline figure \(JSONValue.quote(figure))\(Suggest.didYouMean(figure, among: known)); the numeric keys of summary.json's \"headline\" are allowed (docs/outputs.md)")
                    return nil
                }
                return ExperimentRequirement(figure: figure, comparison: op, value: x)
            }
            d.error(p, at: v, "\(usage); got \(JSONValue.quote(s))"); return nil
        }
    }

    static func planDecoder(_ known: [String], replications: Int) -> ValueDecoder<ExperimentPlan> {
        .object(keys: ExperimentSchema.planKeys) { r in
            let minimise = r.required("minimise", .nonEmptyString, hint: "the name of an integer axis")
            let require = r.required("require", .array(of: requirementDecoder(known), nonEmpty: true))
            let confidence = r.optional("confidence", ValueDecoder<Double>.number(greaterThan: 0.5).check { $0 < 1 ? nil : "expected a number > 0.5 and < 1 (a one-sided bound below 50 % lies on the wrong side of the mean), got \(NumberFormat.decimal($0))" }, default: 0.95)
            let maxReps = r.optional("maxReplications", .int(min: replications, max: maxReplications), default: replications)
            guard let minimise, let require, let confidence, let maxReps else { return nil }
            return ExperimentPlan(minimise: minimise, requirements: require, confidence: confidence, maxReplications: maxReps)
        }
    }

    static func checkPlan(_ plan: ExperimentPlan, axes: [ExperimentAxis], replications: Int, _ v: JSONValue?, _ d: Diagnostics) {
        let at = v?["minimise"]
        guard let axis = axes.first(where: { $0.name == plan.minimise }) else {
            let names = axes.map(\.name)
            d.error("plan.minimise", at: at, "no axis is named \(JSONValue.quote(plan.minimise))\(Suggest.didYouMean(plan.minimise, among: names)); axes: \(names.isEmpty ? "none" : Suggest.listed(names))")
            return
        }
        let ints = axis.labels.map { Int($0) }
        if ints.contains(where: { $0 == nil }) {
            d.error("plan.minimise", at: at, "axis \(JSONValue.quote(axis.name)) must take integers to be minimised; its values are \(axis.labels.prefix(5).joined(separator: ", "))\(axis.labels.count > 5 ? ", ..." : "")")
            return
        }
        let xs = ints.compactMap { $0 }
        if zip(xs, xs.dropFirst()).contains(where: { $0 >= $1 }) {
            d.error("plan.minimise", at: at, "axis \(JSONValue.quote(axis.name)) must list its integers in increasing order to be minimised; it has \(xs.map(String.init).joined(separator: ", "))")
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
