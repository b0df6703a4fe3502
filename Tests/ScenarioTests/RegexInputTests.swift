import ClusterModel
import Foundation
@testable import Scenario
import SimKernel
import XCTest

/// Users' regexes at load: what RE2 accepts loads (the former guard refused `(a|b)*`, `(a+)+`), what
/// Go refuses is refused with Go's words at the JSON path, and Marathon's Java-only syntax is refused
/// with the construct named.
final class RegexInputTests: XCTestCase {
    func prometheus(_ relabel: String) -> String {
        """
        {"name": "t", "duration": "1h", \(PrometheusConfigTests.hosts), "prometheus": {"host": "master-01", "config":
         {"scrape_configs": [{"job_name": "a", "static_configs": [{"targets": ["slave-01:9100"]}], "relabel_configs": [\(relabel)]}]}}}
        """
    }

    func testRelabelRegexesRE2AcceptsLoad() throws {
        for re in ["(a|b)*", "(a+)+", "(foo|bar)+", #"(\\w+\\s?)+"#] {
            let s = try XCTUnwrap(loadOK(prometheus(#"{"action": "keep", "source_labels": ["job"], "regex": "\#(re)"}"#)), re)
            XCTAssertEqual(s.spec.prometheus?.config.scrapeConfigs.first?.relabel.first?.regex, re.replacingOccurrences(of: #"\\"#, with: #"\"#))
        }
    }

    func testGoRefusalsAtTheJSONPath() {
        assertSingleError(prometheus(#"{"action": "drop", "source_labels": ["job"], "regex": "a(?=b)"}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0].regex",
                          ["error parsing regexp: invalid or unsupported Perl syntax: `(?=`"])
        assertSingleError(prometheus(#"{"action": "drop", "source_labels": ["job"], "regex": "a++"}"#),
                          path: "prometheus.config.scrape_configs[0].relabel_configs[0].regex",
                          ["error parsing regexp: invalid nested repetition operator: `++`"])
    }

    func testMarathonJavaOnlySyntaxIsRefusedWithTheConstructNamed() {
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["disk", "LIKE", "s(?!x)sd"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][2]", ["`(?!`", "lookaround", "rewrite the pattern without them"])
        assertSingleError(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["disk", "LIKE", "(s)\\1d"]]}]}"#),
                          path: "marathon.apps[0].constraints[0][2]", ["`\\1`", "backreferences"])
        // RE2 syntax, and Java's (?<name>...), load
        XCTAssertNotNil(loadOK(marathonScenario(#"{"apps": [{"id": "/x", "cmd": "x", "constraints": [["disk", "LIKE", "(s|h)+d"], ["hostname", "UNLIKE", "(?<n>x+)+y"]]}]}"#)))
    }
}
