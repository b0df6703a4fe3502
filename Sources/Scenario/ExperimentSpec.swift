// Experiment files (issue 13): a base scenario, axes over scenario paths, replications, the
// headline figures to collect, and optionally a planning question. The types are the contract
// between the experiment parts: the file decoder and the sweep (ExperimentFile.swift, Sources/
// Experiment/Sweep*), the planner (Sources/Experiment/Planner*) and Slurm (Sources/Experiment/Slurm*).
// Documentation: docs/experiments.md.

/// One axis: one or more scenario paths (in `--set` syntax) that move together, and their values.
/// A plain axis has one path; a linked axis has several, and `values[k]` holds one value per path.
public struct ExperimentAxis: Sendable, Equatable {
    /// The axis' name in points.csv and plots: its `name` key, or its single path.
    public var name: String
    /// Scenario paths in `--set` syntax, e.g. `hostGroups[1].count`.
    public var paths: [String]
    /// `values[k][j]` is the JSON text of the k-th value for `paths[j]` (as `--set` takes it).
    public var values: [[String]]
    /// What points.csv shows for the k-th value (the first path's value, JSON text without quotes
    /// for strings).
    public var labels: [String]
    /// The index of the value the base scenario already has at every path (nil when none is):
    /// that value does not enter the runs' seeds (docs/experiments.md, Seeds). Set by the loader.
    public var baseIndex: Int?

    public init(name: String, paths: [String], values: [[String]], labels: [String], baseIndex: Int? = nil) {
        self.name = name; self.paths = paths; self.values = values; self.labels = labels; self.baseIndex = baseIndex
    }
}

/// A requirement on a headline figure, e.g. `p99_latency_ms < 200`.
public struct ExperimentRequirement: Sendable, Equatable {
    public enum Comparison: String, Sendable, CaseIterable { case lt = "<", le = "<=", eq = "==", ge = ">=", gt = ">" }
    public var figure: String
    public var comparison: Comparison
    public var value: Double

    public init(figure: String, comparison: Comparison, value: Double) {
        self.figure = figure; self.comparison = comparison; self.value = value
    }

    public func holds(_ x: Double) -> Bool {
        switch comparison {
        case .lt: return x < value
        case .le: return x <= value
        case .eq: return x == value
        case .ge: return x >= value
        case .gt: return x > value
        }
    }
}

/// The planning question: the smallest value of an integer axis for which every requirement
/// holds with the stated confidence over replications.
public struct ExperimentPlan: Sendable, Equatable {
    /// The name of the axis to minimise (an axis of integers in increasing order).
    public var minimise: String
    public var requirements: [ExperimentRequirement]
    /// E.g. 0.95.
    public var confidence: Double
    /// Replications a point may use at most before it is decided on its mean (default: the
    /// experiment's `replications`).
    public var maxReplications: Int

    public init(minimise: String, requirements: [ExperimentRequirement], confidence: Double, maxReplications: Int) {
        self.minimise = minimise; self.requirements = requirements; self.confidence = confidence
        self.maxReplications = maxReplications
    }
}

/// A point of the grid: one value index per axis.
public struct ExperimentPoint: Sendable, Equatable, Hashable {
    /// Position in row-major order over the axes (first axis slowest); points.csv is in this order.
    public var index: Int
    /// `coordinates[a]` indexes `axes[a].values`.
    public var coordinates: [Int]
    /// Folder name under runs/: stable, readable, unique (see docs/experiments.md).
    public var id: String
    /// `--set` arguments, "PATH=JSON", in axis order.
    public var overrides: [String]

    public init(index: Int, coordinates: [Int], id: String, overrides: [String]) {
        self.index = index; self.coordinates = coordinates; self.id = id; self.overrides = overrides
    }
}

/// A decoded experiment file.
public struct ExperimentSpec: Sendable {
    /// From the file's `name`, or its file name without `.json`: results go to results/<name>/.
    public var name: String
    /// The experiment file as the user gave it.
    public var file: String
    /// The base scenario's path, resolved against the experiment file's folder (usable from the
    /// current directory as given to `clustersim run`).
    public var base: String
    public var seed: UInt64
    public var replications: Int
    public var axes: [ExperimentAxis]
    /// Headline figures (summary.json "headline" keys) collected into points.csv.
    public var figures: [String]
    public var plan: ExperimentPlan?
    public var warnings: [String]

    public init(name: String, file: String, base: String, seed: UInt64, replications: Int, axes: [ExperimentAxis],
                figures: [String], plan: ExperimentPlan?, warnings: [String] = []) {
        self.name = name; self.file = file; self.base = base; self.seed = seed; self.replications = replications
        self.axes = axes; self.figures = figures; self.plan = plan; self.warnings = warnings
    }
}
