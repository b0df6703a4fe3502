import Foundation
import Reporting
import Scenario
import SimKernel
#if canImport(Glibc)
import Glibc
#endif

/// One figure of one point over its replications.
public struct FigureSummary: Sendable, Equatable {
    /// Runs in which the figure was a number (it is null in the others: e.g. no fault fired).
    public var n: Int
    public var mean: Double?
    /// Sample standard deviation (n - 1 in the denominator); nil below two values.
    public var sd: Double?
    /// Student-t 95% interval of the mean (GSL's t quantile, n - 1 degrees of freedom); nil below two values.
    public var ciLow: Double?
    public var ciHigh: Double?
    public var min: Double?
    public var max: Double?

    /// The summary of `values` (in replication order) with a `level` interval.
    public init(_ values: [Double], level: Double = 0.95) {
        n = values.count
        guard !values.isEmpty else { return }
        var s = StreamingStats()
        for v in values { s.record(v) }
        mean = s.mean; min = s.min; max = s.max
        if values.count >= 2 {
            sd = s.stddev
            let ci = ConfidenceInterval.ofMean(s, level: level)
            ciLow = ci.lower; ciHigh = ci.upper
        }
    }
}

/// The aggregate of an experiment: points.csv (docs/experiments.md, points.csv).
public struct ExperimentAggregate: Sendable {
    public let spec: ExperimentSpec
    public let points: [ExperimentPoint]
    /// `summaries[p][f]`: point p, figure `spec.figures[f]`.
    public let summaries: [[FigureSummary]]
    /// Runs aggregated per point.
    public let runs: [Int]
    /// With a plan: per point, the share of its runs in which every requirement of the plan held
    /// (a figure null in a run does not hold); the estimate of the probability that the platform
    /// meets the objective at that point. Empty without a plan.
    public let planMet: [Double]

    /// The per-figure columns after each figure's name.
    public static let statistics = ["mean", "sd", "ci95_low", "ci95_high", "min", "max", "n"]
    /// Decimals of the numbers in points.csv.
    public static let decimals = 9

    public init(spec: ExperimentSpec, points: [ExperimentPoint], figures: [[RunFigures]]) {
        self.spec = spec; self.points = points
        runs = figures.map(\.count)
        summaries = figures.map { reps in
            spec.figures.map { f in FigureSummary(reps.compactMap { $0[f] ?? nil }) }
        }
        if let plan = spec.plan {
            planMet = figures.map { reps in
                let met = reps.filter { run in plan.requirements.allSatisfy { r in (run[r.figure] ?? nil).map(r.holds) ?? false } }
                return reps.isEmpty ? .nan : Double(met.count) / Double(reps.count)
            }
        } else {
            planMet = []
        }
    }

    /// Reads every run of the experiment (replications 0..<replications of every point).
    /// Throws `StaleRuns` naming the finished runs made with other seeds (an earlier version of the
    /// experiment), then `MissingRuns` naming the runs that have not finished.
    public static func collect(_ executor: RunExecutor, replications: Int? = nil) throws -> ExperimentAggregate {
        let reps = replications ?? executor.spec.replications
        if let stale = try executor.staleRuns(executor.allRuns(replications: reps)) { throw stale }
        var missing: [String] = []
        var figures: [[RunFigures]] = []
        for p in executor.points {
            var row: [RunFigures] = []
            for r in 0..<reps {
                if let f = try executor.figures(point: p, replication: r) { row.append(f) } else {
                    missing.append(executor.layout.runDirectory(p, replication: r))
                }
            }
            figures.append(row)
        }
        if !missing.isEmpty { throw MissingRuns(folders: missing, total: executor.points.count * reps) }
        return ExperimentAggregate(spec: executor.spec, points: executor.points, figures: figures)
    }

    public var header: [String] {
        ["point"] + spec.axes.map(\.name) + ["runs"] + spec.figures.flatMap { f in Self.statistics.map { f + "_" + $0 } }
            + (spec.plan == nil ? [] : ["plan_met_ratio"])
    }

    /// A number of points.csv; empty when it is not finite (no nan or inf reaches the file).
    static func cell(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return NumberFormat.decimal(x, decimals)
    }

    /// points.csv: a header, then one row per point in row-major order.
    public var csv: String {
        var out = header.map(CSVWriter.quoted).joined(separator: ",") + "\n"
        for (i, p) in points.enumerated() {
            var row = [p.id]
            for (a, axis) in spec.axes.enumerated() { row.append(axis.labels[p.coordinates[a]]) }
            row.append(String(runs[i]))
            for s in summaries[i] {
                row += [s.mean, s.sd, s.ciLow, s.ciHigh, s.min, s.max].map(Self.cell)
                row.append(String(s.n))
            }
            if spec.plan != nil { row.append(Self.cell(planMet[i])) }
            out += row.map(CSVWriter.quoted).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Writes points.csv atomically (a temporary file beside it, renamed into place).
    public func write(to path: String) throws {
        try AtomicFile.write(csv, to: path)
    }
}

/// Runs an aggregate needs that have not finished.
public struct MissingRuns: Error, CustomStringConvertible, Sendable {
    public var folders: [String]
    public var total: Int
    public var description: String {
        let shown = folders.prefix(10).map { "  " + $0 }.joined(separator: "\n")
        let more = folders.count > 10 ? "\n  ... and \(folders.count - 10) more" : ""
        return "\(folders.count) of \(total) runs have not finished (no summary.json):\n\(shown)\(more)\nrun `clustersim sweep` without --aggregate-only to run them"
    }
}

enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        let dir = ResultsFolder.parentOf(path)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = ResultsFolder.lastComponent(path)
        let tmp = dir + "/." + name + ".tmp-" + String(getpid())
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
            throw ExperimentIOError("cannot write \(tmp)")
        }
        if rename(tmp, path) != 0 {
            let e = String(cString: strerror(errno))
            unlink(tmp)
            throw ExperimentIOError("cannot move \(tmp) to \(path): \(e)")
        }
    }
}

extension ExperimentLayout {
    /// Why `path` cannot be (or become) an output folder, or nil: it, or the nearest of its
    /// ancestors that exists, must be a folder. Checked before anything runs, so that a `--out`
    /// or `--plots` naming a file is one clear error (exit 2, nothing run or written) rather than
    /// runs that cannot start, or a points.csv written and then plots that cannot be.
    public static func outputFolderProblem(_ path: String, option: String) -> String? {
        var p = path.isEmpty ? "." : path
        var isDir: ObjCBool = false
        while !FileManager.default.fileExists(atPath: p, isDirectory: &isDir) {
            let parent = (p as NSString).deletingLastPathComponent
            if parent.isEmpty || parent == p { return nil }  // nothing of it exists: it is created
            p = parent
        }
        if isDir.boolValue { return nil }
        return p == path ? "\(option) \(path): exists and is not a folder"
            : "\(option) \(path): \(p) exists and is not a folder, so no folder can be made under it"
    }
}
