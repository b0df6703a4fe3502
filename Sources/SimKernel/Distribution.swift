import CGSL
import Foundation

/// A probability distribution over real numbers, drawn through GSL. Parameters are in the
/// caller's base unit (seconds for durations, bytes for sizes, plain numbers otherwise).
/// The JSON spellings are decoded by the Scenario module and listed in docs/scenarios.md.
public enum Distribution: Equatable, Sendable {
    case constant(Double)
    /// Uniform on [min, max).
    case uniform(min: Double, max: Double)
    case exponential(mean: Double)
    case normal(mean: Double, stddev: Double)
    /// ln X ~ N(mu, sigma^2); the median is exp(mu).
    case lognormal(mu: Double, sigma: Double)
    /// Density x^(k-1) e^(-x/theta); mean k*theta.
    case gamma(shape: Double, scale: Double)
    /// CDF 1 - exp(-(x/scale)^shape).
    case weibull(shape: Double, scale: Double)
    /// Type I Pareto: x >= scale, CDF 1 - (scale/x)^shape.
    case pareto(shape: Double, scale: Double)
    /// Each listed value with equal probability.
    case empirical(values: [Double])
    /// Piecewise-linear inverse CDF through (value, cumulative probability) points; the first
    /// probability may be > 0 (an atom at the first value), the last must be 1.
    case empiricalCDF(values: [Double], probabilities: [Double])

    /// Draws one value.
    public func sample(_ r: RandomStream) -> Double {
        let g = r.gsl
        switch self {
        case .constant(let v): return v
        case .uniform(let a, let b): return gsl_ran_flat(g, a, b)
        case .exponential(let mean): return gsl_ran_exponential(g, mean)
        case .normal(let mean, let sd): return mean + gsl_ran_gaussian_ziggurat(g, sd)
        case .lognormal(let mu, let sigma): return gsl_ran_lognormal(g, mu, sigma)
        case .gamma(let k, let theta): return gsl_ran_gamma(g, k, theta)
        case .weibull(let k, let lambda): return gsl_ran_weibull(g, lambda, k)
        case .pareto(let alpha, let xm): return gsl_ran_pareto(g, alpha, xm)
        case .empirical(let values): return values[Int(gsl_rng_uniform_int(g, UInt(values.count)))]
        case .empiricalCDF(let xs, let ps):
            let u = gsl_rng_uniform(g)
            if u < ps[0] { return xs[0] }
            // first index with ps[i] >= u (ps is non-decreasing)
            var lo = 0, hi = ps.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if ps[mid] >= u { hi = mid } else { lo = mid + 1 }
            }
            if lo == 0 { return xs[0] }
            let p0 = ps[lo - 1], p1 = ps[lo]
            if p1 <= p0 { return xs[lo] }
            return xs[lo - 1] + (xs[lo] - xs[lo - 1]) * (u - p0) / (p1 - p0)
        }
    }

    /// P(X > x), the survival function (upper tail), from GSL's `gsl_cdf_*_Q` where the family has one
    /// (flat, exponential, gaussian, lognormal, gamma, weibull, pareto: gsl/cdf/*.c in GSL 2.x);
    /// the discrete and piecewise-linear families are counted or interpolated. Used by the fast
    /// health-check paths (issue 14): a probe of a healthy process fails with P(response time > timeout).
    public func survival(_ x: Double) -> Double {
        switch self {
        case .constant(let v): return v > x ? 1 : 0
        case .uniform(let a, let b):
            if x < a { return 1 }
            if x >= b { return 0 }
            return gsl_cdf_flat_Q(x, a, b)
        case .exponential(let mean): return x <= 0 ? 1 : gsl_cdf_exponential_Q(x, mean)
        case .normal(let mean, let sd): return gsl_cdf_gaussian_Q(x - mean, sd)
        case .lognormal(let mu, let sigma): return x <= 0 ? 1 : gsl_cdf_lognormal_Q(x, mu, sigma)
        case .gamma(let k, let theta): return x <= 0 ? 1 : gsl_cdf_gamma_Q(x, k, theta)
        case .weibull(let k, let lambda): return x <= 0 ? 1 : gsl_cdf_weibull_Q(x, lambda, k)
        case .pareto(let alpha, let xm): return x <= xm ? 1 : gsl_cdf_pareto_Q(x, alpha, xm)
        case .empirical(let values):
            var over = 0
            for v in values where v > x { over += 1 }
            return Double(over) / Double(values.count)
        case .empiricalCDF(let xs, let ps):
            // the inverse of `sample`: an atom ps[0] at xs[0], then linear between the points
            if x < xs[0] { return 1 }
            for i in 1..<xs.count where x < xs[i] {
                let f = xs[i] > xs[i - 1] ? (x - xs[i - 1]) / (xs[i] - xs[i - 1]) : 1
                return 1 - (ps[i - 1] + (ps[i] - ps[i - 1]) * f)
            }
            return 0
        }
    }

    /// The theoretical mean (nil where it does not exist, e.g. Pareto with shape <= 1).
    public var mean: Double? {
        switch self {
        case .constant(let v): return v
        case .uniform(let a, let b): return (a + b) / 2
        case .exponential(let m): return m
        case .normal(let m, _): return m
        case .lognormal(let mu, let s): return exp(mu + s * s / 2)
        case .gamma(let k, let t): return k * t
        case .weibull(let k, let l): return l * tgamma(1 + 1 / k)
        case .pareto(let a, let xm): return a > 1 ? a * xm / (a - 1) : nil
        case .empirical(let v): return v.reduce(0, +) / Double(v.count)
        case .empiricalCDF(let xs, let ps):
            var m = xs[0] * ps[0]
            for i in 1..<xs.count { m += (xs[i - 1] + xs[i]) / 2 * (ps[i] - ps[i - 1]) }
            return m
        }
    }

    /// The theoretical variance (nil where it does not exist).
    public var variance: Double? {
        switch self {
        case .constant: return 0
        case .uniform(let a, let b): return (b - a) * (b - a) / 12
        case .exponential(let m): return m * m
        case .normal(_, let s): return s * s
        case .lognormal(let mu, let s): return (exp(s * s) - 1) * exp(2 * mu + s * s)
        case .gamma(let k, let t): return k * t * t
        case .weibull(let k, let l):
            let g1 = tgamma(1 + 1 / k)
            return l * l * (tgamma(1 + 2 / k) - g1 * g1)
        case .pareto(let a, let xm): return a > 2 ? xm * xm * a / ((a - 1) * (a - 1) * (a - 2)) : nil
        case .empirical(let v):
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
        case .empiricalCDF(let xs, let ps):
            // mixture of an atom at xs[0] and uniform segments
            let m = mean!
            var e2 = xs[0] * xs[0] * ps[0]
            for i in 1..<xs.count {
                let a = xs[i - 1], b = xs[i]
                e2 += (a * a + a * b + b * b) / 3 * (ps[i] - ps[i - 1])
            }
            return e2 - m * m
        }
    }
}
