import Scenario

// `clustersim sweep EXP --slurm` (issue 13, docs/slurm.md): the experiment as a Slurm job array
// plus a dependent aggregate job. This file writes the two batch scripts' text; SlurmSubmit.swift
// writes them into <results>/slurm/ and submits them with sbatch. Slurm schedules the runs; nothing
// here decides which machine runs what.
//
// Array task i (0-based, of T = ceil(runs / chunk)) runs `clustersim sweep EXP --runs (i+1)/T`:
// the (i+1)-th of T chunks of the sorted runs, on the shared results folder, each finished run a
// folder of its own (runs are atomic and resumable, so a task that is requeued or a second
// submission redoes nothing finished). The aggregate job runs `sweep EXP --aggregate-only` once
// every array task has ended with exit code 0 (`--dependency=afterok:<array job>`).

/// The settings of a Slurm submission, as the command line gives them.
public struct SlurmOptions: Sendable, Equatable {
    /// Runs per array task (`--chunk`).
    public var chunk: Int
    /// At most this many array tasks at once (`--throttle`: `--array=0-(T-1)%throttle`).
    public var throttle: Int
    /// CPUs per array task (`--cpus-per-task`), which is also each task's `-j` (`-j`, default 1).
    public var cpusPerTask: Int
    /// Extra `#SBATCH` options for both jobs (`--sbatch`), e.g. `--partition=batch`.
    public var sbatch: [String]
    /// false with `--no-submit`: write the scripts only.
    public var submit: Bool
    /// Options given with --slurm that a Slurm submission cannot take (`--runs`, `--aggregate-only`:
    /// what its jobs run).
    public var conflicting: [String]

    public init(chunk: Int = 4, throttle: Int = 16, cpusPerTask: Int = 1, sbatch: [String] = [], submit: Bool = true,
                conflicting: [String] = []) {
        self.chunk = chunk; self.throttle = throttle; self.cpusPerTask = cpusPerTask; self.sbatch = sbatch
        self.submit = submit; self.conflicting = conflicting
    }

    /// Largest accepted `--chunk` and `--throttle` (far above any sweep: an experiment has at most
    /// 10,000 points times its replications).
    public static let maxChunk = 1_000_000
    /// Largest accepted `-j` per task (Slurm's own node limit is far lower on real hardware).
    public static let maxCPUs = 4096

    /// The options' problems, each naming the option and what is allowed (exit 2).
    public func problems() -> [String] {
        var p = conflicting.map { "--slurm and \($0) do not go together: \($0) is what the submitted jobs run" }
        if !(1...Self.maxChunk).contains(chunk) { p.append("--chunk \(chunk): expected runs per array task, an integer from 1 to \(Self.maxChunk)") }
        if !(1...Self.maxChunk).contains(throttle) { p.append("--throttle \(throttle): expected array tasks at once, an integer from 1 to \(Self.maxChunk)") }
        if !(1...Self.maxCPUs).contains(cpusPerTask) { p.append("-j \(cpusPerTask): expected CPUs per array task, an integer from 1 to \(Self.maxCPUs)") }
        for o in sbatch {
            if !o.hasPrefix("-") || o.count < 2 {
                p.append("--sbatch \"\(o)\": expected an sbatch option starting with \"-\", e.g. --sbatch=--partition=batch")
            } else if o.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) {
                p.append("--sbatch \(o.debugDescription): an option is one #SBATCH line and cannot hold a line break")
            }
        }
        return p
    }
}

/// The two batch scripts of one submission, and where they go.
public struct SlurmBatch: Sendable, Equatable {
    /// Absolute paths, as every array task on every node sees them (a shared file system).
    public var binary: String
    public var experiment: String
    public var root: String
    /// The submitting shell's folder: the jobs' `--chdir` (relative paths of the experiment and
    /// the default plots folder resolve as in a local sweep).
    public var workdir: String
    public var name: String
    /// Runs in the experiment (points times replications).
    public var runs: Int
    /// `--plots` for the aggregate job, absolute (nil: its default, plots/<name> under `workdir`).
    public var plots: String?
    public var options: SlurmOptions

    public init(binary: String, experiment: String, root: String, workdir: String, name: String, runs: Int,
                plots: String? = nil, options: SlurmOptions) {
        self.binary = binary; self.experiment = experiment; self.root = root; self.workdir = workdir
        self.name = name; self.runs = runs; self.plots = plots; self.options = options
    }

    /// Array tasks: ceil(runs / chunk).
    public var tasks: Int { max(1, (runs + options.chunk - 1) / options.chunk) }

    public var folder: String { root + "/slurm" }
    public var logs: String { folder + "/logs" }
    public var arrayScriptPath: String { folder + "/array.sbatch" }
    public var aggregateScriptPath: String { folder + "/aggregate.sbatch" }
    /// The prefix of the array tasks' log files of array job `id` (`array-<id>_<task>.out`).
    public static func arrayLogPrefix(job id: String) -> String { "array-\(id)_" }

    /// The paths' problems (exit 2): a path that an #SBATCH line cannot carry.
    public func problems() -> [String] {
        [("the results folder", root), ("the current folder", workdir)].compactMap { what, p in
            p.contains(where: { $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\(what) \(p) holds a double quote or a line break, which an #SBATCH line cannot carry; use --out" : nil
        }
    }

    /// The job name: `clustersim-<experiment name>`, characters outside [A-Za-z0-9._-] as "_".
    public var jobName: String {
        "clustersim-" + String(name.map { c in c.isASCII && (c.isLetter || c.isNumber || "._-".contains(c)) ? c : "_" })
    }

    public var arrayScript: String {
        let t = tasks
        return header(job: jobName, what: "the runs: array task i runs chunk i+1 of \(t) (\(runs) runs, at most \(options.chunk) per task)")
            + "#SBATCH --array=0-\(t - 1)%\(options.throttle)\n"
            + "#SBATCH --cpus-per-task=\(options.cpusPerTask)\n"
            + "#SBATCH --output=\(Self.sbatchValue(Self.slurmPattern(logs) + "/array-%A_%a.out"))\n"
            + common()
            + "exec \(Self.shellQuote(binary)) sweep \(Self.shellQuote(experiment)) --out \(Self.shellQuote(root)) \\\n"
            + "  --runs \"$((SLURM_ARRAY_TASK_ID + 1))/\(t)\" -j \"${SLURM_CPUS_PER_TASK:-\(options.cpusPerTask)}\" --quiet\n"
    }

    public var aggregateScript: String {
        header(job: jobName + "-aggregate", what: "the aggregate, submitted with --dependency=afterok:<array job>")
            + "#SBATCH --cpus-per-task=1\n"
            + "#SBATCH --kill-on-invalid-dep=yes\n"
            + "#SBATCH --output=\(Self.sbatchValue(Self.slurmPattern(logs) + "/aggregate-%j.out"))\n"
            + common()
            + "exec \(Self.shellQuote(binary)) sweep \(Self.shellQuote(experiment)) --out \(Self.shellQuote(root)) --aggregate-only"
            + (plots.map { " --plots \(Self.shellQuote($0))" } ?? "") + " --quiet\n"
    }

    private func header(job: String, what: String) -> String {
        "#!/bin/bash\n"
            + "# clustersim sweep --slurm, experiment \(name.filter { $0 != "\n" && $0 != "\r" }): \(what).\n"
            + "# Written by clustersim (docs/slurm.md); the binary, the experiment and the results folder must be\n"
            + "# at these paths on every node (a shared file system).\n"
            + "#SBATCH --job-name=\(job)\n"
    }

    private func common() -> String {
        "#SBATCH --chdir=\(Self.sbatchValue(workdir))\n"
            + options.sbatch.map { "#SBATCH \($0)\n" }.joined()
            + "set -eu\n"
    }

    /// A word for sh: single-quoted unless it is plainly safe.
    public static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0)) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A value of an #SBATCH line: sbatch splits those lines at white space and stops at "#", so a
    /// value holding either is double-quoted (sbatch takes quoted values; paths with a double
    /// quote are refused by `problems()`).
    static func sbatchValue(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\t" || $0 == "#" || $0 == "'" }) ? "\"" + s + "\"" : s
    }

    /// A literal path in a Slurm file name pattern (`%` is the pattern character; `%%` is "%").
    static func slurmPattern(_ s: String) -> String { s.replacingOccurrences(of: "%", with: "%%") }
}
