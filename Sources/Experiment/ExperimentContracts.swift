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

// ExperimentSpec.points and .seed(point:replication:) are in Sources/Scenario/ExperimentGrid.swift
// (the experiment loader checks every point against the base scenario, so it needs them too);
// RunExecutor is in RunExecutor.swift; ExperimentLoader.load(path:) in ExperimentFigures.swift.
