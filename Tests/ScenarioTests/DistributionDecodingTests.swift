import Foundation
@testable import Scenario
import SimKernel
import XCTest

final class DistributionDecodingTests: XCTestCase {
    func decode(_ json: String, _ unit: DistributionUnit = .seconds, file: StaticString = #filePath, line: UInt = #line) -> Distribution? {
        let d = Diagnostics()
        let v = try! JSONParser.parseValue(json)
        let r = decodeDistribution(v, path: "x", unit: unit, diagnostics: d)
        XCTAssertEqual(d.errors.map(\.description), [], file: file, line: line)
        return r
    }

    func errors(_ json: String, _ unit: DistributionUnit = .seconds) -> [String] {
        let d = Diagnostics()
        let v = try! JSONParser.parseValue(json)
        let r = decodeDistribution(v, path: "x", unit: unit, diagnostics: d)
        XCTAssertNil(r)
        return d.errors.map { "\($0.path): \($0.message)" }
    }

    func testConstantsAndBareValues() {
        XCTAssertEqual(decode("5"), .constant(5))
        XCTAssertEqual(decode(#""250ms""#), .constant(0.25))
        XCTAssertEqual(decode(#"{"constant": 5}"#), .constant(5))
        XCTAssertEqual(decode(#"{"constant": {"value": "5s"}}"#), .constant(5))
        XCTAssertEqual(decode(#""2KiB""#, .bytes), .constant(2048))
        XCTAssertEqual(decode("-3", .plain), .constant(-3))
    }

    func testFamilies() {
        XCTAssertEqual(decode(#"{"uniform": {"min": "1s", "max": 3}}"#), .uniform(min: 1, max: 3))
        XCTAssertEqual(decode(#"{"exponential": {"mean": "200ms"}}"#), .exponential(mean: 0.2))
        XCTAssertEqual(decode(#"{"exponential": {"rate": 5}}"#), .exponential(mean: 0.2))
        XCTAssertEqual(decode(#"{"normal": {"mean": "1s", "stddev": "100ms"}}"#), .normal(mean: 1, stddev: 0.1))
        XCTAssertEqual(decode(#"{"lognormal": {"median": "1.2s", "sigma": 0.5}}"#), .lognormal(mu: log(1.2), sigma: 0.5))
        XCTAssertEqual(decode(#"{"lognormal": {"mu": 0.1, "sigma": 0.5}}"#), .lognormal(mu: 0.1, sigma: 0.5))
        XCTAssertEqual(decode(#"{"gamma": {"shape": 2, "scale": "3s"}}"#), .gamma(shape: 2, scale: 3))
        XCTAssertEqual(decode(#"{"gamma": {"shape": 4, "mean": "2s"}}"#), .gamma(shape: 4, scale: 0.5))
        XCTAssertEqual(decode(#"{"weibull": {"shape": 1.5, "scale": 10}}"#), .weibull(shape: 1.5, scale: 10))
        XCTAssertEqual(decode(#"{"pareto": {"shape": 2.5, "scale": "1MB"}}"#, .bytes), .pareto(shape: 2.5, scale: 1_000_000))
        XCTAssertEqual(decode(#"{"empirical": {"values": ["1s", 2, "500ms"]}}"#), .empirical(values: [1, 2, 0.5]))
        XCTAssertEqual(decode(#"{"empirical": {"cdf": [[0, 0.1], ["1s", 0.5], [5, 1]]}}"#),
                       .empiricalCDF(values: [0, 1, 5], probabilities: [0.1, 0.5, 1]))
        // the decoded mean is what the JSON says
        XCTAssertEqual(decode(#"{"gamma": {"shape": 4, "mean": "2s"}}"#)?.mean, 2)
        XCTAssertEqual(decode(#"{"lognormal": {"median": "1.2s", "sigma": 0.5}}"#)!.mean!, 1.2 * exp(0.125), accuracy: 1e-12)
    }

    func testErrors() {
        XCTAssertEqual(errors(#"{"exponental": {"mean": 1}}"#),
                       ["x.exponental: unknown distribution \"exponental\"; did you mean \"exponential\"?; allowed: constant, uniform, exponential, normal, lognormal, gamma, weibull, pareto, empirical"])
        XCTAssertEqual(errors(#"{"uniform": {"min": 3, "max": 1}}"#),
                       ["x.uniform.max: max must be greater than min (\"3s\"); for a fixed value use {\"constant\": ...}"])
        XCTAssertEqual(errors(#"{"exponential": {"mean": 1, "rate": 1}}"#), ["x.exponential.rate: give either \"mean\" or \"rate\", not both"])
        XCTAssertEqual(errors(#"{"exponential": {}}"#), ["x.exponential.mean: missing \"mean\" (or \"rate\" = 1 / mean)"])
        XCTAssertEqual(errors(#"{"exponential": {"mean": "-1s"}}"#), ["x.exponential.mean: must be greater than 0, got \"-1s\""])
        XCTAssertEqual(errors(#"{"normal": {"mean": 1, "stdev": 1}}"#),
                       ["x.normal.stddev: missing required key \"stddev\"", "x.normal.stdev: unknown key \"stdev\"; did you mean \"stddev\"?"])
        XCTAssertEqual(errors(#"{"lognormal": {"median": "1s", "sigma": 0}}"#), ["x.lognormal.sigma: expected a number > 0, got 0"])
        XCTAssertEqual(errors(#"{"gamma": {"shape": -1, "scale": 1}}"#), ["x.gamma.shape: expected a number > 0, got -1"])
        XCTAssertEqual(errors(#"{"weibull": {"shape": 1, "scale": "soon"}}"#),
                       ["x.weibull.scale: \"soon\" is not a duration; use a Go duration like \"90s\", \"15m\", \"1h30m\", or a number of seconds"])
        XCTAssertEqual(errors(#"{"pareto": {"shape": 1, "scale": "1s"}}"#, .plain), ["x.pareto.scale: expected a number, got string \"1s\""])
        XCTAssertEqual(errors(#"{"empirical": {"values": []}}"#), ["x.empirical.values: must not be empty"])
        XCTAssertEqual(errors(#"{"empirical": {"cdf": [[1, 0.5], [0, 0.4], [2, 0.9]]}}"#), [
            "x.empirical.cdf[1][0]: values must be non-decreasing: \"0s\" comes after \"1s\"",
            "x.empirical.cdf[1][1]: cumulative probabilities must be non-decreasing: 0.4 comes after 0.5",
        ])
        XCTAssertEqual(errors(#"{"empirical": {"cdf": [[1, 0.5], [2, 0.9]]}}"#), ["x.empirical.cdf[1][1]: the last cumulative probability must be 1, got 0.9"])
        XCTAssertEqual(errors(#"{"empirical": {"cdf": [[1, 1.5]]}}"#), ["x.empirical.cdf[0][1]: expected a number >= 0 and <= 1, got 1.5"])
        XCTAssertEqual(errors(#"{"empirical": {"cdf": [1, 2]}}"#), [
            "x.empirical.cdf[0]: expected a [value, cumulative probability] pair, got 1",
            "x.empirical.cdf[1]: expected a [value, cumulative probability] pair, got 2",
        ])
        XCTAssertEqual(errors(#"{"uniform": {"min": 1, "max": 2}, "normal": {}}"#).count, 1)
        XCTAssertEqual(errors("{}"), ["x: empty distribution; write one of constant, uniform, exponential, normal, lognormal, gamma, weibull, pareto, empirical as the only key, like {\"exponential\": {\"mean\": \"200ms\"}}"])
        XCTAssertEqual(errors("true").first?.hasPrefix("x: expected a distribution: a number, a duration string, or an object"), true)
        XCTAssertEqual(errors(#""fast""#, .bytes).first?.hasPrefix("x: \"fast\" is not a size"), true)
    }

    func testSamplingADecodedDistributionIsDeterministic() {
        // decoded parameters reach GSL in the caller's unit: the sample mean of exponential(mean 200ms) is near 0.2
        let dist = decode(#"{"exponential": {"mean": "200ms"}}"#)!
        let a = RandomStream(seed: 1, name: "t"), b = RandomStream(seed: 1, name: "t")
        var sum = 0.0
        for _ in 0..<20000 {
            let x = dist.sample(a)
            XCTAssertEqual(x, dist.sample(b))
            sum += x
        }
        XCTAssertEqual(sum / 20000, 0.2, accuracy: 0.01)
    }
}
