import Experiment
import Foundation
import Scenario
import TestSupport
import XCTest

/// Experiment files: every bad input of issue 13 is an error naming its JSON path; points, ids and
/// range values; the seeds (stable when an axis at the base value is added).
final class ExperimentFileTests: XCTestCase {
    static let base = #"{"name": "tiny", "duration": "10m", "hostGroups": [{"name": "h", "count": 2, "cpus": 4, "memory": "8GiB", "disk": "100GB"}]}"#

    /// Writes base.json and exp.json into a fresh folder and loads exp.json.
    func load(_ experiment: String) throws(ScenarioErrors) -> ExperimentSpec {
        let dir = Scratch.folder("exp")
        try? Self.base.write(toFile: dir + "/base.json", atomically: true, encoding: .utf8)
        try? experiment.write(toFile: dir + "/exp.json", atomically: true, encoding: .utf8)
        return try ExperimentLoader.load(path: dir + "/exp.json")
    }

    func experiment(axes: String, figures: String = #"["tasks_launched"]"#, extra: String = "") -> String {
        #"{"base": "base.json", "seed": 5, "replications": 2, "axes": \#(axes), "figures": \#(figures)\#(extra)}"#
    }

    /// The errors of loading `text`, one per line, without the file prefix.
    func errors(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            _ = try load(text)
            XCTFail("expected errors", file: file, line: line)
            return []
        } catch let e {
            return e.errors.map { "\($0.path): \($0.message)" }
        }
    }

    func assertError(_ text: String, _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) {
        let es = errors(text, file: file, line: line)
        XCTAssertTrue(es.contains { e in fragments.allSatisfy { e.contains($0) } },
                      "no error contains \(fragments); got:\n\(es.joined(separator: "\n"))", file: file, line: line)
    }

    func testBadInputsAreErrorsWithPaths() {
        // an axis path that is not in the schema, at the axis value, with the scenario's own message
        assertError(experiment(axes: #"[{"path": "hostGroups[0].cont", "values": [1]}]"#),
                    "axes[0].values[0]: hostGroups[0].cont: unknown key \"cont\"", "did you mean \"count\"")
        // a value of the wrong type for the path
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [3, "many"]}]"#),
                    "axes[0].values[1]: hostGroups[0].count:", "integer")
        // in a range and in a linked axis
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "range": {"from": 0, "to": 2, "step": 1}}]"#),
                    "axes[0].range: value 0: hostGroups[0].count:")
        assertError(experiment(axes: #"[{"name": "size", "linked": {"hostGroups[0].count": [1, 2], "hostGroups[0].cpus": [2, -1]}}]"#),
                    #"axes[0].linked["hostGroups[0].cpus"][1]: hostGroups[0].cpus:"#)
        // an empty axis, a duplicate path, a duplicate value
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": []}]"#), "axes[0].values: must not be empty")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1]}, {"path": "hostGroups[0].count", "values": [2]}]"#),
                    "axes[1]: path hostGroups[0].count is already on axes[0]")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1, 1]}]"#), "axes[0].values[1]: the value 1 appears twice")
        // unknown figures and requirements
        assertError(experiment(axes: "[]", figures: #"["tasks_lanched"]"#), "figures[0]: unknown headline figure \"tasks_lanched\"", "did you mean \"tasks_launched\"")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1, 2]}]"#,
                               extra: #", "plan": {"minimise": "hostGroups[0].count", "require": ["latency_p99 < 200"]}"#),
                    "plan.require[0]: unknown headline figure \"latency_p99\"")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1, 2]}]"#,
                               extra: #", "plan": {"minimise": "hostGroups[0].count", "require": ["tasks_launched about 3"]}"#),
                    "plan.require[0]: expected FIGURE OP NUMBER")
        // plan.minimise: not an axis, not integers, not increasing
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1, 2]}]"#,
                               extra: #", "plan": {"minimise": "agents", "require": ["tasks_launched >= 0"]}"#),
                    "plan.minimise: no axis is named \"agents\"")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].cpus", "values": [1.5, 2]}]"#,
                               extra: #", "plan": {"minimise": "hostGroups[0].cpus", "require": ["tasks_launched >= 0"]}"#),
                    "plan.minimise: axis \"hostGroups[0].cpus\" must take integers")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [3, 2]}]"#,
                               extra: #", "plan": {"minimise": "hostGroups[0].count", "require": ["tasks_launched >= 0"]}"#),
                    "plan.minimise: axis \"hostGroups[0].count\" must list its integers in increasing order")
        // a one-sided bound at 50 % or less lies on the wrong side of the mean: the planner needs more
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1, 2]}]"#,
                               extra: #", "plan": {"minimise": "hostGroups[0].count", "require": ["tasks_launched >= 0"], "confidence": 0.3}"#),
                    "plan.confidence: expected a number > 0.5")
        // strict keys and ranges of numbers
        assertError(#"{"base": "base.json", "replicatoins": 2, "replications": 1, "figures": ["tasks_launched"]}"#,
                    "replicatoins: unknown key", "did you mean \"replications\"")
        assertError(#"{"base": "base.json", "replications": 0, "figures": ["tasks_launched"]}"#, "replications: expected an integer from 1 to 1000")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "range": {"from": 1, "to": 5, "step": 0}}]"#), "axes[0].range.step: expected a number > 0")
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "range": {"from": 1, "to": 100000, "step": 1}}]"#), "axes[0].range: the range has 100000 values")
        assertError(experiment(axes: #"[{"name": "x", "linked": {"hostGroups[0].count": [1, 2], "hostGroups[0].cpus": [2]}}]"#),
                    #"axes[0].linked["hostGroups[0].cpus"]: has 1 values, but axes[0].linked["hostGroups[0].count"] has 2"#)
        assertError(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [1], "range": {"from": 1, "to": 2, "step": 1}}]"#),
                    "axes[0]: an axis takes exactly one of")
        assertError(#"{"base": "nowhere.json", "replications": 1, "figures": ["tasks_launched"]}"#, "base: cannot read the base scenario")
        assertError(#"{"name": "-x", "base": "base.json", "replications": 1, "figures": ["tasks_launched"]}"#, "name: \"-x\" cannot name the results folder")
        // points beyond the limit
        let big = #"{"path": "hostGroups[0].count", "range": {"from": 1, "to": 200, "step": 1}}, {"path": "hostGroups[0].cpus", "range": {"from": 1, "to": 200, "step": 1}}"#
        assertError(experiment(axes: "[\(big)]"), "axes: the axes make more than 10000 points")
    }

    func testPointsAreRowMajorWithReadableIds() throws {
        let spec = try load(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [2, 4]}, {"path": "hostGroups[0].cpus", "range": {"from": 0.5, "to": 1.5, "step": 0.25}}]"#))
        let points = spec.points
        XCTAssertEqual(points.count, 10)
        XCTAssertEqual(spec.axes[1].labels, ["0.5", "0.75", "1", "1.25", "1.5"])
        XCTAssertEqual(points[0].id, "hostGroups_0_.count=2,hostGroups_0_.cpus=0.5")
        XCTAssertEqual(points[0].overrides, ["hostGroups[0].count=2", "hostGroups[0].cpus=0.5"])
        XCTAssertEqual(points[6].coordinates, [1, 1])
        XCTAssertEqual(points[6].id, "hostGroups_0_.count=4,hostGroups_0_.cpus=0.75")
        XCTAssertEqual(Set(points.map(\.id)).count, 10)
        // the base scenario's count (2) is recognised as the base value of the first axis
        XCTAssertEqual(spec.axes[0].baseIndex, 0)
        XCTAssertNil(spec.axes[1].baseIndex)
    }

    func testSeedsAreStableWhenAnAxisAtTheBaseValueIsAdded() throws {
        let one = try load(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [2, 3, 5]}]"#))
        let two = try load(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [2, 3, 5]}, {"path": "duration", "values": ["20m", "10m"]}]"#))
        let p1 = one.points, p2 = two.points
        for (k, p) in p1.enumerated() {
            // duration "10m" is the base value (index 1): those points keep their seeds
            let same = p2.first { $0.coordinates == [k, 1] }!
            for r in 0..<2 { XCTAssertEqual(one.seed(point: p, replication: r), two.seed(point: same, replication: r)) }
            let other = p2.first { $0.coordinates == [k, 0] }!
            XCTAssertNotEqual(one.seed(point: p, replication: 0), two.seed(point: other, replication: 0))
        }
        let seeds = p2.flatMap { p in (0..<2).map { two.seed(point: p, replication: $0) } }
        XCTAssertEqual(Set(seeds).count, seeds.count, "every run has its own seed")
        // the seed depends on the experiment seed
        let reseeded = try load(experiment(axes: #"[{"path": "hostGroups[0].count", "values": [2, 3, 5]}]"#).replacingOccurrences(of: #""seed": 5"#, with: #""seed": 6"#))
        XCTAssertNotEqual(one.seed(point: p1[0], replication: 0), reseeded.seed(point: reseeded.points[0], replication: 0))
    }

    func testLongIdsAreShortenedWithAHash() throws {
        let names = (0..<6).map { #"{"path": "hostGroups[0].attributes.attribute_number_\#($0)", "values": ["a-rather-long-value-\#($0)"]}"# }
        let spec = try load(experiment(axes: "[" + names.joined(separator: ",") + "]"))
        let id = spec.points[0].id
        XCTAssertLessThanOrEqual(id.utf8.count, ExperimentSpec.maxIDLength)
        XCTAssertTrue(id.contains("~"))
        XCTAssertFalse(id.contains("/"))
    }
}
