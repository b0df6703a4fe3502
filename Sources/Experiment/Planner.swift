import Scenario
import SimKernel

// `clustersim plan`: the smallest value of an integer axis for which every requirement of the
// experiment's `plan` holds with the stated confidence (docs/planning.md). Bisection over the
// axis' values, assuming the requirements are monotone in the axis (more agents never hurt);
// replications are added to a point in rounds only while its one-sided Student-t intervals do not
// decide it. Other axes: one answer per combination of their values (row-major order).

/// Where the planner gets a point's figures: replications 0..<replications of the point, run when
/// not finished yet. The CLI runs them as `clustersim run` children (`ExecutorRunSource`); tests
/// inject figures.
public protocol PlanRunSource {
    func figures(point: ExperimentPoint, replications: Int) throws -> [RunFigures]
}

/// How replications are added to a point.
public struct PlannerSettings: Sendable, Equatable {
    /// Replications of a point's first round (no decision on fewer, not even on a zero variance).
    public var minReplications: Int
    /// Replications added per further round, up to the plan's `maxReplications`.
    public var roundSize: Int

    public static let standard = PlannerSettings(minReplications: 3, roundSize: 2)

    public init(minReplications: Int, roundSize: Int) {
        self.minReplications = max(1, minReplications); self.roundSize = max(1, roundSize)
    }
}

public enum PlanVerdict: String, Sendable, Equatable { case pass, fail, undecided }

/// One requirement at one point: the figure's values over the point's runs and the verdict.
public struct RequirementEvidence: Sendable, Equatable {
    public var requirement: ExperimentRequirement
    /// Runs with a value (a figure that is null in a run is left out of the interval).
    public var values: Int
    public var nulls: Int
    public var mean: Double
    public var sd: Double
    /// The interval mean -/+ t(confidence, n-1) * sd / sqrt(n): each side is a one-sided bound
    /// at the plan's confidence. Infinite with one value; nan with none.
    public var low: Double
    public var high: Double
    public var verdict: PlanVerdict
}

/// One point the search tried.
public struct PlanStep: Sendable, Equatable {
    public var point: ExperimentPoint
    /// The minimised axis' value (an integer) and its label.
    public var value: Int
    public var runs: Int
    public var evidence: [RequirementEvidence]
    /// pass or fail (never undecided).
    public var decision: PlanVerdict
    /// Still undecided at `maxReplications`: decided on the means.
    public var decidedOnMean: Bool
}

/// The answer for one combination of the other axes' values.
public struct PlanAnswer: Sendable, Equatable {
    /// (axis name, value label) of the other axes; empty with one axis.
    public var fixed: [(axis: String, label: String)]
    /// Points tried, in the order tried.
    public var steps: [PlanStep]
    /// The smallest passing value; nil when even the largest value fails.
    public var value: Int?
    /// The decision at the answer (or at the largest value when none passes) was made on means.
    public var decidedOnMean: Bool
    /// Observations that contradict the monotonicity the search assumes.
    public var nonMonotone: [String]
    public var runs: Int { steps.reduce(0) { $0 + $1.runs } }

    public static func == (a: PlanAnswer, b: PlanAnswer) -> Bool {
        a.fixed.map(\.axis) == b.fixed.map(\.axis) && a.fixed.map(\.label) == b.fixed.map(\.label) && a.steps == b.steps
            && a.value == b.value && a.decidedOnMean == b.decidedOnMean && a.nonMonotone == b.nonMonotone
    }
}

public struct PlanResult: Sendable, Equatable {
    public var axis: String
    public var plan: ExperimentPlan
    public var answers: [PlanAnswer]
    /// Runs the plan used (finished runs it found count too).
    public var runs: Int { answers.reduce(0) { $0 + $1.runs } }
    /// Runs a full sweep of the grid at `maxReplications` would take.
    public var fullGridRuns: Int
    /// The smallest value of the minimised axis: an answer equal to it says only that the
    /// smallest sufficient value is at most that (the grid does not reach below it).
    public var lowest: Int? = nil
}

public struct Planner {
    public let spec: ExperimentSpec
    public let plan: ExperimentPlan
    public let settings: PlannerSettings
    /// Index of the minimised axis in `spec.axes`, and its integer values.
    public let axisIndex: Int
    public let axisValues: [Int]

    /// Checks the plan against the experiment (the loader checks the same; the planner does not
    /// trust a hand-built spec): errors name `plan.*` paths.
    public init(spec: ExperimentSpec, settings: PlannerSettings = .standard) throws(ScenarioErrors) {
        func fail(_ path: String, _ message: String) -> ScenarioErrors {
            ScenarioErrors([ScenarioError(path: path, file: spec.file, message: message)])
        }
        guard let plan = spec.plan else {
            throw fail("plan", "the experiment has no \"plan\" (the axis to minimise and the requirements); `clustersim sweep` runs it as a sweep")
        }
        let names = spec.axes.map(\.name)
        guard let a = names.firstIndex(of: plan.minimise) else {
            throw fail("plan.minimise", "\(JSONValue.quote(plan.minimise)) is not an axis of the experiment; axes: \(names.map { JSONValue.quote($0) }.joined(separator: ", "))")
        }
        let ints = spec.axes[a].labels.map { Int($0) }
        guard !ints.isEmpty, ints.allSatisfy({ $0 != nil }) else {
            throw fail("plan.minimise", "axis \(JSONValue.quote(plan.minimise)) must have integer values to minimise, got \(spec.axes[a].labels.joined(separator: ", "))")
        }
        let values = ints.map { $0! }
        guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw fail("plan.minimise", "axis \(JSONValue.quote(plan.minimise)) must list its values in increasing order, got \(values.map(String.init).joined(separator: ", "))")
        }
        guard !plan.requirements.isEmpty else { throw fail("plan.require", "give at least one requirement") }
        guard plan.confidence > 0.5, plan.confidence < 1 else {
            throw fail("plan.confidence", "must be above 0.5 and below 1, got \(plan.confidence)")
        }
        guard plan.maxReplications >= 1 else { throw fail("plan.maxReplications", "must be at least 1, got \(plan.maxReplications)") }
        self.spec = spec; self.plan = plan; self.settings = settings; axisIndex = a; axisValues = values
    }

    /// Answers the question for every combination of the other axes; `onStep` hears of each
    /// point once it is decided (the CLI's progress lines).
    public func run(source: PlanRunSource, onStep: ((PlanStep) -> Void)? = nil) throws -> PlanResult {
        let points = spec.points
        var groups: [[ExperimentPoint]] = []
        var keys: [[Int]] = []
        for p in points {  // row-major order: groups in the order of their first point
            var key = p.coordinates; key.remove(at: axisIndex)
            if let g = keys.firstIndex(of: key) { groups[g].append(p) } else { keys.append(key); groups.append([p]) }
        }
        var answers: [PlanAnswer] = []
        for (g, members) in groups.enumerated() {
            let sorted = members.sorted { $0.coordinates[axisIndex] < $1.coordinates[axisIndex] }
            var fixed: [(axis: String, label: String)] = []
            var j = 0
            for (i, axis) in spec.axes.enumerated() where i != axisIndex {
                fixed.append((axis.name, axis.labels[keys[g][j]])); j += 1
            }
            answers.append(try search(sorted, fixed: fixed, source: source, onStep: onStep))
        }
        return PlanResult(axis: plan.minimise, plan: plan, answers: answers, fullGridRuns: points.count * plan.maxReplications,
                          lowest: axisValues.first)
    }

    /// Bisection: try the largest value first (if it fails, nothing passes); then keep the
    /// smallest passing index `hi` and the first index `lo` not known to fail.
    func search(_ points: [ExperimentPoint], fixed: [(axis: String, label: String)], source: PlanRunSource,
                onStep: ((PlanStep) -> Void)? = nil) throws -> PlanAnswer {
        var steps: [PlanStep] = []
        var hi = points.count - 1
        let top = try evaluate(points[hi], source: source)
        steps.append(top)
        onStep?(top)
        var answerStep: PlanStep? = top.decision == .pass ? top : nil
        if answerStep != nil {
            var lo = 0
            while lo < hi {
                let mid = (lo + hi) / 2
                let s = try evaluate(points[mid], source: source)
                steps.append(s)
                onStep?(s)
                if s.decision == .pass { hi = mid; answerStep = s } else { lo = mid + 1 }
            }
        }
        return PlanAnswer(fixed: fixed, steps: steps, value: answerStep?.value,
                          decidedOnMean: (answerStep ?? top).decidedOnMean, nonMonotone: monotonicityNotes(steps))
    }

    /// Runs a point in rounds until its intervals decide every requirement (or one fails), or
    /// `maxReplications` is reached (then it is decided on the means and flagged).
    func evaluate(_ point: ExperimentPoint, source: PlanRunSource) throws -> PlanStep {
        let maxReps = plan.maxReplications
        var n = min(settings.minReplications, maxReps)
        while true {
            let runs = try source.figures(point: point, replications: n)
            let evidence = try plan.requirements.map { try judge($0, runs: runs, point: point) }
            let value = axisValues[point.coordinates[axisIndex]]
            if evidence.contains(where: { $0.verdict == .fail }) {
                return PlanStep(point: point, value: value, runs: n, evidence: evidence, decision: .fail, decidedOnMean: false)
            }
            if evidence.allSatisfy({ $0.verdict == .pass }) {
                return PlanStep(point: point, value: value, runs: n, evidence: evidence, decision: .pass, decidedOnMean: false)
            }
            if n >= maxReps {
                let onMean = evidence.allSatisfy { $0.values > 0 && $0.requirement.holds($0.mean) }
                return PlanStep(point: point, value: value, runs: n, evidence: evidence,
                                decision: onMean ? .pass : .fail, decidedOnMean: true)
            }
            n = min(n + settings.roundSize, maxReps)
        }
    }

    /// The verdict of one requirement on a point's runs.
    func judge(_ req: ExperimentRequirement, runs: [RunFigures], point: ExperimentPoint) throws -> RequirementEvidence {
        var stats = StreamingStats()
        var nulls = 0
        for (r, figures) in runs.enumerated() {
            guard let entry = figures[req.figure] else {
                throw PlanRunError("run \(point.id)/\(r) has no headline figure \(JSONValue.quote(req.figure)) in its summary.json: "
                    + "the base scenario has no part that reports it (docs/outputs.md lists each figure under its subsystem), so the requirement cannot be judged")
            }
            if let x = entry, x.isFinite { stats.record(x) } else { nulls += 1 }
        }
        let n = Int(stats.count)
        guard n > 0 else {
            // Null in every run (e.g. no fault fired): nothing can meet the requirement.
            return RequirementEvidence(requirement: req, values: 0, nulls: nulls, mean: .nan, sd: .nan, low: .nan, high: .nan,
                                       verdict: .fail)
        }
        let h = n >= 2 ? ConfidenceInterval.tQuantile(plan.confidence, degreesOfFreedom: n - 1) * (stats.variance / Double(n)).squareRoot()
            : Double.infinity
        let low = stats.mean - h, high = stats.mean + h
        let verdict: PlanVerdict
        switch req.comparison {
        case .lt, .le: verdict = req.holds(high) ? .pass : req.holds(low) ? .undecided : .fail
        case .gt, .ge: verdict = req.holds(low) ? .pass : req.holds(high) ? .undecided : .fail
        case .eq: verdict = h == 0 && req.holds(stats.mean) ? .pass : (low <= req.value && req.value <= high) ? .undecided : .fail
        }
        // the sample standard deviation needs two values (like points.csv's F_sd): none with one
        return RequirementEvidence(requirement: req, values: n, nulls: nulls, mean: stats.mean, sd: n >= 2 ? stats.stddev : .nan,
                                   low: low, high: high, verdict: verdict)
    }

    /// A larger value whose figure is worse than a smaller value's beyond both intervals (for
    /// `<`/`<=` larger is worse, for `>`/`>=` smaller; `==` has no direction) contradicts the
    /// monotonicity the bisection assumes.
    func monotonicityNotes(_ steps: [PlanStep]) -> [String] {
        let tried = steps.sorted { $0.value < $1.value }
        var notes: [String] = []
        for (k, req) in plan.requirements.enumerated() where req.comparison != .eq {
            let smallerIsBetter = req.comparison == .lt || req.comparison == .le
            for (a, b) in zip(tried, tried.dropFirst()) {
                let ea = a.evidence[k], eb = b.evidence[k]
                guard ea.values > 0, eb.values > 0 else { continue }
                let worse = smallerIsBetter ? eb.low > ea.high : eb.high < ea.low
                if worse {
                    notes.append("\(req.figure) is worse at \(plan.minimise)=\(b.value) (mean \(fmt(eb.mean)), interval \(fmt(eb.low))..\(fmt(eb.high))) than at \(plan.minimise)=\(a.value) (mean \(fmt(ea.mean)), interval \(fmt(ea.low))..\(fmt(ea.high))): not monotone, the bisection's answer may be wrong")
                }
            }
        }
        return notes
    }

    private func fmt(_ x: Double) -> String { NumberFormat.decimal(x, 3) }
}

/// A run that cannot be used (it lacks a requirement's figure, or did not finish).
public struct PlanRunError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
