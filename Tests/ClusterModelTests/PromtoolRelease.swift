import Foundation
import TestSupport
import XCTest

/// The installed promtool's release, for the tests that compare the PromQL parser and evaluator
/// with it. They model Prometheus 2.42 (docs/monitoring.md): promtool decides when it is 2.42; a
/// release whose differences are recorded beside the test's cases (Debian 13's 2.53) is held to
/// them; any other release is not asked (XCTSkip with the reason). ScenarioTests' `Judge` does the
/// same for the loaders' agreement tests.
enum PromtoolRelease {
    static let modelled = "2.42"

    /// major.minor of `promtool --version` ("promtool, version 2.53.3+ds1 (branch: ...)" → "2.53").
    static func of(_ promtool: String) -> String? { ToolVersion.output(promtool).flatMap(majorMinor) }

    static func majorMinor(_ versionOutput: String) -> String? { ToolVersion.majorMinor("promtool", versionOutput) }

    /// The installed release when it is the modelled one or one of `recorded`; else XCTSkip saying why.
    static func gate(_ promtool: String, recorded: Set<String>, what: String) throws -> String {
        let release = of(promtool)
        if let release, release == modelled || recorded.contains(release) { return release }
        throw XCTSkip("promtool \(release ?? "of unknown version") is installed: \(what) follows Prometheus \(modelled), and its differences "
                      + "are recorded for " + recorded.sorted().joined(separator: " and ") + " only, so promtool was not asked")
    }

    /// A Go `%q` of an already quoted name, as 2.53 writes some messages (`invalid label name "\"1x\""`),
    /// read as 2.42 writes it (`invalid label name "1x"`).
    static func normalisingQuotes(_ message: String) -> String {
        message.replacingOccurrences(of: #""\""#, with: #"""#).replacingOccurrences(of: #"\"""#, with: #"""#)
    }
}
