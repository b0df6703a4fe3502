import Foundation
import Reporting
import Scenario
import SimKernel

// What `clustersim plan` writes into the experiment's results folder: plan.csv (every point tried,
// in the order tried) and plan.json (the answers with their evidence), and the lines it prints.
// Columns and keys: docs/planning.md.

extension PlanResult {
    /// The name of requirement k's columns: its figure, with `_r<k+1>` when an earlier requirement
    /// names the same figure.
    func columnStem(_ k: Int) -> String {
        let figure = plan.requirements[k].figure
        return plan.requirements[..<k].contains { $0.figure == figure } ? figure + "_r" + String(k + 1) : figure
    }

    var otherAxes: [String] { answers.first?.fixed.map(\.axis) ?? [] }

    /// plan.csv's header and rows: one row per point tried.
    func csvRows() -> (header: [String], rows: [[String]]) {
        var header = otherAxes + ["step", axis, "point", "runs", "decision", "decided_on_mean"]
        for k in plan.requirements.indices {
            let s = columnStem(k)
            header += [s + "_mean", s + "_sd", s + "_ci_low", s + "_ci_high", s + "_values", s + "_verdict"]
        }
        var rows: [[String]] = []
        for answer in answers {
            for (i, step) in answer.steps.enumerated() {
                var row = answer.fixed.map(\.label)
                row += [String(i + 1), String(step.value), step.point.id, String(step.runs), step.decision.rawValue,
                        step.decidedOnMean ? "true" : "false"]
                for e in step.evidence {
                    row += [PlanResult.number(e.mean), PlanResult.number(e.sd), PlanResult.number(e.low),
                            PlanResult.number(e.high), String(e.values), e.verdict.rawValue]
                }
                rows.append(row)
            }
        }
        return (header, rows)
    }

    /// A finite number with 6 decimals; empty for none (an interval of one value is unbounded).
    static func number(_ x: Double) -> String { x.isFinite ? NumberFormat.decimal(x, 6) : "" }

    static func json(_ x: Double) -> JSONOut { x.isFinite ? .num(x) : .null }

    /// plan.json: the question, the answers and every point tried.
    public func json(experiment: String) -> String {
        let requirements: [JSONOut] = plan.requirements.map {
            .string($0.figure + " " + $0.comparison.rawValue + " " + NumberFormat.decimal($0.value, 6))
        }
        let answersOut: [JSONOut] = answers.map { a in
            let steps: [JSONOut] = a.steps.map { s in
                .object([
                    (axis, .int(Int64(s.value))), ("point", .string(s.point.id)), ("runs", .int(Int64(s.runs))),
                    ("decision", .string(s.decision.rawValue)), ("decidedOnMean", .bool(s.decidedOnMean)),
                    ("requirements", .array(s.evidence.map { e in
                        .object([("figure", .string(e.requirement.figure)), ("values", .int(Int64(e.values))),
                                 ("nulls", .int(Int64(e.nulls))), ("mean", PlanResult.json(e.mean)), ("sd", PlanResult.json(e.sd)),
                                 ("ciLow", PlanResult.json(e.low)), ("ciHigh", PlanResult.json(e.high)),
                                 ("verdict", .string(e.verdict.rawValue))])
                    })),
                ])
            }
            return .object([
                ("where", .object(a.fixed.map { ($0.axis, .string($0.label)) })),
                ("answer", a.value.map { .int(Int64($0)) } ?? .null),
                ("decidedOnMean", .bool(a.decidedOnMean)),
                ("nonMonotone", .array(a.nonMonotone.map { .string($0) })),
                ("runs", .int(Int64(a.runs))),
                ("tried", .array(steps)),
            ])
        }
        return JSONOut.object([
            ("experiment", .string(experiment)), ("minimise", .string(axis)), ("require", .array(requirements)),
            ("confidence", .num(plan.confidence)), ("maxReplications", .int(Int64(plan.maxReplications))),
            ("assumes", .string("every requirement is monotone in \(axis): once it holds, it holds for every larger value")),
            ("runs", .int(Int64(runs))), ("fullGridRuns", .int(Int64(fullGridRuns))),
            ("answers", .array(answersOut)),
        ]).render() + "\n"
    }

    /// What `clustersim plan` prints: one line per answer, then notes.
    public func summaryLines() -> [String] {
        let question = plan.requirements.map { $0.figure + " " + $0.comparison.rawValue + " " + NumberFormat.decimal($0.value, 6) }
            .joined(separator: " and ")
        var lines = ["smallest \(axis) with \(question) at \(NumberFormat.decimal(plan.confidence * 100, 1))% confidence:"]
        for a in answers {
            let whereText = a.fixed.isEmpty ? "" : a.fixed.map { "\($0.axis)=\($0.label)" }.joined(separator: ", ") + ": "
            let value = a.value.map(String.init) ?? "none (the largest value, \(a.steps[0].value), fails)"
            let mean = a.decidedOnMean ? " (decided on the mean at \(plural(plan.maxReplications, "replication")): the interval did not decide)" : ""
            lines.append("  \(whereText)\(value)\(mean); \(plural(a.steps.count, "point")) tried, \(plural(a.runs, "run"))")
            if let v = a.value, v == lowest {
                lines.append("  note: \(v) is the smallest value of \(axis) in the grid, and it passes: fewer may suffice too; "
                             + "extend the axis downwards to find the smallest")
            }
            for note in a.nonMonotone { lines.append("  warning: \(note)") }
        }
        lines.append("runs used: \(runs) (the full grid at \(plural(plan.maxReplications, "replication")): \(fullGridRuns))")
        return lines
    }

    private func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// Writes plan.csv and plan.json into `root`, each atomically (a temporary file renamed).
    public func write(root: String, experiment: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let temp = root + "/.plan.csv.tmp-" + String(getpid())
        let (header, rows) = csvRows()
        let w = try CSVWriter(path: temp, columns: header)
        for row in rows {
            for f in row { w.field(f) }
            w.endRow()
        }
        try w.close()
        guard rename(temp, root + "/plan.csv") == 0 else {
            unlink(temp)
            throw PlanRunError("cannot write \(root)/plan.csv: \(String(cString: strerror(errno)))")
        }
        try json(experiment: experiment).write(toFile: root + "/plan.json", atomically: true, encoding: .utf8)
    }
}

/// The planner's runs as `clustersim run` children through the sweep's RunExecutor: the same run
/// folders and seeds as a sweep, so a later sweep reuses them (and the planner reuses a sweep's).
public struct ExecutorRunSource: PlanRunSource {
    public let executor: RunExecutor
    public let spec: ExperimentSpec
    public let jobs: Int

    public init(executor: RunExecutor, spec: ExperimentSpec, jobs: Int) {
        self.executor = executor; self.spec = spec; self.jobs = jobs
    }

    public func figures(point: ExperimentPoint, replications: Int) throws -> [RunFigures] {
        let ids = (0..<replications).map { RunID(point: point.index, replication: $0) }
        try executor.run(ids, jobs: jobs, progress: nil)
        return try (0..<replications).map { r in
            guard let f = try executor.figures(point: point, replication: r) else {
                throw PlanRunError("run \(point.id)/\(r) did not finish")
            }
            return f
        }
    }
}
