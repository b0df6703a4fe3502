import Foundation
import SimKernel

/// The unit of a distribution's values: seconds (parameters may be numbers of seconds or Go
/// duration strings), bytes (numbers of bytes or size strings) or plain numbers.
public enum DistributionUnit: Sendable {
    case seconds, bytes, plain

    var noun: String {
        switch self {
        case .seconds: return "a duration (Go duration string or number of seconds)"
        case .bytes: return "a size (\"100MB\", \"2GiB\" or a number of bytes)"
        case .plain: return "a number"
        }
    }
}

/// The family names accepted as the single key of a distribution object, in documentation order.
public let distributionFamilies = ["constant", "uniform", "exponential", "normal", "lognormal", "gamma",
                                   "weibull", "pareto", "empirical"]

/// Decodes a distribution written as
/// - a bare number or (for seconds/bytes) a duration/size string: a constant;
/// - `{"constant": 5}` or `{"constant": {"value": "5s"}}`;
/// - `{"uniform": {"min": .., "max": ..}}` (max > min);
/// - `{"exponential": {"mean": "200ms"}}` or `{"exponential": {"rate": 5}}` (per second for seconds);
/// - `{"normal": {"mean": .., "stddev": ..}}` (stddev > 0);
/// - `{"lognormal": {"median": "1.2s", "sigma": 0.5}}` (mu = ln median) or `{"lognormal": {"mu": .., "sigma": ..}}`;
/// - `{"gamma": {"shape": .., "scale": ..}}` or `{"gamma": {"shape": .., "mean": ..}}` (scale = mean / shape);
/// - `{"weibull": {"shape": .., "scale": ..}}`, `{"pareto": {"shape": .., "scale": ..}}`;
/// - `{"empirical": {"values": [...]}}` or `{"empirical": {"cdf": [[value, p], ...]}}`.
/// Values in the distribution's unit (mean, median, scale, min, max, values) are converted to
/// seconds or bytes; shape, sigma, mu, rate and probabilities are plain numbers. Errors are
/// recorded with their paths; the result is nil when anything is wrong.
public func decodeDistribution(_ value: JSONValue, path: String, unit: DistributionUnit,
                               diagnostics d: Diagnostics) -> Distribution? {
    switch value.kind {
    case .number, .string:
        return scalar(value, path, unit, d, allowNegative: true).map { .constant($0) }
    case .object(let members):
        guard members.count == 1 else {
            if members.isEmpty {
                d.error(path, at: value, "empty distribution; write one of \(familyList()) as the only key, like {\"exponential\": {\"mean\": \"200ms\"}}")
            } else {
                d.error(path, at: value, "a distribution object has exactly one key, its family (\(familyList())); got \(members.map { JSONValue.quote($0.key) }.joined(separator: ", "))")
            }
            return nil
        }
        let family = members[0].key
        let body = members[0].value
        let p = JSONPath.key(path, family)
        let before = d.errorCount
        let result: Distribution?
        switch family {
        case "constant":
            if body.objectMembers != nil {
                let r = ObjectReader(body, path: p, diagnostics: d)
                let v = r.required("value", unitDecoder(unit, allowNegative: true))
                r.finish()
                result = v.map { .constant($0) }
            } else {
                result = scalar(body, p, unit, d, allowNegative: true).map { .constant($0) }
            }
        case "uniform":
            result = params(body, p, d) { r in
                let lo = r.required("min", unitDecoder(unit, allowNegative: true))
                let hi = r.required("max", unitDecoder(unit, allowNegative: true))
                guard let a = lo, let b = hi else { return nil }
                guard b > a else {
                    d.error(r.keyPath("max"), at: r.value["max"], "max must be greater than min (\(show(a, unit))); for a fixed value use {\"constant\": ...}")
                    return nil
                }
                return .uniform(min: a, max: b)
            }
        case "exponential":
            result = params(body, p, d) { r in
                switch (r.has("mean"), r.has("rate")) {
                case (true, true):
                    r.reject("rate", "give either \"mean\" or \"rate\", not both")
                    _ = r.value("mean")
                    return nil
                case (false, false):
                    d.error(r.keyPath("mean"), at: r.value, "missing \"mean\" (or \"rate\" = 1 / mean)")
                    return nil
                case (true, false):
                    return r.required("mean", unitDecoder(unit, positive: true)).map { .exponential(mean: $0) }
                case (false, true):
                    return r.required("rate", .number(greaterThan: 0)).map { .exponential(mean: 1 / $0) }
                }
            }
        case "normal":
            result = params(body, p, d) { r in
                let m = r.required("mean", unitDecoder(unit, allowNegative: true))
                let s = r.required("stddev", unitDecoder(unit, positive: true))
                guard let mean = m, let sd = s else { return nil }
                return .normal(mean: mean, stddev: sd)
            }
        case "lognormal":
            result = params(body, p, d) { r in
                let sigma = r.required("sigma", .number(greaterThan: 0))
                switch (r.has("median"), r.has("mu")) {
                case (true, true):
                    r.reject("mu", "give either \"median\" or \"mu\" (= ln median), not both")
                    _ = r.value("median")
                    return nil
                case (false, false):
                    d.error(r.keyPath("median"), at: r.value, "missing \"median\" (or \"mu\" = ln median)")
                    return nil
                case (true, false):
                    guard let med = r.required("median", unitDecoder(unit, positive: true)), let s = sigma else { return nil }
                    return .lognormal(mu: _log(med), sigma: s)
                case (false, true):
                    guard let mu = r.required("mu", .number()), let s = sigma else { return nil }
                    return .lognormal(mu: mu, sigma: s)
                }
            }
        case "gamma":
            result = params(body, p, d) { r in
                let shape = r.required("shape", .number(greaterThan: 0))
                switch (r.has("scale"), r.has("mean")) {
                case (true, true):
                    r.reject("mean", "give either \"scale\" or \"mean\" (= shape x scale), not both")
                    _ = r.value("scale")
                    return nil
                case (false, false):
                    d.error(r.keyPath("scale"), at: r.value, "missing \"scale\" (or \"mean\" = shape x scale)")
                    return nil
                case (true, false):
                    guard let sc = r.required("scale", unitDecoder(unit, positive: true)), let k = shape else { return nil }
                    return .gamma(shape: k, scale: sc)
                case (false, true):
                    guard let mean = r.required("mean", unitDecoder(unit, positive: true)), let k = shape else { return nil }
                    return .gamma(shape: k, scale: mean / k)
                }
            }
        case "weibull", "pareto":
            result = params(body, p, d) { r in
                let k = r.required("shape", .number(greaterThan: 0))
                let sc = r.required("scale", unitDecoder(unit, positive: true))
                guard let shape = k, let scale = sc else { return nil }
                return family == "weibull" ? .weibull(shape: shape, scale: scale) : .pareto(shape: shape, scale: scale)
            }
        case "empirical":
            result = params(body, p, d) { r in
                switch (r.has("values"), r.has("cdf")) {
                case (true, true):
                    r.reject("cdf", "give either \"values\" or \"cdf\", not both")
                    _ = r.value("values")
                    return nil
                case (false, false):
                    d.error(r.keyPath("values"), at: r.value, "missing \"values\" (a list of observations) or \"cdf\" (a list of [value, cumulative probability] pairs)")
                    return nil
                case (true, false):
                    return r.required("values", .array(of: unitDecoder(unit, allowNegative: true), nonEmpty: true)).map { .empirical(values: $0) }
                case (false, true):
                    guard let cdfValue = r.value("cdf") else { return nil }
                    return empiricalCDF(cdfValue, r.keyPath("cdf"), unit, d)
                }
            }
        default:
            d.error(p, location: members[0].keyLocation ?? body.location,
                    "unknown distribution \(JSONValue.quote(family))\(Suggest.didYouMean(family, among: distributionFamilies)); allowed: \(distributionFamilies.joined(separator: ", "))")
            return nil
        }
        return d.errorCount == before ? result : nil
    default:
        d.error(path, at: value, "expected a distribution: a number, \(unit == .plain ? "" : unit == .seconds ? "a duration string, " : "a size string, ")or an object with one key naming the family (\(familyList())); got \(value.typeName) \(value.brief)")
        return nil
    }
}

/// `ValueDecoder` form of `decodeDistribution`.
extension ValueDecoder where T == Distribution {
    public static func distribution(_ unit: DistributionUnit) -> ValueDecoder<Distribution> {
        ValueDecoder { v, p, d in decodeDistribution(v, path: p, unit: unit, diagnostics: d) }
    }
}

private func familyList() -> String { distributionFamilies.joined(separator: ", ") }

private func _log(_ x: Double) -> Double { Foundation.log(x) }

private func params(_ body: JSONValue, _ path: String, _ d: Diagnostics, _ f: (ObjectReader) -> Distribution?) -> Distribution? {
    let r = ObjectReader(body, path: path, diagnostics: d)
    guard r.isObject else { return nil }
    let x = f(r)
    r.finish()
    return x
}

/// "5s", "100MB" or "5" for messages.
private func show(_ x: Double, _ unit: DistributionUnit) -> String {
    switch unit {
    case .seconds: return JSONValue.quote(GoDuration.format(SimDuration.fromSeconds(x)))
    case .bytes, .plain: return NumberFormat.decimal(x)
    }
}

/// A value in the distribution's unit, as a Double (seconds, bytes or the plain number).
private func scalar(_ v: JSONValue, _ path: String, _ unit: DistributionUnit, _ d: Diagnostics,
                    allowNegative: Bool = false, positive: Bool = false) -> Double? {
    let x: Double
    switch unit {
    case .plain:
        guard let n = v.numberValue else { d.error(path, at: v, typeMismatch("a number", v)); return nil }
        x = n.double
    case .seconds:
        if let n = v.numberValue {
            x = n.double
        } else {
            switch ScenarioUnits.duration(v) {
            case .failure(let e): d.error(path, at: v, e.message); return nil
            case .success(let dur): x = dur.seconds
            }
        }
    case .bytes:
        if let n = v.numberValue {
            x = n.double
        } else if v.stringValue != nil {
            switch ScenarioUnits.size(v) {
            case .failure(let e): d.error(path, at: v, e.message); return nil
            case .success(let b): x = Double(b)
            }
        } else {
            d.error(path, at: v, typeMismatch(unit.noun, v)); return nil
        }
    }
    if positive && !(x > 0) { d.error(path, at: v, "must be greater than 0, got \(v.brief)"); return nil }
    if !allowNegative && x < 0 { d.error(path, at: v, "must not be negative, got \(v.brief)"); return nil }
    return x
}

private func unitDecoder(_ unit: DistributionUnit, allowNegative: Bool = false, positive: Bool = false) -> ValueDecoder<Double> {
    ValueDecoder { v, p, d in scalar(v, p, unit, d, allowNegative: allowNegative, positive: positive) }
}

private func empiricalCDF(_ v: JSONValue, _ path: String, _ unit: DistributionUnit, _ d: Diagnostics) -> Distribution? {
    guard let points = v.arrayValue else { d.error(path, at: v, typeMismatch("an array of [value, cumulative probability] pairs", v)); return nil }
    guard !points.isEmpty else { d.error(path, at: v, "must not be empty; give [value, cumulative probability] pairs ending with probability 1"); return nil }
    var xs: [Double] = [], ps: [Double] = []
    let before = d.errorCount
    for (i, pt) in points.enumerated() {
        let pp = JSONPath.index(path, i)
        guard let pair = pt.arrayValue, pair.count == 2 else {
            d.error(pp, at: pt, "expected a [value, cumulative probability] pair, got \(pt.brief)")
            continue
        }
        guard let x = scalar(pair[0], JSONPath.index(pp, 0), unit, d, allowNegative: true) else { continue }
        guard let prob = ValueDecoder<Double>.number(atLeast: 0, atMost: 1).decode(pair[1], JSONPath.index(pp, 1), d) else { continue }
        if let lx = xs.last, x < lx {
            d.error(JSONPath.index(pp, 0), at: pair[0], "values must be non-decreasing: \(show(x, unit)) comes after \(show(lx, unit))")
        }
        if let lp = ps.last, prob < lp {
            d.error(JSONPath.index(pp, 1), at: pair[1], "cumulative probabilities must be non-decreasing: \(NumberFormat.decimal(prob)) comes after \(NumberFormat.decimal(lp))")
        }
        xs.append(x); ps.append(prob)
    }
    guard d.errorCount == before else { return nil }
    if ps.last != 1 {
        let last = points.count - 1
        d.error(JSONPath.index(JSONPath.index(path, last), 1), at: points[last].arrayValue?[1],
                "the last cumulative probability must be 1, got \(NumberFormat.decimal(ps.last!))")
        return nil
    }
    return .empiricalCDF(values: xs, probabilities: ps)
}
