import Scenario

// The contract between the experiment parts (issue 13). A run is one (point, replication); it is
// the same `clustersim run` of the base scenario with the point's `--set` overrides and the
// derived seed, in its own results folder runs/<point id>/<replication>/ under the experiment's
// results folder. A run is finished when that folder exists (`clustersim run` moves a complete
// results folder into place atomically), so a sweep resumes by skipping finished runs, and a
// local sweep, the planner and a Slurm array task all run the same way.

/// One run of an experiment.
public struct RunID: Sendable, Hashable, Comparable {
    public var point: Int
    public var replication: Int
    public init(point: Int, replication: Int) { self.point = point; self.replication = replication }
    public static func < (a: RunID, b: RunID) -> Bool { (a.point, a.replication) < (b.point, b.replication) }
}

/// The headline figures of a finished run (summary.json "headline"); nil for a figure that is
/// null in the run (e.g. no fault fired).
public typealias RunFigures = [String: Double?]

// Scaffold: the sweep part (branch sweep) implements these; the planner and Slurm parts call them.

/// Where an experiment's runs and aggregates live: `root` is results/<experiment name>/ (or --out).
public struct ExperimentLayout: Sendable {
    public var root: String
    public init(root: String) { self.root = root }
    /// runs/<point id>/<replication>/
    public func runDirectory(_ point: ExperimentPoint, replication: Int) -> String {
        root + "/runs/" + point.id + "/" + String(replication)
    }
    public var pointsCSV: String { root + "/points.csv" }
}

extension ExperimentSpec {
    /// Every point of the grid in row-major order (first axis slowest).
    public var points: [ExperimentPoint] { fatalError("scaffold: the sweep part builds this") }

    /// The seed of a run: derived from the experiment seed, the point's values and the replication
    /// (docs/experiments.md says how; stable when axes are added).
    public func seed(point: ExperimentPoint, replication: Int) -> UInt64 { fatalError("scaffold: the sweep part builds this") }
}

/// Runs single runs as `clustersim run` child processes of the same binary.
public struct RunExecutor: Sendable {
    /// `binary`: the clustersim executable (the running one, /proc/self/exe, for the CLI).
    public init(binary: String, spec: ExperimentSpec, layout: ExperimentLayout) { fatalError("scaffold: the sweep part builds this") }

    /// The figures of a finished run, nil when it has not finished.
    public func figures(point: ExperimentPoint, replication: Int) throws -> RunFigures? { fatalError("scaffold") }

    /// Runs the given runs (skipping finished ones), `jobs` at a time; returns when all are done
    /// or throws the first failure (after the runs under way finish).
    public func run(_ ids: [RunID], jobs: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?) throws { fatalError("scaffold") }
}
