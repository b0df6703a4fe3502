import ArgumentParser
import Experiment
import Foundation
import Reporting
import Scenario
import SimKernel
#if canImport(Glibc)
import Glibc
#endif

// `clustersim sweep` on this machine (docs/experiments.md): every (point, replication) as a
// `clustersim run` child, -j at a time, then points.csv and the plots.

/// Loads an experiment; errors go to stderr and end the command with exit status 2.
func loadExperiment(_ path: String) throws -> ExperimentSpec {
    do {
        return try ExperimentLoader.load(path: path)
    } catch let e {
        printErr(e.description)
        let n = e.errors.count
        printErr("\(path): \(n) error\(n == 1 ? "" : "s"); nothing was run or written.")
        throw ExitCode(ExitStatus.invalidInput)
    }
}

/// `--out`/`--plots` that name a file (or a folder under one): each an error, exit status 2,
/// before anything is run or written.
func checkOutputFolders(_ folders: [(option: String, path: String)]) throws {
    let problems = folders.compactMap { ExperimentLayout.outputFolderProblem($0.path, option: $0.option) }
    guard !problems.isEmpty else { return }
    for p in problems { printErr("error: \(p)") }
    printErr("nothing was run or written.")
    throw ExitCode(ExitStatus.invalidInput)
}

/// The running clustersim executable, for the runs' child processes.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// `--runs K/N`: chunk K (1-based) of N of the sorted runs (`RunExecutor.chunk`).
func parseChunk(_ text: String) -> (k: Int, n: Int)? {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, k >= 1, k <= n else { return nil }
    return (k, n)
}

extension Sweep {
    func validate() throws {
        if let j = options.jobs, j < 1 || j > 1024 { throw ValidationError("-j/--jobs: expected an integer from 1 to 1024, got \(j)") }
        if let r = runs, parseChunk(r) == nil {
            throw ValidationError("--runs: expected K/N with 1 <= K <= N (chunk K of N of the sorted runs), got \"\(r)\"")
        }
        if runs != nil && aggregateOnly { throw ValidationError("--runs and --aggregate-only do not go together") }
    }

    func runLocal() throws {
        let spec = try loadExperiment(options.experiment)
        if !options.quiet { for w in spec.warnings { printErr("warning: \(w)") } }
        let layout = ExperimentLayout(root: options.out ?? "results/\(spec.name)")
        let plotDir = plots ?? "plots/\(spec.name)"
        try checkOutputFolders([("--out", layout.root)] + (runs == nil ? [("--plots", plotDir)] : []))
        var executor = RunExecutor(binary: currentExecutable(), spec: spec, layout: layout)
        let all = executor.allRuns()
        if !aggregateOnly {
            var ids = all
            if let r = runs, let (k, n) = parseChunk(r) { ids = RunExecutor.chunk(all, k, of: n) }
            let bar = SweepProgress(enabled: !options.quiet && (progress || isatty(STDERR_FILENO) != 0))
            executor.shouldStop = { Signals.interrupted }
            Signals.set(.deferred)
            do {
                try executor.run(ids, jobs: options.jobs ?? ProcessInfo.processInfo.activeProcessorCount) { done, total in
                    bar.update(done: done, total: total)
                }
            } catch let e as RunFailure {
                bar.finish()
                printErr((e.interrupted ? "" : "error: ") + e.description)
                throw ExitCode(e.interrupted ? ExitStatus.interrupted : ExitStatus.internalError)
            } catch {
                bar.finish()
                printErr("error: \(error)")
                throw ExitCode(ExitStatus.internalError)
            }
            bar.finish()
            Signals.set(.immediate)
            if runs != nil {
                if !options.quiet { print("sweep \(spec.name): chunk \(runs ?? ""): \(ids.count) runs finished in \(layout.root)/runs") }
                return
            }
        }
        let aggregate: ExperimentAggregate
        do { aggregate = try ExperimentAggregate.collect(executor) } catch let e as MissingRuns {
            printErr("error: \(layout.root): \(e)")
            throw ExitCode(ExitStatus.internalError)
        } catch {
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
        do {
            try aggregate.write(to: layout.pointsCSV)
            for f in SweepPlots.figuresWithoutValues(aggregate) where !options.quiet {
                printErr("warning: \(f) has no value in any run (null or absent in every summary.json: nothing it measures happened, "
                         + "or the base scenario has no part that reports it): its points.csv cells are empty and it has no chart")
            }
            var images: [String] = []
            do { images = try SweepPlots.plot(aggregate, outDir: plotDir) } catch Plotter.PlotError.gnuplotMissing {
                printErr("warning: gnuplot is not on PATH: no plots (points.csv is written)")
            }
            if !options.quiet {
                print("sweep \(spec.name): \(executor.points.count) points × \(spec.replications) replications = \(all.count) runs")
                print("  aggregate: \(layout.pointsCSV)")
                if !images.isEmpty { print("  plots:     \(images.count) files in \(plotDir)") }
            }
        } catch {
            printErr("error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
    }
}

/// A one-line progress bar over runs on stderr: runs finished, and an estimate of the time left
/// from the runs finished since this sweep started.
final class SweepProgress: @unchecked Sendable {
    let enabled: Bool
    let start = Progress.monotonicSeconds()
    var startDone: Int?
    var drawn = false
    let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func update(done: Int, total: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if startDone == nil { startDone = done }
        let elapsed = Progress.monotonicSeconds() - start
        let fresh = done - (startDone ?? 0)
        let frac = total > 0 ? Double(done) / Double(total) : 1
        let bar = Progress.bar(frac)
        let eta = fresh > 0 ? "ETA \(SimDuration.fromSeconds((elapsed / Double(fresh) * Double(total - done)).rounded()))" : "ETA --"
        fputs("\r[\(bar)] \(done)/\(total) runs  \(eta)   ", stderr)
        drawn = true
    }

    func finish() {
        if enabled && drawn { fputs("\r" + String(repeating: " ", count: 80) + "\r", stderr) }
        drawn = false
    }
}

/// `clustersim validate EXPERIMENT.json`.
func validateExperiment(_ path: String) throws {
    let spec = try loadExperiment(path)
    for w in spec.warnings { printErr("warning: \(w)") }
    let points = spec.axes.reduce(1) { $0 * $1.values.count }
    print("\(path): valid experiment (\(spec.name): \(spec.axes.count) axes, \(points) points × \(spec.replications) replications = "
          + "\(points * spec.replications) runs of \(spec.base), \(spec.figures.count) figures\(spec.plan == nil ? "" : ", a plan"))")
}
