import ArgumentParser
import Experiment
import Foundation
import Scenario

// `clustersim sweep` and `clustersim plan` (issue 13; docs/experiments.md, docs/planning.md,
// docs/slurm.md). Placeholders of the scaffold: the sweep part fills Sweep.run, the Slurm part
// the --slurm branch, the planner part Plan.run.

struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment JSON file.")
    var experiment: String

    @Option(name: .customLong("out"), help: "Experiment results folder (default: results/<experiment name>).")
    var out: String?

    @Option(name: [.customShort("j"), .customLong("jobs")], help: "Runs at the same time (default: the cores).")
    var jobs: Int?

    @Flag(help: "Print nothing but errors (no progress bar).")
    var quiet = false
}

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every (point, replication) of an experiment and aggregate them into points.csv.")

    @OptionGroup var options: ExperimentOptions

    @Option(help: ArgumentHelp("Run only chunk K of N of the runs (1-based; how a Slurm array task runs its share); no aggregate.",
                               valueName: "K/N"))
    var runs: String?

    @Flag(help: "Only aggregate the finished runs into points.csv and plots (all runs must be finished).")
    var aggregateOnly = false

    @Flag(help: "Write a Slurm batch script running the sweep as a job array plus a dependent aggregate job, and submit it with sbatch.")
    var slurm = false

    @Option(help: "Slurm: runs per array task.")
    var chunk: Int = 4

    @Option(help: "Slurm: at most this many array tasks at once (--array=0-N%T).")
    var throttle: Int = 16

    @Option(parsing: .singleValue, help: ArgumentHelp("Slurm: an extra #SBATCH option for every job, e.g. --sbatch=--partition=batch.",
                                                      valueName: "OPTION"))
    var sbatch: [String] = []

    @Flag(help: "Slurm: write the batch scripts but do not submit them.")
    var noSubmit = false

    @Option(help: "Where to write the plots (default: plots/<experiment name>).")
    var plots: String?

    @Flag(help: "Show the progress bar even when stderr is not a terminal.")
    var progress = false

    func run() throws {
        if slurm { let spec = try loadExperiment(options.experiment); try checkOutputFolders([("--out", options.out ?? "results/\(spec.name)")] + (plots.map { [("--plots", $0)] } ?? [])); let status = SlurmSweep.run(spec: spec, layout: ExperimentLayout(root: options.out ?? "results/\(spec.name)"), binary: currentExecutable(), plots: plots, options: SlurmOptions(chunk: chunk, throttle: throttle, cpusPerTask: options.jobs ?? 1, sbatch: sbatch, submit: !noSubmit, conflicting: (runs == nil ? [] : ["--runs"]) + (aggregateOnly ? ["--aggregate-only"] : []))); if status != 0 { throw ExitCode(status) }; return }  // SlurmSubmit.swift
        try runLocal()   // SweepLocal.swift
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer an experiment's planning question: the smallest value of an axis that meets its requirements.")

    @OptionGroup var options: ExperimentOptions

    func validate() throws {
        if let j = options.jobs, j < 1 || j > 1024 { throw ValidationError("-j/--jobs: expected an integer from 1 to 1024, got \(j)") }
    }

    /// Loads the experiment and checks its plan (exit 2, nothing run), runs the bisection with
    /// the sweep's run folders and seeds, then writes plan.csv and plan.json (docs/planning.md).
    func run() throws {
        let spec = try loadExperiment(options.experiment)
        for w in spec.warnings { printErr("warning: \(w)") }
        let planner: Planner
        do { planner = try Planner(spec: spec) } catch let e {
            printErr(e.description)
            printErr("\(options.experiment): \(e.errors.count) error\(e.errors.count == 1 ? "" : "s"); nothing was run or written.")
            throw ExitCode(ExitStatus.invalidInput)
        }
        let layout = ExperimentLayout(root: options.out ?? "results/\(spec.name)")
        try checkOutputFolders([("--out", layout.root)])
        var executor = RunExecutor(binary: currentExecutable(), spec: spec, layout: layout)
        executor.shouldStop = { Signals.interrupted }
        Signals.set(.deferred)
        let result: PlanResult
        do {
            let quiet = options.quiet
            result = try planner.run(source: ExecutorRunSource(executor: executor, spec: spec,
                                                               jobs: options.jobs ?? ProcessInfo.processInfo.activeProcessorCount)) { step in
                if !quiet { printErr("  \(step.point.id): \(step.decision.rawValue)\(step.decidedOnMean ? " (on the mean)" : "") after \(step.runs) runs") }
            }
            Signals.set(.immediate)
            try result.write(root: layout.root, experiment: spec.name)
        } catch {
            let interrupted = (error as? RunFailure)?.interrupted == true
            printErr((interrupted ? "" : "error: ") + "\(error)")
            throw ExitCode(interrupted ? ExitStatus.interrupted : ExitStatus.internalError)
        }
        if !options.quiet {
            print("plan \(spec.name): " + result.summaryLines().joined(separator: "\n"))
            print("  evidence: \(layout.root)/plan.csv, \(layout.root)/plan.json")
        }
    }
}
