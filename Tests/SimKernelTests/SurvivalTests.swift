import XCTest
import SimKernel

/// Distribution.survival (P(X > x), GSL's gsl_cdf_*_Q) and RandomStream.successesBeforeFailure
/// (geometric by inversion): what the fast health-check paths of issue 14 draw from.
final class SurvivalTests: XCTestCase {
    func testSurvivalMatchesClosedForms() {
        let e1 = exp(-1.0)
        let cases: [(Distribution, Double, Double)] = [
            (.constant(2), 1, 1), (.constant(2), 2, 0),
            (.uniform(min: 0, max: 4), 1, 0.75), (.uniform(min: 0, max: 4), -1, 1), (.uniform(min: 0, max: 4), 5, 0),
            (.exponential(mean: 2), 2, e1), (.exponential(mean: 2), -1, 1),
            (.normal(mean: 1, stddev: 1), 1, 0.5), (.normal(mean: 0, stddev: 1), 1.959963984540054, 0.025),
            (.lognormal(mu: log(0.2), sigma: 1), 0.2, 0.5), (.lognormal(mu: 0, sigma: 1), 0, 1),
            (.gamma(shape: 1, scale: 2), 2, e1),
            (.weibull(shape: 1, scale: 2), 2, e1), (.weibull(shape: 2, scale: 1), 1, e1),
            (.pareto(shape: 2, scale: 1), 2, 0.25), (.pareto(shape: 2, scale: 1), 0.5, 1),
            (.empirical(values: [1, 2, 3, 4]), 2.5, 0.5),
            (.empiricalCDF(values: [0, 10], probabilities: [0.2, 1]), 5, 0.4), (.empiricalCDF(values: [0, 10], probabilities: [0.2, 1]), 10, 0),
        ]
        for (d, x, want) in cases {
            XCTAssertEqual(d.survival(x), want, accuracy: 1e-9, "\(d) at \(x)")
        }
    }

    /// The survival function agrees with the sampler it stands for (200,000 draws: within 4.5 standard errors).
    func testSurvivalAgreesWithSampling() {
        let r = RandomStream(seed: 3, name: "survival")
        let ds: [(Distribution, Double)] = [
            (.lognormal(mu: log(0.2), sigma: 1), 1), (.gamma(shape: 2, scale: 0.3), 1), (.weibull(shape: 1.5, scale: 0.5), 1),
            (.pareto(shape: 3, scale: 0.2), 0.5), (.empiricalCDF(values: [0.1, 0.5, 2], probabilities: [0, 0.7, 1]), 1),
        ]
        let n = 200_000
        for (d, x) in ds {
            var over = 0
            for _ in 0..<n where d.sample(r) > x { over += 1 }
            let p = d.survival(x)
            XCTAssertEqual(Double(over) / Double(n), p, accuracy: 4.5 * (p * (1 - p) / Double(n)).squareRoot() + 1e-12, "\(d)")
        }
    }

    /// Geometric on 0, 1, 2 ...: mean (1-p)/p and P(0) = p; p 0 never fails, p 1 fails at once.
    func testSuccessesBeforeFailureIsGeometric() {
        let r = RandomStream(seed: 5, name: "geometric")
        XCTAssertEqual(r.successesBeforeFailure(probability: 0), Int.max)
        XCTAssertEqual(r.successesBeforeFailure(probability: -1), Int.max)
        XCTAssertEqual(r.successesBeforeFailure(probability: .nan), Int.max)
        XCTAssertEqual(r.successesBeforeFailure(probability: 1), 0)
        XCTAssertEqual(r.successesBeforeFailure(probability: 1e-300), Int.max)
        for p in [0.05, 0.3] {
            let n = 100_000
            var sum = 0.0, zeros = 0
            for _ in 0..<n { let k = r.successesBeforeFailure(probability: p); sum += Double(k); if k == 0 { zeros += 1 } }
            let mean = (1 - p) / p, sd = (1 - p).squareRoot() / p
            XCTAssertEqual(sum / Double(n), mean, accuracy: 4.5 * sd / Double(n).squareRoot(), "p \(p)")
            XCTAssertEqual(Double(zeros) / Double(n), p, accuracy: 4.5 * (p * (1 - p) / Double(n)).squareRoot(), "p \(p)")
        }
    }
}
